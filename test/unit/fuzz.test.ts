/**
 * Seeded, deterministic fuzzing: real samples and real probe outputs, mutated (cut, duplicated,
 * bytes swapped, bytes replaced, slices deleted or inserted), through every parser and the whole
 * engine. Nothing may throw; every report number is finite or null (byte figures safe and not
 * negative); every report validates against report.schema.json; every renderer copes.
 * FUZZ_SEED / FUZZ_ROUNDS reproduce or widen a run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Parsed } from '../../src/core/parsed';
import { parseKthreads, parseMemoryBlocks, parseModules, parseNameList, parseVirtioDevices, parseVirtioFeatures } from '../../src/core/parsers/drivers';
import { parseHvBalloon } from '../../src/core/parsers/hvballoon';
import { parseContainer, parseCpuinfo, parseDetectVirt, parseDmi, parseMeta, parseSysHypervisor } from '../../src/core/parsers/identity';
import { parseMeminfo, unaccountedBytes } from '../../src/core/parsers/meminfo';
import { parsePressure } from '../../src/core/parsers/pressure';
import { parseToolboxStat } from '../../src/core/parsers/toolbox';
import { parseVmmemctl } from '../../src/core/parsers/vmmemctl';
import { parseVmstat } from '../../src/core/parsers/vmstat';
import { parseProcXenBalloon, parseXenMemory } from '../../src/core/parsers/xen';
import { renderMarkdown } from '../../src/core/render/markdown';
import { renderPrometheus } from '../../src/core/render/prometheus';
import { renderText } from '../../src/core/render/text';
import { analyzeProbeOutput, type Report } from '../../src/core/report';
import { probeScript } from '../../src/transport/probe-script';
import type { Sample } from '../../src/core/trend';
import { numbersIn } from '../helpers/numbers';
import {
  BLOCKS_32G, CPUINFO_ARM64, CPUINFO_X86_GUEST, DMI, FEATURES_FIRECRACKER, FEATURES_QEMU_64, HV, HV_TYPO, MEMINFO_KVM_6_18_BALLOON, MEMINFO_RHEL5_2_6_18,
  MEMINFO_VMWARE_SEED, MODULES_VMW, probeOutput, PSI_STALLED, runProbe, SEED_SECTIONS, TOOLBOX, virtioLine, VMMEMCTL_V1, VMMEMCTL_V2, VMMEMCTL_V3,
  VMMEMCTL_V3B, VMMEMCTL_V4_SEED, VMSTAT_VMWARE_SEED, writeSeedRoot, XEN_BELOW_TARGET,
} from '../helpers/samples';
import { requireCommand, ROOT } from '../helpers/system';

/** /proc/xen/balloon of a classic 2.6.18-xen kernel (balloon_read() of drivers/xen/balloon/balloon.c). */
const PROC_XEN_BALLOON = 'Current allocation:  2097152 kB\nRequested target:    2097152 kB\nLow-mem balloon:     2097152 kB\nHigh-mem balloon:          0 kB\nDriver pages:           1024 kB\nXen hard limit:          ??? kB\n';

const SEED = Number(process.env.FUZZ_SEED ?? 20260101);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 1);

/** mulberry32: small, fast, and the same sequence on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTREMES = ['0', '-1', '4294967295', '4294967296', '9007199254740993', '999999999999999', '1000000000000000', '9'.repeat(30), '1e308', '0x10', '00000000000000000001'];
const NASTY = ['\u0000', '\r', '\n', '\uFFFD', '\u001b[2J', ':', '=', ' ', '-', '9999999999999999999999999999', 'kB', ' pages', 'MB', '0x', '\t', 'é', '\u202e'];

function mutate(text: string, next: () => number): string {
  const pick = (n: number) => Math.floor(next() * n);
  let out = text;
  const count = 1 + pick(3);
  for (let round = 0; round < count; round++) {
    const at = pick(out.length + 1);
    switch (pick(8)) {
      case 0: out = out.slice(0, at); break; // cut
      case 1: { // duplicate a slice somewhere
        const start = pick(out.length + 1);
        const slice = out.slice(start, start + 1 + pick(200));
        const where = pick(out.length + 1);
        out = out.slice(0, where) + slice + out.slice(where);
        break;
      }
      case 2: { // swap two characters
        if (out.length < 2) break;
        const other = pick(out.length);
        const chars = [...out];
        if (at < chars.length) [chars[at], chars[other]] = [chars[other], chars[at]];
        out = chars.join('');
        break;
      }
      case 3: out = out.slice(0, at) + NASTY[pick(NASTY.length)] + out.slice(at + pick(3)); break; // replace
      case 4: out = out.slice(0, at) + out.slice(at + 1 + pick(80)); break; // delete
      case 5: out = out.slice(0, at) + String.fromCharCode(pick(0x10000)) + out.slice(at); break; // any UTF-16 unit, lone surrogates too
      case 6: { // one number becomes an extreme one
        const numbers = [...out.matchAll(/\d+/g)];
        if (!numbers.length) break;
        const number = numbers[pick(numbers.length)];
        const extreme = EXTREMES[pick(EXTREMES.length)];
        out = out.slice(0, number.index) + extreme + out.slice((number.index ?? 0) + number[0].length);
        break;
      }
      default: out = out.replace(/\d/g, (digit) => (next() < 0.05 ? String(pick(10)) : digit)); break; // perturb digits
    }
  }
  return out;
}

const PARSERS: [string, (text: string) => Parsed<unknown>, string[]][] = [
  ['vmmemctl', parseVmmemctl, [VMMEMCTL_V1, VMMEMCTL_V2, VMMEMCTL_V3, VMMEMCTL_V3B, VMMEMCTL_V4_SEED]],
  ['toolbox', parseToolboxStat, [TOOLBOX.balloon20g, TOOLBOX.unlimited, TOOLBOX.oldMHz, TOOLBOX.unknownSubcommand]],
  ['hv-balloon', parseHvBalloon, [HV, HV_TYPO]],
  ['xen', parseXenMemory, [XEN_BELOW_TARGET]],
  ['proc-xen-balloon', parseProcXenBalloon, [PROC_XEN_BALLOON]],
  ['meminfo', parseMeminfo, [MEMINFO_VMWARE_SEED, MEMINFO_KVM_6_18_BALLOON, MEMINFO_RHEL5_2_6_18]],
  ['vmstat', parseVmstat, [VMSTAT_VMWARE_SEED]],
  ['pressure', parsePressure, [PSI_STALLED]],
  ['modules', parseModules, [MODULES_VMW]],
  ['virtio devices', parseVirtioDevices, [`${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_FIRECRACKER)}\n${virtioLine('virtio1', '0x0005', '', FEATURES_QEMU_64)}\n`]],
  ['memory blocks', parseMemoryBlocks, [BLOCKS_32G]],
  ['dmi', parseDmi, [DMI.vmwareEfi, DMI.xenHvm]],
  ['cpuinfo', parseCpuinfo, [CPUINFO_X86_GUEST, CPUINFO_ARM64]],
  ['detect-virt', parseDetectVirt, ['microsoft\n']],
  ['sys-hypervisor', parseSysHypervisor, ['xen\n']],
];

function checkParsed(name: string, input: string, result: Parsed<unknown>): void {
  if (!result.ok) {
    assert.ok(typeof result.reason === 'string' && result.reason.length >= 8, `${name}: useless reason ${JSON.stringify(result.reason)} for ${JSON.stringify(input.slice(0, 80))}`);
    return;
  }
  for (const [path, value] of numbersIn(result.value)) {
    assert.ok(Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER, `${name}: ${path} = ${value} for ${JSON.stringify(input.slice(0, 80))}`);
  }
}

test(`every parser on ${ROUNDS * 4000} mutated samples (seed ${SEED}): no throw, reasons or sane numbers`, () => {
  const next = random(SEED);
  for (let index = 0; index < ROUNDS * 4000; index++) {
    const [name, parse, samples] = PARSERS[index % PARSERS.length];
    const input = mutate(samples[Math.floor(next() * samples.length)], next);
    let result: Parsed<unknown>;
    try {
      result = parse(input);
    } catch (error) {
      assert.fail(`${name} threw on iteration ${index} (seed ${SEED}): ${String(error)} for ${JSON.stringify(input.slice(0, 200))}`);
    }
    checkParsed(name, input, result);
    if (name === 'meminfo' && result.ok) checkParsed('unaccountedBytes', input, unaccountedBytes(result.value as Parameters<typeof unaccountedBytes>[0]));
    // the plain parsers too
    parseNameList(input);
    parseKthreads(input);
    parseContainer(input);
    const meta = parseMeta(input);
    assert.ok(meta.uid === null || Number.isSafeInteger(meta.uid));
    parseVirtioFeatures(input.trim());
  }
});

const BYTE_FIELDS = /Bytes$|bytes$/;

function checkReport(report: Report, validate: (value: unknown) => boolean, errors: () => unknown, context: string): void {
  const json = JSON.parse(JSON.stringify(report));
  assert.equal(validate(json), true, `${context}: ${JSON.stringify(errors())}`);
  for (const [path, value] of numbersIn(report)) {
    assert.ok(Number.isFinite(value), `${context}: ${path} = ${value}`);
    if (BYTE_FIELDS.test(path) && !path.endsWith('balloonDeltaBytes')) {
      assert.ok(Number.isSafeInteger(value) && value >= 0, `${context}: ${path} = ${value}`);
    }
  }
  for (const finding of report.findings) {
    assert.doesNotMatch(`${finding.title} ${finding.detail}`, /undefined|NaN|Infinity|\[object/, `${context}: ${finding.id}`);
    assert.equal(finding.articles[0], finding.id);
  }
  const text = renderText(report, { color: false });
  assert.doesNotMatch(text, /undefined|NaN|\[object/, `${context}: text`);
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, `${context}: control characters reach the terminal`);
  assert.doesNotMatch(renderMarkdown(report), /undefined|NaN|\[object/, `${context}: markdown`);
  assert.doesNotMatch(renderPrometheus([{ report, labels: { host: report.target.name } }]), /undefined|NaN|Infinity/, `${context}: prometheus`);
}

/**
 * The same bytes on every machine and run: the probe's random marker and the checkout's path
 * would otherwise move every mutation, and the seed would not reproduce a failure.
 */
function stable(output: string, root: string): string {
  const marker = /@@BI-[A-Za-z0-9-]+@@/.exec(output)?.[0];
  return (marker ? output.split(marker).join('@@BI-fuzz@@') : output).split(root).join('/guest');
}

/** Real probe outputs: the seed guest, the committed fixture guests, both built by the real probe.sh. */
function corpus(t: { skip: (message: string) => void }): string[] {
  const outputs = [probeOutput(SEED_SECTIONS)];
  if (!requireCommand(t, 'awk', 'mawk')) return outputs;
  const root = mkdtempSync(join(tmpdir(), 'bi-fuzz-'));
  try {
    writeSeedRoot(root);
    outputs.push(stable(runProbe(probeScript(), root), root));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // Every fixture guest seeds the corpus; a probe that fails on one fails here, loudly.
  const guests = join(ROOT, 'test', 'fixtures', 'guests');
  for (const name of readdirSync(guests).sort()) {
    if (name.includes('hanging') || name.includes('huge')) continue; // slow by design; their own tests cover them
    outputs.push(stable(runProbe(probeScript(), join(guests, name), 1), join(guests, name)));
  }
  assert.ok(outputs.length > 10, `only ${outputs.length} probe outputs in the corpus`);
  return outputs;
}

test(`the engine on mutated real probe outputs (seed ${SEED}): reports are valid, finite and renderable`, (t) => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'report.schema.json'), 'utf8')));
  const outputs = corpus(t);
  const next = random(SEED + 1);
  const at = new Date('2026-01-01T00:00:00Z');
  let analysed = 0;
  let previous: Sample | undefined;
  for (let index = 0; index < ROUNDS * 2500; index++) {
    const source = outputs[index % outputs.length];
    const input = next() < 0.1 ? source : mutate(source, next);
    const collectedAt = new Date(at.getTime() + index * 1000);
    let analysis: ReturnType<typeof analyzeProbeOutput>;
    try {
      analysis = analyzeProbeOutput(input, { kind: 'snapshot', name: `fuzz-${index}` }, collectedAt, previous ? [previous] : []);
    } catch (error) {
      assert.fail(`engine threw on iteration ${index} (seed ${SEED}): ${String(error)}`);
    }
    if (!analysis.ok) {
      assert.ok(analysis.reason.length >= 8, `iteration ${index}: ${analysis.reason}`);
      continue;
    }
    analysed++;
    checkReport(analysis.report, validate, () => validate.errors, `iteration ${index} (seed ${SEED})`);
    previous = next() < 0.5 ? { at: collectedAt, facts: analysis.facts } : undefined;
  }
  assert.ok(analysed > 1000, `only ${analysed} mutated outputs were analysable: the mutations are too destructive to test the engine`);
});

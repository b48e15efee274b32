/**
 * Hostile input for every parser: empty, whitespace, garbage, binary, invalid UTF-8, cut mid-line,
 * enormous, 30-digit and negative numbers, repeated keys, CRLF. A parser never throws; it refuses
 * with a reason, or answers with numbers that the clean text also gives (never a made-up one).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
import { renderText } from '../../src/core/render/text';
import { analyzeProbeOutput } from '../../src/core/report';
import { numbersIn } from '../helpers/numbers';
import { ROOT } from '../helpers/system';
import {
  BLOCKS_32G, CPUINFO_ARM64, CPUINFO_X86_GUEST, DMI, FEATURES_FIRECRACKER, HV, HV_TYPO, MEMINFO_KVM_6_18_BALLOON, MEMINFO_RHEL5_2_6_18,
  MEMINFO_VMWARE_SEED, MODULES_VMW, probeOutput, PSI_STALLED, SEED_SECTIONS, TOOLBOX, virtioLine, VMMEMCTL_V1, VMMEMCTL_V2, VMMEMCTL_V3, VMMEMCTL_V3B, VMMEMCTL_V4_SEED,
  VMSTAT_VMWARE_SEED, XEN_BELOW_TARGET,
} from '../helpers/samples';

/** /proc/xen/balloon of a classic 2.6.18-xen kernel (balloon_read() of drivers/xen/balloon/balloon.c). */
const PROC_XEN_BALLOON = 'Current allocation:  2097152 kB\nRequested target:    2097152 kB\nLow-mem balloon:     2097152 kB\nHigh-mem balloon:          0 kB\nDriver pages:           1024 kB\nXen hard limit:          ??? kB\n';

interface ParserCase {
  name: string;
  parse: (text: string) => Parsed<unknown>;
  samples: string[];
  /** Empty text is a known empty list here (no balloon module loaded, no virtio device). */
  emptyIsKnown?: boolean;
  /**
   * Formats whose last line can be cut inside a number without a trace (a plain `name value`):
   * a cut output is caught by splitProbeOutput instead (the section is not complete).
   */
  cutUndetectable?: boolean;
}

const PARSERS: ParserCase[] = [
  { name: 'vmmemctl', parse: parseVmmemctl, samples: [VMMEMCTL_V1, VMMEMCTL_V2, VMMEMCTL_V3, VMMEMCTL_V3B, VMMEMCTL_V4_SEED] },
  { name: 'toolbox', parse: parseToolboxStat, samples: [TOOLBOX.balloon20g, TOOLBOX.limit12g, TOOLBOX.unlimited, TOOLBOX.oldMHz] },
  { name: 'hv-balloon', parse: parseHvBalloon, samples: [HV, HV_TYPO], cutUndetectable: true },
  { name: 'xen_memory0', parse: parseXenMemory, samples: [XEN_BELOW_TARGET], cutUndetectable: true },
  { name: '/proc/xen/balloon', parse: parseProcXenBalloon, samples: [PROC_XEN_BALLOON], cutUndetectable: true },
  { name: 'meminfo', parse: parseMeminfo, samples: [MEMINFO_VMWARE_SEED, MEMINFO_KVM_6_18_BALLOON, MEMINFO_RHEL5_2_6_18] },
  { name: 'vmstat', parse: parseVmstat, samples: [VMSTAT_VMWARE_SEED], cutUndetectable: true },
  { name: 'pressure', parse: parsePressure, samples: [PSI_STALLED], cutUndetectable: true },
  { name: 'modules', parse: parseModules, samples: [MODULES_VMW], emptyIsKnown: true },
  { name: 'virtio devices', parse: parseVirtioDevices, samples: [`${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_FIRECRACKER)}\n`], emptyIsKnown: true },
  { name: 'memory blocks', parse: parseMemoryBlocks, samples: [BLOCKS_32G], cutUndetectable: true },
  { name: 'dmi', parse: parseDmi, samples: [DMI.vmwareEfi, DMI.hypervGen2] },
  { name: 'cpuinfo', parse: parseCpuinfo, samples: [CPUINFO_X86_GUEST, CPUINFO_ARM64] },
  { name: 'detect-virt', parse: parseDetectVirt, samples: ['kvm\n'] },
  { name: 'sys-hypervisor', parse: parseSysHypervisor, samples: ['xen\n'] },
];

const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0xf0, 0x9f]).toString('utf8');
const HOSTILE: Record<string, string> = {
  empty: '',
  whitespace: ' \t\n\r\n  \n',
  garbage: 'Lorem ipsum dolor sit amet\nconsectetur: adipiscing = elit\n<html><body>502 Bad Gateway</body></html>\n',
  binary: '\u0000\u0001\u0002\u0003\u00ff\u0000\n\u0000',
  invalidUtf8: INVALID_UTF8,
  enormous: 'x'.repeat((1 << 20) + 1),
  enormousLines: 'MemTotal: 1 kB\n'.repeat(80_000),
  thirtyDigits: `${'9'.repeat(30)}\n`,
  negative: '-1\n-4096 kB\n',
  onlySeparators: ':\n=\n: :\n',
};

/** A refusal must say something useful; an answer must not hold impossible numbers. */
function checkAnswer(name: string, input: string, result: Parsed<unknown>): void {
  assert.equal(typeof result, 'object', `${name}: no result`);
  if (!result.ok) {
    assert.equal(typeof result.reason, 'string');
    assert.ok(result.reason.length >= 8, `${name}: reason too short: ${JSON.stringify(result.reason)}`);
    assert.ok(result.reason.length <= 400, `${name}: reason too long (${result.reason.length})`);
    return;
  }
  for (const [path, value] of numbersIn(result.value)) {
    assert.ok(Number.isSafeInteger(value) || (Number.isFinite(value) && value % 1 !== 0), `${name}: ${path} = ${value} for ${JSON.stringify(input.slice(0, 60))}`);
    assert.ok(value >= 0, `${name}: ${path} is negative (${value})`);
  }
}

/** Every number in `result` is the number the clean text gives at the same place. */
function checkNoMadeUpNumber(name: string, clean: Parsed<unknown>, mutated: Parsed<unknown>, what: string): void {
  if (!mutated.ok) return;
  assert.ok(clean.ok);
  const truth = numbersIn(clean.value);
  for (const [path, value] of numbersIn(mutated.value)) {
    assert.equal(value, truth.get(path), `${name} ${what}: ${path} = ${value}, the clean text says ${truth.get(path)}`);
  }
}

for (const parser of PARSERS) {
  test(`${parser.name}: hostile inputs are refused with a reason, never thrown`, () => {
    for (const [kind, text] of Object.entries(HOSTILE)) {
      const result = parser.parse(text);
      checkAnswer(`${parser.name}/${kind}`, text, result);
      const mustRefuse = !(parser.emptyIsKnown && (kind === 'empty' || kind === 'whitespace'));
      if (mustRefuse) assert.equal(result.ok, false, `${parser.name} accepted ${kind}: ${JSON.stringify(result).slice(0, 200)}`);
      else assert.deepEqual(result, { ok: true, value: [] });
    }
  });

  test(`${parser.name}: real samples survive CRLF, and binary or oversize copies are refused`, () => {
    for (const sample of parser.samples) {
      const clean = parser.parse(sample);
      assert.ok(clean.ok, `${parser.name}: sample refused: ${clean.ok ? '' : clean.reason}`);
      checkAnswer(parser.name, sample, clean);
      assert.deepEqual(parser.parse(sample.replace(/\n/g, '\r\n')), clean, 'CRLF');
      assert.equal(parser.parse(`${sample}\u0000`).ok, false, 'NUL');
      assert.equal(parser.parse(sample.repeat(Math.ceil((1 << 20) / sample.length) + 1)).ok, false, 'over 1 MiB');
    }
  });

  test(`${parser.name}: cut anywhere, with garbage or invalid UTF-8 appended — no made-up number`, () => {
    for (const sample of parser.samples) {
      const clean = parser.parse(sample);
      for (let cut = 0; cut <= sample.length; cut++) {
        const text = sample.slice(0, cut);
        const result = parser.parse(text);
        checkAnswer(`${parser.name} cut at ${cut}`, text, result);
        // a cut on a line boundary is a shorter but honest text
        const lineBoundary = cut === 0 || sample[cut - 1] === '\n' || sample[cut] === '\n';
        if (!parser.cutUndetectable || lineBoundary) checkNoMadeUpNumber(parser.name, clean, result, `cut at ${cut} (${JSON.stringify(sample.slice(Math.max(0, cut - 20), cut))})`);
      }
      for (const tail of [`${INVALID_UTF8}\n`, 'garbage line\n', '\uFFFD\uFFFD: \uFFFD\n']) {
        const result = parser.parse(sample + tail);
        checkAnswer(parser.name, sample + tail, result);
        checkNoMadeUpNumber(parser.name, clean, result, `with ${JSON.stringify(tail)} appended`);
      }
    }
  });

  test(`${parser.name}: every line repeated (keys repeated with the same value) changes no number`, () => {
    for (const sample of parser.samples) {
      const doubled = sample.split('\n').map((line) => (line ? `${line}\n${line}` : line)).join('\n');
      const result = parser.parse(doubled);
      checkAnswer(parser.name, doubled, result);
      checkNoMadeUpNumber(parser.name, parser.parse(sample), result, 'lines doubled');
    }
  });

  test(`${parser.name}: numbers replaced by 30-digit or negative ones are refused or dropped, never kept`, () => {
    for (const sample of parser.samples) {
      for (const replacement of ['9'.repeat(30), '-7']) {
        let index = 0;
        // one number at a time, so each field's handling is seen
        for (const match of sample.matchAll(/\d+/g)) {
          const text = sample.slice(0, match.index) + replacement + sample.slice((match.index ?? 0) + match[0].length);
          const result = parser.parse(text);
          checkAnswer(`${parser.name} number #${index}`, text, result);
          index++;
          if (result.ok) for (const value of numbersIn(result.value).values()) assert.ok(value < 1e29 && value >= 0, `${parser.name}: kept ${value}`);
        }
      }
    }
  });
}

test('unaccountedBytes on hostile meminfo: a figure or a reason, never negative or unsafe', () => {
  for (const text of [MEMINFO_VMWARE_SEED, MEMINFO_RHEL5_2_6_18, 'MemTotal: 1024 kB\nMemFree: 1024 kB\n', `MemTotal: 1 kB\nMemFree: 0 kB\nBuffers: 0 kB\nCached: 9999999 kB\nAnonPages: 0 kB\nPageTables: 0 kB\nSlab: 0 kB\n`]) {
    const info = parseMeminfo(text);
    if (!info.ok) continue;
    const residue = unaccountedBytes(info.value);
    checkAnswer('unaccountedBytes', text, residue);
  }
});

test('list parsers and plain-value parsers never throw on hostile text', () => {
  for (const text of [...Object.values(HOSTILE), `${'marker=/x\n'.repeat(1000)}`, 'uid=0\nuid=1\nkernel=\u001b[2J\n']) {
    assert.ok(Array.isArray(parseNameList(text)));
    assert.ok(Array.isArray(parseKthreads(text)));
    assert.equal(typeof parseContainer(text).inside, 'boolean');
    const meta = parseMeta(text);
    for (const value of [meta.uid, meta.uptimeSeconds]) assert.ok(value === null || Number.isSafeInteger(Math.floor(value)));
    assert.equal(parseVirtioFeatures(text), null);
  }
});

test('the engine with each seed section replaced by each hostile text: a valid report, that probe in error', () => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'report.schema.json'), 'utf8')));
  const parsedSections = new Set(['dmi', 'cpuinfo', 'modules', 'toolbox-balloon', 'toolbox-swap', 'toolbox-memlimit', 'toolbox-memres', 'debugfs-vmmemctl', 'meminfo', 'vmstat', 'pressure-memory', 'memory-blocks']);
  for (const [index, section] of SEED_SECTIONS.entries()) {
    for (const [kind, text] of Object.entries(HOSTILE)) {
      if (kind === 'enormousLines') continue; // same path as enormous
      const sections = SEED_SECTIONS.map((other, at) => (at === index ? [other[0], other[1], other[2], text] as typeof other : other));
      const analysis = analyzeProbeOutput(probeOutput(sections), { kind: 'snapshot', name: `${section[0]}/${kind}` }, new Date('2026-01-01T00:00:00Z'));
      assert.ok(analysis.ok, `${section[0]}/${kind}`);
      const json = JSON.parse(JSON.stringify(analysis.report));
      assert.equal(validate(json), true, `${section[0]}/${kind}: ${JSON.stringify(validate.errors)}`);
      for (const [path, value] of numbersIn(analysis.report)) assert.ok(Number.isFinite(value) && value >= 0, `${section[0]}/${kind}: ${path} = ${value}`);
      const record = analysis.report.probes.find((probe) => probe.id === section[0]);
      const emptyIsKnown = section[0] === 'modules' && (kind === 'empty' || kind === 'whitespace');
      if (parsedSections.has(section[0]) && section[1] === 'ok' && !emptyIsKnown) {
        assert.equal(record?.status, 'error', `${section[0]}/${kind} was accepted`);
        assert.ok((record?.detail ?? '').length >= 8, `${section[0]}/${kind}: no reason`);
      }
      assert.doesNotMatch(renderText(analysis.report, { color: false }), /undefined|NaN/);
    }
  }
});

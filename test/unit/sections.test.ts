import assert from 'node:assert/strict';
import test from 'node:test';
import { analyzeProbeOutput } from '../../src/core/report';
import { DUPLICATE_SECTION_DETAIL, MAX_PROBE_OUTPUT_CHARS, shellQuote, splitProbeOutput, type ProbeOutput } from '../../src/core/sections';
import { scriptWithSettings } from '../../src/transport/probe-script';
import { MARKER, probeOutput, SEED_SECTIONS, VMMEMCTL_V4_SEED, type SectionSpec } from '../helpers/samples';

const split = (text: string): ProbeOutput => {
  const result = splitProbeOutput(text);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.output;
};
const reason = (text: string) => {
  const result = splitProbeOutput(text);
  assert.equal(result.ok, false);
  return result.ok ? '' : result.reason;
};

test('a complete output: every section with status, detail and exact text', () => {
  const output = split(probeOutput(SEED_SECTIONS));
  assert.equal(output.formatVersion, 1);
  assert.equal(output.complete, true);
  assert.deepEqual([...output.sections.keys()], SEED_SECTIONS.map(([id]) => id));
  assert.deepEqual(output.sections.get('debugfs-vmmemctl'), { id: 'debugfs-vmmemctl', status: 'ok', detail: '', text: VMMEMCTL_V4_SEED.slice(0, -1) });
  assert.deepEqual(output.sections.get('toolbox-memlimit'), { id: 'toolbox-memlimit', status: 'ok', detail: 'exit 0', text: '12288 MB' });
  assert.deepEqual(output.sections.get('xen-memory'), { id: 'xen-memory', status: 'absent', detail: 'no such file', text: '' });
});

test('the four statuses and a multi-word detail', () => {
  const output = split(probeOutput([
    ['a', 'ok', '', 'x\n'], ['b', 'absent', 'no such file', ''], ['c', 'denied', 'debugfs is readable by root only', ''], ['d', 'error', 'timed out after 5s', ''],
  ]));
  assert.deepEqual([...output.sections.values()].map((section) => [section.status, section.detail]), [
    ['ok', ''], ['absent', 'no such file'], ['denied', 'debugfs is readable by root only'], ['error', 'timed out after 5s'],
  ]);
});

test('no end marker: the output was cut off (complete = false), sections so far are kept but the last is not trusted', () => {
  const output = split(probeOutput(SEED_SECTIONS, { end: false }));
  assert.equal(output.complete, false);
  assert.equal(output.sections.size, SEED_SECTIONS.length);
  assert.equal(output.sections.get('meminfo')?.status, 'ok');
  const last = SEED_SECTIONS[SEED_SECTIONS.length - 1][0];
  assert.deepEqual(output.sections.get(last), { id: last, status: 'error', detail: 'the probe output was cut off in this section', text: '' });
});

test('cut inside the last section\'s number: that section becomes an error, never a smaller figure', () => {
  const full = probeOutput([['meminfo', 'ok', '', 'MemTotal: 1024 kB\n'], ['memory-blocks', 'ok', '', 'block_size_bytes=8000000\nblocks=256\n']]);
  const output = split(full.slice(0, full.indexOf('blocks=256') + 'blocks=25'.length));
  assert.equal(output.sections.get('memory-blocks')?.status, 'error');
  assert.equal(output.sections.get('meminfo')?.status, 'ok');
});

test('a login banner before the header and CRLF line ends (pasted output) are tolerated', () => {
  const output = split(`Welcome to db-prod-07\r\nLast login: Mon\r\n${probeOutput(SEED_SECTIONS).replace(/\n/g, '\r\n')}`);
  assert.equal(output.complete, true);
  assert.equal(output.sections.get('toolbox-memlimit')?.text, '12288 MB');
  assert.ok(!output.sections.get('meminfo')?.text.includes('\r'));
});

test('file contents cannot fake a section: another marker stays text', () => {
  const fake = 'MemTotal: 1 kB\n@@BI-attacker@@ toolbox-memlimit ok exit 0\n1 MB\n';
  const output = split(probeOutput([['meminfo', 'ok', '', fake], ['toolbox-memlimit', 'ok', 'exit 0', '12288 MB\n']]));
  assert.equal(output.sections.get('meminfo')?.text, fake.slice(0, -1));
  assert.equal(output.sections.get('toolbox-memlimit')?.text, '12288 MB');
});

test('headers with a bad id or an unknown status are skipped', () => {
  const output = split(`BALLOON-INSPECTOR-PROBE 1 ${MARKER}\n\n${MARKER} Bad_ID ok\nx\n\n${MARKER} meminfo maybe\ny\n\n${MARKER} vmstat ok\npswpin 1\n\n${MARKER} end\n`);
  assert.deepEqual([...output.sections.keys()], ['vmstat']);
});

test('refusals: empty, not the probe, bad header, unknown format, no sections, too large', () => {
  assert.match(reason(''), /no probe header/);
  assert.match(reason('   \n\t'), /no probe header/);
  assert.match(reason('MemTotal: 1024 kB\n'), /no probe header/);
  assert.match(reason('BALLOON-INSPECTOR-PROBE one @@BI-x@@\n'), /malformed probe header/);
  assert.match(reason('BALLOON-INSPECTOR-PROBE 1 nomarker\n'), /malformed probe header/);
  assert.match(reason(`BALLOON-INSPECTOR-PROBE 2 ${MARKER}\n\n${MARKER} meminfo ok\nx\n`), /format 2 is not supported/);
  assert.match(reason(`BALLOON-INSPECTOR-PROBE ${'9'.repeat(30)} ${MARKER}\n`), /not supported/);
  assert.match(reason(`BALLOON-INSPECTOR-PROBE 1 ${MARKER}\n`), /no sections/);
  assert.match(reason(`BALLOON-INSPECTOR-PROBE 1 ${MARKER}`), /no sections/);
  assert.match(reason(`BALLOON-INSPECTOR-PROBE 1 ${MARKER}\n\n${MARKER} end\n`), /no sections/);
  assert.match(reason('x'.repeat(MAX_PROBE_OUTPUT_CHARS + 1)), /more than the probe ever prints/);
  assert.match(reason('\u0000\u0001\uFFFD\uFFFD'), /no probe header/);
});

test('the header cut mid-line is refused', () => {
  const header = `BALLOON-INSPECTOR-PROBE 1 ${MARKER}`;
  for (let cut = 0; cut < header.length; cut++) assert.equal(splitProbeOutput(header.slice(0, cut)).ok, false, `cut at ${cut}`);
});

test('an output cut inside a section reports incomplete and drops that section\'s text', () => {
  const full = probeOutput(SEED_SECTIONS);
  const cut = full.slice(0, full.indexOf('current   ') + 30);
  const output = split(cut);
  assert.equal(output.complete, false);
  assert.equal(output.sections.get('debugfs-vmmemctl')?.status, 'error');
  assert.equal(output.sections.get('toolbox-memlimit')?.text, '12288 MB');
});

test('NUL bytes and invalid UTF-8 inside a section do not break the split', () => {
  const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0xc3, 0x28]).toString('utf8');
  const output = split(probeOutput([['meminfo', 'ok', '', `${garbage}\n`], ['vmstat', 'ok', '', 'pswpin 1\n']]));
  assert.equal(output.sections.get('meminfo')?.text, garbage);
  assert.equal(output.sections.get('vmstat')?.text, 'pswpin 1');
});

test('settings travel inside the script as quoted assignments', () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  const script = scriptWithSettings({ root: "/tmp/a b'c", sudo: true, toolTimeoutSeconds: 0.2 });
  // every setting is assigned, unset ones too, so the caller's stray BI_* never count (issue 9 item 10)
  assert.ok(script.startsWith(`BI_ROOT='/tmp/a b'\\''c'\nBI_SUDO=1\nBI_TOOL_TIMEOUT=1\nBI_RUN_SNAPSHOT_TOOLS=''\nBI_CAP=''\nBI_DETECT_VIRT=''\n#!/bin/sh`));
});

test('a section printed twice is an error with both copies dropped, never "last copy wins"', () => {
  const forged = SEED_SECTIONS.concat([['meminfo', 'ok', '', 'MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 10 kB\n']]);
  const output = split(probeOutput(forged));
  assert.equal(output.complete, true);
  assert.deepEqual(output.sections.get('meminfo'), { id: 'meminfo', status: 'error', detail: DUPLICATE_SECTION_DETAIL, text: '' });
  assert.equal(output.sections.get('vmstat')?.status, 'ok', 'other sections are unaffected');
  assert.deepEqual([...output.sections.keys()], SEED_SECTIONS.map(([id]) => id), 'the duplicate keeps its first place');
  // Through the whole engine: MemTotal unknown (not 1000 KiB beside 32 GiB configured), the reason shown.
  const analysis = analyzeProbeOutput(probeOutput(forged), { kind: 'snapshot', name: 'forged' });
  assert.ok(analysis.ok);
  assert.equal(analysis.report.memory.totalBytes, null);
  const record = analysis.report.probes.find((probe) => probe.id === 'meminfo');
  assert.equal(record?.status, 'error');
  assert.match(record?.detail ?? '', /printed twice/);
});

test('a third copy of a section keeps it an error', () => {
  const copy: SectionSpec = ['toolbox-memlimit', 'ok', 'exit 0', '1 MB\n'];
  const output = split(probeOutput([...SEED_SECTIONS, copy, copy]));
  assert.equal(output.sections.get('toolbox-memlimit')?.status, 'error');
  assert.equal(output.sections.get('toolbox-memlimit')?.text, '');
});

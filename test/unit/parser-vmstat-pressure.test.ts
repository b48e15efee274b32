import assert from 'node:assert/strict';
import test from 'node:test';
import { parsePressure } from '../../src/core/parsers/pressure';
import { parseVmstat } from '../../src/core/parsers/vmstat';
import { PSI_IDLE, PSI_STALLED, VMSTAT_CMM, VMSTAT_FIRECRACKER, VMSTAT_VMWARE_SEED } from '../helpers/samples';
import { parserProbes } from '../helpers/parsed';

const { value: counters, reason: vmstatReason } = parserProbes(parseVmstat);
const { value: psi, reason: psiReason } = parserProbes(parsePressure);

test('vmstat: name value counters, balloon events in pages', () => {
  const seed = counters(VMSTAT_VMWARE_SEED);
  assert.equal(seed.get('balloon_inflate'), 5242880);
  assert.equal(seed.get('balloon_deflate'), 0);
  assert.equal(seed.get('pswpout'), 4096);
  assert.equal(seed.get('allocstall_normal'), 12);
  const cmm = counters(VMSTAT_CMM);
  assert.equal((cmm.get('balloon_inflate') ?? 0) - (cmm.get('balloon_deflate') ?? 0), cmm.get('nr_balloon_pages'));
});

test('vmstat on 6.18 (Firecracker, observed): nr_balloon_pages 0 is a known zero', () => {
  const fc = counters(VMSTAT_FIRECRACKER);
  assert.equal(fc.get('nr_balloon_pages'), 0);
  assert.equal(fc.get('oom_kill'), 0);
});

test('vmstat: CRLF parses the same', () => {
  assert.deepEqual(counters(VMSTAT_VMWARE_SEED.replace(/\n/g, '\r\n')), counters(VMSTAT_VMWARE_SEED));
});

test('vmstat refusals', () => {
  assert.match(vmstatReason(''), /none of the counters/);
  assert.match(vmstatReason('hello world again\n'), /not in vmstat format/);
  assert.match(vmstatReason('pswpin -3\n'), /not in vmstat format/);
  assert.match(vmstatReason(`pswpin ${'7'.repeat(30)}\n`), /not in vmstat format/);
  assert.match(vmstatReason('pswpin 1\njunk\njunk\njunk\n'), /mostly not/);
  assert.match(vmstatReason(`${VMSTAT_VMWARE_SEED}\u0000`), /binary/);
  assert.match(vmstatReason(VMSTAT_VMWARE_SEED.repeat(6000)), /characters long|two different/);
});

test('vmstat: a counter repeated with another value is refused', () => {
  assert.match(vmstatReason(`${VMSTAT_VMWARE_SEED}pswpout 1\n`), /pswpout/);
});

test('PSI: some and full lines, percentages with two decimals, total in microseconds', () => {
  assert.deepEqual(psi(PSI_STALLED), {
    some: { avg10: 23.51, avg60: 18.02, avg300: 6.33, totalMicros: 123456789 },
    full: { avg10: 11.2, avg60: 7.85, avg300: 2.1, totalMicros: 98765432 },
  });
  assert.deepEqual(psi(PSI_IDLE).full, { avg10: 0, avg60: 0, avg300: 0, totalMicros: 0 });
});

test('PSI: a kernel that prints only "some" (cpu-style) gives full = null', () => {
  assert.equal(psi('some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n').full, null);
});

test('PSI refusals', () => {
  assert.match(psiReason(''), /empty/);
  assert.match(psiReason('garbage\n'), /no "some" line/);
  assert.match(psiReason('some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n'), /above 100/);
  assert.match(psiReason('some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n'), /no "some" line/);
  assert.match(psiReason('some avg10=0.0'), /no "some" line/); // cut mid-line
  assert.match(psiReason(`${PSI_IDLE}\u0000`), /binary/);
});

test('PSI: a total too long for a double is not rounded into a figure', () => {
  const parsed = parsePressure(`some avg10=0.00 avg60=0.00 avg300=0.00 total=${'9'.repeat(30)}\n`);
  assert.ok(!parsed.ok || Number.isSafeInteger(parsed.value.some.totalMicros), JSON.stringify(parsed));
});

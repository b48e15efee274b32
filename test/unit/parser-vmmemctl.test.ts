import assert from 'node:assert/strict';
import test from 'node:test';
import { parseVmmemctl } from '../../src/core/parsers/vmmemctl';
import { VMMEMCTL_V1, VMMEMCTL_V2, VMMEMCTL_V3, VMMEMCTL_V3B, VMMEMCTL_V4_INFLATING, VMMEMCTL_V4_SEED } from '../helpers/samples';
import { parserProbes } from '../helpers/parsed';

const { value, reason } = parserProbes(parseVmmemctl);

test('V4 (4.20+): first target line is the size, the second (GET_TARGET counter 86437) is ignored', () => {
  assert.deepEqual(value(VMMEMCTL_V4_SEED), { targetFrames: 5242880, currentFrames: 5242880, layout: 'v4', resetting: false });
});

test('V4 with 2 MiB page stats: frames are 4 KiB whatever the page size (8192 × 2M = 4194304 frames)', () => {
  const stats = value(VMMEMCTL_V4_INFLATING);
  assert.equal(stats.currentFrames, 4194304);
  assert.equal(stats.currentFrames * 4096, 16 * 1024 ** 3);
  assert.equal(stats.targetFrames, 5242880);
});

test('V1 (2.6.34–4.1 and /proc/vmmemctl): "current: N pages", rateNoSleepAlloc marks the layout', () => {
  assert.deepEqual(value(VMMEMCTL_V1), { targetFrames: 262144, currentFrames: 131072, layout: 'v1', resetting: false });
});

test('V2 (4.2, RHEL 7): capabilities, no "is resetting"', () => {
  assert.deepEqual(value(VMMEMCTL_V2), { targetFrames: 131072, currentFrames: 131072, layout: 'v2', resetting: false });
});

test('V3 (4.3–4.19) and V3b (no rateSleepAlloc) read alike; "is resetting: y" is kept', () => {
  assert.deepEqual(value(VMMEMCTL_V3), { targetFrames: 262144, currentFrames: 262144, layout: 'v3', resetting: false });
  assert.deepEqual(value(VMMEMCTL_V3B), { targetFrames: 262144, currentFrames: 262144, layout: 'v3', resetting: true });
});

test('the awk \'{print $2}\' trap: V4 keeps the value in the third field, the parser still reads it', () => {
  const currentLine = VMMEMCTL_V4_SEED.split('\n').find((line) => line.startsWith('current'));
  assert.equal(currentLine?.trim().split(/\s+/)[1], ':');
  assert.equal(value(VMMEMCTL_V4_SEED).currentFrames, 5242880);
});

test('CRLF line ends parse the same', () => {
  assert.deepEqual(value(VMMEMCTL_V4_SEED.replace(/\n/g, '\r\n')), value(VMMEMCTL_V4_SEED));
  assert.deepEqual(value(VMMEMCTL_V1.replace(/\n/g, '\r\n')), value(VMMEMCTL_V1));
});

test('a balloon of 0 (idle) is a known 0, not unknown', () => {
  const idle = VMMEMCTL_V4_SEED.replace(/^(current\s+:\s+)5242880$/m, '$1               0').replace(/^(target\s+:\s+)5242880$/m, '$1               0');
  assert.deepEqual(value(idle), { targetFrames: 0, currentFrames: 0, layout: 'v4', resetting: false });
});

test('refusals carry a reason and never a number', () => {
  assert.match(reason(''), /empty/);
  assert.match(reason('   \n\t\n'), /empty/);
  assert.match(reason('hello world\nthis is not vmmemctl\n'), /no "current" line/);
  assert.match(reason(VMMEMCTL_V4_SEED.replace(/^target\s+:\s+5242880\n/m, '')), /no "target" line|target line is malformed/);
  assert.match(reason(VMMEMCTL_V4_SEED.replace(/^(current\s+:\s+)5242880$/m, '$1-5242880')), /current line is malformed/);
  assert.match(reason(VMMEMCTL_V1.replace('131072 pages', '12a072 pages')), /current line is malformed/);
  assert.match(reason(VMMEMCTL_V4_SEED.replace(/^(current\s+:\s+)5242880$/m, `$1${'9'.repeat(30)}`)), /out of range/);
  assert.match(reason(`${VMMEMCTL_V4_SEED}\u0000\u0001\u0002`), /binary/);
  assert.match(reason(VMMEMCTL_V4_SEED.repeat(40_000)), /characters long/);
});

test('truncated mid-line: a cut-off current value is refused, not read as a smaller balloon', () => {
  for (const sample of [VMMEMCTL_V4_SEED, VMMEMCTL_V1, VMMEMCTL_V2, VMMEMCTL_V3]) {
    const at = sample.indexOf('current');
    const lineEnd = sample.indexOf('\n', at);
    for (let cut = at; cut < lineEnd; cut++) {
      const parsed = parseVmmemctl(sample.slice(0, cut));
      assert.equal(parsed.ok, false, `cut at ${cut - at} of the current line gave ${JSON.stringify(parsed)}`);
    }
  }
});

test('truncated before current or target: unknown', () => {
  assert.match(reason(VMMEMCTL_V4_SEED.slice(0, VMMEMCTL_V4_SEED.indexOf('target'))), /no "current" line/);
});

test('a repeated current line with another value is refused (two outputs mixed)', () => {
  const doubled = VMMEMCTL_V4_SEED.replace(/^(current\s+:\s+5242880)$/m, '$1\ncurrent               :          1048576');
  assert.equal(parseVmmemctl(doubled).ok, false);
});

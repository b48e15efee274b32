import assert from 'node:assert/strict';
import test from 'node:test';
import type { GuestFacts } from '../../src/core/facts';
import { MAX_PROBE_OUTPUT_CHARS, splitProbeOutput } from '../../src/core/sections';
import { computeTrend, MAX_TREND_SAMPLES, rememberSample, type Sample } from '../../src/core/trend';
import { formatBytes, GiB, KiB, MiB, percent } from '../../src/core/units';
import { MARKER, probeOutput } from '../helpers/samples';

// Edges of the small core modules (units, trend, the probe output splitter) that mutation testing found untested.

test('formatBytes: unknown for null, undefined, NaN and infinity (in English and Spanish); signs; unit boundaries', () => {
  for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(formatBytes(value), 'unknown', String(value));
    assert.equal(formatBytes(value, 'es'), 'desconocido', String(value));
  }
  assert.equal(formatBytes(-2 * GiB), '-2.0 GiB');
  assert.equal(formatBytes(-5), '-5 B');
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(KiB - 1), '1023 B');
  assert.equal(formatBytes(KiB), '1 KiB');
  assert.equal(formatBytes(3 * KiB), '3 KiB');
  assert.equal(formatBytes(MiB - KiB), '1023 KiB');
  assert.equal(formatBytes(MiB), '1 MiB');
  assert.equal(formatBytes(3 * MiB), '3 MiB');
  assert.equal(formatBytes(-3 * MiB), '-3 MiB');
  assert.equal(formatBytes(GiB), '1.0 GiB');
  assert.equal(formatBytes(20 * GiB, 'es'), '20,0 GiB');
  assert.equal(percent(1, 0), '?%');
  assert.equal(percent(1, 4), '25%');
  assert.equal(percent(1, 4, 'es'), '25 %');
});

const sample = (index: number, balloon: number | null, counters: Partial<GuestFacts['counters']> = {}): Sample => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
  facts: { balloon: { currentBytes: balloon }, counters: { pswpin: null, pswpout: null, pgmajfault: null, oomKill: null, ...counters } } as unknown as GuestFacts,
});

test('rememberSample: the first sample stays, the oldest after it go, never more than MAX_TREND_SAMPLES - 1', () => {
  const history: Sample[] = [];
  const all = Array.from({ length: MAX_TREND_SAMPLES + 10 }, (_, index) => sample(index, index));
  for (const [index, next] of all.entries()) {
    rememberSample(history, next);
    assert.equal(history.length, Math.min(index + 1, MAX_TREND_SAMPLES - 1), `after ${index + 1}`);
    assert.equal(history[0], all[0]);
    assert.equal(history[history.length - 1], next);
    if (index + 1 === MAX_TREND_SAMPLES - 1) assert.deepEqual(history, all.slice(0, MAX_TREND_SAMPLES - 1), 'at the limit nothing is dropped');
  }
  // 130 pushed: the first, then the newest 118.
  assert.deepEqual(history, [all[0], ...all.slice(all.length - (MAX_TREND_SAMPLES - 2))]);
});

test('computeTrend: a counter unknown in the last sample gives no rate (even from 0); an unknown balloon size gives no minimum', () => {
  const trend = computeTrend([sample(0, null, { pswpin: 0, pswpout: 5 }), sample(10, 2 * MiB, { pswpin: null, pswpout: 15 }), sample(20, MiB, { pswpin: null, pswpout: 25 })]);
  assert.equal(trend?.swapInPerSecond, null);
  assert.equal(trend?.swapOutPerSecond, 1);
  assert.equal(trend?.minBalloonBytes, null);
  assert.equal(trend?.balloonDeltaBytes, null);
  const known = computeTrend([sample(0, 3 * MiB), sample(10, MiB), sample(20, 2 * MiB)]);
  assert.equal(known?.minBalloonBytes, MiB);
});

const header = `BALLOON-INSPECTOR-PROBE 1 ${MARKER}`;

test('probe header: nothing may follow the marker, a stray carriage return inside is malformed, a long one is quoted cut at 80', () => {
  assert.equal(splitProbeOutput(`${header} extra\n\n${MARKER} meta ok\nx\n${MARKER} end\n`).ok, false);
  assert.equal(splitProbeOutput(`BALLOON-INSPECTOR-PROBE \r1 ${MARKER}\n\n${MARKER} meta ok\nx\n${MARKER} end\n`).ok, false);
  assert.equal(splitProbeOutput(`${header}\r\n\r\n${MARKER} meta ok\r\nx\r\n${MARKER} end\r\n`).ok, true, 'CRLF output is read');
  const long = `BALLOON-INSPECTOR-PROBE ${'9'.repeat(200)}`;
  const result = splitProbeOutput(`${long}\n`);
  assert.ok(!result.ok);
  assert.equal(result.reason, `malformed probe header: ${JSON.stringify(long.slice(0, 80))}`);
});

test('probe output size: exactly the cap is read, one character more is refused', () => {
  const base = probeOutput([['meta', 'ok', '', 'kernel=6.1.0\n'], ['dmi', 'ok', '', '']]);
  const at = base.replace('kernel=6.1.0\n', `kernel=6.1.0\n${'x'.repeat(MAX_PROBE_OUTPUT_CHARS - base.length)}`);
  assert.equal(at.length, MAX_PROBE_OUTPUT_CHARS);
  assert.equal(splitProbeOutput(at).ok, true);
  assert.equal(splitProbeOutput(`${at}x`).ok, false);
});

test('text before the header is not read, even lines that look like sections', () => {
  const result = splitProbeOutput(`junk\n${MARKER} dmi ok\nsys_vendor=Evil\n${probeOutput([['meta', 'ok', '', 'kernel=6.1.0\n']])}`);
  assert.ok(result.ok);
  assert.deepEqual([...result.output.sections.keys()], ['meta']);
});

test('the end marker counts without a final newline', () => {
  const result = splitProbeOutput(`${header}\n\n${MARKER} meta ok\nkernel=6.1.0\n${MARKER} end`);
  assert.ok(result.ok);
  assert.equal(result.output.complete, true);
  assert.equal(result.output.sections.get('meta')?.status, 'ok');
});

test('section ids: lower-case letters, digits and dashes, 1 to 40 of them; anything else is skipped; details trimmed', () => {
  const result = splitProbeOutput(probeOutput([
    ['meta', 'ok', '', 'kernel=6.1.0\n'], ['Meminfo', 'ok', '', 'x\n'], ['bad_id', 'ok', '', 'x\n'], [`x${'a'.repeat(40)}`, 'ok', '', 'x\n'], ['a'.repeat(40), 'ok', '', 'y\n'],
    ['toolbox-swap', 'error', ' exit 75 ', 'x\n'],
  ]));
  assert.ok(result.ok);
  assert.deepEqual([...result.output.sections.keys()], ['meta', 'a'.repeat(40), 'toolbox-swap']);
  assert.equal(result.output.sections.get('toolbox-swap')?.detail, 'exit 75');
});

import assert from 'node:assert/strict';
import test from 'node:test';
import { computeTrend, type Sample } from '../../src/core/trend';
import { GiB, MiB } from '../../src/core/units';
import { buildFacts } from '../helpers/facts-builder';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));
const sample = (seconds: number, balloonBytes: number | null, counters: { pswpin?: number | null; pswpout?: number | null; pgmajfault?: number | null; oomKill?: number | null } = {}): Sample => ({
  at: at(seconds),
  facts: buildFacts({ balloon: { currentBytes: balloonBytes }, counters: { pswpin: 0, pswpout: 0, pgmajfault: 0, oomKill: 0, ...counters } }),
});

test('one sample is no trend', () => {
  assert.equal(computeTrend([]), undefined);
  assert.equal(computeTrend([sample(0, GiB)]), undefined);
});

test('inflating: first to last, with rates per second', () => {
  const trend = computeTrend([
    sample(0, GiB, { pswpin: 100, pswpout: 1000, pgmajfault: 50, oomKill: 1 }),
    sample(30, 1.5 * GiB, { pswpin: 150, pswpout: 1600, pgmajfault: 80, oomKill: 1 }),
    sample(60, 2 * GiB, { pswpin: 220, pswpout: 2200, pgmajfault: 110, oomKill: 3 }),
  ]);
  assert.deepEqual(trend, {
    samples: 3, seconds: 60, firstBalloonBytes: GiB, lastBalloonBytes: 2 * GiB, balloonDeltaBytes: GiB, minBalloonBytes: GiB, direction: 'inflating',
    swapInPerSecond: 2, swapOutPerSecond: 20, majorFaultsPerSecond: 1, oomKillsDelta: 2,
  });
});

test('deflating and steady, with a 4 MiB dead band', () => {
  assert.equal(computeTrend([sample(0, 2 * GiB), sample(10, GiB)])?.direction, 'deflating');
  assert.equal(computeTrend([sample(0, GiB), sample(10, GiB + 4 * MiB)])?.direction, 'steady');
  assert.equal(computeTrend([sample(0, GiB), sample(10, GiB - 4 * MiB)])?.direction, 'steady');
  assert.equal(computeTrend([sample(0, GiB), sample(10, GiB + 4 * MiB + 4096)])?.direction, 'inflating');
  assert.equal(computeTrend([sample(0, 0), sample(10, 0)])?.direction, 'steady');
});

test('an unknown balloon at either end: delta null, direction unknown', () => {
  const trend = computeTrend([sample(0, null), sample(10, GiB)]);
  assert.equal(trend?.balloonDeltaBytes, null);
  assert.equal(trend?.direction, 'unknown');
  assert.equal(computeTrend([sample(0, GiB), sample(10, null)])?.direction, 'unknown');
});

test('a counter reset (reboot between samples) gives null, never a negative rate', () => {
  const trend = computeTrend([
    sample(0, GiB, { pswpin: 5000, pswpout: 9000, pgmajfault: 777, oomKill: 4 }),
    sample(60, GiB, { pswpin: 10, pswpout: 20, pgmajfault: 3, oomKill: 0 }),
  ]);
  assert.equal(trend?.swapInPerSecond, null);
  assert.equal(trend?.swapOutPerSecond, null);
  assert.equal(trend?.majorFaultsPerSecond, null);
  assert.equal(trend?.oomKillsDelta, null);
});

test('unknown counters give null rates', () => {
  const trend = computeTrend([sample(0, GiB, { pswpin: null }), sample(60, GiB, { pswpin: 100 })]);
  assert.equal(trend?.swapInPerSecond, null);
  assert.equal(trend?.swapOutPerSecond, 0);
});

test('samples at the same instant or out of order never give an infinite or negative duration', () => {
  for (const trend of [computeTrend([sample(10, GiB, { pswpout: 0 }), sample(10, GiB, { pswpout: 5 })]), computeTrend([sample(60, GiB, { pswpout: 0 }), sample(0, GiB, { pswpout: 5 })])]) {
    assert.ok(trend);
    assert.ok(trend.seconds > 0);
    assert.ok(Number.isFinite(trend.swapOutPerSecond));
    assert.ok((trend.swapOutPerSecond ?? 0) >= 0);
  }
});

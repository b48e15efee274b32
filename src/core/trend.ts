import type { GuestFacts } from './facts';

/** What changed between the first and last of several samples of one guest (watch mode). */
export interface Trend {
  samples: number;
  seconds: number;
  firstBalloonBytes: number | null;
  lastBalloonBytes: number | null;
  balloonDeltaBytes: number | null;
  direction: 'inflating' | 'deflating' | 'steady' | 'unknown';
  swapInPerSecond: number | null;
  swapOutPerSecond: number | null;
  majorFaultsPerSecond: number | null;
  oomKillsDelta: number | null;
}

export interface Sample { at: Date; facts: GuestFacts }

/** Balloon changes below this are noise (a few pages in flight). */
const STEADY_BYTES = 4 * 1024 * 1024;

export function computeTrend(samples: readonly Sample[]): Trend | undefined {
  if (samples.length < 2) return undefined;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = Math.max((last.at.getTime() - first.at.getTime()) / 1000, 0.001);
  const delta = (pick: (facts: GuestFacts) => number | null): number | null => {
    const a = pick(first.facts);
    const b = pick(last.facts);
    // Counters only grow; a drop means a reboot between samples.
    return a === null || b === null || b < a ? null : b - a;
  };
  const rate = (pick: (facts: GuestFacts) => number | null) => {
    const d = delta(pick);
    return d === null ? null : d / seconds;
  };
  const firstBalloon = first.facts.balloon.currentBytes;
  const lastBalloon = last.facts.balloon.currentBytes;
  const balloonDelta = firstBalloon === null || lastBalloon === null ? null : lastBalloon - firstBalloon;
  return {
    samples: samples.length,
    seconds,
    firstBalloonBytes: firstBalloon,
    lastBalloonBytes: lastBalloon,
    balloonDeltaBytes: balloonDelta,
    direction: balloonDelta === null ? 'unknown' : balloonDelta > STEADY_BYTES ? 'inflating' : balloonDelta < -STEADY_BYTES ? 'deflating' : 'steady',
    swapInPerSecond: rate((facts) => facts.counters.pswpin),
    swapOutPerSecond: rate((facts) => facts.counters.pswpout),
    majorFaultsPerSecond: rate((facts) => facts.counters.pgmajfault),
    oomKillsDelta: delta((facts) => facts.counters.oomKill),
  };
}

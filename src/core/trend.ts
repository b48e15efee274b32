import type { GuestFacts } from './facts';

/** What changed between the first and last of several samples of one guest (watch mode). */
export interface Trend {
  samples: number;
  seconds: number;
  firstBalloonBytes: number | null;
  lastBalloonBytes: number | null;
  balloonDeltaBytes: number | null;
  /** The smallest balloon of all samples; null when any sample could not read it. */
  minBalloonBytes?: number | null;
  direction: 'inflating' | 'deflating' | 'steady' | 'unknown';
  swapInPerSecond: number | null;
  swapOutPerSecond: number | null;
  majorFaultsPerSecond: number | null;
  oomKillsDelta: number | null;
}

export interface Sample { at: Date; facts: GuestFacts }

/**
 * Most samples one trend spans in watch mode. The trend compares the first sample with the last,
 * so the first is always kept and the oldest after it are dropped: memory stays bounded however
 * long `--watch` runs (about 5 KB a sample).
 */
export const MAX_TREND_SAMPLES = 120;

/** Adds a sample to a watch history, keeping the first one and at most MAX_TREND_SAMPLES - 1 in all (the next sample completes the trend). */
export function rememberSample(history: Sample[], sample: Sample): void {
  history.push(sample);
  const excess = history.length - (MAX_TREND_SAMPLES - 1);
  if (excess > 0) history.splice(1, excess);
}

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
  const sizes = samples.map((sample) => sample.facts.balloon.currentBytes);
  const minBalloon = sizes.some((size) => size === null) ? null : Math.min(...(sizes as number[]));
  return {
    samples: samples.length,
    seconds,
    firstBalloonBytes: firstBalloon,
    lastBalloonBytes: lastBalloon,
    balloonDeltaBytes: balloonDelta,
    minBalloonBytes: minBalloon,
    direction: balloonDelta === null ? 'unknown' : balloonDelta > STEADY_BYTES ? 'inflating' : balloonDelta < -STEADY_BYTES ? 'deflating' : 'steady',
    swapInPerSecond: rate((facts) => facts.counters.pswpin),
    swapOutPerSecond: rate((facts) => facts.counters.pswpout),
    majorFaultsPerSecond: rate((facts) => facts.counters.pgmajfault),
    oomKillsDelta: delta((facts) => facts.counters.oomKill),
  };
}

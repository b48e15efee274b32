/**
 * The findings' words, one catalog per language (en.ts, es.ts), both of type `RuleMessages`: TypeScript makes sure
 * every message exists in every language and takes the same parameters. Parameters are figures (bytes, counts,
 * seconds) and the guest's own names (sources, drivers, evidence lines, which stay as read); each catalog writes
 * the figures in its language (formatBytes(bytes, lang)), so every language states the same figures.
 */
import type { DeflateOnOom } from '../kernels';

export interface FindingText { title: string; detail: string }

/** A balloon reading and where it came from. */
export interface Reading { source: string; bytes: number }

/** Which of two disagreeing balloon sources to trust, and why. */
export type TrustHint =
  | { kind: 'witness'; source: string; residueBytes: number }
  | { kind: 'driver-over-toolbox'; source: string }
  | { kind: 'direct'; source: string };

/** Why memory no process owns may be the balloon, on a driver other than VMware's. */
export type UnaccountedWhy =
  | { kind: 'kernel-keeps'; driver: string | null; range: string | undefined; source: string | undefined }
  | { kind: 'unknown-kernel' }
  | { kind: 'none' };

/** Xen max_retry_count as the kernel table knows it. */
export type XenRetry = number | 'unlimited' | 'unknown' | null;

export interface RuleMessages {
  notVirtualized(p: { evidence: readonly string[] }): FindingText;
  checkedFromContainer(p: { hv: string; evidence: readonly string[] }): FindingText;
  balloonInflated(p: { hv: string; driver: string | null; balloon: number; configured: number | null; source: string | null; shrinksMemTotal: boolean | null }): FindingText;
  xenTargetNotReached(p: { target: number; current: number; retry: XenRetry }): FindingText;
  xenInflating(p: { current: number; target: number }): FindingText;
  balloonInflating(p: { balloon: number; target: number; source: string | null }): FindingText;
  balloonDeflating(p: { balloon: number; target: number }): FindingText;
  balloonGrew(p: { delta: number; seconds: number; samples: number; first: number | null; last: number | null }): FindingText;
  balloonShrank(p: { delta: number; seconds: number; samples: number; first: number | null; last: number | null }): FindingText;
  limitBelowConfigured(p: { limit: number; configured: number; gap: number; balloon: number | null }): FindingText;
  limitBeyondBalloonCap(p: { gap: number; cap: number }): FindingText;
  hostContention(p: { balloon: number }): FindingText;
  balloonNearCap(p: { balloon: number; max: number; reserved: number }): FindingText;
  hostSwapping(p: { swapped: number }): FindingText;
  balloonDriverMissing(p: { hv: string; unboundDevice: string | null; driverAvailable: boolean }): FindingText;
  vmwareToolsMissing(): FindingText;
  statsNeedRoot(p: { probes: readonly string[]; reason: string | null; sizeUnknown: boolean }): FindingText;
  balloonSourcesDisagree(p: { first: Reading; second: Reading; larger: number; oldAwk: boolean; trust: TrustHint }): FindingText;
  balloonLineDisagrees(p: { line: Reading; driver: Reading; driverKind: 'vmware' | 'virtio' | 'other' }): FindingText;
  unaccountedIsBalloon(p: { unaccounted: number; balloon: number }): FindingText;
  unaccountedProbablyBalloon(p: { unaccounted: number; configured: number | null; hv: string; why: UnaccountedWhy; notes: readonly string[] }): FindingText;
  unaccountedMaybeBalloon(p: { unaccounted: number; balloon: number; kernel: string | null }): FindingText;
  unaccountedNotBalloon(p: { unaccounted: number; balloonInUsed: number }): FindingText;
  noDeflateOnOom(p: { balloon: number; deflateOnOom: DeflateOnOom | null }): FindingText;
  guestMemoryPressure(p: {
    memory: { available: number; total: number; estimated: boolean } | null;
    psi: { someAvg60: number; fullAvg10: number } | null;
    balloon: number | null;
  }): FindingText;
  guestSwapping(p: { swapIn: number | null; swapOut: number | null; majorFaults: number | null; seconds: number; balloon: number | null }): FindingText;
  guestOomKills(p: { kills: number; duringWatch: boolean; balloon: number | null; deflateOnOom: DeflateOnOom | 'off' }): FindingText;
  noGuestSwap(): FindingText;
  memoryOffline(p: { offline: number; configured: number | null; source: string | null }): FindingText;
  balloonPersistent(p: { samples: number; min: number; seconds: number; configured: number | null }): FindingText;
  reservationInconsistent(p: { balloon: number; reserved: number; configured: number; max: number }): FindingText;
  memTotalShrunk(p: { shortfall: number; usable: number; total: number; balloon: number | null; explained: boolean }): FindingText;
}

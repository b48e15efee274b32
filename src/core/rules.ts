import type { Lang } from '../shared/i18n';
import type { BalloonMeasurement, GuestFacts } from './facts';
import { ruleMessages } from './messages';
import type { FindingText, RuleMessages, TrustHint } from './messages/types';
import { isVmwareBalloonDriver } from './parsers/drivers';
import type { Trend } from './trend';
import { MiB } from './units';

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface Finding {
  /** Stable id; the knowledge base has an article of the same id. */
  id: string;
  severity: Severity;
  title: string;
  /** The figures behind the finding, in plain words. */
  detail: string;
  /** Knowledge-base article ids that explain it, the finding's own first. */
  articles: string[];
}

/** Every finding id a rule can emit, with the concept articles it cites besides its own. */
export const FINDING_ARTICLES = {
  'balloon-inflated': ['what-is-ballooning'],
  'balloon-inflating': ['esxtop-memory-counters'],
  'balloon-deflating': ['what-is-ballooning'],
  'limit-below-configured': ['memory-limits-and-reservations'],
  'limit-beyond-balloon-cap': ['balloon-maximum-size', 'memory-limits-and-reservations'],
  'balloon-near-cap': ['balloon-maximum-size'],
  'host-contention': ['host-memory-states'],
  'host-swapping': ['host-memory-states', 'esxtop-memory-counters'],
  'balloon-driver-missing': ['what-is-ballooning'],
  'unaccounted-memory': ['reading-vmware-balloon-size'],
  'no-deflate-on-oom': ['kvm-virtio-balloon'],
  'guest-memory-pressure': ['guest-swap-and-oom'],
  'guest-swapping': ['guest-swap-and-oom'],
  'guest-oom-kills': ['guest-swap-and-oom'],
  'no-guest-swap': ['guest-swap-and-oom'],
  'balloon-sources-disagree': ['reading-vmware-balloon-size'],
  'stats-need-root': ['reading-vmware-balloon-size'],
  'vmware-tools-missing': ['reading-vmware-balloon-size'],
  'xen-target-not-reached': ['xen-balloon'],
  'checked-from-container': ['what-is-ballooning'],
  'not-virtualized': ['what-is-ballooning'],
  'memory-offline': [],
  'balloon-persistent': [],
  'reservation-inconsistent': [],
  'memtotal-shrunk': ['kernel-behaviour'],
  'balloon-line-disagrees': ['kernel-behaviour'],
} as const satisfies Record<string, readonly string[]>;

export type FindingId = keyof typeof FINDING_ARTICLES;
export const FINDING_IDS = Object.keys(FINDING_ARTICLES) as FindingId[];

/** ESXi's default Mem.CtlMaxPercent: the balloon may take at most 65 % of configured memory. */
export const DEFAULT_BALLOON_CAP = 0.65;

/** The hypervisor's own article, which some findings cite as well (exported for the knowledge-base tests). */
export const HYPERVISOR_ARTICLE: Record<string, string> = {
  vmware: 'vmware-balloon-driver', kvm: 'kvm-virtio-balloon', hyperv: 'hyperv-dynamic-memory', xen: 'xen-balloon',
};

/** A balloon or target change smaller than this is noise (one driver step, a reading taken mid-move). */
const SIGNIFICANT_CHANGE_BYTES = 16 * MiB;
/** VMware: a limit within this of configured memory is no limit (the balloon cannot tell them apart). */
const LIMIT_SLACK_BYTES = 64 * MiB;
/** A balloon holding this share of configured memory is critical (balloon-inflated). */
const CRITICAL_BALLOON_FRACTION = 0.3;
/** A limit gap of this share of configured memory is critical even with an empty balloon. */
const CRITICAL_LIMIT_GAP_FRACTION = 0.1;
/** balloon-near-cap: the balloon at this share of the most it can hold. */
const NEAR_CAP_FRACTION = 0.9;
/** Guest memory pressure: MemAvailable under these shares of MemTotal, PSI (percent of time stalled) at these levels. */
const LOW_AVAILABLE_FRACTION = 0.1;
const CRITICAL_AVAILABLE_FRACTION = 0.05;
const PSI_SOME_AVG60_STALLED = 10;
const PSI_FULL_AVG10_STALLED = 1;
const PSI_FULL_AVG60_CRITICAL = 5;
/** Unaccounted memory worth a finding: at least this much, and this share of MemTotal. */
const UNACCOUNTED_MIN_BYTES = 256 * MiB;
const UNACCOUNTED_MIN_FRACTION = 0.05;
/** memtotal-shrunk: MemTotal at least this far (and this share) below the online memory. */
const SHRUNK_MIN_BYTES = 512 * MiB;
const SHRUNK_MIN_FRACTION = 0.1;

/** Two balloon readings disagree when they differ by more than 64 MiB and 10 % of the larger. */
const disagreementTolerance = (a: number, b: number) => Math.max(64 * MiB, 0.1 * Math.max(a, b));
/** An amount of memory is the balloon's when within 256 MiB or 20 % of the balloon's size. */
const explainedByBalloon = (amount: number, balloon: number) => Math.abs(amount - balloon) <= Math.max(256 * MiB, 0.2 * balloon);

/** MemAvailable under 10 % of MemTotal, or PSI memory stalls (the guest-memory-pressure thresholds). */
function memoryShortage(facts: GuestFacts): { lowAvailable: boolean; stalled: boolean } {
  const { availableBytes: available, totalBytes: total } = facts.memory;
  const pressure = facts.pressure;
  return {
    lowAvailable: available !== null && total !== null && available < LOW_AVAILABLE_FRACTION * total,
    stalled: pressure !== null && (pressure.some.avg60 >= PSI_SOME_AVG60_STALLED || (pressure.full?.avg10 ?? 0) >= PSI_FULL_AVG10_STALLED),
  };
}

function guestShortOfMemory(facts: GuestFacts): boolean {
  const { lowAvailable, stalled } = memoryShortage(facts);
  return lowAvailable || stalled;
}

/** Sources that are the kernel's hypervisor-agnostic balloon counter rather than the driver's own figure. */
const isBalloonLine = (source: string) => source === '/proc/meminfo Balloon' || source === '/proc/vmstat nr_balloon_pages';

/** What every rule reads, worked out once, and where findings go. */
interface RuleContext {
  facts: GuestFacts;
  trend: Trend | undefined;
  findings: Finding[];
  hv: GuestFacts['hypervisor']['kind'];
  hvArticle: string[];
  balloon: number | null;
  configured: number | null;
  total: number | null;
  /** VMware memory limit in bytes; null = none or unknown. */
  limit: number | null;
  /** The findings' words in the report's language. */
  m: RuleMessages;
}

function add(c: RuleContext, id: FindingId, severity: Severity, text: FindingText, extra: string[] = []): void {
  const articles = [id, ...FINDING_ARTICLES[id], ...extra].filter((article, index, all) => all.indexOf(article) === index);
  c.findings.push({ id, severity, title: text.title, detail: text.detail, articles });
}

/** The limit leaves a gap below configured memory (limit-below-configured, no-guest-swap). */
const limitBelowConfigured = (c: RuleContext) => c.limit !== null && c.configured !== null && c.limit < c.configured - LIMIT_SLACK_BYTES;

/** How bad a balloon of this size is (balloon-inflated's scale). */
function inflatedSeverity(c: RuleContext, bytes: number): Severity {
  // A Xen domain below its maximum is usually the admin's own mem-set (info), unless the guest is short of memory.
  if (c.hv === 'xen') return guestShortOfMemory(c.facts) ? 'warning' : 'info';
  return c.configured && bytes >= CRITICAL_BALLOON_FRACTION * c.configured ? 'critical' : 'warning';
}

/** The most a VMware balloon can hold: 65 % of configured memory, and never reserved memory. */
const vmwareBalloonMax = (configured: number, reserved: number) => Math.min(DEFAULT_BALLOON_CAP * configured, configured - reserved);

function platformRules(c: RuleContext): void {
  const { facts, hv } = c;
  if (hv === 'none') {
    add(c, 'not-virtualized', 'info', c.m.notVirtualized({ evidence: facts.hypervisor.evidence }));
  }
  if (facts.container.inside && hv !== 'none') {
    add(c, 'checked-from-container', 'info', c.m.checkedFromContainer({ hv, evidence: facts.container.evidence }));
  }
}

/** The balloon itself: its size, and whether it is moving. */
function balloonRules(c: RuleContext): void {
  const { facts, hv, balloon, hvArticle } = c;
  if (balloon !== null && balloon > 0) {
    add(c, 'balloon-inflated', inflatedSeverity(c, balloon), c.m.balloonInflated({
      hv, driver: facts.balloon.driver, balloon, configured: c.configured, source: facts.balloon.source, shrinksMemTotal: facts.balloon.shrinksMemTotal,
    }), hvArticle);
  }
  const target = facts.balloon.targetBytes;
  // Xen's target is a memory size, not a balloon size: compare it with current_kb, whatever the balloon reads.
  if (facts.balloon.driver === 'xen_balloon' && target !== null) {
    const current = facts.xen?.currentBytes ?? null;
    if (current !== null && current < target - SIGNIFICANT_CHANGE_BYTES) {
      add(c, 'xen-target-not-reached', 'warning', c.m.xenTargetNotReached({ target, current, retry: facts.kernel?.behaviour?.xenMaxRetry?.value ?? null }), hvArticle);
    } else if (current !== null && current > target + SIGNIFICANT_CHANGE_BYTES) {
      add(c, 'balloon-inflating', 'warning', c.m.xenInflating({ current, target }), hvArticle);
    }
  } else if (balloon !== null && target !== null && Math.abs(target - balloon) >= SIGNIFICANT_CHANGE_BYTES) {
    if (target > balloon) {
      add(c, 'balloon-inflating', 'warning', c.m.balloonInflating({ balloon, target, source: facts.balloon.source }), hvArticle);
    } else {
      add(c, 'balloon-deflating', 'info', c.m.balloonDeflating({ balloon, target }), hvArticle);
    }
  }
  balloonTrendRule(c);
}

/** Watch mode: the balloon moved between samples (when the target did not say so already). */
function balloonTrendRule(c: RuleContext): void {
  const { trend, hvArticle } = c;
  if (!trend || trend.balloonDeltaBytes === null || Math.abs(trend.balloonDeltaBytes) < SIGNIFICANT_CHANGE_BYTES) return;
  if (c.findings.some((f) => f.id === 'balloon-inflating' || f.id === 'balloon-deflating')) return;
  const moved = { seconds: trend.seconds, samples: trend.samples, first: trend.firstBalloonBytes, last: trend.lastBalloonBytes };
  if (trend.balloonDeltaBytes > 0) {
    add(c, 'balloon-inflating', 'warning', c.m.balloonGrew({ delta: trend.balloonDeltaBytes, ...moved }), hvArticle);
  } else {
    add(c, 'balloon-deflating', 'info', c.m.balloonShrank({ delta: -trend.balloonDeltaBytes, ...moved }), hvArticle);
  }
}

/** VMware limits, reservation, host swap. */
function vmwareRules(c: RuleContext): void {
  const { facts, hv, balloon, configured, limit } = c;
  const vm = facts.vmware;
  if (hv === 'vmware' && limit !== null && configured !== null && limitBelowConfigured(c)) {
    const gap = configured - limit;
    const severity = (balloon ?? 0) > 0 || gap >= CRITICAL_LIMIT_GAP_FRACTION * configured ? 'critical' : 'warning';
    add(c, 'limit-below-configured', severity, c.m.limitBelowConfigured({ limit, configured, gap, balloon }));
    const cap = DEFAULT_BALLOON_CAP * configured;
    if (gap > cap) {
      add(c, 'limit-beyond-balloon-cap', 'critical', c.m.limitBeyondBalloonCap({ gap, cap }));
    }
  }
  // A memlimit at or above configured memory (or 4294967295) means no limit.
  const noLimit = vm.limitKnown && (limit === null || (configured !== null && limit >= configured - LIMIT_SLACK_BYTES));
  if (hv === 'vmware' && balloon !== null && balloon > 0 && noLimit) {
    add(c, 'host-contention', 'warning', c.m.hostContention({ balloon }));
  }
  if (hv === 'vmware' && balloon !== null && configured !== null) {
    const reserved = (vm.reservationMiB ?? 0) * MiB;
    const maxBalloon = vmwareBalloonMax(configured, reserved);
    if (maxBalloon > 0 && balloon >= NEAR_CAP_FRACTION * maxBalloon) {
      add(c, 'balloon-near-cap', 'warning', c.m.balloonNearCap({ balloon, max: maxBalloon, reserved }));
    }
  }
  if (vm.swappedMiB !== null && vm.swappedMiB > 0) {
    add(c, 'host-swapping', 'critical', c.m.hostSwapping({ swapped: vm.swappedMiB * MiB }));
  }
}

/** Driver and tools: what is missing, and what needs root. */
function driverRules(c: RuleContext): void {
  const { facts, hv, balloon, hvArticle } = c;
  const virtioDeviceUnbound = facts.virtio.balloonDevice !== null && !facts.virtio.bound;
  if ((hv === 'vmware' || hv === 'hyperv' || hv === 'xen') && !facts.balloon.loaded || virtioDeviceUnbound) {
    add(c, 'balloon-driver-missing', hv === 'hyperv' ? 'info' : 'warning', c.m.balloonDriverMissing({
      hv, unboundDevice: virtioDeviceUnbound ? facts.virtio.balloonDevice : null, driverAvailable: !!facts.virtio.driverAvailable,
    }), hvArticle);
  }
  if (hv === 'vmware' && !facts.vmware.toolsInstalled) {
    add(c, 'vmware-tools-missing', 'info', c.m.vmwareToolsMissing());
  }
  const debugfsProbe = facts.probes.find((probe) => probe.id === 'debugfs-vmmemctl' || probe.id === 'debugfs-hv-balloon');
  // Before Linux 6.0 there is no hv-balloon file to read, root or not (d180e0a1be6c).
  const hvFileExists = facts.kernel?.behaviour?.driver !== 'hv_balloon' || facts.kernel.behaviour.sources.find((source) => source.id === 'hv-debugfs')?.available !== 'no';
  const needsRoot = facts.probes.filter((probe) => probe.status === 'denied' && ((probe.id === 'debugfs-vmmemctl' && hv === 'vmware') || (probe.id === 'debugfs-hv-balloon' && hv === 'hyperv' && hvFileExists)));
  if (needsRoot.length && debugfsProbe) {
    const noSize = balloon === null;
    add(c, 'stats-need-root', noSize ? 'warning' : 'info', c.m.statsNeedRoot({ probes: needsRoot.map((probe) => probe.id), reason: needsRoot[0].detail ?? null, sizeUnknown: noSize }), hvArticle);
  }
}

/** The driver's own sources against each other (the Balloon: line is cross-checked by balloonLineRule instead). */
function sourcesDisagreeRule(c: RuleContext, own: BalloonMeasurement[]): void {
  const { facts, hvArticle } = c;
  if (own.length < 2) return;
  const [first, second] = own;
  if (Math.abs(first.bytes - second.bytes) <= disagreementTolerance(first.bytes, second.bytes)) return;
  const larger = first.bytes >= second.bytes ? first : second;
  // Which to trust: on drivers whose pages stay in "used" memory, the unexplained residue is an independent witness.
  const residue = facts.memory.unaccountedBytes;
  const witness = facts.balloon.shrinksMemTotal === false && residue !== null
    ? [first, second].find((m) => explainedByBalloon(residue, m.bytes) && m.bytes > 0) : undefined;
  const trust: TrustHint = witness && residue !== null
    ? { kind: 'witness', source: witness.source, residueBytes: residue }
    : first.source.includes('vmmemctl') && second.source.startsWith('vmware-toolbox-cmd')
      ? { kind: 'driver-over-toolbox', source: first.source }
      : { kind: 'direct', source: first.source };
  add(c, 'balloon-sources-disagree', inflatedSeverity(c, larger.bytes), c.m.balloonSourcesDisagree({
    first, second, larger: larger.bytes, oldAwk: facts.vmware.debugfsLayout === 'v4', trust,
  }), hvArticle);
}

/** Balloon: / nr_balloon_pages (Linux 6.15) against the driver's own figure. */
function balloonLineRule(c: RuleContext, driverFigure: BalloonMeasurement | null): void {
  const { facts, hvArticle } = c;
  const lineBytes = facts.memory.balloonLineBytes ?? (facts.counters.nrBalloonPages !== null && facts.kernel?.pageSizeBytes ? facts.counters.nrBalloonPages * facts.kernel.pageSizeBytes : null);
  if (lineBytes === null || driverFigure === null) return;
  const tolerance = disagreementTolerance(lineBytes, driverFigure.bytes);
  const vmw = isVmwareBalloonDriver(facts.balloon.driver);
  // vmw_balloon's 2 MiB pages bypass balloon_compaction: on VMware the line may only fall short, never exceed.
  const disagrees = vmw ? lineBytes > driverFigure.bytes + tolerance : Math.abs(lineBytes - driverFigure.bytes) > tolerance;
  if (!disagrees) return;
  add(c, 'balloon-line-disagrees', 'info', c.m.balloonLineDisagrees({
    line: { source: facts.memory.balloonLineBytes !== null ? '/proc/meminfo Balloon' : '/proc/vmstat nr_balloon_pages', bytes: lineBytes },
    driver: { source: driverFigure.source, bytes: driverFigure.bytes },
    driverKind: vmw ? 'vmware' : facts.balloon.driver === 'virtio_balloon' ? 'virtio' : 'other',
  }), hvArticle);
}

function crossCheckRules(c: RuleContext): void {
  const own = c.facts.balloon.measurements.filter((m) => !isBalloonLine(m.source));
  sourcesDisagreeRule(c, own);
  balloonLineRule(c, own[0] ?? null);
}

/** Memory that no one accounts for (Red Hat 43729). */
function unaccountedRule(c: RuleContext): void {
  const { facts, hv, balloon, total, hvArticle } = c;
  const unaccounted = facts.memory.unaccountedBytes;
  if (unaccounted === null || total === null || unaccounted < Math.max(UNACCOUNTED_MIN_BYTES, UNACCOUNTED_MIN_FRACTION * total)) return;
  const balloonInUsed = facts.balloon.shrinksMemTotal === false ? balloon : null;
  if (balloonInUsed !== null && balloonInUsed > 0 && explainedByBalloon(unaccounted, balloonInUsed)) {
    add(c, 'unaccounted-memory', 'info', c.m.unaccountedIsBalloon({ unaccounted, balloon: balloonInUsed }), hvArticle);
  } else if (balloon === null && (hv === 'vmware' || (facts.balloon.loaded && facts.balloon.shrinksMemTotal !== true))) {
    // Hyper-V before 5.11 keeps ballooned pages in MemTotal (d1df458cbfdb), exactly like VMware.
    const memTotal = facts.kernel?.behaviour?.memTotal;
    const why = facts.balloon.shrinksMemTotal === false && hv !== 'vmware' ? { kind: 'kernel-keeps' as const, driver: facts.balloon.driver, range: memTotal?.range, source: memTotal?.source }
      : facts.balloon.shrinksMemTotal === null && hv !== 'vmware' ? { kind: 'unknown-kernel' as const } : { kind: 'none' as const };
    add(c, 'unaccounted-memory', 'warning', c.m.unaccountedProbablyBalloon({ unaccounted, configured: c.configured, hv, why, notes: facts.balloon.notes ?? [] }), hvArticle);
  } else if (balloon !== null && balloon > 0 && facts.balloon.shrinksMemTotal === null) {
    add(c, 'unaccounted-memory', 'warning', c.m.unaccountedMaybeBalloon({ unaccounted, balloon, kernel: facts.meta.kernel }), hvArticle);
  } else {
    add(c, 'unaccounted-memory', 'warning', c.m.unaccountedNotBalloon({ unaccounted, balloonInUsed: balloonInUsed ?? 0 }));
  }
}

/** KVM: a virtio balloon that will not deflate when the guest runs out. */
function deflateOnOomRule(c: RuleContext): void {
  const { facts, balloon, hvArticle } = c;
  const features = facts.virtio.features;
  if (facts.balloon.driver === 'virtio_balloon' && features && !features.deflateOnOom && balloon !== null && balloon > 0) {
    add(c, 'no-deflate-on-oom', (facts.counters.oomKill ?? 0) > 0 ? 'critical' : 'warning',
      c.m.noDeflateOnOom({ balloon, deflateOnOom: facts.kernel?.behaviour?.deflateOnOom?.value ?? null }), hvArticle);
  }
}

/** Guest pressure, swap, OOM. */
function guestPressureRules(c: RuleContext): void {
  const { facts, trend, balloon, total } = c;
  const available = facts.memory.availableBytes;
  const pressure = facts.pressure;
  const { lowAvailable, stalled } = memoryShortage(facts);
  if (lowAvailable || stalled) {
    const critical = (available !== null && total !== null && available < CRITICAL_AVAILABLE_FRACTION * total) || (pressure?.full?.avg60 ?? 0) >= PSI_FULL_AVG60_CRITICAL;
    add(c, 'guest-memory-pressure', critical ? 'critical' : 'warning', c.m.guestMemoryPressure({
      memory: available !== null && total !== null ? { available, total, estimated: !!facts.memory.availableSource?.startsWith('estimate') } : null,
      psi: pressure ? { someAvg60: pressure.some.avg60, fullAvg10: pressure.full?.avg10 ?? 0 } : null,
      balloon,
    }));
  }
  if (trend && ((trend.swapInPerSecond ?? 0) > 0 || (trend.swapOutPerSecond ?? 0) > 0) && (balloon ?? 0) > 0) {
    // Critical when the paging stalls whole tasks (PSI memory "full").
    add(c, 'guest-swapping', (facts.pressure?.full?.avg60 ?? 0) > 0 ? 'critical' : 'warning', c.m.guestSwapping({
      swapIn: trend.swapInPerSecond ?? null, swapOut: trend.swapOutPerSecond ?? null, majorFaults: trend.majorFaultsPerSecond ?? null, seconds: trend.seconds, balloon,
    }));
  }
  const oomKills = trend?.oomKillsDelta ?? facts.counters.oomKill;
  if (oomKills !== null && oomKills > 0 && (balloon ?? 0) > 0) {
    const deflating = facts.balloon.driver === 'virtio_balloon' && facts.virtio.features?.deflateOnOom;
    add(c, 'guest-oom-kills', 'critical', c.m.guestOomKills({
      kills: oomKills, duringWatch: !!trend, balloon, deflateOnOom: deflating ? facts.kernel?.behaviour?.deflateOnOom?.value ?? 'unknown' : 'off',
    }));
  }
  if (facts.memory.swapTotalBytes === 0 && facts.balloon.loaded && ((balloon ?? 0) > 0 || limitBelowConfigured(c))) {
    const critical = (balloon ?? 0) > 0 && lowAvailable;
    add(c, 'no-guest-swap', critical ? 'critical' : 'warning', c.m.noGuestSwap());
  }
}

/** Hot-added memory that was never onlined: the host gave it, the guest does not use it. */
function offlineMemoryRule(c: RuleContext): void {
  const offline = c.facts.memory.offlineBytes ?? 0;
  if (offline > 0) {
    add(c, 'memory-offline', 'warning', c.m.memoryOffline({ offline, configured: c.configured, source: c.facts.memory.configuredSource }));
  }
}

/** A balloon that never deflated across the watch or the history: chronic reclamation, not a passing peak. */
function persistentBalloonRule(c: RuleContext): void {
  const { trend } = c;
  if (trend && trend.samples >= 3 && (trend.minBalloonBytes ?? 0) >= SIGNIFICANT_CHANGE_BYTES) {
    add(c, 'balloon-persistent', 'warning', c.m.balloonPersistent({
      samples: trend.samples, min: trend.minBalloonBytes as number, seconds: trend.seconds, configured: c.configured,
    }), c.hvArticle);
  }
}

/** VMware reservation: the balloon cannot take reserved memory (maximum = min(cap, configured − reservation)). */
function reservationRule(c: RuleContext): void {
  const { hv, balloon, configured } = c;
  const reservationMiB = c.facts.vmware.reservationMiB ?? 0;
  if (hv !== 'vmware' || balloon === null || configured === null || reservationMiB <= 0) return;
  const reserved = reservationMiB * MiB;
  if (balloon > configured - reserved + LIMIT_SLACK_BYTES) {
    add(c, 'reservation-inconsistent', 'warning', c.m.reservationInconsistent({ balloon, reserved, configured, max: vmwareBalloonMax(configured, reserved) }));
  }
}

/** virtio without deflate-on-oom: MemTotal shows a smaller machine than the host configured. */
function memTotalShrunkRule(c: RuleContext): void {
  const { facts, balloon, total } = c;
  const usable = facts.memory.onlineBytes ?? c.configured;
  if (facts.balloon.driver !== 'virtio_balloon' || facts.balloon.shrinksMemTotal !== true || usable === null || total === null ||
      !(facts.memory.configuredSource ?? '').includes('memory blocks')) return;
  const shortfall = usable - total;
  if (shortfall < Math.max(SHRUNK_MIN_BYTES, SHRUNK_MIN_FRACTION * usable)) return;
  const explained = balloon !== null && balloon > 0 && explainedByBalloon(shortfall, balloon);
  add(c, 'memtotal-shrunk', explained ? 'info' : 'warning', c.m.memTotalShrunk({ shortfall, usable, total, balloon, explained }), c.hvArticle);
}

/** The rule groups in the order their findings are listed within one severity. */
const RULE_GROUPS: readonly ((c: RuleContext) => void)[] = [
  platformRules, balloonRules, vmwareRules, driverRules, crossCheckRules, unaccountedRule, deflateOnOomRule,
  guestPressureRules, offlineMemoryRule, persistentBalloonRule, reservationRule, memTotalShrunkRule,
];

/**
 * Turns facts (and, in watch mode, a trend) into findings, worst first, worded in `lang` (English by default:
 * the JSON report's words). Every language gives the same ids, severities, articles and figures.
 */
export function diagnose(facts: GuestFacts, trend?: Trend, lang: Lang = 'en'): Finding[] {
  const hv = facts.hypervisor.kind;
  const limitMiB = facts.vmware.limitMiB;
  const context: RuleContext = {
    facts, trend, findings: [], hv,
    hvArticle: HYPERVISOR_ARTICLE[hv] ? [HYPERVISOR_ARTICLE[hv]] : [],
    balloon: facts.balloon.currentBytes,
    configured: facts.memory.configuredBytes,
    total: facts.memory.totalBytes,
    limit: limitMiB !== null ? limitMiB * MiB : null,
    m: ruleMessages(lang),
  };
  for (const group of RULE_GROUPS) group(context);
  return context.findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const finding of findings) if (!worst || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[worst]) worst = finding.severity;
  return worst;
}

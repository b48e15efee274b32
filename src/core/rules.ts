import { hypervisorPhrase } from '../shared/presentation';
import type { BalloonMeasurement, GuestFacts } from './facts';
import { isVmwareBalloonDriver } from './parsers/drivers';
import { deflateOnOomWording } from './kernels';
import type { Trend } from './trend';
import { formatBytes, MiB, percent } from './units';

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
}

function add(c: RuleContext, id: FindingId, severity: Severity, title: string, detail: string, extra: string[] = []): void {
  const articles = [id, ...FINDING_ARTICLES[id], ...extra].filter((article, index, all) => all.indexOf(article) === index);
  c.findings.push({ id, severity, title, detail, articles });
}

const ofConfigured = (c: RuleContext, bytes: number) => (c.configured ? ` (${percent(bytes, c.configured)} of the ${formatBytes(c.configured)} configured)` : '');

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
    add(c, 'not-virtualized', 'info', 'Not a virtual machine: no balloon can take memory here',
      `No hypervisor was found (${facts.hypervisor.evidence.join('; ') || 'no signal'}).`);
  }
  if (facts.container.inside && hv !== 'none') {
    add(c, 'checked-from-container', 'info', `Checked from inside a container on ${hypervisorPhrase(hv)}`,
      `${facts.container.evidence.join('; ')}. The balloon and memory figures are those of the whole VM, which the container shares.`);
  }
}

/** The balloon itself: its size, and whether it is moving. */
function balloonRules(c: RuleContext): void {
  const { facts, hv, balloon, hvArticle } = c;
  if (balloon !== null && balloon > 0) {
    add(c, 'balloon-inflated', inflatedSeverity(c, balloon), `The ${hypervisorPhrase(hv)} balloon holds ${formatBytes(balloon)}${ofConfigured(c, balloon)}`,
      `The ${facts.balloon.driver ?? 'balloon'} driver has taken ${formatBytes(balloon)} away from this guest (source: ${facts.balloon.source}).` +
      (facts.balloon.shrinksMemTotal === false ? ' These pages count as "used" memory that no process owns.' : facts.balloon.shrinksMemTotal ? ' These pages are no longer part of MemTotal.' : ''),
      hvArticle);
  }
  const target = facts.balloon.targetBytes;
  // Xen's target is a memory size, not a balloon size: compare it with current_kb, whatever the balloon reads.
  if (facts.balloon.driver === 'xen_balloon' && target !== null) {
    const current = facts.xen?.currentBytes ?? null;
    if (current !== null && current < target - SIGNIFICANT_CHANGE_BYTES) {
      add(c, 'xen-target-not-reached', 'warning', 'Xen could not give this domain all the memory it should have',
        `target_kb says ${formatBytes(target)}, but the domain holds ${formatBytes(current)}: the host could not populate ${formatBytes(target - current)}. ${xenRetryNote(facts)}`, hvArticle);
    } else if (current !== null && current > target + SIGNIFICANT_CHANGE_BYTES) {
      add(c, 'balloon-inflating', 'warning', 'The Xen balloon is inflating now',
        `The domain holds ${formatBytes(current)} and is being shrunk to ${formatBytes(target)}.`, hvArticle);
    }
  } else if (balloon !== null && target !== null && Math.abs(target - balloon) >= SIGNIFICANT_CHANGE_BYTES) {
    if (target > balloon) {
      add(c, 'balloon-inflating', 'warning', `The balloon is inflating: the host wants ${formatBytes(target - balloon)} more`,
        `Balloon now ${formatBytes(balloon)}, target ${formatBytes(target)} (source: ${facts.balloon.source}).`, hvArticle);
    } else {
      add(c, 'balloon-deflating', 'info', `The balloon is deflating: the host is giving back ${formatBytes(balloon - target)}`,
        `Balloon now ${formatBytes(balloon)}, target ${formatBytes(target)}.`, hvArticle);
    }
  }
  balloonTrendRule(c);
}

/** Watch mode: the balloon moved between samples (when the target did not say so already). */
function balloonTrendRule(c: RuleContext): void {
  const { trend, hvArticle } = c;
  if (!trend || trend.balloonDeltaBytes === null || Math.abs(trend.balloonDeltaBytes) < SIGNIFICANT_CHANGE_BYTES) return;
  if (c.findings.some((f) => f.id === 'balloon-inflating' || f.id === 'balloon-deflating')) return;
  const across = `Across ${trend.samples} samples the balloon went from ${formatBytes(trend.firstBalloonBytes)} to ${formatBytes(trend.lastBalloonBytes)}.`;
  if (trend.balloonDeltaBytes > 0) {
    add(c, 'balloon-inflating', 'warning', `The balloon grew by ${formatBytes(trend.balloonDeltaBytes)} in ${Math.round(trend.seconds)} s`, across, hvArticle);
  } else {
    add(c, 'balloon-deflating', 'info', `The balloon shrank by ${formatBytes(-trend.balloonDeltaBytes)} in ${Math.round(trend.seconds)} s`, across, hvArticle);
  }
}

/** VMware limits, reservation, host swap. */
function vmwareRules(c: RuleContext): void {
  const { facts, hv, balloon, configured, limit } = c;
  const vm = facts.vmware;
  if (hv === 'vmware' && limit !== null && configured !== null && limitBelowConfigured(c)) {
    const gap = configured - limit;
    const severity = (balloon ?? 0) > 0 || gap >= CRITICAL_LIMIT_GAP_FRACTION * configured ? 'critical' : 'warning';
    add(c, 'limit-below-configured', severity, `Memory limit ${formatBytes(limit)} is below the ${formatBytes(configured)} configured`,
      `The host never backs more than ${formatBytes(limit)} of this VM, so about ${formatBytes(gap)} is reclaimed for good — by the balloon first, ` +
      `then by compression and host swapping — even when the host has memory to spare. The guest cannot see the limit; ` +
      `vmware-toolbox-cmd stat memlimit reports it. Balloon now: ${formatBytes(balloon)}.`);
    const cap = DEFAULT_BALLOON_CAP * configured;
    if (gap > cap) {
      add(c, 'limit-beyond-balloon-cap', 'critical', `The limit takes more than the balloon can hold: ${formatBytes(gap - cap)} must be host-swapped or compressed`,
        `The limit gap is ${formatBytes(gap)}, but by default the balloon stops at 65% of configured memory (${formatBytes(cap)}, Mem.CtlMaxPercent). ` +
        'The rest is compressed or swapped by the hypervisor, which is far slower than guest paging.');
    }
  }
  // A memlimit at or above configured memory (or 4294967295) means no limit.
  const noLimit = vm.limitKnown && (limit === null || (configured !== null && limit >= configured - LIMIT_SLACK_BYTES));
  if (hv === 'vmware' && balloon !== null && balloon > 0 && noLimit) {
    add(c, 'host-contention', 'warning', 'The balloon is active without a VM memory limit: the host or resource pool is short of memory',
      `No per-VM limit below the configured memory is set, yet the balloon holds ${formatBytes(balloon)}. The ESXi host is in its "soft" memory state or lower, or a resource-pool limit caps this VM's pool. Ask the vSphere admin for the host's memory state and the pool's limits.`);
  }
  if (hv === 'vmware' && balloon !== null && configured !== null) {
    const reserved = (vm.reservationMiB ?? 0) * MiB;
    const maxBalloon = vmwareBalloonMax(configured, reserved);
    if (maxBalloon > 0 && balloon >= NEAR_CAP_FRACTION * maxBalloon) {
      add(c, 'balloon-near-cap', 'warning', `The balloon is at ${percent(balloon, maxBalloon)} of its maximum size`,
        `Balloon ${formatBytes(balloon)}; it can hold at most ${formatBytes(maxBalloon)} (65% of configured${reserved ? `, less the ${formatBytes(reserved)} reservation` : ''}). Further pressure goes to host compression and swapping.`);
    }
  }
  if (vm.swappedMiB !== null && vm.swappedMiB > 0) {
    add(c, 'host-swapping', 'critical', `The hypervisor has swapped out ${formatBytes(vm.swappedMiB * MiB)} of this VM`,
      'vmware-toolbox-cmd stat swap reports memory the host swapped to its .vswp file. The host picks those pages blindly, so every access to them stalls the guest.');
  }
}

/** Driver and tools: what is missing, and what needs root. */
function driverRules(c: RuleContext): void {
  const { facts, hv, balloon, hvArticle } = c;
  const virtioDeviceUnbound = facts.virtio.balloonDevice !== null && !facts.virtio.bound;
  if ((hv === 'vmware' || hv === 'hyperv' || hv === 'xen') && !facts.balloon.loaded || virtioDeviceUnbound) {
    const what = virtioDeviceUnbound ? `The virtio balloon device ${facts.virtio.balloonDevice} has no driver bound${facts.virtio.driverAvailable ? '' : ' (virtio_balloon is not available)'}.`
      : `No ${hypervisorPhrase(hv)} balloon driver is loaded (checked /proc/modules, /sys/module${hv === 'vmware' ? ', debugfs and the [vmmemctl] thread' : ''}).`;
    add(c, 'balloon-driver-missing', hv === 'hyperv' ? 'info' : 'warning', `No balloon driver: under contention the host will swap this VM instead`,
      `${what} The host cannot ask the guest for memory, so when it runs short it swaps or compresses this VM's memory itself.`, hvArticle);
  }
  if (hv === 'vmware' && !facts.vmware.toolsInstalled) {
    add(c, 'vmware-tools-missing', 'info', 'VMware Tools (open-vm-tools) not found: the memory limit cannot be read',
      'vmware-toolbox-cmd is not installed, so the VM\'s memory limit, reservation and host swap are unknown from inside. Install open-vm-tools, or ask the vSphere admin.');
  }
  const debugfsProbe = facts.probes.find((probe) => probe.id === 'debugfs-vmmemctl' || probe.id === 'debugfs-hv-balloon');
  // Before Linux 6.0 there is no hv-balloon file to read, root or not (d180e0a1be6c).
  const hvFileExists = facts.kernel?.behaviour?.driver !== 'hv_balloon' || facts.kernel.behaviour.sources.find((source) => source.id === 'hv-debugfs')?.available !== 'no';
  const needsRoot = facts.probes.filter((probe) => probe.status === 'denied' && ((probe.id === 'debugfs-vmmemctl' && hv === 'vmware') || (probe.id === 'debugfs-hv-balloon' && hv === 'hyperv' && hvFileExists)));
  if (needsRoot.length && debugfsProbe) {
    const noSize = balloon === null;
    add(c, 'stats-need-root', noSize ? 'warning' : 'info', noSize ? 'The balloon size needs root to read' : 'The driver\'s own balloon statistics need root',
      `${needsRoot.map((probe) => probe.id).join(', ')}: ${needsRoot[0].detail ?? 'permission denied'}. Run balloon-check as root or with --sudo (sudo -n, never prompts)${noSize ? '; without it the balloon size is unknown' : ''}.`, hvArticle);
  }
}

/** The driver's own sources against each other (the Balloon: line is cross-checked by balloonLineRule instead). */
function sourcesDisagreeRule(c: RuleContext, own: BalloonMeasurement[]): void {
  const { facts, hvArticle } = c;
  if (own.length < 2) return;
  const [first, second] = own;
  if (Math.abs(first.bytes - second.bytes) <= disagreementTolerance(first.bytes, second.bytes)) return;
  const larger = first.bytes >= second.bytes ? first : second;
  const seedAwk = facts.vmware.debugfsLayout === 'v4' ? ' On this kernel debugfs prints "current : N", so the classic awk \'{print $2}\' reads ":" and prints 0.' : '';
  // Which to trust: on drivers whose pages stay in "used" memory, the unexplained residue is an independent witness.
  const residue = facts.memory.unaccountedBytes;
  const witness = facts.balloon.shrinksMemTotal === false && residue !== null
    ? [first, second].find((m) => explainedByBalloon(residue, m.bytes) && m.bytes > 0) : undefined;
  const trust = witness
    ? ` Trust ${witness.source}: the ${formatBytes(residue)} of "used" memory no process owns matches it, and these balloon pages sit there.`
    : first.source.includes('vmmemctl') && second.source.startsWith('vmware-toolbox-cmd')
      ? ` Trust ${first.source} for what this guest has given up: it is the driver's own count, read now. vmware-toolbox-cmd relays the host's figure through the guest SDK, which can lag; if the gap lasts, the driver may have been reset or its file misread — ask the vSphere admin for the host's figure (esxtop MCTLSZ).`
      : ` ${first.source} is the more direct source; the larger reading sets the severity until the two agree.`;
  add(c, 'balloon-sources-disagree', inflatedSeverity(c, larger.bytes), `Two sources disagree on the balloon size: up to ${formatBytes(larger.bytes)}`,
    `${first.source}: ${formatBytes(first.bytes)}; ${second.source}: ${formatBytes(second.bytes)}. The first is used for the figures; the severity follows the larger reading, since either may be the true one.${seedAwk}${trust}`, hvArticle);
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
  add(c, 'balloon-line-disagrees', 'info', 'The kernel\'s Balloon: counter disagrees with the balloon driver',
    `${facts.memory.balloonLineBytes !== null ? '/proc/meminfo Balloon' : '/proc/vmstat nr_balloon_pages'}: ${formatBytes(lineBytes)}; ${driverFigure.source}: ${formatBytes(driverFigure.bytes)}. ` +
    (vmw ? 'On VMware the Balloon: line counts only 4 KiB balloon pages, so it can only read lower than the driver; a higher reading means one of the two is stale or misread. Trust the driver\'s figure.'
      : facts.balloon.driver === 'virtio_balloon' ? 'The Balloon: counter holds the pages the driver has now; balloon_inflate − balloon_deflate counts since boot and drifts when the driver was reloaded or the counters are not the balloon\'s alone. Trust the Balloon: line.'
      : 'Both count the same pages on this driver; a gap means one figure is stale (they are read at slightly different moments while the balloon moves) or a second balloon driver is active. Trust the driver\'s own figure, and re-check.'), hvArticle);
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
    add(c, 'unaccounted-memory', 'info', `${formatBytes(unaccounted)} of "used" memory belongs to no process: it is the balloon`,
      `free and top count the balloon's ${formatBytes(balloonInUsed)} as used, yet no process, cache or slab owns it (Red Hat solution 43729). This is not a leak.`, hvArticle);
  } else if (balloon === null && (hv === 'vmware' || (facts.balloon.loaded && facts.balloon.shrinksMemTotal !== true))) {
    // Hyper-V before 5.11 keeps ballooned pages in MemTotal (d1df458cbfdb), exactly like VMware.
    const why = facts.balloon.shrinksMemTotal === false && hv !== 'vmware' ? ` On this kernel the ${facts.balloon.driver} driver leaves ballooned pages in MemTotal (${facts.kernel?.behaviour?.memTotal.range}: ${facts.kernel?.behaviour?.memTotal.source}), so they show as used memory no process owns.`
      : facts.balloon.shrinksMemTotal === null && hv !== 'vmware' ? ' Whether this kernel takes ballooned pages out of MemTotal is unknown, so they may sit here.' : '';
    const notes = facts.balloon.notes?.length ? ` ${facts.balloon.notes.join('. ')}.` : ' Its size could not be read to confirm (see the probes).';
    add(c, 'unaccounted-memory', 'warning', `${formatBytes(unaccounted)} of "used" memory belongs to no process: probably the balloon`,
      `No process, cache or kernel structure accounts for ${formatBytes(unaccounted)}${ofConfigured(c, unaccounted)}. On ${hypervisorPhrase(hv)} this is usually the balloon.${why}${notes}`, hvArticle);
  } else if (balloon !== null && balloon > 0 && facts.balloon.shrinksMemTotal === null) {
    add(c, 'unaccounted-memory', 'warning', `${formatBytes(unaccounted)} of "used" memory is unexplained; the balloon may be part of it`,
      `No process, cache or kernel structure accounts for ${formatBytes(unaccounted)}. Whether this kernel takes the balloon's ${formatBytes(balloon)} out of MemTotal is unknown (kernel ${facts.meta.kernel ?? 'release unknown'}), so part of it may be the balloon.`, hvArticle);
  } else {
    add(c, 'unaccounted-memory', 'warning', `${formatBytes(unaccounted)} of "used" memory is unexplained, and it is not the balloon`,
      `No process, cache or kernel structure accounts for ${formatBytes(unaccounted)}, while the balloon holds ${formatBytes(balloonInUsed ?? 0)} of used memory. Look for driver or GPU allocations, or a kernel leak.`);
  }
}

/** KVM: a virtio balloon that will not deflate when the guest runs out. */
function deflateOnOomRule(c: RuleContext): void {
  const { facts, balloon, hvArticle } = c;
  const features = facts.virtio.features;
  if (facts.balloon.driver === 'virtio_balloon' && features && !features.deflateOnOom && balloon !== null && balloon > 0) {
    add(c, 'no-deflate-on-oom', (facts.counters.oomKill ?? 0) > 0 ? 'critical' : 'warning', 'The virtio balloon will not give memory back when the guest runs out',
      `deflate-on-oom (feature bit 2) was not negotiated, and the balloon holds ${formatBytes(balloon)}. Under memory pressure the guest kills processes while the host keeps that memory. Enable it on the host: libvirt <memballoon autodeflate='on'>, QEMU -device virtio-balloon,deflate-on-oom=on. ${deflateOnOomWording(facts.kernel?.behaviour ?? null)}`, hvArticle);
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
    const parts = [
      available !== null && total !== null ? `${facts.memory.availableSource?.startsWith('estimate') ? 'Estimated available (MemFree + Buffers + Cached; no MemAvailable on this kernel)' : 'MemAvailable'} ${formatBytes(available)} of ${formatBytes(total)} (${percent(available, total)})` : null,
      pressure ? `PSI memory some avg60 ${pressure.some.avg60.toFixed(2)}%, full avg10 ${(pressure.full?.avg10 ?? 0).toFixed(2)}%` : null,
    ].filter(Boolean);
    add(c, 'guest-memory-pressure', critical ? 'critical' : 'warning', 'The guest is short of memory',
      `${parts.join('; ')}.${balloon ? ` The balloon holds ${formatBytes(balloon)} of it.` : ''}`);
  }
  if (trend && ((trend.swapInPerSecond ?? 0) > 0 || (trend.swapOutPerSecond ?? 0) > 0) && (balloon ?? 0) > 0) {
    // Critical when the paging stalls whole tasks (PSI memory "full").
    add(c, 'guest-swapping', (facts.pressure?.full?.avg60 ?? 0) > 0 ? 'critical' : 'warning', 'The balloon is pushing the guest into its own swap',
      `Swap-in ${trend.swapInPerSecond?.toFixed(1) ?? 'unknown'} pages/s, swap-out ${trend.swapOutPerSecond?.toFixed(1) ?? 'unknown'} pages/s, major faults ${trend.majorFaultsPerSecond?.toFixed(1) ?? 'unknown'}/s over ${Math.round(trend.seconds)} s while the balloon holds ${formatBytes(balloon)}.`);
  }
  const oomKills = trend?.oomKillsDelta ?? facts.counters.oomKill;
  if (oomKills !== null && oomKills > 0 && (balloon ?? 0) > 0) {
    add(c, 'guest-oom-kills', 'critical', `The kernel killed ${oomKills} process${oomKills === 1 ? '' : 'es'} for memory while the balloon holds memory`,
      `/proc/vmstat oom_kill: ${oomKills}${trend ? ' during the watch' : ' since boot'}; balloon ${formatBytes(balloon)}. ${facts.balloon.driver === 'virtio_balloon' && facts.virtio.features?.deflateOnOom ? oomDeflateNote(facts) : 'The balloon does not shrink on its own when the guest runs out.'}`);
  }
  if (facts.memory.swapTotalBytes === 0 && facts.balloon.loaded && ((balloon ?? 0) > 0 || limitBelowConfigured(c))) {
    const critical = (balloon ?? 0) > 0 && lowAvailable;
    add(c, 'no-guest-swap', critical ? 'critical' : 'warning', 'The guest has no swap, so the balloon can only take free and cache memory',
      `SwapTotal is 0. When the balloon inflates, the guest cannot page out idle memory and goes straight to the OOM killer. VMware asks for "sufficient swap space" in ballooned guests.`);
  }
}

/** Hot-added memory that was never onlined: the host gave it, the guest does not use it. */
function offlineMemoryRule(c: RuleContext): void {
  const offline = c.facts.memory.offlineBytes ?? 0;
  if (offline > 0) {
    add(c, 'memory-offline', 'warning', `${formatBytes(offline)} of memory the host gave sits offline`,
      `${formatBytes(offline)}${ofConfigured(c, offline)} is in memory blocks whose state is "offline": hot-added by the hypervisor but never onlined, so the kernel does not use it (${c.facts.memory.configuredSource}). ` +
      'Online the blocks (echo online > /sys/devices/system/memory/memoryN/state), and make later hot-adds come online by themselves (a udev rule, or memhp_default_state=online).');
  }
}

/** A balloon that never deflated across the watch or the history: chronic reclamation, not a passing peak. */
function persistentBalloonRule(c: RuleContext): void {
  const { trend } = c;
  if (trend && trend.samples >= 3 && (trend.minBalloonBytes ?? 0) >= SIGNIFICANT_CHANGE_BYTES) {
    add(c, 'balloon-persistent', 'warning', `The balloon stayed inflated in all ${trend.samples} samples (at least ${formatBytes(trend.minBalloonBytes as number)})`,
      `Over ${Math.round(trend.seconds)} s the balloon never went below ${formatBytes(trend.minBalloonBytes as number)}${ofConfigured(c, trend.minBalloonBytes as number)}: the host keeps reclaiming this guest's memory, not only at a peak. ` +
      'A limit, an overcommitted host or pool, or a balloon target the host never lowers keeps it there.', c.hvArticle);
  }
}

/** VMware reservation: the balloon cannot take reserved memory (maximum = min(cap, configured − reservation)). */
function reservationRule(c: RuleContext): void {
  const { hv, balloon, configured } = c;
  const reservationMiB = c.facts.vmware.reservationMiB ?? 0;
  if (hv !== 'vmware' || balloon === null || configured === null || reservationMiB <= 0) return;
  const reserved = reservationMiB * MiB;
  if (balloon > configured - reserved + LIMIT_SLACK_BYTES) {
    add(c, 'reservation-inconsistent', 'warning', `The balloon holds more than the reservation leaves reclaimable`,
      `Balloon ${formatBytes(balloon)}, but ${formatBytes(reserved)} of the ${formatBytes(configured)} configured is reserved: at most ${formatBytes(configured - reserved)} can be reclaimed, and the balloon stops at ${formatBytes(vmwareBalloonMax(configured, reserved))} (min of 65% of configured and configured − reservation). ` +
      'These figures cannot all be current: the reservation may have just changed, or one reading is stale. Re-check in a minute and compare with the VM\'s settings in vSphere.');
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
  add(c, 'memtotal-shrunk', explained ? 'info' : 'warning', `MemTotal is ${formatBytes(shortfall)} below the ${formatBytes(usable)} of online memory`,
    explained
      ? `The virtio balloon's ${formatBytes(balloon)} left MemTotal (deflate-on-oom is off), so free and top show a ${formatBytes(total)} machine. The memory is the host's until it lowers the balloon.`
      : `MemTotal ${formatBytes(total)} against ${formatBytes(usable)} of online memory blocks. Without deflate-on-oom the virtio balloon takes its pages out of MemTotal, so most of the gap is probably the balloon${balloon === null ? ', whose size this kernel does not show (Balloon: needs Linux 6.15; balloon_inflate 3.18)' : ` (it reads ${formatBytes(balloon)})`}. Ask the host: virsh dommemstat shows "actual".`, c.hvArticle);
}

/** The rule groups in the order their findings are listed within one severity. */
const RULE_GROUPS: readonly ((c: RuleContext) => void)[] = [
  platformRules, balloonRules, vmwareRules, driverRules, crossCheckRules, unaccountedRule, deflateOnOomRule,
  guestPressureRules, offlineMemoryRule, persistentBalloonRule, reservationRule, memTotalShrunkRule,
];

/** Turns facts (and, in watch mode, a trend) into findings, worst first. */
export function diagnose(facts: GuestFacts, trend?: Trend): Finding[] {
  const hv = facts.hypervisor.kind;
  const limitMiB = facts.vmware.limitMiB;
  const context: RuleContext = {
    facts, trend, findings: [], hv,
    hvArticle: HYPERVISOR_ARTICLE[hv] ? [HYPERVISOR_ARTICLE[hv]] : [],
    balloon: facts.balloon.currentBytes,
    configured: facts.memory.configuredBytes,
    total: facts.memory.totalBytes,
    limit: limitMiB !== null ? limitMiB * MiB : null,
  };
  for (const group of RULE_GROUPS) group(context);
  return context.findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

/** How the Xen driver retries a failed increase on this kernel (max_retry_count, per the kernel table). */
function xenRetryNote(facts: GuestFacts): string {
  switch (facts.kernel?.behaviour?.xenMaxRetry?.value) {
    case 4: return 'On this kernel the driver gives up after 4 retries (max_retry_count, a1078e821b60) and tries again only when the target changes or after an hour: it will not catch up by itself.';
    case 'unlimited': return 'On this kernel the driver retries for ever (max_retry_count 0): it takes the memory as soon as the host has it.';
    default: return 'Whether the driver keeps retrying depends on max_retry_count (/sys/devices/system/xen_memory/xen_memory0/max_retry_count; 0 = for ever, 4 since a1078e821b60).';
  }
}

/** What deflate-on-oom did on this kernel, for a guest that killed processes with it on. */
function oomDeflateNote(facts: GuestFacts): string {
  switch (facts.kernel?.behaviour?.deflateOnOom?.value) {
    case 'shrinker': return 'deflate-on-oom is on, and on this kernel (4.20 to 5.6) a shrinker deflates the balloon under memory pressure (71994620bb25), yet processes were killed: the balloon could not give memory back fast enough, or was already empty.';
    case 'oom-notifier': return 'deflate-on-oom is on, but it frees only 1 MiB per OOM event.';
    default: return 'deflate-on-oom is on, but on 4.3-4.19 and 5.7+ it frees only 1 MiB per OOM event (a shrinker on 4.20-5.6; this kernel\'s version is unknown).';
  }
}

export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const finding of findings) if (!worst || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[worst]) worst = finding.severity;
  return worst;
}

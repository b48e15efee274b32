/**
 * What a guest kernel lets us see of its balloon, per driver and kernel range, each fact with its source.
 * The engine (facts.ts, rules.ts) asks this table instead of assuming; knowledge/kernel-behaviour.md is
 * generated from it (scripts/gen-kernel-article.mjs), so the article and the engine never disagree.
 *
 * Ranges are upstream releases. A distribution kernel is judged by its upstream base version unless a row
 * of DISTRO_OVERRIDES (with its own source) says otherwise; where a backport is possible but nobody has
 * shown it, the override says "unknown" rather than guess.
 */
import { known, unknown, type Parsed } from './parsed';

export type BalloonDriverFamily = 'vmw_balloon' | 'virtio_balloon' | 'hv_balloon' | 'xen_balloon';
export const DRIVER_FAMILIES: readonly BalloonDriverFamily[] = ['vmw_balloon', 'virtio_balloon', 'hv_balloon', 'xen_balloon'];

/** Major.minor.patch of an upstream release; distribution suffixes removed. */
export type Version = readonly [major: number, minor: number, patch?: number];

export interface KernelRelease {
  raw: string;
  version: Version;
  /** The distribution the release string names, when its suffix says so (".el8", "-generic", "+deb13"...). */
  distribution: string | null;
  /** A classic (2.6.18-xen style, "xenified") Xen kernel: /proc/xen/balloon, not the pvops driver. */
  classicXen: boolean;
}

/**
 * Kernel release strings as `uname -r` prints them: "3.10.0-1160.el7.x86_64", "4.18.0-513.el8_9.x86_64",
 * "5.4.0-150-generic", "6.1.0-18-amd64", "5.14.21-150500.55.39-default", "2.6.18-398.el5xen".
 */
export function parseKernelRelease(raw: string | null | undefined): Parsed<KernelRelease> {
  if (!raw) return unknown('the kernel release is not known');
  const match = /^(\d{1,2})\.(\d{1,3})(?:\.(\d{1,4}))?([-+._~a-zA-Z0-9]*)$/.exec(raw.trim());
  if (!match) return unknown(`"${raw.slice(0, 64)}" is not a kernel release`);
  const version: Version = [Number(match[1]), Number(match[2]), match[3] === undefined ? undefined : Number(match[3])];
  if (version[0] < 2 || version[0] > 9) return unknown(`"${raw.slice(0, 64)}" is not a Linux kernel release`);
  const rest = match[4];
  const el = /\.el(\d{1,2})(?:[._]|xen|$)/.exec(rest);
  let distribution: string | null = null;
  if (el) distribution = `RHEL ${el[1]}`;
  else if (/^-\d+-(generic|lowlatency|aws|azure|gcp|gke|kvm|oracle|ibm|virtual|generic-lpae|raspi)$/.test(rest)) distribution = 'Ubuntu';
  else if (/\+deb\d+|^-\d+(-cloud)?-(amd64|arm64|686-pae|686|rt-amd64|armmp|powerpc64le|s390x)$/.test(rest)) distribution = 'Debian';
  else if (/^-\d+(\.\d+)*-(default|azure|xen|pae|ec2|rt)$/.test(rest)) distribution = 'SUSE';
  const classicXen = /xen$/.test(rest) && version[0] < 3 || /^-[\d.]+-xen$/.test(rest);
  return known({ raw, version, distribution, classicXen });
}

/** Negative, zero or positive as a is older, equal or newer than b (missing patch = 0). */
export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] ?? 0) - (b[2] ?? 0);
}
export const formatVersion = (v: Version) => v.slice(0, v[2] === undefined ? 2 : 3).join('.');

/** A cited fact of one range: the value applies from `since` (inclusive) until the next change. */
export interface Change<T> { since: Version | null; value: T; source: string }
export interface Cited<T> { value: T; source: string; range: string }

/** Does a ballooned page leave MemTotal? "unless-deflate-on-oom": yes unless virtio feature bit 2 was negotiated. */
export type MemTotalEffect = 'yes' | 'no' | 'unless-deflate-on-oom' | 'unknown';
/** What virtio deflate-on-oom does, when negotiated. */
export type DeflateOnOom = 'not-supported' | 'oom-notifier' | 'shrinker' | 'unknown';
export type Availability = 'yes' | 'no' | 'unknown';

export type SizeSourceId = 'debugfs-vmmemctl' | 'proc-vmmemctl' | 'vmstat-balloon' | 'meminfo-balloon' | 'hv-debugfs' | 'xen-sysfs' | 'proc-xen-balloon';
export const SIZE_SOURCE_NAMES: Record<SizeSourceId, string> = {
  'debugfs-vmmemctl': 'debugfs vmmemctl',
  'proc-vmmemctl': '/proc/vmmemctl',
  'vmstat-balloon': '/proc/vmstat balloon_inflate/balloon_deflate',
  'meminfo-balloon': '/proc/meminfo Balloon: and /proc/vmstat nr_balloon_pages',
  'hv-debugfs': 'debugfs hv-balloon',
  'xen-sysfs': 'xen_memory0 sysfs',
  'proc-xen-balloon': '/proc/xen/balloon',
};

interface DriverTable {
  name: string;
  memTotal: Change<MemTotalEffect>[];
  /** Which size sources exist, and a note on what they count. */
  sources: Partial<Record<SizeSourceId, Change<{ available: Availability; note?: string }>[]>>;
  deflateOnOom?: Change<DeflateOnOom>[];
  /** Xen: how often the driver retries a failed increase before it gives up (0 = forever). */
  xenMaxRetry?: Change<number | 'unlimited' | 'unknown'>[];
}

const V = (major: number, minor: number): Version => [major, minor];
const MEMINFO_BALLOON = 'Linux 6.15: commit 835de37603ef "meminfo: add a per node counter for balloon drivers" (Nico Pache; with 4d689474e1b2 for balloon_compaction users)';
const VMSTAT_COUNTERS = 'Linux 3.18: commit 09316c09dde3 "mm/balloon_compaction: add vmstat counters and kpageflags bit"';

/** The table. Sources are commit ids (with the release that first carried them) or source files read. */
export const DRIVERS: Record<BalloonDriverFamily, DriverTable> = {
  vmw_balloon: {
    name: 'VMware (vmw_balloon, and the out-of-tree vmmemctl before it)',
    memTotal: [{ since: null, value: 'no', source: 'drivers/misc/vmw_balloon.c never calls adjust_managed_page_count() in any version (2.6.34 to 6.x); the out-of-tree vmmemctl neither' }],
    sources: {
      'debugfs-vmmemctl': [
        { since: null, value: { available: 'no', note: 'no in-kernel driver before 2.6.34: VMware Tools\' vmmemctl module instead' }, source: 'drivers/misc/vmware_balloon.c first appears in 2.6.34 (commit 453dc65931915ab, Dmitry Torokhov, 2010-04-23)' },
        { since: [2, 6, 34], value: { available: 'yes', note: 'old layout: "target: N pages", "current: N pages" (4 KiB frames)' }, source: 'drivers/misc/vmware_balloon.c in 2.6.34 (commit 453dc65931915ab)' },
        { since: V(4, 20), value: { available: 'yes', note: 'new layout: "current : N", one line per counter (4 KiB frames; 2 MiB pages count 512)' }, source: 'the 2018 vmw_balloon rewrite (Nadav Amit), seen in 4.20+ trees; a 4.19 tree still prints the old layout' },
      ],
      'proc-vmmemctl': [
        { since: null, value: { available: 'yes', note: 'with the out-of-tree vmmemctl module of VMware Tools (current in 4 KiB frames)' }, source: 'open-vm-tools modules/linux/vmmemctl (removed from open-vm-tools by commit dce13aed6, 2010)' },
        { since: [2, 6, 34], value: { available: 'no', note: 'the in-kernel driver has no /proc file (an old VMware Tools module may still add one)' }, source: 'drivers/misc/vmware_balloon.c (2.6.34) uses debugfs only' },
      ],
      'vmstat-balloon': [
        { since: null, value: { available: 'no', note: 'the counters exist but stay 0 for VMware: the driver keeps private page lists' }, source: 'drivers/misc/vmw_balloon.c before 5.3 uses no balloon_compaction' },
        { since: V(5, 3), value: { available: 'yes', note: '4 KiB pages through balloon_compaction, 2 MiB pages counted 512 each by the driver' }, source: 'Linux 5.3: commits 83a8afa72e9c "vmw_balloon: Compaction support" and 5d1a86ecf328 "vmw_balloon: Add memory shrinker"' },
      ],
      'meminfo-balloon': [
        { since: null, value: { available: 'no' }, source: MEMINFO_BALLOON },
        { since: V(6, 15), value: { available: 'yes', note: 'counts only the 4 KiB pages: 2 MiB pages bypass balloon_compaction, so the line can read far below the real balloon' }, source: `${MEMINFO_BALLOON}; the v2 cover letter drops the VMware patch ("they use balloon_compaction interface")` },
      ],
    },
  },
  virtio_balloon: {
    name: 'KVM/QEMU (virtio_balloon)',
    memTotal: [
      { since: null, value: 'yes', source: 'drivers/virtio/virtio_balloon.c before 4.3 always lowers totalram_pages' },
      { since: V(4, 3), value: 'unless-deflate-on-oom', source: 'Linux 4.3: commit 997e120843e8 "virtio_balloon: do not change memory amount visible via /proc/meminfo"' },
    ],
    sources: {
      'vmstat-balloon': [
        { since: null, value: { available: 'no' }, source: VMSTAT_COUNTERS },
        { since: V(3, 18), value: { available: 'yes', note: 'counts kernel pages (PAGE_SIZE: 64 KiB on some arm64 and ppc64le kernels)' }, source: VMSTAT_COUNTERS },
      ],
      'meminfo-balloon': [
        { since: null, value: { available: 'no' }, source: MEMINFO_BALLOON },
        { since: V(6, 15), value: { available: 'yes' }, source: MEMINFO_BALLOON },
      ],
    },
    deflateOnOom: [
      { since: null, value: 'not-supported', source: 'the feature bit arrived with Linux 4.3 (commit 997e120843e8 and its series)' },
      { since: V(4, 3), value: 'oom-notifier', source: 'Linux 4.3: OOM notifier gated by the feature bit; it frees oom_pages (module parameter, default 256 pages of 4 KiB) per notification' },
      { since: V(4, 20), value: 'shrinker', source: 'Linux 4.20: commit 71994620bb25 "virtio_balloon: replace oom notifier with shrinker"' },
      { since: V(5, 7), value: 'oom-notifier', source: 'Linux 5.7: commit da10329cb057 "virtio-balloon: switch back to OOM handler for VIRTIO_BALLOON_F_DEFLATE_ON_OOM" (VIRTIO_BALLOON_OOM_NR_PAGES = 256 pages of 4 KiB)' },
    ],
  },
  hv_balloon: {
    name: 'Hyper-V (hv_balloon)',
    memTotal: [
      { since: null, value: 'no', source: 'drivers/hv/hv_balloon.c before 5.11 never adjusts the managed page count (the fix is d1df458cbfdb, Linux 5.11)' },
      { since: V(5, 11), value: 'yes', source: 'Linux 5.11: commit d1df458cbfdb "hv_balloon: do adjust_managed_page_count() when ballooning/un-ballooning"' },
    ],
    sources: {
      'hv-debugfs': [
        { since: null, value: { available: 'no', note: 'no file: the guest cannot read the balloon size itself' }, source: 'Linux 6.0: commit d180e0a1be6c "Drivers: hv: Create debugfs file with hyper-v balloon usage information"' },
        { since: V(6, 0), value: { available: 'yes', note: 'pages_ballooned, in 4 KiB pages (root only)' }, source: 'Linux 6.0: commit d180e0a1be6c "Drivers: hv: Create debugfs file with hyper-v balloon usage information"' },
      ],
      'vmstat-balloon': [{ since: null, value: { available: 'no', note: 'hv_balloon does not use balloon_compaction' }, source: 'drivers/hv/hv_balloon.c' }],
      'meminfo-balloon': [
        { since: null, value: { available: 'no' }, source: MEMINFO_BALLOON },
        { since: V(6, 15), value: { available: 'yes' }, source: `${MEMINFO_BALLOON}; commit 02ec35963bc8 "hv_balloon: update the NR_BALLOON_PAGES state"` },
      ],
    },
  },
  xen_balloon: {
    name: 'Xen (xen_balloon; classic 2.6.18-xen trees)',
    memTotal: [{ since: null, value: 'yes', source: 'drivers/xen/balloon.c decrease_reservation() (adjust_managed_page_count, earlier totalram_pages); classic 2.6.18-xen sets totalram_pages = current_pages' }],
    sources: {
      'xen-sysfs': [{ since: null, value: { available: 'yes', note: 'target_kb, info/current_kb, info/low_kb + info/high_kb (kB)' }, source: 'drivers/xen/xen-balloon.c (BALLOON_SHOW current_kb, low_kb, high_kb)' }],
      'proc-xen-balloon': [{ since: null, value: { available: 'no', note: 'only classic (xenified) kernels: RHEL 5 kernel-xen, SLES 10/11 -xen' }, source: 'linux-2.6.18-xen drivers/xen/balloon/balloon.c balloon_read(): "Current allocation", "Requested target", "Low-mem balloon", "High-mem balloon", "Driver pages", "Xen hard limit"' }],
      'vmstat-balloon': [{ since: null, value: { available: 'no', note: 'the Xen driver does not use balloon_compaction' }, source: 'drivers/xen/balloon.c' }],
      'meminfo-balloon': [
        { since: null, value: { available: 'no' }, source: MEMINFO_BALLOON },
        { since: V(6, 15), value: { available: 'yes', note: 'includes the boot-time extra regions (memory above memory= up to maxmem)' }, source: `${MEMINFO_BALLOON}; commit f6a09e680093 "xen: balloon: update the NR_BALLOON_PAGES state"` },
      ],
    },
    xenMaxRetry: [
      { since: null, value: 'unlimited', source: 'drivers/xen/balloon.c balloon_init(): max_retry_count = RETRY_UNLIMITED (the sysfs ABI text still says so)' },
      { since: V(4, 4), value: 'unknown', source: 'forever, unless the kernel carries the stable backport of a1078e821b60 (sent to the 4.4, 4.9, 4.14, 4.19, 5.1 and 5.2 stable trees, July 2019 to January 2020): then 4' },
      { since: V(5, 3), value: 4, source: 'Linux 5.3: commit a1078e821b60 "xen: let alloc_xenballooned_pages() fail if not enough memory free" (CVE-2019-17351; stable backports to 4.4-5.2)' },
    ],
  },
};

/** A distribution kernel whose behaviour differs from (or is not known to match) its upstream base. */
interface Override {
  distribution: string;
  /** Base version range of that distribution's kernels the override applies to. */
  base: Version;
  driver: BalloonDriverFamily;
  property: 'memTotal' | SizeSourceId;
  value: MemTotalEffect | { available: Availability; note?: string };
  source: string;
}

export const DISTRO_OVERRIDES: readonly Override[] = [
  { distribution: 'RHEL 7', base: V(3, 10), driver: 'vmw_balloon', property: 'vmstat-balloon', value: { available: 'no', note: 'the RHEL 7 driver keeps private page lists (no balloon_compaction): the counters stay 0' }, source: 'RHEL 7 kernel source drivers/misc/vmw_balloon.c (halfline/rhel7 @ 07da5ff6e3be)' },
  { distribution: 'RHEL 7', base: V(3, 10), driver: 'vmw_balloon', property: 'debugfs-vmmemctl', value: { available: 'yes', note: 'RHEL 7 backport (MODULE_VERSION 1.3.4.0-k): "balloon capabilities: 0x6" then "target: N pages" (4 KiB frames)' }, source: 'RHEL 7 kernel source drivers/misc/vmw_balloon.c (halfline/rhel7 @ 07da5ff6e3be)' },
  { distribution: 'RHEL 8', base: V(4, 18), driver: 'vmw_balloon', property: 'debugfs-vmmemctl', value: { available: 'yes', note: 'layout unknown: 4.18 prints the old layout upstream, the new one only with a backport of the 2018 rewrite; check whether the file has "current : N" lines' }, source: 'no source shows whether Red Hat backported the 2018 vmw_balloon rewrite to RHEL 8' },
  { distribution: 'RHEL 8', base: V(4, 18), driver: 'vmw_balloon', property: 'vmstat-balloon', value: { available: 'unknown', note: 'non-zero only if Red Hat backported 83a8afa72e9c (5.3); a 0 proves nothing' }, source: 'no source shows a RHEL 8 backport of vmw_balloon compaction' },
];

/** Distribution releases and the upstream kernel their first (GA) kernel is based on; used for the article. */
export interface DistroRow { distribution: string; release: string; base: Version; example: string; source: string }
export const DISTRIBUTIONS: readonly DistroRow[] = [
  { distribution: 'RHEL 5', release: 'RHEL/CentOS 5', base: [2, 6, 18], example: '2.6.18-398.el5 (2.6.18-398.el5xen: classic Xen)', source: 'Red Hat Enterprise Linux release dates, access.redhat.com/articles/3078' },
  { distribution: 'RHEL 6', release: 'RHEL/CentOS 6', base: [2, 6, 32], example: '2.6.32-754.el6.x86_64', source: 'Red Hat Enterprise Linux release dates, access.redhat.com/articles/3078' },
  { distribution: 'RHEL 7', release: 'RHEL/CentOS 7', base: [3, 10, 0], example: '3.10.0-1160.el7.x86_64', source: 'Red Hat Enterprise Linux release dates, access.redhat.com/articles/3078' },
  { distribution: 'RHEL 8', release: 'RHEL 8', base: [4, 18, 0], example: '4.18.0-513.el8.x86_64', source: 'Red Hat Enterprise Linux release dates, access.redhat.com/articles/3078' },
  { distribution: 'RHEL 9', release: 'RHEL 9', base: [5, 14, 0], example: '5.14.0-427.13.1.el9_4.x86_64', source: 'Red Hat Enterprise Linux release dates, access.redhat.com/articles/3078' },
  { distribution: 'RHEL 10', release: 'RHEL 10', base: [6, 12, 0], example: '6.12.0-55.el10.x86_64', source: 'Red Hat Enterprise Linux release dates, access.redhat.com/articles/3078' },
  { distribution: 'Ubuntu', release: 'Ubuntu 18.04 LTS (GA kernel)', base: [4, 15, 0], example: '4.15.0-213-generic', source: 'Ubuntu kernel lifecycle, ubuntu.com/kernel/lifecycle' },
  { distribution: 'Ubuntu', release: 'Ubuntu 20.04 LTS (GA kernel)', base: [5, 4, 0], example: '5.4.0-150-generic', source: 'Ubuntu kernel lifecycle, ubuntu.com/kernel/lifecycle' },
  { distribution: 'Ubuntu', release: 'Ubuntu 22.04 LTS (GA kernel)', base: [5, 15, 0], example: '5.15.0-105-generic', source: 'Ubuntu kernel lifecycle, ubuntu.com/kernel/lifecycle' },
  { distribution: 'Ubuntu', release: 'Ubuntu 24.04 LTS (GA kernel)', base: [6, 8, 0], example: '6.8.0-45-generic', source: 'Ubuntu kernel lifecycle, ubuntu.com/kernel/lifecycle' },
  { distribution: 'Debian', release: 'Debian 10 (buster)', base: [4, 19, 0], example: '4.19.0-27-amd64', source: 'Debian 10 release notes, debian.org/releases/buster' },
  { distribution: 'Debian', release: 'Debian 11 (bullseye)', base: [5, 10, 0], example: '5.10.0-32-amd64', source: 'Debian 11 release notes, debian.org/releases/bullseye' },
  { distribution: 'Debian', release: 'Debian 12 (bookworm)', base: [6, 1, 0], example: '6.1.0-18-amd64', source: 'Debian 12 release notes, debian.org/releases/bookworm' },
  { distribution: 'Debian', release: 'Debian 13 (trixie)', base: [6, 12, 0], example: '6.12.38+deb13-amd64', source: 'Debian 13 release notes, debian.org/releases/trixie' },
  { distribution: 'SUSE', release: 'SLES 12 SP4/SP5', base: [4, 12, 14], example: '4.12.14-122.37-default', source: 'SUSE kernel versions, suse.com/support/kb/doc/?id=000019587' },
  { distribution: 'SUSE', release: 'SLES 15 SP2/SP3', base: [5, 3, 18], example: '5.3.18-150300.59.106-default', source: 'SUSE kernel versions, suse.com/support/kb/doc/?id=000019587' },
  { distribution: 'SUSE', release: 'SLES 15 SP4-SP6', base: [5, 14, 21], example: '5.14.21-150500.55.39-default', source: 'SUSE kernel versions, suse.com/support/kb/doc/?id=000019587' },
];

const rangeText = (changes: readonly Change<unknown>[], index: number): string => {
  const from = changes[index].since;
  const next = changes[index + 1]?.since;
  if (!from && !next) return 'all versions';
  if (!from) return `before ${formatVersion(next as Version)}`;
  if (!next) return `${formatVersion(from)}+`;
  return `${formatVersion(from)} to before ${formatVersion(next)}`;
};

/**
 * The change in force at a version. With no version, the value only if every range agrees — every range
 * from `atLeast` on, when the guest shows it runs at least that version (e.g. it has a Balloon: line).
 */
function pick<T>(changes: readonly Change<T>[], version: Version | null, same: (a: T, b: T) => boolean = Object.is, atLeast: Version | null = null): Cited<T> | null {
  if (version === null) {
    let start = 0;
    if (atLeast) changes.forEach((change, i) => { if (change.since === null || compareVersions(atLeast, change.since) >= 0) start = i; });
    const candidates = changes.slice(start);
    const first = candidates[0];
    const range = atLeast ? `${formatVersion(atLeast)}+ (shown by the guest's own files)` : 'all versions';
    return candidates.every((change) => same(change.value, first.value)) ? { value: first.value, source: first.source, range } : null;
  }
  let index = -1;
  changes.forEach((change, i) => { if (change.since === null || compareVersions(version, change.since) >= 0) index = i; });
  if (index < 0) return null;
  return { value: changes[index].value, source: changes[index].source, range: rangeText(changes, index) };
}

/** Classic (xenified) Xen kernels keep the 2.6.18-xen balloon driver, whatever their version. */
const CLASSIC_XEN_PROC: Override = {
  distribution: 'classic Xen kernel', base: [2, 6, 18], driver: 'xen_balloon', property: 'proc-xen-balloon',
  value: { available: 'yes', note: 'Current allocation, Requested target, Low-mem and High-mem balloon (kB)' },
  source: 'linux-2.6.18-xen drivers/xen/balloon/balloon.c balloon_read() and create_xen_proc_entry("balloon")',
};

const overrideFor = (release: KernelRelease | null, driver: BalloonDriverFamily, property: Override['property']): Override | undefined => {
  if (release?.classicXen && driver === CLASSIC_XEN_PROC.driver && property === CLASSIC_XEN_PROC.property) return CLASSIC_XEN_PROC;
  return release?.distribution ? DISTRO_OVERRIDES.find((o) => o.driver === driver && o.property === property && o.distribution === release.distribution &&
    o.base[0] === release.version[0] && o.base[1] === release.version[1]) : undefined;
};

export interface SizeSourceBehaviour { id: SizeSourceId; name: string; available: Availability; note: string | null; source: string; range: string }

/** Everything the table says about one driver on one kernel. */
export interface DriverBehaviour {
  driver: BalloonDriverFamily;
  /** The release the answer is for, or null when the kernel is unknown (only facts true on every version remain). */
  kernel: string | null;
  distribution: string | null;
  memTotal: Cited<MemTotalEffect>;
  sources: SizeSourceBehaviour[];
  deflateOnOom: Cited<DeflateOnOom> | null;
  xenMaxRetry: Cited<number | 'unlimited' | 'unknown'> | null;
}

const UNKNOWN_KERNEL = 'the kernel release is unknown and the versions differ';
/** Distributions whose kernels carry many backports: a feature newer than the base version may be in. */
const BACKPORTING = (distribution: string | null | undefined) => !!distribution && (distribution.startsWith('RHEL') || distribution === 'SUSE');
const LATEST: Version = [99, 0];

/** On a backporting distribution, an upstream answer that later upstream releases changed is not known to hold. */
function unlessBackported<T>(changes: readonly Change<T>[], at: Cited<T> | null, release: KernelRelease | null, same: (a: T, b: T) => boolean): Cited<T> | null {
  if (!at || !release || !BACKPORTING(release.distribution)) return at;
  const latest = pick(changes, LATEST, same);
  if (!latest || same(latest.value, at.value)) return at;
  return null;
}

/**
 * The table's answer for a driver on a kernel release. Without a release, only what holds on every version —
 * or on every version from `atLeast`, a lower bound the guest's own files prove.
 */
export function driverBehaviour(driver: BalloonDriverFamily, release: KernelRelease | null, atLeast: Version | null = null): DriverBehaviour {
  const table = DRIVERS[driver];
  const version = release?.version ?? null;
  const lower = version === null ? atLeast : null;
  const memOverride = overrideFor(release, driver, 'memTotal');
  const memTotal = memOverride ? { value: memOverride.value as MemTotalEffect, source: memOverride.source, range: release?.distribution ?? '' }
    : unlessBackported(table.memTotal, pick(table.memTotal, version, Object.is, lower), release, Object.is) ?? backportUnknown<MemTotalEffect>('unknown', release, pick(table.memTotal, version));
  const sameAvailability = (a: { available: Availability }, b: { available: Availability }) => a.available === b.available;
  const sources = (Object.keys(table.sources) as SizeSourceId[]).map((id): SizeSourceBehaviour => {
    const override = overrideFor(release, driver, id);
    if (override) {
      const value = override.value as { available: Availability; note?: string };
      return { id, name: SIZE_SOURCE_NAMES[id], available: value.available, note: value.note ?? null, source: override.source, range: override.distribution };
    }
    const upstream = pick(table.sources[id] ?? [], version, sameAvailability, lower);
    const cited = unlessBackported(table.sources[id] ?? [], upstream, release, sameAvailability);
    if (!cited && upstream) {
      const why = backportUnknown(upstream.value, release, upstream);
      return { id, name: SIZE_SOURCE_NAMES[id], available: 'unknown', note: upstream.value.note ?? null, source: why.source, range: why.range };
    }
    return cited ? { id, name: SIZE_SOURCE_NAMES[id], available: cited.value.available, note: cited.value.note ?? null, source: cited.source, range: cited.range }
      : { id, name: SIZE_SOURCE_NAMES[id], available: 'unknown', note: null, source: UNKNOWN_KERNEL, range: 'unknown kernel' };
  });
  return {
    driver,
    kernel: release?.raw ?? null,
    distribution: release?.distribution ?? null,
    memTotal,
    sources,
    deflateOnOom: table.deflateOnOom ? unlessBackported(table.deflateOnOom, pick(table.deflateOnOom, version, Object.is, lower), release, Object.is)
      ?? backportUnknown<DeflateOnOom>('unknown', release, pick(table.deflateOnOom, version)) : null,
    xenMaxRetry: table.xenMaxRetry ? unlessBackported(table.xenMaxRetry, pick(table.xenMaxRetry, version, Object.is, lower), release, Object.is)
      ?? backportUnknown<number | 'unlimited' | 'unknown'>('unknown', release, pick(table.xenMaxRetry, version)) : null,
  };
}

/** The oldest kernel that could have printed what the guest shows (null: nothing dates it). */
export function minimumVersionShown(shown: { balloonLine: boolean; hvDebugfs: boolean; vmstatBalloon: boolean }): Version | null {
  if (shown.balloonLine) return [6, 15];
  if (shown.hvDebugfs) return [6, 0];
  if (shown.vmstatBalloon) return [3, 18];
  return null;
}

/** "unknown", saying why: the kernel is unknown, or a backporting distribution may carry a later change. */
function backportUnknown<T>(value: T, release: KernelRelease | null, upstream: Cited<unknown> | null): Cited<T> {
  if (!release || !upstream || !BACKPORTING(release.distribution)) return { value, source: UNKNOWN_KERNEL, range: 'unknown kernel' };
  return {
    value,
    source: `upstream ${formatVersion(release.version)} says "${String((upstream.value as { available?: string }).available ?? upstream.value)}" (${upstream.source}), but ${release.distribution} kernels backport and no source shows whether the later change is in`,
    range: `${release.distribution} (${formatVersion(release.version)} base)`,
  };
}

/** Whether one size source exists for the driver on this kernel. */
export function sourceAvailability(behaviour: DriverBehaviour, id: SizeSourceId): Availability {
  return behaviour.sources.find((source) => source.id === id)?.available ?? 'no';
}

/**
 * Whether ballooned pages leave MemTotal, as the engine needs it: true, false, or null (unknown).
 * `deflateOnOom` is the negotiated virtio feature, when known.
 */
export function shrinksMemTotal(behaviour: DriverBehaviour, deflateOnOom: boolean | null): boolean | null {
  switch (behaviour.memTotal.value) {
    case 'yes': return true;
    case 'no': return false;
    case 'unless-deflate-on-oom': return deflateOnOom === null ? null : !deflateOnOom;
    default:
      // virtio on an unknown kernel: without the feature every version shrinks MemTotal; with it, only 4.3+ exists.
      if (behaviour.driver === 'virtio_balloon' && deflateOnOom !== null) return !deflateOnOom;
      return null;
  }
}

/** Map a driver name of the probe to its table family. */
export function driverFamily(driver: string | null): BalloonDriverFamily | null {
  switch (driver) {
    case 'vmw_balloon': case 'vmware_balloon': case 'vmmemctl': return 'vmw_balloon';
    case 'virtio_balloon': return 'virtio_balloon';
    case 'hv_balloon': return 'hv_balloon';
    case 'xen_balloon': return 'xen_balloon';
    default: return null;
  }
}

/** One sentence on what virtio deflate-on-oom does on this kernel. */
export function deflateOnOomWording(behaviour: DriverBehaviour | null): string {
  switch (behaviour?.deflateOnOom?.value) {
    case 'oom-notifier': return 'With deflate-on-oom the driver gives back 256 pages (1 MiB) per OOM notification, only once the kernel is out of memory.';
    case 'shrinker': return 'On this kernel (4.20 to 5.6) deflate-on-oom works through a shrinker: the balloon deflates under ordinary memory pressure, before any OOM (71994620bb25).';
    case 'not-supported': return 'This kernel predates deflate-on-oom (Linux 4.3): the balloon never deflates on its own.';
    default: return 'What deflate-on-oom does depends on the kernel version, which is unknown: 1 MiB per OOM notification on 4.3-4.19 and 5.7+, a shrinker on 4.20-5.6.';
  }
}

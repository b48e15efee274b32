/**
 * The KVM host view: what libvirt says about every domain of one host and about the host's memory,
 * with findings. Pure data (JSON-safe), built by `buildHostView` from the parsed virsh output and
 * published as `host-view.schema.json` (`$defs/hostView`, version 1).
 *
 * Units: bytes for memory, seconds for times, plain counts for faults. `null` = unknown (the driver
 * does not report it, the guest sent no statistics, the output was unreadable); the reason is in
 * `unknown` (per domain or per host). Nothing here is ever guessed from another field.
 */
import type { Severity } from '../rules';
import type { ReportStatus, Target } from '../report';

export const HOST_VIEW_VERSION = 1;

/** Finding ids of the host view, each with a knowledge article of the same id. */
export const HOST_FINDING_ARTICLES = {
  'domain-ballooned': [],
  'domain-usable-low': [],
  'domain-no-deflate-on-oom': [],
  'domain-stats-disabled': [],
  'host-overcommitted': [],
  'kvm-host-swapping': [],
} as const satisfies Record<string, readonly string[]>;
export type HostFindingId = keyof typeof HOST_FINDING_ARTICLES;
export const HOST_FINDING_IDS = Object.keys(HOST_FINDING_ARTICLES) as HostFindingId[];

export interface HostFinding {
  id: HostFindingId;
  severity: Severity;
  /** The domain's UUID for a domain finding, absent for a host finding. */
  domain?: string;
  /** The domain's name (from its XML) for a domain finding, when known. */
  domainName?: string;
  title: string;
  detail: string;
  /** Knowledge-base article ids, the finding's own first. */
  articles: string[];
}

/** libvirt's states as `virsh list` groups them. */
export type DomainState = 'running' | 'paused' | 'other-active' | 'shut-off';

/** The `<memballoon>` device of the domain XML; null on the domain when the XML has none or model='none'. */
export interface BalloonDevice {
  model: string;
  /** `autodeflate='on'` (QEMU deflate-on-oom); absent = off (libvirt's default); null when the value is not on/off. */
  deflateOnOom: boolean | null;
  /** `freePageReporting='on'`; absent = off; null when the value is not on/off. */
  freePageReporting: boolean | null;
  /** `<stats period='N'/>`: N seconds; 0 or absent = the guest sends no statistics (null when absent). */
  statsPeriodSeconds: number | null;
}

/** The balloon statistics (`virsh dommemstat`, or `domstats --balloon`), bytes. */
export interface DomainStats {
  source: 'domstats' | 'dommemstat';
  /** The balloon's current value: memory the guest has now (libvirt's `actual` / `balloon.current`). */
  actualBytes: number | null;
  unusedBytes: number | null;
  availableBytes: number | null;
  usableBytes: number | null;
  diskCachesBytes: number | null;
  swapInBytes: number | null;
  swapOutBytes: number | null;
  majorFaults: number | null;
  minorFaults: number | null;
  /** Resident memory of the QEMU process on the host. */
  rssBytes: number | null;
  /** When the guest last sent statistics, Unix seconds; null when it never did. */
  lastUpdate: number | null;
  /** Seconds between lastUpdate and the check; null when unknown. */
  lastUpdateAgeSeconds: number | null;
}

export interface DomainView {
  uuid: string;
  /** From the domain XML (never from a command line); null when the XML was unreadable. */
  name: string | null;
  state: DomainState;
  /** `<memory>`: the memory the domain boots with (its maximum balloon value). */
  configuredBytes: number | null;
  /** `<maxMemory>`: the hotplug ceiling, when set. */
  maxMemoryBytes: number | null;
  /** `<currentMemory>`: the balloon target. */
  currentBytes: number | null;
  balloon: BalloonDevice | null;
  stats: DomainStats | null;
  /** configured minus actual (or minus currentMemory when no statistics), never below 0; null when unknown. */
  balloonBytes: number | null;
  /** Why some figure is unknown, or why the domain could not be read at all. */
  unknown: string[];
  /** Worst finding of this domain ('ok' without one). */
  status: ReportStatus;
  findings: HostFinding[];
}

export interface KsmView {
  /** pages_sharing × page size: memory saved by sharing. */
  sharingBytes: number | null;
  /** pages_shared × page size: the shared pages themselves. */
  sharedBytes: number | null;
  /** /sys/kernel/mm/ksm/run: 1 running, 0 stopped, 2 unmerging. */
  run: number | null;
}

export interface HostMemory {
  /** Where the host figures come from. */
  source: 'nodememstats' | 'nodeinfo' | 'meminfo' | null;
  totalBytes: number | null;
  freeBytes: number | null;
  /** MemAvailable, or free + buffers + cached where only those are known. */
  availableBytes: number | null;
  swapTotalBytes: number | null;
  swapFreeBytes: number | null;
  /** null when KSM is not visible (remote URI, no /sys/kernel/mm/ksm). */
  ksm: KsmView | null;
}

export interface HostTotals {
  domains: number;
  activeDomains: number;
  /** Sum of `<memory>` over active domains. */
  configuredBytes: number | null;
  /** Sum of `<currentMemory>` over active domains. */
  currentBytes: number | null;
  /** Sum of the balloons over active domains whose balloon is known. */
  balloonBytes: number | null;
  /** configuredBytes / host totalBytes. */
  overcommitRatio: number | null;
  /** configuredBytes / (host totalBytes + swapTotalBytes). */
  overcommitWithSwapRatio: number | null;
}

export interface HostViewError {
  kind: 'no-virsh' | 'connect' | 'timeout' | 'transport' | 'bad-output';
  message: string;
}

export interface HostView {
  version: typeof HOST_VIEW_VERSION;
  /** Where virsh ran: this machine or an SSH host. */
  target: Target;
  /** The libvirt URI virsh connected to (as given, or the default). */
  uri: string;
  /** What `virsh uri` printed back, when it did. */
  resolvedUri: string | null;
  checkedAt: string;
  /** Worst of all findings: ok 0, warning 1, critical 2, unknown 3 (monitoring-plugin codes). */
  status: ReportStatus;
  /** Set when the host could not be read at all (no virsh, no connection, timeout); domains is then empty. */
  error: HostViewError | null;
  host: HostMemory;
  totals: HostTotals;
  domains: DomainView[];
  /** Host findings and every domain's findings, worst first. */
  findings: HostFinding[];
  /** Host-level reasons for unknown figures and virsh's messages that name no domain. */
  unknown: string[];
}

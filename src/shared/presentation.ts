/**
 * One home for how a report is shown: hypervisor names, the figure rows, the used/balloon/available split and
 * check times. Used by the CLI renderers (src/core/render), the tree, the status bar, the report page and the
 * fleet output. Pure: no vscode, no DOM, only types and units from src/core.
 */
import type { HypervisorKind } from '../core/facts';
import type { Report } from '../core/report';
import { formatBytes } from './units';

/** Hypervisor kinds, plus "any" for knowledge documents that apply to every hypervisor. */
export type HypervisorName = HypervisorKind | 'any';

/** `label` heads a row or a line ("Bare metal"); `phrase` stands inside a sentence ("on bare metal"). */
const HYPERVISOR_NAMES: Record<HypervisorName, { label: string; phrase: string }> = {
  vmware: { label: 'VMware', phrase: 'VMware' },
  kvm: { label: 'KVM', phrase: 'KVM' },
  hyperv: { label: 'Hyper-V', phrase: 'Hyper-V' },
  xen: { label: 'Xen', phrase: 'Xen' },
  other: { label: 'Other hypervisor', phrase: 'a hypervisor' },
  none: { label: 'Bare metal', phrase: 'bare metal' },
  unknown: { label: 'Unknown platform', phrase: 'an unknown platform' },
  any: { label: 'Any hypervisor', phrase: 'any hypervisor' },
};

const nameOf = (kind: string) => (Object.hasOwn(HYPERVISOR_NAMES, kind) ? HYPERVISOR_NAMES[kind as HypervisorName] : null);

/** "VMware", "Bare metal": a hypervisor kind as a label (an unknown kind as itself). */
export function hypervisorLabel(kind: string): string {
  return nameOf(kind)?.label ?? kind;
}

/** "VMware", "bare metal", "a hypervisor": a hypervisor kind inside a sentence. */
export function hypervisorPhrase(kind: string): string {
  return nameOf(kind)?.phrase ?? kind;
}

export interface FigureRow { name: string; value: string }

export interface FigureOptions {
  /** How the check time is shown: ISO by default (Markdown, JSON); the tree and the page pass a local clock. */
  time?: (iso: string) => string;
}

/** The figures behind a report as name/value rows: the Markdown report, the tree's "Facts" and the page's table. */
export function figureRows(report: Report, options: FigureOptions = {}): FigureRow[] {
  const rows: FigureRow[] = [];
  const add = (name: string, value: string) => rows.push({ name, value });
  const withSource = (bytes: number | null, source: string | null) => `${formatBytes(bytes)}${source ? ` (${source})` : ''}`;
  add('Hypervisor', `${hypervisorLabel(report.hypervisor.kind)}${report.hypervisor.product ? ` (${report.hypervisor.product})` : ''}`);
  add('Balloon driver', report.balloon.driver ?? 'none');
  add('Balloon size', withSource(report.balloon.currentBytes, report.balloon.source));
  // Xen's target is the memory the guest should have (xen_memory0 target_kb), not a balloon size.
  if (report.balloon.targetBytes !== null) add(report.balloon.driver === 'xen_balloon' ? 'Memory target' : 'Balloon target', formatBytes(report.balloon.targetBytes));
  add('Configured memory', withSource(report.memory.configuredBytes, report.memory.configuredSource));
  add('Memory limit', memoryLimitText(report));
  add('Reservation', formatBytes(report.limits.memReservationBytes));
  add('Host-swapped', formatBytes(report.limits.hostSwappedBytes));
  add('MemTotal', formatBytes(report.memory.totalBytes));
  add('MemAvailable', formatBytes(report.memory.availableBytes));
  add('Unaccounted used', formatBytes(report.memory.unaccountedBytes));
  add('Guest swap', report.memory.swapTotalBytes === null ? 'unknown' : `${formatBytes(report.memory.swapTotalBytes)} (${formatBytes(report.memory.swapFreeBytes)} free)`);
  if (report.trend) {
    const t = report.trend;
    add('Trend', `${t.direction}, balloon ${signedBytes(t.balloonDeltaBytes)} over ${Math.round(t.seconds)} s (${t.samples} samples)`);
  }
  add('Host name', report.guest.hostname ?? 'unknown');
  add('Kernel', report.guest.kernel ?? 'unknown');
  if (report.guest.insideContainer) add('Container', 'checked from inside a container');
  add('Checked', (options.time ?? ((iso: string) => iso))(report.collectedAt));
  return rows;
}

/** "12.0 GiB", "unlimited" (the guest can read the limit and there is none) or "unknown". */
export function memoryLimitText(report: Pick<Report, 'limits'>): string {
  const { memLimitBytes, memLimitKnown } = report.limits;
  if (memLimitBytes !== null) return formatBytes(memLimitBytes);
  return memLimitKnown ? 'unlimited' : 'unknown';
}

/** "+1.0 GiB", "-512 MiB", "unknown". */
export function signedBytes(bytes: number | null): string {
  return bytes === null ? 'unknown' : `${bytes >= 0 ? '+' : ''}${formatBytes(bytes)}`;
}

export interface MemorySplit {
  configured: number;
  used: number;
  balloon: number;
  available: number;
  limit: number | null;
}

/** Splits configured memory into used / balloon / available, as free(1) and the balloon driver see it; null when unknown. */
export function memorySplit(report: Pick<Report, 'memory' | 'balloon' | 'limits'>): MemorySplit | null {
  const total = report.memory.totalBytes;
  const available = report.memory.availableBytes;
  const configured = report.memory.configuredBytes ?? total;
  if (!configured || total === null || available === null) return null;
  const balloon = Math.max(report.balloon.currentBytes ?? 0, 0);
  // A VMware balloon stays inside MemTotal and shows as "used"; others leave MemTotal.
  const balloonInUsed = report.balloon.shrinksMemTotal === false;
  const used = Math.max(total - available - (balloonInUsed ? balloon : 0), 0);
  return { configured, used, balloon, available: Math.max(available, 0), limit: report.limits.memLimitBytes };
}

export interface TimeOptions {
  /** BCP 47 locale; the user's (the runtime's default) when absent. */
  locale?: string;
  /** IANA zone; the user's when absent. */
  timeZone?: string;
  /** Now, in ms since the epoch (tests pass a fixed one). */
  now?: number;
}

/**
 * A check time in the user's locale and zone: the clock time ("18:53:49") on the same day, date and time
 * otherwise. Text that is not a time comes back as it is.
 */
export function localTime(iso: string, options: TimeOptions = {}): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  const day = (ms: number) => new Date(ms).toLocaleDateString('en-CA', zone);
  const sameDay = day(at) === day(options.now ?? Date.now());
  const format: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', ...zone }
    : { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', ...zone };
  return new Date(at).toLocaleString(options.locale, format);
}

/** "just now", "40 s ago", "2 min ago", "3 h ago", "2 days ago"; "" for text that is not a time. */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return '';
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 0) return 'in the future';
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** "checked 18:53:49 (2 min ago)". */
export function checkedPhrase(iso: string, options: TimeOptions = {}): string {
  const ago = timeAgo(iso, options.now);
  return `checked ${localTime(iso, options)}${ago ? ` (${ago})` : ''}`;
}

/**
 * Findings of the host view. Each id has a knowledge article of the same id (knowledge/<id>.md).
 */
import { SEVERITY_RANK, type Severity } from '../rules';
import { formatBytes, MiB, percent } from '../units';
import { HOST_FINDING_ARTICLES, type DomainView, type HostFinding, type HostFindingId, type HostMemory, type HostTotals } from './model';

/** domain-ballooned: the balloon holds at least this share of `<memory>` (and BALLOONED_MIN_BYTES). */
export const BALLOONED_WARNING_FRACTION = 0.2;
export const BALLOONED_CRITICAL_FRACTION = 0.5;
/** A balloon smaller than this is noise (a guest just booted, a rounding of the target). */
export const BALLOONED_MIN_BYTES = 256 * MiB;
/** domain-usable-low: `usable` under these shares of what the guest has (actual). */
export const USABLE_WARNING_FRACTION = 0.1;
export const USABLE_CRITICAL_FRACTION = 0.05;
/** kvm-host-swapping: this much host swap in use, and the share of swap that is critical. */
export const HOST_SWAP_MIN_BYTES = 64 * MiB;
export const HOST_SWAP_CRITICAL_FRACTION = 0.5;

function finding(id: HostFindingId, severity: Severity, title: string, detail: string, domain?: DomainView): HostFinding {
  const found: HostFinding = { id, severity, title, detail, articles: [id, ...HOST_FINDING_ARTICLES[id]] };
  if (domain) { found.domain = domain.uuid; if (domain.name !== null) found.domainName = domain.name; }
  return found;
}

const ballooned = (domain: DomainView) => domain.balloonBytes !== null && domain.configuredBytes !== null
  && domain.balloonBytes >= BALLOONED_MIN_BYTES && domain.balloonBytes >= BALLOONED_WARNING_FRACTION * domain.configuredBytes;

const age = (domain: DomainView) => (domain.stats?.lastUpdateAgeSeconds !== null && domain.stats?.lastUpdateAgeSeconds !== undefined ? `; statistics ${domain.stats.lastUpdateAgeSeconds} s old` : '');

function balloonFinding(domain: DomainView): HostFinding | null {
  if (!ballooned(domain)) return null;
  const configured = domain.configuredBytes!;
  const size = domain.balloonBytes!;
  const severity: Severity = size >= BALLOONED_CRITICAL_FRACTION * configured ? 'critical' : 'warning';
  const has = configured - size;
  return finding('domain-ballooned', severity, 'The balloon holds much of this domain\'s memory',
    `balloon ${formatBytes(size)} (${percent(size, configured)} of the ${formatBytes(configured)} configured); the guest has ${formatBytes(has)}`, domain);
}

function usableFinding(domain: DomainView): HostFinding | null {
  const stats = domain.stats;
  if (!stats || stats.usableBytes === null || stats.actualBytes === null || stats.actualBytes === 0) return null;
  const share = stats.usableBytes / stats.actualBytes;
  if (share >= USABLE_WARNING_FRACTION) return null;
  const severity: Severity = share < USABLE_CRITICAL_FRACTION ? 'critical' : 'warning';
  const swap = stats.swapOutBytes ? `; it has swapped out ${formatBytes(stats.swapOutBytes)} since boot` : '';
  return finding('domain-usable-low', severity, 'The guest is nearly out of usable memory',
    `usable ${formatBytes(stats.usableBytes)} of the ${formatBytes(stats.actualBytes)} it has (${percent(stats.usableBytes, stats.actualBytes)})${swap}${age(domain)}`, domain);
}

function deflateFinding(domain: DomainView): HostFinding | null {
  if (!ballooned(domain) || !domain.balloon || domain.balloon.deflateOnOom === true) return null;
  return finding('domain-no-deflate-on-oom', 'warning', 'Ballooned, and the balloon will not deflate when the guest runs out',
    `balloon ${formatBytes(domain.balloonBytes)}; <memballoon model='${domain.balloon.model}'> has no autodeflate='on'`, domain);
}

function statsFinding(domain: DomainView): HostFinding | null {
  if (domain.state === 'shut-off' || !domain.balloon || (domain.balloon.statsPeriodSeconds ?? 0) > 0) return null;
  const said = domain.balloon.statsPeriodSeconds === 0 ? "<stats period='0'/>" : 'no <stats period>';
  return finding('domain-stats-disabled', ballooned(domain) ? 'warning' : 'info', 'The guest sends no memory statistics',
    `${said} on the balloon device: unused, available and usable memory are unknown or stale${ballooned(domain) ? `, while the balloon holds ${formatBytes(domain.balloonBytes)}` : ''}`, domain);
}

/** Findings of one domain, worst first. */
export function domainFindings(domain: DomainView): HostFinding[] {
  if (domain.state === 'shut-off') return [];
  return [balloonFinding(domain), usableFinding(domain), deflateFinding(domain), statsFinding(domain)]
    .filter((item): item is HostFinding => item !== null).sort(bySeverity);
}

function overcommitFinding(host: HostMemory, totals: HostTotals): HostFinding | null {
  if (host.totalBytes === null || totals.configuredBytes === null || totals.configuredBytes <= host.totalBytes) return null;
  const swapKnown = host.swapTotalBytes !== null;
  const room = host.totalBytes + (host.swapTotalBytes ?? 0);
  const figures = `running domains: ${formatBytes(totals.configuredBytes)} configured, ${formatBytes(totals.currentBytes)} current targets; host: ${formatBytes(host.totalBytes)} RAM, ${swapKnown ? `${formatBytes(host.swapTotalBytes)} swap` : 'swap unknown'}`;
  const beyond = swapKnown ? 'the host\'s RAM and swap' : 'the host\'s RAM (its swap is unknown)';
  if (totals.currentBytes !== null && totals.currentBytes > room) return finding('host-overcommitted', swapKnown ? 'critical' : 'warning', `The balloon targets of the running domains exceed ${beyond}`, figures);
  if (swapKnown && totals.configuredBytes > room) return finding('host-overcommitted', 'warning', 'The running domains are configured beyond the host\'s RAM and swap', figures);
  return finding('host-overcommitted', 'info', 'The running domains are configured beyond the host\'s RAM', figures);
}

function swappingFinding(host: HostMemory): HostFinding | null {
  if (host.swapTotalBytes === null || host.swapFreeBytes === null) return null;
  const used = host.swapTotalBytes - host.swapFreeBytes;
  if (used < HOST_SWAP_MIN_BYTES) return null;
  const severity: Severity = used >= HOST_SWAP_CRITICAL_FRACTION * host.swapTotalBytes ? 'critical' : 'warning';
  return finding('kvm-host-swapping', severity, 'The KVM host is using swap', `${formatBytes(used)} of ${formatBytes(host.swapTotalBytes)} swap in use on the host`);
}

export function hostFindings(host: HostMemory, totals: HostTotals): HostFinding[] {
  return [overcommitFinding(host, totals), swappingFinding(host)].filter((item): item is HostFinding => item !== null).sort(bySeverity);
}

export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];

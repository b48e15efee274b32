/**
 * Findings of the host view. Each id has a knowledge article of the same id (knowledge/<id>.md).
 */
import { SEVERITY_RANK, type Severity } from '../rules';
import type { Lang } from '../../shared/i18n';
import { MiB } from '../units';
import { hostMessages, type FindingWords, type HostMessages } from './messages';
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

function finding(id: HostFindingId, severity: Severity, words: FindingWords, domain?: DomainView): HostFinding {
  const found: HostFinding = { id, severity, title: words.title, detail: words.detail, articles: [id, ...HOST_FINDING_ARTICLES[id]] };
  if (domain) { found.domain = domain.uuid; if (domain.name !== null) found.domainName = domain.name; }
  return found;
}

const ballooned = (domain: DomainView) => domain.balloonBytes !== null && domain.configuredBytes !== null
  && domain.balloonBytes >= BALLOONED_MIN_BYTES && domain.balloonBytes >= BALLOONED_WARNING_FRACTION * domain.configuredBytes;

function balloonFinding(domain: DomainView, m: HostMessages): HostFinding | null {
  if (!ballooned(domain)) return null;
  const configured = domain.configuredBytes!;
  const size = domain.balloonBytes!;
  const severity: Severity = size >= BALLOONED_CRITICAL_FRACTION * configured ? 'critical' : 'warning';
  return finding('domain-ballooned', severity, m.ballooned({ size, configured, has: configured - size }), domain);
}

function usableFinding(domain: DomainView, m: HostMessages): HostFinding | null {
  const stats = domain.stats;
  if (!stats || stats.usableBytes === null || stats.actualBytes === null || stats.actualBytes === 0) return null;
  const share = stats.usableBytes / stats.actualBytes;
  if (share >= USABLE_WARNING_FRACTION) return null;
  const severity: Severity = share < USABLE_CRITICAL_FRACTION ? 'critical' : 'warning';
  return finding('domain-usable-low', severity, m.usableLow({ usable: stats.usableBytes, actual: stats.actualBytes, swapOut: stats.swapOutBytes, ageSeconds: stats.lastUpdateAgeSeconds }), domain);
}

function deflateFinding(domain: DomainView, m: HostMessages): HostFinding | null {
  if (!ballooned(domain) || !domain.balloon || domain.balloon.deflateOnOom === true) return null;
  return finding('domain-no-deflate-on-oom', 'warning', m.noDeflate({ size: domain.balloonBytes, model: domain.balloon.model }), domain);
}

function statsFinding(domain: DomainView, m: HostMessages): HostFinding | null {
  if (domain.state === 'shut-off' || !domain.balloon || (domain.balloon.statsPeriodSeconds ?? 0) > 0) return null;
  const words = m.statsDisabled({ periodZero: domain.balloon.statsPeriodSeconds === 0, ballooned: ballooned(domain) ? domain.balloonBytes : null });
  return finding('domain-stats-disabled', ballooned(domain) ? 'warning' : 'info', words, domain);
}

/** Findings of one domain, worst first, worded in `lang`. */
export function domainFindings(domain: DomainView, lang: Lang = 'en'): HostFinding[] {
  if (domain.state === 'shut-off') return [];
  const m = hostMessages(lang);
  return [balloonFinding(domain, m), usableFinding(domain, m), deflateFinding(domain, m), statsFinding(domain, m)]
    .filter((item): item is HostFinding => item !== null).sort(bySeverity);
}

function overcommitFinding(host: HostMemory, totals: HostTotals, m: HostMessages): HostFinding | null {
  if (host.totalBytes === null || totals.configuredBytes === null || totals.configuredBytes <= host.totalBytes) return null;
  const swapKnown = host.swapTotalBytes !== null;
  const room = host.totalBytes + (host.swapTotalBytes ?? 0);
  const words = (level: 'targets' | 'configured-swap' | 'configured-ram') => m.overcommitted({ level, swapKnown, configured: totals.configuredBytes, current: totals.currentBytes, ram: host.totalBytes, swap: host.swapTotalBytes });
  if (totals.currentBytes !== null && totals.currentBytes > room) return finding('host-overcommitted', swapKnown ? 'critical' : 'warning', words('targets'));
  if (swapKnown && totals.configuredBytes > room) return finding('host-overcommitted', 'warning', words('configured-swap'));
  return finding('host-overcommitted', 'info', words('configured-ram'));
}

function swappingFinding(host: HostMemory, m: HostMessages): HostFinding | null {
  if (host.swapTotalBytes === null || host.swapFreeBytes === null) return null;
  const used = host.swapTotalBytes - host.swapFreeBytes;
  if (used < HOST_SWAP_MIN_BYTES) return null;
  const severity: Severity = used >= HOST_SWAP_CRITICAL_FRACTION * host.swapTotalBytes ? 'critical' : 'warning';
  return finding('kvm-host-swapping', severity, m.hostSwapping({ used, total: host.swapTotalBytes }));
}

/** Findings of the host itself, worst first, worded in `lang`. */
export function hostFindings(host: HostMemory, totals: HostTotals, lang: Lang = 'en'): HostFinding[] {
  const m = hostMessages(lang);
  return [overcommitFinding(host, totals, m), swappingFinding(host, m)].filter((item): item is HostFinding => item !== null).sort(bySeverity);
}

export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];

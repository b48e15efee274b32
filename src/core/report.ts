import { collectFacts, type BalloonDriver, type GuestFacts, type HypervisorKind, type KernelFacts, type ProbeRecord } from './facts';
import { formatVersion } from './kernels';
import { diagnose, worstSeverity, type Finding } from './rules';
import { splitProbeOutput } from './sections';
import { computeTrend, type Sample, type Trend } from './trend';
import { MiB } from './units';
import type { VirtioMemDevice } from './parsers/virtiomem';
import type { Lang } from '../shared/i18n';

export type TargetKind = 'local' | 'ssh' | 'snapshot';
export interface Target { kind: TargetKind; name: string }

/** Overall verdict, in the monitoring-plugin sense. */
export type ReportStatus = 'ok' | 'warning' | 'critical' | 'unknown';
export const EXIT_CODES: Record<ReportStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** `balloon-check --format json`: valid against report.schema.json (version 1); extra fields are additions. */
export interface Report {
  schemaVersion: 1;
  target: Target;
  collectedAt: string;
  status: ReportStatus;
  hypervisor: { kind: HypervisorKind; product: string | null; evidence: string[] };
  memory: {
    totalBytes: number | null;
    availableBytes: number | null;
    configuredBytes: number | null;
    unaccountedBytes: number | null;
    configuredSource: string | null;
    swapTotalBytes: number | null;
    swapFreeBytes: number | null;
    /** "MemAvailable", or how availableBytes was estimated on a kernel without it; null when unknown. */
    availableSource?: string | null;
    /** Memory blocks online / offline (hot-added, never onlined), in bytes; null when not counted. */
    onlineBytes?: number | null;
    offlineBytes?: number | null;
  };
  /** The guest kernel as the kernel table sees it (src/core/kernels.ts). */
  kernel?: {
    release: string | null;
    version: string | null;
    distribution: string | null;
    pageSizeBytes: number | null;
    pageSizeSource: string;
    /** Whether ballooned pages leave MemTotal on this kernel, for this guest's driver, with the source. */
    memTotal: { value: string; range: string; source: string } | null;
    /** The balloon size sources this driver has on this kernel. */
    sizeSources: { name: string; available: string; note: string | null; source: string }[];
    deflateOnOom: { value: string; range: string; source: string } | null;
  };
  balloon: {
    driver: BalloonDriver | null;
    loaded: boolean;
    currentBytes: number | null;
    targetBytes: number | null;
    source: string | null;
    measurements: { source: string; bytes: number }[];
    shrinksMemTotal: boolean | null;
    deflateOnOom: boolean | null;
    /** What could not be measured on this kernel, and why. */
    notes?: string[];
    /** virtio feature bit 5 (VIRTIO_BALLOON_F_REPORTING): the guest hands free pages back to the host. */
    freePageReporting: boolean | null;
  };
  /** virtio-mem devices: hot-plugged memory the host can grow or shrink; never counted as a balloon. */
  virtioMem: VirtioMemDevice[];
  limits: { memLimitBytes: number | null; memReservationBytes: number | null; hostSwappedBytes: number | null; memLimitKnown: boolean };
  findings: Finding[];
  probes: ProbeRecord[];
  guest: { hostname: string | null; kernel: string | null; insideContainer: boolean };
  trend?: Trend;
}

export function reportStatus(facts: GuestFacts, findings: readonly Finding[]): ReportStatus {
  const worst = worstSeverity(findings);
  if (worst === 'critical' || worst === 'warning') return worst;
  if (facts.memory.totalBytes === null || facts.hypervisor.kind === 'unknown') return 'unknown';
  // A balloon driver is there but no source gave its size: "ok" would vouch for what was not seen.
  if (facts.balloon.loaded && facts.balloon.currentBytes === null) return 'unknown';
  return 'ok';
}

export function buildReport(target: Target, facts: GuestFacts, collectedAt: Date, trend?: Trend): Report {
  const findings = diagnose(facts, trend);
  const mib = (value: number | null) => (value === null ? null : value * MiB);
  return {
    schemaVersion: 1,
    target,
    collectedAt: collectedAt.toISOString(),
    status: reportStatus(facts, findings),
    hypervisor: facts.hypervisor,
    memory: {
      totalBytes: facts.memory.totalBytes,
      availableBytes: facts.memory.availableBytes,
      configuredBytes: facts.memory.configuredBytes,
      unaccountedBytes: facts.memory.unaccountedBytes,
      configuredSource: facts.memory.configuredSource,
      swapTotalBytes: facts.memory.swapTotalBytes,
      swapFreeBytes: facts.memory.swapFreeBytes,
      availableSource: facts.memory.availableSource ?? null,
      onlineBytes: facts.memory.onlineBytes ?? null,
      offlineBytes: facts.memory.offlineBytes ?? null,
    },
    ...(facts.kernel ? { kernel: kernelSummary(facts.kernel) } : {}),
    balloon: {
      driver: facts.balloon.driver,
      loaded: facts.balloon.loaded,
      currentBytes: facts.balloon.currentBytes,
      targetBytes: facts.balloon.targetBytes,
      source: facts.balloon.source,
      measurements: facts.balloon.measurements,
      shrinksMemTotal: facts.balloon.shrinksMemTotal,
      deflateOnOom: facts.virtio.features ? facts.virtio.features.deflateOnOom : null,
      notes: facts.balloon.notes ?? [],
      freePageReporting: facts.virtio.features ? facts.virtio.features.freePageReporting : null,
    },
    virtioMem: facts.virtioMem,
    limits: {
      memLimitBytes: mib(facts.vmware.limitMiB),
      memReservationBytes: mib(facts.vmware.reservationMiB),
      hostSwappedBytes: mib(facts.vmware.swappedMiB),
      memLimitKnown: facts.vmware.limitKnown,
    },
    findings,
    probes: facts.probes,
    guest: { hostname: facts.meta.hostname, kernel: facts.meta.kernel, insideContainer: facts.container.inside },
    ...(trend ? { trend } : {}),
  };
}

function kernelSummary(kernel: KernelFacts): NonNullable<Report['kernel']> {
  const behaviour = kernel.behaviour;
  const cited = (value: { value: unknown; range: string; source: string } | null | undefined) =>
    value ? { value: String(value.value), range: value.range, source: value.source } : null;
  return {
    release: kernel.release?.raw ?? null,
    version: kernel.release ? formatVersion(kernel.release.version) : null,
    distribution: kernel.release?.distribution ?? null,
    pageSizeBytes: kernel.pageSizeBytes,
    pageSizeSource: kernel.pageSizeSource,
    memTotal: cited(behaviour?.memTotal),
    sizeSources: behaviour?.sources.map(({ name, available, note, source }) => ({ name, available, note, source })) ?? [],
    deflateOnOom: cited(behaviour?.deflateOnOom),
  };
}

/**
 * The same report with its findings worded in `lang` (same ids, severities, articles and figures), for the text
 * and Markdown views; the JSON report stays English.
 */
export function localizeReport(report: Report, facts: GuestFacts, lang: Lang): Report {
  return lang === 'en' ? report : { ...report, findings: diagnose(facts, report.trend, lang) };
}

export type Analysis = { ok: true; report: Report; facts: GuestFacts } | { ok: false; reason: string };

/** The whole engine for one sample: probe text → sections → facts → findings → report. */
export function analyzeProbeOutput(text: string, target: Target, collectedAt = new Date(), history: readonly Sample[] = []): Analysis {
  const split = splitProbeOutput(text);
  if (!split.ok) return { ok: false, reason: split.reason };
  const facts = collectFacts(split.output);
  const trend = computeTrend([...history, { at: collectedAt, facts }]);
  return { ok: true, report: buildReport(target, facts, collectedAt, trend), facts };
}

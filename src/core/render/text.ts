import type { Report } from '../report';
import type { Severity } from '../rules';
import { figureRows, hypervisorPhrase, memorySplit, signedBytes } from '../../shared/presentation';
import { formatBytes } from '../units';
import { printableDeep } from './printable';

export interface TextOptions { color: boolean; width?: number }

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', green: '\x1b[32m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

/** The memory bar: used | balloon | available across configured memory, with the limit marked. */
export function memoryBar(report: Report, width = 48): string[] {
  const split = memorySplit(report);
  if (!split) return ['Memory  (figures unknown)'];
  const { configured, used, balloon, available } = split;
  const cells = (bytes: number) => Math.max(0, Math.round((bytes / configured) * width));
  const usedCells = cells(used);
  const balloonCells = Math.min(cells(balloon), width - usedCells);
  const availableCells = Math.min(cells(available), width - usedCells - balloonCells);
  const bar = ('█'.repeat(usedCells) + '▒'.repeat(balloonCells) + '░'.repeat(availableCells)).padEnd(width, ' ');
  const out = [`Memory  [${bar}] ${formatBytes(configured)} configured`];
  const limit = split.limit;
  if (limit !== null && limit < configured) {
    const at = Math.min(cells(limit), width - 1);
    out.push(`         ${' '.repeat(at)}^ limit ${formatBytes(limit)}`);
  }
  // Kernels without MemAvailable (RHEL 5, RHEL 6 before 6.6): the figure is MemFree + Buffers + Cached.
  const estimated = report.memory.availableSource?.startsWith('estimate') ? ' (estimate: MemFree + Buffers + Cached)' : '';
  out.push(`        █ used ${formatBytes(used)}   ▒ balloon ${formatBytes(balloon)}   ░ available ${formatBytes(available)}${estimated}`);
  return out;
}

export function renderText(report: Report, options: TextOptions): string {
  report = printableDeep(report);
  const paint = (code: keyof typeof ANSI, text: string) => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const severityColor: Record<Severity, keyof typeof ANSI> = { critical: 'red', warning: 'yellow', info: 'cyan' };
  const statusColor = { ok: 'green', warning: 'yellow', critical: 'red', unknown: 'dim' } as const;
  const hv = hypervisorPhrase(report.hypervisor.kind) + (report.hypervisor.product ? `, ${report.hypervisor.product}` : '');
  const lines: string[] = [];
  lines.push(`${paint('bold', `Balloon Inspector — ${report.target.name}`)} (${hv})  ${paint(statusColor[report.status], report.status.toUpperCase())}`);
  lines.push('');
  if (report.findings.length === 0) {
    lines.push(report.status === 'unknown' ? 'No findings, but the guest could not be fully checked (see Probes below).' : 'No findings: nothing is taking memory from this guest.');
  }
  for (const finding of report.findings) {
    lines.push(`${paint(severityColor[finding.severity], finding.severity.toUpperCase().padEnd(8))} ${paint('bold', finding.title)}`);
    lines.push(`         ${finding.detail}`);
    lines.push(`         ${paint('dim', `[${finding.id}] read: ${finding.articles.join(', ')}`)}`);
  }
  lines.push('');
  lines.push(...memoryBar(report, options.width));
  lines.push('');
  const b = report.balloon;
  lines.push(`Balloon   ${b.driver ?? 'no driver'}${b.currentBytes !== null ? `, ${formatBytes(b.currentBytes)}` : ', size unknown'}${b.targetBytes !== null && b.driver !== 'xen_balloon' ? ` (target ${formatBytes(b.targetBytes)})` : ''}${b.source ? `  from ${b.source}` : ''}`);
  for (const m of report.virtioMem ?? []) {
    const requested = m.requestedBytes !== null ? `requested ${formatBytes(m.requestedBytes)}` : 'requested unknown (no kernel log)';
    const added = m.addedBytes !== null ? `${formatBytes(m.addedBytes)} added to Linux (plugged is at most that)` : `added unknown (${m.addedUnknownReason})`;
    lines.push(`virtio-mem ${m.device}: ${requested}${m.regionBytes !== null ? ` of a ${formatBytes(m.regionBytes)} region` : ''}, ${added}; hot-plugged memory, not a balloon`);
  }
  // The figure rows of every view (src/shared/presentation.ts), two lines of them.
  const figures = new Map(figureRows(report).map((row) => [row.name, row.value]));
  const figureLine = (names: string[]) => names.filter((name) => figures.has(name)).map((name) => `${name} ${figures.get(name)}`).join('   ');
  // Limits are a VMware notion the guest can read only through VMware Tools.
  if (report.hypervisor.kind === 'vmware') {
    const needsTools = report.limits.memLimitBytes === null && !report.limits.memLimitKnown ? ' (needs VMware Tools)' : '';
    lines.push(`Limits    ${figureLine(['Memory limit'])}${needsTools}   ${figureLine(['Reservation', 'Host-swapped'])}`);
  }
  lines.push(`Memory    ${figureLine(['MemTotal', 'Configured memory', 'Unaccounted used', 'Guest swap'])}`);
  if (report.trend) {
    const t = report.trend;
    lines.push(`Trend     ${t.direction} over ${Math.round(t.seconds)} s (${t.samples} samples): balloon ${signedBytes(t.balloonDeltaBytes)}, swap in/out ${t.swapInPerSecond?.toFixed(1) ?? '?'}/${t.swapOutPerSecond?.toFixed(1) ?? '?'} pages/s, major faults ${t.majorFaultsPerSecond?.toFixed(1) ?? '?'}/s`);
  }
  lines.push(`Evidence  ${report.hypervisor.evidence.join('; ') || 'none'}`);
  const notOk = report.probes.filter((probe) => probe.status !== 'ok' && probe.status !== 'absent');
  if (notOk.length) lines.push(`Probes    ${notOk.map((probe) => `${probe.id}: ${probe.status}${probe.detail ? ` (${probe.detail})` : ''}`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}

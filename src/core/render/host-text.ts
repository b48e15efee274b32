import type { DomainView, HostFinding, HostView } from '../libvirt/model';
import type { ReportStatus } from '../report';
import { formatBytes, percent } from '../units';
import { printableDeep } from './printable';

export interface HostTextOptions { color: boolean }

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', green: '\x1b[32m', bold: '\x1b[1m', reset: '\x1b[0m' };
const STATUS_WORD: Record<ReportStatus, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };
const STATUS_COLOR: Record<ReportStatus, string> = { ok: ANSI.green, warning: ANSI.yellow, critical: ANSI.red, unknown: ANSI.cyan };
const SEVERITY_COLOR = { critical: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan } as const;
const STATE_WORD: Record<DomainView['state'], string> = { running: 'running', paused: 'paused', 'other-active': 'active', 'shut-off': 'shut off' };

/** A domain's name for a table cell: printable, at most 28 columns. */
export const domainLabel = (domain: Pick<DomainView, 'name' | 'uuid'>, width = 28): string => {
  const name = domain.name ?? domain.uuid;
  return name.length > width ? `${name.slice(0, width - 1)}…` : name;
};

const onOff = (value: boolean | null | undefined) => (value === true ? 'on' : value === false ? 'off' : '-');

function hostLines(view: HostView): string[] {
  const { host, totals } = view;
  const swap = host.swapTotalBytes === null ? 'swap unknown' : `swap ${formatBytes(host.swapTotalBytes - (host.swapFreeBytes ?? host.swapTotalBytes))} used of ${formatBytes(host.swapTotalBytes)}`;
  const ratio = totals.overcommitRatio === null ? '' : ` (${totals.overcommitRatio.toFixed(2)}× RAM)`;
  const lines = [
    `Host      RAM ${formatBytes(host.totalBytes)}, available ${formatBytes(host.availableBytes ?? host.freeBytes)}, ${swap}${host.source ? `  from ${host.source}` : ''}`,
    `Domains   ${totals.activeDomains} of ${totals.domains} active: ${formatBytes(totals.configuredBytes)} configured${ratio}, ${formatBytes(totals.currentBytes)} current, balloons ${formatBytes(totals.balloonBytes)}`,
  ];
  if (host.ksm) lines.push(`KSM       ${host.ksm.run === 1 ? 'running' : host.ksm.run === 0 ? 'stopped' : 'state unknown'}, saving ${formatBytes(host.ksm.sharingBytes)}`);
  return lines;
}

function domainRow(domain: DomainView): string[] {
  const stats = domain.stats;
  const balloon = domain.balloonBytes === null ? 'unknown' : `${formatBytes(domain.balloonBytes)}${domain.configuredBytes ? ` ${percent(domain.balloonBytes, domain.configuredBytes)}` : ''}`;
  const period = domain.balloon?.statsPeriodSeconds;
  return [
    domainLabel(domain), STATE_WORD[domain.state], formatBytes(domain.configuredBytes), formatBytes(domain.currentBytes),
    domain.state === 'shut-off' ? '-' : formatBytes(stats?.actualBytes), domain.state === 'shut-off' ? '-' : balloon,
    domain.state === 'shut-off' ? '-' : formatBytes(stats?.usableBytes), domain.balloon ? onOff(domain.balloon.deflateOnOom) : 'no balloon',
    period === null || period === undefined ? '-' : `${period} s`, STATUS_WORD[domain.status],
  ];
}

/** Columns padded to the widest cell; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] + (cell.length - [...cell].length)))).join('  '));
}

function findingLine(finding: HostFinding, view: HostView, color: (text: string, code: string) => string): string {
  const domain = finding.domain ? view.domains.find((item) => item.uuid === finding.domain) : undefined;
  const where = domain ? `${domainLabel(domain, 40)}: ` : 'host: ';
  return `${color(finding.severity.toUpperCase().padEnd(9), SEVERITY_COLOR[finding.severity])}${where}${finding.title} — ${finding.detail}  [${finding.id}]`;
}

/** The host view as text: host figures, a table of domains worst first, then the findings. */
export function renderHostText(input: HostView, options: HostTextOptions): string {
  const view = printableDeep(input);
  const color = (text: string, code: string) => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const out = [`${color('KVM host', ANSI.bold)} ${view.target.name} (${view.resolvedUri ?? view.uri}) — ${color(STATUS_WORD[view.status], STATUS_COLOR[view.status])}`];
  if (view.error) {
    out.push(`Not read: ${view.error.message} (${view.error.kind})`);
    return `${out.join('\n')}\n`;
  }
  out.push(...hostLines(view), '');
  if (view.domains.length) {
    out.push(...table([['DOMAIN', 'STATE', 'CONFIGURED', 'CURRENT', 'ACTUAL', 'BALLOON', 'USABLE', 'DEFLATE-ON-OOM', 'STATS', 'STATUS'], ...view.domains.map(domainRow)]), '');
  } else out.push('No domains.', '');
  out.push(view.findings.length ? 'Findings' : 'No findings.');
  for (const finding of view.findings) out.push(findingLine(finding, view, color));
  const unknowns = [...view.unknown, ...view.domains.flatMap((domain) => domain.unknown.map((reason) => `${domainLabel(domain, 40)}: ${reason}`))];
  if (unknowns.length) out.push('', 'Unknown', ...unknowns.map((line) => `- ${line}`));
  return `${out.join('\n')}\n`;
}

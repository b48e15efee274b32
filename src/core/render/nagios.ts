// Monitoring-plugin output (Nagios, Icinga, Naemon, Sensu...): one status line, performance data
// after `|`, long output below. Format and threshold ranges follow the monitoring-plugins
// development guidelines (https://www.monitoring-plugins.org/doc/guidelines.html).
import { GiB, formatBytes } from '../units';
import type { Report, ReportStatus } from '../report';

/**
 * A threshold range: `[@]start:end`; start 0 when left out, `~` is minus infinity, an empty end is
 * infinity. Alert when the value is outside [start, end] (inclusive), or inside it with `@`.
 */
export interface ThresholdRange { text: string; start: number; end: number; inside: boolean }

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Parses a range of the guidelines; throws a readable Error on anything else. */
export function parseRange(text: string): ThresholdRange {
  let body = text.trim();
  if (!body) throw new Error('an empty threshold range');
  const inside = body.startsWith('@');
  if (inside) body = body.slice(1);
  const colon = body.indexOf(':');
  const startText = colon < 0 ? '0' : body.slice(0, colon);
  const endText = colon < 0 ? body : body.slice(colon + 1);
  let start: number;
  if (startText === '~') start = -Infinity;
  else if (NUMBER.test(startText)) start = Number(startText);
  else throw new Error(`threshold range ${JSON.stringify(text)}: start ${JSON.stringify(startText)} is not a number or ~`);
  let end: number;
  if (endText === '' && colon >= 0) end = Infinity;
  else if (NUMBER.test(endText)) end = Number(endText);
  else throw new Error(`threshold range ${JSON.stringify(text)}: end ${JSON.stringify(endText)} is not a number`);
  if (start > end) throw new Error(`threshold range ${JSON.stringify(text)}: start ${start} is above end ${end}`);
  return { text: text.trim(), start, end, inside };
}

/** Whether `value` raises an alert for this range. */
export function rangeAlerts(range: ThresholdRange, value: number): boolean {
  const within = value >= range.start && value <= range.end;
  return range.inside ? within : !within;
}

export interface NagiosThresholds { warning?: ThresholdRange; critical?: ThresholdRange }

/** Order in which plugin states combine (monitoring-plugins' max_state_alt): CRITICAL > WARNING > UNKNOWN > OK. */
const STATE_ORDER: Record<ReportStatus, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };
const worse = (a: ReportStatus, b: ReportStatus): ReportStatus => (STATE_ORDER[b] > STATE_ORDER[a] ? b : a);

/** The balloon's size: 0 without a driver, unless the check could not judge (then unknown, never 0). */
function balloonBytes(report: Report): number | null {
  if (report.balloon.driver) return report.balloon.currentBytes ?? null;
  return report.status === 'unknown' ? null : 0;
}

/** Balloon size as a percentage of configured memory, or null when either is unknown. */
export function balloonSharePercent(report: Report): number | null {
  const balloon = balloonBytes(report);
  const configured = report.memory.configuredBytes;
  if (balloon === null || configured === null || !(configured > 0)) return null;
  return (balloon / configured) * 100;
}

/** The check's own verdict made worse (never better) by the share thresholds; unknown share with thresholds is UNKNOWN. */
export function nagiosState(report: Report, thresholds: NagiosThresholds): ReportStatus {
  let state = report.status;
  if (!thresholds.warning && !thresholds.critical) return state;
  const share = balloonSharePercent(report);
  if (share === null) return worse(state, 'unknown');
  if (thresholds.critical && rangeAlerts(thresholds.critical, share)) state = worse(state, 'critical');
  else if (thresholds.warning && rangeAlerts(thresholds.warning, share)) state = worse(state, 'warning');
  return state;
}

/** Text for the status line and long output: `|` starts performance data, so it never appears in text. */
const plain = (text: string) => text.replace(/\|/g, '/').replace(/[\r\n]+/g, ' ');

/** A label: any character but `'` and `=` (guidelines); quoted because labels may hold spaces. */
const label = (text: string) => `'${text.replace(/['=]/g, '_')}'`;

/** A number as perfdata wants it: plain decimal, no exponent, at most 3 decimals. */
const num = (value: number) => (Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : '');
const gb = (bytes: number) => num(bytes / GiB);

/** A range in perfdata form, scaled (share % → GB of configured memory). */
function scaledRange(range: ThresholdRange | undefined, scale: number): string {
  if (!range) return '';
  const start = range.start === -Infinity ? '~' : num(range.start * scale);
  const end = range.end === Infinity ? '' : num(range.end * scale);
  const body = start === '0' && end !== '' ? end : `${start}:${end}`;
  return `${range.inside ? '@' : ''}${body}`;
}

/** Performance data of one guest; `prefix` tells hosts apart in fleets. */
export function perfData(report: Report, thresholds: NagiosThresholds, prefix = ''): string[] {
  const out: string[] = [];
  const configured = report.memory.configuredBytes;
  const balloon = balloonBytes(report);
  const share = balloonSharePercent(report);
  const toGb = configured !== null && configured > 0 ? configured / GiB / 100 : null;
  if (balloon !== null) {
    const warn = toGb !== null ? scaledRange(thresholds.warning, toGb) : '';
    const crit = toGb !== null ? scaledRange(thresholds.critical, toGb) : '';
    out.push(`${label(`${prefix}balloon`)}=${gb(balloon)}GB;${warn};${crit};0;${configured !== null ? gb(configured) : ''}`);
  }
  if (share !== null) out.push(`${label(`${prefix}balloon_share`)}=${num(share)}%;${scaledRange(thresholds.warning, 1)};${scaledRange(thresholds.critical, 1)};0;100`);
  if (configured !== null) out.push(`${label(`${prefix}configured`)}=${gb(configured)}GB;;;0;`);
  if (report.limits.memLimitBytes !== null) out.push(`${label(`${prefix}limit`)}=${gb(report.limits.memLimitBytes)}GB;;;0;`);
  if (report.memory.availableBytes !== null) out.push(`${label(`${prefix}available`)}=${gb(report.memory.availableBytes)}GB;;;0;${report.memory.totalBytes !== null ? gb(report.memory.totalBytes) : ''}`);
  if (report.limits.hostSwappedBytes !== null) out.push(`${label(`${prefix}host_swapped`)}=${gb(report.limits.hostSwappedBytes)}GB;;;0;`);
  return out;
}

/** "balloon 20.0 GiB of 32.0 GiB configured (62.5%), limit 12.0 GiB". */
function figures(report: Report): string {
  const share = balloonSharePercent(report);
  const parts = [
    !report.balloon.driver && report.status === 'unknown' ? `too few readable signals to judge (hypervisor ${report.hypervisor.kind})` : report.balloon.driver
      ? `balloon ${formatBytes(report.balloon.currentBytes)}${report.memory.configuredBytes !== null ? ` of ${formatBytes(report.memory.configuredBytes)} configured` : ''}${share !== null ? ` (${num(share)}%)` : ''}`
      : 'no balloon driver',
    report.limits.memLimitBytes !== null ? `limit ${formatBytes(report.limits.memLimitBytes)}` : null,
  ];
  return parts.filter(Boolean).join(', ');
}

function headline(report: Report): string {
  const top = report.findings.find((finding) => finding.severity === 'critical') ?? report.findings.find((finding) => finding.severity === 'warning');
  return `${figures(report)}${top ? ` - ${top.title}` : ''}`;
}

export interface NagiosOutput { text: string; state: ReportStatus }

const statusLine = (state: ReportStatus, text: string, perf: string[]) => `BALLOON ${state.toUpperCase()} - ${plain(text)}${perf.length ? `|${perf.join(' ')}` : ''}`;

/** One guest: status line with perfdata, then each finding as long output. */
export function renderNagios(report: Report, thresholds: NagiosThresholds = {}): NagiosOutput {
  const state = nagiosState(report, thresholds);
  const lines = [statusLine(state, headline(report), perfData(report, thresholds))];
  for (const finding of report.findings) lines.push(plain(`[${finding.severity}] ${finding.title} (${finding.id})`));
  return { text: `${lines.join('\n')}\n`, state };
}

/** One host of a fleet: its report, or why it could not be checked. */
export type NagiosHost = { name: string; report: Report } | { name: string; error: string };

/** A fleet: the worst host decides; perfdata of every host, labels prefixed with the host; one long-output line per host, worst first. */
export function renderNagiosFleet(hosts: readonly NagiosHost[], thresholds: NagiosThresholds = {}): NagiosOutput {
  const rows = hosts.map((host) => ({ host, state: 'report' in host ? nagiosState(host.report, thresholds) : 'unknown' as ReportStatus }));
  const state = hosts.length ? rows.reduce<ReportStatus>((acc, row) => worse(acc, row.state), 'ok') : 'unknown';
  const count = (wanted: ReportStatus) => rows.filter((row) => row.state === wanted).length;
  const sorted = [...rows].sort((a, b) => STATE_ORDER[b.state] - STATE_ORDER[a.state] || a.host.name.localeCompare(b.host.name));
  const worst = sorted[0];
  const summary = `${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${count('critical')} critical, ${count('warning')} warning, ${count('unknown')} unknown, ${count('ok')} ok` +
    (worst && worst.state !== 'ok' ? `; worst ${worst.host.name}: ${'report' in worst.host ? headline(worst.host.report) : worst.host.error}` : '');
  const perf: string[] = [];
  for (const { host } of rows) if ('report' in host) for (const item of perfData(host.report, thresholds, `${host.name} `)) perf.push(item);
  const lines = [statusLine(state, summary, perf)];
  for (const row of sorted) lines.push(plain(`${row.state.toUpperCase()} ${row.host.name}: ${'report' in row.host ? headline(row.host.report) : `cannot be checked: ${row.host.error}`}`));
  return { text: `${lines.join('\n')}\n`, state };
}

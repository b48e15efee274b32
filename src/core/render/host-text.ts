import { DEFAULT_LANG, formatDecimal, type Lang, type PerLang } from '../../shared/i18n';
import { statusBadge } from '../../shared/verdict';
import type { DomainView, HostFinding, HostView } from '../libvirt/model';
import type { ReportStatus } from '../report';
import type { Severity } from '../rules';
import { formatBytes, percent } from '../units';
import { printableDeep } from './printable';

export interface HostTextOptions { color: boolean; lang?: Lang }

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', green: '\x1b[32m', bold: '\x1b[1m', reset: '\x1b[0m' };
const STATUS_COLOR: Record<ReportStatus, string> = { ok: ANSI.green, warning: ANSI.yellow, critical: ANSI.red, unknown: ANSI.cyan };
const SEVERITY_COLOR = { critical: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan } as const;

/** The host view's own words (text and Markdown); findings come worded already (buildHostView's `lang`). */
export interface HostWords {
  kvmHost: string; notRead: string; severity: Record<Severity, string>;
  state: Record<DomainView['state'], string>; unknown: string; noBalloon: string;
  host: string; domains: string; ram: string; available: string; swapUnknown: string; swapUsed: (used: string, total: string) => string; from: string;
  activeOf: (active: number, all: number) => string; configured: string; xRam: (ratio: string) => string; current: string; balloons: string;
  ksm: (state: 'running' | 'stopped' | 'unknown', saving: string) => string; noDomains: string; findings: string; noFindings: string; unknowns: string;
  columns: string[];
}

export const HOST_WORDS: PerLang<HostWords> = {
  en: {
    kvmHost: 'KVM host', notRead: 'Not read',
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' }, state: { running: 'running', paused: 'paused', 'other-active': 'active', 'shut-off': 'shut off' },
    unknown: 'unknown', noBalloon: 'no balloon', host: 'Host', domains: 'Domains', ram: 'RAM', available: 'available', swapUnknown: 'swap unknown',
    swapUsed: (used, total) => `swap ${used} used of ${total}`, from: 'from', activeOf: (active, all) => `${active} of ${all} active`, configured: 'configured',
    xRam: (ratio) => `${ratio}× RAM`, current: 'current', balloons: 'balloons',
    ksm: (state, saving) => `${state === 'running' ? 'running' : state === 'stopped' ? 'stopped' : 'state unknown'}, saving ${saving}`,
    noDomains: 'No domains.', findings: 'Findings', noFindings: 'No findings.', unknowns: 'Unknown',
    columns: ['DOMAIN', 'STATE', 'CONFIGURED', 'CURRENT', 'ACTUAL', 'BALLOON', 'USABLE', 'DEFLATE-ON-OOM', 'STATS', 'STATUS'],
  },
  es: {
    kvmHost: 'Host KVM', notRead: 'No leído',
    severity: { critical: 'CRÍTICO', warning: 'AVISO', info: 'INFO' }, state: { running: 'en ejecución', paused: 'en pausa', 'other-active': 'activo', 'shut-off': 'apagado' },
    unknown: 'desconocido', noBalloon: 'sin balloon', host: 'Host', domains: 'Dominios', ram: 'RAM', available: 'disponible', swapUnknown: 'swap desconocido',
    swapUsed: (used, total) => `swap: ${used} en uso de ${total}`, from: 'según', activeOf: (active, all) => `${active} de ${all} activos`, configured: 'configurados',
    xRam: (ratio) => `${ratio}× la RAM`, current: 'de objetivos actuales', balloons: 'balloons',
    ksm: (state, saving) => `${state === 'running' ? 'en marcha' : state === 'stopped' ? 'parado' : 'estado desconocido'}, ahorra ${saving}`,
    noDomains: 'Sin dominios.', findings: 'Hallazgos', noFindings: 'Sin hallazgos.', unknowns: 'Desconocido',
    columns: ['DOMINIO', 'ESTADO', 'CONFIGURADA', 'OBJETIVO', 'ACTUAL', 'BALLOON', 'USABLE', 'DEFLATE-ON-OOM', 'ESTADÍSTICAS', 'VEREDICTO'],
  },
};

/** A domain's name for a table cell: printable, at most 28 columns. */
export const domainLabel = (domain: Pick<DomainView, 'name' | 'uuid'>, width = 28): string => {
  const name = domain.name ?? domain.uuid;
  return name.length > width ? `${name.slice(0, width - 1)}…` : name;
};

const onOff = (value: boolean | null | undefined) => (value === true ? 'on' : value === false ? 'off' : '-');

function hostLines(view: HostView, lang: Lang): string[] {
  const { host, totals } = view;
  const w = HOST_WORDS[lang];
  const b = (value: number | null | undefined) => formatBytes(value, lang);
  const swap = host.swapTotalBytes === null ? w.swapUnknown : w.swapUsed(b(host.swapTotalBytes - (host.swapFreeBytes ?? host.swapTotalBytes)), b(host.swapTotalBytes));
  const ratio = totals.overcommitRatio === null ? '' : ` (${w.xRam(formatDecimal(totals.overcommitRatio, 2, lang))})`;
  const lines = [
    `${w.host.padEnd(10)}${w.ram} ${b(host.totalBytes)}, ${w.available} ${b(host.availableBytes ?? host.freeBytes)}, ${swap}${host.source ? `  ${w.from} ${host.source}` : ''}`,
    `${w.domains.padEnd(10)}${w.activeOf(totals.activeDomains, totals.domains)}: ${b(totals.configuredBytes)} ${w.configured}${ratio}, ${b(totals.currentBytes)} ${w.current}, ${w.balloons} ${b(totals.balloonBytes)}`,
  ];
  if (host.ksm) lines.push(`${'KSM'.padEnd(10)}${w.ksm(host.ksm.run === 1 ? 'running' : host.ksm.run === 0 ? 'stopped' : 'unknown', b(host.ksm.sharingBytes))}`);
  return lines;
}

function domainRow(domain: DomainView, lang: Lang): string[] {
  const w = HOST_WORDS[lang];
  const b = (value: number | null | undefined) => formatBytes(value, lang);
  const stats = domain.stats;
  const off = domain.state === 'shut-off';
  const balloon = domain.balloonBytes === null ? w.unknown : `${b(domain.balloonBytes)}${domain.configuredBytes ? ` ${percent(domain.balloonBytes, domain.configuredBytes, lang)}` : ''}`;
  const period = domain.balloon?.statsPeriodSeconds;
  return [
    domainLabel(domain), w.state[domain.state], b(domain.configuredBytes), b(domain.currentBytes), off ? '-' : b(stats?.actualBytes), off ? '-' : balloon,
    off ? '-' : b(stats?.usableBytes), domain.balloon ? onOff(domain.balloon.deflateOnOom) : w.noBalloon,
    period === null || period === undefined ? '-' : `${period} s`, statusBadge(domain.status, lang),
  ];
}

/** Columns padded to the widest cell; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] + (cell.length - [...cell].length)))).join('  '));
}

function findingLine(finding: HostFinding, view: HostView, lang: Lang, color: (text: string, code: string) => string): string {
  const domain = finding.domain ? view.domains.find((item) => item.uuid === finding.domain) : undefined;
  const where = domain ? `${domainLabel(domain, 40)}: ` : 'host: ';
  return `${color(HOST_WORDS[lang].severity[finding.severity].padEnd(9), SEVERITY_COLOR[finding.severity])}${where}${finding.title} — ${finding.detail}  [${finding.id}]`;
}

/** The host view as text: host figures, a table of domains worst first, then the findings. */
export function renderHostText(input: HostView, options: HostTextOptions): string {
  const view = printableDeep(input);
  const lang = options.lang ?? DEFAULT_LANG;
  const w = HOST_WORDS[lang];
  const color = (text: string, code: string) => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const out = [`${color(w.kvmHost, ANSI.bold)} ${view.target.name} (${view.resolvedUri ?? view.uri}) — ${color(statusBadge(view.status, lang), STATUS_COLOR[view.status])}`];
  if (view.error) {
    out.push(`${w.notRead}: ${view.error.message} (${view.error.kind})`);
    return `${out.join('\n')}\n`;
  }
  out.push(...hostLines(view, lang), '');
  if (view.domains.length) out.push(...table([w.columns, ...view.domains.map((domain) => domainRow(domain, lang))]), '');
  else out.push(w.noDomains, '');
  out.push(view.findings.length ? w.findings : w.noFindings);
  for (const finding of view.findings) out.push(findingLine(finding, view, lang, color));
  const unknowns = [...view.unknown, ...view.domains.flatMap((domain) => domain.unknown.map((reason) => `${domainLabel(domain, 40)}: ${reason}`))];
  if (unknowns.length) out.push('', w.unknowns, ...unknowns.map((line) => `- ${line}`));
  return `${out.join('\n')}\n`;
}

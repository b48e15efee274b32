import { escapeMarkdown, markdownTableCell } from '../../shared/escape';
import { DEFAULT_LANG, formatCheckTime, formatDecimal, type Lang, type PerLang } from '../../shared/i18n';
import { statusBadge } from '../../shared/verdict';
import type { DomainView, HostView } from '../libvirt/model';
import { formatBytes } from '../units';
import { domainLabel, HOST_WORDS } from './host-text';
import { printableDeep } from './printable';

const ICON = { critical: '🔴', warning: '🟠', info: 'ℹ️' } as const;
const cell = (text: string) => markdownTableCell(escapeMarkdown(text));

const WORDS: PerLang<{
  heading: string; status: string; checked: string; notRead: string; host: string; findings: string; noFindings: string; read: string; domains: string; unknown: string;
  rows: { ram: string; available: string; swap: string; active: string; configured: string; current: string; balloons: string; ksm: string };
  swapUsed: (used: string, total: string) => string; activeOf: (active: number, all: number) => string; xRam: (ratio: string) => string;
  severity: Record<'critical' | 'warning' | 'info', string>; columns: string;
}> = {
  en: {
    heading: 'KVM host', status: 'Status', checked: 'Checked', notRead: 'Not read', host: 'Host', findings: 'Findings', noFindings: 'No findings.', read: 'read', domains: 'Domains', unknown: 'Unknown',
    rows: { ram: 'RAM', available: 'available', swap: 'swap', active: 'active domains', configured: 'configured (active)', current: 'current targets (active)', balloons: 'balloons', ksm: 'KSM saving' },
    swapUsed: (used, total) => `${used} used of ${total}`, activeOf: (active, all) => `${active} of ${all}`, xRam: (ratio) => `${ratio}× RAM`,
    severity: { critical: 'critical', warning: 'warning', info: 'info' },
    columns: '| domain | state | configured | current | actual | balloon | usable | deflate-on-oom | stats period | status |',
  },
  es: {
    heading: 'Host KVM', status: 'Estado', checked: 'Comprobado', notRead: 'No leído', host: 'Host', findings: 'Hallazgos', noFindings: 'Sin hallazgos.', read: 'ver', domains: 'Dominios', unknown: 'Desconocido',
    rows: { ram: 'RAM', available: 'disponible', swap: 'swap', active: 'dominios activos', configured: 'configurada (activos)', current: 'objetivos actuales (activos)', balloons: 'balloons', ksm: 'ahorro de KSM' },
    swapUsed: (used, total) => `${used} en uso de ${total}`, activeOf: (active, all) => `${active} de ${all}`, xRam: (ratio) => `${ratio}× la RAM`,
    severity: { critical: 'crítico', warning: 'aviso', info: 'info' },
    columns: '| dominio | estado | configurada | objetivo | actual | balloon | usable | deflate-on-oom | periodo de estadísticas | veredicto |',
  },
};

function hostRows(view: HostView, lang: Lang): string[] {
  const w = WORDS[lang];
  const b = (value: number | null | undefined) => formatBytes(value, lang);
  const { host, totals } = view;
  const swap = host.swapTotalBytes === null ? HOST_WORDS[lang].unknown : w.swapUsed(b(host.swapTotalBytes - (host.swapFreeBytes ?? host.swapTotalBytes)), b(host.swapTotalBytes));
  const ratio = totals.overcommitRatio === null ? '' : ` (${w.xRam(formatDecimal(totals.overcommitRatio, 2, lang))})`;
  const rows = [
    `| ${w.rows.ram} | ${b(host.totalBytes)} |`, `| ${w.rows.available} | ${b(host.availableBytes ?? host.freeBytes)} |`, `| ${w.rows.swap} | ${swap} |`,
    `| ${w.rows.active} | ${w.activeOf(totals.activeDomains, totals.domains)} |`, `| ${w.rows.configured} | ${b(totals.configuredBytes)}${ratio} |`,
    `| ${w.rows.current} | ${b(totals.currentBytes)} |`, `| ${w.rows.balloons} | ${b(totals.balloonBytes)} |`,
  ];
  if (host.ksm) rows.push(`| ${w.rows.ksm} | ${b(host.ksm.sharingBytes)} |`);
  return rows;
}

function domainRow(domain: DomainView, lang: Lang): string {
  const b = (value: number | null | undefined) => formatBytes(value, lang);
  const words = HOST_WORDS[lang];
  const active = domain.state !== 'shut-off';
  const period = domain.balloon?.statsPeriodSeconds;
  const cells = [
    cell(domainLabel(domain, 60)), words.state[domain.state], b(domain.configuredBytes), b(domain.currentBytes), active ? b(domain.stats?.actualBytes) : '-',
    active ? b(domain.balloonBytes) : '-', active ? b(domain.stats?.usableBytes) : '-', domain.balloon ? (domain.balloon.deflateOnOom ? 'on' : 'off') : words.noBalloon,
    period === null || period === undefined ? '-' : `${period} s`, statusBadge(domain.status, lang),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The host view in Markdown; `articleLink` turns an article id into a link target when the caller has one. */
export function renderHostMarkdown(input: HostView, articleLink: (id: string) => string | null = () => null, lang: Lang = DEFAULT_LANG): string {
  const view = printableDeep(input);
  const w = WORDS[lang];
  const out = [`# ${w.heading}: ${escapeMarkdown(view.target.name)}`, '', `**${w.status}:** ${statusBadge(view.status, lang)} · **libvirt:** \`${(view.resolvedUri ?? view.uri).replace(/`/g, "'")}\` · **${w.checked}:** ${formatCheckTime(view.checkedAt, lang)}`, ''];
  if (view.error) return `${[...out, `${w.notRead}: ${escapeMarkdown(view.error.message)} (${view.error.kind})`].join('\n')}\n`;
  out.push(`## ${w.host}`, '', '| | |', '|---|---|', ...hostRows(view, lang), '', `## ${w.findings}`, '');
  if (!view.findings.length) out.push(w.noFindings, '');
  for (const finding of view.findings) {
    const domain = finding.domain ? view.domains.find((item) => item.uuid === finding.domain) : undefined;
    const links = finding.articles.map((id) => { const link = articleLink(id); return link ? `[${id}](${link})` : `\`${id}\``; });
    out.push(`### ${ICON[finding.severity]} ${domain ? `${escapeMarkdown(domainLabel(domain, 60))}: ` : ''}${escapeMarkdown(finding.title)}`, '', escapeMarkdown(finding.detail), '', `*${w.severity[finding.severity]}* · \`${finding.id}\` · ${w.read}: ${links.join(', ')}`, '');
  }
  out.push(`## ${w.domains}`, '', w.columns, '|---|---|---|---|---|---|---|---|---|---|', ...view.domains.map((domain) => domainRow(domain, lang)));
  const unknowns = [...view.unknown, ...view.domains.flatMap((domain) => domain.unknown.map((reason) => `${domainLabel(domain, 60)}: ${reason}`))];
  if (unknowns.length) out.push('', `## ${w.unknown}`, '', ...unknowns.map((line) => `- ${escapeMarkdown(line)}`));
  return `${out.join('\n')}\n`;
}

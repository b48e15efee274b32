import type { Report } from '../report';
import type { Severity } from '../rules';
import { escapeMarkdown } from '../../shared/escape';
import { DEFAULT_LANG, formatCheckTime, type Lang, type PerLang } from '../../shared/i18n';
import { figureRows, hypervisorLabel } from '../../shared/presentation';
import { statusBadge } from '../../shared/verdict';
import { hostSideLines } from './host-side';
import { printableDeep } from './printable';

const ICON = { critical: '🔴', warning: '🟠', info: 'ℹ️' } as const;

/** Where an article is: a link target, and whether it is the English article standing in for a missing translation. */
export type ArticleLink = string | { href: string; englishOnly: boolean } | null;

export const MARKDOWN_WORDS: PerLang<{
  heading: string; status: string; hypervisor: string; checked: string; findings: string;
  noFindingsUnknown: string; noFindings: string; severity: Record<Severity, string>; read: string; englishOnly: string;
  figures: string; evidence: string; probes: string; probeHeader: string;
}> = {
  en: {
    heading: 'Balloon report', status: 'Status', hypervisor: 'Hypervisor', checked: 'Checked',
    findings: 'Findings',
    noFindingsUnknown: 'No findings, but the guest could not be fully checked (see the probes).', noFindings: 'No findings: nothing is taking memory from this guest.',
    severity: { critical: 'critical', warning: 'warning', info: 'info' }, read: 'read', englishOnly: 'article in English only',
    figures: 'Figures', evidence: 'Evidence', probes: 'Probes', probeHeader: '| probe | status | detail |',
  },
  es: {
    heading: 'Informe de balloon', status: 'Estado', hypervisor: 'Hipervisor', checked: 'Comprobado',
    findings: 'Hallazgos',
    noFindingsUnknown: 'Sin hallazgos, pero la VM no se pudo comprobar del todo (vea las sondas).', noFindings: 'Sin hallazgos: nada le está quitando memoria a esta VM.',
    severity: { critical: 'crítico', warning: 'aviso', info: 'info' }, read: 'ver', englishOnly: 'artículo disponible solo en inglés',
    figures: 'Cifras', evidence: 'Evidencia', probes: 'Sondas', probeHeader: '| sonda | estado | detalle |',
  },
};

/**
 * A Markdown report; `articleLink` turns an article id into a link target when the caller has one (with
 * `englishOnly` when the reader's language has no translation of it), `lang` picks the words.
 */
export function renderMarkdown(report: Report, articleLink: (id: string) => ArticleLink = () => null, lang: Lang = DEFAULT_LANG): string {
  report = printableDeep(report);
  const words = MARKDOWN_WORDS[lang];
  const out: string[] = [];
  out.push(`# ${words.heading}: ${escapeMarkdown(report.target.name)}`, '');
  out.push(`**${words.status}:** ${statusBadge(report.status, lang)} · **${words.hypervisor}:** ${hypervisorLabel(report.hypervisor.kind, lang)}${report.hypervisor.product ? ` (${escapeMarkdown(report.hypervisor.product)})` : ''} · **${words.checked}:** ${formatCheckTime(report.collectedAt, lang)}`, '');
  out.push(`## ${words.findings}`, '');
  if (!report.findings.length) out.push(report.status === 'unknown' ? words.noFindingsUnknown : words.noFindings, '');
  for (const finding of report.findings) {
    const links = finding.articles.map((id) => {
      const link = articleLink(id);
      if (!link) return `\`${id}\``;
      return typeof link === 'string' ? `[${id}](${link})` : `[${id}](${link.href})${link.englishOnly ? ` (${words.englishOnly})` : ''}`;
    });
    out.push(`### ${ICON[finding.severity]} ${escapeMarkdown(finding.title)}`, '', escapeMarkdown(finding.detail), '', `*${words.severity[finding.severity]}* · \`${finding.id}\` · ${words.read}: ${links.join(', ')}`, '');
  }
  out.push(`## ${words.figures}`, '', '| | |', '|---|---|');
  for (const row of figureRows(report, { lang })) out.push(`| ${row.name} | ${escapeMarkdown(row.value)} |`);
  out.push('', ...hostSideLines(report, lang));
  out.push(`## ${words.evidence}`, '');
  for (const line of report.hypervisor.evidence) out.push(`- ${escapeMarkdown(line)}`);
  out.push('', `## ${words.probes}`, '', words.probeHeader, '|---|---|---|');
  for (const probe of report.probes) out.push(`| ${probe.id} | ${probe.status} | ${escapeMarkdown(probe.detail ?? '')} |`);
  return `${out.join('\n')}\n`;
}

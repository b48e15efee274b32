import type { Report } from '../report';
import { escapeMarkdown } from '../../shared/escape';
import { figureRows, hypervisorLabel } from '../../shared/presentation';
import { hostSideLines } from './host-side';
import { printableDeep } from './printable';

const ICON = { critical: '🔴', warning: '🟠', info: 'ℹ️' } as const;

/** A Markdown report; `articleLink` turns an article id into a link target when the caller has one. */
export function renderMarkdown(report: Report, articleLink: (id: string) => string | null = () => null): string {
  report = printableDeep(report);
  const out: string[] = [];
  out.push(`# Balloon report: ${escapeMarkdown(report.target.name)}`, '');
  out.push(`**Status:** ${report.status.toUpperCase()} · **Hypervisor:** ${hypervisorLabel(report.hypervisor.kind)}${report.hypervisor.product ? ` (${escapeMarkdown(report.hypervisor.product)})` : ''} · **Checked:** ${report.collectedAt}`, '');
  out.push('## Findings', '');
  if (!report.findings.length) out.push(report.status === 'unknown' ? 'No findings, but the guest could not be fully checked (see the probes).' : 'No findings: nothing is taking memory from this guest.', '');
  for (const finding of report.findings) {
    const links = finding.articles.map((id) => {
      const href = articleLink(id);
      return href ? `[${id}](${href})` : `\`${id}\``;
    });
    out.push(`### ${ICON[finding.severity]} ${escapeMarkdown(finding.title)}`, '', escapeMarkdown(finding.detail), '', `*${finding.severity}* · \`${finding.id}\` · read: ${links.join(', ')}`, '');
  }
  out.push('## Figures', '', '| | |', '|---|---|');
  for (const row of figureRows(report)) out.push(`| ${row.name} | ${escapeMarkdown(row.value)} |`);
  out.push('', ...hostSideLines(report));
  out.push('## Evidence', '');
  for (const line of report.hypervisor.evidence) out.push(`- ${escapeMarkdown(line)}`);
  out.push('', '## Probes', '', '| probe | status | detail |', '|---|---|---|');
  for (const probe of report.probes) out.push(`| ${probe.id} | ${probe.status} | ${escapeMarkdown(probe.detail ?? '')} |`);
  return `${out.join('\n')}\n`;
}

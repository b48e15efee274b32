import type { Report } from '../report';
import { formatBytes } from '../units';
import { printableDeep } from './printable';

const ICON = { critical: '🔴', warning: '🟠', info: 'ℹ️' } as const;

/** Escapes text for a Markdown table cell or inline text (no HTML survives). */
export function mdEscape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+\-!|]/g, (char) => `\\${char}`);
}

/** A Markdown report; `articleLink` turns an article id into a link target when the caller has one. */
export function renderMarkdown(report: Report, articleLink: (id: string) => string | null = () => null): string {
  report = printableDeep(report);
  const out: string[] = [];
  out.push(`# Balloon report: ${mdEscape(report.target.name)}`, '');
  out.push(`**Status:** ${report.status.toUpperCase()} · **Hypervisor:** ${report.hypervisor.kind}${report.hypervisor.product ? ` (${mdEscape(report.hypervisor.product)})` : ''} · **Checked:** ${report.collectedAt}`, '');
  out.push('## Findings', '');
  if (!report.findings.length) out.push(report.status === 'unknown' ? 'No findings, but the guest could not be fully checked (see the probes).' : 'No findings: nothing is taking memory from this guest.', '');
  for (const finding of report.findings) {
    const links = finding.articles.map((id) => {
      const href = articleLink(id);
      return href ? `[${id}](${href})` : `\`${id}\``;
    });
    out.push(`### ${ICON[finding.severity]} ${mdEscape(finding.title)}`, '', mdEscape(finding.detail), '', `*${finding.severity}* · \`${finding.id}\` · read: ${links.join(', ')}`, '');
  }
  out.push('## Figures', '', '| | |', '|---|---|');
  const row = (name: string, value: string) => out.push(`| ${name} | ${mdEscape(value)} |`);
  row('Configured memory', `${formatBytes(report.memory.configuredBytes)}${report.memory.configuredSource ? ` (${report.memory.configuredSource})` : ''}`);
  row('MemTotal', formatBytes(report.memory.totalBytes));
  row('MemAvailable', formatBytes(report.memory.availableBytes));
  row('Unaccounted used memory', formatBytes(report.memory.unaccountedBytes));
  row('Balloon driver', report.balloon.driver ?? 'none');
  row('Balloon size', `${formatBytes(report.balloon.currentBytes)}${report.balloon.source ? ` (${report.balloon.source})` : ''}`);
  row('Balloon target', formatBytes(report.balloon.targetBytes));
  row('Memory limit', report.limits.memLimitBytes !== null ? formatBytes(report.limits.memLimitBytes) : report.limits.memLimitKnown ? 'unlimited' : 'unknown');
  row('Reservation', formatBytes(report.limits.memReservationBytes));
  row('Host-swapped', formatBytes(report.limits.hostSwappedBytes));
  row('Guest swap', formatBytes(report.memory.swapTotalBytes));
  out.push('', '## Evidence', '');
  for (const line of report.hypervisor.evidence) out.push(`- ${mdEscape(line)}`);
  out.push('', '## Probes', '', '| probe | status | detail |', '|---|---|---|');
  for (const probe of report.probes) out.push(`| ${probe.id} | ${probe.status} | ${mdEscape(probe.detail ?? '')} |`);
  return `${out.join('\n')}\n`;
}

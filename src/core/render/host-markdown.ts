import { escapeMarkdown, markdownTableCell } from '../../shared/escape';
import type { HostView } from '../libvirt/model';
import { formatBytes } from '../units';
import { domainLabel } from './host-text';
import { printableDeep } from './printable';

const ICON = { critical: '🔴', warning: '🟠', info: 'ℹ️' } as const;
const STATUS_WORD = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' } as const;
const cell = (text: string) => markdownTableCell(escapeMarkdown(text));

/** The host view in Markdown; `articleLink` turns an article id into a link target when the caller has one. */
export function renderHostMarkdown(input: HostView, articleLink: (id: string) => string | null = () => null): string {
  const view = printableDeep(input);
  const out = [`# KVM host: ${escapeMarkdown(view.target.name)}`, '', `**Status:** ${STATUS_WORD[view.status]} · **libvirt:** \`${(view.resolvedUri ?? view.uri).replace(/`/g, "'")}\` · **Checked:** ${view.checkedAt}`, ''];
  if (view.error) return `${[...out, `Not read: ${escapeMarkdown(view.error.message)} (${view.error.kind})`].join('\n')}\n`;
  const { host, totals } = view;
  out.push('## Host', '', '| | |', '|---|---|',
    `| RAM | ${formatBytes(host.totalBytes)} |`, `| available | ${formatBytes(host.availableBytes ?? host.freeBytes)} |`,
    `| swap | ${host.swapTotalBytes === null ? 'unknown' : `${formatBytes(host.swapTotalBytes - (host.swapFreeBytes ?? host.swapTotalBytes))} used of ${formatBytes(host.swapTotalBytes)}`} |`,
    `| active domains | ${totals.activeDomains} of ${totals.domains} |`, `| configured (active) | ${formatBytes(totals.configuredBytes)}${totals.overcommitRatio === null ? '' : ` (${totals.overcommitRatio.toFixed(2)}× RAM)`} |`,
    `| current targets (active) | ${formatBytes(totals.currentBytes)} |`, `| balloons | ${formatBytes(totals.balloonBytes)} |`);
  if (host.ksm) out.push(`| KSM saving | ${formatBytes(host.ksm.sharingBytes)} |`);
  out.push('', '## Findings', '');
  if (!view.findings.length) out.push('No findings.', '');
  for (const finding of view.findings) {
    const domain = finding.domain ? view.domains.find((item) => item.uuid === finding.domain) : undefined;
    const links = finding.articles.map((id) => { const link = articleLink(id); return link ? `[${id}](${link})` : `\`${id}\``; });
    out.push(`### ${ICON[finding.severity]} ${domain ? `${escapeMarkdown(domainLabel(domain, 60))}: ` : ''}${escapeMarkdown(finding.title)}`, '', escapeMarkdown(finding.detail), '', `*${finding.severity}* · read: ${links.join(', ')}`, '');
  }
  out.push('## Domains', '', '| domain | state | configured | current | actual | balloon | usable | deflate-on-oom | stats period | status |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const domain of view.domains) {
    const active = domain.state !== 'shut-off';
    const period = domain.balloon?.statsPeriodSeconds;
    out.push(`| ${cell(domainLabel(domain, 60))} | ${domain.state} | ${formatBytes(domain.configuredBytes)} | ${formatBytes(domain.currentBytes)} | ${active ? formatBytes(domain.stats?.actualBytes) : '-'} | ${active ? formatBytes(domain.balloonBytes) : '-'} | ${active ? formatBytes(domain.stats?.usableBytes) : '-'} | ${domain.balloon ? (domain.balloon.deflateOnOom ? 'on' : 'off') : 'no balloon'} | ${period === null || period === undefined ? '-' : `${period} s`} | ${STATUS_WORD[domain.status]} |`);
  }
  const unknowns = [...view.unknown, ...view.domains.flatMap((domain) => domain.unknown.map((reason) => `${domainLabel(domain, 60)}: ${reason}`))];
  if (unknowns.length) out.push('', '## Unknown', '', ...unknowns.map((line) => `- ${escapeMarkdown(line)}`));
  return `${out.join('\n')}\n`;
}

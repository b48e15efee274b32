import type { Finding } from '../src/core/rules';
import { figureRows, localTime, timeAgo } from '../src/shared/presentation';
import { findingCounts, verdictLine } from '../src/shared/verdict';
import type { ArticleView, ReportViewModel } from '../src/shared/protocol';
import { balloonTrendSvg, memoryChartSvg } from './chart';
import { html, raw, type Raw } from './html';

/** DOM-free: the whole report page as HTML. Text is escaped; article HTML comes sanitized from the knowledge module. */

function sourcesList(article: ArticleView): Raw | string {
  if (!article.sources.length) return '';
  const items = article.sources.map((source) => html`<li>${source.url && /^https?:\/\//i.test(source.url) ? html`<a href="${source.url}">${source.title}</a>` : source.title}${source.citation ? html` <span class="citation">${source.citation}</span>` : ''}</li>`);
  return html`<div class="sources"><h4>Sources</h4><ol>${items}</ol></div>`;
}

function articleBlock(article: ArticleView, open: boolean): Raw {
  return html`<vscode-collapsible class="article" data-article-id="${article.id}" title="${article.title}" ${open ? raw('open') : ''}><div class="article-body"><p class="summary">${article.summary}</p>${raw(article.html)}${sourcesList(article)}</div></vscode-collapsible>`;
}

function findingSection(finding: Finding, model: ReportViewModel): Raw {
  const [ownId, ...related] = finding.articles;
  const own = ownId ? model.articles[ownId] : undefined;
  const runbooks = model.runbooks[finding.id] ?? [];
  const relatedLinks = related.filter((id) => model.articles[id]).map((id) => html`<a href="#article-${id}" data-article="${id}">${model.articles[id].title}</a>`);
  return html`<section class="finding severity-${finding.severity}" data-finding-id="${finding.id}" id="finding-${finding.id}">
<h3><span class="severity">${finding.severity}</span> ${finding.title}</h3>
<p class="detail">${finding.detail}</p>
${runbooks.length ? html`<p class="runbooks">Runbook: ${runbooks.map((runbook, index) => html`${index ? ', ' : ''}<a href="#" data-runbook="${runbook.id}">${runbook.title}</a>`)}</p>` : ''}
${relatedLinks.length ? html`<p class="related">Background: ${relatedLinks.map((link, index) => html`${index ? ', ' : ''}${link}`)}</p>` : ''}
${own ? articleBlock(own, false) : html`<p class="no-article">No article for <code>${finding.id}</code>.</p>`}
</section>`;
}

/** " (2 min ago)" beside the check time, or nothing for a time that is not one. */
function agoText(iso: string): string {
  const ago = timeAgo(iso);
  return ago ? ` (${ago})` : '';
}

export function renderReportPage(model: ReportViewModel): Raw {
  const { report } = model;
  const ownArticles = new Set(report.findings.map((finding) => finding.articles[0]));
  const background = [...new Set(report.findings.flatMap((finding) => finding.articles.slice(1)))].filter((id) => !ownArticles.has(id) && model.articles[id]);
  const trend = balloonTrendSvg(model.trend);
  const evidence = report.hypervisor.evidence;
  return html`<header>
<h1>${model.guestLabel}</h1>
<p class="verdict status-${report.status}"><span class="status-badge">${report.status.toUpperCase()}</span> ${verdictLine(report)}</p>
<p class="meta">${findingCounts(report.findings)} · checked <time datetime="${report.collectedAt}" title="${report.collectedAt}">${localTime(report.collectedAt)}</time>${agoText(report.collectedAt)} · ${report.target.kind === 'ssh' ? 'over SSH as' : report.target.kind === 'snapshot' ? 'snapshot' : 'host'} ${report.target.name}</p>
<div class="actions"><vscode-button data-action="check">Check again</vscode-button> <vscode-button secondary data-action="copy-markdown">Copy as Markdown</vscode-button> <vscode-button secondary data-action="copy-json">Copy as JSON</vscode-button></div>
<p class="checking" hidden>Checking…</p>
</header>
<section class="memory"><h2>Memory</h2>${memoryChartSvg(report)}</section>
${trend ? html`<section class="trend"><h2>Balloon trend</h2>${trend}${report.trend ? html`<p>${report.trend.direction} over ${Math.round(report.trend.seconds)} s (${report.trend.samples} samples)</p>` : ''}</section>` : ''}
<section class="findings"><h2>Findings <vscode-badge variant="counter">${report.findings.length}</vscode-badge></h2>
${report.findings.length ? report.findings.map((finding) => findingSection(finding, model)) : html`<p>No findings: nothing is taking memory from this guest.</p>`}
</section>
${background.length ? html`<section class="background"><h2>Background</h2>${background.map((id) => html`<div id="article-${id}">${articleBlock(model.articles[id], false)}</div>`)}</section>` : ''}
<section class="figures"><h2>Figures</h2><table>${figureRows(report, { time: (iso) => localTime(iso) }).map((row) => html`<tr><th scope="row">${row.name}</th><td>${row.value}</td></tr>`)}</table></section>
<section class="evidence"><h2>Evidence</h2>${evidence.length ? html`<ul>${evidence.map((line) => html`<li>${line}</li>`)}</ul>` : html`<p>No hypervisor signal.</p>`}</section>
<section class="probes"><h2>Probes</h2><table><tr><th>probe</th><th>status</th><th>detail</th></tr>${report.probes.map((probe) => html`<tr class="probe-${probe.status}"><td><code>${probe.id}</code></td><td>${probe.status}</td><td>${probe.detail ?? ''}</td></tr>`)}</table></section>`;
}

/** The page before any report arrives (a restored panel whose guest has not been checked in this session). */
export function renderEmptyPage(guestLabel: string, message: string): Raw {
  return html`<header><h1>${guestLabel}</h1><p class="meta">${message}</p><div class="actions"><vscode-button data-action="check">Check now</vscode-button></div><p class="checking" hidden>Checking…</p></header>`;
}

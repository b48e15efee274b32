import type { Finding } from '../src/core/rules';
import type { Lang } from '../src/shared/i18n';
import { PAGE_TEXT_EN, type PageText } from '../src/shared/pageText';
import { figureRows, localTime, timeAgo } from '../src/shared/presentation';
import { findingCounts, verdictLine } from '../src/shared/verdict';
import type { ArticleView, ReportViewModel } from '../src/shared/protocol';
import { balloonTrendSvg, memoryChartSvg } from './chart';
import { html, raw, type Raw } from './html';

/**
 * DOM-free: the whole report page as HTML. Text is escaped; article HTML comes sanitized from the knowledge module.
 * Every word is the model's: its `text` (the page's words) and its `lang` (figures, dates), both in the display
 * language the extension chose.
 */

/** A page text whose `{0}` stands for markup (links, code): the text around it escaped, the markup kept. */
function around(template: string, inner: Raw): Raw {
  const at = template.indexOf('{0}');
  return at < 0 ? html`${template} ${inner}` : html`${template.slice(0, at)}${inner}${template.slice(at + 3)}`;
}

function sourcesList(article: ArticleView, text: PageText): Raw | string {
  if (!article.sources.length) return '';
  const items = article.sources.map((source) => html`<li>${source.url && /^https?:\/\//i.test(source.url) ? html`<a href="${source.url}">${source.title}</a>` : source.title}${source.citation ? html` <span class="citation">${source.citation}</span>` : ''}</li>`);
  return html`<div class="sources"><h4>${text.sources}</h4><ol>${items}</ol></div>`;
}

function articleBlock(article: ArticleView, open: boolean, text: PageText): Raw {
  return html`<vscode-collapsible class="article" data-article-id="${article.id}" title="${article.title}" ${open ? raw('open') : ''}><div class="article-body">${article.englishOnly ? html`<p class="english-only">${text.englishOnly}</p>` : ''}<p class="summary">${article.summary}</p>${raw(article.html)}${sourcesList(article, text)}</div></vscode-collapsible>`;
}

function findingSection(finding: Finding, model: ReportViewModel, text: PageText): Raw {
  const [ownId, ...related] = finding.articles;
  const own = ownId ? model.articles[ownId] : undefined;
  const runbooks = model.runbooks[finding.id] ?? [];
  const relatedLinks = related.filter((id) => model.articles[id]).map((id) => html`<a href="#article-${id}" data-article="${id}">${model.articles[id].title}</a>`);
  const runbookLinks = html`${runbooks.map((runbook, index) => html`${index ? ', ' : ''}<a href="#" data-runbook="${runbook.id}">${runbook.title}</a>`)}`;
  return html`<section class="finding severity-${finding.severity}" data-finding-id="${finding.id}" id="finding-${finding.id}">
<h3><span class="severity">${text.severity[finding.severity] ?? finding.severity}</span> ${finding.title}</h3>
<p class="detail">${finding.detail}</p>
${runbooks.length ? html`<p class="runbooks">${around(text.runbookLinks, runbookLinks)}</p>` : ''}
${relatedLinks.length ? html`<p class="related">${around(text.backgroundLinks, html`${relatedLinks.map((link, index) => html`${index ? ', ' : ''}${link}`)}`)}</p>` : ''}
${own ? articleBlock(own, false, text) : html`<p class="no-article">${around(text.noArticle, html`<code>${finding.id}</code>`)}</p>`}
</section>`;
}

/** " (2 min ago)" beside the check time, or nothing for a time that is not one. */
function agoText(iso: string, lang: Lang): string {
  const ago = timeAgo(iso, Date.now(), lang);
  return ago ? ` (${ago})` : '';
}

function pageHeader(model: ReportViewModel, text: PageText, lang: Lang): Raw {
  const { report } = model;
  const via = report.target.kind === 'ssh' ? text.overSshAs : report.target.kind === 'snapshot' ? text.snapshot : text.host;
  return html`<header>
<h1>${model.guestLabel}</h1>
<p class="verdict status-${report.status}"><span class="status-badge">${text.statusBadge[report.status] ?? report.status.toUpperCase()}</span> ${verdictLine(report, lang)}</p>
<p class="meta">${findingCounts(report.findings, lang)} · ${text.checked} <time datetime="${report.collectedAt}" title="${report.collectedAt}">${localTime(report.collectedAt, { lang })}</time>${agoText(report.collectedAt, lang)} · ${via} ${report.target.name}</p>
<div class="actions"><vscode-button data-action="check">${text.checkAgain}</vscode-button> <vscode-button secondary data-action="copy-markdown">${text.copyMarkdown}</vscode-button> <vscode-button secondary data-action="copy-json">${text.copyJson}</vscode-button></div>
<p class="checking" hidden>${text.checking}</p>
</header>`;
}

export function renderReportPage(model: ReportViewModel): Raw {
  const { report } = model;
  const text = model.text ?? PAGE_TEXT_EN;
  const lang = model.lang ?? 'en';
  const ownArticles = new Set(report.findings.map((finding) => finding.articles[0]));
  const background = [...new Set(report.findings.flatMap((finding) => finding.articles.slice(1)))].filter((id) => !ownArticles.has(id) && model.articles[id]);
  const trend = balloonTrendSvg(model.trend, text, lang);
  const figures = figureRows(report, { time: (iso) => localTime(iso, { lang }), lang });
  const trendRow = figures.find((row) => row.key === 'trend');
  const evidence = report.hypervisor.evidence;
  return html`${pageHeader(model, text, lang)}
<section class="memory"><h2>${text.memory}</h2>${memoryChartSvg(report, text, lang)}</section>
${trend ? html`<section class="trend"><h2>${text.balloonTrend}</h2>${trend}${trendRow ? html`<p>${trendRow.value}</p>` : ''}</section>` : ''}
<section class="findings"><h2>${text.findings} <vscode-badge variant="counter">${report.findings.length}</vscode-badge></h2>
${report.findings.length ? report.findings.map((finding) => findingSection(finding, model, text)) : html`<p>${text.noFindings}</p>`}
</section>
${background.length ? html`<section class="background"><h2>${text.background}</h2>${background.map((id) => html`<div id="article-${id}">${articleBlock(model.articles[id], false, text)}</div>`)}</section>` : ''}
<section class="figures"><h2>${text.figures}</h2><table>${figures.map((row) => html`<tr><th scope="row">${row.name}</th><td>${row.value}</td></tr>`)}</table></section>
<section class="evidence"><h2>${text.evidence}</h2>${evidence.length ? html`<ul>${evidence.map((line) => html`<li>${line}</li>`)}</ul>` : html`<p>${text.noEvidence}</p>`}</section>
<section class="probes"><h2>${text.probes}</h2><table><tr><th>${text.probe}</th><th>${text.status}</th><th>${text.detail}</th></tr>${report.probes.map((probe) => html`<tr class="probe-${probe.status}"><td><code>${probe.id}</code></td><td>${probe.status}</td><td>${probe.detail ?? ''}</td></tr>`)}</table></section>`;
}

/** The page before any report arrives (a restored panel whose guest has not been checked in this session). */
export function renderEmptyPage(guestLabel: string, message: string, text: PageText = PAGE_TEXT_EN): Raw {
  return html`<header><h1>${guestLabel}</h1><p class="meta">${message}</p><div class="actions"><vscode-button data-action="check">${text.checkNow}</vscode-button></div><p class="checking" hidden>${text.checking}</p></header>`;
}

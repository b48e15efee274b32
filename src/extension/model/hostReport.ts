import type { DomainView, HostFinding, HostView } from '../../core/libvirt/model';
import { escapeHtml } from '../../shared/escape';
import type { Lang } from '../../shared/i18n';
import { formatBytes } from '../../shared/units';
import { domainFacts, domainVerdictLine, hostVerdictLine, ratio, stateLabel } from './host';
import { l10n } from './l10n';
import { severityWords, statusWord } from './pageText';

/**
 * vscode-free: the KVM host's report page, static HTML (no script: the page only shows). Every value from libvirt
 * (domain names, URIs, messages) is escaped; the CSP allows the page's own style only.
 */

export interface HostPageParts {
  /** The webview's `cspSource`. */
  cspSource: string;
  nonce: string;
  /** The host's label in the tree ("Host", "Host db-hv01"). */
  label: string;
  /** A domain UUID the page opens at, or null for the host. */
  focus: string | null;
  /** The display language of figures (English when absent); the words follow the translator. */
  lang?: Lang;
}

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em 2em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { text-align: left; padding: .25em .8em .25em 0; border-bottom: 1px solid var(--vscode-panel-border, #8884); vertical-align: top; }
.status { font-weight: 600; text-transform: uppercase; }
.ok { color: var(--vscode-testing-iconPassed, green); }
.warning { color: var(--vscode-problemsWarningIcon-foreground, orange); }
.critical { color: var(--vscode-problemsErrorIcon-foreground, red); }
.unknown { color: var(--vscode-descriptionForeground, gray); }
.focus { outline: 2px solid var(--vscode-focusBorder, #08f); outline-offset: 4px; }
code { font-family: var(--vscode-editor-font-family); }
.muted { color: var(--vscode-descriptionForeground, gray); }
`;

const cell = (text: string) => `<td>${escapeHtml(text)}</td>`;

function findingsHtml(findings: readonly HostFinding[]): string {
  if (!findings.length) return `<p class="muted">${escapeHtml(l10n.t('No findings.'))}</p>`;
  return `<ul>${findings.map((finding) => `<li><span class="status ${finding.severity === 'info' ? 'ok' : finding.severity}">${escapeHtml(severityWords()[finding.severity] ?? finding.severity)}</span> `
    + `<strong>${escapeHtml(finding.title)}</strong>${finding.domainName ? ` <span class="muted">(${escapeHtml(finding.domainName)})</span>` : ''}<br>`
    + `${escapeHtml(finding.detail)}<br><span class="muted"><code>${escapeHtml(finding.id)}</code> · ${escapeHtml(l10n.t('read: {0}', finding.articles.join(', ')))}</span></li>`).join('')}</ul>`;
}

function hostTable(view: HostView, lang: Lang): string {
  const { host, totals } = view;
  const bytes = (value: number | null) => formatBytes(value, lang);
  const times = (value: number | null) => (value === null ? '?' : ratio(value, lang));
  const rows: [string, string][] = [
    [l10n.t('libvirt URI'), view.resolvedUri ?? view.uri],
    [l10n.t('Physical memory'), bytes(host.totalBytes)],
    [l10n.t('Free memory'), bytes(host.freeBytes)],
    [l10n.t('Available memory'), bytes(host.availableBytes)],
    [l10n.t('Swap (total / free)'), `${bytes(host.swapTotalBytes)} / ${bytes(host.swapFreeBytes)}`],
    [l10n.t('Domains (running / all)'), `${totals.activeDomains} / ${totals.domains}`],
    [l10n.t('Configured memory of running domains'), bytes(totals.configuredBytes)],
    [l10n.t('Balloon targets of running domains'), bytes(totals.currentBytes)],
    [l10n.t('Balloons of running domains'), bytes(totals.balloonBytes)],
    [l10n.t('Overcommit (of RAM / of RAM + swap)'), `${times(totals.overcommitRatio)}× / ${times(totals.overcommitWithSwapRatio)}×`],
  ];
  if (host.ksm) rows.push([l10n.t('KSM sharing'), bytes(host.ksm.sharingBytes)]);
  return `<table>${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th>${cell(value)}</tr>`).join('')}</table>`;
}

function domainsTable(domains: readonly DomainView[], lang: Lang): string {
  const head = [l10n.t('Domain'), l10n.t('Status'), l10n.t('State'), l10n.t('Configured'), l10n.t('Balloon'), l10n.t('Verdict')];
  const rows = domains.map((domain) => `<tr><td><a href="#d-${escapeHtml(domain.uuid)}">${escapeHtml(domain.name ?? domain.uuid)}</a></td>`
    + `<td class="status ${domain.status}">${escapeHtml(statusWord(domain.status))}</td>${cell(stateLabel(domain.state))}${cell(formatBytes(domain.configuredBytes, lang))}`
    + `${cell(formatBytes(domain.balloonBytes, lang))}${cell(domainVerdictLine(domain, lang))}</tr>`);
  return `<table><tr>${head.map((name) => `<th>${escapeHtml(name)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function domainSection(domain: DomainView, focus: boolean, lang: Lang): string {
  const facts = domainFacts(domain, lang).map((row) => `<tr><th>${escapeHtml(row.name)}</th>${cell(row.value)}</tr>`).join('');
  const unknown = domain.unknown.length ? `<p class="muted">${escapeHtml(l10n.t('Unknown: {0}', domain.unknown.join('; ')))}</p>` : '';
  return `<section id="d-${escapeHtml(domain.uuid)}"${focus ? ' class="focus"' : ''}><h3>${escapeHtml(domain.name ?? domain.uuid)} `
    + `<span class="status ${domain.status}">${escapeHtml(statusWord(domain.status))}</span></h3><p>${escapeHtml(domainVerdictLine(domain, lang))}</p>`
    + `${findingsHtml(domain.findings)}<table>${facts}</table>${unknown}<p class="muted"><code>${escapeHtml(domain.uuid)}</code></p></section>`;
}

/** The body: the host's verdict and figures, its findings, the domain table, then each domain. */
export function hostReportBody(view: HostView, label: string, focus: string | null, lang: Lang = 'en'): string {
  const title = `<h1>${escapeHtml(label)} <span class="status ${view.status}">${escapeHtml(statusWord(view.status))}</span></h1>`
    + `<p>${escapeHtml(hostVerdictLine(view, lang))}</p><p class="muted">${escapeHtml(l10n.t('Read through libvirt at {0}', view.checkedAt))}</p>`;
  if (view.error) return `${title}<p class="critical">${escapeHtml(view.error.message)}</p>`;
  const hostFindings = view.findings.filter((finding) => finding.domain === undefined);
  const unknown = view.unknown.length ? `<p class="muted">${escapeHtml(l10n.t('Unknown: {0}', view.unknown.join('; ')))}</p>` : '';
  // The page has no script to scroll: a domain it opens at comes first, outlined.
  const focused = view.domains.find((domain) => domain.uuid === focus);
  const rest = view.domains.filter((domain) => domain !== focused);
  return `${title}${focused ? domainSection(focused, true, lang) : ''}${hostTable(view, lang)}<h2>${escapeHtml(l10n.t('Host findings'))}</h2>${findingsHtml(hostFindings)}${unknown}`
    + `<h2>${escapeHtml(l10n.t('Domains'))}</h2>${domainsTable(view.domains, lang)}${rest.map((domain) => domainSection(domain, false, lang)).join('')}`;
}

export function hostReportHtml(view: HostView | null, parts: HostPageParts): string {
  const csp = `default-src 'none'; style-src 'nonce-${parts.nonce}'; img-src ${parts.cspSource}`;
  const body = view ? hostReportBody(view, parts.label, parts.focus, parts.lang ?? 'en') : `<h1>${escapeHtml(parts.label)}</h1><p class="muted">${escapeHtml(l10n.t('Not read yet.'))}</p>`;
  return `<!DOCTYPE html>
<html lang="${parts.lang ?? 'en'}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${parts.nonce}">${STYLE}</style>
<title>${escapeHtml(l10n.t('KVM host report: {0}', parts.label))}</title>
</head>
<body>
${body}
</body>
</html>
`;
}

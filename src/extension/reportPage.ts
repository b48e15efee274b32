import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../shared/escape';
import type { Lang } from '../shared/i18n';
import { PAGE_TEXT_EN, type PageText } from '../shared/pageText';

/** What the report page's shell needs from its webview, as plain strings (no vscode: tested in Chromium). */
export interface ReportPageParts {
  /** The webview's `cspSource`: the origin its own resources are served from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  guestId: string;
  label: string;
  /** The display language and the page's words in it (English when absent). */
  lang?: Lang;
  text?: PageText;
  /** The panel's title, as the tab shows it ("Balloon report: db01"). */
  title?: string;
}

/** The report panel's HTML: a CSP that runs only the page's own script (by nonce), and a "loading" body. */
export function reportPageHtml(parts: ReportPageParts, nonce = randomBytes(18).toString('base64')): string {
  const csp = [
    "default-src 'none'",
    `img-src ${parts.cspSource}`,
    `style-src ${parts.cspSource} 'nonce-${nonce}'`,
    `font-src ${parts.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const text = parts.text ?? PAGE_TEXT_EN;
  const title = parts.title ?? `Balloon report: ${parts.label}`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(parts.lang ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(parts.styleUri)}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" data-guest-id="${escapeHtml(parts.guestId)}" data-guest-label="${escapeHtml(parts.label)}" data-text="${escapeHtml(JSON.stringify(text))}"><h1>${escapeHtml(parts.label)}</h1><p>${escapeHtml(text.loading)}</p></main>
<script nonce="${nonce}" src="${escapeHtml(parts.scriptUri)}"></script>
</body>
</html>`;
}

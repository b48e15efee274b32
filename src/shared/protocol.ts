/**
 * The report webview's message protocol, shared by the extension (src/extension/reportPanel.ts)
 * and the page (webview/main.ts). vscode-free and DOM-free; only types cross from src/core.
 */
import type { Report } from '../core/report';
import { isLang, type Lang } from './i18n';
import type { PageText } from './pageText';

export interface ArticleView {
  id: string;
  title: string;
  summary: string;
  /** Rendered by the knowledge module (markdown-it, html:false): no raw HTML from the source survives. */
  html: string;
  sources: { title: string; url?: string; citation?: string }[];
  /** The display language has no translation of this article: it is the English original. */
  englishOnly?: boolean;
}

export interface RunbookLink { id: string; title: string }

export interface TrendPoint { at: string; balloonBytes: number | null }

/** Everything the page shows for one guest. */
export interface ReportViewModel {
  guestId: string;
  guestLabel: string;
  report: Report;
  /** Articles the findings cite, by id (missing ids are simply not shown). */
  articles: Record<string, ArticleView>;
  /** Runbooks that fit each finding, by finding id. */
  runbooks: Record<string, RunbookLink[]>;
  /** Samples of watch mode (auto-refresh), oldest first; empty when not watching. */
  trend: TrendPoint[];
  /** The display language of the figures, dates and words (English when absent). */
  lang?: Lang;
  /** The page's own words in that language (PAGE_TEXT_EN when absent). */
  text?: PageText;
}

/** What the page keeps with setState, so a hidden or restored panel redraws without asking. */
export interface WebviewState { guestId: string; model: ReportViewModel | null }

export type ToWebview =
  | { type: 'show'; model: ReportViewModel; focusFindingId?: string }
  | { type: 'checking'; guestId: string }
  | { type: 'error'; guestId: string; message: string };

export type ToExtension =
  | { type: 'ready'; guestId: string | null }
  | { type: 'checkAgain'; guestId: string }
  | { type: 'copy'; guestId: string; format: 'markdown' | 'json' }
  | { type: 'openRunbook'; guestId: string; runbookId: string }
  | { type: 'openArticle'; articleId: string };

const isText = (value: unknown, max = 300): value is string => typeof value === 'string' && value.length <= max;
const isId = (value: unknown): value is string => isText(value) && /^[A-Za-z0-9:@._[\]%+-]{1,300}$/.test(value);

/** The extension trusts nothing the page sends: every message is checked field by field. */
export function isToExtension(value: unknown): value is ToExtension {
  if (!value || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready': return message.guestId === null || isId(message.guestId);
    case 'checkAgain': return isId(message.guestId);
    case 'copy': return isId(message.guestId) && (message.format === 'markdown' || message.format === 'json');
    case 'openRunbook': return isId(message.guestId) && isId(message.runbookId);
    case 'openArticle': return isId(message.articleId);
    default: return false;
  }
}

/** The page checks what it receives too (a stale or foreign message must not break it). */
export function isToWebview(value: unknown): value is ToWebview {
  if (!value || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'show': {
      const model = message.model as Record<string, unknown> | undefined;
      return !!model && typeof model === 'object' && isId(model.guestId) && typeof model.guestLabel === 'string'
        && !!model.report && typeof model.report === 'object' && Array.isArray((model.report as Report).findings)
        && !!model.articles && typeof model.articles === 'object' && !!model.runbooks && typeof model.runbooks === 'object' && Array.isArray(model.trend)
        && (model.lang === undefined || isLang(model.lang)) && (model.text === undefined || (!!model.text && typeof model.text === 'object'))
        && (message.focusFindingId === undefined || isId(message.focusFindingId));
    }
    case 'checking': return isId(message.guestId);
    case 'error': return isId(message.guestId) && typeof message.message === 'string';
    default: return false;
  }
}

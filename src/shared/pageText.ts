/**
 * The report page's own words (headings, buttons, chart labels). The page never picks a language: the extension
 * sends these in the display language with every view model (src/extension/model/pageText.ts translates them
 * through the l10n bundle), and the page fills their `{0}`, `{1}`… placeholders. PAGE_TEXT_EN is the English
 * original, which the page falls back to for a model without text (a state saved by an older version).
 * Pure: no vscode, no DOM.
 */
import type { ReportStatus } from '../core/report';
import type { Severity } from '../core/rules';

export interface PageText {
  /** The shell, before a report is drawn. */
  loading: string; notChecked: string; couldNotCheck: string; checkNow: string;
  /** The header. */
  checkAgain: string; copyMarkdown: string; copyJson: string; checking: string; checked: string;
  overSshAs: string; snapshot: string; host: string;
  /** Section headings and their fixed sentences. */
  memory: string; balloonTrend: string; findings: string; noFindings: string; background: string; figures: string;
  evidence: string; noEvidence: string; probes: string; probe: string; status: string; detail: string;
  /** A finding's links and its article. */
  sources: string; runbookLinks: string; backgroundLinks: string; noArticle: string; englishOnly: string;
  /** The memory chart and the trend sparkline. */
  chartUnknown: string; chartUnknownLong: string; used: string; balloon: string; available: string; configured: string;
  limit: string; chartAria: string; trendAria: string; trendMax: string; trendMin: string;
  severity: Record<Severity, string>;
  statusBadge: Record<ReportStatus, string>;
}

export const PAGE_TEXT_EN: PageText = {
  loading: 'Loading the report…', notChecked: 'Not checked in this session yet.', couldNotCheck: 'Could not check: {0}', checkNow: 'Check now',
  checkAgain: 'Check again', copyMarkdown: 'Copy as Markdown', copyJson: 'Copy as JSON', checking: 'Checking…', checked: 'checked',
  overSshAs: 'over SSH as', snapshot: 'snapshot', host: 'host',
  memory: 'Memory', balloonTrend: 'Balloon trend', findings: 'Findings', noFindings: 'No findings: nothing is taking memory from this guest.',
  background: 'Background', figures: 'Figures', evidence: 'Evidence', noEvidence: 'No hypervisor signal.', probes: 'Probes',
  probe: 'probe', status: 'status', detail: 'detail',
  sources: 'Sources', runbookLinks: 'Runbook: {0}', backgroundLinks: 'Background: {0}', noArticle: 'No article for {0}.',
  englishOnly: 'This article has no translation yet: it is shown in English.',
  chartUnknown: 'Memory figures unknown', chartUnknownLong: 'Memory figures unknown on this guest', used: 'used', balloon: 'balloon',
  available: 'available', configured: 'configured', limit: 'limit {0}', chartAria: 'Memory: {0}',
  trendAria: 'Balloon {0} → {1} ({2}) over {3} samples', trendMax: 'max {0}', trendMin: 'min {0}',
  severity: { critical: 'critical', warning: 'warning', info: 'info' },
  statusBadge: { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' },
};

/** `{0}`, `{1}`… of a page text replaced by the values (a placeholder without a value stays as it is). */
export function fillText(template: string, ...values: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < values.length ? String(values[Number(index)]) : whole));
}

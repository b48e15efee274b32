import type { PageText } from '../../shared/pageText';
import { l10n } from './l10n';

/**
 * vscode-free: the report page's words in the display language, sent with each view model (the page never picks a
 * language). The English messages are src/shared/pageText.ts's PAGE_TEXT_EN, word for word (a test keeps them so).
 */
export function pageText(): PageText {
  return {
    loading: l10n.t('Loading the report…'), notChecked: l10n.t('Not checked in this session yet.'), couldNotCheck: l10n.t('Could not check: {0}'),
    checkNow: l10n.t('Check now'), checkAgain: l10n.t('Check again'), copyMarkdown: l10n.t('Copy as Markdown'), copyJson: l10n.t('Copy as JSON'),
    checking: l10n.t('Checking…'), checked: l10n.t('checked'), overSshAs: l10n.t('over SSH as'), snapshot: l10n.t('snapshot'), host: l10n.t('host'),
    memory: l10n.t('Memory'), balloonTrend: l10n.t('Balloon trend'), findings: l10n.t('Findings'),
    noFindings: l10n.t('No findings: nothing is taking memory from this guest.'), background: l10n.t('Background'), figures: l10n.t('Figures'),
    evidence: l10n.t('Evidence'), noEvidence: l10n.t('No hypervisor signal.'), probes: l10n.t('Probes'),
    probe: l10n.t('probe'), status: l10n.t('status'), detail: l10n.t('detail'),
    sources: l10n.t('Sources'), runbookLinks: l10n.t('Runbook: {0}'), backgroundLinks: l10n.t('Background: {0}'), noArticle: l10n.t('No article for {0}.'),
    englishOnly: l10n.t('This article has no translation yet: it is shown in English.'),
    chartUnknown: l10n.t('Memory figures unknown'), chartUnknownLong: l10n.t('Memory figures unknown on this guest'),
    used: l10n.t('used'), balloon: l10n.t('balloon'), available: l10n.t('available'), configured: l10n.t('configured'), limit: l10n.t('limit {0}'),
    chartAria: l10n.t('Memory: {0}'), trendAria: l10n.t('Balloon {0} → {1} ({2}) over {3} samples'), trendMax: l10n.t('max {0}'), trendMin: l10n.t('min {0}'),
    severity: severityWords(),
    statusBadge: { ok: l10n.t('OK'), warning: l10n.t('WARNING'), critical: l10n.t('CRITICAL'), unknown: l10n.t('UNKNOWN') },
  };
}

/** A finding's severity as the tree and the page show it. */
export function severityWords(): PageText['severity'] {
  return { critical: l10n.t('critical'), warning: l10n.t('warning'), info: l10n.t('info') };
}

/** A report's status in capitals, as the tree, the status bar and the page show it ("CRITICAL", "CRÍTICO"). */
export function statusWord(status: keyof PageText['statusBadge']): string {
  const words: PageText['statusBadge'] = { ok: l10n.t('OK'), warning: l10n.t('WARNING'), critical: l10n.t('CRITICAL'), unknown: l10n.t('UNKNOWN') };
  return words[status] ?? status.toUpperCase();
}

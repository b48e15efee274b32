import type { Report, ReportStatus } from '../core/report';
import type { Finding, Severity } from '../core/rules';
import { formatBytes, percent } from '../core/units';
import { hypervisorLabel } from './presentation';

/** vscode-free: the words the tree, status bar and report share for one report. */

/** The limit as one phrase, or null when the guest cannot know it. */
export function limitPhrase(report: Pick<Report, 'limits'>): string | null {
  if (report.limits.memLimitBytes !== null) return `limit ${formatBytes(report.limits.memLimitBytes)}`;
  return report.limits.memLimitKnown ? 'no limit' : null;
}

/** The balloon as one phrase: "balloon 20.0 GiB (63%)", "balloon empty", "no balloon driver". */
export function balloonPhrase(report: Pick<Report, 'balloon' | 'memory' | 'hypervisor'>): string {
  const { balloon, memory } = report;
  if (report.hypervisor.kind === 'none') return 'no balloon possible';
  if (!balloon.loaded) return 'no balloon driver';
  if (balloon.currentBytes === null) return 'balloon size unknown';
  if (balloon.currentBytes === 0) return 'balloon empty';
  const share = memory.configuredBytes ? ` (${percent(balloon.currentBytes, memory.configuredBytes)})` : '';
  return `balloon ${formatBytes(balloon.currentBytes)}${share}`;
}

/** One line for the tree: "VMware · balloon 20.0 GiB (63%) · limit 12.0 GiB". */
export function verdictLine(report: Report): string {
  const parts = [hypervisorLabel(report.hypervisor.kind), balloonPhrase(report)];
  const limit = limitPhrase(report);
  if (limit) parts.push(limit);
  return parts.join(' · ');
}

/** Codicons, not emoji: they render in every font and theme (the item's background also tells the severity). */
export const STATUS_SYMBOL: Record<ReportStatus, string> = { ok: '$(check)', warning: '$(warning)', critical: '$(error)', unknown: '$(question)' };

/** Status-bar text: "$(pulse) Balloon 20.0 GiB $(error)". */
export function statusBarText(report: Report): string {
  const { balloon } = report;
  let size: string;
  if (report.hypervisor.kind === 'none' || !balloon.loaded) size = 'none';
  else if (balloon.currentBytes === null) size = '?';
  else size = balloon.currentBytes === 0 ? '0' : formatBytes(balloon.currentBytes);
  return `$(pulse) Balloon ${size} ${STATUS_SYMBOL[report.status]}`;
}

/** What a screen reader says for the status-bar item. */
export function statusBarLabel(report: Report): string {
  return `Balloon Inspector: ${balloonPhrase(report)}, ${report.status}${report.findings[0] ? `: ${report.findings[0].title}` : ''}`;
}

export const SEVERITY_ICONS: Record<Severity, { icon: string; color: string }> = {
  critical: { icon: 'error', color: 'problemsErrorIcon.foreground' },
  warning: { icon: 'warning', color: 'problemsWarningIcon.foreground' },
  info: { icon: 'info', color: 'problemsInfoIcon.foreground' },
};

export const STATUS_ICONS: Record<ReportStatus, { icon: string; color?: string }> = {
  ok: { icon: 'pass', color: 'testing.iconPassed' },
  warning: { icon: 'warning', color: 'problemsWarningIcon.foreground' },
  critical: { icon: 'error', color: 'problemsErrorIcon.foreground' },
  unknown: { icon: 'question' },
};

/** "2 critical, 1 warning" or "no findings". */
export function findingCounts(findings: readonly Finding[]): string {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  const parts = (['critical', 'warning', 'info'] as const).filter((severity) => counts[severity]).map((severity) => `${counts[severity]} ${severity}`);
  return parts.length ? parts.join(', ') : 'no findings';
}

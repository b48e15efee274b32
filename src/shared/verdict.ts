import type { Report, ReportStatus } from '../core/report';
import type { Finding, Severity } from '../core/rules';
import { formatBytes, percent } from '../core/units';
import { DEFAULT_LANG, type Lang, type PerLang } from './i18n';
import { hypervisorLabel } from './presentation';

/** vscode-free: the words the tree, status bar and report share for one report, in English or Spanish (`lang`, last). */

const WORDS: PerLang<{
  limit: string; noLimit: string; noBalloonPossible: string; noDriver: string; sizeUnknown: string; empty: string; balloon: string; none: string;
  noFindings: string; severity: Record<Severity, [one: string, many: string]>; status: Record<ReportStatus, string>;
}> = {
  en: {
    limit: 'limit', noLimit: 'no limit', noBalloonPossible: 'no balloon possible', noDriver: 'no balloon driver', sizeUnknown: 'balloon size unknown',
    empty: 'balloon empty', balloon: 'balloon', none: 'none', noFindings: 'no findings',
    severity: { critical: ['critical', 'critical'], warning: ['warning', 'warning'], info: ['info', 'info'] },
    status: { ok: 'ok', warning: 'warning', critical: 'critical', unknown: 'unknown' },
  },
  es: {
    limit: 'límite', noLimit: 'sin límite', noBalloonPossible: 'sin balloon posible', noDriver: 'sin driver de balloon', sizeUnknown: 'tamaño del balloon desconocido',
    empty: 'balloon vacío', balloon: 'balloon', none: 'ninguno', noFindings: 'sin hallazgos',
    severity: { critical: ['crítico', 'críticos'], warning: ['aviso', 'avisos'], info: ['informativo', 'informativos'] },
    status: { ok: 'ok', warning: 'aviso', critical: 'crítico', unknown: 'desconocido' },
  },
};

/** The limit as one phrase, or null when the guest cannot know it. */
export function limitPhrase(report: Pick<Report, 'limits'>, lang: Lang = DEFAULT_LANG): string | null {
  if (report.limits.memLimitBytes !== null) return `${WORDS[lang].limit} ${formatBytes(report.limits.memLimitBytes, lang)}`;
  return report.limits.memLimitKnown ? WORDS[lang].noLimit : null;
}

/** The balloon as one phrase: "balloon 20.0 GiB (63%)", "balloon empty", "no balloon driver". */
export function balloonPhrase(report: Pick<Report, 'balloon' | 'memory' | 'hypervisor'>, lang: Lang = DEFAULT_LANG): string {
  const { balloon, memory } = report;
  const words = WORDS[lang];
  if (report.hypervisor.kind === 'none') return words.noBalloonPossible;
  if (!balloon.loaded) return words.noDriver;
  if (balloon.currentBytes === null) return words.sizeUnknown;
  if (balloon.currentBytes === 0) return words.empty;
  const share = memory.configuredBytes ? ` (${percent(balloon.currentBytes, memory.configuredBytes, lang)})` : '';
  return `${words.balloon} ${formatBytes(balloon.currentBytes, lang)}${share}`;
}

/** One line for the tree: "VMware · balloon 20.0 GiB (63%) · limit 12.0 GiB". */
export function verdictLine(report: Report, lang: Lang = DEFAULT_LANG): string {
  const parts = [hypervisorLabel(report.hypervisor.kind, lang), balloonPhrase(report, lang)];
  const limit = limitPhrase(report, lang);
  if (limit) parts.push(limit);
  return parts.join(' · ');
}

/** Codicons, not emoji: they render in every font and theme (the item's background also tells the severity). */
export const STATUS_SYMBOL: Record<ReportStatus, string> = { ok: '$(check)', warning: '$(warning)', critical: '$(error)', unknown: '$(question)' };

/** Status-bar text: "$(pulse) Balloon 20.0 GiB $(error)". */
export function statusBarText(report: Report, lang: Lang = DEFAULT_LANG): string {
  const { balloon } = report;
  let size: string;
  if (report.hypervisor.kind === 'none' || !balloon.loaded) size = WORDS[lang].none;
  else if (balloon.currentBytes === null) size = '?';
  else size = balloon.currentBytes === 0 ? '0' : formatBytes(balloon.currentBytes, lang);
  return `$(pulse) Balloon ${size} ${STATUS_SYMBOL[report.status]}`;
}

/** What a screen reader says for the status-bar item. */
export function statusBarLabel(report: Report, lang: Lang = DEFAULT_LANG): string {
  return `Balloon Inspector: ${balloonPhrase(report, lang)}, ${WORDS[lang].status[report.status]}${report.findings[0] ? `: ${report.findings[0].title}` : ''}`;
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

/** A status as the CLI's outputs print it: "CRITICAL", "CRÍTICO" (text, Markdown, fleet, watch and host output). */
export function statusBadge(status: ReportStatus, lang: Lang = DEFAULT_LANG): string {
  return WORDS[lang].status[status].toUpperCase();
}

/** "2 critical, 1 warning" or "no findings" ("2 críticos, 1 aviso", "sin hallazgos"). */
export function findingCounts(findings: readonly Finding[], lang: Lang = DEFAULT_LANG): string {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  const words = WORDS[lang];
  const parts = (['critical', 'warning', 'info'] as const).filter((severity) => counts[severity])
    .map((severity) => `${counts[severity]} ${words.severity[severity][counts[severity] === 1 ? 0 : 1]}`);
  return parts.length ? parts.join(', ') : words.noFindings;
}

import type { Report } from '../report';
import type { Severity } from '../rules';
import { DEFAULT_LANG, formatDecimal, type Lang, type PerLang } from '../../shared/i18n';
import { figureRows, hypervisorPhrase, memorySplit, signedBytes, trendDirection, type FigureKey } from '../../shared/presentation';
import { statusBadge } from '../../shared/verdict';
import { formatBytes } from '../units';
import { printableDeep } from './printable';

export interface TextOptions {
  color: boolean;
  width?: number;
  lang?: Lang;
  /** Whether an article is shown in English for want of a translation into `lang` (the reader is told). */
  englishOnly?: (id: string) => boolean;
}

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', green: '\x1b[32m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

/** The text report's own words; line labels are padded to 10 columns in every language. */
export const TEXT_WORDS: PerLang<{
  memory: string; unknownFigures: string; configured: string; limit: string; estimate: string; used: string; available: string;
  severity: Record<Severity, string>; noFindingsUnknown: string; noFindings: string; read: string; englishOnly: string;
  balloon: string; noDriver: string; sizeUnknown: string; target: string; from: string; needsTools: string;
  labels: { limits: string; memory: string; trend: string; evidence: string; probes: string }; none: string;
  trendLine: (t: { direction: string; seconds: number; samples: number; delta: string; swapIn: string; swapOut: string; faults: string }) => string;
  virtioMem: (m: { device: string; requested: string | null; region: string | null; added: string | null; addedUnknown: unknown }) => string;
}> = {
  en: {
    memory: 'Memory', unknownFigures: '(figures unknown)', configured: 'configured', limit: 'limit', estimate: ' (estimate: MemFree + Buffers + Cached)',
    used: 'used', available: 'available',
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
    noFindingsUnknown: 'No findings, but the guest could not be fully checked (see Probes below).', noFindings: 'No findings: nothing is taking memory from this guest.',
    read: 'read', englishOnly: 'article in English only', balloon: 'Balloon', noDriver: 'no driver', sizeUnknown: 'size unknown', target: 'target', from: 'from', needsTools: ' (needs VMware Tools)',
    labels: { limits: 'Limits', memory: 'Memory', trend: 'Trend', evidence: 'Evidence', probes: 'Probes' }, none: 'none',
    trendLine: (t) => `${t.direction} over ${t.seconds} s (${t.samples} samples): balloon ${t.delta}, swap in/out ${t.swapIn}/${t.swapOut} pages/s, major faults ${t.faults}/s`,
    virtioMem: (m) => `virtio-mem ${m.device}: ${m.requested !== null ? `requested ${m.requested}` : 'requested unknown (no kernel log)'}${m.region !== null ? ` of a ${m.region} region` : ''}, ` +
      `${m.added !== null ? `${m.added} added to Linux (plugged is at most that)` : `added unknown (${m.addedUnknown})`}; hot-plugged memory, not a balloon`,
  },
  es: {
    memory: 'Memoria', unknownFigures: '(cifras desconocidas)', configured: 'configurada', limit: 'límite', estimate: ' (estimación: MemFree + Buffers + Cached)',
    used: 'usada', available: 'disponible',
    severity: { critical: 'CRÍTICO', warning: 'AVISO', info: 'INFO' },
    noFindingsUnknown: 'Sin hallazgos, pero la VM no se pudo comprobar del todo (vea Sondas más abajo).', noFindings: 'Sin hallazgos: nada le está quitando memoria a esta VM.',
    read: 'ver', englishOnly: 'artículo disponible solo en inglés', balloon: 'Balloon', noDriver: 'sin driver', sizeUnknown: 'tamaño desconocido', target: 'objetivo', from: 'de', needsTools: ' (requiere VMware Tools)',
    labels: { limits: 'Límites', memory: 'Memoria', trend: 'Tendencia', evidence: 'Evidencia', probes: 'Sondas' }, none: 'ninguna',
    trendLine: (t) => `${t.direction} en ${t.seconds} s (${t.samples} muestras): balloon ${t.delta}, swap in/out ${t.swapIn}/${t.swapOut} páginas/s, fallos de página mayores ${t.faults}/s`,
    virtioMem: (m) => `virtio-mem ${m.device}: ${m.requested !== null ? `solicitado ${m.requested}` : 'solicitado desconocido (sin log del kernel)'}${m.region !== null ? ` de una región de ${m.region}` : ''}, ` +
      `${m.added !== null ? `${m.added} añadidos a Linux (lo conectado es como mucho eso)` : `añadido desconocido (${m.addedUnknown})`}; memoria conectada en caliente, no un balloon`,
  },
};

/** "Memory  ", "Memoria ": the bar's label, 8 columns. */
const barLabel = (lang: Lang) => TEXT_WORDS[lang].memory.padEnd(7);

/** The memory bar: used | balloon | available across configured memory, with the limit marked. */
export function memoryBar(report: Report, width = 48, lang: Lang = DEFAULT_LANG): string[] {
  const words = TEXT_WORDS[lang];
  const bytes = (value: number) => formatBytes(value, lang);
  const split = memorySplit(report);
  if (!split) return [`${barLabel(lang)} ${words.unknownFigures}`];
  const { configured, used, balloon, available } = split;
  const cells = (value: number) => Math.max(0, Math.round((value / configured) * width));
  const usedCells = cells(used);
  const balloonCells = Math.min(cells(balloon), width - usedCells);
  const availableCells = Math.min(cells(available), width - usedCells - balloonCells);
  const bar = ('█'.repeat(usedCells) + '▒'.repeat(balloonCells) + '░'.repeat(availableCells)).padEnd(width, ' ');
  const out = [`${barLabel(lang)} [${bar}] ${bytes(configured)} ${words.configured}`];
  const limit = split.limit;
  if (limit !== null && limit < configured) {
    const at = Math.min(cells(limit), width - 1);
    out.push(`         ${' '.repeat(at)}^ ${words.limit} ${bytes(limit)}`);
  }
  // Kernels without MemAvailable (RHEL 5, RHEL 6 before 6.6): the figure is MemFree + Buffers + Cached.
  const estimated = report.memory.availableSource?.startsWith('estimate') ? words.estimate : '';
  out.push(`        █ ${words.used} ${bytes(used)}   ▒ balloon ${bytes(balloon)}   ░ ${words.available} ${bytes(available)}${estimated}`);
  return out;
}

/** "Balloon   vmw_balloon, 20.0 GiB (target 20.0 GiB)  from …" and the virtio-mem lines. */
function balloonLines(report: Report, lang: Lang): string[] {
  const words = TEXT_WORDS[lang];
  const bytes = (value: number) => formatBytes(value, lang);
  const b = report.balloon;
  const lines = [`${words.balloon.padEnd(10)}${b.driver ?? words.noDriver}${b.currentBytes !== null ? `, ${bytes(b.currentBytes)}` : `, ${words.sizeUnknown}`}${b.targetBytes !== null && b.driver !== 'xen_balloon' ? ` (${words.target} ${bytes(b.targetBytes)})` : ''}${b.source ? `  ${words.from} ${b.source}` : ''}`];
  for (const m of report.virtioMem ?? []) {
    lines.push(words.virtioMem({
      device: m.device, requested: m.requestedBytes !== null ? bytes(m.requestedBytes) : null, region: m.regionBytes !== null ? bytes(m.regionBytes) : null,
      added: m.addedBytes !== null ? bytes(m.addedBytes) : null, addedUnknown: m.addedUnknownReason,
    }));
  }
  return lines;
}

/** Limits, memory, trend, evidence and probes: the figure rows of every view (src/shared/presentation.ts). */
function figureLines(report: Report, lang: Lang): string[] {
  const words = TEXT_WORDS[lang];
  const label = (text: string) => text.padEnd(10);
  const figures = new Map(figureRows(report, { lang }).map((row) => [row.key, row]));
  const figureLine = (keys: FigureKey[]) => keys.flatMap((key) => { const row = figures.get(key); return row ? [`${row.name} ${row.value}`] : []; }).join('   ');
  const lines: string[] = [];
  // Limits are a VMware notion the guest can read only through VMware Tools.
  if (report.hypervisor.kind === 'vmware') {
    const needsTools = report.limits.memLimitBytes === null && !report.limits.memLimitKnown ? words.needsTools : '';
    lines.push(`${label(words.labels.limits)}${figureLine(['memoryLimit'])}${needsTools}   ${figureLine(['reservation', 'hostSwapped'])}`);
  }
  lines.push(`${label(words.labels.memory)}${figureLine(['memTotal', 'configured', 'unaccounted', 'guestSwap'])}`);
  if (report.trend) {
    const t = report.trend;
    const rate = (value: number | null | undefined) => (value === null || value === undefined ? '?' : formatDecimal(value, 1, lang));
    lines.push(`${label(words.labels.trend)}${words.trendLine({
      direction: lang === 'en' ? t.direction : trendDirection(t.direction, lang), seconds: Math.round(t.seconds), samples: t.samples,
      delta: signedBytes(t.balloonDeltaBytes, lang), swapIn: rate(t.swapInPerSecond), swapOut: rate(t.swapOutPerSecond), faults: rate(t.majorFaultsPerSecond),
    })}`);
  }
  lines.push(`${label(words.labels.evidence)}${report.hypervisor.evidence.join('; ') || words.none}`);
  const notOk = report.probes.filter((probe) => probe.status !== 'ok' && probe.status !== 'absent');
  if (notOk.length) lines.push(`${label(words.labels.probes)}${notOk.map((probe) => `${probe.id}: ${probe.status}${probe.detail ? ` (${probe.detail})` : ''}`).join('; ')}`);
  return lines;
}

export function renderText(report: Report, options: TextOptions): string {
  report = printableDeep(report);
  const lang = options.lang ?? DEFAULT_LANG;
  const words = TEXT_WORDS[lang];
  const paint = (code: keyof typeof ANSI, text: string) => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const severityColor: Record<Severity, keyof typeof ANSI> = { critical: 'red', warning: 'yellow', info: 'cyan' };
  const statusColor = { ok: 'green', warning: 'yellow', critical: 'red', unknown: 'dim' } as const;
  const hv = hypervisorPhrase(report.hypervisor.kind, lang) + (report.hypervisor.product ? `, ${report.hypervisor.product}` : '');
  const lines: string[] = [];
  lines.push(`${paint('bold', `Balloon Inspector — ${report.target.name}`)} (${hv})  ${paint(statusColor[report.status], statusBadge(report.status, lang))}`);
  lines.push('');
  if (report.findings.length === 0) lines.push(report.status === 'unknown' ? words.noFindingsUnknown : words.noFindings);
  for (const finding of report.findings) {
    lines.push(`${paint(severityColor[finding.severity], words.severity[finding.severity].padEnd(8))} ${paint('bold', finding.title)}`);
    lines.push(`         ${finding.detail}`);
    const articles = finding.articles.map((id) => (options.englishOnly?.(id) ? `${id} (${words.englishOnly})` : id));
    lines.push(`         ${paint('dim', `[${finding.id}] ${words.read}: ${articles.join(', ')}`)}`);
  }
  lines.push('');
  lines.push(...memoryBar(report, options.width, lang));
  lines.push('');
  lines.push(...balloonLines(report, lang), ...figureLines(report, lang));
  return `${lines.join('\n')}\n`;
}

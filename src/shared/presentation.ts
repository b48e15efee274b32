/**
 * One home for how a report is shown: hypervisor names, the figure rows, the used/balloon/available split and
 * check times. Used by the CLI renderers (src/core/render), the tree, the status bar, the report page and the
 * fleet output. Pure: no vscode, no DOM, only types and units from src/core.
 */
import type { HypervisorKind } from '../core/facts';
import type { Report } from '../core/report';
import { formatBytes } from './units';
import { DEFAULT_LANG, formatCheckTime, INTL_LOCALE, type Lang, type PerLang } from './i18n';

/** Hypervisor kinds, plus "any" for knowledge documents that apply to every hypervisor. */
export type HypervisorName = HypervisorKind | 'any';

/** `label` heads a row or a line ("Bare metal"); `phrase` stands inside a sentence ("on bare metal"). */
const HYPERVISOR_NAMES_ES: Record<HypervisorName, { label: string; phrase: string }> = {
  vmware: { label: 'VMware', phrase: 'VMware' },
  kvm: { label: 'KVM', phrase: 'KVM' },
  hyperv: { label: 'Hyper-V', phrase: 'Hyper-V' },
  xen: { label: 'Xen', phrase: 'Xen' },
  other: { label: 'Otro hipervisor', phrase: 'un hipervisor' },
  none: { label: 'Máquina física', phrase: 'una máquina física' },
  unknown: { label: 'Plataforma desconocida', phrase: 'una plataforma desconocida' },
  any: { label: 'Cualquier hipervisor', phrase: 'cualquier hipervisor' },
};

const HYPERVISOR_NAMES: Record<HypervisorName, { label: string; phrase: string }> = {
  vmware: { label: 'VMware', phrase: 'VMware' },
  kvm: { label: 'KVM', phrase: 'KVM' },
  hyperv: { label: 'Hyper-V', phrase: 'Hyper-V' },
  xen: { label: 'Xen', phrase: 'Xen' },
  other: { label: 'Other hypervisor', phrase: 'a hypervisor' },
  none: { label: 'Bare metal', phrase: 'bare metal' },
  unknown: { label: 'Unknown platform', phrase: 'an unknown platform' },
  any: { label: 'Any hypervisor', phrase: 'any hypervisor' },
};

/** `lang` may be an array index (`kinds.map(hypervisorLabel)`): anything but a language is English. */
const nameOf = (kind: string, lang: Lang | number) =>
  (Object.hasOwn(HYPERVISOR_NAMES, kind) ? (lang === 'es' ? HYPERVISOR_NAMES_ES : HYPERVISOR_NAMES)[kind as HypervisorName] : null);

/** "VMware", "Bare metal": a hypervisor kind as a label (an unknown kind as itself). */
export function hypervisorLabel(kind: string, lang: Lang | number = DEFAULT_LANG): string {
  return nameOf(kind, lang)?.label ?? kind;
}

/** "VMware", "bare metal", "a hypervisor": a hypervisor kind inside a sentence. */
export function hypervisorPhrase(kind: string, lang: Lang | number = DEFAULT_LANG): string {
  return nameOf(kind, lang)?.phrase ?? kind;
}

/** The figure rows' stable keys: views pick rows by key (the name is in the reader's language). */
export type FigureKey =
  | 'hypervisor' | 'balloonDriver' | 'balloonSize' | 'memoryTarget' | 'balloonTarget' | 'configured' | 'memoryLimit'
  | 'reservation' | 'hostSwapped' | 'memTotal' | 'memAvailable' | 'unaccounted' | 'guestSwap' | 'trend' | 'hostName'
  | 'kernel' | 'container' | 'checked';

/** The rows' names; the English ones are also the names the views have always shown. */
export const FIGURE_NAMES: PerLang<Record<FigureKey, string>> = {
  en: {
    hypervisor: 'Hypervisor', balloonDriver: 'Balloon driver', balloonSize: 'Balloon size', memoryTarget: 'Memory target',
    balloonTarget: 'Balloon target', configured: 'Configured memory', memoryLimit: 'Memory limit', reservation: 'Reservation',
    hostSwapped: 'Host-swapped', memTotal: 'MemTotal', memAvailable: 'MemAvailable', unaccounted: 'Unaccounted used',
    guestSwap: 'Guest swap', trend: 'Trend', hostName: 'Host name', kernel: 'Kernel', container: 'Container', checked: 'Checked',
  },
  es: {
    hypervisor: 'Hipervisor', balloonDriver: 'Driver del balloon', balloonSize: 'Tamaño del balloon', memoryTarget: 'Memoria objetivo',
    balloonTarget: 'Objetivo del balloon', configured: 'Memoria configurada', memoryLimit: 'Límite de memoria', reservation: 'Reserva',
    hostSwapped: 'En swap del host', memTotal: 'MemTotal', memAvailable: 'MemAvailable', unaccounted: 'Usada sin contabilizar',
    guestSwap: 'Swap de la VM', trend: 'Tendencia', hostName: 'Nombre del host', kernel: 'Kernel', container: 'Contenedor', checked: 'Comprobado',
  },
};

/** The fixed words inside figure values. */
export const FIGURE_WORDS: PerLang<{
  none: string; unknown: string; unlimited: string; free: string; inContainer: string; balloon: string;
  over: (seconds: number, samples: number) => string; direction: Record<'inflating' | 'deflating' | 'steady' | 'unknown', string>;
}> = {
  en: {
    none: 'none', unknown: 'unknown', unlimited: 'unlimited', free: 'free', inContainer: 'checked from inside a container', balloon: 'balloon',
    over: (seconds, samples) => `over ${seconds} s (${samples} samples)`,
    direction: { inflating: 'inflating', deflating: 'deflating', steady: 'steady', unknown: 'unknown' },
  },
  es: {
    none: 'ninguno', unknown: 'desconocido', unlimited: 'sin límite', free: 'libres', inContainer: 'comprobado desde dentro de un contenedor', balloon: 'balloon',
    over: (seconds, samples) => `en ${seconds} s (${samples} muestras)`,
    direction: { inflating: 'inflándose', deflating: 'desinflándose', steady: 'estable', unknown: 'desconocida' },
  },
};

/** "inflating", "inflándose": a trend's direction in a language. */
export const trendDirection = (direction: keyof (typeof FIGURE_WORDS)['en']['direction'], lang: Lang = DEFAULT_LANG): string => FIGURE_WORDS[lang].direction[direction] ?? direction;

/** Where the configured memory figure came from (facts.ts's wording), in a language: "32 bloques de memoria de 1024 MiB". */
export function configuredSourceText(source: string, lang: Lang = DEFAULT_LANG): string {
  if (lang !== 'es') return source;
  const blocks = /^(\d+) memory blocks of (\d+) MiB(?:, (\d+) of them offline)?$/.exec(source);
  if (blocks) return `${blocks[1]} bloques de memoria de ${blocks[2]} MiB${blocks[3] ? `, ${blocks[3]} de ellos offline` : ''}`;
  const fixed: Record<string, string> = {
    'MemTotal plus the balloon (lower bound)': 'MemTotal más el balloon (cota inferior)',
    'MemTotal (lower bound)': 'MemTotal (cota inferior)',
    'MemTotal (memory blocks counted less)': 'MemTotal (los bloques de memoria sumaban menos)',
  };
  return fixed[source] ?? source;
}

export interface FigureRow { key: FigureKey; name: string; value: string }

export interface FigureOptions {
  /** How the check time is shown: ISO by default (Markdown, JSON) in English, a local date and time in other
   *  languages; the tree and the page pass a local clock. */
  time?: (iso: string) => string;
  /** The language of the names and values; English by default. */
  lang?: Lang;
}

/** The figures behind a report as name/value rows: the Markdown report, the tree's "Facts" and the page's table. */
export function figureRows(report: Report, options: FigureOptions = {}): FigureRow[] {
  const lang = options.lang ?? DEFAULT_LANG;
  const names = FIGURE_NAMES[lang];
  const words = FIGURE_WORDS[lang];
  const bytes = (value: number | null) => formatBytes(value, lang);
  const rows: FigureRow[] = [];
  const add = (key: FigureKey, value: string) => rows.push({ key, name: names[key], value });
  const withSource = (value: number | null, source: string | null) => `${bytes(value)}${source ? ` (${source})` : ''}`;
  add('hypervisor', `${hypervisorLabel(report.hypervisor.kind, lang)}${report.hypervisor.product ? ` (${report.hypervisor.product})` : ''}`);
  add('balloonDriver', report.balloon.driver ?? words.none);
  add('balloonSize', withSource(report.balloon.currentBytes, report.balloon.source));
  // Xen's target is the memory the guest should have (xen_memory0 target_kb), not a balloon size.
  if (report.balloon.targetBytes !== null) add(report.balloon.driver === 'xen_balloon' ? 'memoryTarget' : 'balloonTarget', bytes(report.balloon.targetBytes));
  add('configured', withSource(report.memory.configuredBytes, report.memory.configuredSource && configuredSourceText(report.memory.configuredSource, lang)));
  add('memoryLimit', memoryLimitText(report, lang));
  add('reservation', bytes(report.limits.memReservationBytes));
  add('hostSwapped', bytes(report.limits.hostSwappedBytes));
  add('memTotal', bytes(report.memory.totalBytes));
  add('memAvailable', bytes(report.memory.availableBytes));
  add('unaccounted', bytes(report.memory.unaccountedBytes));
  add('guestSwap', report.memory.swapTotalBytes === null ? words.unknown : `${bytes(report.memory.swapTotalBytes)} (${bytes(report.memory.swapFreeBytes)} ${words.free})`);
  if (report.trend) {
    const t = report.trend;
    add('trend', `${trendDirection(t.direction, lang)}, ${words.balloon} ${signedBytes(t.balloonDeltaBytes, lang)} ${words.over(Math.round(t.seconds), t.samples)}`);
  }
  add('hostName', report.guest.hostname ?? words.unknown);
  add('kernel', report.guest.kernel ?? words.unknown);
  if (report.guest.insideContainer) add('container', words.inContainer);
  add('checked', (options.time ?? ((iso: string) => formatCheckTime(iso, lang)))(report.collectedAt));
  return rows;
}

/** "12.0 GiB", "unlimited" (the guest can read the limit and there is none) or "unknown". */
export function memoryLimitText(report: Pick<Report, 'limits'>, lang: Lang = DEFAULT_LANG): string {
  const { memLimitBytes, memLimitKnown } = report.limits;
  if (memLimitBytes !== null) return formatBytes(memLimitBytes, lang);
  return memLimitKnown ? FIGURE_WORDS[lang].unlimited : FIGURE_WORDS[lang].unknown;
}

/** "+1.0 GiB", "-512 MiB", "unknown". */
export function signedBytes(bytes: number | null, lang: Lang = DEFAULT_LANG): string {
  return bytes === null ? FIGURE_WORDS[lang].unknown : `${bytes >= 0 ? '+' : ''}${formatBytes(bytes, lang)}`;
}

export interface MemorySplit {
  configured: number;
  used: number;
  balloon: number;
  available: number;
  limit: number | null;
}

/** Splits configured memory into used / balloon / available, as free(1) and the balloon driver see it; null when unknown. */
export function memorySplit(report: Pick<Report, 'memory' | 'balloon' | 'limits'>): MemorySplit | null {
  const total = report.memory.totalBytes;
  const available = report.memory.availableBytes;
  const configured = report.memory.configuredBytes ?? total;
  if (!configured || total === null || available === null) return null;
  const balloon = Math.max(report.balloon.currentBytes ?? 0, 0);
  // A VMware balloon stays inside MemTotal and shows as "used"; others leave MemTotal.
  const balloonInUsed = report.balloon.shrinksMemTotal === false;
  const used = Math.max(total - available - (balloonInUsed ? balloon : 0), 0);
  return { configured, used, balloon, available: Math.max(available, 0), limit: report.limits.memLimitBytes };
}

export interface TimeOptions {
  /** BCP 47 locale; the user's (the runtime's default) when absent. */
  locale?: string;
  /** IANA zone; the user's when absent. */
  timeZone?: string;
  /** Now, in ms since the epoch (tests pass a fixed one). */
  now?: number;
  /** The language of the words ("2 min ago", "hace 2 min"); English by default. Without a `locale`, a
   *  language other than English also picks the locale dates are written in. */
  lang?: Lang;
}

/**
 * A check time in the user's locale and zone: the clock time ("18:53:49") on the same day, date and time
 * otherwise. Text that is not a time comes back as it is.
 */
export function localTime(iso: string, options: TimeOptions = {}): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  const day = (ms: number) => new Date(ms).toLocaleDateString('en-CA', zone);
  const sameDay = day(at) === day(options.now ?? Date.now());
  const format: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', ...zone }
    : { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', ...zone };
  const locale = options.locale ?? (options.lang && options.lang !== 'en' ? INTL_LOCALE[options.lang] : undefined);
  return new Date(at).toLocaleString(locale, format);
}

export const AGO_WORDS: PerLang<{ future: string; now: string; ago: (amount: string) => string; days: (days: number) => string; checked: string }> = {
  en: { future: 'in the future', now: 'just now', ago: (amount) => `${amount} ago`, days: (days) => `${days} day${days === 1 ? '' : 's'} ago`, checked: 'checked' },
  es: { future: 'en el futuro', now: 'ahora mismo', ago: (amount) => `hace ${amount}`, days: (days) => `hace ${days} día${days === 1 ? '' : 's'}`, checked: 'comprobado' },
};

/** "just now", "40 s ago", "2 min ago", "3 h ago", "2 days ago" ("hace 2 min"); "" for text that is not a time. */
export function timeAgo(iso: string, now: number = Date.now(), lang: Lang = DEFAULT_LANG): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return '';
  const words = AGO_WORDS[lang];
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 0) return words.future;
  if (seconds < 10) return words.now;
  if (seconds < 60) return words.ago(`${seconds} s`);
  if (seconds < 3600) return words.ago(`${Math.floor(seconds / 60)} min`);
  if (seconds < 86_400) return words.ago(`${Math.floor(seconds / 3600)} h`);
  return words.days(Math.floor(seconds / 86_400));
}

/** "checked 18:53:49 (2 min ago)", "comprobado 18:53:49 (hace 2 min)". */
export function checkedPhrase(iso: string, options: TimeOptions = {}): string {
  const ago = timeAgo(iso, options.now, options.lang);
  return `${AGO_WORDS[options.lang ?? DEFAULT_LANG].checked} ${localTime(iso, options)}${ago ? ` (${ago})` : ''}`;
}

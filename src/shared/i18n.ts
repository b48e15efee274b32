/**
 * The product's languages, and how numbers and dates are written in each. Pure: no vscode, no Node.js (the
 * report page runs it too).
 *
 * The contract every front end follows:
 * - A language is a `Lang`. English is the default everywhere and its output never changes.
 * - The CLI takes it from the environment (`langFromEnv(process.env)`, LC_ALL > LC_MESSAGES > LANG) or `--lang`;
 *   the extension from `vscode.env.language` through `langFromLocale`.
 * - Presentation functions take the language as their last, optional parameter (`lang: Lang = 'en'`), or as a
 *   `lang` field where they already take an options object (`figureRows(report, { lang, time })`,
 *   `localTime(iso, { lang })`). Findings are written in a language by `diagnose(facts, trend, lang)`.
 * - JSON and Prometheus output are language-neutral: ids, numbers, and the English title/detail of the schema.
 */

export type Lang = 'en' | 'es';

/** Every language, English first (the fallback). */
export const LANGS: readonly Lang[] = ['en', 'es'];
export const DEFAULT_LANG: Lang = 'en';

export const isLang = (value: unknown): value is Lang => value === 'en' || value === 'es';

/**
 * The language of a POSIX locale name or a BCP 47 tag: `es_ES.UTF-8`, `es_MX`, `es-419`, `es@euro`, `es` → 'es';
 * `C`, `POSIX`, `C.UTF-8`, empty, absent and every language the product does not speak → 'en'.
 * Also takes VS Code's `vscode.env.language` ('es', 'en', 'zh-cn').
 */
export function langFromLocale(locale: string | null | undefined): Lang {
  const language = (locale ?? '').trim().split(/[_.@-]/)[0].toLowerCase();
  return isLang(language) ? language : DEFAULT_LANG;
}

/** Environment variables, as `process.env` holds them. */
export type LocaleEnv = Readonly<Record<string, string | undefined>>;

/**
 * The messages' language as Unix tools pick it: the first non-empty of LC_ALL, LC_MESSAGES, LANG decides
 * (setlocale(LC_MESSAGES, "")); none set → English. LANGUAGE (a gettext list of fallbacks) is not read.
 */
export function langFromEnv(env: LocaleEnv): Lang {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
  return langFromLocale(locale);
}

/** The BCP 47 locale `Intl` formats a language's numbers and dates with. */
export const INTL_LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };

const decimalFormats = new Map<string, Intl.NumberFormat>();

/**
 * A number with a fixed count of decimals: English exactly as `toFixed` writes it ("20.0", "1234.5"), other
 * languages through `Intl` ("20,0", "12.345,5").
 */
export function formatDecimal(value: number, fractionDigits: number, lang: Lang = DEFAULT_LANG): string {
  if (lang === 'en' || !Number.isFinite(value)) return value.toFixed(fractionDigits);
  const key = `${lang}/${fractionDigits}`;
  let format = decimalFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(INTL_LOCALE[lang], { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
    decimalFormats.set(key, format);
  }
  return format.format(value);
}

/** A whole number: "1234" in English (as today), "1234" / "12.345" in Spanish. */
export const formatInteger = (value: number, lang: Lang = DEFAULT_LANG): string => formatDecimal(Math.round(value), 0, lang);

/** "63%" in English, "63 %" in Spanish (RAE: a space before the sign). */
export const formatPercentValue = (whole: number, lang: Lang = DEFAULT_LANG): string =>
  lang === 'en' ? `${whole}%` : `${formatInteger(whole, lang)} %`;

export interface DateOptions {
  /** IANA zone; the user's (the runtime's) when absent. */
  timeZone?: string;
}

/**
 * A report's check time for a reader: the ISO timestamp in English (as the Markdown report always showed it),
 * a local date and time with its zone in other languages ("29 de noviembre de 2026, 22:57:13 CET").
 * Text that is not a time comes back as it is.
 */
export function formatCheckTime(iso: string, lang: Lang = DEFAULT_LANG, options: DateOptions = {}): string {
  const at = Date.parse(iso);
  if (lang === 'en' || !Number.isFinite(at)) return iso;
  return new Intl.DateTimeFormat(INTL_LOCALE[lang], {
    year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(new Date(at));
}

/** One value per language; TypeScript makes sure none is missing. */
export type PerLang<T> = Record<Lang, T>;

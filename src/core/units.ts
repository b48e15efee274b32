import { formatDecimal, formatInteger, formatPercentValue, type Lang } from '../shared/i18n';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
/** vmw_balloon (debugfs, /proc/vmmemctl) and hv_balloon count 4 KiB frames on every architecture; vmstat page counters do not (kernel pages, see kernels.ts). */
export const BALLOON_FRAME_BYTES = 4096;

/** "20.0 GiB", "512 MiB": binary units, one decimal above 10 GiB-ish precision needs (Spanish: "20,0 GiB"). */
export function formatBytes(bytes: number | null | undefined, lang: Lang = 'en'): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return lang === 'es' ? 'desconocido' : 'unknown';
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  if (abs >= GiB) return `${sign}${formatDecimal(abs / GiB, 1, lang)} GiB`;
  if (abs >= MiB) return `${sign}${formatInteger(abs / MiB, lang)} MiB`;
  if (abs >= KiB) return `${sign}${formatInteger(abs / KiB, lang)} KiB`;
  return `${sign}${lang === 'en' ? abs : formatInteger(abs, lang)} B`;
}

/** "63%" ("63 %" in Spanish), "?%" when the whole is unknown. */
export function percent(part: number, whole: number, lang: Lang = 'en'): string {
  if (!whole) return '?%';
  return formatPercentValue(Math.round((part / whole) * 100), lang);
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
/** vmw_balloon (debugfs, /proc/vmmemctl) and hv_balloon count 4 KiB frames on every architecture; vmstat page counters do not (kernel pages, see kernels.ts). */
export const BALLOON_FRAME_BYTES = 4096;

/** "20.0 GiB", "512 MiB": binary units, one decimal above 10 GiB-ish precision needs. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'unknown';
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  if (abs >= GiB) return `${sign}${(abs / GiB).toFixed(1)} GiB`;
  if (abs >= MiB) return `${sign}${Math.round(abs / MiB)} MiB`;
  if (abs >= KiB) return `${sign}${Math.round(abs / KiB)} KiB`;
  return `${sign}${abs} B`;
}

export function percent(part: number, whole: number): string {
  if (!whole) return '?%';
  return `${Math.round((part / whole) * 100)}%`;
}

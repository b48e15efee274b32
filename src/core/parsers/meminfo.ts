import { known, lines, parseCount, refuseText, scaled, unknown, type Parsed } from '../parsed';
import { KiB } from '../units';

/** /proc/meminfo: values in bytes (the `kB` lines) and plain counts (HugePages_*). */
export interface Meminfo {
  bytes: Map<string, number>;
  counts: Map<string, number>;
}

const LINE = /^([A-Za-z0-9_()]+):\s+(\d+)(?: kB)?$/;

export function parseMeminfo(text: string): Parsed<Meminfo> {
  const refused = refuseText(text, '/proc/meminfo');
  if (refused) return unknown(refused);
  const bytes = new Map<string, number>();
  const counts = new Map<string, number>();
  let bad = 0;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const match = LINE.exec(line.trim());
    const isKb = line.trimEnd().endsWith(' kB');
    // kB figures past 2^53 bytes are no real machine's: a bad line, never a rounded number.
    const value = isKb ? scaled(parseCount(match?.[2]), KiB) : parseCount(match?.[2]);
    if (!match || value === null) {
      bad++;
      continue;
    }
    // Only the HugePages_* lines are plain counts; any other line without " kB" was cut short.
    if (!isKb && !match[1].startsWith('HugePages_')) {
      bad++;
      continue;
    }
    const map = isKb ? bytes : counts;
    const seen = map.get(match[1]);
    if (seen !== undefined && seen !== value) return unknown(`/proc/meminfo has two different ${match[1]} lines`);
    map.set(match[1], value);
  }
  const total = bytes.get('MemTotal');
  if (total === undefined) return unknown(bad ? `/proc/meminfo has no MemTotal line (${bad} lines not in meminfo format)` : '/proc/meminfo has no MemTotal line');
  if (bad > bytes.size + counts.size) return unknown(`/proc/meminfo is mostly not in meminfo format (${bad} bad lines)`);
  if (total <= 0) return unknown('/proc/meminfo says MemTotal is 0');
  const free = bytes.get('MemFree');
  if (free !== undefined && free > total) return unknown('/proc/meminfo is inconsistent: MemFree is larger than MemTotal');
  return known({ bytes, counts });
}

/**
 * Used memory that no process, cache or kernel structure accounts for: MemTotal minus the fields below that
 * do (free, buffers, caches, anonymous pages, slab, stacks, page tables, vmalloc, huge pages...). A VMware
 * balloon lives here, because vmw_balloon leaves MemTotal alone.
 */
export function unaccountedBytes(info: Meminfo): Parsed<number> {
  const get = (key: string) => info.bytes.get(key);
  // KernelStack is printed since 2.6.32; before, kernel stacks are part of the residue.
  const required = ['MemTotal', 'MemFree', 'Buffers', 'Cached', 'AnonPages', 'PageTables'];
  const missing = required.filter((key) => get(key) === undefined);
  if (get('Slab') === undefined && (get('SReclaimable') === undefined || get('SUnreclaim') === undefined)) missing.push('Slab');
  if (missing.length) return unknown(`meminfo lacks ${missing.join(', ')}`);
  const v = (key: string) => get(key) ?? 0;
  const slab = get('Slab') ?? v('SReclaimable') + v('SUnreclaim');
  const hugetlb = get('Hugetlb') ?? (info.counts.get('HugePages_Total') ?? 0) * v('Hugepagesize');
  const accounted =
    v('MemFree') + v('Buffers') + v('Cached') + v('SwapCached') + v('AnonPages') + slab +
    v('KernelStack') + v('PageTables') + v('SecPageTables') + v('Percpu') +
    Math.max(v('VmallocUsed') - v('KernelStack'), 0) + hugetlb + v('Zswap') + v('Unaccepted');
  return known(Math.max(v('MemTotal') - accounted, 0));
}

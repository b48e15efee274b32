import { known, lines, parseCount, refuseText, uniqueKeyValues, unknown, type Parsed } from '../parsed';

/** `/sys/kernel/debug/hv-balloon` (Linux 6.0+), counters in 4 KiB pages. */
export interface HvBalloonStats {
  pagesBallooned: number;
  pagesAdded: number | null;
  pagesOnlined: number | null;
  state: string | null;
  maxDynamicPages: number | null;
  committedPages: number | null;
  /** The driver's own `page_size` line (bytes per counted page), when present. */
  pageSize?: number | null;
}

export function parseHvBalloon(text: string): Parsed<HvBalloonStats> {
  const refused = refuseText(text, 'hv-balloon stats');
  if (refused) return unknown(refused);
  const { values, conflict } = uniqueKeyValues(text, ':');
  if (conflict) return unknown(`hv-balloon stats have two different ${conflict} lines`);
  const count = (key: string) => parseCount(values.get(key));
  const ballooned = count('pages_ballooned');
  if (ballooned === null) return unknown(values.has('pages_ballooned') ? 'hv-balloon pages_ballooned is not a number' : 'hv-balloon stats have no pages_ballooned line');
  // The driver always prints total_pages_committed and max_dynamic_page_count after it: text ending
  // at pages_ballooned was cut, maybe inside the number.
  const all = lines(text).filter((line) => line.trim() !== '');
  if (all[all.length - 1].trim().startsWith('pages_ballooned')) return unknown('hv-balloon stats end at pages_ballooned: the text looks cut off');
  const state = values.get('state');
  return known({
    pagesBallooned: ballooned,
    pagesAdded: count('pages_added'),
    pagesOnlined: count('pages_onlined'),
    state: state ? (/\(([^)]+)\)/.exec(state)?.[1] ?? state) : null,
    maxDynamicPages: count('max_dynamic_page_count'),
    committedPages: count('total_pages_committed') ?? count('total_pages_commited'),
    pageSize: count('page_size'),
  });
}

import { known, lines, parseCount, refuseText, unknown, type Parsed } from '../parsed';

/** `/sys/kernel/debug/hv-balloon` (Linux 6.0+), counters in 4 KiB pages. */
export interface HvBalloonStats {
  pagesBallooned: number;
  pagesAdded: number | null;
  pagesOnlined: number | null;
  state: string | null;
  maxDynamicPages: number | null;
  committedPages: number | null;
}

export function parseHvBalloon(text: string): Parsed<HvBalloonStats> {
  const refused = refuseText(text, 'hv-balloon stats');
  if (refused) return unknown(refused);
  const values = new Map<string, string>();
  for (const line of lines(text)) {
    const colon = line.indexOf(':');
    if (colon > 0) values.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const count = (key: string) => parseCount(values.get(key));
  const ballooned = count('pages_ballooned');
  if (ballooned === null) return unknown(values.has('pages_ballooned') ? 'hv-balloon pages_ballooned is not a number' : 'hv-balloon stats have no pages_ballooned line');
  const state = values.get('state');
  return known({
    pagesBallooned: ballooned,
    pagesAdded: count('pages_added'),
    pagesOnlined: count('pages_onlined'),
    state: state ? (/\(([^)]+)\)/.exec(state)?.[1] ?? state) : null,
    maxDynamicPages: count('max_dynamic_page_count'),
    committedPages: count('total_pages_committed') ?? count('total_pages_commited'),
  });
}

import { known, lines, parseCount, refuseText, unknown, type Parsed } from '../parsed';

/** /proc/vmstat as `name value` counters (the probe keeps only the memory-related ones). */
export function parseVmstat(text: string): Parsed<Map<string, number>> {
  if (text.trim() === '') return unknown('/proc/vmstat has none of the counters we read');
  const refused = refuseText(text, '/proc/vmstat');
  if (refused) return unknown(refused);
  const counters = new Map<string, number>();
  let bad = 0;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const [name, value, extra] = line.trim().split(/\s+/);
    const count = parseCount(value);
    if (!name || !/^[a-z0-9_]+$/.test(name) || count === null || extra !== undefined) bad++;
    else if (counters.has(name) && counters.get(name) !== count) return unknown(`/proc/vmstat has two different ${name} lines`);
    else counters.set(name, count);
  }
  if (counters.size === 0) return unknown(`/proc/vmstat is not in vmstat format (${bad} bad lines)`);
  if (bad > counters.size) return unknown(`/proc/vmstat is mostly not in vmstat format (${bad} bad lines)`);
  return known(counters);
}

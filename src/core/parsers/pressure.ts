import { known, lines, refuseText, unknown, type Parsed } from '../parsed';

export interface PressureLine { avg10: number; avg60: number; avg300: number; totalMicros: number }
export interface MemoryPressure { some: PressureLine; full: PressureLine | null }

const LINE = /^(some|full) avg10=(\d{1,3}\.\d\d) avg60=(\d{1,3}\.\d\d) avg300=(\d{1,3}\.\d\d) total=(\d{1,15})$/;

/** /proc/pressure/memory (PSI, Linux 4.20+): stall percentages and total stall time. */
export function parsePressure(text: string): Parsed<MemoryPressure> {
  const refused = refuseText(text, '/proc/pressure/memory');
  if (refused) return unknown(refused);
  const found: Partial<Record<'some' | 'full', PressureLine>> = {};
  for (const line of lines(text)) {
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const [avg10, avg60, avg300] = [match[2], match[3], match[4]].map(Number);
    if ([avg10, avg60, avg300].some((value) => value > 100)) return unknown('/proc/pressure/memory has a percentage above 100');
    found[match[1] as 'some' | 'full'] = { avg10, avg60, avg300, totalMicros: Number(match[5]) };
  }
  if (!found.some) return unknown('/proc/pressure/memory has no "some" line in PSI format');
  return known({ some: found.some, full: found.full ?? null });
}

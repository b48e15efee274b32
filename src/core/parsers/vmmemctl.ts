import { known, lines, parseCount, refuseText, unknown, type Parsed } from '../parsed';

/** Layouts of the VMware balloon's debugfs file (and the legacy /proc/vmmemctl, which is V1). */
export type VmmemctlLayout = 'v1' | 'v2' | 'v3' | 'v4';

export interface VmmemctlStats {
  /** Balloon size the host asks for, in 4 KiB frames. */
  targetFrames: number;
  /** Balloon size now, in 4 KiB frames (2 MiB pages count 512). */
  currentFrames: number;
  layout: VmmemctlLayout;
  /** `is resetting: y`: the balloon was just reset and may read 0 for a moment. */
  resetting: boolean;
}

/**
 * `/sys/kernel/debug/vmmemctl`: four layouts since 2.6.34. Keys are split on the first ':'; the
 * FIRST `target` line is the size (a later one counts GET_TARGET calls). Old layouts print
 * `current:   N pages`, new ones `current   :   N` — which is why `awk '{print $2}'` prints 0 today.
 */
export function parseVmmemctl(text: string): Parsed<VmmemctlStats> {
  const refused = refuseText(text, 'vmmemctl stats');
  if (refused) return unknown(refused);
  let target: { value: number; pages: boolean } | undefined;
  let current: { value: number; pages: boolean } | undefined;
  let resetting = false;
  let sawRateNoSleep = false;
  let sawCapabilities = false;
  let linesAfterCurrent = 0;
  for (const line of lines(text)) {
    if (current !== undefined && line.trim() !== '') linesAfterCurrent++;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const rest = line.slice(colon + 1).trim();
    if (key === 'rateNoSleepAlloc') sawRateNoSleep = true;
    if (key === 'balloon capabilities') sawCapabilities = true;
    if (key === 'is resetting') resetting = rest === 'y';
    if (key !== 'target' && key !== 'current') continue;
    const match = /^(\d+)( pages)?$/.exec(rest);
    if (!match) {
      if (key === 'target' && target === undefined) return unknown(`vmmemctl target line is malformed: ${JSON.stringify(line.slice(0, 80))}`);
      if (key === 'current' && current === undefined) return unknown(`vmmemctl current line is malformed: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const value = parseCount(match[1]);
    if (value === null) return unknown('vmmemctl value is out of range');
    const entry = { value, pages: match[2] !== undefined };
    if (key === 'target' && target === undefined) target = entry;
    if (key === 'current' && current !== undefined && current.value !== value) return unknown('vmmemctl stats have two "current" lines that disagree');
    if (key === 'current' && current === undefined) current = entry;
  }
  if (!current) return unknown('vmmemctl stats have no "current" line');
  if (!target) return unknown('vmmemctl stats have no "target" line');
  // Every layout prints more lines after `current`: ending there means the text was cut, maybe mid-number.
  if (linesAfterCurrent === 0) return unknown('vmmemctl stats end at the "current" line: the text looks cut off');
  if (target.pages !== current.pages) return unknown('vmmemctl target and current lines are in different layouts');
  const layout: VmmemctlLayout = !current.pages ? 'v4' : sawRateNoSleep ? 'v1' : sawCapabilities && /is resetting/.test(text) ? 'v3' : 'v2';
  return known({ targetFrames: target.value, currentFrames: current.value, layout, resetting });
}

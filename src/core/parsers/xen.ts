import { known, parseCount, refuseText, scaled, uniqueKeyValues, unknown, type Parsed } from '../parsed';
import { KiB } from '../units';

/** /sys/devices/system/xen_memory/xen_memory0: target and current reservation, balloon size. */
export interface XenMemory {
  targetBytes: number;
  currentBytes: number | null;
  balloonBytes: number | null;
}

export function parseXenMemory(text: string): Parsed<XenMemory> {
  const refused = refuseText(text, 'xen_memory0');
  if (refused) return unknown(refused);
  const { values, conflict } = uniqueKeyValues(text, '=');
  if (conflict) return unknown(`xen_memory0 has two different ${conflict} values`);
  // kB figures past 2^53 bytes are no real domain: null rather than a rounded number.
  const kb = (key: string) => scaled(parseCount(values.get(key)), KiB);
  const targetKb = kb('target_kb');
  const targetBytes = parseCount(values.get('target'));
  if (targetKb === null && targetBytes === null) return unknown('xen_memory0 has no readable target_kb');
  const low = kb('low_kb');
  const high = kb('high_kb');
  const current = kb('current_kb');
  return known({
    targetBytes: targetKb !== null ? targetKb : (targetBytes as number),
    currentBytes: current,
    balloonBytes: low === null ? null : low + (high ?? 0),
  });
}

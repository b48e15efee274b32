import { keyValues, known, parseCount, refuseText, unknown, type Parsed } from '../parsed';
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
  const values = keyValues(text);
  const kb = (key: string) => parseCount(values.get(key));
  const targetKb = kb('target_kb');
  const targetBytes = parseCount(values.get('target'));
  if (targetKb === null && targetBytes === null) return unknown('xen_memory0 has no readable target_kb');
  const low = kb('low_kb');
  const high = kb('high_kb');
  const current = kb('current_kb');
  return known({
    targetBytes: targetKb !== null ? targetKb * KiB : (targetBytes as number),
    currentBytes: current === null ? null : current * KiB,
    balloonBytes: low === null ? null : (low + (high ?? 0)) * KiB,
  });
}

import { known, lines, parseCount, refuseText, scaled, uniqueKeyValues, unknown, type Parsed } from '../parsed';
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

/** /proc/xen/balloon of classic (2.6.18-xen) kernels; all figures in kB. */
export interface ProcXenBalloon extends XenMemory {
  driverBytes: number | null;
  /** null: "??? kB", no hard limit known. */
  hardLimitBytes: number | null;
}

const PROC_XEN_KEYS: Record<string, string> = {
  'Current allocation': 'current', 'Requested target': 'target', 'Low-mem balloon': 'low', 'High-mem balloon': 'high',
  'Driver pages': 'driver', 'Xen hard limit': 'limit',
};

/**
 * "Current allocation:  1048576 kB" lines (balloon_read() of linux-2.6.18-xen). The hard limit prints
 * "     ??? kB" when none is known, and older trees add "(inc. N kB driver headroom)".
 */
export function parseProcXenBalloon(text: string): Parsed<ProcXenBalloon> {
  const refused = refuseText(text, '/proc/xen/balloon');
  if (refused) return unknown(refused);
  const values = new Map<string, number | null>();
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const match = /^([A-Za-z -]+):\s*(\?\?\?|\d{1,15}) kB\b/.exec(line);
    const key = match ? PROC_XEN_KEYS[match[1].trim()] : undefined;
    if (!match || !key) return unknown(`/proc/xen/balloon line is not in the driver's format: ${JSON.stringify(line.slice(0, 80))}`);
    const kb = match[2] === '???' ? null : scaled(Number(match[2]), KiB);
    if (values.has(key) && values.get(key) !== kb) return unknown(`/proc/xen/balloon has two different ${match[1].trim()} lines`);
    values.set(key, kb);
  }
  const current = values.get('current') ?? null;
  const target = values.get('target') ?? null;
  const low = values.get('low') ?? null;
  if (current === null || target === null || low === null) return unknown('/proc/xen/balloon lacks its Current allocation, Requested target or Low-mem balloon line');
  return known({
    targetBytes: target,
    currentBytes: current,
    balloonBytes: low + (values.get('high') ?? 0),
    driverBytes: values.get('driver') ?? null,
    hardLimitBytes: values.get('limit') ?? null,
  });
}

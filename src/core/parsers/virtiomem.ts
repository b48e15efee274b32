import { known, lines, refuseText, unknown, type Parsed } from '../parsed';

/*
 * virtio-mem (drivers/virtio/virtio_mem.c) hot-plugs memory into a guest; it is not a balloon. What a guest
 * can see of it, as read on Debian 12's 6.1 kernel under QEMU 7.2:
 * - /proc/iomem: the device's whole region is a top-level resource named after the device ("virtio1"),
 *   and the memory the driver added to Linux sits under it as "System RAM (virtio_mem)" (adjacent blocks
 *   merged, MEMHP_MERGE_RESOURCE). Non-root readers see every address as 0.
 * - the kernel log: "region size: 0x…" once at load (virtio_mem_init()), then "plugged size: 0x…" and
 *   "requested size: 0x…" from virtio_mem_refresh_config(), which runs at load and again on every config
 *   change, i.e. each time the host asks for a new size. The last "requested size" line is the current
 *   request (unless the log rotated it away); its "plugged size" is what was plugged before acting on it.
 */

export interface VirtioMemRegion {
  /** The virtio device name, e.g. "virtio1". */
  device: string;
  /** Size of the device's memory region: the most it can plug. */
  regionBytes: number;
  /** Memory the driver has added to Linux ("System RAM (virtio_mem)"), in Linux memory-block units. */
  addedBytes: number;
}

const IOMEM_LINE = /^( *)([0-9a-fA-F]{1,16})-([0-9a-fA-F]{1,16}) : (.+)$/;
const VIRTIO_MEM_RAM = 'System RAM (virtio_mem)';

/** A hex address as a safe integer, or null past 2^53. */
function hex(text: string): number | null {
  const value = BigInt(`0x${text}`);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** The virtio-mem regions of /proc/iomem (none when no virtio-mem device claimed one). */
export function parseIomemVirtioMem(text: string): Parsed<VirtioMemRegion[]> {
  const refused = refuseText(text, '/proc/iomem');
  if (refused) return unknown(refused);
  const regions: VirtioMemRegion[] = [];
  // r_show() indents each level by two spaces; the device's direct children sit one level below it.
  let current: { region: VirtioMemRegion; depth: number; childDepth: number | null } | null = null;
  let parsedLines = 0;
  let nonZero = false;
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const match = IOMEM_LINE.exec(line);
    if (!match) return unknown(`/proc/iomem has a line that is not "start-end : name": ${JSON.stringify(line.slice(0, 80))}`);
    parsedLines++;
    const depth = match[1].length;
    const start = hex(match[2]);
    const end = hex(match[3]);
    const name = match[4].trim();
    if (start === null || end === null || end < start) return unknown(`/proc/iomem has a range that is no address range: ${JSON.stringify(line.slice(0, 80))}`);
    if (end > 0) nonZero = true;
    if (current && depth <= current.depth) current = null;
    if (/^virtio\d+$/.test(name)) {
      current = { region: { device: name, regionBytes: end - start + 1, addedBytes: 0 }, depth, childDepth: null };
      regions.push(current.region);
    } else if (current) {
      current.childDepth ??= depth;
      if (depth === current.childDepth && name === VIRTIO_MEM_RAM) current.region.addedBytes += end - start + 1;
    }
  }
  if (parsedLines === 0) return unknown('/proc/iomem has no ranges');
  // Without CAP_SYS_ADMIN every range reads 00000000-00000000 (kernel/resource.c r_show(), commit 51d7b120418e).
  if (!nonZero) return unknown('/proc/iomem hides its addresses from non-root users: virtio-mem sizes need root');
  return known(regions);
}

/** Sizes the driver last logged, per device; null when that line is not there. */
export interface VirtioMemLoggedSizes {
  device: string;
  pluggedBytes: number | null;
  requestedBytes: number | null;
  regionBytes: number | null;
}

const DMESG_LINE = /virtio_mem (virtio\d+): (plugged size|requested size|region size): 0x([0-9a-fA-F]{1,16})\s*$/;

/** The driver's lines of the kernel log; the last of each wins (a new request or a reloaded module prints them again). */
export function parseVirtioMemDmesg(text: string): Parsed<VirtioMemLoggedSizes[]> {
  if (text.trim() === '') return known([]); // dmesg ran and the driver printed nothing (yet, or rotated out)
  const refused = refuseText(text, 'dmesg');
  if (refused) return unknown(refused);
  const byDevice = new Map<string, VirtioMemLoggedSizes>();
  for (const line of lines(text)) {
    const match = DMESG_LINE.exec(line);
    if (!match) continue;
    const [, device, what, value] = match;
    const bytes = hex(value);
    const entry = byDevice.get(device) ?? { device, pluggedBytes: null, requestedBytes: null, regionBytes: null };
    // The driver prints region, then plugged, then requested: a new region line is a new load.
    if (what === 'region size') { entry.pluggedBytes = null; entry.requestedBytes = null; entry.regionBytes = bytes; }
    if (what === 'plugged size') entry.pluggedBytes = bytes;
    if (what === 'requested size') entry.requestedBytes = bytes;
    byDevice.set(device, entry);
  }
  return known([...byDevice.values()]);
}

/** What the report says about one virtio-mem device. */
export interface VirtioMemDevice {
  device: string;
  /** The most this device can plug (its region), from /proc/iomem or the load-time log. */
  regionBytes: number | null;
  /**
   * Memory the driver has added to Linux now (/proc/iomem), in whole memory blocks: the plugged size or more.
   * Equal to it once the driver has met a request in block units; above it after an unplug that left blocks
   * partly plugged (their unplugged parts are offline and out of MemTotal, but the block stays added).
   */
  addedBytes: number | null;
  /** Why addedBytes is null (addresses hidden, no /proc/iomem), else null. */
  addedUnknownReason: string | null;
  /** The host's request as the driver last logged it (at load and at every change); null without a kernel log. */
  requestedBytes: number | null;
}

/**
 * One entry per virtio-mem device the guest has (virtio device id 24). `regions` null: /proc/iomem was not
 * read or did not parse (`iomemReason` says why); `load` null: no kernel log.
 */
export function virtioMemDevices(names: readonly string[], regions: readonly VirtioMemRegion[] | null, iomemReason: string | null, load: readonly VirtioMemLoggedSizes[] | null): VirtioMemDevice[] {
  return names.map((device) => {
    const region = regions?.find((r) => r.device === device) ?? null;
    const logged = load?.find((l) => l.device === device) ?? null;
    // A readable /proc/iomem without the device's region: the driver has not claimed it, nothing is added.
    const addedBytes = regions === null ? null : region ? region.addedBytes : 0;
    return {
      device,
      regionBytes: region?.regionBytes ?? logged?.regionBytes ?? null,
      addedBytes,
      addedUnknownReason: regions === null ? (iomemReason ?? '/proc/iomem was not read') : null,
      requestedBytes: logged?.requestedBytes ?? null,
    };
  });
}

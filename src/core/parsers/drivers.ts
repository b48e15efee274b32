import { known, lines, parseCount, refuseText, scaled, uniqueKeyValues, unknown, type Parsed } from '../parsed';

export const BALLOON_DRIVERS = ['vmw_balloon', 'vmware_balloon', 'vmmemctl', 'virtio_balloon', 'hv_balloon', 'xen_balloon'] as const;
export type BalloonDriver = (typeof BALLOON_DRIVERS)[number];
export const isBalloonDriver = (name: string): name is BalloonDriver => (BALLOON_DRIVERS as readonly string[]).includes(name);
/** The VMware balloon driver under each name it had: vmw_balloon (mainline), vmware_balloon, vmmemctl (open-vm-tools). */
export const VMWARE_BALLOON_DRIVERS = ['vmw_balloon', 'vmware_balloon', 'vmmemctl'] as const satisfies readonly BalloonDriver[];
export const isVmwareBalloonDriver = (name: string | null): boolean => name !== null && (VMWARE_BALLOON_DRIVERS as readonly string[]).includes(name);

/** /proc/modules lines (the probe keeps balloon-related ones): `name size refcount deps state address`. */
export function parseModules(text: string): Parsed<string[]> {
  if (text.trim() === '') return known([]);
  const refused = refuseText(text, '/proc/modules');
  if (refused) return unknown(refused);
  const names: string[] = [];
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const [name, size] = line.trim().split(/\s+/);
    if (!name || !/^[a-z0-9_]+$/.test(name) || parseCount(size) === null) return unknown(`/proc/modules line is malformed: ${JSON.stringify(line.slice(0, 80))}`);
    names.push(name);
  }
  return known(names);
}

/** Plain name lists the probe prints (`/sys/module/*` hits, virtio drivers). */
export function parseNameList(text: string): string[] {
  return lines(text).map((line) => line.trim()).filter((line) => /^[A-Za-z0-9_.-]{1,64}$/.test(line));
}

export interface VirtioBalloonFeatures {
  statsVq: boolean;
  deflateOnOom: boolean;
  freePageHint: boolean;
  freePageReporting: boolean;
}

export interface VirtioDevice {
  name: string;
  /** Virtio device id: 5 balloon, 13 memory balloon, 24 virtio-mem. */
  deviceId: number | null;
  vendor: string | null;
  driver: string | null;
  features: VirtioBalloonFeatures | null;
}

export const VIRTIO_ID_BALLOON = 5;
/** The virtio spec's second balloon id ("memory balloon"), served by the same driver. */
export const VIRTIO_ID_MEMORY_BALLOON = 13;
export const VIRTIO_ID_MEM = 24;

/** Negotiated feature bits: a '0'/'1' string, character i = bit i (64 long; 128 since 6.17). */
export function parseVirtioFeatures(bits: string): VirtioBalloonFeatures | null {
  // The kernel prints whole 64-bit words: any other length is a cut or foreign string.
  if (!/^[01]{64,256}$/.test(bits) || bits.length % 64 !== 0) return null;
  const bit = (index: number) => bits[index] === '1';
  return { statsVq: bit(1), deflateOnOom: bit(2), freePageHint: bit(3), freePageReporting: bit(5) };
}

export function parseVirtioDevices(text: string): Parsed<VirtioDevice[]> {
  if (text.trim() === '') return known([]);
  const refused = refuseText(text, 'virtio device list');
  if (refused) return unknown(refused);
  const devices: VirtioDevice[] = [];
  const seen = new Map<string, string>();
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    if (!line.startsWith('device=')) return unknown(`virtio device list line is not in the probe's format: ${JSON.stringify(line.slice(0, 80))}`);
    const fields = new Map(line.split(' ').map((pair) => {
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)] as [string, string];
    }));
    // The probe prints all six fields; fewer means the line was cut.
    if (!['device', 'id', 'vendor', 'status', 'driver', 'features'].every((key) => fields.has(key))) {
      return unknown(`virtio device line is incomplete: ${JSON.stringify(line.slice(0, 80))}`);
    }
    const name = fields.get('device') ?? '?';
    if (seen.has(name)) {
      if (seen.get(name) !== line) return unknown(`virtio device ${name} is listed twice with different values`);
      continue;
    }
    seen.set(name, line);
    const id = fields.get('id') ?? '';
    devices.push({
      name,
      deviceId: /^0x[0-9a-fA-F]{1,8}$/.test(id) ? parseInt(id, 16) : null,
      vendor: fields.get('vendor') || null,
      driver: fields.get('driver') || null,
      features: fields.get('features') ? parseVirtioFeatures(fields.get('features') as string) : null,
    });
  }
  return known(devices);
}

/** online/offline: blocks whose state file says so; null when the probe did not count them (older probe). */
export interface MemoryBlocks { blockSizeBytes: number; blocks: number; online: number | null; offline: number | null }

/** `block_size_bytes` is hexadecimal without 0x (e.g. 8000000 = 128 MiB). */
export function parseMemoryBlocks(text: string): Parsed<MemoryBlocks> {
  const refused = refuseText(text, 'memory block list');
  if (refused) return unknown(refused);
  const { values, conflict } = uniqueKeyValues(text, '=');
  if (conflict) return unknown(`memory block list has two different ${conflict} values`);
  const sizeText = values.get('block_size_bytes') ?? '';
  const size = /^(0x)?[0-9a-fA-F]{1,12}$/.test(sizeText) ? parseInt(sizeText.replace(/^0x/, ''), 16) : null;
  const blocks = parseCount(values.get('blocks'));
  if (!size || size % 4096 !== 0) return unknown('memory block size is missing or not a page multiple');
  // The smallest memory section of any architecture is 16 MiB (ppc64); a smaller size is a cut-off file.
  if (size < 16 * 1024 * 1024) return unknown(`memory block size 0x${size.toString(16)} is below the smallest memory section (16 MiB)`);
  if (blocks === null) return unknown('memory block count is missing');
  if (blocks === 0) return unknown('no memory blocks are listed');
  if (scaled(blocks, size) === null) return unknown('memory blocks add up to more than any machine has');
  const online = values.has('online') ? parseCount(values.get('online')) : null;
  const offline = values.has('offline') ? parseCount(values.get('offline')) : null;
  if ((values.has('online') && online === null) || (values.has('offline') && offline === null)) return unknown('memory block online/offline count is not a number');
  // Blocks can also be "going-offline" for a moment, so online + offline may fall short of blocks, never exceed it.
  if ((online ?? 0) + (offline ?? 0) > blocks) return unknown(`memory blocks: ${online} online + ${offline} offline is more than the ${blocks} listed`);
  return known({ blockSizeBytes: size, blocks, online, offline });
}

/** Kernel threads of balloon drivers found by the probe: `vmmemctl pid=123`. */
export function parseKthreads(text: string): string[] {
  return lines(text).map((line) => /^([a-z_-]{1,32}) pid=\d+$/.exec(line.trim())?.[1]).filter((name): name is string => !!name);
}

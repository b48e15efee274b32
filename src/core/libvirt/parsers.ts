/**
 * One parser per virsh answer (and per host file). Pure, never throws: what cannot be read is null,
 * with the reason where the caller needs one.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UUID_PATTERN } from './session';
import type { BalloonDevice } from './model';

/** The largest figure kept: 2^53 bytes (8 PiB); above it (or not a plain integer) a figure is unknown. */
const MAX_FIGURE = Number.MAX_SAFE_INTEGER;

/** A non-negative decimal integer of at most 20 digits, times `scale`, or null when not one or too large. */
export function figure(text: string | undefined | null, scale = 1): number | null {
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text.trim())) return null;
  const value = Number(text.trim()) * scale;
  return Number.isSafeInteger(value) && value <= MAX_FIGURE ? value : null;
}

/** `virsh list --uuid`: one UUID a line; anything else is skipped. */
export function parseUuidList(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const uuid = line.trim().toLowerCase();
    if (UUID_PATTERN.test(uuid)) seen.add(uuid);
  }
  return [...seen];
}

/** `name value` lines (`virsh dommemstat`, the KSM lines) or `name : value unit` (`nodememstats`). */
function fields(text: string, separator: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = separator.exec(line.trim());
    if (match && !out.has(match[1])) out.set(match[1], match[2]);
  }
  return out;
}

/** `virsh nodeinfo`: the host's memory size (`Memory size: N KiB`). */
export function parseNodeinfo(text: string): { memoryBytes: number | null } {
  const match = /^Memory size:\s+(\d+)\s+KiB\s*$/m.exec(text);
  return { memoryBytes: match ? figure(match[1], 1024) : null };
}

/** `virsh nodememstats`: total, free, buffers, cached in KiB. */
export function parseNodememstats(text: string): { totalBytes: number | null; freeBytes: number | null; buffersBytes: number | null; cachedBytes: number | null } {
  const map = fields(text, /^(\w+)\s*:\s*(\d+)\s+KiB$/);
  return { totalBytes: figure(map.get('total'), 1024), freeBytes: figure(map.get('free'), 1024), buffersBytes: figure(map.get('buffers'), 1024), cachedBytes: figure(map.get('cached'), 1024) };
}

/** /proc/meminfo of the host (kB lines). */
export function parseHostMeminfo(text: string): { totalBytes: number | null; freeBytes: number | null; availableBytes: number | null; swapTotalBytes: number | null; swapFreeBytes: number | null } {
  const map = fields(text, /^(\w+):\s+(\d+)\s+kB$/);
  const kb = (name: string) => figure(map.get(name), 1024);
  return { totalBytes: kb('MemTotal'), freeBytes: kb('MemFree'), availableBytes: kb('MemAvailable'), swapTotalBytes: kb('SwapTotal'), swapFreeBytes: kb('SwapFree') };
}

/** The KSM lines of the preamble (`run N`, `pages_sharing N`, `pages_shared N`, `pagesize N`). */
export function parseKsm(text: string): { run: number | null; sharingBytes: number | null; sharedBytes: number | null } | null {
  const map = fields(text, /^(\w+)\s+(\d+)$/);
  if (!map.has('pages_sharing') && !map.has('run')) return null;
  const page = figure(map.get('pagesize')) ?? null;
  const pages = (name: string) => (page === null ? null : figure(map.get(name), page));
  return { run: figure(map.get('run')), sharingBytes: pages('pages_sharing'), sharedBytes: pages('pages_shared') };
}

/** `virsh dommemstat UUID`: `name value` lines, values in KiB except counters and last_update. */
export function parseDommemstat(text: string): Map<string, string> {
  return fields(text, /^([a-z_]+)\s+(\d+)$/);
}

export interface DomstatsBlock { name: string; fields: Map<string, string> }

/** `virsh domstats --balloon`: `Domain: 'NAME'` then indented `balloon.key=value` lines, per domain. */
export function parseDomstats(text: string): DomstatsBlock[] {
  const blocks: DomstatsBlock[] = [];
  for (const line of text.split('\n')) {
    const head = /^Domain: '(.*)'$/.exec(line);
    if (head) { blocks.push({ name: head[1], fields: new Map() }); continue; }
    const field = /^\s+([\w.-]+)=(\S*)$/.exec(line);
    if (field && blocks.length) blocks[blocks.length - 1].fields.set(field[1], field[2]);
  }
  return blocks;
}

/** Bytes per unit of libvirt's `unit` attribute (formatdomain: b, KB, K/KiB, MB, M/MiB, GB, G/GiB, TB, T/TiB...). */
const UNITS: Record<string, number> = {
  b: 1, bytes: 1, kb: 1e3, k: 1024, kib: 1024, mb: 1e6, m: 1024 ** 2, mib: 1024 ** 2, gb: 1e9, g: 1024 ** 3, gib: 1024 ** 3,
  tb: 1e12, t: 1024 ** 4, tib: 1024 ** 4, pb: 1e15, p: 1024 ** 5, pib: 1024 ** 5, eb: 1e18, e: 1024 ** 6, eib: 1024 ** 6,
};

export interface DomainXml {
  uuid: string | null;
  name: string | null;
  configuredBytes: number | null;
  maxMemoryBytes: number | null;
  currentBytes: number | null;
  balloon: BalloonDevice | null;
}

type Node = Record<string, unknown>;
const child = (node: unknown, name: string): Node | string | undefined => (node && typeof node === 'object' ? (node as Node)[name] as Node | string | undefined : undefined);
const text = (node: unknown): string | null => (typeof node === 'string' ? node : typeof child(node, '#text') === 'string' ? child(node, '#text') as string : null);
const attribute = (node: unknown, name: string): string | null => { const value = child(node, `@_${name}`); return typeof value === 'string' ? value : null; };

/** The five predefined XML entities and character references (entity expansion of the parser is off). */
function decodeXmlText(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity[0] !== '#') return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[entity];
    const code = entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
  });
}

function memoryElement(node: unknown): number | null {
  const value = text(node);
  if (value === null) return null;
  const unit = (attribute(node, 'unit') ?? 'KiB').toLowerCase();
  return Object.hasOwn(UNITS, unit) ? figure(value, UNITS[unit]) : null;
}

/** libvirt's on/off attributes: absent is libvirt's default, off; anything else is unknown. */
const onOff = (value: string | null) => (value === 'on' ? true : value === 'off' || value === null ? false : null);

function balloonDevice(devices: unknown): BalloonDevice | null {
  let device = child(devices, 'memballoon');
  if (Array.isArray(device)) device = device[0] as Node;
  const model = attribute(device, 'model');
  if (!device || !model || model === 'none') return null;
  const period = attribute(child(device, 'stats'), 'period');
  return { model, deflateOnOom: onOff(attribute(device, 'autodeflate')), freePageReporting: onOff(attribute(device, 'freePageReporting')), statsPeriodSeconds: period === null ? null : figure(period) };
}

/**
 * Elements the host view never reads are kept as raw text, not parsed into objects: a QEMU domain's disks,
 * interfaces, controllers and metadata are most of its XML (500 domains' worth per view).
 */
const SKIPPED = ['metadata', 'os', 'features', 'cpu', 'clock', 'resource', 'seclabel', 'sysinfo', 'numatune', 'cputune', 'pm', 'keywrap', 'launchSecurity'];
const SKIPPED_DEVICES = ['disk', 'interface', 'controller', 'graphics', 'video', 'channel', 'console', 'serial', 'input', 'sound', 'audio', 'hostdev', 'rng', 'redirdev', 'filesystem', 'tpm', 'watchdog', 'emulator', 'smartcard', 'hub', 'panic', 'shmem', 'memory', 'iommu', 'vsock', 'parallel', 'lease', 'crypto'];
const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: false, htmlEntities: false, parseTagValue: false, parseAttributeValue: false, trimValues: true,
  stopNodes: [...SKIPPED.map((name) => `domain.${name}`), ...SKIPPED_DEVICES.map((name) => `domain.devices.${name}`)],
});

/** `virsh dumpxml UUID`: the figures and the balloon device, or why the text is not libvirt's domain XML. */
export function parseDomainXml(xml: string): { ok: true; domain: DomainXml } | { ok: false; reason: string } {
  if (!xml.trim()) return { ok: false, reason: 'dumpxml printed nothing' };
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) return { ok: false, reason: 'dumpxml printed XML with a DOCTYPE or ENTITY, which libvirt never writes: not libvirt\'s domain XML' };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, reason: `dumpxml printed malformed XML (${valid.err.msg.slice(0, 120)}, line ${valid.err.line})` };
  let root: unknown;
  try { root = child(parser.parse(xml), 'domain'); } catch (error) { return { ok: false, reason: `dumpxml printed unreadable XML (${(error as Error).message.slice(0, 120)})` }; }
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { ok: false, reason: 'dumpxml printed XML without a <domain> root: not libvirt\'s domain XML' };
  const name = text(child(root, 'name'));
  const uuid = text(child(root, 'uuid'))?.toLowerCase() ?? null;
  return {
    ok: true,
    domain: {
      uuid: uuid && UUID_PATTERN.test(uuid) ? uuid : null,
      name: name === null ? null : decodeXmlText(name),
      configuredBytes: memoryElement(child(root, 'memory')),
      maxMemoryBytes: memoryElement(child(root, 'maxMemory')),
      currentBytes: memoryElement(child(root, 'currentMemory')),
      balloon: balloonDevice(child(root, 'devices')),
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createReadStream, promises as fs, statSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';

/**
 * A sos report (directory or archive) seen as a snapshot root for `--root`: only the members the
 * probe reads are copied into a private temporary directory (mode 0700, removed by cleanup()), and
 * a few sos command outputs stand in for the sysfs files sos does not copy (dmidecode for
 * /sys/class/dmi/id, lsmem for /sys/devices/system/memory, lsmod for /proc/modules...). Which sos
 * plugin writes which file, per version: knowledge/sosreport.md.
 */

/** Members of a sos report the probe or the mapping reads (paths relative to the report's top). */
const WANTED: readonly RegExp[] = [
  /^proc\/(meminfo|vmstat|modules|cpuinfo|uptime|iomem|vmmemctl|xen\/balloon|pressure\/memory|sys\/kernel\/(hostname|osrelease))$/,
  /^sys\/class\/dmi\/id\/(sys_vendor|product_name|bios_vendor|bios_version)$/,
  /^sys\/hypervisor\/type$/,
  /^sys\/module\/(vmw_balloon|vmware_balloon|vmmemctl|virtio_balloon|virtio_mem|hv_balloon|xen_balloon)(\/[^/]+){0,2}$/,
  /^sys\/devices\/system\/memory\/(block_size_bytes|memory\d+\/state)$/,
  /^sys\/devices\/system\/xen_memory\/xen_memory0\/(target_kb|target|info\/(current_kb|low_kb|high_kb))$/,
  /^sys\/kernel\/debug\/(vmmemctl|hv-balloon)$/,
  /^sos_commands\/vmware\/[^/]{1,100}$/,
  /^sos_commands\/systemd\/systemd-detect-virt(_--vm)?$/,
  /^sos_commands\/kernel\/(dmesg|lsmod|uname_-a)$/,
  /^sos_commands\/hardware\/dmidecode$/,
  /^sos_commands\/memory\/lsmem[^/]*$/,
  /^sos_commands\/processor\/lscpu$/,
  /^sos_commands\/(host|general)\/hostname$/,
  /^sos_commands\/(date|general)\/date$/,
  /^sos_commands\/[^/]+\/getconf_PAGESIZE$/,
  /^sos_reports\/manifest\.json$/,
  /^(hostname|date|uname|lsmod|dmidecode|version\.txt)$/,
];

export const wanted = (path: string): boolean => WANTED.some((pattern) => pattern.test(path));

export interface SosreportLimits {
  /** Most bytes kept of one member (the probe reads 1 MiB of a file at most). */
  memberBytes: number;
  /** Most bytes written in all (a report with 100 000 memory blocks is ~1 MB). */
  extractedBytes: number;
  /** An archive unpacking to more than this, at a ratio above bombRatio, is refused. */
  bombBytes: number;
  bombRatio: number;
  /** Decompressed bytes read in all, whatever the ratio. */
  streamBytes: number;
}

export const DEFAULT_SOSREPORT_LIMITS: SosreportLimits = {
  memberBytes: 4 * 1024 * 1024,
  extractedBytes: 64 * 1024 * 1024,
  bombBytes: 256 * 1024 * 1024,
  bombRatio: 200,
  streamBytes: 8 * 1024 * 1024 * 1024,
};

/** The sos report is unusable or hostile; the message says why, for the user. */
export class SosreportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SosreportError';
  }
}

/** One file of the mapped view made from a sos command output instead of copied. */
export interface MappedFile {
  path: string;
  from: string;
}

export interface Sosreport {
  /** The snapshot root to hand to LocalTransport. */
  root: string;
  /** Where the report came from (the path the user gave). */
  origin: string;
  hostname: string | null;
  collectedAt: Date | null;
  /** Where collectedAt came from ("sos_reports/manifest.json start_time", "date", ...). */
  collectedAtSource: string | null;
  sosVersion: string | null;
  mapped: MappedFile[];
  /** Probe output with sos wording: absent sections name the sos file, mapped ones their source. */
  explain(output: string): string;
  cleanup(): Promise<void>;
}

type Compression = 'gzip' | 'xz' | 'bzip2' | 'none';

function compressionOf(head: Buffer): Compression | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'none';
  return null;
}

/** Opens PATH: a sos report directory, a sos archive (.tar.xz/.tar.gz/.tar.bz2/.tar) or an evidence bundle. */
export async function openSosreport(path: string, limits: Partial<SosreportLimits> = {}, signal?: AbortSignal): Promise<Sosreport> {
  const bounds = { ...DEFAULT_SOSREPORT_LIMITS, ...limits };
  let stat: Stats;
  try { stat = await fs.stat(path); } catch (error) { throw new SosreportError(`cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`); }
  const root = await fs.mkdtemp(join(scratchParent(), 'bi-sos-'));
  await fs.chmod(root, 0o700);
  const cleanup = () => fs.rm(root, { recursive: true, force: true });
  try {
    const budget = { written: 0 };
    if (stat.isDirectory()) await copyDirectory(resolve(path), root, bounds, budget);
    else if (stat.isFile()) await extractArchive(path, stat.size, root, bounds, budget, signal);
    else throw new SosreportError(`${path} is neither a directory nor an archive`);
    return await finish(root, path, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Where the private copy goes: TMPDIR when the user set one; else a file system in memory (XDG_RUNTIME_DIR, /dev/shm)
 * when there is a writable one, as the copy is small (at most extractedBytes) and thrown away, and on a disk each of
 * its files costs a metadata write (0.6 ms each on the benchmark machine's disk); else the system's temporary directory.
 */
export function scratchParent(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TMPDIR) return env.TMPDIR;
  for (const dir of [env.XDG_RUNTIME_DIR, '/dev/shm']) {
    if (!dir) continue;
    try {
      if (statSync(dir).isDirectory()) { accessSync(dir, constants.W_OK | constants.X_OK); return dir; }
    } catch { /* not there, or not ours to write */ }
  }
  return tmpdir();
}

// ---- directories ---------------------------------------------------------------------------

async function copyDirectory(top: string, root: string, limits: SosreportLimits, budget: { written: number }): Promise<void> {
  const real = await fs.realpath(top);
  const walk = async (relative: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    let names: string[];
    try { names = await fs.readdir(join(real, relative)); } catch { return; }
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      // Only descend where a wanted member can be.
      const descend = /^(proc|sys|sos_commands|sos_reports)(\/|$)/.test(rel);
      const full = join(real, rel);
      let st: Stats;
      try { st = await fs.lstat(full); } catch { continue; }
      if (st.isDirectory()) {
        if (wanted(rel)) await fs.mkdir(join(root, rel), { recursive: true });
        if (descend) await walk(rel, depth + 1);
        continue;
      }
      if (!wanted(rel)) continue;
      let source = full;
      if (st.isSymbolicLink()) {
        // sos links hostname -> sos_commands/host/hostname: followed only inside the report.
        try { source = await fs.realpath(full); } catch { continue; }
        if (!source.startsWith(real + sep)) throw new SosreportError(`${rel} is a symlink out of the sos report (to ${source}): refused`);
        try { st = await fs.stat(source); } catch { continue; }
      }
      if (!st.isFile()) continue;
      await copyCapped(source, join(root, rel), limits, budget);
    }
  };
  await walk('', 0);
}

async function copyCapped(source: string, target: string, limits: SosreportLimits, budget: { written: number }): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true });
  const handle = await fs.open(source, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(limits.memberBytes, 1024 * 1024));
    const out = await fs.open(target, 'wx', 0o600);
    try {
      let kept = 0;
      while (kept < limits.memberBytes) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, limits.memberBytes - kept), null);
        if (!bytesRead) break;
        charge(budget, bytesRead, limits);
        await out.write(buffer.subarray(0, bytesRead));
        kept += bytesRead;
      }
    } finally { await out.close(); }
  } finally { await handle.close(); }
}

function charge(budget: { written: number }, bytes: number, limits: SosreportLimits): void {
  budget.written += bytes;
  if (budget.written > limits.extractedBytes) throw new SosreportError(`the wanted files exceed ${limits.extractedBytes} bytes in all: refused (not what a sos report holds)`);
}

// ---- archives ------------------------------------------------------------------------------

/** Decompressed bytes, counted, with the bomb and stream limits (a pass-through before the tar parser). */
function meter(compressedBytes: number, limits: SosreportLimits): Transform {
  let bytes = 0;
  return new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limits.streamBytes) { done(new SosreportError(`the archive unpacks to more than ${limits.streamBytes} bytes: refused`)); return; }
      if (bytes > limits.bombBytes && bytes / Math.max(1, compressedBytes) > limits.bombRatio) {
        done(new SosreportError(`decompression bomb: the archive unpacks to more than ${limits.bombBytes} bytes, over ${limits.bombRatio} times its ${compressedBytes} bytes: refused`));
        return;
      }
      done(null, chunk);
    },
  });
}

/** A member name inside the report: the archive's top directory removed, or null when it escapes. */
function memberPath(raw: string): { rel: string; ok: boolean } {
  const name = raw.replace(/\/+$/, '');
  if (name.startsWith('/') || name.split('/').includes('..')) return { rel: name, ok: false };
  const normal = posix.normalize(name).replace(/^\.\//, '');
  const slash = normal.indexOf('/');
  return { rel: slash < 0 ? '' : normal.slice(slash + 1), ok: true };
}

/** What one pass over an archive found: hostile members fail it, links sos made are copied after. */
interface ArchiveScan {
  links: { rel: string; target: string }[];
  pending: Promise<void>[];
  failure: Error | null;
}

/**
 * The tar parser's filter: every member is screened (a hostile one fails the whole archive); only
 * wanted regular files are kept, and the parser skips the others' bodies without handing them to us.
 */
function screenMember(scan: ArchiveScan, root: string): (path: string, stats: ReadEntry | Stats) => boolean {
  const fail = (error: Error) => { scan.failure ??= error; };
  return (path, stats) => {
    const entry = stats as ReadEntry;
    const { rel, ok } = memberPath(path);
    if (!ok) { fail(new SosreportError(`member ${JSON.stringify(path)} leaves the archive (path traversal): refused`)); return false; }
    const type = entry.type;
    if (type === 'CharacterDevice' || type === 'BlockDevice' || type === 'FIFO') {
      fail(new SosreportError(`member ${JSON.stringify(path)} is a device or FIFO (${type}): refused`)); return false;
    }
    if (type === 'SymbolicLink' || type === 'Link') {
      const target = entry.linkpath ?? '';
      // A hard link names a member; a symlink is relative to its own directory.
      const resolved = type === 'Link' ? memberPath(target) : { rel: posix.normalize(posix.join(posix.dirname(rel), target)), ok: !target.startsWith('/') };
      // A link the check would follow must stay inside; others are never made, so they cannot hurt.
      if (wanted(rel) && (!resolved.ok || resolved.rel.startsWith('../') || resolved.rel === '..')) {
        fail(new SosreportError(`member ${JSON.stringify(path)} links out of the sos report (to ${JSON.stringify(target)}): refused`));
      } else if (wanted(rel)) scan.links.push({ rel, target: resolved.rel });
      return false;
    }
    if (type === 'Directory') {
      if (rel && wanted(rel)) scan.pending.push(fs.mkdir(join(root, rel), { recursive: true }).then(() => undefined));
      return false;
    }
    return (type === 'File' || type === 'OldFile' || type === 'ContiguousFile') && rel !== '' && wanted(rel) && !scan.failure;
  };
}

/**
 * The archive's tar stream. xz and bzip2 run as the system decompressors (sos itself writes archives with
 * them, and they are native speed), reading the file themselves: its compressed bytes never pass through
 * Node.js, only the tar stream does.
 */
async function tarStream(path: string, compression: Compression): Promise<{ stream: Readable; child: ChildProcess | null }> {
  if (compression === 'gzip') return { stream: createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(createGunzip({ chunkSize: 256 * 1024 })), child: null };
  if (compression === 'none') return { stream: createReadStream(path, { highWaterMark: 1024 * 1024 }), child: null };
  const program = compression;
  // One thread, as tar -xf runs xz: with -T0 on a busy 2-CPU machine xz was slower (BENCHMARKS.md).
  const child = spawn(program, ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.resume();
  await new Promise<void>((ok, ko) => {
    child.once('spawn', () => ok());
    child.once('error', (error: NodeJS.ErrnoException) => ko(new SosreportError(error.code === 'ENOENT' ? `${program} is not installed: unpack the archive and give the directory` : `cannot run ${program}: ${error.message}`)));
  });
  return { stream: child.stdout!, child };
}

async function extractArchive(path: string, size: number, root: string, limits: SosreportLimits, budget: { written: number }, signal?: AbortSignal): Promise<void> {
  const head = Buffer.alloc(512);
  const fh = await fs.open(path, 'r');
  try { await fh.read(head, 0, 512, 0); } finally { await fh.close(); }
  const compression = compressionOf(head);
  if (!compression) throw new SosreportError(`${path} is not a tar archive (.tar, .tar.gz, .tar.xz or .tar.bz2)`);

  const scan: ArchiveScan = { links: [], pending: [], failure: null };
  const fail = (error: Error) => { scan.failure ??= error; };
  const parser = new Parser({
    strict: true,
    filter: screenMember(scan, root),
    onReadEntry: (entry: ReadEntry) => {
      scan.pending.push(writeEntry(entry, join(root, memberPath(entry.path).rel), limits, budget).catch(fail));
    },
  });
  parser.on('warn', (code: string, message: string) => { if (code !== 'TAR_ENTRY_INFO') fail(new SosreportError(`the archive is damaged: ${message}`)); });
  parser.on('error', (error: Error) => fail(new SosreportError(`the archive is damaged: ${error.message}`)));
  const done = new Promise<void>((resolveDone) => { parser.on('end', () => resolveDone()); parser.on('close', () => resolveDone()); });
  const { stream, child } = await tarStream(path, compression);
  try {
    await pipeline([stream, meter(size, limits), parser], { signal });
    await done;
  } catch (error) {
    child?.kill('SIGKILL');
    stream.destroy();
    if (error instanceof SosreportError) throw error;
    if ((error as Error).name === 'AbortError') throw new SosreportError('interrupted');
    throw scan.failure ?? new SosreportError(`cannot read the archive ${basename(path)}: ${(error as Error).message}`);
  }
  if (child && child.exitCode === null) await new Promise((ok) => child.once('close', ok));
  if (child && child.exitCode !== 0) throw new SosreportError(`${compression} -dc failed on ${basename(path)} (exit ${child.exitCode}): a damaged archive`);
  await Promise.all(scan.pending);
  if (scan.failure) throw scan.failure;
  await copyLinks(root, scan.links);
}

/** Symlinks sos makes (hostname -> sos_commands/host/hostname) become copies of their target. */
async function copyLinks(root: string, links: ArchiveScan['links']): Promise<void> {
  for (const link of links) {
    const target = join(root, link.target);
    try { await fs.mkdir(dirname(join(root, link.rel)), { recursive: true }); await fs.copyFile(target, join(root, link.rel)); } catch { /* target not extracted */ }
  }
}

/**
 * Keeps a wanted member: its bytes are taken as they come (the parser never waits on the disk, so the decompressor
 * never stalls on a full pipe), then written. Members are small, and capped at limits.memberBytes.
 */
async function writeEntry(entry: ReadEntry, target: string, limits: SosreportLimits, budget: { written: number }): Promise<void> {
  const chunks: Buffer[] = [];
  let kept = 0;
  await new Promise<void>((ok, ko) => {
    entry.on('data', (chunk: Buffer) => {
      const room = limits.memberBytes - kept;
      if (room <= 0) return; // the rest of the member is skipped, not kept
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      kept += piece.length;
      try { charge(budget, piece.length, limits); } catch (error) { ko(error as Error); return; }
      chunks.push(Buffer.from(piece));
    });
    entry.on('end', () => ok());
    entry.on('error', ko);
  });
  await fs.mkdir(dirname(target), { recursive: true });
  await fs.writeFile(target, Buffer.concat(chunks), { mode: 0o600 });
}

// ---- the mapped view -------------------------------------------------------------------------

async function readText(root: string, rel: string): Promise<string | null> {
  try {
    const st = await fs.lstat(join(root, rel));
    if (!st.isFile()) return null;
    return await fs.readFile(join(root, rel), 'utf8');
  } catch { return null; }
}

async function firstOf(root: string, rels: string[]): Promise<{ rel: string; text: string } | null> {
  for (const rel of rels) {
    const text = await readText(root, rel);
    if (text !== null) return { rel, text };
  }
  return null;
}

async function writeMapped(root: string, rel: string, text: string, from: string, mapped: MappedFile[]): Promise<void> {
  await fs.mkdir(dirname(join(root, rel)), { recursive: true });
  await fs.writeFile(join(root, rel), text, { mode: 0o600 });
  mapped.push({ path: rel, from });
}

/** dmidecode's "System Information" and "BIOS Information" blocks as /sys/class/dmi/id files. */
export function dmiFromDmidecode(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let block = '';
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) { block = line.trim(); continue; }
    const field = /^\t([^:\t]+):\s*(.*?)\s*$/.exec(line);
    if (!field) continue;
    const [, key, value] = field;
    if (block === 'System Information' && key === 'Manufacturer') out.sys_vendor ??= value!;
    if (block === 'System Information' && key === 'Product Name') out.product_name ??= value!;
    if (block === 'BIOS Information' && key === 'Vendor') out.bios_vendor ??= value!;
    if (block === 'BIOS Information' && key === 'Version') out.bios_version ??= value!;
  }
  return out;
}

/** lsmem -a -o RANGE,SIZE,STATE,REMOVABLE,ZONES,NODE,BLOCK as memory block states, or null. */
export function blocksFromLsmem(text: string): { blockSizeBytes: number; states: Map<number, string> } | null {
  const size = /^Memory block size:\s+(\d+(?:\.\d+)?)([KMGT]?)/m.exec(text);
  if (!size) return null;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[size[2] as '' | 'K' | 'M' | 'G' | 'T'];
  const blockSizeBytes = Math.round(Number(size[1]) * unit);
  const lines = text.split('\n');
  const header = lines.find((line) => /^\s*RANGE\s/.test(line));
  if (!header) return null;
  const columns = header.trim().split(/\s+/);
  const stateAt = columns.indexOf('STATE');
  const blockAt = columns.indexOf('BLOCK');
  if (stateAt < 0 || blockAt < 0) return null;
  const states = new Map<number, string>();
  for (const line of lines) {
    if (!/^0x[0-9a-f]+-0x[0-9a-f]+\s/.test(line)) continue;
    const cells = line.trim().split(/\s+/);
    if (cells.length !== columns.length) return null;
    const state = cells[stateAt]!;
    const range = /^(\d+)(?:-(\d+))?$/.exec(cells[blockAt]!);
    if (!range) return null;
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first || last - first > 1_000_000) return null;
    for (let block = first; block <= last; block++) states.set(block, state);
  }
  return states.size ? { blockSizeBytes, states } : null;
}

/**
 * `vmware-toolbox-cmd stat raw text STAT` output (sos vmware plugin 4.2+): the host's statistics as
 * `key = value` lines (VMware Guest SDK "text" encoding; open-vm-tools' StatGetRaw prints what the
 * host returns, so the keys and their units are the host's, not documented per key). Null when
 * no line has that shape.
 */
export function rawStatsFromText(text: string): Map<string, string> | null {
  const stats = new Map<string, string>();
  for (const line of text.split('\n').slice(0, 10_000)) {
    const pair = /^([A-Za-z0-9_.:-]{1,128}) = ([\x21-\x7e][\x20-\x7e]{0,127})$/.exec(line.trimEnd());
    if (pair && !stats.has(pair[1]!)) stats.set(pair[1]!, pair[2]!);
  }
  return stats.size ? stats : null;
}

/** Raw statistics that say something about a toolbox section, by key (only keys seen in real reports). */
const RAW_STAT_HINTS: Record<string, RegExp> = { 'toolbox-balloon': /(^|\.)mem\.ballooned$/ };

const VIRT_FROM_VENDOR: Record<string, string> = { KVM: 'kvm', VMware: 'vmware', Microsoft: 'microsoft', Xen: 'xen' };

/** sos paths behind each probe section, for "not in this sosreport: PATH absent". */
const SECTION_PATHS: Record<string, string> = {
  dmi: 'sys/class/dmi/id (and sos_commands/hardware/dmidecode)',
  'sys-hypervisor': 'sys/hypervisor/type',
  cpuinfo: 'proc/cpuinfo',
  modules: 'proc/modules (and sos_commands/kernel/lsmod)',
  'sys-module': 'sys/module',
  'virtio-drivers': 'sys/bus/virtio',
  'toolbox-balloon': 'sos_commands/vmware/vmware-toolbox-cmd_stat_balloon',
  'toolbox-swap': 'sos_commands/vmware/vmware-toolbox-cmd_stat_swap',
  'toolbox-memlimit': 'sos_commands/vmware/vmware-toolbox-cmd_stat_memlimit',
  'toolbox-memres': 'sos_commands/vmware/vmware-toolbox-cmd_stat_memres',
  'debugfs-vmmemctl': 'sys/kernel/debug/vmmemctl',
  'proc-vmmemctl': 'proc/vmmemctl',
  'debugfs-hv-balloon': 'sys/kernel/debug/hv-balloon',
  'xen-memory': 'sys/devices/system/xen_memory/xen_memory0',
  'proc-xen-balloon': 'proc/xen/balloon',
  meminfo: 'proc/meminfo',
  vmstat: 'proc/vmstat',
  'pressure-memory': 'proc/pressure/memory',
  'memory-blocks': 'sys/devices/system/memory (and sos_commands/memory/lsmem_-a_...)',
  'detect-virt': 'sos_commands/systemd/systemd-detect-virt_--vm (and sos_commands/processor/lscpu)',
  'virtio-mem-iomem': 'proc/iomem',
  'virtio-mem-dmesg': 'sos_commands/kernel/dmesg',
};

/** The sos file each section read when it was copied as is (an ok section's detail names it). */
const COPIED_FROM: Record<string, string> = {
  dmi: 'sys/class/dmi/id', 'sys-hypervisor': 'sys/hypervisor/type', cpuinfo: 'proc/cpuinfo', modules: 'proc/modules',
  'sys-module': 'sys/module', 'debugfs-vmmemctl': 'sys/kernel/debug/vmmemctl', 'proc-vmmemctl': 'proc/vmmemctl',
  'debugfs-hv-balloon': 'sys/kernel/debug/hv-balloon', 'proc-xen-balloon': 'proc/xen/balloon', meminfo: 'proc/meminfo',
  vmstat: 'proc/vmstat', 'pressure-memory': 'proc/pressure/memory', 'memory-blocks': 'sys/devices/system/memory',
  'xen-memory': 'sys/devices/system/xen_memory/xen_memory0', 'virtio-mem-iomem': 'proc/iomem',
};

/** What the mapping made from sos command outputs, for the explanations of the probe's sections. */
interface MappedView {
  mapped: MappedFile[];
  hostname: string | null;
  dmidecodeRel: string | null;
  lsmodRel: string | null;
  lsmemFile: string | null;
  xenFromDmesg: boolean;
  detectFrom: string | null;
  /** `key = value` lines of the vmware plugin's `stat raw text` outputs, with the file each came from. */
  rawStats: { file: string; key: string; value: string }[];
}

const exists = async (root: string, rel: string) => (await readText(root, rel)) !== null;

/** dmidecode, hostname, uname and lsmod outputs stand in for the sysfs and procfs files sos did not copy. */
async function mapIdentity(root: string, view: MappedView): Promise<void> {
  const { mapped } = view;
  const dmidecode = await firstOf(root, ['sos_commands/hardware/dmidecode', 'dmidecode']);
  if (dmidecode && !(await exists(root, 'sys/class/dmi/id/sys_vendor'))) {
    for (const [key, value] of Object.entries(dmiFromDmidecode(dmidecode.text))) await writeMapped(root, `sys/class/dmi/id/${key}`, `${value}\n`, dmidecode.rel, mapped);
    view.dmidecodeRel = dmidecode.rel;
  }
  const host = await firstOf(root, ['sos_commands/host/hostname', 'sos_commands/general/hostname', 'hostname']);
  view.hostname = host?.text.trim().split('\n')[0]?.trim() || null;
  if (host && view.hostname && !(await exists(root, 'proc/sys/kernel/hostname'))) await writeMapped(root, 'proc/sys/kernel/hostname', `${view.hostname}\n`, host.rel, mapped);
  const uname = await firstOf(root, ['sos_commands/kernel/uname_-a', 'uname']);
  const release = uname?.text.trim().split(/\s+/)[2];
  if (uname && release && !(await exists(root, 'proc/sys/kernel/osrelease'))) await writeMapped(root, 'proc/sys/kernel/osrelease', `${release}\n`, uname.rel, mapped);
  const lsmod = await firstOf(root, ['sos_commands/kernel/lsmod', 'lsmod']);
  if (lsmod && !(await exists(root, 'proc/modules'))) {
    const body = lsmod.text.split('\n').filter((line) => line.trim() && !/^Module\s/.test(line)).join('\n');
    await writeMapped(root, 'proc/modules', body ? `${body}\n` : '', lsmod.rel, mapped);
    view.lsmodRel = lsmod.rel;
  }
}

/** lsmem for the memory blocks, dmesg for a built-in xen balloon, lscpu for systemd-detect-virt. */
async function mapMemoryAndVirt(root: string, view: MappedView): Promise<void> {
  const { mapped } = view;
  const lsmemFile = (await fs.readdir(join(root, 'sos_commands/memory')).catch(() => [] as string[])).find((name) => name.startsWith('lsmem'));
  if (lsmemFile && !(await exists(root, 'sys/devices/system/memory/block_size_bytes'))) {
    const rel = `sos_commands/memory/${lsmemFile}`;
    const blocks = blocksFromLsmem((await readText(root, rel)) ?? '');
    if (blocks) {
      await writeMapped(root, 'sys/devices/system/memory/block_size_bytes', `${blocks.blockSizeBytes.toString(16)}\n`, rel, mapped);
      for (const [block, state] of blocks.states) {
        await fs.mkdir(join(root, `sys/devices/system/memory/memory${block}`), { recursive: true });
        await fs.writeFile(join(root, `sys/devices/system/memory/memory${block}/state`), `${state}\n`, { mode: 0o600 });
      }
      mapped.push({ path: `sys/devices/system/memory/memory*/state (${blocks.states.size} blocks)`, from: rel });
      view.lsmemFile = lsmemFile;
    }
  }
  // A built-in xen balloon driver has no /sys/module entry sos could copy; its boot line says it runs
  // (drivers/xen/balloon.c: pr_info("Initialising balloon driver") under pr_fmt "xen:balloon: ").
  const dmesg = await readText(root, 'sos_commands/kernel/dmesg');
  if (dmesg && /xen:balloon: Initialising balloon driver/.test(dmesg) && !(await exists(root, 'sys/devices/system/xen_memory/xen_memory0/target_kb'))) {
    await fs.mkdir(join(root, 'sys/module/xen_balloon'), { recursive: true });
    mapped.push({ path: 'sys/module/xen_balloon', from: 'sos_commands/kernel/dmesg ("xen:balloon: Initialising balloon driver")' });
    view.xenFromDmesg = true;
  }
  if (!(await exists(root, 'sos_commands/systemd/systemd-detect-virt_--vm'))) {
    const lscpu = await readText(root, 'sos_commands/processor/lscpu');
    const vendor = lscpu && /^Hypervisor vendor:\s*(\S+)/m.exec(lscpu)?.[1];
    const virt = vendor ? VIRT_FROM_VENDOR[vendor] : undefined;
    if (virt) {
      await writeMapped(root, 'sos_commands/systemd/systemd-detect-virt_--vm', `${virt}\n`, 'sos_commands/processor/lscpu', mapped);
      view.detectFrom = `lscpu "Hypervisor vendor: ${vendor}" in sos_commands/processor/lscpu`;
    }
  }
}

/** Collection time and sos version: sos 4.x writes sos_reports/manifest.json; 3.x only the date output. */
async function collectionOf(root: string): Promise<{ collectedAt: Date | null; collectedAtSource: string | null; sosVersion: string | null }> {
  let collectedAt: Date | null = null;
  let collectedAtSource: string | null = null;
  let sosVersion: string | null = null;
  const manifest = await readText(root, 'sos_reports/manifest.json');
  if (manifest) {
    try {
      const parsed = JSON.parse(manifest) as { version?: unknown; start_time?: unknown };
      if (typeof parsed.version === 'string') sosVersion = parsed.version;
      // "2026-11-29 21:00:44.802409": sos's local time, without a zone; the date output names the zone.
      if (typeof parsed.start_time === 'string') {
        const at = localTimeWithZone(parsed.start_time, await readText(root, 'sos_commands/date/date_--utc'), await readText(root, 'sos_commands/date/date'));
        if (at) { collectedAt = at; collectedAtSource = 'sos_reports/manifest.json start_time'; }
      }
    } catch { /* a damaged manifest: fall back to date */ }
  }
  if (!collectedAt) {
    const dated = await firstOf(root, ['sos_commands/date/date_--utc', 'sos_commands/date/date', 'sos_commands/general/date', 'date']);
    const at = dated ? parseDateOutput(dated.text) : null;
    if (at) { collectedAt = at; collectedAtSource = dated!.rel; }
  }
  if (!sosVersion) {
    const version = await readText(root, 'version.txt');
    sosVersion = version ? /sosreport:\s*(\S+)/.exec(version)?.[1] ?? null : null;
  }
  return { collectedAt, collectedAtSource, sosVersion };
}

/** One probe section line in sos wording: an ok section names the sos file, an absent one the file sos lacked. */
function explainLine(line: string, marker: string, view: MappedView, toolboxRan: boolean): string {
  const [, id = '', status = ''] = line.split(' ');
  const { mapped } = view;
  if (id === 'detect-virt' && status === 'ok' && view.detectFrom) return `${marker} ${id} ok ${view.detectFrom}`;
  if (id === 'dmi' && status === 'ok' && view.dmidecodeRel && mapped.some((m) => m.path.startsWith('sys/class/dmi/'))) return `${marker} ${id} ok from ${view.dmidecodeRel}`;
  if (id === 'memory-blocks' && status === 'ok' && view.lsmemFile && mapped.some((m) => m.path.startsWith('sys/devices/system/memory/'))) return `${marker} ${id} ok from sos_commands/memory/${view.lsmemFile}`;
  if (id === 'sys-module' && status === 'ok' && view.xenFromDmesg) return `${marker} ${id} ok xen_balloon from sos_commands/kernel/dmesg ("xen:balloon: Initialising balloon driver")`;
  if (id === 'modules' && status === 'ok' && view.lsmodRel && mapped.some((m) => m.path === 'proc/modules')) return `${marker} ${id} ok from ${view.lsmodRel}`;
  const copied = COPIED_FROM[id];
  if (status === 'ok' && copied) {
    const rest = line.slice(`${marker} ${id} ok`.length).trim();
    return `${marker} ${id} ok from ${copied}${rest ? ` (${rest})` : ''}`;
  }
  const path = SECTION_PATHS[id];
  if (status === 'absent' && path && id.startsWith('toolbox-') && toolboxRan) {
    // A raw statistic of the same figure is quoted as it stands: its unit is not documented, so it is not used.
    const hint = RAW_STAT_HINTS[id];
    const raw = hint ? view.rawStats.find((stat) => hint.test(stat.key)) : undefined;
    const quoted = raw ? `; ${raw.file} has ${raw.key} = ${raw.value}, a raw host statistic of undocumented unit, not used` : '';
    return `${marker} ${id} error not in this sosreport: ${path} absent (sos ran vmware-toolbox-cmd, not this stat${quoted})`;
  }
  if (status === 'absent' && path) return `${marker} ${id} absent not in this sosreport: ${path} absent`;
  return line;
}

async function finish(root: string, origin: string, cleanup: () => Promise<void>): Promise<Sosreport> {
  const view: MappedView = { mapped: [], hostname: null, dmidecodeRel: null, lsmodRel: null, lsmemFile: null, xenFromDmesg: false, detectFrom: null, rawStats: [] };
  await mapIdentity(root, view);
  await mapMemoryAndVirt(root, view);
  const vmware = await fs.readdir(join(root, 'sos_commands/vmware')).catch(() => [] as string[]);
  for (const name of vmware.filter((file) => file.startsWith('vmware-toolbox-cmd_stat_raw_text_')).sort()) {
    const file = `sos_commands/vmware/${name}`;
    for (const [key, value] of rawStatsFromText((await readText(root, file)) ?? '') ?? []) view.rawStats.push({ file, key, value });
  }
  const { collectedAt, collectedAtSource, sosVersion } = await collectionOf(root);
  if (!view.hostname) {
    // sos 3.x archive names: sosreport-HOST[-CASE]-DATE-RANDOM.tar.xz
    const named = /^sosreport-(.+?)-(?:\d{4}-\d{2}-\d{2}-)?[a-z]{7}\.tar/.exec(basename(origin))?.[1];
    if (named) await writeMapped(root, 'proc/sys/kernel/hostname', `${named}\n`, `the archive name ${basename(origin)}`, view.mapped);
  }
  // sos's vmware plugin ran the toolbox (4.2+: `-v`, `stat raw text ...`): the tool is there, its `stat` answers were not collected.
  const toolboxRan = vmware.some((name) => name.startsWith('vmware-toolbox-cmd'));
  const finalHost = view.hostname ?? (await readText(root, 'proc/sys/kernel/hostname'))?.trim() ?? null;
  const explain = (output: string): string => {
    const header = /^BALLOON-INSPECTOR-PROBE 1 (@@BI-[A-Za-z0-9-]{1,64}@@)$/m.exec(output);
    if (!header) return output;
    const marker = header[1]!;
    return output.split('\n').map((line) => {
      if (line.startsWith('root=')) return `root=sosreport ${origin}`;
      return line.startsWith(`${marker} `) ? explainLine(line, marker, view, toolboxRan) : line;
    }).join('\n');
  };
  return { root, origin, hostname: finalHost, collectedAt, collectedAtSource, sosVersion, mapped: view.mapped, explain, cleanup };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `date` output ("Sun Nov 29 21:00:45 UTC 2026"); only UTC/GMT or a numeric offset is trusted. */
export function parseDateOutput(text: string): Date | null {
  const m = /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (?:(UTC|GMT)|([+-]\d{4})|[A-Z]{2,5}) (\d{4})$/m.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return null;
  const utc = Date.UTC(Number(m[8]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  if (m[6]) return new Date(utc);
  if (m[7]) {
    const sign = m[7].startsWith('-') ? -1 : 1;
    const minutes = sign * (Number(m[7].slice(1, 3)) * 60 + Number(m[7].slice(3, 5)));
    return new Date(utc - minutes * 60_000);
  }
  return null;
}

/** The manifest's local start time, placed in UTC by the offset between `date` and `date --utc`. */
function localTimeWithZone(start: string, dateUtc: string | null, dateLocal: string | null): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(start.trim());
  if (!m) return null;
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')));
  const utc = dateUtc ? parseDateOutput(dateUtc) : null;
  const local = dateLocal ? /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) \S+ (\d{4})$/m.exec(dateLocal.trim()) : null;
  if (utc && local) {
    const localMs = Date.UTC(Number(local[6]), MONTHS.indexOf(local[1]!), Number(local[2]), Number(local[3]), Number(local[4]), Number(local[5]));
    const offsetMinutes = Math.round((localMs - utc.getTime()) / 60_000 / 15) * 15;
    return new Date(asUtc - offsetMinutes * 60_000);
  }
  const zone = dateLocal ? /\s(UTC|GMT)\s\d{4}$/.test(dateLocal.trim()) : false;
  return zone ? new Date(asUtc) : null;
}

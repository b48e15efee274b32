import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { patternMatches, quoteForMessage, readRegularFile } from './ssh-config';
import { SshConfigError } from './transport';

/** One key line of a known_hosts file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). */
export interface KnownHostEntry {
  file: string;
  line: number;
  marker: '' | '@revoked' | '@cert-authority';
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** The name known_hosts uses for a host: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Largest known_hosts file read: about 550,000 entries. OpenSSH has no limit, but a file past this
 * is not a list of hosts someone reaches; it is refused with a config error rather than read whole.
 */
export const MAX_KNOWN_HOSTS_BYTES = 64 * 1024 * 1024;

/** One known_hosts file's entries, with an index by host name (a fleet looks up every host in it). */
interface KnownHostsFile {
  readonly entries: readonly KnownHostEntry[];
  /** Entries whose host field is a list of plain names, by each lower-cased name (line order). */
  readonly byName: ReadonlyMap<string, readonly number[]>;
  /** Hashed, wildcard and negated entries: any name may match them (line order). */
  readonly general: readonly number[];
  /** @revoked entries: a revoked key is refused whichever host presents it. */
  readonly revoked: readonly KnownHostEntry[];
}

/** The known_hosts files of one connection, in the order OpenSSH reads them. */
export interface KnownHosts {
  readonly files: readonly KnownHostsFile[];
}

const parsedFiles = new Map<string, { stamp: string; file: KnownHostsFile }>();

/**
 * The known_hosts files, each parsed and indexed again only when it changed: a fleet of N hosts
 * costs N stats and N indexed look-ups, not N × the file. Only regular files are read (`/dev/null`,
 * the usual "none", reads as empty; a FIFO or device is never opened).
 */
export function readKnownHosts(files: readonly string[]): KnownHosts {
  const read: KnownHostsFile[] = [];
  for (const file of files) {
    let stamp: string;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      stamp = `${stat.mtimeMs}:${stat.ctimeMs}:${stat.size}:${stat.ino}`;
    } catch { continue; }
    let cached = parsedFiles.get(file);
    if (cached?.stamp !== stamp) {
      cached = { stamp, file: indexKnownHosts(parseKnownHostsFile(file)) };
      parsedFiles.set(file, cached);
    }
    read.push(cached.file);
  }
  return { files: read };
}

/** Every entry, file after file (never spread into push(): 150,000 arguments overflow the stack). */
export function knownHostEntries(known: KnownHosts): KnownHostEntry[] {
  const all: KnownHostEntry[] = [];
  for (const file of known.files) for (const entry of file.entries) all.push(entry);
  return all;
}

function indexKnownHosts(entries: readonly KnownHostEntry[]): KnownHostsFile {
  const byName = new Map<string, number[]>();
  const general: number[] = [];
  const revoked: KnownHostEntry[] = [];
  entries.forEach((entry, position) => {
    if (entry.marker === '@revoked') revoked.push(entry);
    const patterns = entry.hosts.split(',');
    if (entry.hosts.startsWith('|') || patterns.some((pattern) => /[*?!]/.test(pattern))) { general.push(position); return; }
    for (const name of new Set(patterns.map((pattern) => pattern.toLowerCase()))) {
      let list = byName.get(name);
      if (!list) byName.set(name, list = []);
      list.push(position);
    }
  });
  return { entries, byName, general, revoked };
}

/** The entries that match one of `names`, in file and line order. */
function entriesFor(known: KnownHosts, names: readonly string[]): KnownHostEntry[] {
  const found: KnownHostEntry[] = [];
  for (const file of known.files) {
    const positions = new Set<number>();
    for (const name of names) for (const position of file.byName.get(name.toLowerCase()) ?? []) positions.add(position);
    for (const position of file.general) if (entryMatches(file.entries[position]!.hosts, names)) positions.add(position);
    for (const position of [...positions].sort((a, b) => a - b)) found.push(file.entries[position]!);
  }
  return found;
}

function parseKnownHostsFile(file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const read = readRegularFile(file, MAX_KNOWN_HOSTS_BYTES);
  if ('problem' in read) {
    if (read.problem === 'too-big') throw new SshConfigError(`known_hosts file ${quoteForMessage(file)} is too big (${read.message}); Balloon Inspector reads at most ${MAX_KNOWN_HOSTS_BYTES} bytes of one`);
    return entries;
  }
  let lineNumber = 0;
  for (const raw of read.text.split('\n')) {
    lineNumber++;
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) continue;
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length < 8 || blobKeyType(key) !== keyType) continue;
    entries.push({ file, line: lineNumber, marker, hosts, keyType, key });
  }
  return entries;
}

/** The key type named inside an SSH public key blob (its first string). */
export function blobKeyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length > 64 || blob.length < 4 + length) return null;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** Whether an entry's host field names one of `names` (hashed, patterns and negations). */
export function entryMatches(hosts: string, names: readonly string[]): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , saltText, hashText] = hosts.split('|');
    if (!saltText || !hashText) return false;
    const salt = Buffer.from(saltText, 'base64');
    const expected = Buffer.from(hashText, 'base64');
    return names.some((name) => {
      const actual = createHmac('sha1', salt).update(name).digest();
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    });
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (names.some((name) => patternMatches(body, name.toLowerCase()))) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown'; otherTypes: string[] }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Checks the key a server presented against the entries for `names`, as OpenSSH does. */
export function checkHostKey(known: KnownHosts, names: readonly string[], key: Buffer): HostKeyVerdict {
  const keyType = blobKeyType(key);
  const forHost = entriesFor(known, names).filter((entry) => entry.marker !== '@cert-authority');
  const revoked = known.files.flatMap((file) => file.revoked).find((entry) => entry.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === '');
  const same = plain.find((entry) => entry.key.equals(key));
  if (same) return { status: 'known', entry: same };
  const sameType = plain.find((entry) => entry.keyType === keyType);
  if (sameType) return { status: 'changed', entry: sameType };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((entry) => entry.keyType))] };
}

/** Key types known for `names`, so the handshake can prefer them (as OpenSSH orders HostKeyAlgorithms). */
export function knownKeyTypes(known: KnownHosts, names: readonly string[]): string[] {
  return [...new Set(entriesFor(known, names).filter((entry) => entry.marker === '').map((entry) => entry.keyType))];
}

/** Appends `name keytype base64` (hashed as `|1|salt|hash` when asked), creating ~/.ssh with mode 700 if needed. */
export function appendKnownHost(file: string, name: string, key: Buffer, hashed: boolean): void {
  const keyType = blobKeyType(key) ?? 'unknown';
  let hostField = name;
  if (hashed) {
    const salt = randomBytes(20);
    hostField = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Only the last byte matters (is a newline needed first?), and only a regular file is written:
  // `/dev/null` (the usual "remember nothing") takes nothing, a FIFO would block the run.
  let prefix = '';
  let stat;
  try { stat = statSync(file); } catch { /* absent: appendFileSync creates it */ }
  if (stat && !stat.isFile()) {
    if (stat.isCharacterDevice() && file === '/dev/null') return;
    throw new Error(`${quoteForMessage(file)} is not a regular file`);
  }
  if (stat && stat.size > 0) {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const last = Buffer.alloc(1);
      if (readSync(fd, last, 0, 1, stat.size - 1) === 1 && last[0] !== 0x0a) prefix = '\n';
    } finally { closeSync(fd); }
  }
  appendFileSync(file, `${prefix}${hostField} ${keyType} ${key.toString('base64')}\n`, { mode: 0o600 });
}

/** `SHA256:…` like ssh-keygen -l prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Host-key algorithms for a handshake, the types already known for this host first. */
export function hostKeyAlgorithms(known: readonly string[]): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const forType = (type: string) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : all.filter((algorithm) => algorithm === type));
  const preferred = known.flatMap(forType);
  return [...preferred, ...all.filter((algorithm) => !preferred.includes(algorithm))];
}

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { patternMatches } from './ssh-config';

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

const parsedFiles = new Map<string, { stamp: string; entries: KnownHostEntry[] }>();

/** The entries of known_hosts files; a file is parsed again only when it changed (a fleet reads it once). */
export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `${stat.mtimeMs}:${stat.ctimeMs}:${stat.size}:${stat.ino}`;
    } catch { continue; }
    const cached = parsedFiles.get(file);
    if (cached?.stamp === stamp) { entries.push(...cached.entries); continue; }
    const parsed = parseKnownHostsFile(file);
    parsedFiles.set(file, { stamp, entries: parsed });
    entries.push(...parsed);
  }
  return entries;
}

function parseKnownHostsFile(file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch { return entries; }
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) return;
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length < 8 || blobKeyType(key) !== keyType) return;
    entries.push({ file, line: index + 1, marker, hosts, keyType, key });
  });
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
export function checkHostKey(entries: readonly KnownHostEntry[], names: readonly string[], key: Buffer): HostKeyVerdict {
  const keyType = blobKeyType(key);
  const forHost = entries.filter((entry) => entry.marker !== '@cert-authority' && entryMatches(entry.hosts, names));
  const revoked = entries.find((entry) => entry.marker === '@revoked' && entry.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === '');
  const same = plain.find((entry) => entry.key.equals(key));
  if (same) return { status: 'known', entry: same };
  const sameType = plain.find((entry) => entry.keyType === keyType);
  if (sameType) return { status: 'changed', entry: sameType };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((entry) => entry.keyType))] };
}

/** Key types known for `names`, so the handshake can prefer them (as OpenSSH orders HostKeyAlgorithms). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], names: readonly string[]): string[] {
  return [...new Set(entries.filter((entry) => entry.marker === '' && entryMatches(entry.hosts, names)).map((entry) => entry.keyType))];
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
  let prefix = '';
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length && !text.endsWith('\n')) prefix = '\n';
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

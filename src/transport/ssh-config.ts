import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type * as SshConfigModule from 'ssh-config' with { 'resolution-mode': 'import' };
import { MAX_TIMER_SECONDS, SshConfigError } from './transport';

// ssh-config ships CommonJS (dist/) for require, but its types describe the ESM build only.
const { SSHConfig, LineType } = require('ssh-config') as typeof SshConfigModule;
type SSHConfig = SshConfigModule.SSHConfig;
type Line = SshConfigModule.Line;

/** What OpenSSH would use to reach one destination, after ~/.ssh/config. */
export interface SshHostConfig {
  /** The destination as the user wrote it (a Host alias or a host name). */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** Absolute paths, in order; only files that exist are tried. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** ssh-agent socket, or undefined for none. */
  agentSocket?: string;
  /** Jump hosts in order (ProxyJump), each a destination resolved with the same config. */
  proxyJump: string[];
  connectTimeoutSeconds?: number;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: 'yes' | 'ask' | 'accept-new' | 'no';
  hashKnownHosts: boolean;
  /** The name looked up in known_hosts instead of the host name. */
  hostKeyAlias?: string;
  batchMode: boolean;
  passwordAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  pubkeyAuthentication: boolean;
}

export interface SshConfigEnvironment {
  home: string;
  localUser: string;
  env: NodeJS.ProcessEnv;
}

export function defaultSshEnvironment(env: NodeJS.ProcessEnv = process.env): SshConfigEnvironment {
  let localUser = env.USER ?? '';
  try { localUser = userInfo().username; } catch { /* no passwd entry: keep $USER */ }
  return { home: env.HOME || homedir(), localUser, env };
}

/** A directive with the Host/Match conditions under which it applies (Include flattens into this). */
interface Entry {
  conditions: Condition[];
  param: string;
  values: string[];
}
type Condition = { kind: 'host'; patterns: string[] } | { kind: 'match'; criteria: [string, string[]][] };

const MAX_INCLUDE_DEPTH = 16;
/** Largest SSH config file read (~60,000 Host blocks); a bigger one is refused, never read to the end. */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;
/** Largest total of a config and everything it includes. */
export const MAX_CONFIG_TOTAL_BYTES = 16 * 1024 * 1024;
/** Longest value of one directive: OpenSSH's own lines are far shorter (a host name at most NI_MAXHOST, 1025). */
export const MAX_CONFIG_VALUE_CHARS = 8192;
/** Longest HostName: NI_MAXHOST of getaddrinfo(3), the most any resolver takes. */
export const MAX_HOSTNAME_CHARS = 1025;
/** How much of a user-supplied value an error message quotes. */
const QUOTED_VALUE_CHARS = 200;
const ACCUMULATING = new Set(['identityfile', 'certificatefile', 'localforward', 'remoteforward', 'dynamicforward', 'sendenv', 'setenv']);

/** ssh-config gives one value as a string (unquoted) and several as a list. */
const valuesOf = (value: string | { val: string }[]): string[] => (typeof value === 'string' ? [value] : value.map((part) => part.val));

/** A value for an error message: JSON-quoted, cut to 200 characters with its full length said. */
export function quoteForMessage(value: string, max = QUOTED_VALUE_CHARS): string {
  return value.length <= max ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
}

const fileKind = (stat: Stats) => stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() ? 'a character device' : stat.isBlockDevice() ? 'a block device'
  : stat.isDirectory() ? 'a directory' : stat.isSocket() ? 'a socket' : 'not a regular file';

/**
 * A regular file's text, at most `maxBytes`: a FIFO or device (`/dev/zero`) is never opened for
 * reading — opening a FIFO blocks, reading /dev/zero never ends. Never throws: the caller words
 * the problem.
 */
export function readRegularFile(file: string, maxBytes: number): { text: string } | ReadProblem {
  const read = readRegularFileBytes(file, maxBytes);
  return 'data' in read ? { text: read.data.toString('utf8') } : read;
}

export interface ReadProblem { problem: 'missing' | 'not-regular' | 'too-big' | 'unreadable'; message: string }

/** readRegularFile's bytes, for binary content (key files). */
export function readRegularFileBytes(file: string, maxBytes: number): { data: Buffer } | ReadProblem {
  let stat: Stats;
  try { stat = statSync(file); } catch (error) { return { problem: 'missing', message: (error as NodeJS.ErrnoException).code ?? (error as Error).message }; }
  if (!stat.isFile()) return { problem: 'not-regular', message: `${fileKind(stat)}, not a regular file` };
  if (stat.size > maxBytes) return { problem: 'too-big', message: `${stat.size} bytes, more than the ${maxBytes} read` };
  let fd: number;
  // O_NONBLOCK: if the path was swapped for a FIFO since stat, open must not wait for a writer.
  try { fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK); } catch (error) { return { problem: 'unreadable', message: (error as NodeJS.ErrnoException).code ?? (error as Error).message }; }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { problem: 'not-regular', message: `${fileKind(opened)}, not a regular file` };
    // One byte past the cap tells "exactly the cap" from "more"; the file may grow after fstat.
    let buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(opened.size + 1, 4096)));
    let size = 0;
    for (;;) {
      if (size === buffer.length) {
        if (size > maxBytes) return { problem: 'too-big', message: `more than the ${maxBytes} bytes read` };
        const grown = Buffer.alloc(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(grown);
        buffer = grown;
      }
      const read = readSync(fd, buffer, size, buffer.length - size, null);
      if (read === 0) break;
      size += read;
    }
    return { data: buffer.subarray(0, size) };
  } catch (error) {
    return { problem: 'unreadable', message: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  } finally {
    closeSync(fd);
  }
}

/**
 * Glob match of `*` (any run) and `?` (one character), iterative: O(pattern × text) at worst. A
 * regular expression built from the pattern backtracks exponentially on `*a*a*a…c` (one
 * known_hosts or Host line like that would hang every check).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) { p++; t++; }
    else if (p < pattern.length && pattern[p] === '*') { star = p++; resume = t; }
    else if (star >= 0) { p = star + 1; t = ++resume; }
    else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** ssh_config(5) patterns: `*` any run, `?` exactly one character, case-insensitive. */
export function patternMatches(pattern: string, text: string): boolean {
  // Most patterns are plain names: compare them.
  if (!/[*?]/.test(pattern)) return pattern.length === text.length && pattern.toLowerCase() === text.toLowerCase();
  return wildcardMatch(pattern.toLowerCase(), text.toLowerCase());
}

/** A pattern list matches when one pattern matches and no negated one does. */
export function patternListMatches(patterns: readonly string[], text: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), text)) return false;
    } else if (patternMatches(pattern, text)) {
      matched = true;
    }
  }
  return matched;
}

export interface Destination { user?: string; host: string; port?: number }

/** `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseDestination(text: string): Destination {
  let rest = text.trim().replace(/^ssh:\/\//, '').replace(/\/$/, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) { user = rest.slice(0, at); rest = rest.slice(at + 1); }
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':') as [string, string];
  }
  if (!host || /[\s/]/.test(host) || host.startsWith('-') || (user !== undefined && (!user || /\s/.test(user)))) {
    throw new SshConfigError(`${quoteForMessage(text)} is not an SSH destination; use [user@]host[:port] or a Host alias`);
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshConfigError(`${quoteForMessage(text)}: port ${quoteForMessage(portText)} is not a TCP port`);
  }
  return { user, host, port };
}

/** What reading a config (and its Includes) collects. */
interface ReadState {
  entries: Entry[];
  /** Every concrete name of every `Host` line, in file order, options or not. */
  hostNames: string[];
  environment: SshConfigEnvironment;
  /** Bytes read so far, against MAX_CONFIG_TOTAL_BYTES. */
  bytes: number;
}

/** Entries that can apply only to one name (a `Host` line of plain names) are found by that name. */
interface EntryIndex {
  byName: Map<string, number[]>;
  /** Entries any name may match (wildcards, Match, no condition), in file order. */
  general: number[];
}

/** An SSH client configuration (~/.ssh/config or `--ssh-config FILE`), with its Include files read in. */

/** IdentityAgent: none, SSH_AUTH_SOCK (the default), $VARIABLE, or a socket path. */
function agentSocketOf(identityAgent: string | undefined, variables: Record<string, string | undefined>, path: (text: string) => string): string | undefined {
  if (identityAgent && identityAgent.toLowerCase() === 'none') return undefined;
  if (identityAgent && identityAgent !== 'SSH_AUTH_SOCK') return identityAgent.startsWith('$') ? variables[identityAgent.slice(1)] || undefined : path(identityAgent);
  return variables.SSH_AUTH_SOCK || undefined;
}

/** ConnectTimeout in seconds: positive, and short enough for one Node.js timer. */
function connectTimeoutOf(destination: string, timeoutText: string | undefined): number | undefined {
  if (timeoutText === undefined) return undefined;
  const seconds = Number(timeoutText);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new SshConfigError(`${destination}: ConnectTimeout ${quoteForMessage(timeoutText)} is not a number of seconds`);
  if (seconds > MAX_TIMER_SECONDS) throw new SshConfigError(`${destination}: ConnectTimeout ${quoteForMessage(timeoutText)} is too long: at most ${MAX_TIMER_SECONDS} seconds (2^31 ms, the longest timer Node.js sets)`);
  return seconds;
}

/** StrictHostKeyChecking as OpenSSH reads it (default ask; off/false mean no). */
function strictHostKeyCheckingOf(text: string | undefined): SshHostConfig['strictHostKeyChecking'] {
  const value = (text ?? 'ask').toLowerCase();
  if (value === 'accept-new') return 'accept-new';
  if (value === 'no' || value === 'off' || value === 'false') return 'no';
  return value === 'ask' ? 'ask' : 'yes';
}

export class SshConfig {
  private readonly index: EntryIndex;

  private constructor(private readonly entries: Entry[], private readonly hostNames: string[], private readonly environment: SshConfigEnvironment, readonly path?: string) {
    this.index = indexEntries(entries);
  }

  /** `path` undefined → ~/.ssh/config, which may be absent; an explicit file must exist. */
  static load(path: string | undefined, environment: SshConfigEnvironment = defaultSshEnvironment()): SshConfig {
    const file = path ?? join(environment.home, '.ssh', 'config');
    if (path === undefined && !existsSync(file)) return new SshConfig([], [], environment);
    const state: ReadState = { entries: [], hostNames: [], environment, bytes: 0 };
    readConfigFile(file, [], state, 0);
    return new SshConfig(state.entries, state.hostNames, environment, file);
  }

  static fromText(text: string, environment: SshConfigEnvironment = defaultSshEnvironment()): SshConfig {
    const state: ReadState = { entries: [], hostNames: [], environment, bytes: 0 };
    flatten(SSHConfig.parse(text), [], state, 0, '<text>');
    return new SshConfig(state.entries, state.hostNames, environment);
  }

  /**
   * Every concrete `Host` name (no wildcard, no negation), in file order: what `--all-ssh-hosts` checks.
   * A `Host` line without options of its own (`Host web1` right before `Host web2`) names a host too.
   */
  concreteHosts(): string[] {
    return [...new Set(this.hostNames)];
  }

  /** The settings OpenSSH would use for `destination` (first value wins; IdentityFile accumulates). */
  resolve(destination: string): SshHostConfig {
    const parsed = parseDestination(destination);
    const alias = parsed.host;
    const settings = new Map<string, string[]>();
    const set = (param: string, values: string[]) => {
      const key = param.toLowerCase();
      if (ACCUMULATING.has(key)) {
        // Appended in place: copying the list per line is quadratic in a config of many IdentityFile/SendEnv lines.
        let list = settings.get(key);
        if (!list) settings.set(key, list = []);
        for (const value of values) list.push(value);
      } else if (!settings.has(key)) {
        settings.set(key, values);
      }
    };
    if (parsed.user !== undefined) set('user', [parsed.user]);
    if (parsed.port !== undefined) set('port', [String(parsed.port)]);
    const first = (key: string) => settings.get(key)?.[0];
    for (const entry of this.candidates(alias)) {
      const applies = entry.conditions.every((condition) => condition.kind === 'host'
        ? patternListMatches(condition.patterns, alias)
        : matchCriteria(condition.criteria, { alias, hostName: first('hostname') ?? alias, user: first('user') ?? this.environment.localUser, localUser: this.environment.localUser }));
      if (applies) set(entry.param, entry.values);
    }

    const env = this.environment;
    const user = first('user') ?? env.localUser;
    const portText = first('port') ?? '22';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshConfigError(`${destination}: Port ${quoteForMessage(portText)} is not a TCP port`);
    const rawHostName = first('hostname');
    if (rawHostName && rawHostName.length > MAX_HOSTNAME_CHARS) throw new SshConfigError(`${destination}: HostName ${quoteForMessage(rawHostName)} is longer than ${MAX_HOSTNAME_CHARS} characters, which no resolver takes`);
    const hostName = rawHostName ? rawHostName.replace(/%(%|h)/g, (_, token: string) => (token === '%' ? '%' : alias)) : alias;
    const tokens = (text: string) => expandTokens(text, { home: env.home, hostName, user, localUser: env.localUser, port, alias });
    const path = (text: string) => expandPath(tokens(text), env.home);
    const yes = (key: string, fallback: boolean) => {
      const value = first(key)?.toLowerCase();
      return value === undefined ? fallback : value === 'yes' || value === 'true';
    };

    const explicitIdentities = settings.get('identityfile')?.map(path) ?? [];
    const identityFiles = explicitIdentities.length
      ? explicitIdentities
      : ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'].map((name) => join(env.home, '.ssh', name));

    const agentSocket = agentSocketOf(first('identityagent'), env.env, path);

    const jump = first('proxyjump');
    const proxyJump = !jump || jump.toLowerCase() === 'none' ? [] : (settings.get('proxyjump') ?? []).join(',').split(',').map((hop) => hop.trim()).filter(Boolean);

    const connectTimeoutSeconds = connectTimeoutOf(destination, first('connecttimeout'));
    const strictHostKeyChecking = strictHostKeyCheckingOf(first('stricthostkeychecking'));

    return {
      alias,
      hostName,
      port,
      user,
      identityFiles,
      identitiesOnly: yes('identitiesonly', false),
      agentSocket,
      proxyJump,
      connectTimeoutSeconds,
      userKnownHostsFiles: (settings.get('userknownhostsfile') ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).filter((f) => f.toLowerCase() !== 'none').map(path),
      globalKnownHostsFiles: (settings.get('globalknownhostsfile') ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']).filter((f) => f.toLowerCase() !== 'none').map(path),
      strictHostKeyChecking,
      hashKnownHosts: yes('hashknownhosts', false),
      hostKeyAlias: first('hostkeyalias'),
      batchMode: yes('batchmode', false),
      passwordAuthentication: yes('passwordauthentication', true),
      kbdInteractiveAuthentication: yes('kbdinteractiveauthentication', yes('challengeresponseauthentication', true)),
      pubkeyAuthentication: yes('pubkeyauthentication', true),
    };
  }

  /** The entries that may apply to `alias`, in file order: its own plus the general ones (linear in a fleet). */
  private *candidates(alias: string): Generator<Entry> {
    const own = this.index.byName.get(alias.toLowerCase()) ?? [];
    const general = this.index.general;
    let i = 0;
    let j = 0;
    while (i < own.length || j < general.length) {
      const next = j >= general.length || (i < own.length && own[i]! < general[j]!) ? own[i++]! : general[j++]!;
      yield this.entries[next]!;
    }
  }
}

function indexEntries(entries: readonly Entry[]): EntryIndex {
  const byName = new Map<string, number[]>();
  const general: number[] = [];
  entries.forEach((entry, position) => {
    // A Host condition whose positive patterns are all plain names applies to those names only.
    const plain = entry.conditions.find((condition): condition is Extract<Condition, { kind: 'host' }> => condition.kind === 'host'
      && condition.patterns.some((pattern) => !pattern.startsWith('!'))
      && condition.patterns.every((pattern) => pattern.startsWith('!') || !/[*?]/.test(pattern)));
    if (!plain) { general.push(position); return; }
    for (const name of new Set(plain.patterns.filter((pattern) => !pattern.startsWith('!')).map((pattern) => pattern.toLowerCase()))) {
      let list = byName.get(name);
      if (!list) byName.set(name, list = []);
      list.push(position);
    }
  });
  return { byName, general };
}

function readConfigFile(file: string, conditions: Condition[], state: ReadState, depth: number): void {
  const budget = Math.min(MAX_CONFIG_FILE_BYTES, MAX_CONFIG_TOTAL_BYTES - state.bytes);
  const read = readRegularFile(file, budget);
  if ('problem' in read) {
    const why = read.problem !== 'too-big' ? read.message
      : budget < MAX_CONFIG_FILE_BYTES ? `with its Includes the config is larger than ${MAX_CONFIG_TOTAL_BYTES} bytes, the limit`
        : `${read.message}: an SSH config file is limited to ${MAX_CONFIG_FILE_BYTES} bytes`;
    throw new SshConfigError(`cannot read SSH config ${quoteForMessage(file)}: ${why}`);
  }
  state.bytes += Buffer.byteLength(read.text);
  let parsed: SSHConfig;
  try {
    parsed = SSHConfig.parse(read.text);
  } catch (error) {
    throw new SshConfigError(`cannot parse SSH config ${quoteForMessage(file)}: ${quoteForMessage((error as Error).message)}`);
  }
  flatten(parsed, conditions, state, depth, file);
}

function flatten(lines: Iterable<Line>, conditions: Condition[], state: ReadState, depth: number, file: string): void {
  for (const line of lines) {
    if (line.type !== LineType.DIRECTIVE) continue;
    const param = line.param.toLowerCase();
    const values = valuesOf(line.value);
    const long = values.find((value) => value.length > MAX_CONFIG_VALUE_CHARS);
    if (long !== undefined) throw new SshConfigError(`SSH config ${quoteForMessage(file)}: ${quoteForMessage(line.param, 40)} value ${quoteForMessage(long)} is longer than ${MAX_CONFIG_VALUE_CHARS} characters`);
    if ('config' in line && (param === 'host' || param === 'match')) {
      const condition: Condition = param === 'host'
        ? { kind: 'host', patterns: values }
        : { kind: 'match', criteria: Object.entries((line as { criteria?: Record<string, string | { val: string }[]> }).criteria ?? {}).map(([key, value]) => [key.toLowerCase(), typeof value === 'string' ? value.split(',') : value.flatMap((part) => part.val.split(','))]) };
      if (param === 'host') for (const pattern of values) if (!/[*?!]/.test(pattern)) state.hostNames.push(pattern);
      flatten(line.config, [...conditions, condition], state, depth, file);
      continue;
    }
    if (param === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) throw new SshConfigError(`${quoteForMessage(file)}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      for (const pattern of values) {
        // ssh_config(5): relative Include paths of a user config are relative to ~/.ssh.
        const expanded = expandPath(pattern, state.environment.home);
        const absolute = isAbsolute(expanded) ? expanded : join(state.environment.home, '.ssh', expanded);
        for (const included of expandGlob(absolute)) readConfigFile(included, conditions, state, depth + 1);
      }
      continue;
    }
    state.entries.push({ conditions, param, values });
  }
}

/** `Match` criteria that can be decided without running anything; `exec` and the like never match. */
function matchCriteria(criteria: [string, string[]][], context: { alias: string; hostName: string; user: string; localUser: string }): boolean {
  for (const [key, patterns] of criteria) {
    switch (key) {
      case 'all': break;
      case 'host': if (!patternListMatches(patterns, context.hostName)) return false; break;
      case 'originalhost': if (!patternListMatches(patterns, context.alias)) return false; break;
      case 'user': if (!patternListMatches(patterns, context.user)) return false; break;
      case 'localuser': if (!patternListMatches(patterns, context.localUser)) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Files matching a path whose last components may hold `*` or `?` (as Include allows), sorted like glob(3). */
function expandGlob(path: string): string[] {
  if (!/[*?]/.test(path)) return existsSync(path) ? [path] : [];
  const parts = path.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    if (!part) continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?]/.test(part)) {
        next.push(join(base, part));
        continue;
      }
      let names: string[] = [];
      try { names = readdirSync(base); } catch { continue; }
      for (const name of names.sort()) if (!name.startsWith('.') && wildcardMatch(part, name)) next.push(join(base, name));
    }
    bases = next;
  }
  return bases.filter((candidate) => {
    try { return statSync(candidate).isFile(); } catch { return false; }
  });
}

export function expandPath(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** The `%` tokens of ssh_config(5) that paths use most. */
export function expandTokens(text: string, context: { home: string; hostName: string; user: string; localUser: string; port: number; alias: string }): string {
  return text.replace(/%([%dhurpnlLi])/g, (_, token: string) => {
    switch (token) {
      case '%': return '%';
      case 'd': return context.home;
      case 'h': return context.hostName;
      case 'u': return context.localUser;
      case 'r': return context.user;
      case 'p': return String(context.port);
      case 'n': return context.alias;
      case 'l': return localHostname();
      case 'L': return localHostname().split('.')[0]!;
      default: return String(process.getuid?.() ?? '');
    }
  });
}

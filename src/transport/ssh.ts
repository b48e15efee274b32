import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client as SshClient, ClientChannel } from 'ssh2';
import type { Target } from '../core/report';
import { shellQuote, type ProbeSettings } from '../core/sections';
import { scriptWithSettings } from './probe-script';
import { AuthAttempts, createAuthHandler, SshCredentials } from './ssh-auth';
import { SshConfig, type SshHostConfig } from './ssh-config';
import { appendKnownHost, checkHostKey, fingerprint, hostKeyAlgorithms, knownHostsName, knownKeyTypes, readKnownHosts, type KnownHosts } from './ssh-known-hosts';
import { MAX_OUTPUT_BYTES, ProbeError, SshConfigError, stderrText, type Transport } from './transport';

// The package index also loads its HTTP agents, server and key generator (http, https, tls, zlib):
// the client needs none of them, and a CLI run pays for every module it loads.
const Client = require('ssh2/lib/client.js') as typeof import('ssh2').Client;
type Client = SshClient;

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 60;
const MAX_JUMPS = 8;
const MAX_STDERR_BYTES = 4096;

export interface SshTransportOptions {
  config: SshConfig;
  credentials?: SshCredentials;
  /** Add unknown host keys to known_hosts (StrictHostKeyChecking=accept-new). Changed keys are never accepted. */
  acceptNew?: boolean;
  /** Overrides the config's ConnectTimeout: TCP connect, SSH handshake and authentication of each hop. */
  connectTimeoutSeconds?: number;
  /** From opening the channel to the probe's last byte. */
  probeTimeoutSeconds?: number;
}

/** A timer that stops while the user is being asked something (a passphrase takes as long as it takes). */
class Deadline {
  private timer?: NodeJS.Timeout;
  private remaining: number;
  private startedAt = 0;
  private paused = 0;

  constructor(ms: number, private readonly onExpire: () => void) {
    this.remaining = ms;
    this.start();
  }

  private start() {
    this.startedAt = Date.now();
    this.timer = setTimeout(this.onExpire, this.remaining);
  }

  async suspend<T>(work: () => Promise<T>): Promise<T> {
    if (this.paused++ === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.remaining -= Date.now() - this.startedAt;
    }
    try {
      return await work();
    } finally {
      if (--this.paused === 0 && this.remaining > 0) this.start();
    }
  }

  clear() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = 0;
  }
}

/** The hosts a connection goes through, the target last (ProxyJump expanded, recursively like OpenSSH's). */
export function connectionChain(config: SshConfig, destination: string, seen: string[] = []): SshHostConfig[] {
  if (seen.length > MAX_JUMPS) throw new SshConfigError(`ProxyJump chain longer than ${MAX_JUMPS} hops: ${[...seen, destination].join(' → ')}`);
  if (seen.includes(destination)) throw new SshConfigError(`ProxyJump loop: ${[...seen, destination].join(' → ')}`);
  const host = config.resolve(destination);
  if (!host.proxyJump.length) return [host];
  const [first, ...rest] = host.proxyJump as [string, ...string[]];
  const before = connectionChain(config, first, [...seen, destination]);
  // Later hops of a list are used as written; only the first one's own ProxyJump applies (as ssh -J does).
  const middle = rest.map((hop) => ({ ...config.resolve(hop), proxyJump: [] }));
  return [...before, ...middle, host];
}

/** `ssh-keygen -R NAME -f FILE`, every argument quoted: a HostKeyAlias or a path is the user's text, not shell. */
export function removeHostKeyCommand(name: string, file: string): string {
  return `ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(file)}`;
}

/**
 * `ssh-keyscan -p PORT HOST`, quoted the same way (`--` keeps a host name starting with `-` a name);
 * with `>> FILE` when `file` is given (null: the default ~/.ssh/known_hosts).
 */
export function keyscanCommand(host: Pick<SshHostConfig, 'hostName' | 'port'>, file?: string | null): string {
  const command = `ssh-keyscan -p ${host.port} ${host.hostName.startsWith('-') ? '-- ' : ''}${shellQuote(host.hostName)}`;
  if (file === undefined) return command;
  return `${command} >> ${file === null ? '~/.ssh/known_hosts' : shellQuote(file)}`;
}

/** A library's error text, cut: it may repeat a host name of any length. */
const cut = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

const hostLabel = (host: SshHostConfig) => `${host.user}@${host.hostName}${host.port === 22 ? '' : `:${host.port}`}`;

type Phase = 'tcp' | 'handshake' | 'auth';

/** What a connection knows when the server shows its host key. */
export interface HostKeyCheck {
  /** How errors name the host ("jump host admin@db01:2222"). */
  label: string;
  host: Pick<SshHostConfig, 'hostName' | 'port' | 'userKnownHostsFiles' | 'globalKnownHostsFiles' | 'hostKeyAlias'>;
  known: KnownHosts;
  /** StrictHostKeyChecking accept-new (or no): a key of a type known_hosts has no entry of is accepted and added. */
  acceptUnknown: boolean;
}

export type HostKeyDecision = { accept: true; addToKnownHosts: boolean } | { accept: false; error: ProbeError };

/** The name known_hosts holds a host under: its HostKeyAlias, else `host` or `[host]:port`. */
export const knownHostsNameOf = (host: Pick<SshHostConfig, 'hostName' | 'port' | 'hostKeyAlias'>): string => host.hostKeyAlias ?? knownHostsName(host.hostName, host.port);

/** Accepts or refuses the key a server presented, as OpenSSH's StrictHostKeyChecking does; pure (known_hosts already read). */
export function verifyHostKey(key: Buffer, { label, host, known, acceptUnknown }: HostKeyCheck): HostKeyDecision {
  const name = knownHostsNameOf(host);
  const verdict = checkHostKey(known, [name], key);
  const print = fingerprint(key);
  const refuse = (kind: 'host-key-changed' | 'host-key-unknown', message: string): HostKeyDecision => ({ accept: false, error: new ProbeError(kind, `${label}: ${message}`) });
  switch (verdict.status) {
    case 'known': return { accept: true, addToKnownHosts: false };
    case 'changed':
      return refuse('host-key-changed', `WARNING: THE HOST KEY HAS CHANGED. It is now ${print}, but ${verdict.entry.file}:${verdict.entry.line} holds another ${verdict.entry.keyType} key for ${name}. Someone could be intercepting the connection (man-in-the-middle), or the host was reinstalled. Not connecting. If the change is expected, remove the old key (${removeHostKeyCommand(name, verdict.entry.file)}) and check the new one.`);
    case 'revoked':
      return refuse('host-key-changed', `the host presented key ${print}, which ${verdict.entry.file}:${verdict.entry.line} marks @revoked. Not connecting.`);
    default: {
      if (verdict.otherTypes.length) {
        return refuse('host-key-unknown', `the host presented a ${key.length ? print : 'key'} of a type not in known_hosts, where ${name} has only ${verdict.otherTypes.join(', ')} keys. Not connecting: check the host's keys (${keyscanCommand(host)}) and update known_hosts.`);
      }
      if (acceptUnknown) return { accept: true, addToKnownHosts: true };
      const knownFiles = [...host.userKnownHostsFiles, ...host.globalKnownHostsFiles];
      return refuse('host-key-unknown', `host key ${print} is not in ${knownFiles.length ? host.userKnownHostsFiles[0] ?? knownFiles[0] : 'any known_hosts file'}. Check that this is the right key, then accept it with --accept-new (adds it, like StrictHostKeyChecking=accept-new), or add it yourself: ${keyscanCommand(host, host.userKnownHostsFiles[0] ?? null)}`);
    }
  }
}

/** Why the connect timeout fired, by the phase the connection was in. */
function connectTimeoutMessage(label: string, phase: Phase, seconds: number): string {
  if (phase === 'tcp') return `${label}: no TCP connection within ${seconds} s (connect timeout)`;
  if (phase === 'handshake') return `${label}: the server accepted the connection but did not complete the SSH handshake within ${seconds} s`;
  return `${label}: authentication did not finish within ${seconds} s`;
}

/** accept-new: the key the user accepted goes to the first user known_hosts file; an error says why it could not. */
function rememberHostKey(host: SshHostConfig, key: Buffer, label: string): ProbeError | null {
  const file = host.userKnownHostsFiles[0];
  if (!file) return null;
  try {
    appendKnownHost(file, knownHostsNameOf(host), key, host.hashKnownHosts);
    return null;
  } catch (error) {
    return new ProbeError('other', `${label}: cannot add the host key to ${file}: ${(error as Error).message}`);
  }
}

/**
 * Runs the probe on a guest over SSH: one connection (through ProxyJump hops if configured), one
 * exec channel `sh -s`, the script with its settings on stdin. Nothing from the user is ever put
 * on the remote command line.
 */
export class SshTransport implements Transport {
  readonly target: Target;
  private readonly credentials: SshCredentials;

  constructor(readonly destination: string, private readonly options: SshTransportOptions) {
    this.target = { kind: 'ssh', name: destination };
    this.credentials = options.credentials ?? new SshCredentials();
  }

  async runProbe(settings: ProbeSettings = {}, signal?: AbortSignal): Promise<string> {
    const connection = await this.open(signal);
    const onAbort = () => connection.client.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.exec(connection.client, connection.host, scriptWithSettings(settings));
    } catch (error) {
      throw signal?.aborted ? new ProbeError('other', 'cancelled') : error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      connection.close();
    }
  }

  /**
   * A logged-in connection to the destination (through its ProxyJump hops), host keys checked and
   * authenticated exactly as for the probe — for callers that need their own channel (a shell).
   */
  async open(signal?: AbortSignal): Promise<{ client: Client; host: SshHostConfig; close: () => void }> {
    const chain = connectionChain(this.options.config, this.destination);
    const clients: Client[] = [];
    const close = () => { for (const client of clients.splice(0).reverse()) client.end(); };
    const onAbort = () => clients.forEach((client) => client.destroy());
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let stream: Duplex | undefined;
      for (const [index, host] of chain.entries()) {
        if (signal?.aborted) throw new ProbeError('other', 'cancelled');
        if (index > 0) stream = await forward(clients[index - 1]!, chain[index - 1]!, host);
        clients.push(await this.connect(host, stream, index < chain.length - 1 ? 'jump host ' : ''));
      }
    } catch (error) {
      close();
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return { client: clients[clients.length - 1]!, host: chain[chain.length - 1]!, close };
  }

  private connectTimeoutMs(host: SshHostConfig) {
    return (this.options.connectTimeoutSeconds ?? host.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000;
  }

  /** TCP (or a forwarded channel), handshake with host-key check, then authentication. */
  private connect(host: SshHostConfig, through: Duplex | undefined, role: string): Promise<Client> {
    const label = `${role}${hostLabel(host)}`;
    const timeoutMs = this.connectTimeoutMs(host);
    const known = readKnownHosts([...host.userKnownHostsFiles, ...host.globalKnownHostsFiles]);
    const acceptUnknown = this.options.acceptNew === true || host.strictHostKeyChecking === 'accept-new' || host.strictHostKeyChecking === 'no';
    const hostKeyCheck: HostKeyCheck = { label, host, known, acceptUnknown };
    const attempts = new AuthAttempts();

    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let phase: Phase = through ? 'handshake' : 'tcp';
      let settled = false;
      let failure: ProbeError | undefined;
      let keyToAdd: Buffer | undefined;
      let socket: Socket | undefined;
      const fail = (error: ProbeError) => {
        if (settled) return;
        settled = true;
        deadline.clear();
        client.destroy();
        socket?.destroy();
        reject(error);
      };
      const deadline = new Deadline(timeoutMs, () => fail(new ProbeError('timeout', connectTimeoutMessage(label, phase, timeoutMs / 1000))));
      const suspend = <T>(work: () => Promise<T>) => deadline.suspend(work);

      client.on('handshake', () => {
        phase = 'auth';
        const notAdded = keyToAdd ? rememberHostKey(host, keyToAdd, label) : null;
        if (notAdded) fail(notAdded);
      });
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        deadline.clear();
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string; code?: string }) => {
        if (settled) return;
        if (error.level === 'agent') { attempts.problems.push(`ssh-agent: ${error.message}`); return; }
        fail(failure ?? classifyError(error, label, phase, attempts, host));
      });
      client.on('close', () => {
        fail(failure ?? new ProbeError('dropped', `${label}: the server closed the connection during the ${phase === 'auth' ? 'authentication' : 'SSH handshake'}`));
      });

      const start = (sock: Duplex) => {
        phase = 'handshake';
        client.connect({
          sock,
          username: host.user,
          readyTimeout: 0,
          algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(known, [knownHostsNameOf(host)])) as never },
          hostVerifier: (key: Buffer) => {
            const decision = verifyHostKey(key, hostKeyCheck);
            if (!decision.accept) failure = decision.error;
            else if (decision.addToKnownHosts) keyToAdd = key;
            return decision.accept;
          },
          authHandler: createAuthHandler(host, this.credentials, attempts, suspend),
        });
      };

      if (through) {
        start(through);
      } else {
        socket = tcpConnect({ host: host.hostName, port: host.port });
        socket.setNoDelay(true);
        const onEarlyError = (error: NodeJS.ErrnoException) => fail(classifyError(error, label, phase, attempts, host));
        socket.once('error', onEarlyError);
        socket.once('connect', () => {
          socket!.removeListener('error', onEarlyError);
          start(socket!);
        });
      }
    });
  }

  /** One exec channel: `sh -s`, the script on stdin, stdout capped, bounded by the probe timeout. */
  private exec(client: Client, host: SshHostConfig, script: string): Promise<string> {
    const label = hostLabel(host);
    const timeoutSeconds = this.options.probeTimeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const chunks: Buffer[] = [];
      let size = 0;
      const stderr = stderrText(MAX_STDERR_BYTES);
      let exit: { code: number | null; signal?: string } | undefined;
      let channel: ClientChannel | undefined;
      const settle = (error: ProbeError | null, output?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) { channel?.destroy(); client.destroy(); reject(error); } else resolve(output!);
      };
      const timer = setTimeout(() => settle(new ProbeError('timeout', `${label}: the probe did not finish within ${timeoutSeconds} s (probe timeout; raise it with --probe-timeout)`)), timeoutSeconds * 1000);
      client.on('error', (error: Error) => settle(new ProbeError('dropped', `${label}: the connection failed while the probe ran (${error.message}) after ${size} bytes`)));
      client.on('close', () => settle(new ProbeError('dropped', `${label}: the connection closed while the probe ran, after ${size} bytes`)));
      client.exec('sh -s', (error, stream) => {
        if (error) return settle(new ProbeError('other', `${label}: the server refused to run a command: ${error.message}`));
        channel = stream;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_OUTPUT_BYTES) return settle(new ProbeError('bad-output', `${label}: the guest printed more than ${MAX_OUTPUT_BYTES} bytes; the probe never does — is a login script or forced command printing in its place?`));
          chunks.push(chunk);
        });
        stream.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
        stream.on('exit', (code: number | null, signalName?: string) => { exit = { code, signal: signalName }; });
        stream.on('close', () => {
          if (!exit) return settle(new ProbeError('dropped', `${label}: the connection closed while the probe ran, after ${size} bytes`));
          if (exit.code !== 0) {
            const why = exit.signal ? `was killed by SIG${exit.signal}` : `exited with ${exit.code}`;
            const said = stderr.text().trim();
            return settle(new ProbeError('bad-output', `${label}: the probe script ${why}${said ? `: ${said.split('\n')[0]}` : ''}`));
          }
          settle(null, Buffer.concat(chunks).toString('utf8'));
        });
        stream.on('error', () => { /* close follows */ });
        stream.end(script);
      });
    });
  }
}

/** A channel to the next hop, opened on the previous one (ProxyJump: direct-tcpip). */
function forward(client: Client, via: SshHostConfig, next: SshHostConfig): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, stream) => {
      if (error) {
        // RFC 4254 5.1 reason codes: 1 administratively prohibited (PermitOpen), 2 connect failed.
        const reason = (error as Error & { reason?: number }).reason;
        const why = reason === 1 ? 'the jump host does not allow forwarding there' : reason === 2 ? 'connection refused or no route' : error.message;
        reject(new ProbeError(reason === 1 || reason === 2 ? 'refused' : 'unreachable', `jump host ${hostLabel(via)} could not reach ${next.hostName}:${next.port}: ${why}`));
      } else {
        resolve(stream);
      }
    });
  });
}

function classifyError(error: Error & { level?: string; code?: string }, label: string, phase: string, attempts: AuthAttempts, host: SshHostConfig): ProbeError {
  switch (error.code) {
    case 'ECONNREFUSED': return new ProbeError('refused', `${label}: connection refused (no SSH server on port ${host.port}?)`);
    case 'ETIMEDOUT': return new ProbeError('timeout', `${label}: the TCP connection timed out`);
    case 'EHOSTUNREACH': case 'ENETUNREACH': return new ProbeError('unreachable', `${label}: no route to host (${error.code})`);
    case 'ENOTFOUND': case 'EAI_AGAIN': return new ProbeError('unreachable', `${label}: cannot resolve host name ${host.hostName} (${error.code})`);
    case 'ECONNRESET': case 'EPIPE': return new ProbeError('dropped', `${label}: the connection was reset during the ${phase === 'auth' ? 'authentication' : 'SSH handshake'}`);
    default: break;
  }
  if (error.level === 'client-authentication') return new ProbeError('auth', `${label}: ${attempts.describe(host)}`);
  if (error.level === 'protocol' || /protocol|ident|banner/i.test(error.message)) {
    return new ProbeError('other', `${label}: this does not look like an SSH server (${cut(error.message)})`);
  }
  if (error.level === 'handshake') return new ProbeError('other', `${label}: SSH handshake failed: ${cut(error.message)}`);
  return new ProbeError('other', `${label}: ${cut(error.message)}`);
}

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommand, requireSystem } from './system';

/**
 * Real OpenSSH servers for tests: `/usr/sbin/sshd -D -E <log> -f <temp config>` on 127.0.0.1 high ports,
 * with generated host and user keys in a throwaway directory. Nothing touches /etc/ssh or ~/.ssh.
 */

/** A user without sudo rights and with /bin/sh as shell (no rc files slowing logins); .ci/run creates it. */
export const TEST_USER = 'bi-test';

export function userExists(name: string): boolean {
  return spawnSync('id', [name], { stdio: 'ignore' }).status === 0;
}

type Skippable = { skip: (message: string) => void };

/** Everything an SSH test needs from the machine; false means skipped (locally) — in CI it throws. */
export function requireSshLab(t: Skippable): boolean {
  if (!requireCommand(t, 'sshd', 'openssh-server')) return false;
  if (!requireCommand(t, 'ssh-keygen', 'openssh-client')) return false;
  if (!requireSystem(t, 'root (tests start sshd, which switches to the test user)', process.getuid?.() === 0, 'run the tests as root, as CI does')) return false;
  return requireSystem(t, `user ${TEST_USER}`, userExists(TEST_USER), `useradd -m -s /bin/sh -p '*' ${TEST_USER} (see .ci/run)`);
}

export interface KeyPair { path: string; publicLine: string }

export function keygen(path: string, options: { type?: 'ed25519' | 'rsa' | 'ecdsa'; passphrase?: string; comment?: string } = {}): KeyPair {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', options.type ?? 'ed25519', ...(options.type === 'rsa' ? ['-b', '2048'] : []), '-N', options.passphrase ?? '', '-C', options.comment ?? 'balloon-inspector-test', '-f', path], { stdio: 'ignore' });
  return { path, publicLine: readFileSync(`${path}.pub`, 'utf8').trim() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface SshdOptions {
  /** Keys allowed to log in (authorized_keys lines). */
  authorizedKeys: string[];
  /** Host key to use (shared by a fleet); a new ed25519 one when absent. */
  hostKey?: KeyPair;
  /** More sshd_config lines (ForceCommand, PermitOpen, ...). */
  extraConfig?: string[];
  /** Run sshd in its own mount namespace where /sys/kernel/debug is root-only (mode 700), as on a real guest. */
  rootOnlyDebugfs?: boolean;
}

export class Sshd {
  private exited = false;

  constructor(readonly dir: string, readonly port: number, readonly hostKey: KeyPair, private readonly child: ChildProcess) {
    child.once('exit', () => { this.exited = true; });
  }

  get pid(): number { return this.child.pid!; }
  /** sshd -E writes its log to a file: a pipe nobody drains (a benchmark in spawnSync) would block sshd. */
  get log(): string {
    try { return readFileSync(join(this.dir, 'sshd.log'), 'utf8'); } catch { return ''; }
  }

  /** The known_hosts line for this server. */
  knownHostsLine(): string {
    const [type, key] = this.hostKey.publicLine.split(/\s+/);
    return `[127.0.0.1]:${this.port} ${type} ${key}`;
  }

  waitListening(): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        const log = this.log;
        if (/Server listening on/.test(log)) return resolve();
        if (this.exited) return reject(new Error(`sshd exited: ${log}`));
        if (Date.now() - started > 10_000) return reject(new Error(`sshd did not start: ${log}`));
        setTimeout(poll, 10);
      };
      poll();
    });
  }

  /** Stops this sshd (its own process group: the listener and any session it forked). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try { process.kill(-this.pid, 'SIGTERM'); } catch { try { this.child.kill('SIGTERM'); } catch { /* gone */ } }
    const timer = setTimeout(() => { try { process.kill(-this.pid, 'SIGKILL'); } catch { /* gone */ } }, 2000);
    await exited;
    clearTimeout(timer);
  }
}

/** A temp directory with the test user's key and helpers to start sshd instances in it. */
export class SshLab {
  readonly dir: string;
  readonly userKey: KeyPair;
  readonly hostKey: KeyPair;
  private readonly servers: Sshd[] = [];
  private counter = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'bi-ssh-'));
    // sshd reads authorized_keys as the test user: the path must be searchable by it.
    chmodSync(this.dir, 0o755);
    this.userKey = keygen(join(this.dir, 'id_user'));
    this.hostKey = keygen(join(this.dir, 'host_ed25519'));
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true }); // sshd's privilege-separation dir
  }

  path(name: string): string { return join(this.dir, name); }

  write(name: string, text: string, mode = 0o644): string {
    const file = this.path(name);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
    return file;
  }

  async startSshd(options: Partial<SshdOptions> = {}): Promise<Sshd> {
    const authorizedKeys = options.authorizedKeys ?? [this.userKey.publicLine];
    const hostKey = options.hostKey ?? this.hostKey;
    for (let attempt = 0; ; attempt++) {
      const id = ++this.counter;
      const port = await freePort();
      const dir = join(this.dir, `sshd-${id}`);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, 'authorized_keys'), `${authorizedKeys.join('\n')}\n`, { mode: 0o644 });
      const config = [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey ${hostKey.path}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin no',
        `AllowUsers ${TEST_USER}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PrintMotd no',
        'PrintLastLog no',
        'UseDNS no',
        'MaxStartups 200',
        'LogLevel VERBOSE',
        ...(options.extraConfig ?? []),
      ];
      const configPath = join(dir, 'sshd_config');
      writeFileSync(configPath, `${config.join('\n')}\n`);
      const command = options.rootOnlyDebugfs
        ? ['unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o mode=700 bi-debugfs /sys/kernel/debug && printf "balloon:\\n  current: 0 pages\\n" > /sys/kernel/debug/vmmemctl && chmod 600 /sys/kernel/debug/vmmemctl && exec /usr/sbin/sshd -D -E "$2" -f "$1"', 'sh', configPath, join(dir, 'sshd.log')]] as const
        : ['/usr/sbin/sshd', ['-D', '-E', join(dir, 'sshd.log'), '-f', configPath]] as const;
      const child = spawn(command[0], [...command[1]], { stdio: 'ignore', detached: true });
      const server = new Sshd(dir, port, hostKey, child);
      this.servers.push(server);
      try {
        await server.waitListening();
        return server;
      } catch (error) {
        await server.stop();
        if (attempt >= 4 || !/Address already in use|Bind to port/.test(server.log)) throw error;
      }
    }
  }

  /** known_hosts with the given servers' keys. */
  knownHosts(name: string, servers: readonly Sshd[]): string {
    return this.write(name, servers.map((server) => server.knownHostsLine()).join('\n') + '\n');
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A TCP server that accepts connections and never says a word (an SSH port behind a hung proxy). */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => { sockets.add(socket); socket.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise((resolve) => { sockets.forEach((socket) => socket.destroy()); server.close(() => resolve()); }),
  };
}

/** A TCP proxy to a real sshd whose connections the test can cut (a guest rebooting mid-probe). */
export async function cuttableProxy(targetPort: number): Promise<{ port: number; cut: () => void; close: () => Promise<void> }> {
  const { connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut: () => sockets.forEach((socket) => socket.destroy()),
    close: () => new Promise((resolve) => { sockets.forEach((socket) => socket.destroy()); server.close(() => resolve()); }),
  };
}

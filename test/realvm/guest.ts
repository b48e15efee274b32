import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/sshd';
import { ROOT, which } from '../helpers/system';

/**
 * Real QEMU guests for the real-VM lane: Debian's own kernel (scripts/realvm-build.sh fetches and unpacks
 * it, never installs it) under TCG, a busybox initramfs with the virtio modules and OpenSSH's sshd, a QMP
 * socket, and SSH on 127.0.0.1 through QEMU's user-mode network.
 */

export const MiB = 1024 * 1024;
export const GUEST_RAM_MIB = 1024;

export interface Images { dir: string; vmlinuz: string; initrd: string; kernel: string; clientKey: string; hostKeyPub: string }

/** What the lane needs from the machine, or why it cannot run: [present, what, hint] triples. */
export function laneRequirements(): [boolean, string, string][] {
  return [
    [which('qemu-system-x86_64') !== null, 'qemu-system-x86_64', 'apt-get install qemu-system-x86'],
    [existsSync('/usr/sbin/sshd'), '/usr/sbin/sshd (copied into the guest)', 'apt-get install openssh-server'],
    [which('ssh-keygen') !== null, 'ssh-keygen', 'apt-get install openssh-client'],
    [which('cpio') !== null, 'cpio', 'apt-get install cpio'],
    [which('dpkg-deb') !== null && which('apt-get') !== null, 'apt-get and dpkg-deb (fetch Debian\'s kernel)', 'a Debian machine'],
    [['/bin/busybox', '/usr/bin/busybox'].some((path) => existsSync(path) && spawnSync('ldd', [path]).status !== 0), 'a static busybox', 'apt-get install busybox-static'],
  ];
}

/** Runs scripts/realvm-build.sh (downloads the kernel once into .realvm/, rebuilds the initramfs). */
export function buildImages(): Images {
  const result = spawnSync('sh', [join(ROOT, 'scripts', 'realvm-build.sh')], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scripts/realvm-build.sh failed (exit ${result.status}): ${result.stderr}`);
  const dir = result.stdout.trim().split('\n').pop()!;
  const env = Object.fromEntries(readFileSync(join(dir, 'build.env'), 'utf8').trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
  return { dir, vmlinuz: env.vmlinuz, initrd: env.initrd, kernel: env.kernel, clientKey: join(dir, 'keys', 'id_ed25519'), hostKeyPub: join(dir, 'keys', 'ssh_host_ed25519_key.pub') };
}

/** A QMP client on a unix socket: one command at a time; events are kept, not answered. */
export class Qmp {
  private buffer = '';
  private waiting: ((message: Record<string, unknown>) => void) | null = null;
  readonly events: Record<string, unknown>[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (!line) continue;
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('event' in message) { this.events.push(message); continue; }
        const waiter = this.waiting;
        this.waiting = null;
        waiter?.(message);
      }
    });
  }

  static async open(path: string): Promise<Qmp> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once('error', reject);
    });
    const qmp = new Qmp(socket);
    await qmp.next(); // the greeting
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('QMP: no answer in 20 s')), 20_000);
      this.waiting = (message) => { clearTimeout(timer); resolve(message); };
    });
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const answer = this.next();
    this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const message = await answer;
    if ('error' in message) throw new Error(`QMP ${command}: ${JSON.stringify(message.error)}`);
    return message.return as T;
  }

  close(): void { this.socket.destroy(); }
}

export interface GuestOptions {
  name: string;
  deflateOnOom: boolean;
  freePageReporting: boolean;
  /** A virtio-mem device: region size and initially requested size, in MiB. */
  virtioMem?: { regionMiB: number; requestedMiB: number };
}

export class Guest {
  private exited = false;
  exitInfo = '';

  private constructor(readonly options: GuestOptions, readonly dir: string, readonly port: number, readonly child: ChildProcess, readonly qmp: Qmp, readonly bootMs: number) {
    child.once('exit', (code, signal) => { this.exited = true; this.exitInfo = `exit ${code ?? signal}`; });
  }

  get serialLog(): string { try { return readFileSync(join(this.dir, 'serial.log'), 'utf8'); } catch { return ''; } }

  /** Boots a guest and waits until its sshd runs. */
  static async boot(images: Images, options: GuestOptions): Promise<Guest> {
    const started = Date.now();
    const dir = mkdtempSync(join(tmpdir(), `bi-realvm-${options.name}-`));
    const port = await freePort();
    const balloon = ['virtio-balloon-pci', 'id=balloon0', `deflate-on-oom=${options.deflateOnOom ? 'on' : 'off'}`, `free-page-reporting=${options.freePageReporting ? 'on' : 'off'}`].join(',');
    const memory = options.virtioMem
      ? ['-m', `${GUEST_RAM_MIB}M,maxmem=${GUEST_RAM_MIB + options.virtioMem.regionMiB}M,slots=1`,
        '-object', `memory-backend-ram,id=vmem0,size=${options.virtioMem.regionMiB}M`,
        '-device', `virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=${options.virtioMem.requestedMiB}M`]
      : ['-m', `${GUEST_RAM_MIB}M`];
    const qmpPath = join(dir, 'qmp.sock');
    const args = [
      '-accel', 'tcg', '-cpu', 'max', '-smp', '1', ...memory,
      '-nographic', '-nodefaults', '-no-reboot', '-serial', `file:${join(dir, 'serial.log')}`,
      '-kernel', images.vmlinuz, '-initrd', images.initrd,
      // No udev in the initramfs: the kernel onlines the memory virtio-mem adds.
      '-append', 'console=ttyS0 panic=-1 memhp_default_state=online',
      '-device', balloon,
      '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0',
      '-qmp', `unix:${qmpPath},server=on,wait=off`,
    ];
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => { stderr += chunk; });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const log = () => { try { return readFileSync(join(dir, 'serial.log'), 'utf8'); } catch { return ''; } };
    const deadline = Date.now() + 180_000;
    while (!/REALVM-READY/.test(log())) {
      if (exited) throw new Error(`qemu (${options.name}) exited: ${stderr}\n${log().slice(-3000)}`);
      if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`guest ${options.name} did not boot in 180 s:\n${log().slice(-3000)}`); }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!/REALVM-SSHD-STARTED/.test(log())) { child.kill('SIGKILL'); throw new Error(`sshd did not start in guest ${options.name}:\n${log().slice(-3000)}`); }
    const qmp = await Qmp.open(qmpPath);
    return new Guest(options, dir, port, child, qmp, Date.now() - started);
  }

  /** known_hosts line and an SSH config (isolated: no ~/.ssh) for the CLI and for OpenSSH. */
  writeSshConfig(images: Images): { config: string; alias: string } {
    const [type, key] = readFileSync(images.hostKeyPub, 'utf8').trim().split(/\s+/);
    const knownHosts = join(this.dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${this.port} ${type} ${key}\n`);
    const config = join(this.dir, 'ssh_config');
    writeFileSync(config, [`Host ${this.options.name}`, '  HostName 127.0.0.1', `  Port ${this.port}`, '  User root',
      `  IdentityFile ${images.clientKey}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none',
      '  StrictHostKeyChecking yes', '  BatchMode yes', '  LogLevel ERROR', ''].join('\n'));
    return { config, alias: this.options.name };
  }

  /** Sets the balloon target (guest memory after inflation) and waits until QEMU's `actual` reaches it. */
  async setBalloonTarget(targetMiB: number, timeoutMs = 120_000): Promise<number> {
    await this.qmp.execute('balloon', { value: targetMiB * MiB });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { actual } = await this.qmp.execute<{ actual: number }>('query-balloon');
      if (actual === targetMiB * MiB) return actual;
      if (Date.now() > deadline) throw new Error(`balloon of ${this.options.name}: actual ${actual / MiB} MiB, target ${targetMiB} MiB after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      try { await this.qmp.execute('quit'); } catch { /* the socket may close first */ }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.qmp.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/sshd';
import { isRoot, ROOT, which } from '../helpers/system';
import { laneRequirements, type Images } from '../realvm/guest';

/**
 * A real libvirt daemon (libvirtd, system mode, qemu:///system) driving the real-VM lane's guest: Debian's
 * kernel and the busybox initramfs of scripts/realvm-build.sh, as a TCG domain (type 'qemu') with a virtio
 * balloon whose statistics refresh every 2 s, and the guest's sshd on 127.0.0.1 through QEMU's user-mode
 * network. scripts/libvirt-daemon.sh starts and stops the daemon without editing this machine's config.
 */

export const URI = 'qemu:///system';
export const DOMAIN_MIB = 1024;
const SOCKET = '/run/libvirt/libvirt-sock';

/** What the test needs from the machine: [present, what, hint] triples (the real-VM lane's, and libvirt's). */
export function daemonRequirements(): [boolean, string, string][] {
  return [
    ...laneRequirements(),
    [isRoot(), 'root (libvirtd in system mode)', 'run the test as root, as CI does'],
    [which('libvirtd') !== null, 'libvirtd', 'apt-get install libvirt-daemon libvirt-daemon-driver-qemu'],
    [existsSync('/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so') || existsSync('/usr/lib64/libvirt/connection-driver/libvirt_driver_qemu.so'),
      'libvirt\'s QEMU driver', 'apt-get install libvirt-daemon-driver-qemu'],
    [which('virsh') !== null, 'virsh', 'apt-get install libvirt-clients'],
    [which('unshare') !== null, 'unshare', 'apt-get install util-linux'],
    [!existsSync(SOCKET), `a machine without a running libvirtd (${SOCKET} exists)`, 'the test starts its own daemon and leaves a running one alone'],
  ];
}

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs a command (no shell) and resolves with its exit code and output; never rejects. */
export function run(command: string, args: string[], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: options.timeout ?? 60_000, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

export async function virsh(...args: string[]): Promise<string> {
  const result = await run('virsh', ['-c', URI, ...args]);
  if (result.code !== 0) throw new Error(`virsh ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** `virsh dommemstat` as numbers (KiB, last_update in seconds since the epoch). */
export async function dommemstat(domain: string): Promise<Record<string, number>> {
  const out = await virsh('dommemstat', domain);
  return Object.fromEntries(out.trim().split('\n').map((line) => line.trim().split(/\s+/)).filter((f) => f.length === 2).map(([k, v]) => [k, Number(v)]));
}

export class Daemon {
  private constructor(readonly dir: string, readonly log: string) {}

  static start(): Daemon {
    const dir = mkdtempSync(join(tmpdir(), 'bi-libvirtd-'));
    const result = spawnSync('sh', [join(ROOT, 'scripts', 'libvirt-daemon.sh'), 'start', dir], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      spawnSync('sh', [join(ROOT, 'scripts', 'libvirt-daemon.sh'), 'stop', dir]);
      throw new Error(`scripts/libvirt-daemon.sh start exited ${result.status}: ${result.stderr}`);
    }
    return new Daemon(dir, join(dir, 'libvirtd.log'));
  }

  /** Destroys the daemon's domains, stops it, removes its files. */
  stop(): void {
    const result = spawnSync('sh', [join(ROOT, 'scripts', 'libvirt-daemon.sh'), 'stop', this.dir], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`scripts/libvirt-daemon.sh stop exited ${result.status}: ${result.stderr}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The domain XML: the real-VM lane's guest as libvirt runs it. */
export function domainXml(images: Images, name: string, port: number, serialLog: string): string {
  return `<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>${name}</name>
  <memory unit='MiB'>${DOMAIN_MIB}</memory>
  <currentMemory unit='MiB'>${DOMAIN_MIB}</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${images.vmlinuz}</kernel>
    <initrd>${images.initrd}</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='maximum' check='none'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='${serialLog}'/><target port='0'/></serial>
    <memballoon model='virtio'><stats period='2'/></memballoon>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='user,id=bi0,hostfwd=tcp:127.0.0.1:${port}-:22'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='virtio-net-pci,netdev=bi0,bus=pci.0,addr=0x1f'/>
  </qemu:commandline>
</domain>
`;
}

/** A transient domain (`virsh create`: nothing is defined on the daemon; it is gone once destroyed). */
export class Domain {
  private constructor(readonly name: string, readonly dir: string, readonly port: number, readonly bootMs: number) {}

  get serialLog(): string { try { return readFileSync(join(this.dir, 'serial.log'), 'utf8'); } catch { return ''; } }

  /** The QEMU process libvirt started for the domain (its pid file is in /run/libvirt/qemu). */
  get qemuPid(): number | null {
    try { return Number(readFileSync(`/run/libvirt/qemu/${this.name}.pid`, 'utf8').trim()); } catch { return null; }
  }

  static async create(images: Images, name: string): Promise<Domain> {
    const started = Date.now();
    const dir = mkdtempSync(join(tmpdir(), `bi-libvirt-${name}-`));
    const port = await freePort();
    const xml = join(dir, 'domain.xml');
    writeFileSync(xml, domainXml(images, name, port, join(dir, 'serial.log')));
    await virsh('create', xml);
    const domain = new Domain(name, dir, port, 0);
    const deadline = Date.now() + 180_000;
    while (!/REALVM-READY/.test(domain.serialLog)) {
      if (Date.now() > deadline) throw new Error(`domain ${name} did not boot in 180 s:\n${domain.serialLog.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (!/REALVM-SSHD-STARTED/.test(domain.serialLog)) throw new Error(`sshd did not start in ${name}:\n${domain.serialLog.slice(-3000)}`);
    return new Domain(name, dir, port, Date.now() - started);
  }

  /** An isolated SSH config (no ~/.ssh) that reaches the guest's sshd as root with the lane's key. */
  writeSshConfig(images: Images): string {
    const [type, key] = readFileSync(images.hostKeyPub, 'utf8').trim().split(/\s+/);
    const knownHosts = join(this.dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${this.port} ${type} ${key}\n`);
    const config = join(this.dir, 'ssh_config');
    writeFileSync(config, [`Host ${this.name}`, '  HostName 127.0.0.1', `  Port ${this.port}`, '  User root',
      `  IdentityFile ${images.clientKey}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none',
      '  StrictHostKeyChecking yes', '  BatchMode yes', '  LogLevel ERROR', ''].join('\n'));
    return config;
  }

  /** `virsh setmem --live` and waits until the guest has reached the target (dommemstat `actual`). */
  async setMemory(mib: number, timeoutMs = 120_000): Promise<Record<string, number>> {
    await virsh('setmem', this.name, `${mib}M`, '--live');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await dommemstat(this.name);
      if (stats.actual === mib * 1024) return stats;
      if (Date.now() > deadline) throw new Error(`${this.name}: actual ${stats.actual} KiB, target ${mib * 1024} KiB after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Waits for guest statistics newer than `after` (seconds): the period is 2 s. */
  async freshStats(after: number, timeoutMs = 30_000): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await dommemstat(this.name);
      if (stats.last_update > after) return stats;
      if (Date.now() > deadline) throw new Error(`${this.name}: no statistics after ${after} in ${timeoutMs} ms (last_update ${stats.last_update})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  cleanup(): void { rmSync(this.dir, { recursive: true, force: true }); }
}

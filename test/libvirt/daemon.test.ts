import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import test from 'node:test';
import type { DomainView, HostView } from '../../src/core/libvirt/model';
import type { Report } from '../../src/core/report';
import { buildHostNode, LOCAL_HOST_ID, localHostMode } from '../../src/extension/model/host';
import { readHostView } from '../../src/transport/libvirt';
import { cliBundle, requireSystem } from '../helpers/system';
import { buildImages, MiB, type Images } from '../realvm/guest';
import { Daemon, daemonRequirements, Domain, DOMAIN_MIB, run, URI, virsh } from './daemon';

/*
 * Both sides of a real balloon: a real libvirtd (system mode, started by scripts/libvirt-daemon.sh) runs the
 * real-VM lane's guest (Debian's kernel, TCG) with a virtio balloon; `virsh setmem --live` inflates it, and
 * the host view (libvirt's figures) and the guest view (balloon-check over SSH on the guest) must agree.
 *
 * Tolerance: the guest counts its balloon in 4 KiB pages (vmstat balloon_inflate - balloon_deflate) and
 * libvirt reports `actual` (configured - balloon) that the guest's driver writes back after each batch of at
 * most 256 pages. Once `actual` has reached the target the driver has acknowledged every page it holds, so the
 * two agree exactly; 64 KiB (16 pages, a frame in flight) is the slack the real-VM lane also allows.
 */

const TOLERANCE = 64 * 1024;
const missing = daemonRequirements().filter(([present]) => !present);
let images: Images;
let daemon: Daemon | undefined;
let domain: Domain | undefined;
let qemuPid: number | null = null;
const observed: Record<string, unknown> = {};

test.before(async () => {
  if (missing.length) return;
  images = buildImages();
  daemon = Daemon.start();
  domain = await Domain.create(images, 'bi-balloon');
  qemuPid = domain.qemuPid;
  observed.bootMs = domain.bootMs;
});

test.after(() => {
  try { daemon?.stop(); } finally { domain?.cleanup(); }
  if (Object.keys(observed).length) console.log(`libvirt daemon lane: ${JSON.stringify(observed)}`);
  // Nothing left behind: the domain's QEMU and the daemon's socket are gone.
  if (qemuPid) assert.ok(!existsSync(`/proc/${qemuPid}`), `QEMU ${qemuPid} still runs after the daemon stopped`);
  if (daemon) assert.ok(!existsSync('/run/libvirt/libvirt-sock'), 'the daemon\'s socket is still there');
});

function ready(t: { skip: (message: string) => void }): boolean {
  for (const [present, what, hint] of missing) if (!requireSystem(t, what, present, hint)) return false;
  return true;
}

/** The guest view: `balloon-check --ssh GUEST --format json`, the real CLI over real SSH into the domain. */
async function guestView(): Promise<Report> {
  const config = domain!.writeSshConfig(images);
  const result = await run(process.execPath, [cliBundle(), '--ssh-config', config, '--ssh', domain!.name, '--format', 'json', '--probe-timeout', '60'],
    { env: { ...process.env, HOME: domain!.dir }, timeout: 120_000 });
  assert.ok(result.code >= 0 && result.code <= 3, `balloon-check --ssh exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Report;
}

/** The host view: Balloon Inspector's own libvirt reader (virsh -r against the daemon), this domain's entry. */
async function hostView(): Promise<DomainView> {
  return (await hostViewOf()).domain;
}

async function hostViewOf() {
  const view = await readHostView({ connect: URI, timeoutSeconds: 60 });
  assert.equal(view.error, null, `host view: ${JSON.stringify(view.error)}`);
  const mine = view.domains.find((candidate) => candidate.name === domain!.name);
  assert.ok(mine, `domain ${domain!.name} in the host view: ${view.domains.map((d) => d.name).join(', ')}`);
  return { view, domain: mine };
}

/** The same through the CLI: `balloon-check --libvirt --connect qemu:///system --format json`. */
async function cliHostView(): Promise<DomainView> {
  const result = await run(process.execPath, [cliBundle(), '--libvirt', '--connect', URI, '--format', 'json'], { timeout: 120_000 });
  assert.ok(result.code >= 0 && result.code <= 3, `balloon-check --libvirt exited ${result.code}: ${result.stderr}`);
  const view = JSON.parse(result.stdout) as HostView;
  const mine = view.domains.find((candidate) => candidate.name === domain!.name);
  assert.ok(mine, `domain ${domain!.name} in balloon-check --libvirt: ${result.stdout.slice(0, 500)}`);
  return mine;
}

test('the daemon runs the domain as a TCG guest with a virtio balloon and 2 s statistics', async (t) => {
  if (!ready(t)) return;
  const xml = await virsh('dumpxml', domain!.name);
  assert.match(xml, /<domain type='qemu'/);
  assert.match(xml, /<memballoon model='virtio'>\s*<stats period='2'\/>/);
  assert.ok(qemuPid && existsSync(`/proc/${qemuPid}`), 'libvirt started a QEMU process');
  const report = await guestView();
  assert.equal(report.balloon.driver, 'virtio_balloon');
  assert.equal(report.balloon.currentBytes, 0, 'nothing ballooned yet');
  const host = await hostView();
  assert.equal(host.state, 'running');
  assert.equal(host.configuredBytes, DOMAIN_MIB * MiB);
  assert.equal(host.balloon?.model, 'virtio');
  assert.equal(host.balloon?.statsPeriodSeconds, 2);
  assert.equal(host.balloonBytes, 0, 'the host view: nothing ballooned yet');
});

test('virsh setmem 400M --live: host and guest agree on the balloon size', async (t) => {
  if (!ready(t)) return;
  const before = await guestView();
  const set = await domain!.setMemory(400);
  const stats = await domain!.freshStats(set.last_update);
  const hostBalloon = (DOMAIN_MIB * 1024 - stats.actual) * 1024;
  assert.equal(hostBalloon, 624 * MiB);
  const after = await guestView();
  const host = await hostView();
  const cli = await cliHostView();
  Object.assign(observed, { hostViewBalloonBytes: host.balloonBytes, hostViewActualBytes: host.stats?.actualBytes, hostViewUsableBytes: host.stats?.usableBytes,
    hostViewFindings: host.findings.map((finding) => finding.id), cliBalloonBytes: cli.balloonBytes, virshBalloonBytes: hostBalloon, guestBalloonBytes: after.balloon.currentBytes, actualKiB: stats.actual,
    availableKiB: stats.available, usableKiB: stats.usable, guestMemTotalBytes: after.memory.totalBytes });
  assert.ok(Math.abs(after.balloon.currentBytes! - hostBalloon) <= TOLERANCE, `guest ${after.balloon.currentBytes}, host ${hostBalloon}`);
  // Balloon Inspector's host view reads the same balloon as virsh, and agrees with the guest's own view.
  assert.equal(host.balloonBytes, hostBalloon, 'host view = configured - actual');
  assert.equal(host.stats?.actualBytes, 400 * MiB);
  assert.ok(Math.abs(after.balloon.currentBytes! - host.balloonBytes!) <= TOLERANCE, `guest ${after.balloon.currentBytes}, host view ${host.balloonBytes}`);
  assert.ok(host.findings.some((finding) => finding.id === 'domain-ballooned'), `host findings: ${host.findings.map((f) => f.id)}`);
  assert.equal(cli.balloonBytes, hostBalloon, 'balloon-check --libvirt: the same balloon');
  // The stats libvirt reads from the guest's driver: `available` is the guest's MemTotal, which the balloon
  // shrinks (no deflate-on-oom).
  assert.equal(stats.available * 1024, after.memory.totalBytes, 'dommemstat available = guest MemTotal');
  assert.ok(Math.abs(before.memory.totalBytes! - after.memory.totalBytes! - hostBalloon) <= 2 * MiB, 'MemTotal shrank by the balloon');
});

test('VS Code: the running daemon\'s socket makes this machine a KVM host, and its Host node shows the balloon', async (t) => {
  if (!ready(t)) return;
  const mode = localHostMode('', 'linux', existsSync);
  assert.deepEqual(mode, { uri: 'qemu:///system', reason: 'socket', socket: '/run/libvirt/libvirt-sock' });
  const { view } = await hostViewOf();
  const node = buildHostNode({ id: LOCAL_HOST_ID, label: 'Host', source: 'window', uri: mode!.uri, checking: false, view, failure: null, checkedAt: Date.now() });
  const row = node.children.find((child) => child.kind === 'domain' && child.label === domain!.name);
  assert.ok(row, JSON.stringify(node.children.map((child) => child.label)));
  assert.match(row.children[0]!.label, /^balloon 624 MiB \(61%\) · guest has 400 MiB of 1\.0 GiB/);
});

test('virsh setmem back to the configured size: both sides see an empty balloon', async (t) => {
  if (!ready(t)) return;
  const set = await domain!.setMemory(DOMAIN_MIB);
  assert.equal(set.actual, DOMAIN_MIB * 1024);
  const after = await guestView();
  assert.ok(after.balloon.currentBytes! <= TOLERANCE, `guest balloon after deflate: ${after.balloon.currentBytes}`);
  assert.equal((await hostView()).balloonBytes, 0, 'the host view: empty again');
});

/**
 * The host view against libvirt's own test driver (virsh -c test:///ABS/node.xml), a virsh that fails,
 * hangs or prints garbage (a script of ours first on PATH), the CLI's formats, and over SSH.
 * Needs `virsh` (Debian: libvirt-clients): skipped locally without it, a failure in CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { EXIT_CODES } from '../../src/core/report';
import { readHostView } from '../../src/transport/libvirt';
import { SshCredentials } from '../../src/transport/ssh-auth';
import { sshTransport } from '../../src/transport/ssh-factory';
import { requireSshLab, SshLab, TEST_USER, userExists, type Sshd } from '../helpers/sshd';
import { cliBundle, requireCommand, ROOT, which } from '../helpers/system';
import { hostViewSchemaErrors } from './schema';

const NODE = join(ROOT, 'test', 'fixtures', 'libvirt', 'node.xml');
const URI = `test://${NODE}`;
const EVIL = 'evil \'quoted\' "dq" $(touch bi-pwned) `id` ; destroy x';
const scratch = mkdtempSync(join(tmpdir(), 'bi-libvirt-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory whose `virsh` is the given script, to put first on PATH. */
function fakeVirsh(name: string, script: string): string {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'virsh'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

/** Runs readHostView with PATH changed for the spawned shell (the local channel inherits process.env). */
async function withPath<T>(path: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try { return await run(); } finally { process.env.PATH = saved; }
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [cliBundle(), ...args], { encoding: 'utf8', cwd: scratch, env: { ...process.env, ...env }, timeout: 60_000 });
}

test('the test driver node: every domain by UUID, its figures, findings and states; nothing ran from the hostile name', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const view = await readHostView({ connect: URI, timeoutSeconds: 60 });
  assert.equal(view.error, null, JSON.stringify(view.error));
  assert.deepEqual(hostViewSchemaErrors(view), []);
  assert.equal(view.resolvedUri, URI);
  const byName = new Map(view.domains.map((domain) => [domain.name, domain]));
  assert.deepEqual([...byName.keys()].sort(), ['app-no-deflate', 'db-full', EVIL, 'old-shutoff', 'web-ballooned'].sort());
  const web = byName.get('web-ballooned')!;
  assert.equal(web.state, 'running');
  assert.equal(web.balloonBytes, 6 * 2 ** 30);
  assert.equal(web.stats?.source, 'dommemstat', 'the test driver has no domstats balloon figures: dommemstat per domain');
  assert.deepEqual(web.findings.map((finding) => finding.id), ['domain-ballooned']);
  assert.equal(web.status, 'critical');
  const app = byName.get('app-no-deflate')!;
  assert.deepEqual(app.findings.map((finding) => finding.id).sort(), ['domain-ballooned', 'domain-no-deflate-on-oom', 'domain-stats-disabled']);
  assert.deepEqual(byName.get('db-full')!.findings, []);
  assert.equal(byName.get(EVIL)!.configuredBytes, 2 * 2 ** 30);
  const off = byName.get('old-shutoff')!;
  assert.equal(off.state, 'shut-off');
  assert.equal(off.stats, null);
  assert.equal(view.totals.activeDomains, 4);
  assert.equal(view.totals.configuredBytes, 18 * 2 ** 30);
  assert.equal(view.host.totalBytes, 16 * 2 ** 30);
  assert.equal(view.host.source, 'nodeinfo', 'the test driver has no nodememstats; a test:// URI never reads this machine\'s /proc/meminfo');
  assert.equal(view.findings.find((finding) => finding.id === 'host-overcommitted')?.severity, 'info');
  assert.equal(view.status, 'critical');
  assert.equal(view.domains[0].status, 'critical', 'worst first');
  assert.ok(!readdirSync(scratch).includes('bi-pwned') && !existsSync(join(ROOT, 'bi-pwned')), 'the name never reached a shell');
});

test('test:///default: the stock domain', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const view = await readHostView({ connect: 'test:///default' });
  assert.deepEqual(view.domains.map((domain) => domain.name), ['test']);
  assert.equal(view.domains[0].configuredBytes, 8 * 2 ** 30);
  assert.equal(view.domains[0].stats?.actualBytes, 2 * 2 ** 30);
  assert.deepEqual(hostViewSchemaErrors(view), []);
});

test('a URI virsh cannot open, no virsh, a virsh that fails, hangs or prints garbage: a host error, never a crash', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const missing = await readHostView({ connect: `test://${join(scratch, 'no-such-node.xml')}` });
  assert.equal(missing.error?.kind, 'connect');
  assert.match(missing.error!.message, /failed to connect/);
  assert.deepEqual(hostViewSchemaErrors(missing), []);

  const empty = fakeVirsh('empty', 'exit 0');
  const none = await withPath(join(scratch, 'nowhere'), () => readHostView({ connect: 'qemu:///system' }));
  assert.equal(none.error?.kind, 'no-virsh');
  const failing = await withPath(`${fakeVirsh('failing', 'echo "error: failed to connect to the hypervisor" >&2; echo "error: Failed to connect socket to \'/var/run/libvirt/libvirt-sock\': No such file or directory" >&2; exit 1')}:/usr/bin:/bin`, () => readHostView());
  assert.equal(failing.error?.kind, 'connect');
  assert.match(failing.error!.message, /libvirt-sock/);
  assert.equal(failing.uri, 'qemu:///system', 'the default URI');
  const hanging = await withPath(`${fakeVirsh('hanging', 'exec sleep 6007')}:/usr/bin:/bin`, () => readHostView({ timeoutSeconds: 1 }));
  assert.equal(hanging.error?.kind, 'timeout');
  const stuck = await withPath(`${fakeVirsh('stuck', "printf 'virsh # '; exec sleep 6007")}:/usr/bin:/bin`, () => readHostView({ timeoutSeconds: 1 }));
  assert.equal(stuck.error?.kind, 'timeout', 'a prompt and then silence');
  const garbage = await withPath(`${fakeVirsh('garbage', "printf 'virsh # '; head -c 300000 /dev/urandom | tr -d '\\000'; printf 'virsh # '; cat >/dev/null")}:/usr/bin:/bin`, () => readHostView({ timeoutSeconds: 3 }));
  assert.ok(garbage.error !== null || garbage.domains.length === 0, 'garbage gives no domains');
  assert.equal(garbage.status, 'unknown');
  for (const view of [none, failing, hanging, stuck, garbage]) assert.deepEqual(hostViewSchemaErrors(view), []);
  assert.ok(existsSync(empty));
  // Nothing of the fake virsh is left running.
  const left = spawnSync('sh', ['-c', `ps -eo args | grep -c "[s]leep 6007"`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(left, '0', 'the hung virsh was killed with its process group');
});

test('a hostile --connect URI is one quoted word for virsh: a connect error, nothing run', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const view = await readHostView({ connect: `test:///nowhere'; touch ${join(scratch, 'uri-pwned')}; echo '$(touch ${join(scratch, 'uri-pwned2')})` });
  assert.equal(view.error?.kind, 'connect');
  assert.ok(!existsSync(join(scratch, 'uri-pwned')) && !existsSync(join(scratch, 'uri-pwned2')));
});

test('a cancelled read ends at once with a transport error', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const controller = new AbortController();
  controller.abort();
  const view = await readHostView({ connect: URI, signal: controller.signal });
  assert.ok(view.error);
  assert.equal(view.status, 'unknown');
});

test('balloon-check --libvirt: text worst first, JSON valid against host-view.schema.json, Markdown, Prometheus; exit code = worst finding', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const text = cli(['--libvirt', '--connect', URI, '--no-color']);
  assert.equal(text.status, EXIT_CODES.critical, text.stderr);
  const rows = text.stdout.split('\n');
  const header = rows.findIndex((line) => line.startsWith('DOMAIN '));
  assert.match(rows[header + 1], /^web-ballooned .* CRITICAL$/);
  assert.match(rows[header + 5], /^old-shutoff +shut off/);
  assert.match(text.stdout, /\[domain-no-deflate-on-oom\]/);
  const json = cli(['--libvirt', '--connect', URI, '--format', 'json']);
  assert.equal(json.status, EXIT_CODES.critical);
  assert.deepEqual(hostViewSchemaErrors(JSON.parse(json.stdout)), []);
  const markdown = cli(['--libvirt', '--connect', URI, '-f', 'markdown']);
  assert.match(markdown.stdout, /^# KVM host: /);
  assert.ok(markdown.stdout.includes('| evil \'quoted\' "dq" $(touch bi-pwned) \\`id\\` ; destroy x | running |'), 'the name escaped in its cell');
  assert.match(markdown.stdout, /## Background: what the findings mean/);
  const spanish = cli(['--libvirt', '--connect', URI, '--lang', 'es', '--no-color']);
  assert.match(spanish.stdout, /^Host KVM .* — CRÍTICO$/m);
  assert.match(spanish.stdout, /^web-ballooned +en ejecución +8,0 GiB/m);
  assert.match(spanish.stdout, /El balloon retiene buena parte de la memoria de este dominio — balloon de 6,0 GiB \(75 % de los 8,0 GiB configurados\)/);
  const spanishMarkdown = cli(['--libvirt', '--connect', URI, '--lang', 'es', '-f', 'markdown']);
  assert.match(spanishMarkdown.stdout, /^# Host KVM: /);
  assert.match(spanishMarkdown.stdout, /^## Contexto: qué significan los hallazgos$/m, 'the articles, in Spanish');
  assert.match(spanishMarkdown.stdout, /### Un dominio tiene el balloon inflado muy por debajo de su memoria configurada/);
  const spanishJson = JSON.parse(cli(['--libvirt', '--connect', URI, '--lang', 'es', '-f', 'json']).stdout);
  assert.equal(spanishJson.findings[0].title, 'The balloon holds much of this domain\'s memory', 'JSON keeps the contract\'s English words');
  const healthy = cli(['--libvirt', '--connect', 'test:///default', '-f', 'json']);
  assert.equal(healthy.status, EXIT_CODES.critical, 'the stock domain is ballooned 8 GiB → 2 GiB');
  const down = cli(['--libvirt', '--connect', `test://${join(scratch, 'absent.xml')}`]);
  assert.equal(down.status, EXIT_CODES.unknown);
  assert.match(down.stderr, /failed to connect/);
  for (const args of [['--connect', URI], ['--libvirt', '-f', 'nagios'], ['--libvirt', '--root', '/'], ['--libvirt', '--connect', '']]) {
    assert.equal(cli(args).status, EXIT_CODES.unknown, args.join(' '));
  }
});

test('--format prometheus: domain labels escaped with the one escaper, promtool accepts it', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const run = cli(['--libvirt', '--connect', URI, '-f', 'prometheus']);
  assert.match(run.stdout, /^balloon_inspector_kvm_domain_balloon_bytes\{domain="web-ballooned",uuid="11111111-1111-4111-8111-111111111111"\} 6442450944$/m);
  assert.ok(run.stdout.includes('domain="evil \'quoted\' \\"dq\\" $(touch bi-pwned) `id` ; destroy x"'), 'double quotes escaped');
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  const check = spawnSync(promtool, ['check', 'metrics'], { input: run.stdout, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

const sshReady = which('sshd') !== null && process.getuid?.() === 0 && userExists(TEST_USER);
const lab = sshReady ? new SshLab() : null;
let sshd: Sshd | undefined;
test.after(async () => { await lab?.cleanup(); });

test('--ssh host --libvirt: the same host view read over SSH', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients') || !requireSshLab(t)) return;
  sshd ??= await lab!.startSshd();
  const configFile = lab!.write('libvirt.conf', [
    'Host kvmhost', '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`,
    `  UserKnownHostsFile ${lab!.knownHosts('libvirt.known_hosts', [sshd])}`, '  GlobalKnownHostsFile none', '',
  ].join('\n'));
  const environment = { home: lab!.path('home'), localUser: 'root', env: {} };
  const transport = sshTransport('kvmhost', { configFile, environment, credentials: new SshCredentials(), connectTimeoutSeconds: 10 });
  const remote = await readHostView({ connect: URI, transport, timeoutSeconds: 60 });
  const local = await readHostView({ connect: URI, timeoutSeconds: 60 });
  assert.equal(remote.error, null, JSON.stringify(remote.error));
  assert.deepEqual(remote.target, { kind: 'ssh', name: 'kvmhost' });
  assert.deepEqual(hostViewSchemaErrors(remote), []);
  const strip = (view: typeof local) => ({ ...view, target: null, checkedAt: null, domains: view.domains.map((domain) => ({ ...domain, stats: domain.stats && { ...domain.stats, lastUpdateAgeSeconds: null } })) });
  assert.deepEqual(strip(remote), strip(local));
  const run = cli(['--ssh', 'kvmhost', '--ssh-config', configFile, '--batch', '--libvirt', '--connect', URI, '-f', 'json'], { HOME: lab!.path('home') });
  assert.equal(run.status, EXIT_CODES.critical, run.stderr);
  const view = JSON.parse(run.stdout);
  assert.equal(view.target.kind, 'ssh');
  assert.equal(view.domains.length, 5);
  assert.ok(!existsSync(join('/home', TEST_USER, 'bi-pwned')), 'the name never reached the remote shell');
});

test('a domain name in UTF-8 stays whole when virsh\'s output arrives a few bytes at a time', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const virsh = which('virsh')!;
  // Many two- and three-byte characters: a read boundary falls inside one of them for sure.
  const name = `ñandú-café-日本-${'ñ'.repeat(300)}`;
  const node = join(scratch, 'utf8-node.xml');
  writeFileSync(node, `<node><cpu><mhz>2000</mhz><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads><active>2</active></cpu><memory>8388608</memory>`
    + `<domain type='test'><name>${name}</name><uuid>6f2c5e1a-0d3b-4c4e-9f6a-1b2c3d4e5f60</uuid><memory unit='MiB'>2048</memory><currentMemory unit='MiB'>1024</currentMemory>`
    + `<vcpu>1</vcpu><os><type>hvm</type></os><devices><memballoon model='virtio'/></devices></domain></node>\n`);
  // The real virsh, its output passed on 7 bytes at a time with a pause after each write, so each read of
  // ours gets 7 bytes and the name's two- and three-byte characters are cut between reads.
  const rechunk = 'const fs=require("fs");const pause=new Int32Array(new SharedArrayBuffer(4));'
    + 'process.stdin.on("data",(b)=>{for(let i=0;i<b.length;i+=7){fs.writeSync(1,b.subarray(i,i+7));Atomics.wait(pause,0,0,1);}})';
  const trickle = fakeVirsh('trickle', `"${virsh}" "$@" | "${process.execPath}" -e '${rechunk}'`);
  const view = await withPath(`${trickle}:${process.env.PATH}`, () => readHostView({ connect: `test://${node}`, timeoutSeconds: 60 }));
  assert.equal(view.error, null, JSON.stringify(view.error));
  assert.deepEqual(view.domains.map((domain) => domain.name), [name]);
  assert.equal(view.domains[0]!.balloonBytes, 1024 * 2 ** 20);
});

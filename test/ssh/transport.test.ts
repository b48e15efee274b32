import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { checkOne } from '../../src/cli/fleet';
import { analyzeProbeOutput } from '../../src/core/report';
import { LocalTransport } from '../../src/transport/local';
import { SshCredentials, type Prompter } from '../../src/transport/ssh-auth';
import { SshConfig, type SshConfigEnvironment } from '../../src/transport/ssh-config';
import { SshTransport, type SshTransportOptions } from '../../src/transport/ssh';
import { ProbeError, type HostErrorKind } from '../../src/transport/transport';
import { cuttableProxy, freePort, keygen, requireSshLab, silentServer, SshLab, TEST_USER, userExists, type Sshd } from '../helpers/sshd';
import { requireCommand, ROOT, which } from '../helpers/system';

// One lab (temp dir, keys, a healthy sshd) for the file; each test adds what it needs.
const canRun = which('sshd') !== null && process.getuid?.() === 0 && userExists(TEST_USER);
const lab = canRun ? new SshLab() : null;
let healthy: Sshd;
const extra: { stop: () => Promise<void> }[] = [];
test.before(async () => { if (lab) healthy = await lab.startSshd(); });
test.after(async () => {
  await Promise.all(extra.map((item) => item.stop()));
  await lab?.cleanup();
});

const home = () => lab!.path('home');
const environment = (env: NodeJS.ProcessEnv = {}): SshConfigEnvironment => ({ home: home(), localUser: 'root', env });
const TEST_UID = canRun ? execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim() : '';

/** An SSH config for one test: every host on loopback as the test user, known_hosts in the lab. */
function sshConfig(name: string, hosts: Record<string, string[]>, common: string[] = []): string {
  const blocks = Object.entries(hosts).map(([alias, lines]) => [`Host ${alias}`, ...lines.map((line) => `  ${line}`)].join('\n'));
  return lab!.write(`${name}.conf`, [...blocks, 'Host *', '  HostName 127.0.0.1', `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`,
    `  UserKnownHostsFile ${lab!.path(`${name}.known_hosts`)}`, '  GlobalKnownHostsFile none', ...common.map((line) => `  ${line}`), ''].join('\n'));
}

function transport(name: string, hosts: Record<string, string[]>, destination: string, options: Partial<SshTransportOptions> & { env?: NodeJS.ProcessEnv; prompter?: Prompter; common?: string[] } = {}): SshTransport {
  const config = SshConfig.load(sshConfig(name, hosts, options.common), environment(options.env));
  return new SshTransport(destination, { config, credentials: new SshCredentials(options.prompter), probeTimeoutSeconds: 20, connectTimeoutSeconds: 5, ...options });
}

async function rejectsWith(promise: Promise<unknown>, kind: HostErrorKind, pattern?: RegExp): Promise<ProbeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProbeError, `expected a ProbeError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

test('key auth: the probe runs on the guest as the SSH user and the engine reads it', async (t) => {
  if (!requireSshLab(t)) return;
  lab!.knownHosts('key.known_hosts', [healthy]);
  const ssh = transport('key', { guest: [`Port ${healthy.port}`] }, 'guest');
  const output = await ssh.runProbe({});
  assert.match(output, new RegExp(`\\nuid=${TEST_UID}\\n`), 'the probe must have run as the test user, on the far side of sshd');
  const analysis = analyzeProbeOutput(output, ssh.target);
  assert.ok(analysis.ok);
  assert.deepEqual(analysis.report.target, { kind: 'ssh', name: 'guest' });
});

test('--root over SSH: a simulated guest behind a real sshd gives the same findings as locally', async (t) => {
  if (!requireSshLab(t)) return;
  // No stand-in guest: a missing fixture or a probe that fails on it fails this test.
  const root = join(ROOT, 'test/fixtures/guests/vmware-limit-12g-of-32g');
  lab!.knownHosts('root.known_hosts', [healthy]);
  const ssh = transport('root', { guest: [`Port ${healthy.port}`] }, 'guest');
  const remote = analyzeProbeOutput(await ssh.runProbe({ root }), ssh.target);
  const local = analyzeProbeOutput(await new LocalTransport({ root }).runProbe({}), { kind: 'snapshot', name: root });
  assert.ok(remote.ok, remote.ok ? '' : remote.reason);
  assert.ok(local.ok, local.ok ? '' : local.reason);
  assert.deepEqual(remote.report.findings, local.report.findings);
  assert.deepEqual(remote.report.balloon, local.report.balloon);
  assert.equal(remote.report.hypervisor.kind, 'vmware');
  // The fixture's README: 20 GiB ballooned under a 12 GiB limit of 32 GiB.
  assert.equal(remote.report.status, 'critical');
  assert.equal(remote.report.balloon.currentBytes, 20 * 1024 ** 3);
  assert.ok(remote.report.findings.some((finding) => finding.id === 'limit-below-configured'));
});

test('ssh-agent auth: a real agent holds the only accepted key; without the agent the same login fails', async (t) => {
  if (!requireSshLab(t) || !requireCommand(t, 'ssh-agent', 'openssh-client') || !requireCommand(t, 'ssh-add', 'openssh-client')) return;
  const agentKey = keygen(lab!.path('id_agent'));
  const server = await lab!.startSshd({ authorizedKeys: [agentKey.publicLine] });
  lab!.knownHosts('agent.known_hosts', [server]);
  const socket = lab!.path('agent.sock');
  const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  extra.push({ stop: async () => { if (agent.exitCode === null) { agent.kill('SIGTERM'); await new Promise((resolve) => agent.once('exit', resolve)); } } });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  execFileSync('ssh-add', [agentKey.path], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  rmSync(agentKey.path); // only the agent has the private key now

  const hosts = { guest: [`Port ${server.port}`] };
  const output = await transport('agent', hosts, 'guest', { env: { SSH_AUTH_SOCK: socket } }).runProbe({});
  assert.match(output, new RegExp(`\\nuid=${TEST_UID}\\n`));
  const error = await rejectsWith(transport('agent', hosts, 'guest', { env: {} }).runProbe({}), 'auth');
  assert.doesNotMatch(error.message, /ssh-agent \(/);
});

test('encrypted key without a terminal: a clear auth error naming the key and ssh-add; nothing prompts', async (t) => {
  if (!requireSshLab(t)) return;
  const encrypted = keygen(lab!.path('id_encrypted'), { passphrase: 'correct horse' });
  const server = await lab!.startSshd({ authorizedKeys: [encrypted.publicLine] });
  lab!.knownHosts('enc.known_hosts', [server]);
  let asked = 0;
  const noTerminal: Prompter = { available: () => false, ask: async () => { asked++; return 'correct horse'; } };
  const error = await rejectsWith(transport('enc', { guest: [`Port ${server.port}`, `IdentityFile ${encrypted.path}`] }, 'guest', { prompter: noTerminal }).runProbe({}), 'auth');
  assert.ok(error.message.includes(encrypted.path), error.message);
  assert.match(error.message, /passphrase-protected and no terminal can ask/);
  assert.match(error.message, /ssh-add/);
  assert.equal(asked, 0);
});

test('encrypted key on a terminal: the passphrase is asked (again after a wrong one), once per run', async (t) => {
  if (!requireSshLab(t)) return;
  const encrypted = keygen(lab!.path('id_encrypted2'), { passphrase: 'correct horse' });
  const server = await lab!.startSshd({ authorizedKeys: [encrypted.publicLine] });
  lab!.knownHosts('enc2.known_hosts', [server]);
  const questions: string[] = [];
  const answers = ['wrong', 'correct horse'];
  const terminal: Prompter = { available: () => true, ask: async (question, options) => { assert.equal(options.echo, false); questions.push(question); return answers.shift() ?? null; } };
  const config = SshConfig.load(sshConfig('enc2', { guest: [`Port ${server.port}`, `IdentityFile ${encrypted.path}`] }), environment());
  const credentials = new SshCredentials(terminal);
  for (let run = 0; run < 2; run++) {
    const output = await new SshTransport('guest', { config, credentials, connectTimeoutSeconds: 1 }).runProbe({});
    assert.match(output, new RegExp(`\\nuid=${TEST_UID}\\n`));
  }
  assert.equal(questions.length, 2, 'a wrong passphrase is asked again; the second run reuses the key in memory');
  assert.ok(questions.every((question) => question.includes(encrypted.path)));
});

test('a prompt does not count against the connect timeout', async (t) => {
  if (!requireSshLab(t)) return;
  const encrypted = keygen(lab!.path('id_encrypted3'), { passphrase: 'slow typist' });
  const server = await lab!.startSshd({ authorizedKeys: [encrypted.publicLine] });
  lab!.knownHosts('enc3.known_hosts', [server]);
  const slow: Prompter = { available: () => true, ask: () => new Promise((resolve) => setTimeout(() => resolve('slow typist'), 1500)) };
  const ssh = transport('enc3', { guest: [`Port ${server.port}`, `IdentityFile ${encrypted.path}`] }, 'guest', { prompter: slow, connectTimeoutSeconds: 1 });
  assert.match(await ssh.runProbe({}), /BALLOON-INSPECTOR-PROBE 1/);
});

test('wrong key: auth error that says what was tried', async (t) => {
  if (!requireSshLab(t)) return;
  const stranger = keygen(lab!.path('id_stranger'));
  lab!.knownHosts('wrong.known_hosts', [healthy]);
  const config = lab!.write('wrong.conf', [`Host guest`, '  HostName 127.0.0.1', `  Port ${healthy.port}`, `  User ${TEST_USER}`, `  IdentityFile ${stranger.path}`,
    `  UserKnownHostsFile ${lab!.path('wrong.known_hosts')}`, ''].join('\n'));
  const ssh = new SshTransport('guest', { config: SshConfig.load(config, environment()) });
  const error = await rejectsWith(ssh.runProbe({}), 'auth', new RegExp(`authentication as ${TEST_USER} failed \\(the server accepts: publickey\\)`));
  assert.ok(error.message.includes(`tried ${stranger.path}`), error.message);
});

test('unknown host: refused with how to accept it; known_hosts untouched', async (t) => {
  if (!requireSshLab(t)) return;
  const knownHosts = lab!.write('unknown.known_hosts', '');
  const error = await rejectsWith(transport('unknown', { guest: [`Port ${healthy.port}`] }, 'guest').runProbe({}), 'host-key-unknown');
  assert.match(error.message, /--accept-new/);
  assert.ok(error.message.includes(`ssh-keyscan -p ${healthy.port} '127.0.0.1' >> '${knownHosts}'`), error.message);
  assert.match(error.message, /SHA256:/);
  assert.equal(readFileSync(knownHosts, 'utf8'), '');
});

test('--accept-new: the key is added (plain or hashed, as HashKnownHosts says), the next run is verified against it', async (t) => {
  if (!requireSshLab(t)) return;
  for (const hashed of [false, true]) {
    const name = hashed ? 'accept-hashed' : 'accept';
    const knownHosts = lab!.path(`${name}.known_hosts`);
    rmSync(knownHosts, { force: true });
    const hosts = { guest: [`Port ${healthy.port}`, `HashKnownHosts ${hashed ? 'yes' : 'no'}`] };
    await transport(name, hosts, 'guest', { acceptNew: true }).runProbe({});
    const text = readFileSync(knownHosts, 'utf8');
    const [type, key] = healthy.hostKey.publicLine.split(' ');
    if (hashed) assert.match(text, new RegExp(`^\\|1\\|[^ ]+ ${type} ${key!.replace(/[+/]/g, '\\$&')}\\n$`));
    else assert.equal(text, `[127.0.0.1]:${healthy.port} ${type} ${key}\n`);
    // OpenSSH itself accepts what we wrote.
    execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${healthy.port}`, '-f', knownHosts], { stdio: 'ignore' });
    await transport(name, hosts, 'guest').runProbe({});
    assert.equal(readFileSync(knownHosts, 'utf8'), text, 'a known host is not added twice');
  }
});

test('hashed entries written by ssh-keygen -H are honoured', async (t) => {
  if (!requireSshLab(t)) return;
  const knownHosts = lab!.knownHosts('hashed.known_hosts', [healthy]);
  execFileSync('ssh-keygen', ['-H', '-f', knownHosts], { stdio: 'ignore' });
  assert.match(readFileSync(knownHosts, 'utf8'), /^\|1\|/);
  await transport('hashed', { guest: [`Port ${healthy.port}`] }, 'guest').runProbe({});
});

test('changed host key: refused loudly, even with --accept-new; known_hosts untouched', async (t) => {
  if (!requireSshLab(t)) return;
  const otherKey = keygen(lab!.path('host_other'));
  const [type, key] = otherKey.publicLine.split(' ');
  const knownHosts = lab!.write('changed.known_hosts', `[127.0.0.1]:${healthy.port} ${type} ${key}\n`);
  for (const acceptNew of [false, true]) {
    const error = await rejectsWith(transport('changed', { guest: [`Port ${healthy.port}`] }, 'guest', { acceptNew }).runProbe({}), 'host-key-changed');
    assert.match(error.message, /HOST KEY HAS CHANGED/);
    assert.match(error.message, /man-in-the-middle/);
    assert.ok(error.message.includes(`${knownHosts}:1`));
  }
  assert.equal(readFileSync(knownHosts, 'utf8'), `[127.0.0.1]:${healthy.port} ${type} ${key}\n`);
});

test('connection refused', async (t) => {
  if (!requireSshLab(t)) return;
  const port = await freePort();
  await rejectsWith(transport('refused', { guest: [`Port ${port}`] }, 'guest').runProbe({}), 'refused', /connection refused/);
});

test('a server that accepts TCP and never speaks: timeout at the connect timeout', async (t) => {
  if (!requireSshLab(t)) return;
  const silent = await silentServer();
  extra.push({ stop: silent.close });
  const started = Date.now();
  await rejectsWith(transport('silent', { guest: [`Port ${silent.port}`, 'ConnectTimeout 1'] }, 'guest', { connectTimeoutSeconds: undefined }).runProbe({}), 'timeout', /did not complete the SSH handshake within 1 s/);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 900 && elapsed < 5000, `took ${elapsed} ms`);
});

test('connection killed mid-probe: dropped, with how far it got', async (t) => {
  if (!requireSshLab(t)) return;
  const proxy = await cuttableProxy(healthy.port);
  extra.push({ stop: proxy.close });
  const markers = lab!.path('markers');
  mkdirSync(markers, { recursive: true });
  chmodSync(markers, 0o777);
  const started = join(markers, 'tool-started');
  // A guest whose VMware tool hangs: the probe is mid-way when the connection dies.
  lab!.write('hanging-guest/usr/bin/vmware-toolbox-cmd', `#!/bin/sh\ntouch ${started}\nsleep 4\n`, 0o755);
  lab!.write('hanging-guest/proc/meminfo', 'MemTotal: 4046848 kB\n');
  writeFileSync(lab!.path('dropped.known_hosts'), `[127.0.0.1]:${proxy.port} ${healthy.hostKey.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
  const ssh = transport('dropped', { guest: [`Port ${proxy.port}`] }, 'guest');
  const watcher = setInterval(() => { if (existsSync(started)) { clearInterval(watcher); proxy.cut(); } }, 20);
  try {
    // The snapshot's own (hanging) tool runs only on opt-in, as --run-snapshot-tools.
    await rejectsWith(ssh.runProbe({ root: lab!.path('hanging-guest'), toolTimeoutSeconds: 4, runSnapshotTools: true }), 'dropped', /connection (closed|failed) while the probe ran.*after \d+ bytes/);
  } finally {
    clearInterval(watcher);
  }
});

test('a guest printing megabytes: bad-output, the client stops reading', async (t) => {
  if (!requireSshLab(t)) return;
  const server = await lab!.startSshd({ extraConfig: ['ForceCommand head -c 20000000 /dev/zero'] });
  lab!.knownHosts('huge.known_hosts', [server]);
  await rejectsWith(transport('huge', { guest: [`Port ${server.port}`] }, 'guest').runProbe({}), 'bad-output', /more than 8388608 bytes/);
});

test('a guest answering something else than the probe: bad-output for that host, with the reason', async (t) => {
  if (!requireSshLab(t)) return;
  const server = await lab!.startSshd({ extraConfig: ['ForceCommand echo "This account is currently not available."'] });
  lab!.knownHosts('other.known_hosts', [server]);
  const result = await checkOne(transport('other', { guest: [`Port ${server.port}`] }, 'guest'), {});
  assert.ok('hostError' in result);
  assert.equal(result.hostError.error.kind, 'bad-output');
  assert.match(result.hostError.error.message, /no probe header/);
});

test('sudo -n denied: debugfs is root-only, the user has no sudo rights → denied, nothing hangs', async (t) => {
  if (!requireSshLab(t)) return;
  // unshare -m gives sshd a root-only debugfs (mode 700, as on real guests) without touching the machine's.
  if (!requireCommand(t, 'unshare', 'util-linux') || !requireCommand(t, 'sudo', 'sudo')) return;
  const server = await lab!.startSshd({ rootOnlyDebugfs: true });
  lab!.knownHosts('sudo.known_hosts', [server]);
  const ssh = transport('sudo', { guest: [`Port ${server.port}`] }, 'guest', { probeTimeoutSeconds: 15 });
  const started = Date.now();
  const withSudo = analyzeProbeOutput(await ssh.runProbe({ sudo: true }), ssh.target);
  assert.ok(Date.now() - started < 10_000, 'sudo must never wait for a password');
  const without = analyzeProbeOutput(await ssh.runProbe({}), ssh.target);
  assert.ok(withSudo.ok && without.ok);
  const probe = (analysis: typeof withSudo, id: string) => analysis.ok ? analysis.report.probes.find((item) => item.id === id) : undefined;
  assert.equal(probe(withSudo, 'debugfs-vmmemctl')?.status, 'denied');
  assert.match(probe(withSudo, 'debugfs-vmmemctl')?.detail ?? '', /sudo -n refused: .*password/);
  assert.equal(probe(without, 'debugfs-vmmemctl')?.status, 'denied');
  assert.match(probe(without, 'debugfs-vmmemctl')?.detail ?? '', /root only/);
});

test('ProxyJump: through a second sshd; it fails on the jump host when that one is down', async (t) => {
  if (!requireSshLab(t)) return;
  const target = await lab!.startSshd();
  const jump = await lab!.startSshd({ extraConfig: [`PermitOpen 127.0.0.1:${target.port}`] });
  lab!.knownHosts('jump.known_hosts', [target, jump]);
  const hosts = { bastion: [`Port ${jump.port}`], inner: [`Port ${target.port}`, 'ProxyJump bastion'], forbidden: [`Port ${healthy.port}`, 'ProxyJump bastion'] };
  assert.match(await transport('jump', hosts, 'inner').runProbe({}), new RegExp(`\\nuid=${TEST_UID}\\n`));
  assert.match(jump.log, /Accepted publickey for bi-test/, 'the jump host saw a login');
  await rejectsWith(transport('jump', hosts, 'forbidden').runProbe({}), 'refused', /jump host .* could not reach 127\.0\.0\.1/);
  await jump.stop();
  await rejectsWith(transport('jump', hosts, 'inner').runProbe({}), 'refused', /jump host/);
});

test('config Include (relative to ~/.ssh, glob) and wildcards reach real hosts', async (t) => {
  if (!requireSshLab(t)) return;
  const second = await lab!.startSshd();
  lab!.write('home/.ssh/conf.d/a.conf', `Host guest-a\n  Port ${healthy.port}\n`);
  lab!.write('home/.ssh/conf.d/b.conf', `Host guest-b\n  Port ${second.port}\n`);
  const knownHosts = lab!.knownHosts('include.known_hosts', [healthy, second]);
  const main = lab!.write('include.conf', [
    'Include conf.d/*.conf',
    'Host guest-*',
    '  HostName 127.0.0.1',
    `  User ${TEST_USER}`,
    `  IdentityFile ${lab!.userKey.path}`,
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile none',
    '',
  ].join('\n'));
  const config = SshConfig.load(main, environment());
  assert.deepEqual(config.concreteHosts(), ['guest-a', 'guest-b']);
  for (const name of ['guest-a', 'guest-b']) {
    assert.match(await new SshTransport(name, { config }).runProbe({}), /BALLOON-INSPECTOR-PROBE 1/);
  }
});

test('the probe timeout, or cancelling, ends a probe that never finishes', async (t) => {
  if (!requireSshLab(t)) return;
  const server = await lab!.startSshd({ extraConfig: ['ForceCommand sleep 3'] });
  lab!.knownHosts('slow.known_hosts', [server]);
  const started = Date.now();
  await rejectsWith(transport('slow', { guest: [`Port ${server.port}`] }, 'guest', { probeTimeoutSeconds: 1 }).runProbe({}), 'timeout', /probe did not finish within 1 s/);
  assert.ok(Date.now() - started < 5000);
  // Ctrl-C (the CLI's abort signal) ends a running probe at once.
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const cancelledAt = Date.now();
  await rejectsWith(transport('slow', { guest: [`Port ${server.port}`] }, 'guest').runProbe({}, controller.signal), 'other', /cancelled/);
  assert.ok(Date.now() - cancelledAt < 2500);
});

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { parseDestination, patternListMatches, SshConfig, type SshConfigEnvironment } from '../../src/transport/ssh-config';
import { appendKnownHost, checkHostKey, entryMatches, hostKeyAlgorithms, knownHostEntries, knownHostsName, readKnownHosts } from '../../src/transport/ssh-known-hosts';
import { connectionChain } from '../../src/transport/ssh';
import { ProbeError } from '../../src/transport/transport';

const home = mkdtempSync(join(tmpdir(), 'bi-sshcfg-'));
test.after(() => rmSync(home, { recursive: true, force: true }));
const env: SshConfigEnvironment = { home, localUser: 'alice', env: { SSH_AUTH_SOCK: '/run/agent.sock' } };

/** A key blob as known_hosts carries it: string type, then the key bytes. */
function blob(type: string, fill: number): Buffer {
  const name = Buffer.from(type);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(name.length);
  const body = Buffer.alloc(36, fill);
  return Buffer.concat([head, name, body]);
}

test('destinations: user, port, IPv6 brackets and ssh:// URLs; junk is a config error', () => {
  assert.deepEqual(parseDestination('web1'), { user: undefined, host: 'web1', port: undefined });
  assert.deepEqual(parseDestination('root@10.0.0.5:2222'), { user: 'root', host: '10.0.0.5', port: 2222 });
  assert.deepEqual(parseDestination('ssh://ops@[::1]:22'), { user: 'ops', host: '::1', port: 22 });
  assert.deepEqual(parseDestination('fe80::1'), { user: undefined, host: 'fe80::1', port: undefined });
  for (const bad of ['', '@host', 'host:0', 'host:70000', '-oProxyCommand=x', 'a b']) {
    assert.throws(() => parseDestination(bad), (error: unknown) => error instanceof ProbeError && error.kind === 'config', bad);
  }
});

test('Host patterns: wildcards, ? is one character, negation wins', () => {
  assert.ok(patternListMatches(['web-*'], 'web-12'));
  assert.ok(patternListMatches(['db?'], 'db1'));
  assert.ok(!patternListMatches(['db?'], 'db'));
  assert.ok(!patternListMatches(['db?'], 'db12'));
  assert.ok(!patternListMatches(['*', '!bastion'], 'bastion'));
  assert.ok(patternListMatches(['*', '!bastion'], 'web'));
  assert.ok(patternListMatches(['WEB.example.com'], 'web.example.com'));
});

test('resolve: first value wins, IdentityFile accumulates, tokens and ~ expand, command-line user and port win', () => {
  const config = SshConfig.fromText([
    'Host web-* !web-legacy',
    '  HostName %h.internal',
    '  User deploy',
    '  IdentityFile ~/.ssh/id_%r_%h',
    'Host web-1',
    '  Port 2201',
    '  User ignored-because-first-wins',
    'Host *',
    '  Port 22',
    '  IdentityFile %d/.ssh/common',
    '  UserKnownHostsFile ~/kh1 /etc/kh2',
    '  ConnectTimeout 4',
    '  StrictHostKeyChecking accept-new',
    '  HashKnownHosts yes',
    '  IdentitiesOnly yes',
  ].join('\n'), env);
  const web1 = config.resolve('web-1');
  assert.equal(web1.hostName, 'web-1.internal');
  assert.equal(web1.user, 'deploy');
  assert.equal(web1.port, 2201);
  assert.deepEqual(web1.identityFiles, [join(home, '.ssh/id_deploy_web-1.internal'), join(home, '.ssh/common')]);
  assert.deepEqual(web1.userKnownHostsFiles, [join(home, 'kh1'), '/etc/kh2']);
  assert.equal(web1.connectTimeoutSeconds, 4);
  assert.equal(web1.strictHostKeyChecking, 'accept-new');
  assert.equal(web1.hashKnownHosts, true);
  assert.equal(web1.identitiesOnly, true);
  assert.equal(web1.agentSocket, '/run/agent.sock');

  const legacy = config.resolve('web-legacy');
  assert.equal(legacy.hostName, 'web-legacy');
  assert.equal(legacy.user, 'alice');
  assert.equal(legacy.port, 22);

  const explicit = config.resolve('root@web-1:2999');
  assert.equal(explicit.user, 'root');
  assert.equal(explicit.port, 2999);
});

test('defaults without a config: OpenSSH identity files, known_hosts files, port 22, strict checking', () => {
  const config = SshConfig.load(undefined, { ...env, home: join(home, 'nobody') });
  const host = config.resolve('server');
  assert.equal(host.port, 22);
  assert.equal(host.user, 'alice');
  assert.ok(host.identityFiles.includes(join(home, 'nobody/.ssh/id_ed25519')));
  assert.deepEqual(host.userKnownHostsFiles, [join(home, 'nobody/.ssh/known_hosts'), join(home, 'nobody/.ssh/known_hosts2')]);
  assert.equal(host.strictHostKeyChecking, 'ask');
  assert.deepEqual(host.proxyJump, []);
});

test('Include: relative to ~/.ssh, globs in order, inside a Host block only for that host; --all-ssh-hosts names', () => {
  mkdirSync(join(home, '.ssh/conf.d'), { recursive: true });
  writeFileSync(join(home, '.ssh/conf.d/10-a.conf'), 'Host guest-a\n  Port 2001\n');
  writeFileSync(join(home, '.ssh/conf.d/20-b.conf'), 'Host guest-b\n  Port 2002\nHost guest-c\n  Port 2003\n');
  writeFileSync(join(home, '.ssh/web-only.conf'), 'User web-user\n');
  const main = join(home, 'main.conf');
  writeFileSync(main, [
    'Include conf.d/*.conf',
    'Host web',
    '  Include web-only.conf',
    'Host guest-* db?',
    '  HostName 127.0.0.1',
    '  User guest-user',
    'Host *',
    '  User everyone',
  ].join('\n'));
  const config = SshConfig.load(main, env);
  assert.deepEqual(config.concreteHosts(), ['guest-a', 'guest-b', 'guest-c', 'web']);
  assert.equal(config.resolve('guest-b').port, 2002);
  assert.equal(config.resolve('guest-b').user, 'guest-user');
  assert.equal(config.resolve('web').user, 'web-user');
  assert.equal(config.resolve('other').user, 'everyone');
  assert.throws(() => SshConfig.load(join(home, 'missing.conf'), env), (error: unknown) => error instanceof ProbeError && error.kind === 'config');
});

test('Match host / originalhost / user apply; Match exec never runs', () => {
  const marker = join(home, 'exec-ran');
  const config = SshConfig.fromText([
    'Host short',
    '  HostName short.example.net',
    `Match exec "touch ${marker}"`,
    '  Port 9999',
    'Match host *.example.net user alice',
    '  Port 2222',
    'Match originalhost short',
    '  IdentityFile /keys/short',
  ].join('\n'), env);
  const host = config.resolve('short');
  assert.equal(host.port, 2222);
  assert.ok(host.identityFiles.includes('/keys/short'));
  assert.throws(() => readFileSync(marker));
});

test('ProxyJump: lists and recursion expand into a chain; loops are config errors', () => {
  const config = SshConfig.fromText([
    'Host bastion', '  HostName 10.0.0.1', '  ProxyJump outer',
    'Host outer', '  HostName 192.0.2.1',
    'Host inner', '  ProxyJump bastion',
    'Host two', '  ProxyJump outer,ops@mid:2200',
    'Host loop-a', '  ProxyJump loop-b',
    'Host loop-b', '  ProxyJump loop-a',
    'Host none', '  ProxyJump none',
  ].join('\n'), env);
  assert.deepEqual(connectionChain(config, 'inner').map((host) => host.alias), ['outer', 'bastion', 'inner']);
  const two = connectionChain(config, 'two');
  assert.deepEqual(two.map((host) => `${host.user}@${host.alias}:${host.port}`), ['alice@outer:22', 'ops@mid:2200', 'alice@two:22']);
  assert.deepEqual(connectionChain(config, 'none').length, 1);
  assert.throws(() => connectionChain(config, 'loop-a'), /ProxyJump loop/);
});

test('known_hosts: plain, [host]:port, wildcard, negated and hashed entries match as OpenSSH does', () => {
  assert.equal(knownHostsName('h', 22), 'h');
  assert.equal(knownHostsName('127.0.0.1', 2200), '[127.0.0.1]:2200');
  assert.ok(entryMatches('web1,10.0.0.1', ['web1']));
  assert.ok(entryMatches('[127.0.0.1]:2200', ['[127.0.0.1]:2200']));
  assert.ok(!entryMatches('[127.0.0.1]:2200', ['127.0.0.1']));
  assert.ok(entryMatches('*.example.com,!bad.example.com', ['good.example.com']));
  assert.ok(!entryMatches('*.example.com,!bad.example.com', ['bad.example.com']));
  const salt = Buffer.alloc(20, 7);
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[127.0.0.1]:2200').digest('base64')}`;
  assert.ok(entryMatches(hashed, ['[127.0.0.1]:2200']));
  assert.ok(!entryMatches(hashed, ['[127.0.0.1]:2201']));
  assert.ok(!entryMatches('|1|garbage', ['x']));
});

test('known_hosts verdicts: known, changed (same type, other key), unknown with other types, revoked; garbage lines ignored', () => {
  const file = join(home, 'known_hosts_verdicts');
  const ed = blob('ssh-ed25519', 1);
  const edOther = blob('ssh-ed25519', 2);
  const rsa = blob('ssh-rsa', 3);
  writeFileSync(file, [
    '# comment',
    'not a valid line',
    `host-a ssh-ed25519 ${ed.toString('base64')}`,
    `host-b ssh-rsa ${rsa.toString('base64')}`,
    `@revoked * ssh-ed25519 ${edOther.toString('base64')}`,
    `@cert-authority *.example ssh-rsa ${rsa.toString('base64')}`,
    `host-c ssh-ed25519 ${Buffer.from('junk').toString('base64')}`,
  ].join('\n'));
  const entries = readKnownHosts([file, join(home, 'does-not-exist')]);
  assert.equal(knownHostEntries(entries).length, 4);
  assert.equal(checkHostKey(entries, ['host-a'], ed).status, 'known');
  const changed = checkHostKey(entries, ['host-a'], blob('ssh-ed25519', 9));
  assert.equal(changed.status, 'changed');
  assert.equal(changed.status === 'changed' && changed.entry.line, 3);
  const unknownType = checkHostKey(entries, ['host-b'], ed);
  assert.deepEqual(unknownType, { status: 'unknown', otherTypes: ['ssh-rsa'] });
  assert.deepEqual(checkHostKey(entries, ['host-new'], ed), { status: 'unknown', otherTypes: [] });
  assert.equal(checkHostKey(entries, ['anything'], edOther).status, 'revoked');
  assert.deepEqual(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
});

test('appendKnownHost: plain and hashed lines that read back as known', () => {
  const file = join(home, 'sub/dir/known_hosts');
  const key = blob('ssh-ed25519', 4);
  appendKnownHost(file, '[127.0.0.1]:2222', key, false);
  appendKnownHost(file, '[127.0.0.1]:2223', key, true);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^\[127\.0\.0\.1\]:2222 ssh-ed25519 /);
  assert.match(lines[1]!, /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
  const entries = readKnownHosts([file]);
  assert.equal(checkHostKey(entries, ['[127.0.0.1]:2222'], key).status, 'known');
  assert.equal(checkHostKey(entries, ['[127.0.0.1]:2223'], key).status, 'known');
  assert.ok(!lines[1]!.includes('2223'));
});

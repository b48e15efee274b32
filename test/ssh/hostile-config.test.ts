// Hostile and huge SSH configs and known_hosts files (issue 9, items 6, 8, 12, 14, 15): real files,
// real FIFOs, /dev/zero, a real shell for the suggested commands and a real sshd where a connection is needed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { SshCredentials } from '../../src/transport/ssh-auth';
import { MAX_CONFIG_FILE_BYTES, patternMatches, SshConfig, wildcardMatch, type SshConfigEnvironment } from '../../src/transport/ssh-config';
import { checkHostKey, knownHostEntries, MAX_KNOWN_HOSTS_BYTES, readKnownHosts } from '../../src/transport/ssh-known-hosts';
import { keyscanCommand, removeHostKeyCommand, SshTransport } from '../../src/transport/ssh';
import { ProbeError } from '../../src/transport/transport';
import { keygen, requireSshLab, SshLab, TEST_USER, userExists, type Sshd } from '../helpers/sshd';
import { cliBundle, ROOT, which } from '../helpers/system';

const dir = mkdtempSync(join(tmpdir(), 'bi-hostile-ssh-'));
const canRun = which('sshd') !== null && process.getuid?.() === 0 && userExists(TEST_USER);
const lab = canRun ? new SshLab() : null;
let server: Sshd;
test.before(async () => { if (lab) server = await lab.startSshd(); });
test.after(async () => {
  await lab?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const env: SshConfigEnvironment = { home: dir, localUser: 'alice', env: {} };
const file = (name: string, text: string) => { const path = join(dir, name); writeFileSync(path, text); return path; };
function fifo(name: string): string {
  const path = join(dir, name);
  rmSync(path, { force: true });
  execFileSync('mkfifo', [path]);
  return path;
}

interface ChildResult { ok?: unknown; error?: { kind?: string; message: string }; maxRssKiB: number; timedOut: boolean }

/**
 * Runs `body` (JavaScript with `SshConfig`, `readKnownHosts` and `env` in scope, returning a JSON
 * value) in a child node: a blocking open or an endless read then fails the test instead of hanging it.
 */
function inChild(body: string, timeoutMs = 20_000): ChildResult {
  const script = `
    const { SshConfig } = require('./src/transport/ssh-config.ts');
    const { knownHostEntries, readKnownHosts } = require('./src/transport/ssh-known-hosts.ts');
    const env = ${JSON.stringify(env)};
    let out;
    try { out = { ok: (() => { ${body} })() }; } catch (error) { out = { error: { kind: error.kind, message: error.message } }; }
    out.maxRssKiB = process.resourceUsage().maxRSS;
    process.stdout.write(JSON.stringify(out));`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=1024', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  if (result.signal || result.status !== 0) return { maxRssKiB: 0, timedOut: result.signal === 'SIGKILL', error: { message: `child ended with ${result.signal ?? result.status}: ${result.stderr.slice(0, 500)}` } };
  return { ...JSON.parse(result.stdout), timedOut: false };
}

function configError(result: ChildResult, pattern: RegExp): string {
  assert.equal(result.timedOut, false, 'reading the config must not hang');
  assert.equal(result.error?.kind, 'config', JSON.stringify(result).slice(0, 600));
  assert.match(result.error!.message, pattern);
  return result.error!.message;
}

// ---- item 8: a hostile SSH config exhausts memory ----

test('Include /dev/zero: a config error naming the file, at once and in little memory (it used to read until the memory ran out)', () => {
  const config = file('include-zero.conf', 'Include /dev/zero\nHost web\n  Port 2222\n');
  const result = inChild(`return SshConfig.load(${JSON.stringify(config)}, env).concreteHosts();`);
  configError(result, /"\/dev\/zero".*character device, not a regular file/);
  assert.ok(result.maxRssKiB < 300 * 1024, `peak RSS ${result.maxRssKiB} KiB`);
});

test('a FIFO as the config, or included, is refused without being opened (opening it would block forever)', () => {
  const pipe = fifo('config.fifo');
  configError(inChild(`return SshConfig.load(${JSON.stringify(pipe)}, env).concreteHosts();`), /config\.fifo.*a FIFO, not a regular file/);
  const including = file('include-fifo.conf', `Host web\n  Port 2222\nInclude ${pipe}\n`);
  configError(inChild(`return SshConfig.load(${JSON.stringify(including)}, env).concreteHosts();`), /config\.fifo.*a FIFO/);
  // A glob skips what is not a regular file, as before.
  mkdirSync(join(dir, '.ssh/globbed'), { recursive: true });
  writeFileSync(join(dir, '.ssh/globbed/a.conf'), 'Host globbed-a\n  Port 1\n');
  execFileSync('mkfifo', [join(dir, '.ssh/globbed/b.conf')]);
  const globbing = file('include-glob.conf', 'Include globbed/*.conf\n');
  assert.deepEqual(inChild(`return SshConfig.load(${JSON.stringify(globbing)}, env).concreteHosts();`).ok, ['globbed-a']);
});

test('a 10 MB HostName: refused by the file cap; a 3 MB one by the value cap; messages stay short', () => {
  const huge = file('huge-hostname.conf', `Host big\n  HostName ${'a'.repeat(10 * 1024 * 1024)}\n  Port 1\n`);
  const message = configError(inChild(`return SshConfig.load(${JSON.stringify(huge)}, env).resolve('big');`), new RegExp(`an SSH config file is limited to ${MAX_CONFIG_FILE_BYTES} bytes`));
  assert.ok(message.length < 400, `${message.length} characters`);
  const long = file('long-hostname.conf', `Host big\n  HostName ${'a'.repeat(3 * 1024 * 1024)}\n  Port 1\n`);
  const result = inChild(`return SshConfig.load(${JSON.stringify(long)}, env).resolve('big');`);
  const valueMessage = configError(result, /"HostName" value "a{200}"… \(3145728 characters\) is longer than 8192 characters/);
  assert.ok(valueMessage.length < 400, `${valueMessage.length} characters`);
  assert.ok(result.maxRssKiB < 300 * 1024, `peak RSS ${result.maxRssKiB} KiB`);
  // Under the value cap but past any resolver: refused when resolved, quoted short.
  const config = SshConfig.fromText(`Host big\n  HostName ${'b'.repeat(5000)}\n`, env);
  assert.throws(() => config.resolve('big'), (error: unknown) => error instanceof ProbeError && error.kind === 'config' && /HostName "b{200}"… \(5000 characters\) is longer than 1025/.test(error.message) && error.message.length < 400);
});

test('ConnectTimeout past the longest Node.js timer is a config error, not a timeout that fires at once', () => {
  const config = SshConfig.fromText('Host slow\n  HostName 192.0.2.1\n  ConnectTimeout 3000000\n', env);
  assert.throws(() => config.resolve('slow'), (error: unknown) => error instanceof ProbeError && error.kind === 'config' && /ConnectTimeout "?3000000"? is too long: at most 2147483 seconds/.test(error.message));
  assert.equal(SshConfig.fromText('Host ok\n  HostName 192.0.2.1\n  ConnectTimeout 2147483\n', env).resolve('ok').connectTimeoutSeconds, 2147483);
});

test('a 10 MB HostName through the CLI: exit 3 with a short config error (it was a 20 MB message)', () => {
  const huge = file('huge-hostname-cli.conf', `Host big\n  HostName ${'a'.repeat(10 * 1024 * 1024)}\n  Port 1\n`);
  const result = spawnSync(process.execPath, [cliBundle(), '--ssh-config', huge, '--ssh', 'big', '--batch', '--format', 'json'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 3, result.stderr.slice(0, 300));
  assert.ok(result.stdout.length + result.stderr.length < 2000, `${result.stdout.length + result.stderr.length} bytes of output`);
  assert.match(result.stdout + result.stderr, /limited to \d+ bytes/);
});

test('Includes together past the total cap are refused; a config at the cap still loads', () => {
  mkdirSync(join(dir, '.ssh/many'), { recursive: true });
  const chunk = `# ${'x'.repeat(1022)}\n`.repeat(Math.floor((MAX_CONFIG_FILE_BYTES - 1024) / 1025));
  for (let index = 0; index < 5; index++) writeFileSync(join(dir, `.ssh/many/${index}.conf`), `Host many-${index}\n  Port 1\n${chunk}`);
  const total = file('include-many.conf', 'Include many/*.conf\n');
  configError(inChild(`return SshConfig.load(${JSON.stringify(total)}, env).concreteHosts();`), /with its Includes the config is larger than 16777216 bytes/);
  const one = file('include-one.conf', 'Include many/0.conf\n');
  assert.deepEqual(inChild(`return SshConfig.load(${JSON.stringify(one)}, env).concreteHosts();`).ok, ['many-0']);
});

test('a config at the size cap of accumulating lines (100,000 SendEnv) resolves in about a second; copying the list per line took minutes', () => {
  const line = '  SendEnv A B C D E F G H I J K L M N';
  const lines = ['Host *', ...Array.from({ length: Math.floor((MAX_CONFIG_FILE_BYTES - 64) / (line.length + 1)) }, () => line)];
  const config = file('accumulating.conf', `${lines.join('\n')}\n`);
  // 30 s in a child: a hang guard with room for a loaded machine, not a measurement (that is bench/ssh-config.bench.ts).
  const result = inChild(`return SshConfig.load(${JSON.stringify(config)}, env).resolve('web').hostName;`, 30_000);
  assert.equal(result.timedOut, false, 'resolving did not finish within 30 s');
  assert.equal(result.ok, 'web', JSON.stringify(result).slice(0, 300));
});

test('wildcards match like ssh_config(5) globs (checked against a regular expression on short random cases)', () => {
  const toRegex = (pattern: string) => new RegExp(`^${pattern.replace(/[\\^$.+()[\]{}|]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let seed = 7;
  const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const word = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
  for (let round = 0; round < 5000; round++) {
    const pattern = word('ab*?.', random(7));
    const text = word('ab.', random(8));
    assert.equal(wildcardMatch(pattern, text), toRegex(pattern).test(text), `${pattern} ~ ${text}`);
  }
  assert.ok(patternMatches('WEB-*.Example.com', 'web-1.example.COM'));
});

test('a pattern like *a*a*a…c in known_hosts or a Host line no longer backtracks for minutes (regex was exponential)', () => {
  const evil = `${'*a'.repeat(12)}*c`;
  const knownHosts = file('known_hosts_evil', `${knownLine(evil, 1)}\n${knownLine('a'.repeat(40), 2)}\n`);
  const config = file('evil-pattern.conf', `Host ${evil}\n  Port 2\nHost *\n  Port 3\n`);
  const result = inChild(`
    const { checkHostKey } = require('./src/transport/ssh-known-hosts.ts');
    const known = readKnownHosts([${JSON.stringify(knownHosts)}]);
    const key = knownHostEntries(known)[1].key;
    return [checkHostKey(known, ['${'a'.repeat(40)}'], key).status, SshConfig.load(${JSON.stringify(config)}, env).resolve('${'a'.repeat(40)}').port];`);
  assert.equal(result.timedOut, false, 'matching did not finish within 20 s');
  assert.deepEqual(result.ok, ['known', 3], JSON.stringify(result).slice(0, 300));
});

// ---- item 14: every concrete Host is a host ----

test('Host lines without options of their own still name hosts (--all-ssh-hosts checked only the last)', () => {
  const config = SshConfig.fromText('Host web1\nHost web2\nHost *\n  HostName 127.0.0.1\n  Port 2200\n', env);
  assert.deepEqual(config.concreteHosts(), ['web1', 'web2']);
  assert.equal(config.resolve('web1').hostName, '127.0.0.1');
  assert.equal(config.resolve('web1').port, 2200);
  const mixed = SshConfig.fromText('Host a b\nHost c *.example d?\nHost !e f\n  User u\nMatch host x\n  Port 3\nHost a\n', env);
  assert.deepEqual(mixed.concreteHosts(), ['a', 'b', 'c', 'f']);
});

test('--all-ssh-hosts through the CLI checks web1 and web2 (both refused on a closed port)', () => {
  const config = file('web12.conf', 'Host web1\nHost web2\nHost *\n  HostName 127.0.0.1\n  Port 1\n  UserKnownHostsFile /dev/null\n');
  const result = spawnSync(process.execPath, [cliBundle(), '--ssh-config', config, '--all-ssh-hosts', '--batch', '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
  const records = JSON.parse(result.stdout) as { target: { name: string }; error?: { kind: string } }[];
  assert.deepEqual(records.map((record) => [record.target.name, record.error?.kind]), [['web1', 'refused'], ['web2', 'refused']]);
});

// ---- item 15 (resolution): the name index gives what a scan of every entry gave ----

test('resolution through the name index keeps OpenSSH order: first value wins across own, general and Match entries', () => {
  const config = SshConfig.fromText([
    'Host *.lab', '  User lab-user',
    'Host DB1 db2', '  HostName 10.0.0.1', '  IdentityFile /keys/db',
    'Match originalhost db1', '  Port 2201',
    'Host db1', '  Port 2202', '  User db-user', '  IdentityFile /keys/db1',
    'Host db1 !db1', '  Port 9',
    'Host *', '  Port 22', '  IdentityFile /keys/all',
  ].join('\n'), env);
  const db1 = config.resolve('db1');
  assert.equal(db1.hostName, '10.0.0.1');
  assert.equal(db1.port, 2201, 'the Match between the two Host db1 blocks comes first');
  assert.equal(db1.user, 'db-user');
  assert.deepEqual(db1.identityFiles, ['/keys/db', '/keys/db1', '/keys/all']);
  assert.equal(config.resolve('Db2').hostName, '10.0.0.1', 'Host names match case-insensitively');
  assert.equal(config.resolve('db2').port, 22);
  assert.equal(config.resolve('x.lab').user, 'lab-user');
});

// ---- item 6: a known_hosts of 150,000 lines ----

/** A known_hosts line for host `name` with a well-formed ed25519 blob. */
function knownLine(name: string, fill: number): string {
  const type = Buffer.from('ssh-ed25519');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(type.length);
  const keyLength = Buffer.alloc(4);
  keyLength.writeUInt32BE(32);
  return `${name} ssh-ed25519 ${Buffer.concat([head, type, keyLength, Buffer.alloc(32, fill & 0xff)]).toString('base64')}`;
}

function bigKnownHosts(name: string, lines: number, last = ''): string {
  const text: string[] = [];
  for (let index = 0; index < lines; index++) text.push(knownLine(`host-${index}.fleet.example.com,10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`, index));
  if (last) text.push(last);
  return file(name, `${text.join('\n')}\n`);
}

test('readKnownHosts reads a 150,000-line (~17 MB) known_hosts (it overflowed the stack) and finds a host in it', () => {
  const path = bigKnownHosts('known_hosts_150k', 150_000);
  const known = readKnownHosts([path]);
  assert.equal(knownHostEntries(known).length, 150_000);
  const key = knownHostEntries(known)[149_999]!.key;
  assert.equal(checkHostKey(known, ['HOST-149999.fleet.example.com'], key).status, 'known');
  assert.equal(checkHostKey(known, ['10.2.73.239'], key).status, 'known');
});

test('known_hosts that is a FIFO or /dev/zero is skipped without being opened; one past the cap is a config error', () => {
  const pipe = fifo('known_hosts.fifo');
  const normal = file('known_hosts_small', `${knownLine('small', 1)}\n`);
  const result = inChild(`return readKnownHosts([${JSON.stringify(pipe)}, '/dev/zero', '/dev/null', ${JSON.stringify(normal)}]).files.flatMap((file) => file.entries.map((entry) => entry.hosts));`);
  assert.equal(result.timedOut, false, 'reading known_hosts must not hang');
  assert.deepEqual(result.ok, ['small'], JSON.stringify(result).slice(0, 400));
  const sparse = join(dir, 'known_hosts_sparse');
  writeFileSync(sparse, '');
  truncateSync(sparse, MAX_KNOWN_HOSTS_BYTES + 1);
  assert.throws(() => readKnownHosts([sparse]), (error: unknown) => error instanceof ProbeError && error.kind === 'config'
    && error.message.includes(sparse) && error.message.includes(String(MAX_KNOWN_HOSTS_BYTES)));
});

test('a real sshd whose key is the last of 150,000 known_hosts lines: the probe runs', async (t) => {
  if (!requireSshLab(t)) return;
  const knownHosts = bigKnownHosts('known_hosts_150k_sshd', 150_000, server.knownHostsLine());
  const config = lab!.write('big-known.conf', ['Host guest', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`,
    '  IdentityAgent none', `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none', ''].join('\n'));
  const ssh = new SshTransport('guest', { config: SshConfig.load(config, { ...env, home: lab!.path('home') }), credentials: new SshCredentials(), connectTimeoutSeconds: 10, probeTimeoutSeconds: 20 });
  assert.match(await ssh.runProbe({}), /BALLOON-INSPECTOR-PROBE 1/);
});

// ---- item 12: suggested commands are shell-quoted ----

/** A bin dir whose `name` records its argv (NUL-separated) in `argvFile` and prints `output`. */
function recorder(name: string, argvFile: string, output = ''): string {
  const bin = join(dir, `bin-${name}`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\0' "$@" > '${argvFile}'\nprintf '%s' '${output}'\n`);
  chmodSync(join(bin, name), 0o755);
  return bin;
}

/** Runs a suggested command line through a real sh, the command itself replaced by a recorder. */
function runSuggested(command: string, name: string, output = ''): { argv: string[] } {
  const argvFile = join(dir, `${name}.argv`);
  rmSync(argvFile, { force: true });
  const bin = recorder(name, argvFile, output);
  execFileSync('sh', ['-c', command], { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, IFS: ' \t\n' }, stdio: 'ignore' });
  return { argv: readFileSync(argvFile, 'utf8').split('\0').slice(0, -1) };
}

test('suggested commands give a real shell exactly the intended argv, whatever the alias, host name or path hold', () => {
  const marker = join(dir, 'PWNED');
  const hostile = [`x';touch\${IFS}${marker};'`, `$(touch ${marker})`, `\`touch ${marker}\``, `a"b'c\\d`, '-oProxyCommand=touch', `x\ny;touch ${marker}`];
  for (const value of hostile) {
    const path = join(dir, `kh ${value.replace(/\//g, '_').replace(/\n/g, '_')}`);
    assert.deepEqual(runSuggested(removeHostKeyCommand(value, path), 'ssh-keygen').argv, ['-R', value, '-f', path], value);
    const keyscan = keyscanCommand({ hostName: value, port: 2222 }, path);
    rmSync(path, { force: true });
    assert.deepEqual(runSuggested(keyscan, 'ssh-keyscan', 'key-line\n').argv, ['-p', '2222', ...(value.startsWith('-') ? ['--'] : []), value], value);
    assert.equal(readFileSync(path, 'utf8'), 'key-line\n', 'the output is appended to exactly the named file');
    assert.equal(existsSync(marker), false, `${JSON.stringify(value)} ran a command`);
  }
  assert.equal(keyscanCommand({ hostName: 'h', port: 22 }, null), "ssh-keyscan -p 22 'h' >> ~/.ssh/known_hosts");
});

test("a real sshd's changed-key message: its ssh-keygen -R line, run by sh, removes exactly the HostKeyAlias and runs nothing else", async (t) => {
  if (!requireSshLab(t)) return;
  const marker = lab!.path('TOUCHED');
  const alias = `x';touch\${IFS}${marker};'`;
  const other = keygen(lab!.path('host_other_alias'));
  const knownHosts = lab!.write('alias.known_hosts', `${alias} ${other.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
  const config = lab!.write('alias.conf', ['Host guest', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`,
    `  HostKeyAlias "${alias}"`, `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none', ''].join('\n'));
  const ssh = new SshTransport('guest', { config: SshConfig.load(config, { ...env, home: lab!.path('home') }), credentials: new SshCredentials(), connectTimeoutSeconds: 10 });
  const error = await ssh.runProbe({}).then(() => null, (caught: unknown) => caught);
  assert.ok(error instanceof ProbeError && error.kind === 'host-key-changed', String(error));
  const suggested = /remove the old key \((ssh-keygen -R .*)\) and check the new one/.exec(error.message)?.[1];
  assert.ok(suggested, error.message);
  assert.deepEqual(runSuggested(suggested, 'ssh-keygen').argv, ['-R', alias, '-f', knownHosts]);
  assert.equal(existsSync(marker), false, 'the suggested command ran touch');
});

test("a real sshd's unknown-key message: its ssh-keyscan line appends to exactly the UserKnownHostsFile, even a path with $( )", async (t) => {
  if (!requireSshLab(t)) return;
  // The command runs in `dir` (runSuggested): a substitution would create the marker there.
  const marker = join(dir, 'TOUCHED2');
  mkdirSync(lab!.path('odd'), { recursive: true });
  const knownHosts = lab!.path('odd/kh$(touch${IFS}TOUCHED2)');
  const config = lab!.write('unknown-odd.conf', ['Host guest', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`,
    `  UserKnownHostsFile "${knownHosts}"`, '  GlobalKnownHostsFile none', ''].join('\n'));
  const ssh = new SshTransport('guest', { config: SshConfig.load(config, { ...env, home: lab!.path('home') }), credentials: new SshCredentials(), connectTimeoutSeconds: 10 });
  const error = await ssh.runProbe({}).then(() => null, (caught: unknown) => caught);
  assert.ok(error instanceof ProbeError && error.kind === 'host-key-unknown', String(error));
  const suggested = /add it yourself: (ssh-keyscan .*)$/.exec(error.message)?.[1];
  assert.ok(suggested, error.message);
  assert.deepEqual(runSuggested(suggested, 'ssh-keyscan', 'scanned\n').argv, ['-p', String(server.port), '127.0.0.1']);
  assert.equal(readFileSync(knownHosts, 'utf8'), 'scanned\n');
  assert.equal(existsSync(marker), false, 'the suggested command ran touch');
});

test('IdentityFile /dev/zero or a FIFO is skipped with its reason (it was read without end, or blocked); the next key logs in', async (t) => {
  if (!requireSshLab(t)) return;
  const pipe = fifo('id_fifo');
  lab!.knownHosts('identity.known_hosts', [server]);
  const hosts = (identities: string[]) => lab!.write('identity.conf', ['Host guest', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${TEST_USER}`,
    ...identities.map((path) => `  IdentityFile ${path}`), '  IdentityAgent none', `  UserKnownHostsFile ${lab!.path('identity.known_hosts')}`, '  GlobalKnownHostsFile none', ''].join('\n'));
  const transport = (identities: string[]) => new SshTransport('guest', { config: SshConfig.load(hosts(identities), { ...env, home: lab!.path('home') }), credentials: new SshCredentials(), connectTimeoutSeconds: 10, probeTimeoutSeconds: 20 });
  assert.match(await transport(['/dev/zero', pipe, lab!.userKey.path]).runProbe({}), /BALLOON-INSPECTOR-PROBE 1/);
  const error = await transport(['/dev/zero', pipe]).runProbe({}).then(() => null, (caught: unknown) => caught);
  assert.ok(error instanceof ProbeError && error.kind === 'auth', String(error));
  assert.match(error.message, /key \/dev\/zero skipped: cannot read it \(a character device, not a regular file\)/);
  assert.ok(error.message.includes(`key ${pipe} skipped: cannot read it (a FIFO, not a regular file)`), error.message);
});

test('--accept-new into /dev/null writes nothing and succeeds; into a FIFO it fails at once instead of blocking', () => {
  const pipe = fifo('accept.fifo');
  const key = Buffer.from(knownLine('x', 3).split(' ')[2]!, 'base64');
  const result = inChild(`
    const { appendKnownHost } = require('./src/transport/ssh-known-hosts.ts');
    const key = Buffer.from(${JSON.stringify(key.toString('base64'))}, 'base64');
    appendKnownHost('/dev/null', 'h', key, false);
    try { appendKnownHost(${JSON.stringify(pipe)}, 'h', key, false); return 'written'; } catch (error) { return error.message; }`);
  assert.equal(result.timedOut, false, 'appending blocked');
  assert.equal(result.ok, `${JSON.stringify(pipe)} is not a regular file`, JSON.stringify(result).slice(0, 300));
});

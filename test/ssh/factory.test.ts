import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import test from 'node:test';
import { SshCredentials } from '../../src/transport/ssh-auth';
import { sshTransport } from '../../src/transport/ssh-factory';
import { ProbeError } from '../../src/transport/transport';
import { requireSshLab, SshLab, TEST_USER, userExists, type Sshd } from '../helpers/sshd';
import { ROOT, which } from '../helpers/system';

const canRun = which('sshd') !== null && process.getuid?.() === 0 && userExists(TEST_USER);
const lab = canRun ? new SshLab() : null;
let sshd: Sshd;
test.before(async () => { if (lab) sshd = await lab.startSshd(); });
test.after(async () => { await lab?.cleanup(); });

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('SSH transports are assembled in one place: src/transport/ssh-factory.ts', () => {
  const assembling = sourceFiles(join(ROOT, 'src')).filter((file) => /new SshTransport\(/.test(readFileSync(file, 'utf8'))).map((file) => relative(ROOT, file));
  assert.deepEqual(assembling, ['src/transport/ssh-factory.ts']);
});

test('sshTransport reads the SSH config file it is given and passes accept-new through', async (t) => {
  if (!requireSshLab(t)) return;
  const knownHosts = lab!.path('factory.known_hosts');
  const configFile = lab!.write('factory.conf', [
    'Host guest', '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`,
    `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none', '',
  ].join('\n'));
  const environment = { home: lab!.path('home'), localUser: 'root', env: {} };
  const settings = { configFile, environment, credentials: new SshCredentials(), connectTimeoutSeconds: 5, probeTimeoutSeconds: 20 };
  const unknown = await sshTransport('guest', settings).runProbe({}).then(() => null, (error: unknown) => error);
  assert.ok(unknown instanceof ProbeError && unknown.kind === 'host-key-unknown', String(unknown));
  const output = await sshTransport('guest', { ...settings, acceptNewHostKey: true }).runProbe({});
  assert.match(output, /^BALLOON-INSPECTOR-PROBE 1 /m, 'the probe ran');
  assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} `));
});

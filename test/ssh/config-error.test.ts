import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDestination, SshConfig } from '../../src/transport/ssh-config';
import { ProbeError, SshConfigError } from '../../src/transport/transport';
import { runCli } from '../helpers/guests';

const isConfigError = (error: unknown) => error instanceof SshConfigError && error.name === 'SshConfigError' && error.kind === 'config' && error instanceof ProbeError;

test('unusable SSH settings throw SshConfigError (kind config), not a bare ProbeError', (t) => {
  assert.throws(() => parseDestination('not a host'), isConfigError);
  assert.throws(() => parseDestination('host:99999'), isConfigError);
  const home = mkdtempSync(join(tmpdir(), 'bi-sshconfig-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  assert.throws(() => SshConfig.load(join(home, 'missing.conf'), { home, localUser: 'u', env: {} }), isConfigError);
});

test('the CLI still reports the error kind "config" for a bad destination', () => {
  const run = runCli(['--ssh', 'not a host', '--format', 'json']);
  assert.equal(run.status, 3, run.stderr);
  assert.equal(JSON.parse(run.stdout).error.kind, 'config');
});

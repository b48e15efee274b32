import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { FIXTURE_GUESTS as GUESTS_DIR, requireNamespaces, runOnGuest, WITH_GUEST } from '../helpers/with-guest';

const SEED = join(GUESTS_DIR, 'vmware-limit-12g-of-32g');
const mountinfo = () => readFileSync('/proc/self/mountinfo', 'utf8');

test('the guest\'s files and tools replace the real ones inside, and nothing changes outside', async (t) => {
  if (!requireNamespaces(t)) return;
  const meminfoBefore = readFileSync('/proc/meminfo', 'utf8').split('\n')[0];
  const mountsBefore = mountinfo();
  const fixtureMtime = statSync(join(SEED, 'proc', 'meminfo')).mtimeMs;
  const result = await runOnGuest(SEED, ['sh', '-c', [
    'head -1 /proc/meminfo',
    'grep current /sys/kernel/debug/vmmemctl',
    'cat /sys/class/dmi/id/sys_vendor',
    'mountpoint /sys/kernel/debug',
    'command -v vmware-toolbox-cmd',
    'ls /sys/bus 2>&1 | head -1',
    'echo x >> /proc/meminfo 2>/dev/null || echo "meminfo is read-only"',
    'echo x >> /sys/kernel/debug/vmmemctl 2>/dev/null || echo "debugfs file is read-only"',
  ].join('; ')]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^MemTotal: +32602216 kB$/m);
  assert.match(result.stdout, /^current +: +5242880$/m);
  assert.match(result.stdout, /^VMware, Inc\.$/m);
  assert.match(result.stdout, /^\/sys\/kernel\/debug is a mountpoint$/m);
  assert.ok(result.stdout.includes(`${SEED}/usr/bin/vmware-toolbox-cmd`), 'the guest\'s tools come first on PATH');
  assert.match(result.stdout, /No such file or directory/, 'the real /sys does not leak into a guest that has no sys/bus');
  assert.match(result.stdout, /meminfo is read-only/);
  assert.match(result.stdout, /debugfs file is read-only/);
  // Outside: same meminfo, same mounts, fixture untouched.
  assert.equal(readFileSync('/proc/meminfo', 'utf8').split('\n')[0], meminfoBefore);
  assert.equal(mountinfo(), mountsBefore);
  assert.equal(statSync(join(SEED, 'proc', 'meminfo')).mtimeMs, fixtureMtime);
});

test('exit status passes through, and with-guest\'s own failures are 125', async (t) => {
  if (!requireNamespaces(t)) return;
  assert.equal((await runOnGuest(SEED, ['sh', '-c', 'exit 7'])).code, 7);
  assert.equal((await runOnGuest(SEED, ['true'])).code, 0);
  assert.equal((await runOnGuest(SEED, ['no-such-command-anywhere'])).code, 127);
  const missing = await runOnGuest(join(GUESTS_DIR, 'no-such-guest'), ['true']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /no such fixture directory/);
  const direct = await new Promise<number | null>((resolve) => {
    spawn(WITH_GUEST, ['--inside', SEED, '--', 'true'], { stdio: 'ignore' }).on('close', resolve);
  });
  assert.equal(direct, 125, '--inside outside a private namespace is refused before any bind');
  const usage = await new Promise<number | null>((resolve) => {
    spawn(WITH_GUEST, [SEED, 'true'], { stdio: 'ignore' }).on('close', resolve);
  });
  assert.equal(usage, 125, 'missing -- is a usage error');
});

test('the command is exec\'d: same process, signals reach it', async (t) => {
  if (!requireNamespaces(t)) return;
  const child = spawn(WITH_GUEST, [SEED, '--', 'sh', '-c', 'echo "pid $$"; exec sleep 30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pidLine = await new Promise<string>((resolve) => child.stdout.setEncoding('utf8').once('data', (chunk: string) => resolve(chunk)));
  assert.equal(pidLine.trim(), `pid ${child.pid}`, 'the shell inside is the very process that was spawned');
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
  child.kill('SIGTERM');
  assert.deepEqual(await closed, [null, 'SIGTERM']);
});

test('an empty guest leaves the real /proc and /sys, and a mount inside stays inside', async (t) => {
  if (!requireNamespaces(t)) return;
  const empty = mkdtempSync(join(tmpdir(), 'empty-guest-'));
  const before = mountinfo();
  const result = await runOnGuest(empty, ['sh', '-c', 'mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug; mountpoint /sys/kernel/debug; head -1 /proc/meminfo']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /is a mountpoint/);
  assert.equal(result.stdout.split('\n')[1], readFileSync('/proc/meminfo', 'utf8').split('\n')[0]);
  assert.equal(mountinfo(), before, 'the debugfs mount did not escape the namespace');
});

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ProbeError } from '../../src/transport/transport';
import { LocalTransport } from '../../src/transport/local';
import { copyGuest, GiB, jsonReport, probe, processesWith, tempDir } from '../helpers/guests';
import { cliBundle } from '../helpers/system';

// Issue 9 item 4: the local probe has a deadline, obeys its abort signal, reads only regular files
// under the cap, and leaves no process behind. Hanging tools carry a unique `sleep` argument so a
// scan of /proc finds anything left over.

const uniqueSleep = () => `100000.${process.pid}${Math.floor(Math.random() * 1e6)}`;

function hangingGuest(dir: string, marker: string): string {
  const root = copyGuest('vmware-limit-12g-of-32g', dir);
  const tool = join(root, 'usr', 'bin', 'vmware-toolbox-cmd');
  rmSync(tool);
  // one child escapes the process group (setsid), one holds the output pipe, the tool waits
  writeFileSync(tool, `#!/bin/sh\nsetsid sleep ${marker} &\nsleep ${marker} &\necho '20480 MB'\nsleep ${marker}\n`);
  chmodSync(tool, 0o755);
  return root;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

test('the whole local probe has a deadline: killed with everything it started, setsid children too', async () => {
  const temp = tempDir();
  const marker = uniqueSleep();
  try {
    const root = hangingGuest(temp.dir, marker);
    const started = Date.now();
    const transport = new LocalTransport({ root, deadlineSeconds: 3 });
    await assert.rejects(transport.runProbe({ runSnapshotTools: true, toolTimeoutSeconds: 600 }), (error: unknown) => {
      assert.ok(error instanceof ProbeError);
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /3 s deadline/);
      return true;
    });
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
    await settle();
    assert.deepEqual(processesWith(marker), [], 'processes left behind');
  } finally {
    temp.remove();
  }
});

test('runProbe obeys its abort signal at once and leaves no process', async () => {
  const temp = tempDir();
  const marker = uniqueSleep();
  try {
    const root = hangingGuest(temp.dir, marker);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const started = Date.now();
    await assert.rejects(new LocalTransport({ root }).runProbe({ runSnapshotTools: true, toolTimeoutSeconds: 600 }, controller.signal), /interrupted/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    await settle();
    assert.deepEqual(processesWith(marker), [], 'processes left behind');
  } finally {
    temp.remove();
  }
});

test('SIGTERM to balloon-check ends a hung local probe and everything it started', async () => {
  const temp = tempDir();
  const marker = uniqueSleep();
  try {
    const root = hangingGuest(temp.dir, marker);
    const child = spawn(process.execPath, [cliBundle(), '--root', root, '--run-snapshot-tools', '--tool-timeout', '600', '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(processesWith(marker).length > 0, 'the hanging tool never started');
    const sent = Date.now();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    assert.equal(signal, null, 'balloon-check ignored SIGTERM');
    assert.equal(code, 3);
    assert.ok(Date.now() - sent < 3000, `exit ${Date.now() - sent} ms after SIGTERM`);
    assert.match(stdout, /"kind": "other"/);
    await settle();
    assert.deepEqual(processesWith(marker), [], 'processes left behind');
  } finally {
    temp.remove();
  }
});

test('SIGKILL to balloon-check: the probe still ends by its own bounds, its tools\' stray children too', async () => {
  const temp = tempDir();
  const marker = uniqueSleep();
  try {
    const root = copyGuest('vmware-limit-12g-of-32g', temp.dir);
    const tool = join(root, 'usr', 'bin', 'vmware-toolbox-cmd');
    rmSync(tool);
    // the case: the answer comes at once, a child keeps the output pipe open for long
    const ran = join(temp.dir, 'ran');
    writeFileSync(tool, `#!/bin/sh\nsleep ${marker} &\ntouch '${ran}'\necho '20480 MB'\n`);
    chmodSync(tool, 0o755);
    const child = spawn(process.execPath, [cliBundle(), '--root', root, '--run-snapshot-tools', '--tool-timeout', '2', '--format', 'json'], { stdio: 'ignore' });
    for (const until = Date.now() + 10_000; !existsSync(ran) && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(existsSync(ran), 'the tool never ran');
    child.kill('SIGKILL');
    // the orphaned probe goes on with its other tools (their command lines name the root): wait until it is done
    let quiet = 0;
    for (const until = Date.now() + 20_000; quiet < 3 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      quiet = processesWith(marker).length || processesWith(root).length ? 0 : quiet + 1;
    }
    assert.deepEqual(processesWith(marker), [], 'processes left behind after the CLI was killed');
  } finally {
    temp.remove();
  }
});

test('FIFOs, /dev/zero, a 3 GB sparse meminfo and a 3 GB hostname with no newline all finish fast', () => {
  const cases: [string, (root: string) => void, (report: import('../../src/core/report').Report) => void][] = [
    ['FIFO at proc/1/cgroup', (root) => { rmSync(join(root, 'proc/1/cgroup'), { force: true }); mkfifo(join(root, 'proc/1/cgroup')); },
      (report) => assert.equal(report.guest.insideContainer, false)],
    ['FIFO at proc/62/stat', (root) => { mkdirSync(join(root, 'proc/62'), { recursive: true }); rmSync(join(root, 'proc/62/stat'), { force: true }); mkfifo(join(root, 'proc/62/stat')); },
      (report) => assert.equal(probe(report, 'kthreads')?.status, 'ok')],
    ['proc/1/cgroup -> /dev/zero', (root) => { rmSync(join(root, 'proc/1/cgroup'), { force: true }); symlinkSync('/dev/zero', join(root, 'proc/1/cgroup')); },
      (report) => assert.equal(report.guest.insideContainer, false)],
    ['FIFO at proc/meminfo', (root) => { rmSync(join(root, 'proc/meminfo')); mkfifo(join(root, 'proc/meminfo')); },
      (report) => assert.equal(probe(report, 'meminfo')?.detail, 'not a regular file')],
    ['3 GB sparse proc/meminfo', (root) => truncateSync(join(root, 'proc/meminfo'), 3 * GiB),
      // the real lines at its start still count; the 3 GB of zeros after them are never read
      (report) => { assert.equal(report.memory.totalBytes, 32602216 * 1024); assert.match(probe(report, 'meminfo')?.detail ?? '', /^truncated at 262144 bytes/); }],
    ['3 GB sparse hostname, no newline', (root) => { writeFileSync(join(root, 'proc/sys/kernel/hostname'), 'h'); truncateSync(join(root, 'proc/sys/kernel/hostname'), 3 * GiB); },
      (report) => assert.equal(report.guest.hostname, null)],
    ['proc/meminfo -> a 3 GB file elsewhere in the snapshot', (root) => {
      mkdirSync(join(root, 'data')); writeFileSync(join(root, 'data/meminfo'), 'x'); truncateSync(join(root, 'data/meminfo'), 3 * GiB);
      rmSync(join(root, 'proc/meminfo')); symlinkSync('../data/meminfo', join(root, 'proc/meminfo'));
      // read through dd up to the cap: one cut line of NULs, which the parser calls empty
    }, (report) => { assert.equal(report.memory.totalBytes, null); assert.equal(probe(report, 'meminfo')?.status, 'error'); }],
    ['hostname with no newline', (root) => writeFileSync(join(root, 'proc/sys/kernel/hostname'), 'no-newline'),
      (report) => assert.equal(report.guest.hostname, 'no-newline')],
  ];
  for (const [name, prepare, check] of cases) {
    const temp = tempDir();
    try {
      const root = copyGuest('vmware-limit-12g-of-32g', temp.dir);
      prepare(root);
      const { report, run } = jsonReport(root, [], 20_000);
      assert.equal(run.signal, null, `${name}: hung`);
      assert.ok(run.ms < 10_000, `${name}: took ${run.ms} ms`);
      assert.equal(report.balloon.currentBytes, 20 * GiB, `${name}: the rest of the snapshot still reads`);
      check(report);
    } finally {
      temp.remove();
    }
  }
});

function mkfifo(path: string) {
  const run = spawnSync('mkfifo', [path]);
  assert.equal(run.status, 0, `mkfifo ${path}`);
}

test('a failing probe\'s error message keeps a character whose bytes came in two writes whole (was "\\ufffd\\ufffd")', async () => {
  const temp = tempDir();
  try {
    // A "shell" that reads nothing, writes "ñ" (c3 b1) to stderr in two writes a moment apart, and fails.
    const shell = join(temp.dir, 'failing-sh');
    writeFileSync(shell, "#!/bin/sh\nprintf '\\303' >&2\nsleep 0.2\nprintf '\\261o: sin memoria\\n' >&2\nexit 3\n");
    chmodSync(shell, 0o755);
    await assert.rejects(new LocalTransport({ shell }).runProbe({}), (error: unknown) => {
      assert.ok(error instanceof ProbeError);
      assert.equal(error.message, 'the probe script exited with 3: ño: sin memoria');
      return true;
    });
  } finally { temp.remove(); }
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { splitProbeOutput } from '../../src/core/sections';
import { scriptWithSettings } from '../../src/transport/probe-script';
import { copyGuest, GiB, jsonReport, probe, processesWith, runCli, tempDir } from '../helpers/guests';
import { cliBundle, ROOT } from '../helpers/system';

// Issue 9 items 1, 5, 10, 11 and 16: a snapshot is data. Each test builds a hostile copy of the
// seed VMware guest (B in the issue) and checks what --root makes of it.

function withGuest(run: (root: string, dir: string) => void) {
  const temp = tempDir();
  try {
    run(copyGuest('vmware-limit-12g-of-32g', temp.dir), temp.dir);
  } finally {
    temp.remove();
  }
}

/** Replaces the guest's vmware-toolbox-cmd with `body` (a shell script). */
function plantTool(root: string, body: string) {
  const path = join(root, 'usr', 'bin', 'vmware-toolbox-cmd');
  rmSync(path, { force: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

const STAT_WORDS = ['stat', 'balloon', 'swap', 'memlimit', 'memres'];

test('item 1: --root runs none of the snapshot\'s programs; tool answers come from sos_commands files', () => {
  withGuest((root, dir) => {
    const ran = join(dir, 'tool-ran');
    plantTool(root, `id >> '${ran}'\necho '1 MB'`);
    const { report, run } = jsonReport(root);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(existsSync(ran), false, 'the snapshot\'s vmware-toolbox-cmd ran');
    // the answers are the saved outputs: 20480 MB, not the planted tool's "1 MB"
    assert.equal(report.balloon.measurements.find((m) => m.source === 'vmware-toolbox-cmd stat balloon')?.bytes, 20 * GiB);
    assert.match(probe(report, 'toolbox-balloon')?.detail ?? '', /^saved output sos_commands\/vmware\/vmware-toolbox-cmd_stat_balloon$/);
    // a snapshot without them says so, and nothing runs either
    rmSync(join(root, 'sos_commands'), { recursive: true });
    const bare = jsonReport(root).report;
    assert.equal(existsSync(ran), false);
    assert.equal(probe(bare, 'toolbox-balloon')?.status, 'absent');
    assert.equal(probe(bare, 'toolbox-balloon')?.detail, 'not in this snapshot: sos_commands/vmware/vmware-toolbox-cmd_stat_balloon');
  });
});

test('item 1: a tool symlinked to /bin/rm deletes nothing, by default or with --run-snapshot-tools', () => {
  withGuest((root, dir) => {
    const tool = join(root, 'usr', 'bin', 'vmware-toolbox-cmd');
    rmSync(tool);
    symlinkSync('/bin/rm', tool);
    for (const word of STAT_WORDS) writeFileSync(join(dir, word), 'keep\n');
    for (const extra of [[], ['--run-snapshot-tools']]) {
      const run = spawnSync(process.execPath, [cliBundle(), '--root', root, '--format', 'json', ...extra], { cwd: dir, encoding: 'utf8' });
      for (const word of STAT_WORDS) assert.ok(existsSync(join(dir, word)), `${extra.join(' ') || 'default'}: ${word} was deleted`);
      const report = JSON.parse(run.stdout) as import('../../src/core/report').Report;
      if (extra.length) {
        assert.equal(probe(report, 'toolbox-balloon')?.status, 'error');
        assert.match(probe(report, 'toolbox-balloon')?.detail ?? '', /^symlink out of the snapshot: usr\/bin\/vmware-toolbox-cmd/);
      }
    }
  });
});

test('item 1: with --run-snapshot-tools a tool that forks `sleep 301 &` (also under setsid) leaves no process', () => {
  withGuest((root) => {
    const marker = `301.${Date.now() % 100000}${Math.floor(Math.random() * 1000)}`;
    // three children that outlive the tool, one in a new session; the tool answers and exits at once
    plantTool(root, `sleep ${marker} &\nsleep ${marker} &\nsetsid sleep ${marker} &\necho '20480 MB'`);
    const { report, run } = jsonReport(root, ['--run-snapshot-tools', '--tool-timeout', '2']);
    assert.equal(probe(report, 'toolbox-balloon')?.status, 'ok', JSON.stringify(probe(report, 'toolbox-balloon')));
    assert.ok(run.ms < 20_000, `the children held the probe for ${run.ms} ms`);
    assert.deepEqual(processesWith(marker), [], 'processes left behind');
  });
});

test('item 5: symlinks out of the snapshot are refused, never followed (host files, secrets, /proc/meminfo)', () => {
  withGuest((root, dir) => {
    const secret = `SECRET-${randomUUID()}`;
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${secret}\n`);
    const link = (rel: string, target: string) => { rmSync(join(root, rel), { force: true }); symlinkSync(target, join(root, rel)); };
    link('proc/sys/kernel/hostname', '/etc/shadow');
    link('sys/class/dmi/id/product_name', secretFile);
    link('proc/meminfo', '/proc/meminfo');
    // relative escapes count the same as absolute ones
    link('proc/sys/kernel/osrelease', '../../../../secret');
    link('sys/class/dmi/id/bios_version', '../../../../../secret');
    const { report, run } = jsonReport(root);
    assert.ok(!run.stdout.includes(secret), 'the secret leaked into the report');
    const shadowFirst = existsSync('/etc/shadow') ? readFileSync('/etc/shadow', 'utf8').split('\n')[0] : '';
    if (shadowFirst.length > 8) assert.ok(!run.stdout.includes(shadowFirst), 'the first line of /etc/shadow leaked');
    assert.equal(report.guest.hostname, null);
    assert.equal(probe(report, 'meta')?.status, undefined);
    assert.equal(report.memory.totalBytes, null, 'this host\'s MemTotal was reported');
    assert.equal(probe(report, 'meminfo')?.status, 'error');
    assert.equal(probe(report, 'meminfo')?.detail, 'symlink out of the snapshot: proc/meminfo');
    // the DMI section still reads its other files
    assert.ok(report.hypervisor.evidence.some((line) => /VMware/.test(line)), report.hypervisor.evidence.join('; '));
  });
});

test('item 5: a whole directory symlinked out (sys -> host /sys) is refused, a symlink inside the snapshot is followed', () => {
  withGuest((root, dir) => {
    // inside: hostname -> ../../../etc/hostname (in B) still reads
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'hostname'), 'inside-link\n');
    rmSync(join(root, 'proc/sys/kernel/hostname'));
    symlinkSync('../../../etc/hostname', join(root, 'proc/sys/kernel/hostname'));
    rmSync(join(root, 'sys'), { recursive: true });
    symlinkSync('/sys', join(root, 'sys'));
    const { report } = jsonReport(root);
    assert.equal(report.guest.hostname, 'inside-link');
    // this machine is a KVM guest with virtio devices: none of that may show
    assert.equal(probe(report, 'virtio-drivers')?.status, 'error');
    assert.equal(probe(report, 'virtio-drivers')?.detail, 'symlink out of the snapshot: sys/bus/virtio');
    assert.equal(probe(report, 'dmi')?.status, 'error');
    assert.ok(!report.hypervisor.evidence.some((line) => /virtio|QEMU|KVM/i.test(line)), report.hypervisor.evidence.join('; '));
    void dir;
  });
});

test('item 16: a symlink loop at proc/meminfo reads "symlink loop", not "no such file"', () => {
  withGuest((root) => {
    rmSync(join(root, 'proc/meminfo'));
    symlinkSync('meminfo', join(root, 'proc/meminfo'));
    const { report } = jsonReport(root);
    assert.equal(probe(report, 'meminfo')?.status, 'error');
    assert.equal(probe(report, 'meminfo')?.detail, 'symlink loop: proc/meminfo');
  });
});

test('item 10: a stray BI_ROOT in the environment is not a setting: the check stays on this machine', () => {
  withGuest((root) => {
    const run = runCli(['--format', 'json'], { env: { BI_ROOT: root, BI_RUN_SNAPSHOT_TOOLS: '1', BI_CAP: '1' } });
    const report = JSON.parse(run.stdout) as import('../../src/core/report').Report;
    assert.equal(report.target.kind, 'local');
    assert.notEqual(report.guest.hostname, 'rhel9-app01', 'the snapshot was reported as this machine');
    assert.equal(probe(report, 'meminfo')?.detail, undefined, 'BI_CAP=1 from the environment cut meminfo');
  });
});

test('item 10: every setting is assigned in the script prelude, also when not given', () => {
  const prelude = scriptWithSettings({}).split('\n#!/bin/sh')[0];
  const read = new Set(readFileSync(join(ROOT, 'src', 'core', 'probe.sh'), 'utf8').match(/\bBI_[A-Z_]+(?==|:-|\}|")/g) ?? []);
  read.delete('BI_TOOL_RUN'); // set by the script itself
  for (const name of read) assert.match(prelude, new RegExp(`^${name}=`, 'm'), `${name} is not assigned in the prelude`);
  assert.match(scriptWithSettings({ toolTimeoutSeconds: 1e30 }), /^BI_TOOL_TIMEOUT=600$/m);
});

test('item 10: BI_TOOL_TIMEOUT=0 (or huge) in the script is clamped, so a hanging tool still ends', () => {
  const root = join(ROOT, 'test', 'fixtures', 'guests', 'hostile-hanging-tool');
  for (const value of ['0', '000']) {
    const started = Date.now();
    const run = spawnSync('sh', ['-s'], {
      input: readFileSync(join(ROOT, 'src', 'core', 'probe.sh')),
      env: { PATH: process.env.PATH, BI_ROOT: root, BI_RUN_SNAPSHOT_TOOLS: '1', BI_TOOL_TIMEOUT: value, LC_ALL: 'C' },
      encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL',
    });
    assert.equal(run.signal, null, `BI_TOOL_TIMEOUT=${value}: the probe hung`);
    const split = splitProbeOutput(run.stdout);
    assert.ok(split.ok);
    assert.equal(split.output.sections.get('toolbox-balloon')?.detail, 'timed out after 1s');
    assert.ok(Date.now() - started < 20_000);
  }
  // a bound past the largest is the largest
  const big = spawnSync('sh', ['-c', `sed -n '/^bounded()/,/^}/p' "$1"; echo 'bounded 99999999999999 5 1 600; echo $N; bounded 1e30 5 1 600; echo $N'`, 'sh', join(ROOT, 'src', 'core', 'probe.sh')], { encoding: 'utf8' });
  const clamp = spawnSync('sh', ['-c', big.stdout], { encoding: 'utf8' });
  assert.equal(clamp.stdout, '600\n5\n');
});

test('item 11: an empty PATH entry never runs a program of the working directory', () => {
  const temp = tempDir();
  try {
    const ran = join(temp.dir, 'ran');
    for (const name of ['vmware-toolbox-cmd', 'systemd-detect-virt', 'timeout']) {
      writeFileSync(join(temp.dir, name), `#!/bin/sh\necho ${name} >> '${ran}'\n`);
      chmodSync(join(temp.dir, name), 0o755);
    }
    for (const path of [`${process.env.PATH}:`, `:${process.env.PATH}`, `${process.env.PATH}:.`]) {
      // the bare script (settings from the environment), so systemd-detect-virt is looked up too
      const run = spawnSync('sh', ['-s'], { input: readFileSync(join(ROOT, 'src', 'core', 'probe.sh')), cwd: temp.dir, env: { PATH: path, BI_DETECT_VIRT: '1' }, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(existsSync(ran) ? readFileSync(ran, 'utf8') : '', '', `PATH=${JSON.stringify(path)} ran a program of the working directory`);
    }
  } finally {
    temp.remove();
  }
});

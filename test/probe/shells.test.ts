import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { splitProbeOutput, type RawSection } from '../../src/core/sections';
import { copyGuest, findingIds, guestPath, jsonReport, probe, runCli, tempDir, treeListing } from '../helpers/guests';
import { cliBundle, isRoot, requireCommand, requireSystem, ROOT, which } from '../helpers/system';

const PROBE = join(ROOT, 'src', 'core', 'probe.sh');
const GUESTS = ['vmware-limit-12g-of-32g', 'vmware-legacy-vmmemctl', 'kvm-virtio-inflated-no-deflate', 'container-in-kvm', 'hostile-binary', 'hostile-truncated'];

/** Runs the probe script on a snapshot with one shell; sections keyed by id, marker removed. */
function probeWith(shell: Shell, root: string) {
  const path = shell.awkDir ? `${shell.awkDir}:${process.env.PATH}` : process.env.PATH;
  const run = spawnSync(shell.argv[0], [...shell.argv.slice(1), '-s'], { input: readFileSync(PROBE), env: { PATH: path, BI_ROOT: root, LC_ALL: 'C' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `${shell.name}: exit ${run.status}\n${run.stderr}`);
  assert.equal(run.stderr, '', `${shell.name} wrote to stderr`);
  const split = splitProbeOutput(run.stdout);
  assert.ok(split.ok, `${shell.name}: ${split.ok ? '' : split.reason}`);
  assert.ok(split.output.complete, `${shell.name}: the probe did not reach its end marker`);
  // Compared byte for byte: NUL bytes of a binary file end a line on every awk (the probe makes mawk and gawk do as busybox).
  return new Map([...split.output.sections].map(([id, section]) => [id, `${section.status} ${section.detail}\n${section.text}`]));
}

interface Shell { name: string; argv: string[]; /** a directory whose `awk` comes first in PATH */ awkDir?: string }

/**
 * dash and bash (with the system awk, mawk on Debian), busybox sh (its own awk applet), and the builds named in
 * BI_TEST_BUSYBOX (colon-separated busybox binaries, e.g. Debian's dynamic `busybox` unpacked beside the system's
 * `busybox-static`) and BI_TEST_AWK (colon-separated awk binaries run under dash, e.g. gawk).
 */
function shells(t: { skip: (message: string) => void }): Shell[] | null {
  const list: Shell[] = [];
  for (const [command, pkg, argv] of [['dash', 'dash', ['dash']], ['bash', 'bash', ['bash']], ['busybox', 'busybox', ['busybox', 'sh']]] as const) {
    if (!requireCommand(t, command, pkg)) return null;
    list.push({ name: argv.join(' '), argv: [...argv] });
  }
  for (const busybox of (process.env.BI_TEST_BUSYBOX ?? '').split(':').filter(Boolean)) list.push({ name: `${busybox} sh`, argv: [busybox, 'sh'] });
  for (const awk of (process.env.BI_TEST_AWK ?? '').split(':').filter(Boolean)) {
    const dir = mkdtempSync(join(tmpdir(), 'bi-awk-'));
    symlinkSync(awk, join(dir, 'awk'));
    list.push({ name: `dash with ${awk}`, argv: ['dash'], awkDir: dir });
  }
  return list;
}

function sameSectionsEverywhere(list: Shell[], name: string, root: string, minSections: number): void {
  const [reference, ...others] = list.map((shell) => probeWith(shell, root));
  assert.ok(reference.size > minSections, `${name}: only ${reference.size} sections`);
  for (const [index, other] of others.entries()) {
    const shell = list[index + 1].name;
    assert.deepEqual([...other.keys()], [...reference.keys()], `${name}: ${shell} printed other sections than dash`);
    for (const [id, text] of reference) assert.equal(other.get(id), text, `${name}: section ${id} differs on ${shell}`);
  }
}

test('the probe gives the same sections, statuses and text on dash, bash and busybox sh', (t) => {
  const list = shells(t);
  if (!list) return;
  for (const name of GUESTS) sameSectionsEverywhere(list, name, guestPath(name), 15);
});

test('NUL bytes anywhere in a file (mid-line, doubled, before a newline, last byte) give the same lines on every shell and awk', (t) => {
  const list = shells(t);
  if (!list) return;
  const temp = tempDir();
  try {
    const root = copyGuest('vmware-limit-12g-of-32g', temp.dir);
    writeFileSync(join(root, 'proc', 'meminfo'), 'MemTotal:       32602216 kB\0garbage\nMemFree:\0\0 1 kB\n\0\nMemAvailable:   4 kB\0');
    writeFileSync(join(root, 'proc', 'vmstat'), 'nr_balloon_pages 5\0balloon_inflate 7\nballoon_deflate 1\0');
    sameSectionsEverywhere(list, 'NUL meminfo', root, 15);
    const meminfo = probeWith(list[0], root).get('meminfo') ?? assert.fail('no meminfo section');
    assert.ok(!meminfo.includes('\0'), 'no NUL reaches the output');
    // Each NUL ends a line as a newline would; a NUL as the last byte ends the last line.
    assert.ok(meminfo.endsWith('\nMemTotal:       32602216 kB\ngarbage\nMemFree:\n\n 1 kB\n\n\nMemAvailable:   4 kB'), JSON.stringify(meminfo));
  } finally {
    temp.remove();
  }
});

test('without GNU timeout (RHEL 5, busybox) the watchdog ends a hanging tool and the child holding its output', (t) => {
  const busybox = requireCommand(t, 'busybox', 'busybox');
  const dash = requireCommand(t, 'dash', 'dash');
  if (!busybox || !dash) return;
  const shells: string[][] = [[dash], [busybox, 'sh']];
  const temp = tempDir();
  try {
    // A PATH with only what the probe needs besides the shell: no timeout(1), or busybox's.
    const bin = join(temp.dir, 'bin');
    mkdirSync(bin);
    for (const command of ['awk', 'head', 'sleep', 'grep', 'find', 'ls', 'dd']) symlinkSync(which(command) ?? assert.fail(`${command} missing`), join(bin, command));
    const root = guestPath('hostile-hanging-tool');
    for (const withBusyboxTimeout of [false, true]) {
      if (withBusyboxTimeout) symlinkSync(busybox, join(bin, 'timeout'));
      for (const shell of shells) {
        const what = `${shell.join(' ')}${withBusyboxTimeout ? ' with busybox timeout' : ' without timeout(1)'}`;
        const run: SpawnSyncReturns<string> = spawnSync(shell[0], [...shell.slice(1), '-s'], {
          input: readFileSync(PROBE), env: { PATH: bin, BI_ROOT: root, BI_RUN_SNAPSHOT_TOOLS: '1', BI_TOOL_TIMEOUT: '1', LC_ALL: 'C' }, encoding: 'utf8', timeout: 30_000,
        });
        assert.equal(run.signal, null, `${what}: the probe hung (the tool's child kept the pipe open)`);
        const split = splitProbeOutput(run.stdout);
        assert.ok(split.ok && split.output.complete, `${what}: incomplete output`);
        for (const stat of ['balloon', 'swap', 'memlimit', 'memres']) {
          const section: RawSection | undefined = split.output.sections.get(`toolbox-${stat}`);
          // never "ok" with the answer the tool would print after its child died
          assert.equal(`${section?.status} ${section?.detail}`, 'error timed out after 1s', `${what}: toolbox-${stat}`);
        }
      }
    }
  } finally {
    temp.remove();
  }
});

test('shellcheck -s sh finds nothing in the probe script', (t) => {
  const shellcheck = requireCommand(t, 'shellcheck', 'shellcheck');
  if (!shellcheck) return;
  const run = spawnSync(shellcheck, ['-s', 'sh', PROBE], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('as an unprivileged user, root-only debugfs is "denied" and stats-need-root appears', (t) => {
  if (!requireSystem(t, 'root (to switch to uid 65534)', isRoot(), 'run the tests as root, as CI does')) return;
  const setpriv = requireCommand(t, 'setpriv', 'util-linux');
  if (!setpriv) return;
  const temp = tempDir();
  try {
    const root = copyGuest('vmware-limit-12g-of-32g', temp.dir);
    // debugfs is mounted 0700 root on a real guest
    chmodSync(join(root, 'sys', 'kernel', 'debug'), 0o700);
    const run = spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliBundle(), '--root', root, '--format', 'json'], { encoding: 'utf8', cwd: temp.dir });
    assert.ok(run.stdout, run.stderr);
    const report = JSON.parse(run.stdout) as import('../../src/core/report').Report;
    assert.equal(probe(report, 'debugfs-vmmemctl')?.status, 'denied');
    assert.match(probe(report, 'debugfs-vmmemctl')?.detail ?? '', /cannot search/);
    const needRoot = report.findings.find((finding) => finding.id === 'stats-need-root');
    assert.ok(needRoot, `stats-need-root missing: ${findingIds(report).join(', ')}`);
    // the toolbox still gives the size without root, so the finding is only informative
    assert.equal(needRoot.severity, 'info');
    assert.equal(report.balloon.source, 'vmware-toolbox-cmd stat balloon');
    assert.equal(run.status, 2);
    // as root the same copy reads debugfs: the difference is the user, not the files
    assert.equal(probe(jsonReport(root).report, 'debugfs-vmmemctl')?.status, 'ok');
  } finally {
    temp.remove();
  }
});

test('the probe writes nothing: a guest tree and the working directory are unchanged after a run', () => {
  const temp = tempDir();
  try {
    const root = copyGuest('vmware-limit-12g-of-32g', temp.dir);
    copyGuest('hostile-garbage', temp.dir);
    const before = treeListing(temp.dir);
    for (const name of ['vmware-limit-12g-of-32g', 'hostile-garbage']) {
      const run = spawnSync(process.execPath, [cliBundle(), '--root', join(temp.dir, name), '--format', 'json'], { cwd: temp.dir, encoding: 'utf8' });
      assert.ok(run.status !== null && run.status <= 3, run.stderr);
    }
    const scriptRun = spawnSync('sh', ['-s'], { input: runCli(['--script']).stdout, cwd: temp.dir, env: { PATH: process.env.PATH, BI_ROOT: root }, encoding: 'utf8' });
    assert.equal(scriptRun.status, 0);
    assert.deepEqual(treeListing(temp.dir), before);
  } finally {
    temp.remove();
  }
});

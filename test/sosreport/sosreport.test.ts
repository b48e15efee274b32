import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import type { Report } from '../../src/core/report';
import { blocksFromLsmem, dmiFromDmidecode, openSosreport, parseDateOutput, rawStatsFromText, scratchParent } from '../../src/transport/sosreport';
import { findingIds, GiB, GUESTS_DIR, probe, runCli, schemaErrors, tempDir, type CliRun } from '../helpers/guests';

const SOSREPORTS = join(GUESTS_DIR, '..', 'sosreports');
/** The one sos report directory inside each fixture folder (as sos names it: sosreport-HOST-...). */
const fixture = (name: string) => { const dir = join(SOSREPORTS, name); return join(dir, readdirSync(dir)[0]!); };

/** `--sosreport PATH --format json` with a private TMPDIR, so leftovers of the run can be seen. */
function sosJson(path: string): { report: Report; run: CliRun; leftovers: string[] } {
  const tmp = tempDir('bi-sos-test-');
  try {
    const run = runCli(['--sosreport', path, '--format', 'json'], { env: { TMPDIR: tmp.dir } });
    let report: Report;
    try { report = JSON.parse(run.stdout) as Report; } catch { throw new Error(`--sosreport ${path}: no JSON (exit ${run.status}): ${run.stderr}`); }
    return { report, run, leftovers: readdirSync(tmp.dir) };
  } finally { tmp.remove(); }
}

function sosError(path: string): { run: CliRun; leftovers: string[] } {
  const tmp = tempDir('bi-sos-test-');
  try {
    const run = runCli(['--sosreport', path], { env: { TMPDIR: tmp.dir }, timeoutMs: 60_000 });
    return { run, leftovers: readdirSync(tmp.dir) };
  } finally { tmp.remove(); }
}

/** Every section sos did not collect names the sos path it looked for. */
function assertAbsentNamed(report: Report): void {
  for (const record of report.probes.filter((p) => p.status === 'absent')) assert.match(record.detail ?? '', /^not in this sosreport: \S.* absent$/, `${record.id}: ${record.detail}`);
}

test('sos 4.2+ VMware report (debugfs vmmemctl, vmware plugin ran the toolbox): same balloon as the live guest fixture, toolbox stats unknown, not "missing"', () => {
  const { report, run, leftovers } = sosJson(fixture('vmware-sos4-debugfs'));
  assert.deepEqual(schemaErrors(report), []);
  assert.equal(run.status, 2);
  assert.equal(report.hypervisor.kind, 'vmware');
  assert.equal(report.balloon.driver, 'vmw_balloon');
  assert.equal(report.balloon.currentBytes, 20 * GiB);
  assert.equal(report.balloon.source, 'debugfs vmmemctl');
  assert.equal(report.memory.configuredBytes, 32 * GiB);
  assert.equal(report.collectedAt, '2025-03-03T09:15:02.123Z');
  assert.match(report.target.name, /^rhel9-app01 \(sosreport sosreport-rhel9-app01-/);
  assert.equal(report.guest.kernel, '5.14.0-427.13.1.el9_4.x86_64');
  assert.equal(probe(report, 'memory-blocks')?.detail, 'from sos_commands/memory/lsmem_-a_-o_RANGE_SIZE_STATE_REMOVABLE_ZONES_NODE_BLOCK');
  // Every figure's section names the sos file it was read from.
  assert.equal(probe(report, 'debugfs-vmmemctl')?.detail, 'from sys/kernel/debug/vmmemctl');
  assert.equal(probe(report, 'meminfo')?.detail, 'from proc/meminfo');
  assert.equal(probe(report, 'dmi')?.detail, 'from sys/class/dmi/id');
  assert.ok(!findingIds(report).includes('vmware-tools-missing'), 'sos ran vmware-toolbox-cmd: the tools are there');
  assert.match(probe(report, 'toolbox-memlimit')?.detail ?? '', /^not in this sosreport: sos_commands\/vmware\/vmware-toolbox-cmd_stat_memlimit absent/);
  assert.equal(report.limits.memLimitBytes, null);
  assertAbsentNamed(report);
  assert.deepEqual(leftovers, [], 'the private copy is removed');
});

test('sos 4.2+ `stat raw text` outputs: the raw balloon statistic is quoted where the toolbox balloon is unknown, never used as a figure', () => {
  const { report } = sosJson(fixture('vmware-sos4-debugfs'));
  // sos_commands/vmware/vmware-toolbox-cmd_stat_raw_text_resources holds guest.mem.ballooned = 20971520 (xsos issue 286 shape).
  assert.equal(probe(report, 'toolbox-balloon')?.detail,
    'not in this sosreport: sos_commands/vmware/vmware-toolbox-cmd_stat_balloon absent (sos ran vmware-toolbox-cmd, not this stat; sos_commands/vmware/vmware-toolbox-cmd_stat_raw_text_resources has guest.mem.ballooned = 20971520, a raw host statistic of undocumented unit, not used)');
  assert.equal(probe(report, 'toolbox-swap')?.detail, 'not in this sosreport: sos_commands/vmware/vmware-toolbox-cmd_stat_swap absent (sos ran vmware-toolbox-cmd, not this stat)');
  assert.equal(report.balloon.source, 'debugfs vmmemctl', 'the balloon size still comes from the driver');
});

test('rawStatsFromText reads the Guest SDK text encoding (key = value) and nothing else', () => {
  assert.deepEqual([...rawStatsFromText('session = 4004861987670969122\nguest.mem.ballooned = 16712052\n')!], [['session', '4004861987670969122'], ['guest.mem.ballooned', '16712052']]);
  assert.deepEqual([...rawStatsFromText('size.tx = 38137\r\nlimit = -1\n')!], [['size.tx', '38137'], ['limit', '-1']]);
  assert.equal(rawStatsFromText('Failed to get stat: Unsupported\n'), null);
  assert.equal(rawStatsFromText(''), null);
  assert.equal(rawStatsFromText('a = \u001b[31mred\n'), null, 'control characters are not quoted');
  assert.equal(rawStatsFromText(`key = ${'x'.repeat(200)}\n`), null, 'over-long values are not quoted');
});

test('the same report without vmware plugin output: tools missing, same balloon', () => {
  const { report } = sosJson(fixture('vmware-sos4-debugfs-no-toolbox'));
  assert.equal(report.balloon.currentBytes, 20 * GiB);
  assert.ok(findingIds(report).includes('vmware-tools-missing'));
  assert.equal(probe(report, 'toolbox-balloon')?.detail, 'not in this sosreport: sos_commands/vmware/vmware-toolbox-cmd_stat_balloon absent');
});

test('sos 3.x legacy VMware report: /proc/vmmemctl, hostname and date from the general plugin, no manifest', () => {
  const { report } = sosJson(fixture('vmware-sos3-proc-vmmemctl'));
  assert.equal(report.hypervisor.kind, 'vmware');
  assert.equal(report.balloon.driver, 'vmmemctl');
  assert.equal(report.balloon.currentBytes, 1 * GiB);
  assert.equal(report.balloon.source, '/proc/vmmemctl');
  assert.equal(report.collectedAt, '2025-03-03T09:15:02.000Z');
  assert.match(report.target.name, /^rhel5-legacy01 /);
  assert.equal(probe(report, 'dmi')?.detail, 'not in this sosreport: sys/class/dmi/id (and sos_commands/hardware/dmidecode) absent');
  assertAbsentNamed(report);
});

test('Hyper-V report: identity from dmidecode, configured memory from lsmem', () => {
  const { report } = sosJson(fixture('hyperv-sos4'));
  assert.equal(report.hypervisor.kind, 'hyperv');
  assert.equal(report.balloon.driver, 'hv_balloon');
  assert.equal(report.memory.configuredBytes, 8 * GiB);
  assert.equal(probe(report, 'dmi')?.detail, 'from sos_commands/hardware/dmidecode');
  assertAbsentNamed(report);
});

test('a report without the copied /proc/modules reads lsmod (sos_commands/kernel/lsmod) instead', () => {
  const tmp = tempDir('bi-sos-lsmod-');
  try {
    const top = join(tmp.dir, 'sosreport-hv-rhel8-2025-03-03-hijklmn');
    cpSync(fixture('hyperv-sos4'), top, { recursive: true, verbatimSymlinks: true });
    rmSync(join(top, 'proc', 'modules'));
    const { report } = sosJson(top);
    assert.equal(report.balloon.driver, 'hv_balloon');
    assert.equal(probe(report, 'modules')?.detail, 'from sos_commands/kernel/lsmod');
  } finally { tmp.remove(); }
});

test('Xen report: the built-in driver seen in dmesg; the size sos did not collect is unknown, never "no driver"', () => {
  const { report, run } = sosJson(fixture('xen-sos4'));
  assert.equal(report.hypervisor.kind, 'xen');
  assert.equal(report.balloon.driver, 'xen_balloon');
  assert.equal(report.balloon.currentBytes, null);
  assert.equal(run.status, 3);
  assert.ok(!findingIds(report).includes('balloon-driver-missing'));
  assert.equal(probe(report, 'xen-memory')?.detail, 'not in this sosreport: sys/devices/system/xen_memory/xen_memory0 absent');
});

test('bare-metal report: not virtualized', () => {
  const { report } = sosJson(fixture('bare-metal-sos4'));
  assert.equal(report.hypervisor.kind, 'none');
  assert.deepEqual(findingIds(report), ['not-virtualized']);
  assert.equal(report.memory.configuredBytes, 256 * GiB);
});

test('archives as sos writes them (.tar.xz, .tar.gz, .tar.bz2) give the directory\'s report', () => {
  const tmp = tempDir('bi-sos-archives-');
  try {
    const dir = fixture('vmware-sos4-debugfs');
    const expected = sosJson(dir).report;
    for (const [flag, ext] of [['-J', 'xz'], ['-z', 'gz'], ['-j', 'bz2']] as const) {
      const archive = join(tmp.dir, `sosreport-rhel9-app01-2025-03-03-abcdefg.tar.${ext}`);
      execFileSync('tar', ['-C', join(dir, '..'), flag, '-cf', archive, 'sosreport-rhel9-app01-2025-03-03-abcdefg']);
      const { report, leftovers } = sosJson(archive);
      const same = (r: Report) => ({ ...r, target: null, probes: r.probes.map((p) => ({ ...p, ms: 0 })) });
      assert.deepEqual(same(report), same(expected), ext);
      assert.equal(report.target.name, `rhel9-app01 (sosreport sosreport-rhel9-app01-2025-03-03-abcdefg.tar.${ext})`);
      assert.deepEqual(leftovers, [], ext);
    }
  } finally { tmp.remove(); }
});

test('the private copy is mode 0700 and gone after cleanup', async () => {
  const sos = await openSosreport(fixture('hyperv-sos4'));
  assert.equal(statSync(sos.root).mode & 0o777, 0o700);
  assert.ok(existsSync(join(sos.root, 'sys/class/dmi/id/sys_vendor')));
  await sos.cleanup();
  assert.ok(!existsSync(sos.root));
});

test('the private copy goes where TMPDIR says; without it, into a file system in memory (XDG_RUNTIME_DIR, /dev/shm), not the disk', () => {
  const tmp = tempDir('bi-sos-scratch-');
  try {
    const runtime = join(tmp.dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    assert.equal(scratchParent({ TMPDIR: join(tmp.dir, 'mine') }), join(tmp.dir, 'mine'));
    assert.equal(scratchParent({ XDG_RUNTIME_DIR: runtime }), runtime);
    const shm = existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();
    assert.equal(scratchParent({ XDG_RUNTIME_DIR: join(tmp.dir, 'gone') }), shm, 'a runtime directory that is not there is passed over');
    // The check itself: nothing left in the runtime directory, the report as with TMPDIR.
    const run = runCli(['--sosreport', fixture('hyperv-sos4'), '--format', 'json'], { env: { TMPDIR: '', XDG_RUNTIME_DIR: runtime } });
    assert.equal(JSON.parse(run.stdout).hypervisor.kind, 'hyperv', run.stderr);
    assert.deepEqual(readdirSync(runtime), []);
  } finally { tmp.remove(); }
});

// ---- hostile archives: crafted with Python's tarfile, which writes any member name or type ----

function craft(path: string, script: string): void {
  const run = spawnSync('python3', ['-c', `import tarfile, io, sys\nout = sys.argv[1]\n${script}`, path], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}
const memberHelpers = `
def add(t, name, data=b'x', **kw):
    info = tarfile.TarInfo(name); info.size = len(data)
    for k, v in kw.items(): setattr(info, k, v)
    t.addfile(info, io.BytesIO(data) if info.type in (tarfile.REGTYPE, tarfile.AREGTYPE) else None)
`;

test('hostile archives are refused with a clear error and leave nothing behind', () => {
  const tmp = tempDir('bi-sos-hostile-');
  try {
    const cases: [string, string, RegExp][] = [
      ['traversal', `add(t, 'sosreport-x/proc/meminfo', b'MemTotal: 1 kB\\n'); add(t, 'sosreport-x/../../tmp/evil')`, /leaves the archive \(path traversal\): refused/],
      ['absolute', `add(t, '/etc/evil')`, /leaves the archive \(path traversal\): refused/],
      ['symlink-out', `add(t, 'sosreport-x/proc/meminfo', type=tarfile.SYMTYPE, linkname='/proc/meminfo')`, /links out of the sos report .*refused/],
      ['symlink-up', `add(t, 'sosreport-x/hostname', type=tarfile.SYMTYPE, linkname='../../etc/hostname')`, /links out of the sos report .*refused/],
      ['hardlink-out', `add(t, 'sosreport-x/proc/vmstat', type=tarfile.LNKTYPE, linkname='../etc/shadow')`, /leaves|links out/],
      ['device', `add(t, 'sosreport-x/proc/meminfo', type=tarfile.CHRTYPE, devmajor=1, devminor=5)`, /device or FIFO \(CharacterDevice\): refused/],
      ['fifo', `add(t, 'sosreport-x/proc/vmstat', type=tarfile.FIFOTYPE)`, /device or FIFO \(FIFO\): refused/],
    ];
    for (const [name, body, expected] of cases) {
      const archive = join(tmp.dir, `${name}.tar.gz`);
      craft(archive, `${memberHelpers}\nwith tarfile.open(out, 'w:gz', format=tarfile.GNU_FORMAT) as t:\n    ${body.split('; ').join('\n    ')}\n`);
      const { run, leftovers } = sosError(archive);
      assert.equal(run.status, 3, `${name}: ${run.stderr}`);
      assert.match(run.stderr, expected, name);
      assert.equal(run.stdout, '', name);
      assert.deepEqual(leftovers, [], name);
    }
    assert.ok(!existsSync('/tmp/evil'));
  } finally { tmp.remove(); }
});

test('a decompression bomb (300 MB of zeros in 300 KB) is refused before it is read whole', () => {
  const tmp = tempDir('bi-sos-bomb-');
  try {
    const archive = join(tmp.dir, 'bomb.tar.gz');
    craft(archive, `
class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k
with tarfile.open(out, 'w:gz', compresslevel=1) as t:
    info = tarfile.TarInfo('sosreport-x/var/log/messages'); info.size = 300 * 1024 * 1024
    t.addfile(info, io.BufferedReader(Zeros(info.size)))
`);
    assert.ok(statSync(archive).size < 2 * 1024 * 1024);
    const { run, leftovers } = sosError(archive);
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stderr, /decompression bomb: the archive unpacks to more than 268435456 bytes, over 200 times its \d+ bytes: refused/);
    assert.deepEqual(leftovers, []);
  } finally { tmp.remove(); }
});

test('a 1 GB sparse member is not read whole: the run ends in seconds and keeps nothing of it', () => {
  const tmp = tempDir('bi-sos-sparse-');
  try {
    const top = join(tmp.dir, 'src', 'sosreport-sparse-2025-03-03-abcdefg');
    mkdirSync(join(top, 'proc'), { recursive: true });
    mkdirSync(join(top, 'sos_commands', 'host'), { recursive: true });
    writeFileSync(join(top, 'sos_commands', 'host', 'hostname'), 'sparse01\n');
    execFileSync('truncate', ['-s', '1G', join(top, 'proc', 'meminfo')]);
    const archive = join(tmp.dir, 'sparse.tar.xz');
    execFileSync('tar', ['-C', join(tmp.dir, 'src'), '--sparse', '-cJf', archive, 'sosreport-sparse-2025-03-03-abcdefg']);
    assert.ok(statSync(archive).size < 1024 * 1024);
    const started = Date.now();
    const { report, run } = sosJson(archive);
    assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
    assert.equal(run.status, 3);
    assert.match(report.target.name, /^sparse01 /);
    // A sparse member is not a plain file the probe may read: meminfo is unknown, named.
    assert.equal(probe(report, 'meminfo')?.detail, 'not in this sosreport: proc/meminfo absent');
  } finally { tmp.remove(); }
});

test('not a sos report: a clear error', () => {
  const tmp = tempDir('bi-sos-bad-');
  try {
    const junk = join(tmp.dir, 'junk.tar.xz');
    writeFileSync(junk, 'this is no archive at all, just text that is long enough to look at'.repeat(10));
    assert.match(sosError(junk).run.stderr, /is not a tar archive/);
    assert.match(sosError(join(tmp.dir, 'missing')).run.stderr, /cannot open .*ENOENT/);
    const damaged = join(tmp.dir, 'damaged.tar.xz');
    writeFileSync(damaged, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(600, 7)]));
    assert.match(sosError(damaged).run.stderr, /xz -dc failed|damaged/);
  } finally { tmp.remove(); }
});

// ---- the mappings, on real outputs and garbage ----

test('lsmem, dmidecode and date outputs map; garbage maps to nothing', () => {
  const lsmem = 'RANGE                                  SIZE  STATE REMOVABLE  ZONES NODE BLOCK\n0x0000000000000000-0x0000000007ffffff  128M online       yes   None    0     0\n0x0000000008000000-0x000000001fffffff  384M offline      yes  DMA32    0   1-3\n\nMemory block size:       128M\nTotal online memory:     128M\nTotal offline memory:    384M\n';
  const blocks = blocksFromLsmem(lsmem);
  assert.equal(blocks?.blockSizeBytes, 128 * 1024 * 1024);
  assert.deepEqual([...blocks!.states], [[0, 'online'], [1, 'offline'], [2, 'offline'], [3, 'offline']]);
  assert.equal(blocksFromLsmem('garbage'), null);
  assert.equal(blocksFromLsmem(lsmem.replace(' 1-3', ' 3-1')), null);
  assert.deepEqual(dmiFromDmidecode('Handle 0x0001\nSystem Information\n\tManufacturer: QEMU\n\tProduct Name: Standard PC (Q35 + ICH9, 2009)\n'), { sys_vendor: 'QEMU', product_name: 'Standard PC (Q35 + ICH9, 2009)' });
  assert.deepEqual(dmiFromDmidecode('\u0000\u0001 nonsense'), {});
  assert.equal(parseDateOutput('Sun Nov 29 21:00:45 UTC 2026')?.toISOString(), '2026-11-29T21:00:45.000Z');
  assert.equal(parseDateOutput('Mon Mar  3 10:15:02 +0100 2025')?.toISOString(), '2025-03-03T09:15:02.000Z');
  // A zone abbreviation (CET) is ambiguous: no time rather than a wrong one.
  assert.equal(parseDateOutput('Mon Mar  3 10:15:02 CET 2025'), null);
  assert.equal(parseDateOutput('yesterday'), null);
});

// ---- a real sos report of this machine ----

test('a real sos report of this machine (Debian sosreport) gives the live check\'s hypervisor, configured memory and, where sos kept the evidence, driver and balloon', () => {
  const sos = spawnSync('sos', ['report', '-l'], { encoding: 'utf8' });
  assert.equal(sos.error, undefined, 'the sos command is needed (apt-get install sosreport)');
  const available = new Set([...sos.stdout.matchAll(/^ (\w+)\s/gm)].map((m) => m[1]));
  const plugins = ['kernel', 'memory', 'hardware', 'processor', 'host', 'date', 'systemd', 'vmware', 'xen', 'hyperv'].filter((name) => available.has(name));
  const tmp = tempDir('bi-sos-real-');
  try {
    const made = spawnSync('sos', ['report', '--batch', '--tmp-dir', tmp.dir, '-o', plugins.join(',')], { encoding: 'utf8', timeout: 180_000, cwd: tmp.dir });
    assert.equal(made.status, 0, made.stderr || made.stdout);
    const archive = readdirSync(tmp.dir).find((name) => /^sosreport-.*\.tar\.(xz|gz|bz2)$/.test(name));
    assert.ok(archive, readdirSync(tmp.dir).join(' '));
    const before = Date.now();
    const live = JSON.parse(runCli(['--format', 'json']).stdout) as Report;
    const { report } = sosJson(join(tmp.dir, archive));
    assert.deepEqual(schemaErrors(report), []);
    assert.equal(report.hypervisor.kind, live.hypervisor.kind);
    assert.equal(report.memory.configuredBytes, live.memory.configuredBytes);
    assert.equal(report.memory.totalBytes, live.memory.totalBytes);
    assert.match(report.target.name, new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(sosreport sosreport-`));
    assert.ok(Math.abs(Date.parse(report.collectedAt) - before) < 10 * 60_000, report.collectedAt);
    // The driver: the same, or unknown when the live evidence is one sos does not copy (a built-in
    // virtio_balloon shows only as a virtio device binding in /sys/bus/virtio).
    const liveFromVirtioOnly = live.balloon.driver === 'virtio_balloon' && !live.probes.some((p) => p.id === 'modules' && p.status === 'ok' && report.balloon.driver);
    if (report.balloon.driver === null && liveFromVirtioOnly) {
      assert.equal(probe(report, 'virtio-drivers')?.detail, 'not in this sosreport: sys/bus/virtio absent');
      assert.equal(report.balloon.currentBytes, null);
    } else {
      assert.equal(report.balloon.driver, live.balloon.driver);
      assert.equal(report.balloon.currentBytes, live.balloon.currentBytes);
    }
    assertAbsentNamed(report);
  } finally { tmp.remove(); }
});

test('a link out of the tree that the check never follows (etc/localtime -> /usr/share/zoneinfo/UTC) does not spoil the report', () => {
  const tmp = tempDir('bi-sos-links-');
  try {
    const archive = join(tmp.dir, 'links.tar.gz');
    craft(archive, `${memberHelpers}\nwith tarfile.open(out, 'w:gz') as t:\n    add(t, 'sosreport-x/sos_commands/host/hostname', b'linky01\\n')\n    add(t, 'sosreport-x/etc/localtime', type=tarfile.SYMTYPE, linkname='/usr/share/zoneinfo/UTC')\n`);
    const { report, run } = sosJson(archive);
    assert.equal(run.status, 3, run.stderr);
    assert.match(report.target.name, /^linky01 /);
  } finally { tmp.remove(); }
});

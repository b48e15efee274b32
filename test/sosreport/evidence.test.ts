import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Report } from '../../src/core/report';
import { GUESTS_DIR, runCli, schemaErrors, tempDir } from '../helpers/guests';

/** --input reads at most 8 MiB. */
const MAX_INPUT = 8 * 1024 * 1024;
const VMWARE = join(GUESTS_DIR, 'vmware-limit-12g-of-32g');
const members = (bundle: string) => execFileSync('tar', ['-tzf', bundle], { encoding: 'utf8' }).trim().split('\n').sort();
const member = (bundle: string, name: string) => execFileSync('tar', ['-xzOf', bundle, `balloon-evidence/${name}`], { encoding: 'utf8' });
const withoutTarget = (report: Report) => ({ ...report, target: null, probes: report.probes.map((p) => ({ ...p, ms: 0 })) });

test('--collect FILE writes the raw probe output, both reports and a README; --input and --sosreport read it back to the same report', () => {
  const tmp = tempDir('bi-evidence-');
  try {
    const bundle = join(tmp.dir, 'ticket-4711.tar.gz');
    const run = runCli(['--root', VMWARE, '--format', 'json', '--collect', bundle]);
    assert.equal(run.status, 2, run.stderr);
    const printed = JSON.parse(run.stdout) as Report;
    assert.deepEqual(members(bundle), ['balloon-evidence/', 'balloon-evidence/README.md', 'balloon-evidence/probe-output.txt', 'balloon-evidence/report.json', 'balloon-evidence/report.md']);
    assert.deepEqual(JSON.parse(member(bundle, 'report.json')), printed);
    assert.match(member(bundle, 'probe-output.txt'), /^BALLOON-INSPECTOR-PROBE 1 @@BI-/);
    assert.match(member(bundle, 'report.md'), /## For the vSphere\/KVM admin/);
    const readme = member(bundle, 'README.md');
    assert.ok(readme.includes(`- Checked: ${printed.collectedAt}`));
    assert.match(readme, /- Host: rhel9-app01\n/);
    assert.match(readme, /- Tool: balloon-check \d+\.\d+\.\d+ \(--root /);
    assert.deepEqual(readdirSync(tmp.dir), ['ticket-4711.tar.gz'], 'no partial file left');
    for (const flag of ['--input', '--sosreport']) {
      const again = runCli([flag, bundle, '--format', 'json']);
      assert.equal(again.status, 2, again.stderr);
      const report = JSON.parse(again.stdout) as Report;
      assert.deepEqual(schemaErrors(report), []);
      assert.deepEqual(withoutTarget(report), withoutTarget(printed), flag);
      assert.match(report.target.name, /^rhel9-app01 /);
    }
  } finally { tmp.remove(); }
});

test('--sosreport with --collect bundles the sos analysis (its probe output in sos wording)', () => {
  const tmp = tempDir('bi-evidence-');
  try {
    const sos = join(GUESTS_DIR, '..', 'sosreports', 'vmware-sos4-debugfs');
    const bundle = join(tmp.dir, 'b.tar.gz');
    const run = runCli(['--sosreport', join(sos, readdirSync(sos)[0]!), '--collect', bundle, '--format', 'json']);
    assert.equal(run.status, 2, run.stderr);
    assert.match(member(bundle, 'probe-output.txt'), /toolbox-memlimit error not in this sosreport: sos_commands\/vmware\/vmware-toolbox-cmd_stat_memlimit absent/);
    assert.match(member(bundle, 'README.md'), /\(--sosreport /);
    const back = JSON.parse(runCli(['--input', bundle, '--format', 'json']).stdout) as Report;
    assert.equal(back.collectedAt, '2025-03-03T09:15:02.123Z');
  } finally { tmp.remove(); }
});

test('--collect refuses what it cannot do, and a gzip bomb given as --input is refused', () => {
  const tmp = tempDir('bi-evidence-');
  try {
    const unwritable = runCli(['--root', VMWARE, '--collect', join(tmp.dir, 'no', 'such', 'dir', 'b.tar.gz')]);
    assert.equal(unwritable.status, 3);
    assert.match(unwritable.stderr, /cannot write .*b\.tar\.gz/);
    assert.match(runCli(['--collect', '']).stderr, /--collect needs a file name and one guest/);
    // Shaped like a bundle (its first member balloon-evidence/), with 64 MiB of zeros in 64 KiB.
    const bomb = join(tmp.dir, 'bomb.gz');
    const made = spawnSync('python3', ['-c', `import tarfile, io, sys
class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k
with tarfile.open(sys.argv[1], 'w:gz', compresslevel=9) as t:
    d = tarfile.TarInfo('balloon-evidence/'); d.type = tarfile.DIRTYPE; t.addfile(d)
    f = tarfile.TarInfo('balloon-evidence/probe-output.txt'); f.size = 64 << 20
    t.addfile(f, io.BufferedReader(Zeros(f.size)))
`, bomb], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    assert.ok(statSync(bomb).size < MAX_INPUT);
    writeFileSync(join(tmp.dir, 'plain.gz'), gzipSync(Buffer.alloc(1024 * 1024)));
    assert.match(runCli(['--input', join(tmp.dir, 'plain.gz')]).stderr, /no probe header/, 'a gzip that is no bundle is read as text');
    const run = runCli(['--input', bomb]);
    assert.equal(run.status, 3);
    assert.match(run.stderr, /bomb\.gz: the bundle unpacks to more than 33554432 bytes/);
  } finally { tmp.remove(); }
});

test('--sosreport and --collect usage errors', () => {
  for (const [args, message] of [
    [['--sosreport', 'x', '--root', '/'], /--sosreport goes with none of --root, --input, --watch, --ssh/],
    [['--sosreport', 'x', '--input', 'y'], /--sosreport goes with none of/],
    [['--sosreport', 'x', '--watch', '5'], /--sosreport goes with none of/],
    [['--collect', 'b.tar.gz', '--all-ssh-hosts'], /--collect needs a file name and one guest/],
  ] as const) {
    const run = runCli([...args]);
    assert.equal(run.status, 3, args.join(' '));
    assert.match(run.stderr, message);
  }
});

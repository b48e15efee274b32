import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import type { Report } from '../../src/core/report';
import { committedGuests, copyGuest, findingIds, guestPath, jsonReport, runCli, runCliAsync, schemaErrors, tempDir } from '../helpers/guests';
import { requireCommand, ROOT } from '../helpers/system';

const SEED = guestPath('vmware-limit-12g-of-32g');

test('--format prometheus passes promtool check metrics for every guest', (t) => {
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  for (const name of committedGuests()) {
    const extra = name === 'hostile-hanging-tool' ? ['--tool-timeout', '1'] : [];
    const run = runCli(['--root', guestPath(name), '--format', 'prometheus', ...extra]);
    assert.ok(run.status !== null && run.status <= 3, `${name}: exit ${run.status}`);
    assert.match(run.stdout, /^balloon_inspector_status \d$/m, `${name}: no status sample`);
    const verdict: SpawnSyncReturns<string> = spawnSync(promtool, ['check', 'metrics'], { input: run.stdout, encoding: 'utf8' });
    assert.equal(verdict.status, 0, `${name}: promtool says\n${verdict.stdout}${verdict.stderr}`);
  }
});

test('--format prometheus carries the seed figures in base units', () => {
  const out = runCli(['--root', SEED, '--format', 'prometheus']).stdout;
  assert.match(out, /^balloon_inspector_balloon_bytes 21474836480$/m);
  assert.match(out, /^balloon_inspector_memory_limit_bytes 12884901888$/m);
  assert.match(out, /^balloon_inspector_memory_configured_bytes 34359738368$/m);
  assert.match(out, /^balloon_inspector_status 2$/m);
  assert.match(out, /^balloon_inspector_finding\{id="limit-below-configured",severity="critical"\} 1$/m);
});

test('--format text: key figures, no ANSI colour when stdout is not a terminal', () => {
  const run = runCli(['--root', SEED]);
  assert.equal(run.status, 2);
  assert.doesNotMatch(run.stdout, /\x1b\[/, 'colour codes in piped output');
  for (const figure of ['CRITICAL', '20.0 GiB', '12.0 GiB', '32.0 GiB', 'limit-below-configured', 'vmw_balloon', 'debugfs vmmemctl']) {
    assert.ok(run.stdout.includes(figure), `text lacks ${figure}:\n${run.stdout}`);
  }
  const bare = runCli(['--root', guestPath('bare-metal')]);
  assert.match(bare.stdout, /bare metal/);
  assert.doesNotMatch(bare.stdout, /\x1b\[/);
});

test('--format markdown: heading, status, findings and figures', () => {
  const run = runCli(['--root', SEED, '--format', 'markdown']);
  assert.equal(run.status, 2);
  assert.match(run.stdout, /^# /m);
  for (const figure of ['CRITICAL', '20.0 GiB', '12.0 GiB', 'limit-below-configured', 'balloon-inflated', 'unaccounted-memory']) {
    assert.ok(run.stdout.includes(figure), `markdown lacks ${figure}`);
  }
  const unknown = runCli(['--root', guestPath('hostile-truncated'), '--format', 'markdown']);
  assert.equal(unknown.status, 3);
  assert.doesNotMatch(unknown.stdout, /nothing is taking memory/, 'an unknown check must not say all is well');
});

test('--script prints the probe script itself', () => {
  const run = runCli(['--script']);
  assert.equal(run.status, 0);
  assert.equal(run.stdout, readFileSync(join(ROOT, 'src', 'core', 'probe.sh'), 'utf8'));
  assert.match(run.stdout, /^#!\/bin\/sh\n/);
});

/** Probe output as a user would save it: the printed script run with sh on the "guest". */
function savedProbeOutput(root: string): string {
  const script = runCli(['--script']).stdout;
  const run = spawnSync('sh', ['-s'], { input: script, env: { ...process.env, BI_ROOT: root, LC_ALL: 'C' }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}
const comparable = (report: Report) => ({ ...report, collectedAt: '', target: { kind: report.target.kind, name: '' } });

for (const name of ['vmware-limit-12g-of-32g', 'kvm-virtio-inflated-no-deflate', 'hostile-binary']) {
  test(`--input FILE and --input - analyse saved output of ${name} exactly like --root`, () => {
    const temp = tempDir();
    try {
      const saved = join(temp.dir, 'probe.out');
      writeFileSync(saved, savedProbeOutput(guestPath(name)));
      const direct = jsonReport(guestPath(name));
      const fromFile = runCli(['--input', saved, '--format', 'json']);
      const fromStdin = runCli(['--input', '-', '--format', 'json'], { input: readFileSync(saved) });
      for (const run of [fromFile, fromStdin]) {
        assert.equal(run.status, direct.run.status, run.stderr);
        const report = JSON.parse(run.stdout) as Report;
        assert.deepEqual(schemaErrors(report), []);
        assert.deepEqual(comparable(report), comparable(direct.report));
      }
      assert.match((JSON.parse(fromStdin.stdout) as Report).target.name, /stdin/);
    } finally {
      temp.remove();
    }
  });
}

test('--input of garbage, empty, binary or missing input exits 3 with a clear message', () => {
  const temp = tempDir();
  try {
    const cases: [string, Buffer | string, RegExp][] = [
      ['garbage.txt', 'MemTotal: 1 kB\nthis is not probe output\n', /UNKNOWN: no probe header/],
      ['empty.txt', '', /UNKNOWN: no probe header/],
      ['binary.bin', Buffer.from([0, 1, 2, 255, 254, 0, 66, 65, 76, 76, 0x0a, 0]), /UNKNOWN: no probe header/],
      ['header-only.txt', 'BALLOON-INSPECTOR-PROBE 1 @@BI-x@@\n', /UNKNOWN: .*no sections/],
      ['future.txt', 'BALLOON-INSPECTOR-PROBE 9 @@BI-x@@\n\n@@BI-x@@ meta ok\n', /UNKNOWN: .*format 9 is not supported/],
    ];
    for (const [file, content, message] of cases) {
      writeFileSync(join(temp.dir, file), content);
      const run = runCli(['--input', join(temp.dir, file)]);
      assert.equal(run.status, 3, `${file}: exit ${run.status}`);
      assert.equal(run.stdout, '', `${file}: printed a report`);
      assert.match(run.stderr, message, file);
      const viaStdin = runCli(['--input', '-', '--format', 'json'], { input: content });
      assert.equal(viaStdin.status, 3);
      assert.match(viaStdin.stderr, message);
    }
    const missing = runCli(['--input', join(temp.dir, 'no-such-file')]);
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /cannot read .*no-such-file/);
  } finally {
    temp.remove();
  }
});

test('usage errors exit 3 with the one-line error and a hint, not the whole help', () => {
  const cases: [string[], RegExp][] = [
    [['--format', 'xml'], /unknown --format "xml"/],
    [['--bogus'], /bogus/],
    [['--count', '3'], /--count needs --watch/],
    [['--root', SEED, '--input', '-'], /exclude each other/],
    [['--watch', '0'], /--watch needs a positive number/],
    [['--watch', '1', '--count', '1.5'], /--count needs a positive whole number/],
    [['--tool-timeout', 'soon'], /--tool-timeout needs a positive number/],
    [['positional'], /positional/i],
  ];
  for (const [args, message] of cases) {
    const run = runCli(args);
    assert.equal(run.status, 3, `${args.join(' ')}: exit ${run.status}`);
    assert.match(run.stderr, message, args.join(' '));
    assert.match(run.stderr, /^balloon-check: [^\n]+\nTry 'balloon-check --help' for the options\.\n$/, args.join(' '));
    assert.doesNotMatch(run.stderr, /Usage: balloon-check/);
    assert.equal(run.stdout, '');
  }
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: balloon-check/);
});

test('--watch 1 --count 3 on a guest whose balloon grows: trend inflating, balloon-inflating fires', async () => {
  const temp = tempDir();
  const root = copyGuest('vmware-no-tools', temp.dir);
  const debugfs = join(root, 'sys', 'kernel', 'debug', 'vmmemctl');
  const original = readFileSync(debugfs, 'utf8');
  let frames = 393216;
  // Grow the balloon 100 MiB every 100 ms, target = current each time (so only the trend can see it),
  // replacing the file atomically as the kernel's seq_file never shows a half-written page.
  const grow = setInterval(() => {
    frames += 25600;
    // V4 layout "%-22s: %16lu"; the later "target : N (0 failed)" counter line does not match.
    const text = original.replace(/^(target|current) +: +\d+$/gm, (_line, key: string) => `${key.padEnd(22)}: ${String(frames).padStart(16)}`);
    writeFileSync(`${debugfs}.new`, text);
    renameSync(`${debugfs}.new`, debugfs);
  }, 100);
  try {
    const run = await runCliAsync(['--root', root, '--watch', '1', '--count', '3', '--format', 'json']);
    clearInterval(grow);
    assert.equal(run.status !== null && run.status >= 1, true, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(schemaErrors(report), []);
    assert.ok(report.trend, 'no trend in watch mode');
    assert.equal(report.trend.samples, 3);
    assert.equal(report.trend.direction, 'inflating');
    assert.ok((report.trend.balloonDeltaBytes ?? 0) >= 100 * 1024 * 1024, `delta ${report.trend.balloonDeltaBytes}`);
    assert.ok(report.trend.seconds >= 1.5, `samples ${report.trend.seconds} s apart in total`);
    assert.equal(report.balloon.targetBytes, report.balloon.currentBytes, 'target = current: only the trend shows the growth');
    const inflating = report.findings.find((finding) => finding.id === 'balloon-inflating');
    assert.ok(inflating, `balloon-inflating missing: ${findingIds(report).join(', ')}`);
    assert.match(inflating.title, /grew by/);
  } finally {
    clearInterval(grow);
    temp.remove();
  }
});

// Issue 9, items 2, 3, 9, 10, 15 (file descriptors): the CLI under hostile sizes, endless input and signals.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { fleetPrometheus, jobsWithinFdLimit, summaryMarkdown, summaryTable, type HostResult } from '../../src/cli/fleet';
import { analyzeProbeOutput, EXIT_CODES, type Report } from '../../src/core/report';
import { MAX_TREND_SAMPLES } from '../../src/core/trend';
import { MAX_OUTPUT_BYTES } from '../../src/transport/transport';
import { guestPath, runCli, tempDir } from '../helpers/guests';
import { MARKER, probeOutput, SEED_SECTIONS } from '../helpers/samples';
import { freePort } from '../helpers/sshd';
import { cliBundle, requireCommand } from '../helpers/system';

const SEED = guestPath('vmware-limit-12g-of-32g');
const temp = tempDir('bi-cli-hardening-');
test.after(() => temp.remove());

/** Where a preloaded module writes the CLI's peak RSS (KiB) at exit: no reliance on /usr/bin/time. */
const RSS_HOOK = join(temp.dir, 'rss-hook.js');
writeFileSync(RSS_HOOK, "process.on('exit', () => require('fs').writeFileSync(process.env.BI_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));\n");

interface MeasuredRun { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number; peakRssMiB: number }

/** Runs `node dist/cli.js ARGS` through `sh -c` (pipes, ulimit), measuring time and the CLI's peak RSS. */
function measuredCli(args: string[], options: { shellPrefix?: string; timeoutMs?: number } = {}): MeasuredRun {
  const rssFile = join(temp.dir, `rss-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const quoted = [process.execPath, '--require', RSS_HOOK, cliBundle(), ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const started = Date.now();
  const run = spawnSync('/bin/sh', ['-c', `${options.shellPrefix ?? ''}${quoted}`], {
    encoding: 'utf8', timeout: options.timeoutMs ?? 20_000, maxBuffer: 64 << 20, env: { ...process.env, BI_TEST_RSS_FILE: rssFile, NO_COLOR: '' },
  });
  const ms = Date.now() - started;
  const peakRssMiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : NaN;
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr, ms, peakRssMiB };
}

/** Figures for the report and BENCHMARKS.md, printed by the spec reporter as diagnostics. */
const figures = (t: { diagnostic: (message: string) => void }, what: string, run: MeasuredRun) =>
  t.diagnostic(`${what}: exit ${run.status}, ${run.ms} ms, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);

// ---- item 2: fleet Prometheus output at 10,000 hosts, atomic --output ----

/** Real reports of many hosts: the seed guest's probe output (CRITICAL: 20 GiB balloon, 12 GiB limit) under each host's name. */
function generatedFleet(hosts: number): HostResult[] {
  const seed = probeOutput(SEED_SECTIONS);
  const results: HostResult[] = [];
  for (let index = 0; index < hosts; index++) {
    const name = `guest-${index}.example`;
    const analysis = analyzeProbeOutput(seed.replace('hostname=db-prod-07', `hostname=${name}`), { kind: 'ssh', name });
    assert.ok(analysis.ok, analysis.ok ? '' : analysis.reason);
    results.push({ report: analysis.report });
  }
  return results;
}

test('fleet Prometheus output of 10,000 CRITICAL hosts: each stays CRITICAL (not UNKNOWN) and promtool accepts the text', (t) => {
  const results = generatedFleet(10_000);
  const started = Date.now();
  const text = fleetPrometheus(results);
  t.diagnostic(`fleetPrometheus of 10,000 hosts: ${Date.now() - started} ms, ${(text.length / 1024 / 1024).toFixed(1)} MiB`);
  const status = [...text.matchAll(/^balloon_inspector_status\{host="guest-(\d+)\.example"\} (\d)$/gm)];
  assert.equal(status.length, 10_000);
  assert.equal(new Set(status.map(([, index]) => index)).size, 10_000, 'one status per host');
  for (const [, index, value] of status) assert.equal(Number(value), EXIT_CODES.critical, `guest-${index}`);
  assert.equal(text.match(/^# TYPE balloon_inspector_status gauge$/gm)?.length, 1, 'HELP and TYPE once per family');
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  const verdict = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(verdict.status, 0, `promtool says\n${verdict.stdout.slice(0, 2000)}${verdict.stderr.slice(0, 2000)}`);
});

test('fleet summaries of 200,000 hosts (text table, Markdown) do not overflow the call stack', () => {
  const results: HostResult[] = Array.from({ length: 200_000 }, (_, index) => ({
    hostError: { target: { kind: 'ssh', name: `h${index}` }, collectedAt: '2026-01-01T00:00:00.000Z', error: { kind: 'refused', message: 'connection refused' } },
  }));
  assert.match(summaryTable(results), /200000 hosts: 0 critical, 0 warning, 200000 unknown \(200000 could not be checked\), 0 ok/);
  assert.match(summaryMarkdown(results), /^\| UNKNOWN \| h0 \|/m);
  assert.match(fleetPrometheus(results), /^balloon_inspector_host_up\{host="h199999"\} 0$/m);
});

/** A probe output of 150,000 small sections (just under the 8 MiB cap): one probe record each. */
function manySections(count: number): string {
  let out = `BALLOON-INSPECTOR-PROBE 1 ${MARKER}\n`;
  for (let index = 0; index < count; index++) out += `\n${MARKER} s${index} ok\n`;
  return `${out}\n${MARKER} end\n`;
}

test('--input of 150,000 sections with --format prometheus --output: rendered (no stack overflow), written atomically, promtool accepts it', (t) => {
  const input = join(temp.dir, 'many.out');
  writeFileSync(input, manySections(150_000));
  assert.ok(statSync(input).size <= MAX_OUTPUT_BYTES);
  const dir = join(temp.dir, 'textfile');
  mkdirSync(dir);
  const prom = join(dir, 'balloon.prom');
  writeFileSync(prom, 'balloon_inspector_status 0\n');
  chmodSync(prom, 0o640);
  const run = measuredCli(['--input', input, '--format', 'prometheus', '--output', prom]);
  figures(t, '--input 150,000 sections, prometheus', run);
  assert.doesNotMatch(run.stderr, /internal error|Maximum call stack/);
  assert.equal(run.status, 3, run.stderr);
  assert.equal(run.stdout, '', 'with --output nothing goes to stdout');
  const text = readFileSync(prom, 'utf8');
  assert.match(text, /^balloon_inspector_status 3$/m);
  assert.equal(text.match(/^balloon_inspector_probe_ok\{/gm)?.length, 150_000);
  assert.equal(statSync(prom).mode & 0o777, 0o640, 'the file keeps its mode');
  assert.deepEqual(readdirSync(dir), ['balloon.prom'], 'no temporary file left behind');
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  const verdict = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(verdict.status, 0, `promtool says\n${verdict.stdout.slice(0, 2000)}${verdict.stderr.slice(0, 2000)}`);
});

test('--output: a run that fails leaves the previous file untouched; a good run replaces it', () => {
  const dir = join(temp.dir, 'output');
  mkdirSync(dir);
  const prom = join(dir, 'balloon.prom');
  const previous = '# previous good run\nballoon_inspector_status 2\n';
  writeFileSync(prom, previous);
  const garbage = join(dir, 'garbage.out');
  writeFileSync(garbage, 'not probe output\n');
  for (const failing of [['--input', garbage], ['--input', '/dev/zero'], ['--input', join(dir, 'missing')]]) {
    const run = runCli([...failing, '--format', 'prometheus', '--output', prom]);
    assert.equal(run.status, 3, `${failing.join(' ')}: ${run.stderr}`);
    assert.equal(readFileSync(prom, 'utf8'), previous, `${failing.join(' ')} changed the file`);
    assert.match(run.stderr, /left as it was/);
  }
  const good = runCli(['--root', SEED, '--format', 'prometheus', '--output', prom]);
  assert.equal(good.status, 2, good.stderr);
  assert.equal(good.stdout, '');
  assert.equal(readFileSync(prom, 'utf8'), runCli(['--root', SEED, '--format', 'prometheus']).stdout.replace(/(_timestamp_seconds) \d+/, (_, name: string) => `${name} ${/_timestamp_seconds (\d+)/.exec(readFileSync(prom, 'utf8'))![1]}`));
  assert.deepEqual(readdirSync(dir).sort(), ['balloon.prom', 'garbage.out']);
  const unwritable = runCli(['--root', SEED, '--output', join(dir, 'no-such-dir', 'x.prom')]);
  assert.equal(unwritable.status, 3);
  assert.match(unwritable.stderr, /cannot write .*no-such-dir/);
});

// ---- item 3: --input is a capped stream that obeys signals ----

const CAP_MESSAGE = new RegExp(`stopped reading at ${MAX_OUTPUT_BYTES} bytes \\(8 MiB\\)`);

test('--input /dev/zero stops at the 8 MiB cap: exit 3, clear message, fast, low RSS', (t) => {
  const run = measuredCli(['--input', '/dev/zero'], { timeoutMs: 10_000 });
  figures(t, '--input /dev/zero', run);
  assert.equal(run.status, 3, `signal ${run.signal}: ${run.stderr.slice(0, 500)}`);
  assert.match(run.stderr, CAP_MESSAGE);
  assert.ok(run.ms < 5_000, `${run.ms} ms`);
  assert.ok(run.peakRssMiB < 150, `peak RSS ${run.peakRssMiB} MiB`);
});

test('yes | balloon-check --input - stops at the cap', (t) => {
  const run = measuredCli(['--input', '-'], { shellPrefix: 'yes | ', timeoutMs: 10_000 });
  figures(t, 'yes | --input -', run);
  assert.equal(run.status, 3, `signal ${run.signal}: ${run.stderr.slice(0, 500)}`);
  assert.match(run.stderr, /--input stdin: stopped reading at/);
  assert.ok(run.peakRssMiB < 150, `peak RSS ${run.peakRssMiB} MiB`);
});

test('a 600 MB --input file is refused after 8 MiB without loading it', (t) => {
  const big = join(temp.dir, 'big.out');
  writeFileSync(big, probeOutput(SEED_SECTIONS));
  truncateSync(big, 600_000_000); // sparse: no disk used, 600 MB to read
  const run = measuredCli(['--input', big], { timeoutMs: 10_000 });
  figures(t, '--input 600 MB file', run);
  assert.equal(run.status, 3, run.stderr);
  assert.match(run.stderr, CAP_MESSAGE);
  assert.ok(run.peakRssMiB < 150, `peak RSS ${run.peakRssMiB} MiB`);
});

test('an --input exactly at the cap is still read (the cap is not off by one)', () => {
  const file = join(temp.dir, 'at-cap.out');
  const output = probeOutput(SEED_SECTIONS);
  writeFileSync(file, output + ' '.repeat(MAX_OUTPUT_BYTES - Buffer.byteLength(output)));
  assert.equal(statSync(file).size, MAX_OUTPUT_BYTES);
  const run = runCli(['--input', file, '--format', 'json']);
  assert.equal(run.status, 2, run.stderr);
});

/** Starts the CLI reading a FIFO; resolves with its exit once it ends (or null if it outlives `limitMs`). */
function cliOnFifo(fifo: string, extra: string[] = []) {
  const child = spawn(process.execPath, [cliBundle(), '--input', fifo, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  /** The exit within `limitMs`, or null: then the CLI is killed so the test leaves nothing behind. */
  const exitWithin = async (limitMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([exited, new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), limitMs); })]);
    clearTimeout(timer);
    if (result === null) { child.kill('SIGKILL'); await exited; }
    return result;
  };
  return { child, exitWithin, output: () => ({ stdout, stderr }) };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`reading a FIFO nobody writes to, ${signal} ends the CLI at once (exit 3, "interrupted")`, async () => {
    const fifo = join(temp.dir, `fifo-${signal}`);
    spawnSync('mkfifo', [fifo]);
    const cli = cliOnFifo(fifo);
    await new Promise((resolve) => setTimeout(resolve, 700)); // the CLI starts and blocks on the FIFO
    const sent = Date.now();
    cli.child.kill(signal);
    const result = await cli.exitWithin(3_000);
    assert.ok(result !== null, `still running 3 s after ${signal}`);
    assert.ok(Date.now() - sent < 2_000, `${Date.now() - sent} ms after ${signal}`);
    assert.equal(result.code, 3);
    assert.match(cli.output().stderr, /--input .*fifo-SIG\w+: interrupted while reading/);
  });
}

test('a FIFO held open by an idle writer: SIGTERM still ends the CLI', async () => {
  const fifo = join(temp.dir, 'fifo-idle-writer');
  spawnSync('mkfifo', [fifo]);
  const cli = cliOnFifo(fifo);
  const writer = spawn('/bin/sh', ['-c', 'exec sleep 30 > "$1"', 'sh', fifo], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 700));
    cli.child.kill('SIGTERM');
    const result = await cli.exitWithin(3_000);
    assert.ok(result !== null, 'still running 3 s after SIGTERM');
    assert.equal(result.code, 3);
  } finally {
    writer.kill('SIGKILL');
  }
});

test('a FIFO with a real writer is read to its end like a file', async () => {
  const fifo = join(temp.dir, 'fifo-writer');
  spawnSync('mkfifo', [fifo]);
  const cli = cliOnFifo(fifo, ['--format', 'json']);
  const writer = spawn('/bin/sh', ['-c', 'cat > "$1"', 'sh', fifo], { stdio: ['pipe', 'ignore', 'ignore'] });
  writer.stdin.end(probeOutput(SEED_SECTIONS));
  const result = await cli.exitWithin(10_000);
  assert.equal(result?.code, 2, cli.output().stderr);
  assert.equal((JSON.parse(cli.output().stdout) as Report).limits.memLimitBytes, 12 * 1024 ** 3);
});

// ---- items 9 and 10: times past 2^31 ms are usage errors; watch history is bounded ----

const tooLong: [string[], RegExp][] = [
  [['--root', SEED, '--watch', '3000000', '--count', '3'], /--watch 3000000 is too long: at most 2147483 seconds/],
  [['--root', SEED, '--watch', '1e10', '--count', '3'], /--watch 1e10 is too long/],
  [['--root', SEED, '--watch', '1e30', '--count', '2'], /--watch 1e30 is too long/],
  [['--ssh', '127.0.0.1:1', '--batch', '--probe-timeout', '3000000'], /--probe-timeout 3000000 is too long/],
  [['--ssh', '127.0.0.1:1', '--batch', '--connect-timeout', '3000000'], /--connect-timeout 3000000 is too long/],
  [['--ssh', '127.0.0.1:1', '--batch', '--connect-timeout', '1e30'], /--connect-timeout 1e30 is too long/],
  [['--root', guestPath('hostile-hanging-tool'), '--tool-timeout', '1e30'], /--tool-timeout 1e30 is too long: at most 600 seconds/],
  [['--root', SEED, '--tool-timeout', '601'], /--tool-timeout 601 is too long/],
  [['--root', SEED, '--watch', 'Infinity'], /--watch needs a positive number/],
];
for (const [args, message] of tooLong) {
  test(`usage error, no timer overflow: ${args.filter((arg) => arg.startsWith('--') && !['--root', '--ssh', '--batch'].includes(arg)).map((arg) => `${arg} ${args[args.indexOf(arg) + 1]}`).join(' ')}`, () => {
    const run = runCli(args, { timeoutMs: 15_000 });
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /TimeoutOverflowWarning/);
    assert.equal(run.stdout, '', 'no sample was taken');
  });
}

test('the largest timer values are still accepted', () => {
  const run = runCli(['--root', SEED, '--watch', '2147483', '--count', '1', '--tool-timeout', '600', '--format', 'json']);
  assert.equal(run.status, 2, run.stderr);
  assert.doesNotMatch(run.stderr, /TimeoutOverflowWarning/);
});

test(`--watch keeps a bounded history: the trend spans at most ${MAX_TREND_SAMPLES} samples, from the first one`, (t) => {
  const count = MAX_TREND_SAMPLES + 5;
  const run = runCli(['--root', SEED, '--watch', '0.001', '--count', String(count), '--format', 'json'], { timeoutMs: 120_000 });
  t.diagnostic(`${count} samples in ${run.ms} ms`);
  assert.equal(run.status, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal(report.trend?.samples, MAX_TREND_SAMPLES);
  // The first sample is kept: the trend covers (nearly) the whole run, not its last few samples.
  assert.ok(report.trend!.seconds * 1000 > run.ms * 0.5, `trend over ${report.trend!.seconds} s of a ${run.ms} ms run`);
  assert.doesNotMatch(run.stderr, /MaxListenersExceededWarning/, 'one abort listener per sample piled up');
});

// ---- item 15 (file descriptors): --jobs bounded by ulimit -n ----

test('jobsWithinFdLimit: lowered to what the open-file limit leaves, never below 1, unchanged when unlimited', () => {
  assert.equal(jobsWithinFdLimit(100_000, 200, 20), 49);
  assert.equal(jobsWithinFdLimit(16, 1024, 30), 16);
  assert.equal(jobsWithinFdLimit(16, 40, 30), 1);
  assert.equal(jobsWithinFdLimit(100_000, null, 30), 100_000);
});

test('--jobs 100000 under ulimit -n 200: 1,000 hosts on a closed port all fail as refused, none with EMFILE', async (t) => {
  const port = await freePort();
  const hosts = 1_000;
  const config = join(temp.dir, 'fleet-fd.conf');
  const lines: string[] = [];
  for (let index = 0; index < hosts; index++) lines.push(`Host h${index}`, '  User tester');
  lines.push('Host *', '  HostName 127.0.0.1', `  Port ${port}`, '  UserKnownHostsFile /dev/null', '  GlobalKnownHostsFile /dev/null', '');
  writeFileSync(config, lines.join('\n'));
  const home = join(temp.dir, 'home-fd');
  mkdirSync(home, { recursive: true });
  const run = measuredCli(['--ssh-config', config, '--all-ssh-hosts', '--batch', '--jobs', '100000', '--connect-timeout', '5', '--format', 'json'], {
    shellPrefix: `ulimit -n 200 && HOME='${home}' SSH_AUTH_SOCK= exec `, timeoutMs: 60_000,
  });
  figures(t, '1,000 refused hosts, --jobs 100000, ulimit -n 200', run);
  const records = JSON.parse(run.stdout) as { target: { name: string }; error?: { kind: string; message: string } }[];
  assert.equal(records.length, hosts);
  const kinds = new Map<string, number>();
  for (const record of records) kinds.set(record.error?.kind ?? 'report', (kinds.get(record.error?.kind ?? 'report') ?? 0) + 1);
  assert.doesNotMatch(run.stdout, /EMFILE/);
  assert.deepEqual([...kinds], [['refused', hosts]]);
  assert.match(run.stderr, /checking \d+ hosts at once, not 1000: the open-file limit \(ulimit -n 200\)/);
});

test('a container section of 800,000 marker lines: the report is built, with a handful of markers (it overflowed the stack in collectFacts)', () => {
  const markers = 'marker=x\n'.repeat(800_000);
  const sections = SEED_SECTIONS.filter(([id]) => id !== 'container');
  const analysis = analyzeProbeOutput(probeOutput([...sections, ['container', 'ok', '', markers]]), { kind: 'local', name: 'test' });
  assert.ok(analysis.ok, analysis.ok ? '' : analysis.reason);
  assert.ok(analysis.report.findings.some((finding) => finding.id === 'checked-from-container'));
  const evidence = analysis.report.hypervisor.evidence.filter((line) => line.includes('container marker'));
  assert.ok(evidence.length >= 1 && evidence.length <= 8, `${evidence.length} container evidence lines`);
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import test from 'node:test';
import { copyGuest, guestPath, runCli, tempDir } from '../helpers/guests';
import { requireCommand } from '../helpers/system';
import { sampleValue, scrape, startServe } from './exporter';

const SEED = guestPath('vmware-limit-12g-of-32g');

test('serve: /metrics carries the seed figures, passes promtool check metrics, and reports its own health', async (t) => {
  const exporter = await startServe(['--root', SEED, '--min-interval', '60']);
  t.after(exporter.stop);
  const first = await scrape(`${exporter.url}/metrics`);
  assert.equal(first.status, 200);
  assert.match(first.type, /^text\/plain; version=0\.0\.4/);
  assert.equal(sampleValue(first.body, 'balloon_inspector_balloon_bytes'), 21474836480);
  assert.equal(sampleValue(first.body, 'balloon_inspector_memory_limit_bytes'), 12884901888);
  assert.equal(sampleValue(first.body, 'balloon_inspector_status'), 2);
  assert.equal(sampleValue(first.body, 'balloon_inspector_probe_success'), 1);
  assert.equal(sampleValue(first.body, 'balloon_inspector_probes_total'), 1);
  const duration = sampleValue(first.body, 'balloon_inspector_probe_duration_seconds');
  assert.ok(duration !== undefined && duration > 0 && duration < 10, `probe duration ${duration}`);
  // The guest series are exactly what the textfile way prints: one set of names for both.
  const textfile = runCli(['--root', SEED, '--format', 'prometheus']).stdout;
  const names = (text: string) => new Set(text.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]));
  for (const name of names(textfile)) assert.ok(names(first.body).has(name), `exporter lacks ${name}`);
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (promtool) {
    const verdict = spawnSync(promtool, ['check', 'metrics'], { input: first.body, encoding: 'utf8' });
    assert.equal(verdict.status, 0, `promtool says\n${verdict.stdout}${verdict.stderr}`);
  }
  // Within the interval: the cached result, no second probe.
  const second = await scrape(`${exporter.url}/metrics`);
  assert.equal(sampleValue(second.body, 'balloon_inspector_probes_total'), 1);
  assert.equal(second.body, first.body);
});

test('serve: OpenMetrics when Accept asks for it, Prometheus text otherwise; other paths and methods', async (t) => {
  const exporter = await startServe(['--root', SEED]);
  t.after(exporter.stop);
  const om = await scrape(`${exporter.url}/metrics`, { Accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' });
  assert.match(om.type, /^application\/openmetrics-text; version=1\.0\.0/);
  assert.ok(om.body.endsWith('# EOF\n'), 'OpenMetrics ends with # EOF');
  assert.match(om.body, /^# TYPE balloon_inspector_probes counter$/m, 'counter family without _total');
  assert.match(om.body, /^balloon_inspector_probes_total 1$/m, 'counter sample keeps _total');
  assert.match(om.body, /^# TYPE balloon_inspector info$/m, '_info gauge becomes an info family');
  const text = await scrape(`${exporter.url}/metrics`, { Accept: 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5' });
  assert.match(text.type, /^text\/plain/);
  assert.doesNotMatch(text.body, /# EOF/);
  assert.equal((await scrape(`${exporter.url}/metrics`, {}, 'HEAD')).body, '');
  assert.equal((await scrape(`${exporter.url}/metrics`, {}, 'POST')).status, 405);
  assert.equal((await scrape(`${exporter.url}/nothing`)).status, 404);
  const probe = await scrape(`${exporter.url}/probe?target=elsewhere`);
  assert.equal(probe.status, 400, '/probe serves only fleet hosts');
  assert.match(probe.body, /--ssh/);
});

test('serve: a non-loopback --listen needs --allow-non-loopback; bad addresses are usage errors', () => {
  for (const listen of ['0.0.0.0:10118', ':10118', '192.0.2.1:10118', '[::]:10118']) {
    const run = runCli(['serve', '--listen', listen], { timeoutMs: 10_000 });
    assert.equal(run.status, 3, `${listen}: exit ${run.status}`);
    assert.match(run.stderr, /--allow-non-loopback/, listen);
  }
  for (const listen of ['example.org:10118', '127.0.0.1', '127.0.0.1:70000']) {
    const run = runCli(['serve', '--listen', listen], { timeoutMs: 10_000 });
    assert.equal(run.status, 3, `${listen}: exit ${run.status}`);
  }
  assert.match(runCli(['serve', '--help']).stdout, /10118/);
});

test('serve: a non-loopback bind works once chosen explicitly', async (t) => {
  const exporter = await startServe(['--root', SEED, '--listen', '0.0.0.0:0', '--allow-non-loopback']);
  t.after(exporter.stop);
  const port = new URL(exporter.url).port;
  assert.match(exporter.url, /^http:\/\/0\.0\.0\.0:/);
  assert.equal((await scrape(`http://127.0.0.1:${port}/metrics`)).status, 200);
});

/** Resident memory of a process in kB (Linux). */
const rssKb = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** The 30 s run: BI_EXPORTER_LOAD_SECONDS=30 (6 s in npm test). */
const LOAD_SECONDS = Number(process.env.BI_EXPORTER_LOAD_SECONDS ?? 6);

test(`serve under load: 50 concurrent scrapers for ${LOAD_SECONDS} s cause one probe per interval, no failed scrape, bounded memory`, async (t) => {
  const intervalSeconds = 2;
  const exporter = await startServe(['--root', SEED, '--min-interval', String(intervalSeconds)]);
  t.after(exporter.stop);
  await scrape(`${exporter.url}/metrics`);
  const rssBefore = rssKb(exporter.child.pid!);
  const started = Date.now();
  // RSS every 250 ms: V8 grows its heap while the load ramps up; a leak keeps growing after that.
  const rssSamples: { at: number; kb: number }[] = [];
  const sampler = setInterval(() => rssSamples.push({ at: Date.now() - started, kb: rssKb(exporter.child.pid!) }), 250);
  const seen = new Map<number, number>();
  let scrapes = 0;
  const failures: string[] = [];
  const scraper = async () => {
    while (Date.now() - started < LOAD_SECONDS * 1000) {
      try {
        const result = await scrape(`${exporter.url}/metrics`);
        scrapes++;
        const at = sampleValue(result.body, 'balloon_inspector_last_probe_timestamp_seconds');
        const probes = sampleValue(result.body, 'balloon_inspector_probes_total');
        if (result.status !== 200 || at === undefined || probes === undefined || sampleValue(result.body, 'balloon_inspector_balloon_bytes') !== 21474836480) failures.push(`status ${result.status}`);
        else seen.set(at, probes);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, scraper));
  clearInterval(sampler);
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${scrapes} scrapes failed`);
  const probeTimes = [...seen.keys()].sort((a, b) => a - b);
  // Each probe has its own timestamp and count: the counts are 1, 2, 3... with no probe unseen.
  const counts = probeTimes.map((at) => seen.get(at)!);
  assert.deepEqual(counts, counts.map((_, index) => counts[0]! + index), 'a probe ran that no scrape saw (two at once?)');
  for (let index = 1; index < probeTimes.length; index++) {
    assert.ok(probeTimes[index]! - probeTimes[index - 1]! >= intervalSeconds - 0.05, `probes ${probeTimes[index - 1]} and ${probeTimes[index]} closer than ${intervalSeconds} s`);
  }
  const most = Math.ceil(LOAD_SECONDS / intervalSeconds) + 1;
  assert.ok(probeTimes.length >= most - 2 && probeTimes.length <= most, `${probeTimes.length} probes in ${LOAD_SECONDS} s at a ${intervalSeconds} s interval`);
  assert.ok(scrapes > 80 * LOAD_SECONDS, `only ${scrapes} scrapes`);
  const rssAfter = rssKb(exporter.child.pid!);
  const growthMb = (rssAfter - rssBefore) / 1024;
  const firstHalfPeakKb = Math.max(rssBefore, ...rssSamples.filter((sample) => sample.at < LOAD_SECONDS * 500).map((sample) => sample.kb));
  const secondHalfGrowthMb = (rssAfter - firstHalfPeakKb) / 1024;
  t.diagnostic(`${scrapes} scrapes, ${probeTimes.length} probes, RSS growth ${growthMb.toFixed(1)} MB, ${secondHalfGrowthMb.toFixed(1)} MB of it after the first half's peak`);
  assert.ok(secondHalfGrowthMb < 32, `RSS still grew by ${secondHalfGrowthMb.toFixed(1)} MB in the second half of the run (a leak: it should level off)`);
  assert.ok(growthMb < 160, `RSS grew by ${growthMb.toFixed(1)} MB`);
});

test('serve: cold cache, 30 scrapes at once share one probe', async (t) => {
  const exporter = await startServe(['--root', SEED, '--min-interval', '60']);
  t.after(exporter.stop);
  const results = await Promise.all(Array.from({ length: 30 }, () => scrape(`${exporter.url}/metrics`)));
  for (const result of results) assert.equal(sampleValue(result.body, 'balloon_inspector_probes_total'), 1);
});

test('serve: a probe that hangs is cut at --probe-timeout, reported as probe_success 0 with its error, and the exporter goes on', async (t) => {
  // The snapshot's vmware-toolbox-cmd never answers; its own bound (60 s) is longer than the probe's (2 s).
  const exporter = await startServe(['--root', guestPath('hostile-hanging-tool'), '--run-snapshot-tools', '--tool-timeout', '60', '--probe-timeout', '2', '--min-interval', '1']);
  t.after(exporter.stop);
  const hung = await scrape(`${exporter.url}/metrics`);
  assert.equal(hung.status, 200);
  assert.ok(hung.ms < 6000, `scrape took ${hung.ms} ms`);
  assert.equal(sampleValue(hung.body, 'balloon_inspector_probe_success'), 0);
  assert.equal(sampleValue(hung.body, 'balloon_inspector_probe_failures_total'), 1);
  assert.match(hung.body, /^balloon_inspector_probe_last_error_info\{kind="timeout",message="[^"]*deadline[^"]*"\} 1$/m);
  assert.doesNotMatch(hung.body, /^balloon_inspector_balloon_bytes/m, 'no stale guest figures after a failed probe');
  // Still serving: the next probe (interval passed) is bounded the same way.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const again = await scrape(`${exporter.url}/metrics`);
  assert.equal(sampleValue(again.body, 'balloon_inspector_probe_failures_total'), 2);
});

test('serve: clients that disconnect while the probe runs or mid-response do not harm the exporter', async (t) => {
  const exporter = await startServe(['--root', SEED, '--min-interval', '1']);
  t.after(exporter.stop);
  const { hostname, port } = new URL(exporter.url);
  const rude = (readBytes: number) => new Promise<void>((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'));
    let got = 0;
    socket.on('data', (chunk) => { got += chunk.length; if (got >= readBytes) socket.destroy(); });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    // 0 bytes: hang up at once, while the probe runs.
    if (readBytes === 0) setTimeout(() => socket.destroy(), 5);
  });
  await Promise.all([rude(0), rude(0), rude(10), rude(100)]);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await Promise.all([rude(0), rude(50), rude(1)]);
  const after = await scrape(`${exporter.url}/metrics`);
  assert.equal(after.status, 200);
  assert.equal(sampleValue(after.body, 'balloon_inspector_balloon_bytes'), 21474836480);
  assert.equal(exporter.child.exitCode, null, 'exporter still running');
});

/** Pids whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try { if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry)); } catch { /* gone */ }
  }
  return found;
}

test('serve: SIGTERM during a hanging probe ends the exporter at once and leaves none of the probe\'s processes', async (t) => {
  const temp = tempDir('bi-serve-');
  t.after(temp.remove);
  const root = copyGuest('hostile-hanging-tool', temp.dir);
  const exporter = await startServe(['--root', root, '--run-snapshot-tools', '--tool-timeout', '60', '--probe-timeout', '60']);
  t.after(exporter.stop);
  scrape(`${exporter.url}/metrics`).catch(() => undefined);
  // Wait until the snapshot's toolbox hangs inside the probe.
  const end = Date.now() + 10_000;
  while (!processesMentioning(root).length && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(processesMentioning(root).length, 'the hanging tool never started');
  const started = Date.now();
  await exporter.stop();
  const ms = Date.now() - started;
  assert.ok(ms < 3000, `exporter took ${ms} ms to end`);
  assert.equal(exporter.child.exitCode, 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(processesMentioning(root), [], 'probe processes left behind');
});

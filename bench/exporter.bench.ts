/**
 * `npm run bench:exporter`: scrape latency of `balloon-check serve`, measured in the same run as a bare
 * Node.js HTTP server answering the same bytes.
 *
 * 1. Warm cache: GET /metrics while the cached result is fresh (--min-interval 3600), against a bare
 *    `http.createServer` child process serving the same body. Interleaved batches, keep-alive (as
 *    Prometheus scrapes). Goal: p50 and p99 at most 5 ms above the bare server's.
 * 2. With a probe: --min-interval 0.001, so every scrape probes the seed snapshot; the scrape's latency
 *    against the probe's own time (balloon_inspector_probe_duration_seconds of that scrape).
 *    Goal: at most the probe's time plus 10 ms.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { guestPath } from '../test/helpers/guests';
import { sampleValue, startServe } from '../test/monitoring/exporter';

const WARM = Number(process.env.BENCH_WARM ?? 4000);
const PROBED = Number(process.env.BENCH_PROBED ?? 40);
const SEED = guestPath('vmware-limit-12g-of-32g');

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(url: string): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ ms: performance.now() - started, body }));
    }).on('error', reject).end();
  });
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/** A bare Node.js server in its own process, answering `body` to every request. */
function bareServer(body: string): Promise<{ url: string; stop: () => void }> {
  const code = `const body = ${JSON.stringify(body)};
require('node:http').createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }); res.end(body); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', (port: Buffer) => resolve({ url: `http://127.0.0.1:${String(port).trim()}/metrics`, stop: () => child.kill() })));
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), load average ${loadavg()[0]!.toFixed(2)}`);
  const warm = await startServe(['--root', SEED, '--min-interval', '3600']);
  const body = (await get(`${warm.url}/metrics`)).body;
  const bare = await bareServer(body);
  const exporterMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < 200; i++) { await get(`${warm.url}/metrics`); await get(bare.url); } // JIT and sockets warm
  for (let batch = 0; batch < WARM / 100; batch++) {
    for (let i = 0; i < 100; i++) exporterMs.push((await get(`${warm.url}/metrics`)).ms);
    for (let i = 0; i < 100; i++) bareMs.push((await get(bare.url)).ms);
  }
  await warm.stop();
  bare.stop();
  console.log(`\n1. Warm cache, ${exporterMs.length} scrapes each, ${body.length} bytes, keep-alive`);
  console.log('| server | p50 | p90 | p99 |');
  console.log('|---|---|---|---|');
  for (const [name, values] of [['balloon-check serve', exporterMs], ['bare http.createServer', bareMs]] as const) {
    console.log(`| ${name} | ${fmt(quantile(values, 0.5))} | ${fmt(quantile(values, 0.9))} | ${fmt(quantile(values, 0.99))} |`);
  }
  const overP50 = quantile(exporterMs, 0.5) - quantile(bareMs, 0.5);
  const overP99 = quantile(exporterMs, 0.99) - quantile(bareMs, 0.99);
  console.log(`over the bare server: p50 +${fmt(overP50)}, p99 +${fmt(overP99)} (goal ≤ 5 ms): ${overP50 <= 5 && overP99 <= 5 ? 'met' : 'NOT met'}`);

  const probing = await startServe(['--root', SEED, '--min-interval', '0.001']);
  const extra: number[] = [];
  const scrapeMs: number[] = [];
  const probeMs: number[] = [];
  await get(`${probing.url}/metrics`);
  for (let i = 0; i < PROBED; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5)); // past the interval: this scrape probes
    const { ms, body: text } = await get(`${probing.url}/metrics`);
    const probe = (sampleValue(text, 'balloon_inspector_probe_duration_seconds') ?? NaN) * 1000;
    scrapeMs.push(ms);
    probeMs.push(probe);
    extra.push(ms - probe);
  }
  await probing.stop();
  agent.destroy();
  console.log(`\n2. A probe on every scrape (seed snapshot), ${PROBED} scrapes`);
  console.log('| | p50 | p90 | max |');
  console.log('|---|---|---|---|');
  console.log(`| scrape | ${fmt(quantile(scrapeMs, 0.5))} | ${fmt(quantile(scrapeMs, 0.9))} | ${fmt(Math.max(...scrapeMs))} |`);
  console.log(`| probe (its own duration) | ${fmt(quantile(probeMs, 0.5))} | ${fmt(quantile(probeMs, 0.9))} | ${fmt(Math.max(...probeMs))} |`);
  console.log(`| scrape − probe | ${fmt(quantile(extra, 0.5))} | ${fmt(quantile(extra, 0.9))} | ${fmt(Math.max(...extra))} |`);
  console.log(`scrape over the probe's own time: max +${fmt(Math.max(...extra))} (goal ≤ 10 ms): ${Math.max(...extra) <= 10 ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => { console.error(error); process.exitCode = 1; });

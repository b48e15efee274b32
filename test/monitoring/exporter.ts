import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { cliBundle } from '../helpers/system';

/** A running `balloon-check serve` (the built bundle), on loopback with a port the kernel picked. */
export interface Exporter { url: string; child: ChildProcess; stderr: () => string; stop: () => Promise<void> }

export function startServe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Exporter> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle(), 'serve', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`serve did not start: ${stderr}`)); }, 15_000);
    const stop = () => new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) { done(); return; }
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+)\/metrics/.exec(stderr);
      if (match) { clearTimeout(timer); resolve({ url: match[1]!, child, stderr: () => stderr, stop }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}: ${stderr}`)); });
  });
}

export interface Scrape { status: number; type: string; body: string; ms: number }

/** One GET with a fresh connection (no keep-alive pooling between concurrent scrapes). */
export function scrape(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Scrape> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample (`name` or `name{labels}` exactly as printed), or undefined. */
export function sampleValue(body: string, series: string): number | undefined {
  for (const line of body.split('\n')) if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

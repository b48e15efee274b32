// `balloon-check serve`: a Prometheus exporter. It probes on scrape, at most once per minimum
// interval (scrapes in between get the cached result), never runs two probes of a guest at once,
// and reports its own health. Fleet mode labels every series with `host`; /probe?target=HOST
// serves one host of the fleet in the style of blackbox_exporter.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { renderPrometheus } from '../core/render/prometheus';
import { escapePrometheusLabel as escapeLabel } from '../shared/escape';
import type { ProbeSettings } from '../core/sections';
import { LocalTransport } from '../transport/local';
import type { Transport } from '../transport/transport';
import * as fleet from './fleet';
import type { HostResult } from './fleet';
import { DEFAULT_JOBS, DEFAULT_LISTEN, DEFAULT_MIN_INTERVAL_SECONDS, DEFAULT_SERVE_PROBE_TIMEOUT_SECONDS, parseOptions, renderHelp, SERVE_COMMAND, SERVE_OPTIONS } from './options';
import { OPENMETRICS_TYPE, PROMETHEUS_TEXT_TYPE, toOpenMetrics, wantsOpenMetrics } from './serve-openmetrics';

export { DEFAULT_LISTEN, DEFAULT_MIN_INTERVAL_SECONDS, DEFAULT_PORT, DEFAULT_SERVE_PROBE_TIMEOUT_SECONDS } from './options';
const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** `balloon-check serve --help`, made from the option table. */
export const SERVE_USAGE = renderHelp(SERVE_COMMAND);

export class ServeUsageError extends Error {}

export interface ServeOptions {
  host: string;
  port: number;
  minIntervalSeconds: number;
  probeTimeoutSeconds: number;
  root?: string;
  runSnapshotTools: boolean;
  sudo: boolean;
  toolTimeoutSeconds?: number;
  ssh: string[];
  allSshHosts: boolean;
  sshConfig?: string;
  acceptNew: boolean;
  jobs: number;
  connectTimeoutSeconds?: number;
}

function secondsOption(flag: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > MAX_SECONDS) throw new ServeUsageError(`${flag} needs a number of seconds above 0 and at most ${MAX_SECONDS}, not ${JSON.stringify(value)}`);
  return number;
}

/** Loopback addresses: 127.0.0.0/8, ::1 and the name localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** "HOST:PORT", "[IPv6]:PORT" or ":PORT" (every address). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) throw new ServeUsageError(`--listen ${JSON.stringify(text)} is not HOST:PORT (IPv6 as [ADDRESS]:PORT)`);
  const port = Number(match[3]);
  if (port > 65535) throw new ServeUsageError(`--listen port ${port} is above 65535`);
  const host = match[1] ?? (match[2] || '0.0.0.0');
  if (host !== 'localhost' && !isIP(host)) throw new ServeUsageError(`--listen host ${JSON.stringify(host)} must be an IP address or localhost (a name could resolve to a public address)`);
  return { host, port };
}

export function parseServeArgs(argv: string[]): ServeOptions | 'help' {
  let values;
  try {
    values = parseOptions(argv, SERVE_OPTIONS);
  } catch (error) {
    throw new ServeUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const { host, port } = parseListen(values.listen ?? DEFAULT_LISTEN);
  if (!isLoopback(host) && !values['allow-non-loopback']) {
    throw new ServeUsageError(`--listen ${values.listen} is not a loopback address: anyone who reaches it can make this exporter probe; add --allow-non-loopback if that is what you want`);
  }
  if (values['run-snapshot-tools'] && values.root === undefined) throw new ServeUsageError('--run-snapshot-tools needs --root');
  const jobs = values.jobs === undefined ? DEFAULT_JOBS : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs <= 0) throw new ServeUsageError(`--jobs needs a positive whole number, not ${JSON.stringify(values.jobs)}`);
  return {
    host,
    port,
    minIntervalSeconds: secondsOption('--min-interval', values['min-interval'], DEFAULT_MIN_INTERVAL_SECONDS)!,
    probeTimeoutSeconds: secondsOption('--probe-timeout', values['probe-timeout'], DEFAULT_SERVE_PROBE_TIMEOUT_SECONDS)!,
    root: values.root,
    runSnapshotTools: values['run-snapshot-tools'] ?? false,
    sudo: values.sudo ?? false,
    toolTimeoutSeconds: secondsOption('--tool-timeout', values['tool-timeout']),
    ssh: values.ssh ?? [],
    allSshHosts: values['all-ssh-hosts'] ?? false,
    sshConfig: values['ssh-config'],
    acceptNew: values['accept-new'] ?? false,
    jobs,
    connectTimeoutSeconds: secondsOption('--connect-timeout', values['connect-timeout']),
  };
}

/** One probe of one host: what it gave and how long it took. */
interface HostProbe { name: string; result: HostResult; seconds: number }
/** One probe run (one guest, or every host of the fleet), with its rendered exposition. */
interface ProbeRun { finishedAt: number; hosts: HostProbe[]; text: string }

/** Probes at most once per interval and one at a time: every caller in between shares the run. */
class ProbeCache {
  private last?: ProbeRun;
  private running?: Promise<ProbeRun>;

  constructor(private readonly intervalMs: number, private readonly probe: () => Promise<ProbeRun>) {}

  get(now = Date.now()): Promise<ProbeRun> {
    if (this.last && now - this.last.finishedAt < this.intervalMs) return Promise.resolve(this.last);
    if (!this.running) {
      this.running = this.probe().then((run) => { this.last = run; return run; }).finally(() => { this.running = undefined; });
    }
    return this.running;
  }
}

/** Exporter-level counters and the last error, rendered after the guest series. */
class Health {
  probes = 0;
  failures = 0;
  lastError?: { kind: string; message: string; at: number; host?: string };

  record(hosts: readonly HostProbe[], at: number): void {
    for (const host of hosts) {
      this.probes++;
      if ('hostError' in host.result) {
        this.failures++;
        this.lastError = { kind: host.result.hostError.error.kind, message: host.result.hostError.error.message, at, host: host.name };
      }
    }
  }

  render(hosts: readonly HostProbe[], finishedAt: number, labelled: boolean): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const hostLabel = (name: string, extra = '') => (labelled ? `{host="${escapeLabel(name)}"${extra ? `,${extra}` : ''}}` : extra ? `{${extra}}` : '');
    family('balloon_inspector_probe_success', 'gauge', 'Whether the last probe of the guest succeeded (1) or not (0).');
    for (const host of hosts) out.push(`balloon_inspector_probe_success${hostLabel(host.name)} ${'report' in host.result ? 1 : 0}`);
    family('balloon_inspector_probe_duration_seconds', 'gauge', 'How long the last probe of the guest took.');
    for (const host of hosts) out.push(`balloon_inspector_probe_duration_seconds${hostLabel(host.name)} ${host.seconds}`);
    family('balloon_inspector_last_probe_timestamp_seconds', 'gauge', 'When the served result was probed, as a Unix time (older than the scrape between two probes).');
    out.push(`balloon_inspector_last_probe_timestamp_seconds ${finishedAt / 1000}`);
    family('balloon_inspector_probes_total', 'counter', 'Probes of a guest run since the exporter started.');
    out.push(`balloon_inspector_probes_total ${this.probes}`);
    family('balloon_inspector_probe_failures_total', 'counter', 'Probes of a guest that failed since the exporter started.');
    out.push(`balloon_inspector_probe_failures_total ${this.failures}`);
    if (this.lastError) {
      const error = this.lastError;
      family('balloon_inspector_probe_last_error_info', 'gauge', 'The last probe error since the exporter started (always 1), by host, kind and message.');
      out.push(`balloon_inspector_probe_last_error_info{${labelled && error.host ? `host="${escapeLabel(error.host)}",` : ''}kind="${escapeLabel(error.kind)}",message="${escapeLabel(error.message.slice(0, 200))}"} 1`);
      family('balloon_inspector_probe_last_error_timestamp_seconds', 'gauge', 'When the last probe error happened, as a Unix time.');
      out.push(`balloon_inspector_probe_last_error_timestamp_seconds ${error.at / 1000}`);
    }
    return `${out.join('\n')}\n`;
  }
}

export interface RunningExporter { server: Server; url: string; close: () => Promise<void> }

/** Starts the exporter; resolves once it listens. */
/** The guests the exporter probes: this one (or --root), or the hosts of --ssh / --all-ssh-hosts. */
function exporterTransports(options: ServeOptions, env: NodeJS.ProcessEnv, settings: ProbeSettings): Transport[] {
  if (!(options.ssh.length > 0 || options.allSshHosts)) {
    return [new LocalTransport({ root: options.root, deadlineSeconds: options.probeTimeoutSeconds })];
  }
  const session = new fleet.SshSession({
    ssh: options.ssh, allSshHosts: options.allSshHosts, sshConfig: options.sshConfig, acceptNew: options.acceptNew,
    batch: true, connectTimeoutSeconds: options.connectTimeoutSeconds, probeTimeoutSeconds: options.probeTimeoutSeconds,
  }, env);
  settings.root = options.root;
  const destinations = session.destinations();
  if (!destinations.length) throw new ServeUsageError('the SSH config has no concrete Host to check');
  return destinations.map((destination) => session.transport(destination));
}

/** Probes a list of hosts (at most `jobs` at once) and renders the exposition, recording health. */
function createProbeRunner(options: ServeOptions, settings: ProbeSettings, overSsh: boolean, stop?: AbortSignal): (list: readonly Transport[], labelled: boolean) => Promise<ProbeRun> {
  const health = new Health();
  const jobs = Math.min(options.jobs, fleet.jobsWithinFdLimit(options.jobs));
  const probeOne = async (transport: Transport): Promise<HostProbe> => {
    const started = performance.now();
    // Bound for SSH hosts too: connect plus probe, whatever the transport's own bounds.
    const bound = AbortSignal.timeout(((options.connectTimeoutSeconds ?? 10) * Number(overSsh) + options.probeTimeoutSeconds) * 1000 + 1000);
    // Shutting down (SIGTERM) ends a running probe at once, with its processes.
    const signal = stop ? AbortSignal.any([bound, stop]) : bound;
    const result = await fleet.checkOne(transport, settings, signal);
    return { name: transport.target.name, result, seconds: Math.round(performance.now() - started) / 1000 };
  };
  const probeAll = async (list: readonly Transport[]): Promise<HostProbe[]> => {
    const out: HostProbe[] = new Array(list.length);
    let next = 0;
    const worker = async () => { while (next < list.length) { const index = next++; out[index] = await probeOne(list[index]!); } };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, list.length)) }, worker));
    return out;
  };
  const render = (hosts: HostProbe[], finishedAt: number, labelled: boolean): string => {
    const results = hosts.map((host) => host.result);
    const guest = labelled
      ? fleet.fleetPrometheus(results)
      : results[0] && 'report' in results[0] ? renderPrometheus([{ report: results[0].report }]) : '';
    return guest + health.render(hosts, finishedAt, labelled);
  };
  return async (list, labelled) => {
    const hosts = await probeAll(list);
    const finishedAt = Date.now();
    health.record(hosts, finishedAt);
    return { finishedAt, hosts, text: render(hosts, finishedAt, labelled) };
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : body);
}

/** Prometheus text, or OpenMetrics when the scraper's Accept asks for it. */
function exposition(req: IncomingMessage, res: ServerResponse, text: string, head: boolean): void {
  if (wantsOpenMetrics(req.headers.accept)) send(res, 200, OPENMETRICS_TYPE, toOpenMetrics(text), head);
  else send(res, 200, PROMETHEUS_TEXT_TYPE, text, head);
}

/** The HTTP routes: /metrics, /probe?target=HOST (fleet only), / and 404. */
function createHandler(transports: Transport[], inFleet: boolean, intervalMs: number, run: (list: readonly Transport[], labelled: boolean) => Promise<ProbeRun>) {
  const metricsCache = new ProbeCache(intervalMs, () => run(transports, inFleet));
  const targetCaches = new Map<string, ProbeCache>();
  const byName = new Map(transports.map((transport) => [transport.target.name, transport]));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://exporter');
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) { res.setHeader('Allow', 'GET, HEAD'); send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', false); return; }
    if (url.pathname === '/metrics') {
      exposition(req, res, (await metricsCache.get()).text, head);
    } else if (url.pathname === '/probe') {
      const target = url.searchParams.get('target');
      if (!inFleet) { send(res, 400, 'text/plain; charset=utf-8', '/probe needs an exporter started with --ssh or --all-ssh-hosts; /metrics serves this guest\n', head); return; }
      const transport = target === null ? undefined : byName.get(target);
      if (!transport) { send(res, 400, 'text/plain; charset=utf-8', `target must be one of the exporter's hosts (--ssh, --all-ssh-hosts), not ${JSON.stringify(target)}\n`, head); return; }
      let cache = targetCaches.get(target!);
      if (!cache) targetCaches.set(target!, (cache = new ProbeCache(intervalMs, () => run([transport], false))));
      exposition(req, res, (await cache.get()).text, head);
    } else if (url.pathname === '/') {
      send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>Balloon Inspector exporter</title><h1>Balloon Inspector exporter</h1><p><a href="metrics">/metrics</a>' + (inFleet ? ' · /probe?target=HOST' : '') + '</p>\n', head);
    } else {
      send(res, 404, 'text/plain; charset=utf-8', 'not found: /metrics, /probe?target=HOST\n', head);
    }
  };
}

export async function startExporter(options: ServeOptions, env: NodeJS.ProcessEnv = process.env, stop?: AbortSignal): Promise<RunningExporter> {
  const settings: ProbeSettings = { sudo: options.sudo, toolTimeoutSeconds: options.toolTimeoutSeconds, runSnapshotTools: options.runSnapshotTools };
  const overSsh = options.ssh.length > 0 || options.allSshHosts;
  const transports = exporterTransports(options, env, settings);
  const handle = createHandler(transports, overSsh, options.minIntervalSeconds * 1000, createProbeRunner(options, settings, overSsh, stop));
  const server = createServer((req, res) => {
    // A client that goes away mid-response must not take the exporter with it.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error)?.message ?? String(error)}\n`, false));
  });
  server.on('clientError', (_error, socket) => { socket.destroy(); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostText = isIP(options.host) === 6 ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${hostText}:${port}`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/** The `serve` subcommand: runs until `signal` aborts; resolves with the exit code. */
export async function runServe(argv: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void; env: NodeJS.ProcessEnv }, signal: AbortSignal): Promise<number> {
  let options: ServeOptions;
  try {
    const parsed = parseServeArgs(argv);
    if (parsed === 'help') { io.stdout(SERVE_USAGE); return 0; }
    options = parsed;
  } catch (error) {
    if (error instanceof ServeUsageError) { io.stderr(`balloon-check serve: ${error.message}\n\n${SERVE_USAGE}`); return 3; }
    throw error;
  }
  let exporter: RunningExporter;
  try {
    exporter = await startExporter(options, io.env, signal);
  } catch (error) {
    io.stderr(`balloon-check serve: ${(error as Error).message}\n`);
    return 3;
  }
  io.stderr(`balloon-check serve: listening on ${exporter.url}/metrics (probes at most every ${options.minIntervalSeconds} s)\n`);
  await new Promise<void>((resolve) => { if (signal.aborted) resolve(); else signal.addEventListener('abort', () => resolve(), { once: true }); });
  await exporter.close();
  return 0;
}

import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { renderMarkdown } from '../core/render/markdown';
import { renderNagiosFleet, type NagiosThresholds } from '../core/render/nagios';
import { renderPrometheus } from '../core/render/prometheus';
import { analyzeProbeOutput, EXIT_CODES, type Report, type ReportStatus, type Target } from '../core/report';
import type { ProbeSettings } from '../core/sections';
import { formatBytes } from '../core/units';
import { escapeMarkdown, escapePrometheusLabel } from '../shared/escape';
import { SshCredentials, NO_PROMPTER, type Prompter } from '../transport/ssh-auth';
import { defaultSshEnvironment, SshConfig } from '../transport/ssh-config';
import { TerminalPrompter } from '../transport/ssh-prompt';
import { sshTransport } from '../transport/ssh-factory';
import type { SshTransport } from '../transport/ssh';
import { ProbeError, type HostErrorKind, type Transport } from '../transport/transport';

/** `$defs/hostError` of report.schema.json: a host that could not be checked, in place of its report. */
export interface HostErrorRecord {
  target: Target;
  collectedAt: string;
  error: { kind: HostErrorKind; message: string };
}

export type HostResult = { report: Report } | { hostError: HostErrorRecord };

export interface SshCliOptions {
  ssh: string[];
  allSshHosts: boolean;
  sshConfig?: string;
  acceptNew: boolean;
  batch: boolean;
  connectTimeoutSeconds?: number;
  probeTimeoutSeconds?: number;
}

/** The SSH side of one CLI run: config read once, credentials (and passphrases) shared by every host. */
export class SshSession {
  readonly config: SshConfig;
  private readonly credentials: SshCredentials;

  constructor(private readonly options: SshCliOptions, env: NodeJS.ProcessEnv, prompter?: Prompter) {
    this.config = SshConfig.load(options.sshConfig, defaultSshEnvironment(env));
    this.credentials = new SshCredentials(options.batch ? NO_PROMPTER : prompter ?? new TerminalPrompter());
  }

  /** The destinations to check: every --ssh, then (with --all-ssh-hosts) every concrete Host not named yet. */
  destinations(): string[] {
    const all = [...this.options.ssh];
    // A Set, not all.includes(): 10,000 hosts would be 50 million comparisons.
    const named = new Set(all);
    if (this.options.allSshHosts) for (const host of this.config.concreteHosts()) if (!named.has(host)) { named.add(host); all.push(host); }
    return all;
  }

  transport(destination: string): SshTransport {
    return sshTransport(destination, {
      config: this.config,
      credentials: this.credentials,
      acceptNewHostKey: this.options.acceptNew,
      connectTimeoutSeconds: this.options.connectTimeoutSeconds,
      probeTimeoutSeconds: this.options.probeTimeoutSeconds,
    });
  }
}

export function hostErrorRecord(target: Target, error: unknown, at = new Date()): HostErrorRecord {
  const probeError = error instanceof ProbeError ? error : new ProbeError('other', error instanceof Error ? error.message : String(error));
  return { target, collectedAt: at.toISOString(), error: { kind: probeError.kind, message: probeError.message } };
}

/** One host, start to end; never throws: a failure becomes that host's error record. */
export async function checkOne(transport: Transport, settings: ProbeSettings, signal?: AbortSignal): Promise<HostResult> {
  try {
    const output = await transport.runProbe(settings, signal);
    const analysis = analyzeProbeOutput(output, transport.target);
    if (!analysis.ok) return { hostError: hostErrorRecord(transport.target, new ProbeError('bad-output', `${transport.target.name}: ${analysis.reason}`)) };
    return { report: analysis.report };
  } catch (error) {
    return { hostError: hostErrorRecord(transport.target, error) };
  }
}

/** Checks every transport with at most `jobs` at once; `onResult` sees each result as it arrives. */
export async function checkMany(transports: readonly Transport[], settings: ProbeSettings, options: { jobs: number; signal?: AbortSignal; onResult?: (result: HostResult, index: number) => void }): Promise<HostResult[]> {
  const results: HostResult[] = new Array(transports.length);
  // Each running check listens on the signal (to close its connection on Ctrl-C).
  if (options.signal) setMaxListeners(Math.max(10, options.jobs + 10), options.signal);
  let next = 0;
  const worker = async () => {
    while (next < transports.length) {
      const index = next++;
      const transport = transports[index]!;
      results[index] = options.signal?.aborted
        ? { hostError: hostErrorRecord(transport.target, new ProbeError('other', 'cancelled before it was checked')) }
        : await checkOne(transport, settings, options.signal);
      options.onResult?.(results[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, transports.length)) }, worker));
  return results;
}

export const resultStatus = (result: HostResult): ReportStatus => ('report' in result ? result.report.status : 'unknown');
export const resultTarget = (result: HostResult): Target => ('report' in result ? result.report.target : result.hostError.target);

/**
 * How bad a status is when many are combined, as monitoring-plugins' max_state_alt orders them:
 * CRITICAL > WARNING > UNKNOWN > OK. A host we could not check (UNKNOWN) does not hide a
 * CRITICAL one, and does not pass for OK either.
 */
export const SEVERITY_ORDER: Record<ReportStatus, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

export function worstStatus(statuses: readonly ReportStatus[]): ReportStatus {
  return statuses.reduce<ReportStatus>((worst, status) => (SEVERITY_ORDER[status] > SEVERITY_ORDER[worst] ? status : worst), 'ok');
}

export function fleetExitCode(results: readonly HostResult[]): number {
  return results.length ? EXIT_CODES[worstStatus(results.map(resultStatus))] : EXIT_CODES.unknown;
}

/** The one-line verdict of a host, as printed when it arrives and in the summary. */
function verdict(result: HostResult): string {
  if ('hostError' in result) return `${result.hostError.error.kind}: ${result.hostError.error.message}`;
  const report = result.report;
  const balloon = report.balloon.currentBytes;
  const top = report.findings.find((finding) => finding.severity !== 'info') ?? report.findings[0];
  const parts = [
    report.balloon.driver ? `balloon ${formatBytes(balloon)}` : 'no balloon driver',
    report.memory.configuredBytes !== null ? `${formatBytes(report.memory.configuredBytes)} configured` : null,
    report.limits.memLimitBytes !== null ? `limit ${formatBytes(report.limits.memLimitBytes)}` : null,
  ].filter(Boolean).join(', ');
  if (top) return `${parts} — ${top.title}`;
  if (report.status === 'unknown') return `${parts} — too few readable signals to judge (hypervisor ${report.hypervisor.kind}, MemTotal ${formatBytes(report.memory.totalBytes)})`;
  return parts;
}

export function progressLine(result: HostResult, done: number, total: number): string {
  const width = String(total).length;
  return `[${String(done).padStart(width)}/${total}] ${resultStatus(result).toUpperCase().padEnd(8)} ${resultTarget(result).name}  ${verdict(result)}`;
}

/** Results sorted worst first (then by host name), so the hosts to look at come first. */
export function sortBySeverity(results: readonly HostResult[]): HostResult[] {
  return [...results].sort((a, b) => SEVERITY_ORDER[resultStatus(b)] - SEVERITY_ORDER[resultStatus(a)]
    || ('hostError' in a ? 0 : 1) - ('hostError' in b ? 0 : 1)
    || resultTarget(a).name.localeCompare(resultTarget(b).name));
}

function totals(results: readonly HostResult[]): string {
  const count = (status: ReportStatus) => results.filter((result) => resultStatus(result) === status).length;
  const failed = results.filter((result) => 'hostError' in result).length;
  return `${results.length} host${results.length === 1 ? '' : 's'}: ${count('critical')} critical, ${count('warning')} warning, ${count('unknown')} unknown${failed ? ` (${failed} could not be checked)` : ''}, ${count('ok')} ok`;
}

export function summaryTable(results: readonly HostResult[]): string {
  const rows = sortBySeverity(results).map((result) => [resultStatus(result).toUpperCase(), resultTarget(result).name, verdict(result)] as const);
  // reduce, not Math.max(...rows): a spread of every host overflows the call stack on large fleets.
  const statusWidth = rows.reduce((width, row) => Math.max(width, row[0].length), 6);
  const hostWidth = rows.reduce((width, row) => Math.max(width, row[1].length), 4);
  const line = (cells: readonly [string, string, string]) => `${cells[0].padEnd(statusWidth)}  ${cells[1].padEnd(hostWidth)}  ${cells[2]}`.trimEnd();
  return [line(['STATUS', 'HOST', 'FINDING']), ...rows.map(line), '', totals(results)].join('\n') + '\n';
}

export function summaryMarkdown(results: readonly HostResult[]): string {
  const rows = sortBySeverity(results).map((result) => `| ${resultStatus(result).toUpperCase()} | ${escapeMarkdown(resultTarget(result).name)} | ${escapeMarkdown(verdict(result))} |`);
  return ['# Balloon Inspector — fleet', '', '| status | host | finding |', '|---|---|---|', ...rows, '', totals(results), ''].join('\n');
}

/** Prometheus for a fleet: every series labelled with `host`; hosts that could not be checked as `up 0` with the reason. */
export function fleetPrometheus(results: readonly HostResult[]): string {
  const reports = results.flatMap((result) => ('report' in result ? [{ report: result.report, labels: { host: result.report.target.name } }] : []));
  const parts = reports.length ? [renderPrometheus(reports).trimEnd()] : [];
  parts.push('# HELP balloon_inspector_host_up Whether the host could be checked (1) or not (0).', '# TYPE balloon_inspector_host_up gauge');
  for (const result of results) parts.push(`balloon_inspector_host_up{host="${escapePrometheusLabel(resultTarget(result).name)}"} ${'report' in result ? 1 : 0}`);
  const failures = results.flatMap((result) => ('hostError' in result ? [result.hostError] : []));
  if (failures.length) {
    parts.push('# HELP balloon_inspector_host_error Why a host could not be checked (always 1), by error kind.', '# TYPE balloon_inspector_host_error gauge');
    for (const failure of failures) parts.push(`balloon_inspector_host_error{host="${escapePrometheusLabel(failure.target.name)}",kind="${failure.error.kind}"} 1`);
  }
  return `${parts.join('\n')}\n`;
}

/** Descriptors one SSH check may hold at once: its TCP socket, the agent's socket, a key or known_hosts file. */
export const FDS_PER_HOST = 3;
/** Descriptors kept free for everything else (Node.js itself, stdio, the output file). */
export const FD_RESERVE = 32;

/** The soft open-file limit (`ulimit -n`), or null when unlimited or unreadable. */
export function openFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (match) return match[1] === 'unlimited' ? null : Number(match[1]);
  } catch { /* no /proc (not Linux): ask the shell, which inherits our limit */ }
  const shell = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const limit = Number(shell.stdout?.trim());
  return Number.isSafeInteger(limit) && limit > 0 ? limit : null;
}

/** Descriptors open now (Linux), 0 where that cannot be counted. */
function openFileCount(): number {
  try { return readdirSync('/proc/self/fd').length; } catch { return 0; }
}

/**
 * How many hosts can be checked at once without running out of file descriptors (EMFILE):
 * `wanted`, lowered to what the open-file limit leaves after the descriptors open now and a reserve.
 */
export function jobsWithinFdLimit(wanted: number, limit = openFileLimit(), open = openFileCount()): number {
  if (limit === null) return wanted;
  return Math.max(1, Math.min(wanted, Math.floor((limit - open - FD_RESERVE) / FDS_PER_HOST)));
}

export type FleetFormat = 'text' | 'json' | 'ndjson' | 'markdown' | 'prometheus' | 'nagios';

export interface FleetIo { stdout: (text: string) => void; stderr: (text: string) => void }

/**
 * Checks many hosts: text prints a line per host to stderr as each finishes, then a table sorted
 * by severity; ndjson prints one line per host as it arrives; json an array in the order given.
 */
export async function runFleet(transports: readonly Transport[], settings: ProbeSettings, format: FleetFormat, options: { jobs: number; signal?: AbortSignal; thresholds?: NagiosThresholds }, io: FleetIo): Promise<number> {
  let done = 0;
  const wanted = Math.min(options.jobs, transports.length);
  const jobs = jobsWithinFdLimit(wanted);
  if (jobs < wanted) io.stderr(`balloon-check: checking ${jobs} hosts at once, not ${wanted}: the open-file limit (ulimit -n ${openFileLimit()}) leaves room for ${jobs} SSH connections\n`);
  const results = await checkMany(transports, settings, {
    jobs,
    signal: options.signal,
    onResult: (result) => {
      done++;
      if (format === 'text') io.stderr(`${progressLine(result, done, transports.length)}\n`);
      if (format === 'ndjson') io.stdout(`${JSON.stringify(jsonItem(result))}\n`);
    },
  });
  switch (format) {
    case 'text': io.stdout(summaryTable(results)); break;
    case 'json': io.stdout(`${JSON.stringify(results.map(jsonItem), null, 2)}\n`); break;
    case 'nagios': {
      // The plugin's state is the worst host's, thresholds included.
      const nagios = renderNagiosFleet(results.map((result) => ('report' in result ? { name: result.report.target.name, report: result.report } : { name: result.hostError.target.name, error: `${result.hostError.error.kind}: ${result.hostError.error.message}` })), options.thresholds);
      io.stdout(nagios.text);
      return EXIT_CODES[nagios.state];
    }
    case 'markdown': io.stdout([summaryMarkdown(results), ...results.flatMap((result) => ('report' in result ? [renderMarkdown(result.report)] : []))].join('\n')); break;
    case 'prometheus': io.stdout(fleetPrometheus(results)); break;
    default: break;
  }
  return fleetExitCode(results);
}

export const jsonItem = (result: HostResult): Report | HostErrorRecord => ('report' in result ? result.report : result.hostError);

import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { renderMarkdown } from '../core/render/markdown';
import { renderNagiosFleet, type NagiosThresholds } from '../core/render/nagios';
import { renderPrometheus } from '../core/render/prometheus';
import type { GuestFacts } from '../core/facts';
import { analyzeProbeOutput, EXIT_CODES, localizeReport, type Report, type ReportStatus, type Target } from '../core/report';
import type { ProbeSettings } from '../core/sections';
import { formatBytes } from '../core/units';
import { escapeMarkdown, escapePrometheusLabel } from '../shared/escape';
import { statusBadge } from '../shared/verdict';
import type { Lang, PerLang } from '../shared/i18n';
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

/** One host's result; `facts` lets the text and Markdown views word the findings in the reader's language. */
export type HostResult = { report: Report; facts?: GuestFacts } | { hostError: HostErrorRecord };

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

/**
 * The SSH session of a run and its destinations, or the exit code (after one line on stderr) when the SSH
 * configuration cannot be used or names no concrete Host.
 */
export function openSshSession(options: SshCliOptions, io: { env: NodeJS.ProcessEnv; prompter?: Prompter; stderr: (text: string) => void }): { session: SshSession; destinations: string[] } | number {
  let session: SshSession;
  let destinations: string[];
  try {
    session = new SshSession(options, io.env, io.prompter);
    destinations = session.destinations();
  } catch (error) {
    io.stderr(`balloon-check: ${(error as Error).message}\n`);
    return EXIT_CODES.unknown;
  }
  if (!destinations.length) { io.stderr('balloon-check: the SSH config has no concrete Host to check\n'); return EXIT_CODES.unknown; }
  return { session, destinations };
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
    return { report: analysis.report, facts: analysis.facts };
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

/** The fleet output's words (the figures, host names and error messages are the same in every language). */
export const FLEET_WORDS: PerLang<{
  noDriver: string; configured: string; limit: string; tooFew: (hv: string, total: string) => string;
  totals: (t: { hosts: number; critical: number; warning: number; unknown: number; failed: number; ok: number }) => string;
  header: readonly [string, string, string]; fleet: string; mdHeader: string;
}> = {
  en: {
    noDriver: 'no balloon driver', configured: 'configured', limit: 'limit',
    tooFew: (hv, total) => `too few readable signals to judge (hypervisor ${hv}, MemTotal ${total})`,
    totals: (t) => `${t.hosts} host${t.hosts === 1 ? '' : 's'}: ${t.critical} critical, ${t.warning} warning, ${t.unknown} unknown${t.failed ? ` (${t.failed} could not be checked)` : ''}, ${t.ok} ok`,
    header: ['STATUS', 'HOST', 'FINDING'], fleet: 'fleet', mdHeader: '| status | host | finding |',
  },
  es: {
    noDriver: 'sin driver de balloon', configured: 'configurados', limit: 'límite',
    tooFew: (hv, total) => `muy pocas señales legibles para juzgar (hipervisor ${hv}, MemTotal ${total})`,
    totals: (t) => `${t.hosts} host${t.hosts === 1 ? '' : 's'}: ${t.critical} crítico${t.critical === 1 ? '' : 's'}, ${t.warning} con aviso, ${t.unknown} desconocido${t.unknown === 1 ? '' : 's'}${t.failed ? ` (${t.failed} no se pudieron comprobar)` : ''}, ${t.ok} OK`,
    header: ['ESTADO', 'HOST', 'HALLAZGO'], fleet: 'flota', mdHeader: '| estado | host | hallazgo |',
  },
};

/** The one-line verdict of a host, as printed when it arrives and in the summary. */
function verdict(result: HostResult, lang: Lang = 'en'): string {
  if ('hostError' in result) return `${result.hostError.error.kind}: ${result.hostError.error.message}`;
  const words = FLEET_WORDS[lang];
  const bytes = (value: number | null) => formatBytes(value, lang);
  const report = result.report;
  const balloon = report.balloon.currentBytes;
  const top = report.findings.find((finding) => finding.severity !== 'info') ?? report.findings[0];
  const parts = [
    report.balloon.driver ? `balloon ${bytes(balloon)}` : words.noDriver,
    report.memory.configuredBytes !== null ? `${bytes(report.memory.configuredBytes)} ${words.configured}` : null,
    report.limits.memLimitBytes !== null ? `${words.limit} ${bytes(report.limits.memLimitBytes)}` : null,
  ].filter(Boolean).join(', ');
  if (top) return `${parts} — ${top.title}`;
  if (report.status === 'unknown') return `${parts} — ${words.tooFew(report.hypervisor.kind, bytes(report.memory.totalBytes))}`;
  return parts;
}

/** The results with their findings worded in `lang` (where the facts are at hand). */
export function localizeResults(results: readonly HostResult[], lang: Lang): HostResult[] {
  if (lang === 'en') return [...results];
  return results.map((result) => ('report' in result && result.facts ? { ...result, report: localizeReport(result.report, result.facts, lang) } : result));
}

export function progressLine(result: HostResult, done: number, total: number, lang: Lang = 'en'): string {
  const width = String(total).length;
  return `[${String(done).padStart(width)}/${total}] ${statusBadge(resultStatus(result), lang).padEnd(8)} ${resultTarget(result).name}  ${verdict(result, lang)}`;
}

/** Results sorted worst first (then by host name), so the hosts to look at come first. */
export function sortBySeverity(results: readonly HostResult[]): HostResult[] {
  return [...results].sort((a, b) => SEVERITY_ORDER[resultStatus(b)] - SEVERITY_ORDER[resultStatus(a)]
    || ('hostError' in a ? 0 : 1) - ('hostError' in b ? 0 : 1)
    || resultTarget(a).name.localeCompare(resultTarget(b).name));
}

function totals(results: readonly HostResult[], lang: Lang): string {
  const count = (status: ReportStatus) => results.filter((result) => resultStatus(result) === status).length;
  const failed = results.filter((result) => 'hostError' in result).length;
  return FLEET_WORDS[lang].totals({ hosts: results.length, critical: count('critical'), warning: count('warning'), unknown: count('unknown'), failed, ok: count('ok') });
}

export function summaryTable(results: readonly HostResult[], lang: Lang = 'en'): string {
  const words = FLEET_WORDS[lang];
  const rows = sortBySeverity(results).map((result) => [statusBadge(resultStatus(result), lang), resultTarget(result).name, verdict(result, lang)] as const);
  // reduce, not Math.max(...rows): a spread of every host overflows the call stack on large fleets.
  const statusWidth = rows.reduce((width, row) => Math.max(width, row[0].length), 6);
  const hostWidth = rows.reduce((width, row) => Math.max(width, row[1].length), 4);
  const line = (cells: readonly [string, string, string]) => `${cells[0].padEnd(statusWidth)}  ${cells[1].padEnd(hostWidth)}  ${cells[2]}`.trimEnd();
  return [line(words.header), ...rows.map(line), '', totals(results, lang)].join('\n') + '\n';
}

export function summaryMarkdown(results: readonly HostResult[], lang: Lang = 'en'): string {
  const words = FLEET_WORDS[lang];
  const rows = sortBySeverity(results).map((result) => `| ${statusBadge(resultStatus(result), lang)} | ${escapeMarkdown(resultTarget(result).name)} | ${escapeMarkdown(verdict(result, lang))} |`);
  return [`# Balloon Inspector — ${words.fleet}`, '', words.mdHeader, '|---|---|---|', ...rows, '', totals(results, lang), ''].join('\n');
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
export async function runFleet(transports: readonly Transport[], settings: ProbeSettings, format: FleetFormat, options: { jobs: number; signal?: AbortSignal; thresholds?: NagiosThresholds; lang?: Lang }, io: FleetIo): Promise<number> {
  const lang = options.lang ?? 'en';
  let done = 0;
  const wanted = Math.min(options.jobs, transports.length);
  const jobs = jobsWithinFdLimit(wanted);
  if (jobs < wanted) io.stderr(`balloon-check: checking ${jobs} hosts at once, not ${wanted}: the open-file limit (ulimit -n ${openFileLimit()}) leaves room for ${jobs} SSH connections\n`);
  const results = await checkMany(transports, settings, {
    jobs,
    signal: options.signal,
    onResult: (result) => {
      done++;
      if (format === 'text') io.stderr(`${progressLine(localizeResults([result], lang)[0], done, transports.length, lang)}\n`);
      if (format === 'ndjson') io.stdout(`${JSON.stringify(jsonItem(result))}\n`);
    },
  });
  switch (format) {
    case 'text': io.stdout(summaryTable(localizeResults(results, lang), lang)); break;
    case 'json': io.stdout(`${JSON.stringify(results.map(jsonItem), null, 2)}\n`); break;
    case 'nagios': {
      // The plugin's state is the worst host's, thresholds included.
      const nagios = renderNagiosFleet(results.map((result) => ('report' in result ? { name: result.report.target.name, report: result.report } : { name: result.hostError.target.name, error: `${result.hostError.error.kind}: ${result.hostError.error.message}` })), options.thresholds);
      io.stdout(nagios.text);
      return EXIT_CODES[nagios.state];
    }
    case 'markdown': {
      const shown = localizeResults(results, lang);
      io.stdout([summaryMarkdown(shown, lang), ...shown.flatMap((result) => ('report' in result ? [renderMarkdown(result.report, () => null, lang)] : []))].join('\n'));
      break;
    }
    case 'prometheus': io.stdout(fleetPrometheus(results)); break;
    default: break;
  }
  return fleetExitCode(results);
}

export const jsonItem = (result: HostResult): Report | HostErrorRecord => ('report' in result ? result.report : result.hostError);

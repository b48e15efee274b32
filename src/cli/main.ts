import { randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { renderMarkdown } from '../core/render/markdown';
import { parseRange, renderNagios, type NagiosThresholds } from '../core/render/nagios';
import { renderPrometheus } from '../core/render/prometheus';
import { renderText } from '../core/render/text';
import { analyzeProbeOutput, EXIT_CODES, localizeReport, type Report, type Target } from '../core/report';
import type { GuestFacts } from '../core/facts';
import { formatDecimal, isLang, langFromEnv, type Lang } from '../shared/i18n';
import { articleEnglishOnly } from '../knowledge/paths';
import type { ProbeSettings } from '../core/sections';
import { probeScript } from '../transport/probe-script';
import { rememberSample, type Sample } from '../core/trend';
import { formatBytes } from '../core/units';
import { localCheckRefusal } from '../shared/platform';
import { statusBadge } from '../shared/verdict';
import { LocalTransport } from '../transport/local';
import type { Prompter } from '../transport/ssh-auth';
import { MAX_OUTPUT_BYTES, MAX_TIMER_SECONDS, ProbeError, type Transport } from '../transport/transport';
// SSH code (ssh2) loads only when --ssh is given: a local check does not pay for it.
import type { SshCliOptions } from './fleet';
import { CHECK_COMMAND, CHECK_OPTIONS, DEFAULT_JOBS, FORMATS, MAX_TOOL_TIMEOUT_SECONDS, parseOptions, renderHelp, type Format, type OptionValues } from './options';

const loadFleet = () => require('./fleet') as typeof import('./fleet');
/** The KVM host view (--libvirt) loads only when asked for. */
const loadLibvirt = () => require('./libvirt') as typeof import('./libvirt');

export { DEFAULT_JOBS, FORMATS, MAX_TOOL_TIMEOUT_SECONDS, type Format } from './options';

/** `balloon-check --help`, made from the option table. */
export const USAGE = renderHelp(CHECK_COMMAND);

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input, read only by --input - (default: process.stdin). */
  stdin?: () => Readable;
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  /** Asks for passphrases and passwords; default: the controlling terminal, if any. */
  prompter?: Prompter;
  /** The machine's platform (default: process.platform): only Linux checks itself. */
  platform?: string;
}

class UsageError extends Error {}

export interface CliOptions {
  format: Format;
  root?: string;
  input?: string;
  sosreport?: string;
  collect?: string;
  output?: string;
  script: boolean;
  sudo: boolean;
  runSnapshotTools: boolean;
  watchSeconds?: number;
  count?: number;
  toolTimeoutSeconds?: number;
  color: boolean;
  /** Language of text and Markdown output (--lang, else LC_ALL / LC_MESSAGES / LANG). */
  lang: Lang;
  ssh: SshCliOptions;
  jobs: number;
  thresholds: NagiosThresholds;
  /** --libvirt: the KVM host view (src/cli/libvirt.ts), with --connect's URI. */
  libvirt?: { connect?: string };
}

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'whole ' : ''}number, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** A positive number of seconds no larger than `max` (by default what a Node.js timer can hold). */
function seconds(flag: string, value: string | undefined, max = MAX_TIMER_SECONDS): number | undefined {
  const number = positiveNumber(flag, value, false);
  if (number !== undefined && number > max) {
    throw new UsageError(`${flag} ${value} is too long: at most ${max} seconds${max === MAX_TIMER_SECONDS ? ' (2^31 ms, the longest timer Node.js sets)' : ''}`);
  }
  return number;
}

type CheckValues = OptionValues<typeof CHECK_OPTIONS>;

/** The combinations of options that make no sense, as a usage error. */
function checkCombinations(values: CheckValues, format: Format): void {
  const overSsh = Boolean(values.ssh?.length) || values['all-ssh-hosts'] === true;
  const fleet = (values.ssh?.length ?? 0) > 1 || values['all-ssh-hosts'] === true;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown --format ${JSON.stringify(values.format)}; use one of ${FORMATS.join(', ')}`);
  if (values.root !== undefined && values.input !== undefined) throw new UsageError('--root and --input exclude each other');
  if (values.sosreport !== undefined && (values.root !== undefined || values.input !== undefined || values.watch !== undefined || overSsh)) throw new UsageError('--sosreport goes with none of --root, --input, --watch, --ssh');
  if (values.collect !== undefined && (values.collect === '' || fleet)) throw new UsageError('--collect needs a file name and one guest');
  if (values['run-snapshot-tools'] && values.root === undefined) throw new UsageError('--run-snapshot-tools needs --root');
}

/** --watch and --count: seconds between samples and how many. */
function watchOptions(values: CheckValues): { watchSeconds?: number; count?: number } {
  const watchSeconds = seconds('--watch', values.watch);
  const count = positiveNumber('--count', values.count, true);
  if (count !== undefined && watchSeconds === undefined) throw new UsageError('--count needs --watch');
  if (watchSeconds !== undefined && values.input !== undefined) throw new UsageError('--watch cannot re-read saved --input');
  return { watchSeconds, count };
}

function sshOptions(values: CheckValues): SshCliOptions {
  return {
    ssh: values.ssh ?? [],
    allSshHosts: values['all-ssh-hosts'] ?? false,
    sshConfig: values['ssh-config'],
    acceptNew: values['accept-new'] ?? false,
    batch: values.batch ?? false,
    connectTimeoutSeconds: seconds('--connect-timeout', values['connect-timeout']),
    probeTimeoutSeconds: seconds('--probe-timeout', values['probe-timeout']),
  };
}

/** --warning and --critical (only with --format nagios). */
function nagiosThresholds(values: CheckValues, format: Format): NagiosThresholds {
  if ((values.warning !== undefined || values.critical !== undefined) && format !== 'nagios') throw new UsageError('--warning and --critical go with --format nagios');
  const thresholds: NagiosThresholds = {};
  try {
    if (values.warning !== undefined) thresholds.warning = parseRange(values.warning);
    if (values.critical !== undefined) thresholds.critical = parseRange(values.critical);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return thresholds;
}

export function parseCliArgs(argv: string[], io: Pick<CliIo, 'isTty' | 'env'>): CliOptions | 'help' | 'version' {
  let values: CheckValues;
  try {
    values = parseOptions(argv, CHECK_OPTIONS);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const format = (values.format ?? 'text') as Format;
  checkCombinations(values, format);
  const { watchSeconds, count } = watchOptions(values);
  const ssh = sshOptions(values);
  const overSsh = ssh.ssh.length > 0 || ssh.allSshHosts;
  if (values.output === '') throw new UsageError('--output needs a file name');
  if (overSsh && values.input !== undefined) throw new UsageError('--input analyses saved output; it does not go with --ssh');
  if (watchSeconds !== undefined && (ssh.ssh.length > 1 || ssh.allSshHosts)) throw new UsageError('--watch follows one host; give a single --ssh');
  const thresholds = nagiosThresholds(values, format);
  const libvirt = libvirtOption(values, format);
  return {
    format,
    root: values.root,
    input: values.input,
    sosreport: values.sosreport,
    collect: values.collect,
    output: values.output,
    script: values.script ?? false,
    sudo: values.sudo ?? false,
    runSnapshotTools: values['run-snapshot-tools'] ?? false,
    watchSeconds,
    count,
    toolTimeoutSeconds: seconds('--tool-timeout', values['tool-timeout'], MAX_TOOL_TIMEOUT_SECONDS),
    color: io.isTty && !values['no-color'] && !io.env.NO_COLOR && format === 'text',
    lang: cliLang(values.lang, io.env),
    ssh,
    jobs: positiveNumber('--jobs', values.jobs, true) ?? DEFAULT_JOBS,
    thresholds,
    ...(libvirt ? { libvirt } : {}),
  };
}

/** --libvirt and --connect. */
function libvirtOption(values: CheckValues, format: Format): CliOptions['libvirt'] {
  if (!values.libvirt) {
    if (values.connect !== undefined) throw new UsageError('--connect goes with --libvirt');
    return undefined;
  }
  const { root, input, sosreport, collect, watch, script, sudo } = values;
  const problem = loadLibvirt().libvirtUsageProblem(format, { root, input, sosreport, collect, watch, script, sudo });
  if (problem) throw new UsageError(problem);
  if (values.connect === '') throw new UsageError('--connect needs a libvirt URI');
  return { connect: values.connect };
}

/** --lang wins; otherwise the environment, as Unix tools read it. */
function cliLang(value: string | undefined, env: CliIo['env']): Lang {
  if (value === undefined) return langFromEnv(env);
  if (!isLang(value)) throw new UsageError(`unknown --lang ${JSON.stringify(value)}; use en or es`);
  return value;
}

/**
 * One report in the chosen format. Text and Markdown follow `lang` (their findings re-worded from `facts`, when
 * given); JSON, Prometheus and Nagios are the same in every language.
 */
export function renderReport(report: Report, options: Pick<CliOptions, 'format' | 'color'> & { lang?: Lang }, facts?: GuestFacts): string {
  const lang = options.lang ?? 'en';
  const shown = () => (facts ? localizeReport(report, facts, lang) : report);
  switch (options.format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'ndjson': return `${JSON.stringify(report)}\n`;
    case 'markdown': {
      // Loaded only for Markdown output, so other formats start without the knowledge base.
      const { articleMarkdownSection } = require('../knowledge') as typeof import('../knowledge');
      const background = articleMarkdownSection(report.findings.flatMap((finding) => finding.articles), { lang });
      const markdown = renderMarkdown(shown(), () => null, lang);
      return background ? `${markdown}\n${background}` : markdown;
    }
    case 'prometheus': return renderPrometheus([{ report }]);
    case 'nagios': return renderNagios(report).text;
    default: return renderText(shown(), { color: options.color, lang, englishOnly: lang === 'en' ? undefined : (id) => articleEnglishOnly(id, lang) });
  }
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
  // The listener goes when the timer fires: one per sample would pile up over a long --watch.
  const timer = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

class InputError extends Error {}

/**
 * Reads a stream to its end, stopping at `limit` bytes (so /dev/zero or `yes` cannot fill memory)
 * and at once when `signal` aborts (a FIFO with no writer would wait forever).
 */
export function readCapped(stream: Readable, limit: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      stream.destroy();
      if (error) reject(error); else resolve(Buffer.concat(chunks));
    };
    const onAbort = () => stop(new InputError('interrupted while reading'));
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) stop(new InputError(`stopped reading at ${limit} bytes (8 MiB), more than the probe ever prints: this is not its output`));
      else chunks.push(buffer);
    };
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.once('end', () => stop());
    stream.once('error', (error) => stop(error));
  });
}

/** Opens --input FILE. A FIFO is read through the event loop: a blocking read would hold a libuv thread that even exit waits for. */
function openInput(path: string): Readable {
  if (statSync(path).isFIFO()) return new Socket({ fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

/**
 * Writes `text` to `path` so readers (node_exporter's textfile collector) see the old file or the
 * new one, never a partial or empty one: a temporary file in the same directory, renamed over it.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode: number | undefined;
  try { mode = statSync(path).mode & 0o7777; } catch { /* a new file: the umask decides, as with > FILE */ }
  try {
    const fd = openSync(temp, 'wx', 0o666);
    try {
      if (mode !== undefined) fchmodSync(fd, mode);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Runs the CLI and resolves with its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  if (argv[0] === 'serve') return (require('./serve') as typeof import('./serve')).runServe(argv.slice(1), io, signal);
  let options: CliOptions;
  try {
    const parsed = parseCliArgs(argv, io);
    if (parsed === 'help') { io.stdout(USAGE); return 0; }
    if (parsed === 'version') { io.stdout(`balloon-check ${VERSION}\n`); return 0; }
    options = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      // The one line that went wrong and where to look, not the whole help.
      io.stderr(`balloon-check: ${error.message}\nTry 'balloon-check --help' for the options.\n`);
      return EXIT_CODES.unknown;
    }
    throw error;
  }
  if (options.output === undefined) return check(options, io, signal);
  // Everything for stdout is collected and written once, at the end, over the old file.
  const chunks: string[] = [];
  const code = await check(options, { ...io, stdout: (text) => { chunks.push(text); } }, signal);
  if (!chunks.length) {
    io.stderr(`balloon-check: nothing to write; ${options.output} is left as it was\n`);
    return code;
  }
  try {
    writeFileAtomic(options.output, chunks.join(''));
  } catch (error) {
    io.stderr(`balloon-check: cannot write ${options.output}: ${(error as Error).message}\n`);
    return EXIT_CODES.unknown;
  }
  return code;
}

/** One run once the options are parsed: its output goes to io.stdout. */
async function check(options: CliOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  if (options.script) { io.stdout(probeScript()); return 0; }
  if (options.libvirt) return loadLibvirt().runLibvirtCheck({ format: options.format, connect: options.libvirt.connect, color: options.color, ssh: options.ssh, lang: options.lang }, io, signal);
  if (options.input !== undefined) return checkInput(options.input, options, io, signal);
  if (options.sosreport !== undefined) return checkSosreport(options.sosreport, options, io, signal);
  const settings: ProbeSettings = { sudo: options.sudo, toolTimeoutSeconds: options.toolTimeoutSeconds, runSnapshotTools: options.runSnapshotTools };
  let transport: Transport;
  if (options.ssh.ssh.length || options.ssh.allSshHosts) {
    // --root names a directory on the guest: it travels inside the script, like every setting.
    settings.root = options.root;
    const ssh = sshTransport(options, settings, io, signal);
    if (typeof ssh !== 'object') return ssh;
    if ('fleet' in ssh) return ssh.fleet;
    transport = ssh.transport;
  } else {
    const refusal = options.root === undefined ? localCheckRefusal(io.platform ?? process.platform) : null;
    if (refusal) { io.stderr(refusal); return EXIT_CODES.unknown; }
    transport = new LocalTransport({ root: options.root });
  }
  const sampled = await sample(transport, settings, options, io, signal);
  if (typeof sampled === 'number') return sampled;
  const { last, lastOutput } = sampled;
  return (await collect(options, lastOutput, last, options.root !== undefined ? `--root ${options.root}` : transport.target.kind, io)) ?? emit(last, options, io);
}

/** --input FILE (or - for stdin): saved probe output, or an evidence bundle. */
async function checkInput(input: string, options: CliOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  let text: string;
  let bundleAt: Date | undefined;
  try {
    // Streamed with the SSH transport's cap: /dev/zero, `yes |` or a huge file stop at 8 MiB.
    const stream = input === '-' ? io.stdin?.() ?? process.stdin : openInput(input);
    const bytes = await readCapped(stream, MAX_OUTPUT_BYTES, signal);
    const bundle = await loadEvidence().readEvidenceBundle(bytes);
    text = bundle ? bundle.output : bytes.toString('utf8');
    bundleAt = bundle?.collectedAt ?? undefined;
  } catch (error) {
    const source = input === '-' ? 'stdin' : input;
    io.stderr(`balloon-check: ${error instanceof InputError ? `--input ${source}` : `cannot read ${source}`}: ${(error as Error).message}\n`);
    return EXIT_CODES.unknown;
  }
  const hostName = /\nhostname=([^\n]{1,253})\n/.exec(text)?.[1];
  const target: Target = { kind: 'snapshot', name: hostName ? `${hostName} (from ${input === '-' ? 'stdin' : input})` : input };
  const analysis = analyzeProbeOutput(text, target, bundleAt);
  return (await collect(options, text, analysis, `--input ${input}`, io)) ?? emit(analysis, options, io);
}

/** --sosreport PATH: a sos report's directory or archive. */
async function checkSosreport(path: string, options: CliOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  const sos = await (require('./sosreport') as typeof import('./sosreport')).analyzeSosreport(path, { toolTimeoutSeconds: options.toolTimeoutSeconds }, signal);
  if (!sos.ok) { io.stderr(`balloon-check: --sosreport ${path}: ${sos.reason}\n`); return EXIT_CODES.unknown; }
  return (await collect(options, sos.output, sos.analysis, `--sosreport ${path}`, io)) ?? emit(sos.analysis, options, io);
}

/**
 * --ssh / --all-ssh-hosts: the transport of the one host, or the fleet run's promised exit code
 * (several hosts), or an exit code when the SSH configuration cannot be used.
 */
function sshTransport(options: CliOptions, settings: ProbeSettings, io: CliIo, signal: AbortSignal): number | { transport: Transport } | { fleet: Promise<number> } {
  const { runFleet, openSshSession } = loadFleet();
  const opened = openSshSession(options.ssh, io);
  if (typeof opened === 'number') return opened;
  const { session, destinations } = opened;
  if (options.ssh.allSshHosts || destinations.length > 1) {
    return { fleet: runFleet(destinations.map((destination) => session.transport(destination)), settings, options.format, { jobs: options.jobs, signal, thresholds: options.thresholds, lang: options.lang }, io) };
  }
  return { transport: session.transport(destinations[0]!) };
}

type Analysis = ReturnType<typeof analyzeProbeOutput>;

/** Probes once, or every --watch seconds: the last analysis and its output, or an exit code when a probe failed. */
async function sample(transport: Transport, settings: ProbeSettings, options: CliOptions, io: CliIo, signal: AbortSignal): Promise<number | { last: Analysis; lastOutput: string }> {
  const history: Sample[] = [];
  const samples = options.watchSeconds === undefined ? 1 : options.count ?? Infinity;
  let last: Analysis | undefined;
  let lastOutput = '';
  for (let index = 0; index < samples && !signal.aborted; index++) {
    if (index > 0) await sleep((options.watchSeconds ?? 0) * 1000, signal);
    if (signal.aborted) break;
    let output: string;
    try {
      output = await transport.runProbe(settings, signal);
    } catch (error) {
      return probeFailed(transport, error, options, io);
    }
    const at = new Date();
    last = analyzeProbeOutput(output, transport.target, at, history);
    lastOutput = output;
    if (!last.ok) break;
    rememberSample(history, { at, facts: last.facts });
    if (options.watchSeconds !== undefined && options.format === 'text') io.stderr(`${watchLine(last.report, options.lang)}\n`);
  }
  if (!last) { io.stderr('balloon-check: interrupted before the first sample\n'); return EXIT_CODES.unknown; }
  return { last, lastOutput };
}

/** A probe that failed: the message, and for machine formats the record in place of the report. */
function probeFailed(transport: Transport, error: unknown, options: CliOptions, io: CliIo): number {
  const message = error instanceof ProbeError ? error.message : String(error);
  io.stderr(`balloon-check: ${transport.target.name}: ${message}\n`);
  // Machine formats get the schema's hostError record in place of the report.
  const { hostErrorRecord } = loadFleet();
  if (options.format === 'json' || options.format === 'ndjson') io.stdout(`${JSON.stringify(hostErrorRecord(transport.target, error), null, options.format === 'json' ? 2 : undefined)}\n`);
  if (options.format === 'nagios') io.stdout(`BALLOON UNKNOWN - ${transport.target.name}: ${message.replace(/[|\n]/g, ' ')}\n`);
  return EXIT_CODES.unknown;
}

const loadEvidence = () => require('./evidence') as typeof import('./evidence');

/** --collect FILE: the evidence bundle beside the usual output; a code only when it cannot be written. */
async function collect(options: CliOptions, output: string, analysis: Analysis, how: string, io: CliIo): Promise<number | undefined> {
  if (options.collect === undefined || !analysis.ok) return undefined;
  try {
    await loadEvidence().writeEvidenceBundle(options.collect, { output, report: analysis.report, version: VERSION, how });
  } catch (error) {
    io.stderr(`balloon-check: cannot write ${options.collect}: ${(error as Error).message}\n`);
    return EXIT_CODES.unknown;
  }
  return undefined;
}

const WATCH_WORDS = {
  en: { since: 'since start', available: 'available', pages: 'pages/s' },
  es: { since: 'desde el inicio', available: 'disponible', pages: 'páginas/s' },
} as const;

function watchLine(report: Report, lang: Lang = 'en'): string {
  const words = WATCH_WORDS[lang];
  const t = report.trend;
  const time = report.collectedAt.slice(11, 19);
  const delta = t?.balloonDeltaBytes;
  const rate = (value: number | null | undefined) => (value === null || value === undefined ? '-' : formatDecimal(value, 1, lang));
  return `${time} balloon ${formatBytes(report.balloon.currentBytes, lang)}${delta !== undefined && delta !== null ? ` (${delta >= 0 ? '+' : ''}${formatBytes(delta, lang)} ${words.since})` : ''}` +
    `  ${words.available} ${formatBytes(report.memory.availableBytes, lang)}  swap in/out ${rate(t?.swapInPerSecond)}/${rate(t?.swapOutPerSecond)} ${words.pages}  ${statusBadge(report.status, lang)}`;
}

function emit(analysis: Analysis, options: CliOptions, io: CliIo): number {
  if (!analysis.ok) {
    io.stderr(`balloon-check: UNKNOWN: ${analysis.reason}\n`);
    // A monitoring plugin always prints its state line.
    if (options.format === 'nagios') io.stdout(`BALLOON UNKNOWN - ${analysis.reason.replace(/\|/g, '/')}\n`);
    return EXIT_CODES.unknown;
  }
  if (options.format === 'nagios') {
    const nagios = renderNagios(analysis.report, options.thresholds);
    io.stdout(nagios.text);
    return EXIT_CODES[nagios.state];
  }
  io.stdout(renderReport(analysis.report, options, analysis.facts));
  return EXIT_CODES[analysis.report.status];
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

if (require.main === module) {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: () => process.stdin,
    isTty: process.stdout.isTTY === true,
    env: process.env,
  }, controller.signal).then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    process.stderr.write(`balloon-check: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT_CODES.unknown;
  });
}

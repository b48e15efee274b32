import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderMarkdown } from '../core/render/markdown';
import { renderPrometheus } from '../core/render/prometheus';
import { renderText } from '../core/render/text';
import { analyzeProbeOutput, EXIT_CODES, type Report, type Target } from '../core/report';
import { probeScript, type ProbeSettings } from '../core/sections';
import type { Sample } from '../core/trend';
import { formatBytes } from '../core/units';
import { LocalTransport } from '../transport/local';
import { ProbeError, type Transport } from '../transport/transport';

export const FORMATS = ['text', 'json', 'markdown', 'prometheus'] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = `Usage: balloon-check [options]

Checks whether the hypervisor is taking memory back from this Linux guest through a
balloon driver, how much, why, and what to do about it.

Options:
  --format FORMAT     text (default), json, markdown or prometheus
  --root DIR          check a snapshot: DIR is the guest's /, tools come from DIR's bin dirs
  --input FILE        analyse saved output of the probe script (- reads stdin)
  --script            print the probe script (run it with: sh -s < script > output)
  --sudo              read root-only statistics (debugfs) through sudo -n; never prompts
  --watch SECONDS     sample repeatedly and report the trend
  --count N           number of samples in watch mode (default: until interrupted)
  --tool-timeout SEC  time bound for each tool the probe runs (default 5)
  --no-color          plain text even on a terminal
  -h, --help          this help
  -V, --version       version

Exit codes (monitoring-plugin convention): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN or usage error.
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  isTty: boolean;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

export interface CliOptions {
  format: Format;
  root?: string;
  input?: string;
  script: boolean;
  sudo: boolean;
  watchSeconds?: number;
  count?: number;
  toolTimeoutSeconds?: number;
  color: boolean;
}

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} needs a positive ${integer ? 'whole ' : ''}number, not ${JSON.stringify(value)}`);
  }
  return number;
}

export function parseCliArgs(argv: string[], io: Pick<CliIo, 'isTty' | 'env'>): CliOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        format: { type: 'string', short: 'f' },
        root: { type: 'string' },
        input: { type: 'string' },
        script: { type: 'boolean' },
        sudo: { type: 'boolean' },
        watch: { type: 'string' },
        count: { type: 'string' },
        'tool-timeout': { type: 'string' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown --format ${JSON.stringify(values.format)}; use one of ${FORMATS.join(', ')}`);
  if (values.root !== undefined && values.input !== undefined) throw new UsageError('--root and --input exclude each other');
  const watchSeconds = positiveNumber('--watch', values.watch, false);
  const count = positiveNumber('--count', values.count, true);
  if (count !== undefined && watchSeconds === undefined) throw new UsageError('--count needs --watch');
  if (watchSeconds !== undefined && values.input !== undefined) throw new UsageError('--watch cannot re-read saved --input');
  return {
    format,
    root: values.root,
    input: values.input,
    script: values.script ?? false,
    sudo: values.sudo ?? false,
    watchSeconds,
    count,
    toolTimeoutSeconds: positiveNumber('--tool-timeout', values['tool-timeout'], false),
    color: io.isTty && !values['no-color'] && !io.env.NO_COLOR && format === 'text',
  };
}

export function renderReport(report: Report, options: Pick<CliOptions, 'format' | 'color'>): string {
  switch (options.format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown': return renderMarkdown(report);
    case 'prometheus': return renderPrometheus([{ report }]);
    default: return renderText(report, { color: options.color });
  }
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** Runs the CLI and resolves with its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  let options: CliOptions;
  try {
    const parsed = parseCliArgs(argv, io);
    if (parsed === 'help') { io.stdout(USAGE); return 0; }
    if (parsed === 'version') { io.stdout(`balloon-check ${VERSION}\n`); return 0; }
    options = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`balloon-check: ${error.message}\n\n${USAGE}`);
      return EXIT_CODES.unknown;
    }
    throw error;
  }
  if (options.script) { io.stdout(probeScript()); return 0; }

  if (options.input !== undefined) {
    let text: string;
    try {
      text = options.input === '-' ? io.readStdin() : readFileSync(options.input, 'utf8');
    } catch (error) {
      io.stderr(`balloon-check: cannot read ${options.input}: ${(error as Error).message}\n`);
      return EXIT_CODES.unknown;
    }
    const hostName = /\nhostname=([^\n]{1,253})\n/.exec(text)?.[1];
    const target: Target = { kind: 'snapshot', name: hostName ? `${hostName} (from ${options.input === '-' ? 'stdin' : options.input})` : options.input };
    return emit(analyzeProbeOutput(text, target), options, io);
  }

  const transport: Transport = new LocalTransport({ root: options.root });
  const settings: ProbeSettings = { sudo: options.sudo, toolTimeoutSeconds: options.toolTimeoutSeconds };
  const history: Sample[] = [];
  const samples = options.watchSeconds === undefined ? 1 : options.count ?? Infinity;
  let last: ReturnType<typeof analyzeProbeOutput> | undefined;
  for (let index = 0; index < samples && !signal.aborted; index++) {
    if (index > 0) await sleep((options.watchSeconds ?? 0) * 1000, signal);
    if (signal.aborted) break;
    let output: string;
    try {
      output = await transport.runProbe(settings);
    } catch (error) {
      const message = error instanceof ProbeError ? error.message : String(error);
      io.stderr(`balloon-check: ${transport.target.name}: ${message}\n`);
      return EXIT_CODES.unknown;
    }
    const at = new Date();
    last = analyzeProbeOutput(output, transport.target, at, history);
    if (!last.ok) break;
    history.push({ at, facts: last.facts });
    if (options.watchSeconds !== undefined && options.format === 'text') io.stderr(`${watchLine(last.report)}\n`);
  }
  if (!last) { io.stderr('balloon-check: interrupted before the first sample\n'); return EXIT_CODES.unknown; }
  return emit(last, options, io);
}

function watchLine(report: Report): string {
  const t = report.trend;
  const time = report.collectedAt.slice(11, 19);
  const delta = t?.balloonDeltaBytes;
  return `${time} balloon ${formatBytes(report.balloon.currentBytes)}${delta !== undefined && delta !== null ? ` (${delta >= 0 ? '+' : ''}${formatBytes(delta)} since start)` : ''}` +
    `  available ${formatBytes(report.memory.availableBytes)}  swap in/out ${t?.swapInPerSecond?.toFixed(1) ?? '-'}/${t?.swapOutPerSecond?.toFixed(1) ?? '-'} pages/s  ${report.status.toUpperCase()}`;
}

function emit(analysis: ReturnType<typeof analyzeProbeOutput>, options: CliOptions, io: CliIo): number {
  if (!analysis.ok) {
    io.stderr(`balloon-check: UNKNOWN: ${analysis.reason}\n`);
    return EXIT_CODES.unknown;
  }
  io.stdout(renderReport(analysis.report, options));
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
    readStdin: () => readFileSync(0, 'utf8'),
    isTty: process.stdout.isTTY === true,
    env: process.env,
  }, controller.signal).then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`balloon-check: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT_CODES.unknown;
  });
}

// The command line's options, once: each row gives node:util parseArgs its config, `--help` its
// line, and the man page and shell completions (scripts of the distribution) what they need.
// Add an option by adding a row here; the parser and the help follow.
import { parseArgs } from 'node:util';
import { MAX_TREND_SAMPLES } from '../core/trend';
import { LANGS } from '../shared/i18n';
import { MAX_TIMER_SECONDS } from '../transport/transport';

/** Longest --tool-timeout: one tool of the probe never needs more; the probe clamps BI_TOOL_TIMEOUT too. */
export const MAX_TOOL_TIMEOUT_SECONDS = 600;
/** Hosts checked at once over SSH (--jobs). */
export const DEFAULT_JOBS = 16;
export const FORMATS = ['text', 'json', 'ndjson', 'markdown', 'prometheus', 'nagios'] as const;
export type Format = (typeof FORMATS)[number];

/** Our port: the 9100–9999 range of Prometheus' default port allocations is full, so one just above it. */
export const DEFAULT_PORT = 10118;
export const DEFAULT_LISTEN = `127.0.0.1:${DEFAULT_PORT}`;
/** Default minimum interval between two probes of a guest (scrapes in between get the cached result). */
export const DEFAULT_MIN_INTERVAL_SECONDS = 30;
/** Default time bound of one probe: Prometheus' default scrape_timeout. */
export const DEFAULT_SERVE_PROBE_TIMEOUT_SECONDS = 10;

/** What a shell completion offers for an option's argument. */
export type Completion = 'file' | 'directory' | 'ssh-host' | 'none';

export interface CliOption {
  /** Long name, without the dashes. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** One-letter alias, without the dash. */
  readonly short?: string;
  /** The option may be given more than once (parseArgs collects an array). */
  readonly multiple?: boolean;
  /** The argument's name in the help and man page (string options only): FILE, DIR, N ... */
  readonly arg?: string;
  /** One paragraph, not wrapped: the help wraps it, a man page sets it as it likes. */
  readonly help: string;
  /** The help section it is listed under (an id of the command's `sections`). */
  readonly section: string;
  /** The only values accepted (completion offers them). */
  readonly choices?: readonly string[];
  /** What completion offers for the argument when there are no choices (default: nothing). */
  readonly complete?: Completion;
}

export interface CliCommand {
  /** The words that start it: ['balloon-check'] or ['balloon-check', 'serve']. */
  readonly words: readonly string[];
  /** One line for the man page's NAME and a completion's description. */
  readonly summary: string;
  /** Paragraphs after the usage line. */
  readonly description: readonly string[];
  readonly sections: readonly { readonly id: string; readonly title: string }[];
  readonly options: readonly CliOption[];
  /** Paragraphs after the options. */
  readonly footer: readonly string[];
}

// The options that say which guests a check reads and how (a snapshot, sudo, SSH hosts and their
// bounds): `balloon-check` and `balloon-check serve` both accept these same rows.
const ROOT = { name: 'root', type: 'string', arg: 'DIR', section: 'check', complete: 'directory', help: "check a snapshot: DIR is the guest's /; runs none of DIR's programs: tool answers come from DIR/sos_commands (with --ssh, DIR is on the remote host)" } as const satisfies CliOption;
const RUN_SNAPSHOT_TOOLS = { name: 'run-snapshot-tools', type: 'boolean', section: 'check', help: "with --root: run DIR's own usr/bin tools instead (bounded, inside DIR)" } as const satisfies CliOption;
const SUDO = { name: 'sudo', type: 'boolean', section: 'check', help: 'read root-only statistics (debugfs) through sudo -n; never prompts' } as const satisfies CliOption;
const TOOL_TIMEOUT = { name: 'tool-timeout', type: 'string', arg: 'SEC', section: 'check', help: `time bound for each tool the probe runs (default 5, at most ${MAX_TOOL_TIMEOUT_SECONDS})` } as const satisfies CliOption;
const SSH = { name: 'ssh', type: 'string', multiple: true, arg: 'DEST', section: 'ssh', complete: 'ssh-host', help: 'check DEST over SSH: [user@]host[:port] or a Host of the SSH config; repeat it to check several hosts at once' } as const satisfies CliOption;
const ALL_SSH_HOSTS = { name: 'all-ssh-hosts', type: 'boolean', section: 'ssh', help: 'check every concrete Host of the SSH config' } as const satisfies CliOption;
const SSH_CONFIG = { name: 'ssh-config', type: 'string', arg: 'FILE', section: 'ssh', complete: 'file', help: 'use FILE instead of ~/.ssh/config' } as const satisfies CliOption;
const ACCEPT_NEW = { name: 'accept-new', type: 'boolean', section: 'ssh', help: 'add unknown host keys to known_hosts (never changed ones)' } as const satisfies CliOption;
const JOBS = { name: 'jobs', type: 'string', arg: 'N', section: 'ssh', help: `hosts checked at once (default ${DEFAULT_JOBS}; lowered to fit the open-file limit)` } as const satisfies CliOption;
const CONNECT_TIMEOUT = { name: 'connect-timeout', type: 'string', arg: 'S', section: 'ssh', help: 'connect, handshake and login bound per host (default: ConnectTimeout, else 10)' } as const satisfies CliOption;
const PROBE_TIMEOUT = { name: 'probe-timeout', type: 'string', arg: 'S', section: 'ssh', help: 'bound for the probe once logged in (default 60)' } as const satisfies CliOption;
const HELP = { name: 'help', type: 'boolean', short: 'h', section: 'general', help: 'this help' } as const satisfies CliOption;

/** `balloon-check [options]`: one check (a guest, a snapshot, saved output, a sos report, a fleet). */
export const CHECK_OPTIONS = [
  { name: 'format', type: 'string', short: 'f', arg: 'FORMAT', section: 'check', choices: FORMATS, help: 'text (default), json, ndjson, markdown, prometheus or nagios' },
  { name: 'warning', type: 'string', short: 'w', arg: 'RANGE', section: 'check', help: "with --format nagios: WARNING when the balloon's share of configured memory (percent) is outside RANGE (monitoring-plugins range syntax: 20, 10:, ~:20, @10:20)" },
  { name: 'critical', type: 'string', short: 'c', arg: 'RANGE', section: 'check', help: "with --format nagios: CRITICAL when the balloon's share of configured memory (percent) is outside RANGE (same syntax)" },
  ROOT,
  RUN_SNAPSHOT_TOOLS,
  { name: 'input', type: 'string', arg: 'FILE', section: 'check', complete: 'file', help: 'analyse saved output of the probe script (- reads stdin); at most 8 MiB' },
  { name: 'sosreport', type: 'string', arg: 'PATH', section: 'check', complete: 'file', help: 'analyse a sos report: its directory or archive (.tar.xz, .tar.gz, .tar.bz2)' },
  { name: 'collect', type: 'string', arg: 'FILE', section: 'check', complete: 'file', help: 'also write an evidence bundle (.tar.gz: probe output, JSON and Markdown reports, README); --input and --sosreport read such a bundle back' },
  { name: 'output', type: 'string', arg: 'FILE', section: 'check', complete: 'file', help: 'write the result to FILE atomically (a temporary file renamed over it), so a failed run leaves the previous FILE as it was' },
  { name: 'script', type: 'boolean', section: 'check', help: 'print the probe script (run it with: sh -s < script > output)' },
  SUDO,
  { name: 'watch', type: 'string', arg: 'SECONDS', section: 'check', help: `sample repeatedly and report the trend (over the first and the last ${MAX_TREND_SAMPLES - 1} samples)` },
  { name: 'count', type: 'string', arg: 'N', section: 'check', help: 'number of samples in watch mode (default: until interrupted)' },
  TOOL_TIMEOUT,
  { name: 'no-color', type: 'boolean', section: 'check', help: 'plain text even on a terminal' },
  { name: 'lang', type: 'string', arg: 'LANG', section: 'check', choices: LANGS, help: 'language of text and Markdown output: en or es (default: from LC_ALL, LC_MESSAGES or LANG, else en); JSON, Prometheus and Nagios output are the same in every language; usage errors and --help stay English' },
  SSH,
  ALL_SSH_HOSTS,
  SSH_CONFIG,
  ACCEPT_NEW,
  { name: 'batch', type: 'boolean', section: 'ssh', help: 'never prompt for a passphrase or password (as ssh -o BatchMode=yes)' },
  JOBS,
  CONNECT_TIMEOUT,
  PROBE_TIMEOUT,
  { name: 'libvirt', type: 'boolean', section: 'libvirt', help: "the KVM host's side instead of a guest's: every libvirt domain, its balloon, usable memory, deflate-on-oom and statistics period, and the host's overcommit, through virsh (read-only); with --ssh, on that host" },
  { name: 'connect', type: 'string', arg: 'URI', section: 'libvirt', help: 'with --libvirt: the libvirt URI, as virsh --connect (default qemu:///system)' },
  HELP,
  { name: 'version', type: 'boolean', short: 'V', section: 'general', help: 'version' },
] as const satisfies readonly CliOption[];

/** `balloon-check serve [options]`: the Prometheus exporter. */
export const SERVE_OPTIONS = [
  { name: 'listen', type: 'string', arg: 'HOST:PORT', section: 'serve', help: `address to listen on (default ${DEFAULT_LISTEN}); a port of 0 picks a free one` },
  { name: 'allow-non-loopback', type: 'boolean', section: 'serve', help: 'allow a --listen address that is not loopback: whoever reaches it can make the exporter probe (at most once per --min-interval)' },
  { name: 'min-interval', type: 'string', arg: 'S', section: 'serve', help: `minimum seconds between two probes of a guest (default ${DEFAULT_MIN_INTERVAL_SECONDS})` },
  { ...PROBE_TIMEOUT, section: 'serve', help: `time bound of one probe of one guest (default ${DEFAULT_SERVE_PROBE_TIMEOUT_SECONDS}); past it, probe_success 0` },
  ROOT,
  RUN_SNAPSHOT_TOOLS,
  SUDO,
  TOOL_TIMEOUT,
  SSH,
  ALL_SSH_HOSTS,
  SSH_CONFIG,
  ACCEPT_NEW,
  JOBS,
  CONNECT_TIMEOUT,
  HELP,
] as const satisfies readonly CliOption[];

export const CHECK_COMMAND: CliCommand = {
  words: ['balloon-check'],
  summary: 'check memory ballooning in a Linux guest',
  description: ['Checks whether the hypervisor is taking memory back from this Linux guest through a balloon driver, how much, why, and what to do about it.'],
  sections: [{ id: 'check', title: 'Options' }, { id: 'ssh', title: 'SSH guests and fleets' }, { id: 'libvirt', title: 'KVM host view' }, { id: 'general', title: 'General' }],
  options: CHECK_OPTIONS,
  footer: [
    'balloon-check serve [options]: Prometheus exporter (balloon-check serve --help)',
    `Times in seconds are at most ${MAX_TIMER_SECONDS} (24.8 days, the longest Node.js timer).`,
    'Exit codes (monitoring-plugin convention): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN or usage error.\nWith several hosts, the worst of them in the order CRITICAL > WARNING > UNKNOWN > OK.',
  ],
};

export const SERVE_COMMAND: CliCommand = {
  words: ['balloon-check', 'serve'],
  summary: 'Prometheus exporter of memory ballooning in Linux guests',
  description: ['Prometheus exporter: /metrics probes the guest (or every --ssh host) when scraped, at most once per --min-interval; scrapes in between get the cached result. OpenMetrics when the scraper asks for it (Accept). /probe?target=HOST checks one host of the fleet (blackbox_exporter style).'],
  sections: [{ id: 'serve', title: 'Options' }, { id: 'check', title: 'Which guests, as for a check' }, { id: 'ssh', title: 'SSH guests, as for a check (the exporter never prompts, as --batch)' }, { id: 'general', title: 'General' }],
  options: SERVE_OPTIONS,
  footer: [`Times in seconds are at most ${MAX_TIMER_SECONDS} (24.8 days, the longest Node.js timer).`],
};

export const COMMANDS: readonly CliCommand[] = [CHECK_COMMAND, SERVE_COMMAND];

type ValueOf<O> = O extends { type: 'boolean' } ? (O extends { multiple: true } ? boolean[] : boolean) : (O extends { multiple: true } ? string[] : string);
/** What parseArgs gives for a table: each option by its long name, undefined when not given. */
export type OptionValues<T extends readonly CliOption[]> = { [O in T[number] as O['name']]?: ValueOf<O> };

/** The table as node:util parseArgs options. */
export function parseArgsConfig(table: readonly CliOption[]): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  return Object.fromEntries(table.map((option) => [option.name, {
    type: option.type,
    ...(option.short === undefined ? {} : { short: option.short }),
    ...(option.multiple ? { multiple: true } : {}),
  }]));
}

/** Parses `argv` (no positionals, no unknown options) by the table; throws parseArgs' errors. */
export function parseOptions<const T extends readonly CliOption[]>(argv: string[], table: T): OptionValues<T> {
  return parseArgs({ args: argv, strict: true, allowPositionals: false, options: parseArgsConfig(table) }).values as OptionValues<T>;
}

const HELP_WIDTH = 98;
const LABEL_WIDTH = 20;

/** `-h, --help`, `--format FORMAT`: how the help and the man page name an option. */
export function optionLabel(option: CliOption): string {
  return `${option.short === undefined ? '' : `-${option.short}, `}--${option.name}${option.arg === undefined ? '' : ` ${option.arg}`}`;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function optionHelp(option: CliOption): string {
  const label = `  ${optionLabel(option)}`;
  const indent = 2 + LABEL_WIDTH;
  // At least two spaces between an option and its text, as GNU tools print them.
  const head = label.length <= indent - 2 ? label.padEnd(indent) : `${label}  `;
  // The first line starts after the head, which may be longer than the indent.
  const [first = '', ...rest] = wrap(option.help, HELP_WIDTH - head.length);
  const more = rest.length ? wrap(rest.join(' '), HELP_WIDTH - indent) : [];
  return [head + first, ...more.map((line) => ' '.repeat(indent) + line)].join('\n');
}

/** A command's `--help` text, from its table. */
export function renderHelp(command: CliCommand): string {
  const paragraphs = (texts: readonly string[]) => texts.map((text) => text.split('\n').map((part) => wrap(part, HELP_WIDTH).join('\n')).join('\n'));
  const sections = command.sections
    .map((section) => ({ section, options: command.options.filter((option) => option.section === section.id) }))
    .filter((entry) => entry.options.length)
    .map((entry) => `${entry.section.title}:\n${entry.options.map(optionHelp).join('\n')}`);
  return `${[`Usage: ${command.words.join(' ')} [options]`, ...paragraphs(command.description), ...sections, ...paragraphs(command.footer)].join('\n\n')}\n`;
}

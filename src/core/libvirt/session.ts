/**
 * The conversation with one `virsh` process: what is sent and how its answers are cut apart. Pure.
 *
 * One shell (`sh -s`, locally or on an SSH host) prints the host files, then `exec`s one interactive
 * `virsh -r -q -c URI` (read-only connection: no command can change a domain). Every command is followed
 * by `echo "BI<nonce>"=<n>+` and `echo "BI<nonce>"=<n>=`, whose outputs `BI<nonce>=<n>+` / `BI<nonce>=<n>=` — the
 * nonce is random per run, so no domain name or XML can forge them — enclose that command's answer. Domains are only ever named by UUID, which is checked
 * to be hexadecimal and dashes before it is sent; names come from the XML and never reach a command line.
 */
import { shellQuote } from '../sections';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The shell part: host files (only for a URI on this host), then virsh takes over the same stdin. */
export function sessionPreamble(nonce: string, uri: string, readHostFiles: boolean): string {
  const mark = (name: string) => `printf '%s\\n' ${shellQuote(`BI${nonce} ${name}`)}`;
  const lines = [
    'LC_ALL=C; export LC_ALL',
    mark('meminfo'),
    readHostFiles ? 'cat /proc/meminfo 2>/dev/null' : ':',
    mark('ksm'),
    readHostFiles ? 'for f in run pages_sharing pages_shared; do v=$(cat "/sys/kernel/mm/ksm/$f" 2>/dev/null) && printf \'%s %s\\n\' "$f" "$v"; done; printf \'pagesize %s\\n\' "$(getconf PAGESIZE 2>/dev/null)"' : ':',
    mark('virsh'),
    `command -v virsh >/dev/null 2>&1 || { ${mark('no-virsh')}; exit 127; }`,
    `exec virsh -r -q -c ${shellQuote(uri)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The host-file sections of the preamble's output: the text after `BI<nonce> name` lines. */
export function preambleSections(text: string, nonce: string): { meminfo: string | null; ksm: string | null; noVirsh: boolean; started: boolean } {
  const at = (name: string) => text.indexOf(`BI${nonce} ${name}\n`);
  const between = (from: string, to: string) => {
    const start = at(from);
    const end = at(to);
    if (start < 0 || end < start) return null;
    const body = text.slice(start + `BI${nonce} ${from}\n`.length, end);
    return body.trim() ? body : null;
  };
  return { meminfo: between('meminfo', 'ksm'), ksm: between('ksm', 'virsh'), noVirsh: at('no-virsh') >= 0, started: at('virsh') >= 0 };
}

/** virsh's interactive prompt: `virsh # ` for root, `virsh > ` otherwise. */
export const PROMPT = /virsh [#>] $/;

/** virsh joins `"BI<nonce>"=<n>+` into `BI<nonce>=<n>+`: the joined form is only ever virsh's output. */
export const startMarker = (nonce: string, index: number) => `echo "BI${nonce}"=${index}+`;
export const endMarker = (nonce: string, index: number) => `echo "BI${nonce}"=${index}=`;

/** Commands per input line: virsh's readline echoes each line, which costs per line, not per command. */
export const COMMANDS_PER_LINE = 10;

/** The input lines: each command between its start and end markers, numbered from `first`, COMMANDS_PER_LINE a line. */
export function commandLines(nonce: string, commands: readonly string[], first: number): string[] {
  const lines: string[] = [];
  for (let start = 0; start < commands.length; start += COMMANDS_PER_LINE) {
    lines.push(commands.slice(start, start + COMMANDS_PER_LINE)
      .map((command, offset) => `${startMarker(nonce, first + start + offset)}; ${command}; ${endMarker(nonce, first + start + offset)}`).join('; '));
  }
  return lines;
}

/**
 * The answers to `commands` (numbered from `first`, sent as commandLines) in virsh's output `text`, in
 * order: the text between each command's start and end marker, so neither the prompt nor readline's echo
 * of the input line (with its line-wrapping sequences) is ever part of an answer. null for a command whose
 * end marker never came.
 */
export function splitAnswers(text: string, nonce: string, commands: readonly string[], first: number): (string | null)[] {
  const pattern = new RegExp(`BI${nonce}=(\\d+)([+=])`, 'g');
  const starts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (const match of text.matchAll(pattern)) {
    if (match[2] === '+') starts.set(Number(match[1]), match.index + match[0].length);
    else ends.set(Number(match[1]), match.index);
  }
  return commands.map((_, offset) => {
    const start = starts.get(first + offset);
    const end = ends.get(first + offset);
    return start === undefined || end === undefined || end < start ? null : text.slice(start, end);
  });
}

/** The phase-two domstats command (by UUID), as opposed to the first round's probe of the driver. */
export const isDomstatsByUuid = (command: string) => command.startsWith('domstats --balloon ') && !command.includes('--list-active');

/** The first round: who is there, the host, and whether this driver gives balloon figures through domstats. */
export const PHASE_ONE = ['uri', 'list --uuid', 'list --state-running --uuid', 'list --state-paused --uuid', 'list --inactive --uuid', 'nodeinfo', 'nodememstats', 'domstats --balloon --list-active'] as const;

/**
 * The second round: the XML of every domain, and the balloon statistics of the active ones — all at once
 * through domstats where the driver gives them (real QEMU), else dommemstat per domain (the test driver).
 */
export function phaseTwo(active: readonly string[], all: readonly string[], domstats: boolean): string[] {
  const safeActive = active.filter((uuid) => UUID_PATTERN.test(uuid));
  const commands: string[] = [];
  if (domstats && safeActive.length) commands.push(`domstats --balloon ${safeActive.join(' ')}`);
  for (const uuid of all.filter((item) => UUID_PATTERN.test(item))) {
    if (!domstats && safeActive.includes(uuid)) commands.push(`dommemstat ${uuid}`);
    commands.push(`dumpxml ${uuid}`);
  }
  return commands;
}

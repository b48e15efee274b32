/**
 * The conversation with one `virsh` process: what is sent and how its answers are cut apart. Pure.
 *
 * One shell (`sh -s`, locally or on an SSH host) prints the host files, then `exec`s one interactive
 * `virsh -r -q -c URI` (read-only connection: no command can change a domain). Each command is followed by
 * `echo "BI<nonce>"=<n>=`, and each input line starts with `echo "BI<nonce>"=<n>+`; virsh prints them as
 * `BI<nonce>=<n>=` / `BI<nonce>=<n>+` — the nonce is random per run, so no domain name or XML can forge
 * them — and they enclose the answers. Domains are only ever named by UUID, checked to be hexadecimal and
 * dashes before it is sent; names come from the XML and never reach a command line.
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
export const COMMANDS_PER_LINE = 20;

/**
 * The input lines, COMMANDS_PER_LINE commands a line, numbered from `first`: each command followed by its end
 * marker, and a start marker before the first command of each line (readline's echo of the line comes before it).
 */
export function commandLines(nonce: string, commands: readonly string[], first: number): string[] {
  const lines: string[] = [];
  for (let start = 0; start < commands.length; start += COMMANDS_PER_LINE) {
    const parts = [startMarker(nonce, first + start)];
    commands.slice(start, start + COMMANDS_PER_LINE).forEach((command, offset) => parts.push(command, endMarker(nonce, first + start + offset)));
    lines.push(parts.join('; '));
  }
  return lines;
}

/**
 * The answers to `commands` (numbered from `first`, sent as commandLines) in virsh's output `text`, in
 * order: from the command's start marker (first of a line) or the previous command's end marker, to its
 * own end marker — so neither the prompt nor readline's echo of the input line (with its line-wrapping
 * sequences) is ever part of an answer. null for a command whose markers never came.
 */
export function splitAnswers(text: string, nonce: string, commands: readonly string[], first: number): (string | null)[] {
  const pattern = new RegExp(`BI${nonce}=(\\d+)([+=])`, 'g');
  const starts = new Map<number, number>();
  const ends = new Map<number, { start: number; end: number }>();
  for (const match of text.matchAll(pattern)) {
    if (match[2] === '+') starts.set(Number(match[1]), match.index + match[0].length);
    else ends.set(Number(match[1]), { start: match.index, end: match.index + match[0].length });
  }
  return commands.map((_, offset) => {
    const index = first + offset;
    const from = offset % COMMANDS_PER_LINE === 0 ? starts.get(index) : ends.get(index - 1)?.end;
    const to = ends.get(index)?.start;
    return from === undefined || to === undefined || to < from ? null : text.slice(from, to);
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

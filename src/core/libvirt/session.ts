/**
 * The conversation with one `virsh` process: what is sent and how its answers are cut apart. Pure.
 *
 * One shell (`sh -s`, locally or on an SSH host) prints the host files, then `exec`s one interactive
 * `virsh -r -q -c URI` (read-only connection: no command can change a domain). Every command is followed
 * by `echo "BI<nonce>"=<n>=`, whose output `BI<nonce>=<n>=` — the nonce is random per run, so no domain name
 * or XML can forge it — ends that command's answer. Domains are only ever named by UUID, which is checked
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

/** virsh joins `"BI<nonce>"=<n>=` into `BI<nonce>=<n>=`: the joined form is only ever virsh's output. */
export const markerCommand = (nonce: string, index: number) => `echo "BI${nonce}"=${index}=`;

/** Commands per input line: virsh's readline echoes each line, which costs per line, not per command. */
export const COMMANDS_PER_LINE = 10;

/** The input lines: each command followed by its marker, numbered from `first`, COMMANDS_PER_LINE a line. */
export function commandLines(nonce: string, commands: readonly string[], first: number): string[] {
  const lines: string[] = [];
  for (let start = 0; start < commands.length; start += COMMANDS_PER_LINE) {
    lines.push(commands.slice(start, start + COMMANDS_PER_LINE).map((command, offset) => `${command}; ${markerCommand(nonce, first + start + offset)}`).join('; '));
  }
  return lines;
}

/**
 * The answers to `commands` (numbered from `first`, sent as commandLines) in virsh's output `text`, in
 * order; null for a command whose marker never came. Prompts and the echo of the input line (virsh built
 * with readline echoes what it reads from a pipe) are removed.
 */
export function splitAnswers(text: string, nonce: string, commands: readonly string[], first: number): (string | null)[] {
  const lines = commandLines(nonce, commands, first);
  const pattern = new RegExp(`BI${nonce}=(\\d+)=`, 'g');
  const marks = new Map<number, { start: number; end: number }>();
  for (const match of text.matchAll(pattern)) marks.set(Number(match[1]), { start: match.index, end: match.index + match[0].length });
  return commands.map((_, offset) => {
    const here = marks.get(first + offset);
    if (!here) return null;
    const previous = offset > 0 ? marks.get(first + offset - 1) : undefined;
    let body = text.slice(previous ? previous.end : 0, here.start).replace(/^\n?virsh [#>] /, '');
    const line = offset % COMMANDS_PER_LINE === 0 ? lines[offset / COMMANDS_PER_LINE] : null;
    if (line !== null && body.startsWith(`${line}\n`)) body = body.slice(line.length + 1);
    return body;
  });
}

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

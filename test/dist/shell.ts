// Helpers of the distribution tests: `--help` against the rendered man page, and a real bash driving
// the completion function exactly as readline would (COMP_WORDS, COMP_CWORD, then COMPREPLY).
import { spawnSync } from 'node:child_process';

export interface HelpEntry { label: string; text: string }

/** `-f, --format FORMAT`: the names, then an upper-case argument name (the words after it start in lower case). */
const LABEL = '((?:-[A-Za-z], )?--[a-z][a-z-]*(?: [A-Z][A-Z:_]*)?)';

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The option lines of a `--help` text and their continuation lines. */
export function helpEntries(help: string): HelpEntry[] {
  const entries: HelpEntry[] = [];
  for (const line of help.split('\n')) {
    const option = line.match(new RegExp(`^ {2}${LABEL}(?:\\s+(\\S.*))?$`));
    if (option) entries.push({ label: option[1], text: option[2] ?? '' });
    else if (/^ {4,}\S/.test(line) && entries.length) entries[entries.length - 1].text += ` ${line.trim()}`;
  }
  return entries.map((entry) => ({ label: squash(entry.label), text: squash(entry.text) }));
}

/** Renders a man page file to plain text (man -l, no pager, wide lines), or throws. */
export function renderMan(man: string, file: string): string {
  const run = spawnSync(man, ['-l', '-P', 'cat', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '', LANG: 'C.UTF-8' } });
  if (run.status !== 0) throw new Error(`man -l ${file} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/**
 * What disagrees between a command's `--help` and its part of the rendered man page: every option
 * line of the help (label and words) must be in the man page, and the man page must list no other option.
 */
export function disagreements(help: string, manPart: string): string[] {
  const entries = helpEntries(help);
  // groff may break a line after a word's hyphen (read-|only): such a break is no space.
  const man = squash(manPart.replace(/(\w-)\n\s+(?=\w)/g, '$1'));
  const problems = entries.filter((entry) => !man.includes(`${entry.label} ${entry.text}`)).map((entry) => `man page lacks "${entry.label}  ${entry.text}"`);
  const helpLabels = new Set(entries.map((entry) => entry.label));
  const manLabels = manPart.split('\n').map((line) => line.match(new RegExp(`^ {7}${LABEL}(?:\\s|$)`))?.[1]).filter((label): label is string => !!label);
  problems.push(...manLabels.filter((label) => !helpLabels.has(label)).map((label) => `man page lists "${label}", --help does not`));
  if (!entries.length) problems.push('--help has no option lines');
  return problems;
}

/** The rendered man page cut at its top-level headings: `OPTIONS`, `SERVE`, ... -> text under it. */
export function manSections(rendered: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current = '';
  for (const line of rendered.split('\n')) {
    if (/^[A-Z][A-Z ]+$/.test(line)) current = line.trim();
    else sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
  }
  return sections;
}

/**
 * COMPREPLY of the function `complete -p balloon-check` names, for the words typed so far (the last one is
 * the word being completed), in `bash --norc` after `setup` (which sources or loads the completion).
 */
export function complete(bash: string, setup: string, words: string[], env: NodeJS.ProcessEnv): { status: number | null; spec: string; replies: string[]; stderr: string } {
  const quoted = words.map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
  const script = `${setup}
spec=$(complete -p balloon-check) || exit 7
echo "SPEC $spec"
fn=$(sed -n 's/.*-F \\([^ ]*\\).*/\\1/p' <<<"$spec")
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
COMPREPLY=()
"$fn" balloon-check "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf 'REPLY %s\\n' "\${COMPREPLY[@]}"`;
  const run = spawnSync(bash, ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', env });
  const lines = run.stdout.split('\n');
  return {
    status: run.status,
    spec: (lines.find((line) => line.startsWith('SPEC ')) ?? '').slice(5),
    replies: lines.filter((line) => line.startsWith('REPLY ')).map((line) => line.slice(6)).filter(Boolean).sort(),
    stderr: run.stderr,
  };
}

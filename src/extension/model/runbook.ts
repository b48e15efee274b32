import { isAbsolute, join, relative } from 'node:path';
import { shellQuote } from '../../core/sections';
import { LANGS } from '../../shared/i18n';
import { l10n } from './l10n';

/** vscode-free: what the runbook code lenses offer, and the exact text a terminal receives. */

/** One runnable block as the lenses need it (mapped from the knowledge module's parser). */
export interface RunnableBlock {
  /** 0-based line of the opening fence. */
  line: number;
  code: string;
  /** The step needs root. */
  root: boolean;
  /** The step changes the guest's state. */
  mutates: boolean;
  /** Short name for prompts ("step 3" or the block's own name). */
  name: string;
}

export interface LensSpec {
  line: number;
  title: string;
  command: 'balloonInspector.runBlock' | 'balloonInspector.runBlockWithSudo' | 'balloonInspector.copyBlock';
  tooltip: string;
}

/** Whether the block already runs everything through sudo itself (then "Run with sudo" adds nothing). */
export function usesSudoItself(code: string): boolean {
  const commands = code.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  return commands.length > 0 && commands.every((line) => /^sudo\s/.test(line));
}

/** The lenses above each block; in an untrusted workspace only "Copy" (nothing may run there). */
export function lensesForBlocks(blocks: readonly RunnableBlock[], guestLabel: string, trusted = true, origin: RunbookOrigin = 'workspace'): LensSpec[] {
  const all = allLenses(blocks, guestLabel, origin);
  return trusted ? all : all.filter((lens) => lens.command === 'balloonInspector.copyBlock');
}

/** Why running a block asks first, in the words of a lens tooltip (empty: it runs at once). */
function askReasons(block: RunnableBlock, origin: RunbookOrigin): string[] {
  return [
    block.root ? l10n.t('needs root') : '',
    block.mutates ? l10n.t('changes the guest') : '',
    ...commandRisks(block.code),
    origin === 'shipped' ? '' : l10n.t('not a runbook Balloon Inspector ships'),
  ].filter(Boolean);
}

function allLenses(blocks: readonly RunnableBlock[], guestLabel: string, origin: RunbookOrigin): LensSpec[] {
  const lenses: LensSpec[] = [];
  for (const block of blocks) {
    const reasons = askReasons(block, origin);
    const runTip = l10n.t('Run {0} in a terminal on {1}', block.name, guestLabel);
    const tooltip = reasons.length ? l10n.t('{0} (asks first: {1})', runTip, reasons.join(', ')) : runTip;
    lenses.push({ line: block.line, title: l10n.t('$(play) Run on {0}', guestLabel), command: 'balloonInspector.runBlock', tooltip });
    if (block.root && !usesSudoItself(block.code)) {
      lenses.push({
        line: block.line, title: l10n.t('$(shield) Run with sudo'), command: 'balloonInspector.runBlockWithSudo',
        tooltip: l10n.t('Run {0} as root through sudo on {1} (sudo asks for its password in the terminal)', block.name, guestLabel),
      });
    }
    lenses.push({ line: block.line, title: l10n.t('$(copy) Copy'), command: 'balloonInspector.copyBlock', tooltip: l10n.t('Copy {0} to the clipboard', block.name) });
  }
  return lenses;
}

/** The block's commands, as typed into a shell (a trailing newline is the terminal's job). */
export function terminalText(code: string, options: { sudo: boolean }): string {
  const body = code.replace(/\r\n/g, '\n').replace(/\n+$/, '');
  if (!options.sudo) return body;
  // One sudo for the whole block, so its password is asked once; sh -c keeps pipes and redirections under root.
  return `sudo -- sh -c ${shellQuote(body)}`;
}

/**
 * Whether running this block must be confirmed first, and the words of that question. A step asks
 * when it needs root or changes the guest (its attributes), when its commands do something that
 * needs a look whatever the attributes say (commandRisks), and always when the runbook is not ours.
 */
export function confirmation(block: RunnableBlock, guestLabel: string, sudo: boolean, origin: RunbookOrigin): { message: string; detail: string } | null {
  const root = block.root || sudo;
  const risks = commandRisks(block.code);
  const foreign = origin !== 'shipped';
  if (!root && !block.mutates && !risks.length && !foreign) return null;
  const reasons = [root ? l10n.t('runs as root') : '', block.mutates ? l10n.t('changes the state of the guest') : '', ...risks].filter(Boolean);
  const sentences = [l10n.t('Run {0} on {1}?', block.name, guestLabel)];
  if (reasons.length) sentences.push(l10n.t('It {0}.', listWords(reasons)));
  if (foreign) sentences.push(l10n.t('It comes from a runbook Balloon Inspector does not ship: read the command before you run it.'));
  return {
    message: sentences.join(' '),
    detail: terminalText(block.code, { sudo }),
  };
}

const listWords = (items: readonly string[]) => (items.length < 2 ? items.join('') : l10n.t('{0} and {1}', items.slice(0, -1).join(', '), items[items.length - 1]!));

/** Cheap check for workspace markdown that declares itself a runbook (`runbook: true` in its front matter). */
export function declaresRunbook(text: string): boolean {
  const match = /^(?:\uFEFF)?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return false;
  return /^runbook:[ \t]*(?:true|yes|on)[ \t]*(?:#.*)?$/m.test(match[1]);
}

/** Where a runbook comes from. Steps of a runbook Balloon Inspector does not ship always ask first. */
export type RunbookOrigin = 'shipped' | 'workspace';

/** Whether `path` is a Markdown file inside this extension's own knowledge/runbooks folder, or a translation's (knowledge/es/runbooks). */
export function isShippedRunbookPath(path: string, extensionPath: string): boolean {
  const inside = (folder: string) => {
    const rest = relative(folder, path);
    return rest !== '' && !rest.startsWith('..') && !isAbsolute(rest) && rest.endsWith('.md');
  };
  const knowledge = join(extensionPath, 'knowledge');
  return inside(join(knowledge, 'runbooks')) || LANGS.some((lang) => lang !== 'en' && inside(join(knowledge, lang, 'runbooks')));
}

/** Commands that act as root, and commands a step may not run without asking. */
const ROOT_COMMANDS = new Set(['sudo', 'su', 'doas', 'pkexec', 'runuser']);
const RISKY_COMMANDS = new Set(['dd', 'rm', 'shred', 'wipefs', 'mkfs', 'mkswap', 'swapon', 'swapoff', 'reboot', 'shutdown', 'halt', 'poweroff', 'kexec', 'telinit']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'yash', 'fish', 'csh', 'tcsh']);
/** Words that run the words after them as a command; the value: their options that take a separate argument. */
const WRAPPERS = new Map<string, ReadonlySet<string>>([
  ['sudo', new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-T', '-U'])], ['doas', new Set(['-u', '-C'])], ['pkexec', new Set(['--user'])],
  ['runuser', new Set(['-u', '-g', '-G', '-l', '-c', '-s'])], ['env', new Set(['-u', '-C', '-S'])], ['command', new Set()], ['exec', new Set(['-a'])],
  ['nohup', new Set()], ['time', new Set(['-f', '-o'])], ['nice', new Set(['-n'])], ['ionice', new Set(['-c', '-n', '-p'])], ['timeout', new Set(['-s', '-k'])],
  ['stdbuf', new Set(['-i', '-o', '-e'])], ['setsid', new Set()], ['xargs', new Set(['-I', '-n', '-P', '-L', '-s', '-d', '-E', '-a'])], ['chroot', new Set()],
  ['builtin', new Set()], ['busybox', new Set()], ['then', new Set()], ['do', new Set()], ['else', new Set()], ['elif', new Set()], ['if', new Set()],
  ['while', new Set()], ['until', new Set()], ['!', new Set()], ['{', new Set()], ['}', new Set()],
]);
/** Wrappers whose first argument is not the command (timeout DURATION, chroot DIR). */
const WRAPPER_ARGUMENT = new Set(['timeout', 'chroot']);
const SAFE_DEVICES = /^\/dev\/(?:null|zero|stdout|stderr|tty|fd\/\d+)$/;
/** Stands for the unknown text of an expansion ($x, $(...), `...`) inside a word. */
const EXPANSION = '\u0000';
const MAX_NESTING = 16;

interface LexedCommand { words: string[]; afterPipe: boolean; writes: string[] }

/**
 * Why running `code` must be confirmed whatever its attributes say: calls to sudo/su, dd, rm,
 * mkswap/swapon, reboot/shutdown/halt/poweroff; writes to /proc/sys (redirection, tee, sysctl -w),
 * /sys or a device; a shell fed by a pipe (`curl … | sh`). Every command counts: after `;`, `&&`,
 * `||`, `|`, `&`, newlines, inside `$( )`, backticks and `<( )`, behind sudo/env/xargs/find -exec
 * and `sh -c`; quotes and backslashes are removed first (`s\udo`, `"rm"`) and `${IFS}` splits words.
 * A command named by an expansion (`$X reboot`) asks too. Empty: the step may run without asking.
 */
export function commandRisks(code: string): string[] {
  const risks = new Set<string>();
  const pending: [string, number][] = [[code, 0]];
  while (pending.length) {
    const [text, depth] = pending.pop()!;
    if (depth > MAX_NESTING) { risks.add(l10n.t('nests commands too deep to read')); continue; }
    const nested: string[] = [];
    for (const command of lexShell(text, nested)) classifyCommand(command, risks, nested);
    for (const inner of nested) pending.push([inner, depth + 1]);
  }
  return [...risks];
}

/** Splits shell text into simple commands (words with quotes removed); command substitutions go to `nested`. */
function lexShell(code: string, nested: string[]): LexedCommand[] {
  return new ShellLexer(code, nested).commands();
}

const REDIRECTION = /^(?:&>>?|[<>]&|>>|>\||<>|<<<|<<-?|>|<)/;

/** One pass over shell text: the position, the word and the command being read. */
class ShellLexer {
  private readonly found: LexedCommand[] = [];
  private current: LexedCommand = { words: [], afterPipe: false, writes: [] };
  private word = '';
  private inWord = false;
  private redirect: 'write' | 'read' | null = null;
  private i = 0;

  constructor(private readonly code: string, private readonly nested: string[]) {}

  commands(): LexedCommand[] {
    while (this.i < this.code.length) {
      if (!this.quotingOrExpansion(this.code[this.i]!)) this.operatorOrText(this.code[this.i]!);
    }
    this.endCommand(false);
    return this.found;
  }

  private endWord(): void {
    if (!this.inWord) return;
    if (this.redirect === 'write') this.current.writes.push(this.word);
    else if (this.redirect === null) this.current.words.push(this.word);
    this.redirect = null;
    this.word = '';
    this.inWord = false;
  }

  private endCommand(pipe: boolean): void {
    this.endWord();
    if (this.current.words.length || this.current.writes.length) this.found.push(this.current);
    this.current = { words: [], afterPipe: pipe, writes: [] };
  }

  private add(text: string): void { this.word += text; this.inWord = true; }

  /** The text up to the parenthesis or brace that closes the one just passed. */
  private balanced(open: string, close: string): string {
    const code = this.code;
    const start = this.i;
    for (let depth = 1; this.i < code.length; this.i++) {
      const char = code[this.i];
      if (char === '\\') this.i++;
      else if (char === "'" && open === '(') this.i = code.indexOf("'", this.i + 1) < 0 ? code.length : code.indexOf("'", this.i + 1);
      else if (char === open) depth++;
      else if (char === close && --depth === 0) return code.slice(start, this.i++);
    }
    return code.slice(start);
  }

  /** A `...` substitution (the opening backtick passed): its command goes to `nested`. */
  private backticks(): void {
    const code = this.code;
    let inner = '';
    for (; this.i < code.length && code[this.i] !== '`'; this.i++) inner += code[this.i] === '\\' && this.i + 1 < code.length ? code[++this.i] : code[this.i];
    this.i++;
    this.nested.push(inner);
    this.add(EXPANSION);
  }

  private dollar(): void {
    const code = this.code;
    const next = code[this.i + 1];
    if (next === '(' && code[this.i + 2] === '(') {
      // $(( arithmetic )): not a command, but a $( ) inside it is.
      this.i += 3;
      lexShell(this.balanced('(', ')'), this.nested);
      if (code[this.i] === ')') this.i++;
      this.add(EXPANSION);
      return;
    }
    if (next === '(') { this.i += 2; this.nested.push(this.balanced('(', ')')); this.add(EXPANSION); return; }
    if (next === '{') {
      this.i += 2;
      const inner = this.balanced('{', '}');
      if (/^IFS\b/.test(inner)) this.endWord(); else this.add(EXPANSION); // ${IFS} splits words
      if (/[$`]/.test(inner)) this.nested.push(inner);
      return;
    }
    if (next === "'") { const end = code.indexOf("'", this.i + 2); this.i = end < 0 ? code.length : end + 1; this.add(EXPANSION); return; } // $'\x73udo'
    const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(code.slice(this.i + 1, this.i + 200))?.[0];
    if (!name) { this.add('$'); this.i++; return; }
    this.i += 1 + name.length;
    if (name === 'IFS') this.endWord(); else this.add(EXPANSION);
  }

  /** A "..." string (the opening quote at i): escapes, expansions and substitutions inside it. */
  private doubleQuoted(): void {
    const code = this.code;
    this.inWord = true;
    for (this.i++; this.i < code.length && code[this.i] !== '"';) {
      if (code[this.i] === '\\' && /[$`"\\\n]/.test(code[this.i + 1] ?? '')) { if (code[this.i + 1] !== '\n') this.add(code[this.i + 1]!); this.i += 2; }
      else if (code[this.i] === '$') this.dollar();
      else if (code[this.i] === '`') { this.i++; this.backticks(); }
      else this.add(code[this.i++]!);
    }
    this.i++;
  }

  /** Backslash, quotes, $ and backticks, process substitution; false when `char` is none of them. */
  private quotingOrExpansion(char: string): boolean {
    const code = this.code;
    if (char === '\\') {
      if (code[this.i + 1] !== '\n') this.add(code[this.i + 1] ?? '');
      this.i += 2;
    } else if (char === "'") {
      const end = code.indexOf("'", this.i + 1);
      this.add(code.slice(this.i + 1, end < 0 ? code.length : end));
      this.i = end < 0 ? code.length : end + 1;
    } else if (char === '"') {
      this.doubleQuoted();
    } else if (char === '$') {
      this.dollar();
    } else if (char === '`') {
      this.i++;
      this.backticks();
    } else if ((char === '<' || char === '>') && code[this.i + 1] === '(') {
      this.i += 2; // process substitution: its text is a command too
      this.nested.push(this.balanced('(', ')'));
      this.add(EXPANSION);
    } else {
      return false;
    }
    return true;
  }

  /** Blanks, comments, redirections, command separators and pipes, or a character of the word. */
  private operatorOrText(char: string): void {
    const code = this.code;
    const operator = REDIRECTION.exec(code.slice(this.i, this.i + 3))?.[0];
    if (char === ' ' || char === '\t' || char === '\r') {
      this.endWord();
      this.i++;
    } else if (char === '#' && !this.inWord) {
      const end = code.indexOf('\n', this.i);
      this.i = end < 0 ? code.length : end;
    } else if (operator) {
      // Digits right before are the file descriptor (2>), not an argument.
      if (this.inWord && /^\d+$/.test(this.word)) { this.word = ''; this.inWord = false; } else this.endWord();
      this.i += operator.length;
      this.redirect = operator.includes('>') ? 'write' : 'read';
    } else if (char === '\n' || char === ';' || char === '(' || char === ')') {
      this.endCommand(false);
      this.i++;
    } else if (char === '|') {
      const or = code[this.i + 1] === '|';
      this.endCommand(!or);
      this.i += or || code[this.i + 1] === '&' ? 2 : 1;
    } else if (char === '&') {
      this.endCommand(false);
      this.i += code[this.i + 1] === '&' ? 2 : 1;
    } else {
      this.add(char);
      this.i++;
    }
  }
}

function classifyCommand(command: LexedCommand, risks: Set<string>, nested: string[]): void {
  for (const target of command.writes) checkWriteTarget(target, risks);
  const words = command.words;
  let at = 0;
  while (at < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]!)) at++; // NAME=value before the command
  while (at < words.length) {
    const word = words[at]!;
    // `{sudo,reboot}` and /usr/bin/sudo: every name the word may expand to, by its last path component.
    const names = (word.includes(',') ? word.replace(/^\{|\}$/g, '').split(',') : [word]).map((part) => part.slice(part.lastIndexOf('/') + 1));
    if (word.includes(EXPANSION)) { risks.add(l10n.t('runs a command named by a variable or substitution')); return; }
    for (const name of names) if (ROOT_COMMANDS.has(name) || RISKY_COMMANDS.has(name) || name.startsWith('mkfs.')) risks.add(l10n.t('calls {0}', name));
    const name = names[0]!;
    const args = words.slice(at + 1);
    const wrapper = WRAPPERS.get(name);
    if (wrapper) {
      at++;
      while (at < words.length && (words[at]!.startsWith('-') || (name === 'env' && words[at]!.includes('='))) && words[at] !== '--') at += wrapper.has(words[at]!) ? 2 : 1;
      if (words[at] === '--') at++;
      if (WRAPPER_ARGUMENT.has(name)) at++;
      continue;
    }
    if (SHELLS.has(name) || name === 'su') {
      const script = args.findIndex((arg) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg));
      if (script >= 0 && args[script + 1] !== undefined) nested.push(args[script + 1]!);
      else if (name !== 'su') risks.add(command.afterPipe ? l10n.t('pipes into a shell') : l10n.t('runs a shell on a script the step does not show'));
      return;
    }
    if (name === 'eval') { nested.push(args.join(' ')); return; }
    if (name === 'watch') {
      // watch [-n SECONDS] [options] COMMAND...: runs the rest through sh -c.
      let first = 0;
      while (first < args.length && args[first]!.startsWith('-')) first += /^(?:-n|--interval|-d|--differences)$/.test(args[first]!) && /^[\d.]+$|^permanent$/.test(args[first + 1] ?? '') ? 2 : 1;
      nested.push(args.slice(first).join(' '));
      return;
    }
    if ((name === '.' || name === 'source') && (!args[0] || args[0].includes(EXPANSION) || /^(?:-|\/dev\/|\/proc\/)/.test(args[0]))) risks.add(l10n.t('runs a script the step does not show'));
    if (name === 'sysctl' && args.some((arg) => /^(?:-[a-zA-Z]*[wp][a-zA-Z]*|--write|--load|--system)$|=/.test(arg))) risks.add(l10n.t('writes kernel settings (sysctl)'));
    const verb = args.find((arg) => !arg.startsWith('-'));
    if ((name === 'systemctl' || name === 'loginctl') && verb && /^(?:reboot|soft-reboot|poweroff|halt|kexec|suspend|hibernate|hybrid-sleep|rescue|emergency|isolate|default)$/.test(verb)) risks.add(l10n.t('calls {0}', `${name} ${verb}`));
    if (name === 'init' && verb && /^[0-6sS]$/.test(verb)) risks.add(l10n.t('calls init (changes the runlevel)'));
    if (name === 'tee' || name === 'cp' || name === 'mv' || name === 'install' || name === 'truncate' || name === 'ln') for (const arg of args) checkWriteTarget(arg, risks);
    if (name === 'find') {
      if (args.includes('-delete')) risks.add(l10n.t('deletes files (find -delete)'));
      const exec = args.findIndex((arg) => /^-(?:exec|execdir|ok|okdir)$/.test(arg));
      if (exec >= 0) { at += exec + 2; continue; }
    }
    return;
  }
}

function checkWriteTarget(target: string, risks: Set<string>): void {
  if (target === '/proc/sys' || target.startsWith('/proc/sys/')) risks.add(l10n.t('writes to {0}', '/proc/sys'));
  else if (target.startsWith('/proc/')) risks.add(l10n.t('writes to {0}', '/proc'));
  else if (target.startsWith('/sys/')) risks.add(l10n.t('writes to {0}', '/sys'));
  else if (target.startsWith('/dev/') && !SAFE_DEVICES.test(target)) risks.add(l10n.t('writes to {0}', target));
  else if (/^\/(?:etc|boot)\//.test(target)) risks.add(l10n.t('writes to {0}', `/${target.split('/')[1]}`));
}

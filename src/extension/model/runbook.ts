import { shellQuote } from '../../core/sections';

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
export function lensesForBlocks(blocks: readonly RunnableBlock[], guestLabel: string, trusted = true): LensSpec[] {
  const all = allLenses(blocks, guestLabel);
  return trusted ? all : all.filter((lens) => lens.command === 'balloonInspector.copyBlock');
}

function allLenses(blocks: readonly RunnableBlock[], guestLabel: string): LensSpec[] {
  const lenses: LensSpec[] = [];
  for (const block of blocks) {
    const warning = block.root || block.mutates ? ` (asks first: ${[block.root ? 'needs root' : '', block.mutates ? 'changes the guest' : ''].filter(Boolean).join(', ')})` : '';
    lenses.push({ line: block.line, title: `$(play) Run on ${guestLabel}`, command: 'balloonInspector.runBlock', tooltip: `Run ${block.name} in a terminal on ${guestLabel}${warning}` });
    if (block.root && !usesSudoItself(block.code)) {
      lenses.push({ line: block.line, title: '$(shield) Run with sudo', command: 'balloonInspector.runBlockWithSudo', tooltip: `Run ${block.name} as root through sudo on ${guestLabel} (sudo asks for its password in the terminal)` });
    }
    lenses.push({ line: block.line, title: '$(copy) Copy', command: 'balloonInspector.copyBlock', tooltip: `Copy ${block.name} to the clipboard` });
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

/** Whether running this block must be confirmed first, and the words of that question. */
export function confirmation(block: RunnableBlock, guestLabel: string, sudo: boolean): { message: string; detail: string } | null {
  const root = block.root || sudo;
  if (!root && !block.mutates) return null;
  const reasons = [root ? 'runs as root' : '', block.mutates ? 'changes the state of the guest' : ''].filter(Boolean).join(' and ');
  return {
    message: `Run ${block.name} on ${guestLabel}? It ${reasons}.`,
    detail: terminalText(block.code, { sudo }),
  };
}

/** Cheap check for workspace markdown that declares itself a runbook (`runbook: true` in its front matter). */
export function declaresRunbook(text: string): boolean {
  const match = /^(?:\uFEFF)?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return false;
  return /^runbook:[ \t]*(?:true|yes|on)[ \t]*(?:#.*)?$/m.test(match[1]);
}

import * as vscode from 'vscode';
import { sshSettings, type GuestManager } from './guests';
import { loadLazy } from './lazyLoader';
import { log } from './log';
import { confirmation, declaresRunbook, isShippedRunbookPath, lensesForBlocks, terminalText, type RunbookOrigin, type RunnableBlock } from './model/runbook';
import { SSH_GUEST_PREFIX, WINDOW_GUEST_ID } from './model/tree';

/**
 * Code lenses above the runnable blocks of runbooks (knowledge/runbooks/*.md of this extension,
 * and workspace Markdown with `runbook: true` front matter). Never edits the document.
 */
export class RunbookLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly extensionPath: string, private readonly guests: GuestManager) {
    this.subscriptions = [
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      guests.onDidChange((id) => { if (id === undefined || id === guests.runTargetId) this.changed.fire(); }),
    ];
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }

  isRunbook(document: vscode.TextDocument): boolean {
    if (document.uri.scheme === 'file' && isShippedRunbookPath(document.uri.fsPath, this.extensionPath)) return true;
    return declaresRunbook(document.getText());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.isRunbook(document)) return [];
    let blocks: RunnableBlock[];
    try {
      blocks = loadLazy().runnableBlocks(document.getText());
    } catch (error) {
      log().error(vscode.l10n.t('runbook {0} not parsed: {1}', document.uri.fsPath, (error as Error).message));
      return [];
    }
    const target = this.guests.get(this.guests.runTargetId) ?? this.guests.get(WINDOW_GUEST_ID);
    const trusted = vscode.workspace.isTrusted;
    return lensesForBlocks(blocks, target?.label ?? vscode.l10n.t('this machine'), trusted, runbookOrigin(document, this.extensionPath))
      .map((spec) => new vscode.CodeLens(new vscode.Range(spec.line, 0, spec.line, 0), {
        title: spec.title, tooltip: spec.tooltip, command: spec.command, arguments: [document.uri, spec.line],
      }));
  }
}

/**
 * A runbook is ours only as shipped: a file of this extension's knowledge/runbooks, unedited.
 * Anything else (workspace Markdown, an untitled or edited copy) asks before every step.
 */
function runbookOrigin(document: vscode.TextDocument, extensionPath: string): RunbookOrigin {
  return document.uri.scheme === 'file' && !document.isDirty && isShippedRunbookPath(document.uri.fsPath, extensionPath) ? 'shipped' : 'workspace';
}

/** Finds the block whose fence opens on `line` (the lens's argument) in the document as it is now. */
async function blockAt(uri: unknown, line: unknown, extensionPath: string): Promise<{ block: RunnableBlock; origin: RunbookOrigin } | undefined> {
  if (!(uri instanceof vscode.Uri) || typeof line !== 'number') return undefined;
  const document = await vscode.workspace.openTextDocument(uri);
  const block = loadLazy().runnableBlocks(document.getText()).find((candidate) => candidate.line === line);
  return block && { block, origin: runbookOrigin(document, extensionPath) };
}

/** Runs and copies runbook blocks: in a terminal the user sees, after confirmation when needed. */
export class BlockRunner implements vscode.Disposable {
  private readonly terminals = new Map<string, vscode.Terminal>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly guests: GuestManager, private readonly extensionPath: string) {
    this.subscription = vscode.window.onDidCloseTerminal((terminal) => {
      for (const [id, known] of this.terminals) if (known === terminal) this.terminals.delete(id);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  async copy(uri: unknown, line: unknown): Promise<void> {
    const found = await blockAt(uri, line, this.extensionPath);
    if (!found) { void vscode.window.showWarningMessage(vscode.l10n.t('Balloon Inspector: no runnable block at that line any more.')); return; }
    const block = found.block;
    await vscode.env.clipboard.writeText(block.code);
    vscode.window.setStatusBarMessage(vscode.l10n.t('$(copy) Copied {0}', block.name), 3000);
  }

  /** Returns whether the block was sent to a terminal. */
  async run(uri: unknown, line: unknown, sudo: boolean): Promise<boolean> {
    // Blocked in code too: a command can be called even when no lens shows it.
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Balloon Inspector runs no runbook step in Restricted Mode. Trust this workspace to run steps; "Copy" still works.'), vscode.l10n.t('Manage Workspace Trust'))
        .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.trust.manage'); });
      log().warn(vscode.l10n.t('refused to run a runbook step: the workspace is not trusted'));
      return false;
    }
    const found = await blockAt(uri, line, this.extensionPath);
    if (!found) { void vscode.window.showWarningMessage(vscode.l10n.t('Balloon Inspector: no runnable block at that line any more.')); return false; }
    const { block, origin } = found;
    const guest = this.guests.get(this.guests.runTargetId) ?? this.guests.get(WINDOW_GUEST_ID);
    // A window that is not a guest (not on Linux) runs steps only on an SSH guest chosen in the view.
    if (!guest) { void vscode.window.showWarningMessage(vscode.l10n.t('Balloon Inspector: choose the guest to run this step on (an SSH host in the Balloon Inspector view).')); return false; }
    // Workspace runbooks and risky commands ask whatever the block's attributes say (commandRisks).
    const question = confirmation(block, guest.label, sudo, origin);
    if (question) {
      const run = vscode.l10n.t('Run');
      const answer = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, run);
      if (answer !== run) return false;
    }
    const text = terminalText(block.code, { sudo });
    const terminal = this.terminalFor(guest.id, guest.label);
    terminal.show(true);
    terminal.sendText(text, true);
    log().info(sudo ? vscode.l10n.t('ran {0} with sudo on {1}', block.name, guest.label) : vscode.l10n.t('ran {0} on {1}', block.name, guest.label));
    return true;
  }

  private terminalFor(guestId: string, label: string): vscode.Terminal {
    const existing = this.terminals.get(guestId);
    if (existing && existing.exitStatus === undefined) return existing;
    let terminal: vscode.Terminal;
    if (guestId.startsWith(SSH_GUEST_PREFIX)) {
      const pty = loadLazy().sshPseudoterminal(guestId.slice(SSH_GUEST_PREFIX.length), sshSettings());
      terminal = vscode.window.createTerminal({ name: `Balloon Inspector: ${label}`, pty });
    } else {
      terminal = vscode.window.createTerminal({ name: `Balloon Inspector: ${label}`, iconPath: new vscode.ThemeIcon('pulse') });
    }
    this.terminals.set(guestId, terminal);
    return terminal;
  }
}

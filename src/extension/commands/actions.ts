import * as vscode from 'vscode';
import { renderMarkdown } from '../../core/render/markdown';
import type { Report } from '../../core/report';
import { displayLang } from '../displayLang';
import { settings, type GuestManager } from '../guests';
import { offerUnknownHostKeys, withCheckProgress } from '../hostKeyDialog';
import { loadLazy } from '../lazyLoader';
import { log } from '../log';
import { checkChoices } from '../model/pick';
import { SSH_GUEST_PREFIX, WINDOW_GUEST_ID, type TreeNode } from '../model/tree';
import type { RunbookLensProvider } from '../runbooks';
import type { GuestTreeProvider } from '../treeView';

/** Waits between reveals of a guest that should open (the view's refresh lands after a short delay). */
const REVEAL_RETRY_DELAYS_MS = [300, 700, 1500, 3000];

/** Accepts what menus, tree items, the webview and tests pass: a guest id, a tree node, or nothing. */
export function guestIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as TreeNode).guestId === 'string') return (arg as TreeNode).guestId;
  return undefined;
}

export interface ActionDeps {
  extensionPath: string;
  guests: GuestManager;
  tree: GuestTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  lenses: RunbookLensProvider;
}

/** What the commands, the report page and the watch timer do with guests: check, show, copy, open runbooks. */
export class GuestActions {
  constructor(private readonly deps: ActionDeps) {}

  /** Checks guests (with a progress notification and the host-key dialog when `progress`); resolves with the reports that came in. */
  async check(ids: string[], progress: boolean): Promise<Report[]> {
    const { guests } = this.deps;
    const options = { watch: settings().autoRefreshSeconds > 0 };
    const work = Promise.all(ids.map((id) => guests.check(id, options)));
    const labels = ids.map((id) => guests.get(id)?.label ?? id);
    const reports = progress ? await withCheckProgress(labels.length === 1 ? labels[0]! : vscode.l10n.t('{0} guests', labels.length), () => work) : await work;
    const found = reports.filter((report): report is Report => report !== null);
    if (progress) found.push(...await offerUnknownHostKeys(guests, ids, options));
    void vscode.commands.executeCommand('setContext', 'balloonInspector.hasReport', guests.reports().length > 0);
    return found;
  }

  /** Shows a guest in the tree without taking the focus; `expand` opens it (only a guest with rows under it can open). */
  reveal(guestId: string, expand = true): void {
    const node = this.deps.tree.node(guestId);
    if (node) void Promise.resolve(this.deps.treeView.reveal(node, { expand, select: false, focus: false })).catch(() => undefined);
  }

  /**
   * Shows a guest expanded once its report is in. VS Code applies a tree refresh a little after it fires, so a
   * reveal sent at once can land on the old, childless node and expand nothing: it is sent again, a few times,
   * until the view reports the node expanded (or it was already open).
   */
  revealExpanded(guestId: string): void {
    let expanded = false;
    const listener = this.deps.treeView.onDidExpandElement((event) => { if (event.element.id === guestId) expanded = true; });
    const attempt = (delays: number[]): void => {
      if (expanded || !delays.length) { listener.dispose(); return; }
      this.reveal(guestId, true);
      setTimeout(() => attempt(delays.slice(1)), delays[0]);
    };
    attempt(REVEAL_RETRY_DELAYS_MS);
  }

  /** "could not check …" with a Show Log button. */
  showCheckFailed(guestId: string): void {
    const guest = this.deps.guests.get(guestId);
    void vscode.window.showErrorMessage(vscode.l10n.t('Balloon Inspector: could not check {0}: {1}', guest?.label ?? guestId, guest?.error?.message ?? vscode.l10n.t('unknown error')), vscode.l10n.t('Show Log'))
      .then((choice) => { if (choice) log().show(); });
  }

  /** The guests "Check Ballooning" without an argument is about: this window's at once, else the user's pick. */
  async pickGuests(placeHolder: string, withAll: boolean): Promise<string[] | undefined> {
    const choices = checkChoices(this.deps.guests.list(), withAll, { lang: displayLang() });
    const choice = 'now' in choices ? choices.now : (await vscode.window.showQuickPick(choices.pick, { placeHolder, matchOnDescription: true }))?.choice;
    if (choice?.kind === 'add-ssh-host') {
      await vscode.commands.executeCommand('balloonInspector.addSshHost');
      return undefined;
    }
    return choice?.ids;
  }

  /**
   * The guest a command is about (its argument, or this window's guest; a window that is not a guest asks which)
   * and its report, checked first if needed.
   */
  async ensureReport(arg: unknown): Promise<{ id: string; report: Report } | undefined> {
    const { guests } = this.deps;
    const id = guestIdOf(arg) ?? (guests.get(WINDOW_GUEST_ID) ? WINDOW_GUEST_ID : (await this.pickGuests(vscode.l10n.t('Which guest?'), false))?.[0]);
    if (!id || !guests.get(id)) return undefined;
    if (!guests.get(id)?.report) await this.check([id], true);
    const report = guests.get(id)?.report ?? null;
    if (!report) {
      this.showCheckFailed(id);
      return undefined;
    }
    return { id, report };
  }

  async copyReport(arg: unknown, format: 'markdown' | 'json'): Promise<void> {
    const found = await this.ensureReport(arg);
    if (!found) return;
    // JSON is language-neutral (English findings, as balloon-check --format json); Markdown is in the display language.
    const text = format === 'json' ? `${JSON.stringify(this.deps.guests.jsonReport(found.id) ?? found.report, null, 2)}\n` : renderMarkdown(found.report, () => null, displayLang());
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('$(copy) Balloon report copied as {0}', format === 'json' ? 'JSON' : 'Markdown'), 3000);
  }

  /** Opens one runbook; with a guest, its steps run on that guest. */
  async openRunbookFile(runbookId: string, guestId?: string): Promise<void> {
    const { guests, lenses } = this.deps;
    const doc = loadLazy().knowledgeBase(this.deps.extensionPath, displayLang()).runbooks.get(runbookId);
    if (!doc?.path) { void vscode.window.showWarningMessage(vscode.l10n.t('Balloon Inspector: no runbook "{0}".', runbookId)); return; }
    if (guestId && guests.get(guestId)) { guests.runTargetId = guestId; lenses.refresh(); }
    await vscode.window.showTextDocument(vscode.Uri.file(doc.path), { preview: true });
  }

  /** A runbook id opens it; a guest or finding opens the one runbook that fits, or offers them all, fitting ones first. */
  async openRunbook(arg: unknown): Promise<void> {
    if (typeof arg === 'string' && !arg.startsWith(SSH_GUEST_PREFIX) && arg !== WINDOW_GUEST_ID) return this.openRunbookFile(arg);
    const lazy = loadLazy();
    const kb = lazy.knowledgeBase(this.deps.extensionPath, displayLang());
    const guestId = guestIdOf(arg);
    const guest = guestId ? this.deps.guests.get(guestId) : undefined;
    const report = guest?.report ?? null;
    const findingId = arg && typeof arg === 'object' ? (arg as TreeNode).findingId : undefined;
    const finding = findingId ? report?.findings.find((candidate) => candidate.id === findingId) ?? null : null;
    const fitting = report ? lazy.runbooksForFinding(kb, finding ?? report.findings[0] ?? null, report.hypervisor.kind) : [];
    if (finding && fitting.length === 1) return this.openRunbookFile(fitting[0].id, guestId);
    const fittingIds = new Set(fitting.map((runbook) => runbook.id));
    const items = [...lazy.allRunbooks(kb)].sort((a, b) => Number(fittingIds.has(b.id)) - Number(fittingIds.has(a.id)))
      .map((runbook) => ({ label: runbook.title, description: fittingIds.has(runbook.id) ? vscode.l10n.t('fits this guest') : '', detail: runbook.summary, id: runbook.id }));
    if (!items.length) { void vscode.window.showWarningMessage(vscode.l10n.t('Balloon Inspector: no runbooks found.')); return; }
    const placeHolder = guest ? vscode.l10n.t('Runbook for {0}', guest.label) : vscode.l10n.t('Open a runbook');
    const choice = await vscode.window.showQuickPick(items, { placeHolder, matchOnDetail: true });
    if (choice) await this.openRunbookFile(choice.id, guestId);
  }

  async openArticle(articleId: string): Promise<void> {
    // The article's .md file (the VSIX packs articles: lazy.articleFile writes it back from the pack).
    const path = loadLazy().articleFile(this.deps.extensionPath, displayLang(), articleId);
    if (path) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path));
  }
}

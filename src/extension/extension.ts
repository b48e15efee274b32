import { LOAD_START } from './loadStart';
import { VSCODE_LOADED } from './vscodeLoaded';
import * as vscode from 'vscode';
import { renderMarkdown } from '../core/render/markdown';
import type { Report } from '../core/report';
import { GuestManager, settings } from './guests';
import { loadLazy } from './lazyLoader';
import { disposeLog, log } from './log';
import { isPlausibleSshDestination, SSH_GUEST_PREFIX, WINDOW_GUEST_ID, type TreeNode } from './model/tree';
import { checkChoices } from './model/pick';
import { toPlainTree, type PlainTreeItem } from './model/plain';
import { ReportPanels, REPORT_VIEW_TYPE } from './reportPanel';
import { BlockRunner, RunbookLensProvider } from './runbooks';
import { BalloonStatusBar } from './statusBar';
import { writeHookFile } from './testHooks';
import { GuestTreeProvider } from './treeView';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

/** What activate() returns: the integration tests' hooks (notes/EXTENSION.md). */
export interface BalloonInspectorApi {
  version: string;
  /** performance.now() span from bundle load to the end of activate(). */
  activationMs: number;
  /** Checks this window's guest ('current', the default) or every listed guest ('all'); resolves with the reports that came in. */
  checkNow(which?: 'current' | 'all'): Promise<Report[]>;
  /** The guest tree exactly as the view shows it, as plain data. */
  guests(): PlainTreeItem[];
}

/** Accepts what menus, tree items, the webview and tests pass: a guest id, a tree node, or nothing. */
function guestIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as TreeNode).guestId === 'string') return (arg as TreeNode).guestId;
  return undefined;
}

/** When the bundle finished loading (activate() is called after this). */
const MODULE_LOADED = performance.now();

export function activate(context: vscode.ExtensionContext): BalloonInspectorApi {
  const activateStart = performance.now();
  const phases: Record<string, number> = {};
  const mark = (name: string) => { phases[name] = performance.now() - activateStart; };
  const extensionPath = context.extensionUri.fsPath;
  const guests = new GuestManager();
  const tree = new GuestTreeProvider(guests);
  const treeView = vscode.window.createTreeView('balloonInspector.guests', { treeDataProvider: tree, showCollapseAll: true });
  mark('treeView');
  const statusBar = new BalloonStatusBar(guests);
  const lenses = new RunbookLensProvider(extensionPath, guests);
  const runner = new BlockRunner(guests, extensionPath);
  const requested = new Map<string, number>();

  const check = async (ids: string[], progress: boolean): Promise<Report[]> => {
    const watch = settings().autoRefreshSeconds > 0;
    const now = performance.now();
    for (const id of ids) requested.set(id, now);
    const work = Promise.all(ids.map((id) => guests.check(id, { watch, requestedAt: now })));
    const labels = ids.map((id) => guests.get(id)?.label ?? id);
    const reports = progress
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${labels.length === 1 ? labels[0] : `${labels.length} guests`} for ballooning…` }, () => work)
      : await work;
    const found = reports.filter((report): report is Report => report !== null);
    if (progress) {
      // An unknown SSH host key: show its fingerprint and let the user accept it, as ssh would ask.
      for (const id of ids) {
        const error = guests.get(id)?.error;
        if (error?.kind !== 'host-key-unknown') continue;
        const answer = await vscode.window.showWarningMessage(`${guests.get(id)?.label}: the SSH host key is not known.`, { modal: true, detail: `${error.message}\n\nTrust this key only if its fingerprint is the host's. It is then added to your known_hosts file.` }, 'Trust Key and Check');
        if (answer !== 'Trust Key and Check') continue;
        const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${guests.get(id)?.label} for ballooning…` },
          () => guests.check(id, { watch, requestedAt: performance.now(), acceptNewHostKey: true }));
        if (report) found.push(report);
      }
    }
    void vscode.commands.executeCommand('setContext', 'balloonInspector.hasReport', guests.reports().length > 0);
    return found;
  };

  const reveal = (guestId: string) => {
    const node = tree.node(guestId);
    if (node) void Promise.resolve(treeView.reveal(node, { expand: true, select: false, focus: false })).catch(() => undefined);
  };

  tree.onFilled = (guestId, at) => {
    const start = requested.get(guestId);
    if (start === undefined) return;
    requested.delete(guestId);
    const guest = guests.get(guestId);
    writeHookFile('last-check.json', {
      guestId, label: guest?.label, ok: !!guest?.report, commandToTreeMs: at - start, ...guests.lastTimings.get(guestId),
      status: guest?.report?.status ?? 'unknown', report: guest?.report ?? null,
    });
  };

  const pickGuest = async (placeHolder: string, withAll: boolean): Promise<string[] | undefined> => {
    const choices = checkChoices(guests.list(), withAll);
    const choice = 'now' in choices ? choices.now : (await vscode.window.showQuickPick(choices.pick, { placeHolder, matchOnDescription: true }))?.choice;
    if (choice?.kind === 'add-ssh-host') {
      await vscode.commands.executeCommand('balloonInspector.addSshHost');
      return undefined;
    }
    return choice?.ids;
  };

  /** The guest a command is about: its argument, or this window's guest. */
  const ensureReport = async (arg: unknown): Promise<{ id: string; report: Report } | undefined> => {
    const id = guestIdOf(arg) ?? WINDOW_GUEST_ID;
    if (!guests.get(id)) return undefined;
    let report = guests.get(id)?.report ?? null;
    if (!report) {
      await check([id], true);
      report = guests.get(id)?.report ?? null;
    }
    if (!report) {
      void vscode.window.showErrorMessage(`Balloon Inspector: could not check ${guests.get(id)?.label}: ${guests.get(id)?.error?.message ?? 'unknown error'}`, 'Show Log')
        .then((choice) => { if (choice) log().show(); });
      return undefined;
    }
    return { id, report };
  };

  const copyReport = async (arg: unknown, format: 'markdown' | 'json') => {
    const found = await ensureReport(arg);
    if (!found) return;
    await vscode.env.clipboard.writeText(format === 'json' ? `${JSON.stringify(found.report, null, 2)}\n` : renderMarkdown(found.report));
    vscode.window.setStatusBarMessage(`$(copy) Balloon report copied as ${format === 'json' ? 'JSON' : 'Markdown'}`, 3000);
  };

  const openRunbookFile = async (runbookId: string, guestId?: string) => {
    const kb = loadLazy().knowledgeBase(extensionPath);
    const doc = kb.runbooks.get(runbookId);
    if (!doc?.path) { void vscode.window.showWarningMessage(`Balloon Inspector: no runbook "${runbookId}".`); return; }
    if (guestId && guests.get(guestId)) { guests.runTargetId = guestId; lenses.refresh(); }
    await vscode.window.showTextDocument(vscode.Uri.file(doc.path), { preview: true });
  };

  const openRunbook = async (arg: unknown) => {
    if (typeof arg === 'string' && !arg.startsWith(SSH_GUEST_PREFIX) && arg !== WINDOW_GUEST_ID) return openRunbookFile(arg);
    const lazy = loadLazy();
    const kb = lazy.knowledgeBase(extensionPath);
    const guestId = guestIdOf(arg);
    const guest = guestId ? guests.get(guestId) : undefined;
    const report = guest?.report ?? null;
    const findingId = arg && typeof arg === 'object' ? (arg as TreeNode).findingId : undefined;
    const finding = findingId ? report?.findings.find((candidate) => candidate.id === findingId) ?? null : null;
    const fitting = report ? lazy.runbooksForFinding(kb, finding ?? report.findings[0] ?? null, report.hypervisor.kind) : [];
    if (finding && fitting.length === 1) return openRunbookFile(fitting[0].id, guestId);
    const all = lazy.allRunbooks(kb);
    const fittingIds = new Set(fitting.map((runbook) => runbook.id));
    const items = [...all].sort((a, b) => Number(fittingIds.has(b.id)) - Number(fittingIds.has(a.id)))
      .map((runbook) => ({ label: runbook.title, description: fittingIds.has(runbook.id) ? 'fits this guest' : '', detail: runbook.summary, id: runbook.id }));
    if (!items.length) { void vscode.window.showWarningMessage('Balloon Inspector: no runbooks found.'); return; }
    const choice = await vscode.window.showQuickPick(items, { placeHolder: guest ? `Runbook for ${guest.label}` : 'Open a runbook', matchOnDetail: true });
    if (choice) await openRunbookFile(choice.id, guestId);
  };

  const panels = new ReportPanels(context.extensionUri, guests, {
    checkAgain: async (guestId) => { await check([guestId], false); },
    copy: (guestId, format) => copyReport(guestId, format),
    openRunbook: (guestId, runbookId) => openRunbookFile(runbookId, guestId),
    openArticle: async (articleId) => {
      const doc = loadLazy().knowledgeBase(extensionPath).articles.get(articleId);
      if (doc?.path) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(doc.path));
    },
  });

  const register = (id: string, handler: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        log().error(`${id} failed: ${(error as Error)?.stack ?? String(error)}`);
        void vscode.window.showErrorMessage(`Balloon Inspector: ${(error as Error)?.message ?? String(error)}`);
        return undefined;
      }
    }));

  mark('beforeCommands');
  register('balloonInspector.checkBallooning', async (arg) => {
    const ids = guestIdOf(arg) ? [guestIdOf(arg)!] : await pickGuest('Which guest should be checked?', true);
    if (!ids?.length) return [];
    // Show the guest (spinning) while it is checked: the view opens during the probe, not after it.
    reveal(ids[0]);
    const reports = await check(ids, true);
    reveal(ids[0]);
    if (ids.length === 1 && !guests.get(ids[0])?.report) {
      const guest = guests.get(ids[0]);
      void vscode.window.showErrorMessage(`Balloon Inspector: could not check ${guest?.label}: ${guest?.error?.message ?? 'unknown error'}`, 'Show Log')
        .then((choice) => { if (choice) log().show(); });
    }
    return reports;
  });
  register('balloonInspector.refresh', async () => {
    guests.reloadHosts();
    const ids = guests.list().filter((guest) => guest.source === 'window' || guest.report || guest.error).map((guest) => guest.id);
    return check(ids, false);
  });
  register('balloonInspector.openReport', async (arg, findingId) => {
    const found = await ensureReport(arg);
    if (found) panels.open(found.id, typeof findingId === 'string' ? findingId : undefined);
  });
  register('balloonInspector.copyReportMarkdown', (arg) => copyReport(arg, 'markdown'));
  register('balloonInspector.copyReportJson', (arg) => copyReport(arg, 'json'));
  register('balloonInspector.openRunbook', (arg) => openRunbook(arg));
  register('balloonInspector.addSshHost', async () => {
    const host = await vscode.window.showInputBox({
      title: 'Add an SSH host to Balloon Inspector', prompt: 'A Host alias of your SSH config, or [user@]host[:port]', placeHolder: 'db01 or admin@10.0.0.5:2222',
      validateInput: (text) => (isPlausibleSshDestination(text.trim()) ? undefined : 'Use a Host alias or [user@]host[:port], without spaces or wildcards'),
    });
    if (!host) return;
    const current = settings().sshHosts;
    if (!current.includes(host.trim())) {
      await vscode.workspace.getConfiguration('balloonInspector').update('sshHosts', [...current, host.trim()], vscode.ConfigurationTarget.Global);
    }
    guests.reloadHosts();
  });
  register('balloonInspector.removeSshHost', async (arg) => {
    const id = guestIdOf(arg);
    const alias = id?.startsWith(SSH_GUEST_PREFIX) ? id.slice(SSH_GUEST_PREFIX.length) : undefined;
    if (!alias) return;
    const current = settings().sshHosts;
    await vscode.workspace.getConfiguration('balloonInspector').update('sshHosts', current.filter((host) => host.trim() !== alias), vscode.ConfigurationTarget.Global);
    guests.reloadHosts();
  });
  register('balloonInspector.showLog', () => log().show());
  register('balloonInspector.runBlock', (uri, line) => runner.run(uri, line, false));
  register('balloonInspector.runBlockWithSudo', (uri, line) => runner.run(uri, line, true));
  register('balloonInspector.copyBlock', (uri, line) => runner.copy(uri, line));

  mark('commands');
  // Watch mode: re-check this window's guest, and every guest checked before, every N seconds.
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = settings().autoRefreshSeconds;
    if (seconds <= 0) { guests.clearHistory(); return; }
    timer = setInterval(() => {
      const ids = guests.list().filter((guest) => guest.source === 'window' || guest.report).map((guest) => guest.id);
      void check(ids, false);
    }, Math.max(seconds, 2) * 1000);
  };
  schedule();

  context.subscriptions.push(
    treeView, tree, guests, statusBar, lenses, runner, panels,
    treeView.onDidChangeSelection((event) => {
      const guestId = event.selection[0]?.guestId;
      if (guestId && guestId !== guests.runTargetId) { guests.runTargetId = guestId; lenses.refresh(); }
    }),
    vscode.languages.registerCodeLensProvider([{ language: 'markdown', scheme: 'file' }, { language: 'markdown', scheme: 'untitled' }], lenses),
    vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, panels),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('balloonInspector.autoRefreshSeconds')) schedule();
      if (event.affectsConfiguration('balloonInspector.sshHosts') || event.affectsConfiguration('balloonInspector.sshConfigFile')) guests.reloadHosts();
    }),
    { dispose: () => { if (timer) clearInterval(timer); disposeLog(); } },
  );

  mark('registrations');
  const activationMs = performance.now() - LOAD_START;
  writeHookFile('activated.json', {
    activationMs,
    // Ours alone: evaluating the bundle plus the activate() call. activationMs also holds the extension
    // host's own work between the two (it builds the ExtensionContext, storage included).
    ownMs: (MODULE_LOADED - LOAD_START) + (performance.now() - activateStart),
    moduleLoadMs: MODULE_LOADED - LOAD_START, vscodeRequireMs: VSCODE_LOADED - LOAD_START, activateCallMs: performance.now() - activateStart, phases, version: VERSION, remoteName: vscode.env.remoteName ?? null, windowKind: guests.window.kind, topLabel: guests.window.label,
    appHost: vscode.env.appHost, uiKind: vscode.env.uiKind, at: new Date().toISOString(),
  });

  return {
    version: VERSION,
    activationMs,
    checkNow: (which = 'current') => check(which === 'all' ? guests.list().map((guest) => guest.id) : [WINDOW_GUEST_ID], false),
    guests: () => toPlainTree(tree.nodes()),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

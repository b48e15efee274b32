import { LOAD_START } from './loadStart';
import { VSCODE_LOADED } from './vscodeLoaded';
import * as vscode from 'vscode';
import type { Report } from '../core/report';
import { GuestActions } from './commands/actions';
import { registerCommands } from './commands';
import { GuestManager, settings } from './guests';
import { HostManager } from './host';
import { HostReportPanels, registerHostCommands } from './hostCommands';
import { hostRunTarget } from './model/host';
import { disposeLog } from './log';
import { setTranslator } from './model/l10n';
import { WINDOW_GUEST_ID } from './model/tree';
import { toPlainTree, type PlainTreeItem } from './model/plain';
import { ReportPanels, REPORT_VIEW_TYPE } from './reportPanel';
import { BlockRunner, RunbookLensProvider } from './runbooks';
import { openSosreports, restoreSosreports, SosreportDropController } from './sosreport';
import { BalloonStatusBar } from './statusBar';
import { ActivationTimer, instrumentChecks } from './testHooks';
import { GuestTreeProvider } from './treeView';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

/** What activate() returns: the integration tests' hooks (test/integration/api.ts reads them). */
export interface BalloonInspectorApi {
  version: string;
  /** performance.now() span from bundle load to the end of activate(). */
  activationMs: number;
  /** Checks this window's guest ('current', the default) or every listed guest ('all'); resolves with the reports that came in. */
  checkNow(which?: 'current' | 'all'): Promise<Report[]>;
  /** The guest tree exactly as the view shows it, as plain data. */
  guests(): PlainTreeItem[];
  /** A guest's rows as the view gets them when it asks (a guest being checked answers when the check ends). */
  rowsOf(guestId: string): Promise<PlainTreeItem[]>;
}

/** When the bundle finished loading (activate() is called after this). */
const MODULE_LOADED = performance.now();

/** Watch mode: re-checks this window's guest, and every guest checked before, every N seconds (0: off, samples forgotten). */
function watchTimer(guests: GuestManager, actions: GuestActions): { schedule(): void; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  const stop = () => { if (timer) clearInterval(timer); timer = undefined; };
  return {
    schedule: () => {
      stop();
      const seconds = settings().autoRefreshSeconds;
      if (seconds <= 0) { guests.clearHistory(); return; }
      timer = setInterval(() => {
        // A sos report is one moment: not re-read.
        const ids = guests.list().filter((guest) => guest.source !== 'sosreport' && (guest.source === 'window' || guest.report)).map((guest) => guest.id);
        void actions.check(ids, false);
      }, Math.max(seconds, 2) * 1000);
    },
    dispose: stop,
  };
}

export function activate(context: vscode.ExtensionContext): BalloonInspectorApi {
  const timing = new ActivationTimer(LOAD_START, MODULE_LOADED, VSCODE_LOADED);
  // The plain models (tree, quick pick, lenses) speak the display language too: l10n/bundle.l10n.<language>.json.
  setTranslator((message, ...args) => vscode.l10n.t(message, ...args));
  const extensionPath = context.extensionUri.fsPath;
  const guests = new GuestManager();
  restoreSosreports(context.workspaceState, guests);
  // KVM hosts (libvirt): a Host node when this machine runs libvirt or the setting names a URI.
  const hosts = new HostManager();
  const tree = new GuestTreeProvider(guests, hosts);
  // Dropping a sos report (archive or folder) or an evidence bundle on the view opens it as a guest.
  const drops = new SosreportDropController((paths): Promise<unknown> => openSosreports({ guests, actions, panels }, paths));
  const treeView = vscode.window.createTreeView('balloonInspector.guests', { treeDataProvider: tree, showCollapseAll: true, dragAndDropController: drops });
  timing.mark('treeView');
  const instrumentation = instrumentChecks(guests, tree);
  const statusBar = new BalloonStatusBar(guests);
  const lenses = new RunbookLensProvider(extensionPath, guests);
  const runner = new BlockRunner(guests, extensionPath);
  const actions = new GuestActions({ extensionPath, guests, tree, treeView, lenses });
  const panels = new ReportPanels(context.extensionUri, guests, {
    checkAgain: async (guestId) => { await actions.check([guestId], false); },
    copy: (guestId, format) => actions.copyReport(guestId, format),
    openRunbook: (guestId, runbookId) => actions.openRunbookFile(runbookId, guestId),
    openArticle: (articleId) => actions.openArticle(articleId),
  });
  timing.mark('beforeCommands');
  context.subscriptions.push(...registerCommands({ guests, actions, panels, runner }));
  const hostPanels = new HostReportPanels(hosts);
  context.subscriptions.push(hosts, hostPanels, ...registerHostCommands(hosts, hostPanels, extensionPath));
  timing.mark('commands');
  const watch = watchTimer(guests, actions);
  watch.schedule();

  context.subscriptions.push(
    treeView, tree, guests, statusBar, lenses, runner, panels, watch, drops,
    treeView.onDidChangeSelection((event) => {
      const selected = event.selection[0]?.guestId;
      // A Host node's rows run runbook steps on that host's machine (this window's, or the SSH guest of the same alias).
      const guestId = selected === undefined ? undefined : hostRunTarget(selected);
      if (guestId && guestId !== guests.runTargetId) { guests.runTargetId = guestId; lenses.refresh(); }
    }),
    vscode.languages.registerCodeLensProvider([{ language: 'markdown', scheme: 'file' }, { language: 'markdown', scheme: 'untitled' }], lenses),
    vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, panels),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('balloonInspector.autoRefreshSeconds')) watch.schedule();
      if (event.affectsConfiguration('balloonInspector.libvirt.connect')) hosts.reload();
      if (event.affectsConfiguration('balloonInspector.sshHosts') || event.affectsConfiguration('balloonInspector.sshConfigFile')) guests.reloadHosts();
    }),
    { dispose: () => { instrumentation?.dispose(); disposeLog(); } },
  );

  timing.mark('registrations');
  const activationMs = timing.finish({
    version: VERSION, remoteName: vscode.env.remoteName ?? null, windowKind: guests.window.kind, topLabel: guests.window.label, appHost: vscode.env.appHost, uiKind: vscode.env.uiKind, language: vscode.env.language,
  });
  return {
    version: VERSION,
    activationMs,
    checkNow: (which = 'current') => actions.check(which === 'all' ? guests.list().map((guest) => guest.id) : [WINDOW_GUEST_ID], false),
    guests: () => toPlainTree(tree.nodes()),
    rowsOf: async (guestId) => {
      const node = tree.node(guestId);
      return node ? toPlainTree(await tree.getChildren(node)) : [];
    },
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

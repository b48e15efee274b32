import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { displayLang } from './displayLang';
import type { HostManager } from './host';
import { loadLazy } from './lazyLoader';
import { hostRunbookIds, hostTarget, SSH_HOST_PREFIX } from './model/host';
import { HOST_FINDING_IDS } from '../core/libvirt/model';
import { hostReportHtml } from './model/hostReport';
import { isPlausibleSshDestination, SSH_GUEST_PREFIX, type TreeNode } from './model/tree';
import { guarded, type Handler } from './commands/guarded';

export const HOST_REPORT_VIEW_TYPE = 'balloonInspector.hostReport';

/** What menus, tree rows and tests pass: a host id, a tree node (host, domain or row), or nothing. */
export function hostArg(arg: unknown): { hostId: string; domain?: string } | null {
  if (typeof arg === 'string') return hostTarget(arg);
  if (arg && typeof arg === 'object' && typeof (arg as TreeNode).id === 'string') return hostTarget((arg as TreeNode).id);
  return null;
}

/** One report page per KVM host; it follows the host's reads while it is open. */
export class HostReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; focus: string | null }>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly hosts: HostManager) {
    this.subscription = hosts.onDidChange(() => {
      for (const [id, entry] of this.panels) this.render(id, entry.panel, entry.focus);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const entry of this.panels.values()) entry.panel.dispose();
  }

  open(hostId: string, focus: string | null): vscode.WebviewPanel {
    const label = this.hosts.get(hostId)?.label ?? hostId;
    let entry = this.panels.get(hostId);
    if (entry) entry.panel.reveal(undefined, false);
    else {
      const panel = vscode.window.createWebviewPanel(HOST_REPORT_VIEW_TYPE, vscode.l10n.t('KVM host report: {0}', label), vscode.ViewColumn.Active, { enableScripts: false, enableFindWidget: true });
      entry = { panel, focus };
      this.panels.set(hostId, entry);
      panel.onDidDispose(() => this.panels.delete(hostId));
    }
    entry.focus = focus;
    this.render(hostId, entry.panel, focus);
    return entry.panel;
  }

  private render(hostId: string, panel: vscode.WebviewPanel, focus: string | null): void {
    const host = this.hosts.get(hostId);
    const label = host?.label ?? hostId;
    panel.webview.html = hostReportHtml(host?.view ?? null, { cspSource: panel.webview.cspSource, nonce: randomBytes(18).toString('base64'), label, focus, lang: displayLang() });
  }
}

/** The SSH alias of an SSH guest node (or id) the user wants to open as a KVM host. */
function sshAliasOf(arg: unknown): string | undefined {
  const id = typeof arg === 'string' ? arg : arg && typeof arg === 'object' ? (arg as TreeNode).guestId : undefined;
  return typeof id === 'string' && id.startsWith(SSH_GUEST_PREFIX) ? id.slice(SSH_GUEST_PREFIX.length) : undefined;
}

/** The host view's commands (package.json contributes them; the Host node's rows and menus call them). */
export function registerHostCommands(hosts: HostManager, panels: HostReportPanels, extensionPath: string): vscode.Disposable[] {
  const handlers: Record<string, Handler> = {
    /** Reads one host again (arg), or every host. Resolves with the views read. */
    'balloonInspector.refreshHost': async (arg) => {
      const target = hostArg(arg);
      const ids = target ? [target.hostId] : hosts.list().map((host) => host.id);
      return Promise.all(ids.map((id) => hosts.check(id)));
    },
    'balloonInspector.openHostReport': async (arg, domain) => {
      const target = hostArg(arg) ?? (hosts.list()[0] ? { hostId: hosts.list()[0]!.id } : null);
      if (!target) { void vscode.window.showInformationMessage(vscode.l10n.t('Balloon Inspector: this window is not on a KVM host (no libvirt socket, setting balloonInspector.libvirt.connect empty).')); return; }
      if (!hosts.get(target.hostId)?.view) await hosts.check(target.hostId);
      panels.open(target.hostId, typeof domain === 'string' ? domain : target.domain ?? null);
    },
    'balloonInspector.openSshHostAsKvmHost': async (arg) => {
      let alias = sshAliasOf(arg);
      if (!alias) alias = (await vscode.window.showInputBox({ title: vscode.l10n.t('Open an SSH host as a KVM host'), prompt: vscode.l10n.t('A Host alias of your SSH config, or [user@]host[:port]'),
        validateInput: (text) => (isPlausibleSshDestination(text.trim()) ? undefined : vscode.l10n.t('Use a Host alias or [user@]host[:port], without spaces or wildcards')) }))?.trim();
      if (!alias) return undefined;
      const id = hosts.openSsh(alias);
      return hosts.check(id);
    },
    /** The runbook for a host finding row (or for any host finding, from a Host node): opened like Open Runbook. */
    'balloonInspector.openHostRunbook': async (arg) => {
      const findingId = arg && typeof arg === 'object' ? (arg as TreeNode).findingId : undefined;
      // Runbook ids are the same in every language: the English knowledge base names them.
      const runbooks = loadLazy().knowledgeBase(extensionPath).runbooks.values();
      const ids = hostRunbookIds(runbooks, findingId ? [findingId] : HOST_FINDING_IDS);
      return vscode.commands.executeCommand('balloonInspector.openRunbook', ids[0]);
    },
    'balloonInspector.closeKvmHost': (arg) => {
      const target = hostArg(arg);
      if (target?.hostId.startsWith(SSH_HOST_PREFIX)) hosts.close(target.hostId);
    },
  };
  return Object.entries(handlers).map(([id, handler]) => guarded(id, handler));
}

import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { HostView } from '../core/libvirt/model';
import { displayLang } from './displayLang';
import { settings, sshSettings } from './guests';
import { loadLazy } from './lazyLoader';
import { log } from './log';
import { buildHostNode, DEFAULT_HOST_URI, LOCAL_HOST_ID, localHostMode, sshHostId, type HostMode, type HostState } from './model/host';
import type { TreeNode } from './model/tree';

/** The `balloonInspector.libvirt.connect` setting: a libvirt URI, empty for none. */
export function libvirtConnectSetting(): string {
  const value = vscode.workspace.getConfiguration('balloonInspector').get<unknown>('libvirt.connect', '');
  return typeof value === 'string' ? value : '';
}

/**
 * The KVM hosts of the Guests tree: this window's machine when it runs libvirt (or the setting names a URI),
 * and SSH hosts the user opened in host mode. Each is read with `virsh` (src/transport/libvirt.ts, in the
 * lazy bundle): read-only, one virsh session per read. The window's host is read the first time the tree
 * lists it, not at activation.
 */
export class HostManager implements vscode.Disposable {
  private readonly states = new Map<string, HostState>();
  private readonly running = new Map<string, Promise<HostView | null>>();
  private loaded = false;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  dispose(): void {
    this.changed.dispose();
  }

  get(id: string): HostState | undefined {
    return this.states.get(id);
  }

  /** Hosts in tree order: the window's first, then SSH hosts in the order they were opened. */
  list(): HostState[] {
    if (!this.loaded) this.reload();
    return [...this.states.values()];
  }

  nodes(): TreeNode[] {
    const lang = displayLang();
    return this.list().map((host) => buildHostNode(host, lang));
  }

  /** Whether this window is a KVM host now (the setting, or a libvirt socket). */
  localMode(): HostMode | null {
    return localHostMode(libvirtConnectSetting(), process.platform, existsSync);
  }

  /** Re-decides the window's Host node (setting changed, or first listing); keeps SSH hosts. */
  reload(): void {
    this.loaded = true;
    const mode = this.localMode();
    const old = this.states.get(LOCAL_HOST_ID);
    const others = [...this.states.values()].filter((host) => host.id !== LOCAL_HOST_ID);
    this.states.clear();
    let readNow = false;
    if (mode) {
      const same = old && old.uri === mode.uri;
      this.states.set(LOCAL_HOST_ID, same ? old : {
        id: LOCAL_HOST_ID, label: vscode.l10n.t('Host'), source: 'window', uri: mode.uri, checking: false, view: null, failure: null, checkedAt: null,
      });
      readNow = !same;
    }
    for (const host of others) this.states.set(host.id, host);
    if (readNow || (old && !mode)) this.changed.fire();
    if (readNow) void this.check(LOCAL_HOST_ID);
  }

  /** Adds an SSH host in host mode (or shows the one already there) and reads it. */
  openSsh(alias: string): string {
    const id = sshHostId(alias);
    if (!this.states.has(id)) {
      this.list();
      this.states.set(id, {
        id, label: vscode.l10n.t('Host {0}', alias), source: 'ssh', alias, uri: DEFAULT_HOST_URI, checking: false, view: null, failure: null, checkedAt: null,
      });
      this.changed.fire();
    }
    void this.check(id);
    return id;
  }

  close(id: string): void {
    if (this.states.get(id)?.source !== 'ssh') return;
    this.states.delete(id);
    this.changed.fire();
  }

  /** Reads one host; concurrent calls share one read. Never throws. */
  check(id: string): Promise<HostView | null> {
    const pending = this.running.get(id);
    if (pending) return pending;
    const run = this.read(id).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async read(id: string): Promise<HostView | null> {
    const host = this.states.get(id);
    if (!host) return null;
    this.update(id, { checking: true });
    const started = Date.now();
    let view: HostView | null = null;
    let failure: string | null = null;
    let transport: ReturnType<ReturnType<typeof loadLazy>['createSshTransport']> | undefined;
    try {
      const lazy = loadLazy();
      if (host.source === 'ssh') transport = lazy.createSshTransport(host.alias!, sshSettings(false));
      // The findings in the display language, as the guests' are.
      view = await lazy.readHostView({ connect: host.uri, transport, timeoutSeconds: settings().probeTimeoutSeconds, lang: displayLang() });
    } catch (error) {
      failure = (error as Error)?.message ?? String(error);
    } finally {
      transport?.dispose?.();
    }
    this.update(id, { checking: false, view: view ?? host.view, failure, checkedAt: Date.now() });
    const ms = Date.now() - started;
    if (view && !view.error) log().info(vscode.l10n.t('{0}: {1}, {2} domain(s), {3} finding(s), {4} ms', host.label, view.status.toUpperCase(), view.domains.length, view.findings.length, ms));
    else log().error(vscode.l10n.t('{0}: libvirt not read ({1}): {2}', host.label, view?.error?.kind ?? 'extension', view?.error?.message ?? failure ?? ''));
    return view;
  }

  private update(id: string, patch: Partial<HostState>): void {
    const host = this.states.get(id);
    if (!host) return;
    this.states.set(id, { ...host, ...patch });
    this.changed.fire();
  }
}

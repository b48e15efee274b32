import * as vscode from 'vscode';
import type { GuestManager } from './guests';
import { loadLazy } from './lazyLoader';
import { log } from './log';
import { pageText } from './model/pageText';
import { displayLang } from './displayLang';
import { reportPageHtml } from './reportPage';
import { isToExtension, type ReportViewModel, type ToWebview, type WebviewState } from '../shared/protocol';

export const REPORT_VIEW_TYPE = 'balloonInspector.report';

export interface PanelActions {
  checkAgain(guestId: string): Promise<void>;
  copy(guestId: string, format: 'markdown' | 'json'): Promise<void>;
  openRunbook(guestId: string, runbookId: string): Promise<void>;
  openArticle(articleId: string): Promise<void>;
}

/** One report panel per guest; panels survive reloads through the serializer (state from getState). */
export class ReportPanels implements vscode.WebviewPanelSerializer<WebviewState>, vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly pendingFocus = new Map<string, string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri, private readonly guests: GuestManager, private readonly actions: PanelActions) {
    this.subscription = guests.onDidChange((id) => {
      if (id === undefined) return;
      const panel = this.panels.get(id);
      if (!panel) return;
      const guest = guests.get(id);
      if (guest?.checking) void this.post(panel, { type: 'checking', guestId: id });
      else if (guest?.report) this.show(id);
      else if (guest?.error) void this.post(panel, { type: 'error', guestId: id, message: guest.error.message });
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const panel of this.panels.values()) panel.dispose();
  }

  /** Opens (or reveals) the guest's report, optionally scrolled to one finding. */
  open(guestId: string, focusFindingId?: string): vscode.WebviewPanel {
    let panel = this.panels.get(guestId);
    if (panel) panel.reveal(undefined, false);
    else {
      const label = this.guests.get(guestId)?.label ?? guestId;
      panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, vscode.l10n.t('Balloon report: {0}', label), vscode.ViewColumn.Active, this.options());
      this.attach(panel, guestId);
    }
    // A new page may not listen yet: its "ready" message repeats the show, with the focus kept here.
    if (focusFindingId) this.pendingFocus.set(guestId, focusFindingId);
    this.show(guestId, focusFindingId);
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined): Promise<void> {
    this.guests.list(); // loads the SSH hosts, so a restored SSH guest's panel finds its guest
    const guestId = typeof state?.guestId === 'string' && this.guests.get(state.guestId) ? state.guestId : 'this';
    panel.webview.options = this.options();
    this.attach(panel, guestId);
    // The page redraws from its own state; a report from this session replaces it.
    if (this.guests.get(guestId)?.report) this.show(guestId);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')], enableFindWidget: true };
  }

  private attach(panel: vscode.WebviewPanel, guestId: string): void {
    this.panels.set(guestId, panel);
    const label = this.guests.get(guestId)?.label ?? guestId;
    panel.title = vscode.l10n.t('Balloon report: {0}', label);
    // Tab icons are plain images (currentColor would be black): one per theme kind.
    panel.iconPath = { light: vscode.Uri.joinPath(this.extensionUri, 'media', 'balloon-light.svg'), dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'balloon-dark.svg') };
    panel.webview.html = this.html(panel.webview, guestId, label);
    const disposables: vscode.Disposable[] = [];
    disposables.push(panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isToExtension(message)) {
        log().warn(vscode.l10n.t('report page sent a message that is not in the protocol: {0}', JSON.stringify(message).slice(0, 200)));
        return;
      }
      const run = async () => {
        switch (message.type) {
          case 'ready': if (this.guests.get(guestId)?.report) this.show(guestId, this.pendingFocus.get(guestId)); this.pendingFocus.delete(guestId); break;
          case 'checkAgain': await this.actions.checkAgain(message.guestId); break;
          case 'copy': await this.actions.copy(message.guestId, message.format); break;
          case 'openRunbook': await this.actions.openRunbook(message.guestId, message.runbookId); break;
          case 'openArticle': await this.actions.openArticle(message.articleId); break;
          default: { const unreachable: never = message; void unreachable; }
        }
      };
      run().catch((error: unknown) => log().error(vscode.l10n.t('report page action {0} failed: {1}', message.type, (error as Error).message)));
    }));
    panel.onDidDispose(() => {
      if (this.panels.get(guestId) === panel) this.panels.delete(guestId);
      disposables.forEach((disposable) => disposable.dispose());
    });
  }

  /** The page's model: report, the articles its findings cite, fitting runbooks, watch samples. */
  model(guestId: string): ReportViewModel | null {
    const guest = this.guests.get(guestId);
    if (!guest?.report) return null;
    const report = guest.report;
    let articles: ReportViewModel['articles'] = {};
    const runbooks: ReportViewModel['runbooks'] = {};
    try {
      const lazy = loadLazy();
      const kb = lazy.knowledgeBase(this.extensionUri.fsPath, displayLang());
      articles = lazy.articlesFor(kb, report);
      for (const finding of report.findings) runbooks[finding.id] = lazy.runbooksForFinding(kb, finding, report.hypervisor.kind);
    } catch (error) {
      log().error(vscode.l10n.t('knowledge base not available: {0}', (error as Error).message));
    }
    return {
      guestId, guestLabel: guest.label, report, articles, runbooks, trend: this.guests.trendPoints(guestId),
      // The page's words and figures in the display language: the page itself never picks one.
      lang: displayLang(), text: pageText(),
    };
  }

  private show(guestId: string, focusFindingId?: string): void {
    const panel = this.panels.get(guestId);
    const model = this.model(guestId);
    if (!panel || !model) return;
    void this.post(panel, focusFindingId ? { type: 'show', model, focusFindingId } : { type: 'show', model });
  }

  private post(panel: vscode.WebviewPanel, message: ToWebview): Thenable<boolean> {
    return panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, guestId: string, label: string): string {
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.css'));
    return reportPageHtml({
      cspSource: webview.cspSource, scriptUri: script.toString(), styleUri: style.toString(), guestId, label,
      lang: displayLang(), text: pageText(), title: vscode.l10n.t('Balloon report: {0}', label),
    });
  }
}

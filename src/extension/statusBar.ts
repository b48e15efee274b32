import * as vscode from 'vscode';
import type { GuestManager } from './guests';
import { findingCounts, statusBarLabel, statusBarText, verdictLine } from '../shared/verdict';
import { escapeMarkdown } from '../shared/escape';
import { WINDOW_GUEST_ID } from './model/tree';

/** Balloon size and worst severity of this window's guest; shown once it has been checked. */
export class BalloonStatusBar implements vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly guests: GuestManager) {
    this.subscription = guests.onDidChange((id) => { if (id === WINDOW_GUEST_ID) this.update(); });
  }

  dispose(): void {
    this.subscription.dispose();
    this.item?.dispose();
  }

  private update(): void {
    const guest = this.guests.get(WINDOW_GUEST_ID);
    if (!guest || (!guest.report && !guest.error)) return;
    this.item ??= vscode.window.createStatusBarItem('balloonInspector.status', vscode.StatusBarAlignment.Left, 10);
    const item = this.item;
    item.name = 'Balloon Inspector';
    item.command = { command: 'balloonInspector.openReport', title: 'Open Balloon Report', arguments: [WINDOW_GUEST_ID] };
    if (guest.checking && !guest.report) {
      item.text = '$(loading~spin) Balloon';
    } else if (guest.report) {
      const report = guest.report;
      item.text = statusBarText(report);
      item.accessibilityInformation = { label: statusBarLabel(report), role: 'button' };
      const tooltip = new vscode.MarkdownString(`**${escapeMarkdown(guest.label)}**: ${escapeMarkdown(verdictLine(report))}\n\n${report.status.toUpperCase()} · ${escapeMarkdown(findingCounts(report.findings))}${report.findings[0] ? `\n\nWorst: ${escapeMarkdown(report.findings[0].title)}` : ''}\n\nClick to open the report.`);
      item.tooltip = tooltip;
      item.backgroundColor = report.status === 'critical' ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : report.status === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } else if (guest.error) {
      item.text = '$(pulse) Balloon ?';
      item.tooltip = `Could not check ${guest.label}: ${guest.error.message}`;
      item.backgroundColor = undefined;
    }
    item.show();
  }
}

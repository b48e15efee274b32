import * as vscode from 'vscode';
import { displayLang } from './displayLang';
import type { GuestManager } from './guests';
import { statusWord } from './model/pageText';
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
    item.command = { command: 'balloonInspector.openReport', title: vscode.l10n.t('Open Balloon Report'), arguments: [WINDOW_GUEST_ID] };
    if (guest.checking && !guest.report) {
      item.text = vscode.l10n.t('$(loading~spin) Balloon');
    } else if (guest.report) {
      const report = guest.report;
      const lang = displayLang();
      item.text = statusBarText(report, lang);
      item.accessibilityInformation = { label: statusBarLabel(report, lang), role: 'button' };
      const worst = report.findings[0] ? `\n\n${vscode.l10n.t('Worst: {0}', escapeMarkdown(report.findings[0].title))}` : '';
      const tooltip = new vscode.MarkdownString(`**${escapeMarkdown(guest.label)}**: ${escapeMarkdown(verdictLine(report, lang))}\n\n${statusWord(report.status)} · ${escapeMarkdown(findingCounts(report.findings, lang))}${worst}\n\n${vscode.l10n.t('Click to open the report.')}`);
      item.tooltip = tooltip;
      item.backgroundColor = report.status === 'critical' ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : report.status === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } else if (guest.error) {
      item.text = vscode.l10n.t('$(pulse) Balloon ?');
      item.tooltip = vscode.l10n.t('Could not check {0}: {1}', guest.label, guest.error.message);
      item.backgroundColor = undefined;
    }
    item.show();
  }
}

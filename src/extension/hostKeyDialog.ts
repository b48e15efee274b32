import * as vscode from 'vscode';
import type { Report } from '../core/report';
import type { CheckOptions, GuestManager } from './guests';

/** "Checking db01 for ballooning…" in a notification while `work` runs. */
export function withCheckProgress<T>(what: string, work: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking {0} for ballooning…', what) }, work);
}

/**
 * Guests whose SSH host key is unknown: show its fingerprint and let the user accept it, as ssh would
 * ask; each accepted guest is checked again with the key added. Returns the reports of those checks.
 */
export async function offerUnknownHostKeys(guests: GuestManager, ids: readonly string[], options: CheckOptions): Promise<Report[]> {
  const reports: Report[] = [];
  for (const id of ids) {
    const error = guests.get(id)?.error;
    if (error?.kind !== 'host-key-unknown') continue;
    const trust = vscode.l10n.t('Trust Key and Check');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0}: the SSH host key is not known.', guests.get(id)?.label ?? id),
      { modal: true, detail: vscode.l10n.t("{0}\n\nTrust this key only if its fingerprint is the host's. It is then added to your known_hosts file.", error.message) }, trust);
    if (answer !== trust) continue;
    const report = await withCheckProgress(`${guests.get(id)?.label}`, () => guests.check(id, { ...options, acceptNewHostKey: true }));
    if (report) reports.push(report);
  }
  return reports;
}

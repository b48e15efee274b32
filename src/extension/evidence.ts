import { promises as fs } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GuestActions } from './commands/actions';
import type { GuestManager } from './guests';
import { loadLazy } from './lazyLoader';
import { evidenceFileName, evidenceHow } from './sosreportModel';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

export interface EvidenceDeps {
  guests: GuestManager;
  actions: GuestActions;
}

/** Where the save dialog starts: the first workspace folder on this machine, else the home folder. */
function defaultFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.find((candidate) => candidate.uri.scheme === 'file');
  return folder?.uri ?? vscode.Uri.file(homedir());
}

/** A Uri or path argument (tests), else the save dialog. */
async function targetOf(arg: unknown, suggested: string): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  return vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save Evidence Bundle'), saveLabel: vscode.l10n.t('Save'),
    defaultUri: vscode.Uri.joinPath(defaultFolder(), suggested),
    filters: { [vscode.l10n.t('Evidence bundle')]: ['tar.gz', 'gz'] },
  });
}

/**
 * `balloonInspector.saveEvidenceBundle` on any guest: the bundle `balloon-check --collect` writes
 * (the probe's raw output of the guest's last check, the JSON and Markdown reports, a README), for a
 * ticket. `balloon-check --input` and `--sosreport` read it back. Resolves with the file written.
 */
export async function saveEvidenceBundle(deps: EvidenceDeps, guestArg: unknown, targetArg: unknown): Promise<string | undefined> {
  const { guests, actions } = deps;
  let found = await actions.ensureReport(guestArg);
  if (!found) return undefined;
  // A report from before this window kept outputs (none yet): check again, so output and report go together.
  if (guests.lastOutput(found.id) === undefined) {
    await actions.check([found.id], true);
    found = await actions.ensureReport(found.id);
    if (!found) return undefined;
  }
  const output = guests.lastOutput(found.id);
  if (output === undefined) return undefined;
  const target = await targetOf(targetArg, evidenceFileName(found.report));
  if (!target) return undefined;
  const input = { output, report: guests.jsonReport(found.id) ?? found.report, version: VERSION, how: evidenceHow(found.id) };
  const { writeEvidenceBundle } = loadLazy();
  if (target.scheme === 'file') {
    await writeEvidenceBundle(target.fsPath, input);
  } else {
    // A folder this extension host cannot write directly (a virtual file system): built here, copied there.
    const work = await fs.mkdtemp(join(tmpdir(), 'bi-bundle-'));
    try {
      const file = join(work, 'bundle.tar.gz');
      await writeEvidenceBundle(file, input);
      await vscode.workspace.fs.writeFile(target, await fs.readFile(file));
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }
  const shown = target.scheme === 'file' ? target.fsPath : target.toString();
  void vscode.window.showInformationMessage(vscode.l10n.t('Balloon Inspector: evidence bundle of {0} saved to {1}', guests.get(found.id)?.label ?? found.id, shown));
  return shown;
}

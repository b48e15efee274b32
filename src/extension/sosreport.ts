import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../core/report';
import { guestIdOf, type GuestActions } from './commands/actions';
import type { GuestManager } from './guests';
import { log } from './log';
import type { TreeNode } from './model/tree';
import type { ReportPanels } from './reportPanel';
import { pathsFromUriList, rememberedPaths, sosGuestNamed, sosGuestState, sosPathOf } from './sosreportModel';

/**
 * "Open sosreport..." and drops on the Guests view: each sos report (folder or archive) or evidence
 * bundle becomes a guest of the tree, analysed by the transport exactly as `balloon-check --sosreport`
 * does (lazy bundle), dated when sos collected it and named after the host sos saw.
 */

/** Where the workspace keeps its open sos reports (paths only), so they are guests again after a reload. */
const REMEMBERED = 'balloonInspector.sosreports';
let memory: vscode.Memento | undefined;

function remember(paths: string[], add: boolean): void {
  if (memory) void memory.update(REMEMBERED, rememberedPaths(memory.get(REMEMBERED), paths, add));
}

/** activate(): the sos reports open before the reload come back as guests, not analysed until asked (or their page is restored). */
export function restoreSosreports(state: vscode.Memento, guests: GuestManager): void {
  memory = state;
  for (const path of rememberedPaths(state.get(REMEMBERED), [], true)) if (existsSync(path)) guests.putGuest(sosGuestState(path));
}

export interface SosreportDeps {
  guests: GuestManager;
  actions: GuestActions;
  panels: ReportPanels;
}

/** Adds each path as a sosreport guest (once), analyses them, opens the first one's report page. */
export async function openSosreports(deps: SosreportDeps, paths: string[]): Promise<Report[]> {
  const { guests, actions, panels } = deps;
  if (!paths.length) return [];
  const ids = paths.map((path) => {
    const state = sosGuestState(path);
    if (!guests.get(state.id)) guests.putGuest(state);
    return state.id;
  });
  remember(paths, true);
  actions.reveal(ids[0]!, false);
  const reports = await actions.check(ids, true);
  for (const id of ids) {
    const guest = guests.get(id);
    if (guest?.report) guests.putGuest(sosGuestNamed(guest));
    else actions.showCheckFailed(id);
  }
  actions.revealExpanded(ids[0]!);
  if (guests.get(ids[0]!)?.report) panels.open(ids[0]!);
  return reports;
}

/** `balloonInspector.closeSosreport`: the sosreport guest leaves the tree (its files were never kept). */
export function closeSosreport(guests: GuestManager, arg: unknown): void {
  const id = guestIdOf(arg);
  const path = id ? sosPathOf(id) : undefined;
  if (!id || !path) return;
  guests.removeGuest(id);
  remember([path], false);
}

/** Paths a command argument names: a Uri, a path, or a list of them (the Explorer's context menu passes two). */
function pathsOfArgument(arg: unknown, more: unknown): string[] {
  const list = Array.isArray(more) && more.length ? more : Array.isArray(arg) ? arg : [arg];
  return list.map((item) => (item instanceof vscode.Uri ? (item.scheme === 'file' ? item.fsPath : undefined) : typeof item === 'string' ? item : undefined))
    .filter((path): path is string => typeof path === 'string' && path.length > 0);
}

/** Asks for sos reports. Linux and Windows dialogs pick files or folders, not both: the user says which first. */
async function askForSosreports(): Promise<string[]> {
  const archive = { label: vscode.l10n.t('$(file-zip) sosreport archive'), description: '.tar.xz, .tar.gz, .tar.bz2, .tar', folders: false };
  const folder = { label: vscode.l10n.t('$(folder) Unpacked sosreport folder'), description: 'sosreport-HOST-…', folders: true };
  const bundle = { label: vscode.l10n.t('$(package) Evidence bundle'), description: 'balloon-check --collect (.tar.gz)', folders: false };
  const choice = await vscode.window.showQuickPick([archive, folder, bundle], { title: vscode.l10n.t('Open sosreport'), placeHolder: vscode.l10n.t('What do you want to open?') });
  if (!choice) return [];
  const uris = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Open sosreport'), openLabel: vscode.l10n.t('Analyse'), canSelectFiles: !choice.folders, canSelectFolders: choice.folders, canSelectMany: true,
    ...(choice.folders ? {} : { filters: { [vscode.l10n.t('sos reports and evidence bundles')]: ['xz', 'gz', 'bz2', 'tar', 'tgz'], [vscode.l10n.t('All files')]: ['*'] } }),
  });
  return (uris ?? []).filter((uri) => uri.scheme === 'file').map((uri) => uri.fsPath);
}

/** `balloonInspector.openSosreport`: with a Uri or path argument (tests, the Explorer), without asking. */
export async function openSosreportCommand(deps: SosreportDeps, arg: unknown, more: unknown): Promise<Report[]> {
  const given = pathsOfArgument(arg, more);
  return openSosreports(deps, given.length ? given : await askForSosreports());
}

/**
 * Drops of sos reports on the Guests view: from the Explorer (text/uri-list) or from the desktop
 * ('files'). A dropped file that has no path here (a browser window, code-server) is written to a
 * private temporary folder first, removed when the window closes.
 */
export class SosreportDropController implements vscode.TreeDragAndDropController<TreeNode>, vscode.Disposable {
  readonly dropMimeTypes = ['text/uri-list', 'files'];
  readonly dragMimeTypes: readonly string[] = [];
  private copies: string | undefined;

  constructor(private readonly open: (paths: string[]) => Promise<unknown>) {}

  async handleDrop(_target: TreeNode | undefined, dataTransfer: vscode.DataTransfer, token: vscode.CancellationToken): Promise<void> {
    const paths: string[] = [];
    const uriList = await dataTransfer.get('text/uri-list')?.asString();
    if (uriList) paths.push(...pathsFromUriList(uriList, (text) => { try { const uri = vscode.Uri.parse(text, true); return uri.scheme === 'file' ? uri.fsPath : undefined; } catch { return undefined; } }));
    const files: vscode.DataTransferFile[] = [];
    dataTransfer.forEach((item) => { const file = item.asFile(); if (file) files.push(file); });
    for (const file of files) {
      if (file.uri?.scheme === 'file') { if (!paths.includes(file.uri.fsPath)) paths.push(file.uri.fsPath); continue; }
      if (!paths.length) paths.push(await this.copyOf(file));
    }
    if (token.isCancellationRequested || !paths.length) return;
    log().info(vscode.l10n.t('sosreport dropped on the Guests view: {0}', paths.join(', ')));
    await this.open(paths);
  }

  private async copyOf(file: vscode.DataTransferFile): Promise<string> {
    this.copies ??= await fs.mkdtemp(join(tmpdir(), 'bi-dropped-'));
    await fs.chmod(this.copies, 0o700);
    const name = basename(file.name).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'sosreport.tar.xz';
    const target = join(await fs.mkdtemp(join(this.copies, 'drop-')), name);
    await fs.writeFile(target, await file.data(), { mode: 0o600, flag: 'wx' });
    return target;
  }

  dispose(): void {
    if (this.copies) void fs.rm(this.copies, { recursive: true, force: true });
  }
}

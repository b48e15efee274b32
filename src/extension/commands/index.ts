import * as vscode from 'vscode';
import type { Report } from '../../core/report';
import { settings, type GuestManager } from '../guests';
import { log } from '../log';
import { isPlausibleSshDestination, SSH_GUEST_PREFIX } from '../model/tree';
import type { ReportPanels } from '../reportPanel';
import type { BlockRunner } from '../runbooks';
import { saveEvidenceBundle } from '../evidence';
import { closeSosreport, openSosreportCommand } from '../sosreport';
import { guestIdOf, type GuestActions } from './actions';
import { guarded, type Handler } from './guarded';

export interface CommandDeps {
  guests: GuestManager;
  actions: GuestActions;
  panels: ReportPanels;
  runner: BlockRunner;
}

async function checkBallooning({ guests, actions }: CommandDeps, arg: unknown): Promise<Report[]> {
  const argId = guestIdOf(arg);
  const ids = argId ? [argId] : await actions.pickGuests(vscode.l10n.t('Which guest should be checked?'), true);
  if (!ids?.length) return [];
  // Show the guest (spinning), open, while it is checked: the view opens during the probe, not after it, and asks for
  // the guest's rows at once (the tree serves them when the check ends). Expanding is retried after the check, as a
  // reveal can land on the node before the view has it.
  actions.reveal(ids[0]!, true);
  const reports = await actions.check(ids, true);
  actions.revealExpanded(ids[0]!);
  if (ids.length === 1 && !guests.get(ids[0]!)?.report) actions.showCheckFailed(ids[0]!);
  return reports;
}

const updateSshHosts = (hosts: string[]) => vscode.workspace.getConfiguration('balloonInspector').update('sshHosts', hosts, vscode.ConfigurationTarget.Global);

async function addSshHost(guests: GuestManager): Promise<void> {
  const host = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add an SSH host to Balloon Inspector'), prompt: vscode.l10n.t('A Host alias of your SSH config, or [user@]host[:port]'),
    placeHolder: vscode.l10n.t('db01 or admin@10.0.0.5:2222'),
    validateInput: (text) => (isPlausibleSshDestination(text.trim()) ? undefined : vscode.l10n.t('Use a Host alias or [user@]host[:port], without spaces or wildcards')),
  });
  if (!host) return;
  const current = settings().sshHosts;
  if (!current.includes(host.trim())) await updateSshHosts([...current, host.trim()]);
  guests.reloadHosts();
}

async function removeSshHost(guests: GuestManager, arg: unknown): Promise<void> {
  const id = guestIdOf(arg);
  const alias = id?.startsWith(SSH_GUEST_PREFIX) ? id.slice(SSH_GUEST_PREFIX.length) : undefined;
  if (!alias) return;
  await updateSshHosts(settings().sshHosts.filter((host) => host.trim() !== alias));
  guests.reloadHosts();
}

/** Every command of package.json's contributes.commands, each guarded. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { guests, actions, panels, runner } = deps;
  const handlers: Record<string, Handler> = {
    'balloonInspector.checkBallooning': (arg) => checkBallooning(deps, arg),
    'balloonInspector.refresh': () => {
      guests.reloadHosts();
      // The KVM hosts' nodes (src/extension/hostCommands.ts) are read again too.
      void vscode.commands.executeCommand('balloonInspector.refreshHost');
      return actions.check(guests.list().filter((guest) => guest.source === 'window' || guest.report || guest.error).map((guest) => guest.id), false);
    },
    'balloonInspector.openReport': async (arg, findingId) => {
      const found = await actions.ensureReport(arg);
      if (found) panels.open(found.id, typeof findingId === 'string' ? findingId : undefined);
    },
    'balloonInspector.copyReportMarkdown': (arg) => actions.copyReport(arg, 'markdown'),
    'balloonInspector.copyReportJson': (arg) => actions.copyReport(arg, 'json'),
    'balloonInspector.openRunbook': (arg) => actions.openRunbook(arg),
    'balloonInspector.addSshHost': () => addSshHost(guests),
    'balloonInspector.removeSshHost': (arg) => removeSshHost(guests, arg),
    'balloonInspector.showLog': () => log().show(),
    'balloonInspector.openSosreport': (arg, more) => openSosreportCommand(deps, arg, more),
    'balloonInspector.saveEvidenceBundle': (arg, target) => saveEvidenceBundle(deps, arg, target),
    'balloonInspector.closeSosreport': (arg) => closeSosreport(guests, arg),
    'balloonInspector.runBlock': (uri, line) => runner.run(uri, line, false),
    'balloonInspector.runBlockWithSudo': (uri, line) => runner.run(uri, line, true),
    'balloonInspector.copyBlock': (uri, line) => runner.copy(uri, line),
  };
  return Object.entries(handlers).map(([id, handler]) => guarded(id, handler));
}

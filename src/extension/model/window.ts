/**
 * vscode-free: which guest this window runs on, and what the tree calls it.
 *
 * The extension is a workspace extension, so it always runs where the workspace is: on the guest.
 * - `remoteName` undefined: a local window — "This machine".
 * - `ssh-remote`: the extension host runs on the guest over Remote-SSH — "<host> via Remote-SSH".
 * - anything else (wsl, dev-container, or code-server, whose remoteName is its authority such as
 *   "127.0.0.1:8080"): a generic remote — "<host> (remote)", the host being the machine the
 *   extension host runs on, i.e. the machine that is checked.
 * The probe reads Linux: a window whose extension host is not on Linux (most desktops, Windows or macOS, in a
 * local window) is a workstation, not a guest. It has no node of its own and reaches guests over SSH.
 */
import { isLinuxGuestPlatform } from '../../shared/platform';
import { l10n } from './l10n';

export type WindowKind = 'local' | 'ssh-remote' | 'remote';

export interface WindowGuest {
  kind: WindowKind;
  /** Tree label of the top node. */
  label: string;
  /** Tree description (the grey text beside the label). */
  description: string;
  /** Whether ~/.ssh/config hosts are listed: not when the window already runs on a guest over SSH. */
  listsSshConfigHosts: boolean;
}

export function describeWindow(remoteName: string | undefined, hostname: string): WindowGuest {
  const host = hostname.trim() || l10n.t('unknown host');
  if (remoteName === undefined || remoteName === '') {
    return { kind: 'local', label: l10n.t('This machine'), description: host, listsSshConfigHosts: true };
  }
  if (remoteName === 'ssh-remote') {
    return { kind: 'ssh-remote', label: l10n.t('{0} via Remote-SSH', host), description: l10n.t('this window'), listsSshConfigHosts: false };
  }
  return { kind: 'remote', label: l10n.t('{0} (remote)', host), description: remoteName, listsSshConfigHosts: true };
}

/** The window's own guest, or null when the extension host is not on Linux (`platform`: its process.platform). */
export function windowGuest(remoteName: string | undefined, hostname: string, platform: string): WindowGuest | null {
  return isLinuxGuestPlatform(platform) ? describeWindow(remoteName, hostname) : null;
}

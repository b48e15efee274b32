import { basename } from 'node:path';
import type { Report } from '../core/report';
import { SSH_GUEST_PREFIX, WINDOW_GUEST_ID, type GuestState } from './model/tree';

/**
 * vscode-free: sos reports as guests of the tree ("Open sosreport...", a drop on the Guests view),
 * and what "Save Evidence Bundle..." names and says. The analysis itself is the transport's
 * (src/transport/sosreport-check.ts), the same as `balloon-check --sosreport`.
 */

export const SOS_GUEST_PREFIX = 'sos:';

export const sosGuestId = (path: string): string => `${SOS_GUEST_PREFIX}${path}`;

/** The sos report's path of a sosreport guest id, or undefined for other guests. */
export function sosPathOf(id: string): string | undefined {
  return id.startsWith(SOS_GUEST_PREFIX) && id.length > SOS_GUEST_PREFIX.length ? id.slice(SOS_GUEST_PREFIX.length) : undefined;
}

/** A sosreport guest before its analysis: named after the file or folder, the host name comes with the report. */
export function sosGuestState(path: string): GuestState {
  return {
    id: sosGuestId(path), label: basename(path) || path, description: 'sosreport', source: 'sosreport',
    checking: false, report: null, error: null, checkedAt: null,
  };
}

/** The guest once analysed: named after the host sos saw (the file name stays in the description and tooltip). */
export function sosGuestNamed(guest: GuestState): GuestState {
  const host = guest.report?.guest.hostname?.trim();
  return host ? { ...guest, label: host } : guest;
}

/** The sos reports a workspace keeps open across reloads: `add` puts paths last (once), else takes them out. */
export function rememberedPaths(kept: unknown, paths: readonly string[], add: boolean): string[] {
  const list = Array.isArray(kept) ? kept.filter((path): path is string => typeof path === 'string' && path.length > 0) : [];
  const rest = list.filter((path) => !paths.includes(path));
  return add ? [...rest, ...paths].slice(-50) : rest;
}

/** The paths of a text/uri-list drop (RFC 2483: one URI a line, `#` comments): local files only. */
export function pathsFromUriList(text: string, toPath: (uri: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const uri = line.trim();
    if (!uri || uri.startsWith('#')) continue;
    const path = toPath(uri);
    if (path && !out.includes(path)) out.push(path);
  }
  return out;
}

/** A file name for a guest's evidence bundle: balloon-evidence-HOST-YYYYMMDD-HHMMSS.tar.gz (UTC, safe characters). */
export function evidenceFileName(report: Report): string {
  const host = (report.guest.hostname ?? report.target.name.split(' ')[0] ?? 'guest').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 64) || 'guest';
  const stamp = report.collectedAt.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '').replace('T', '-').replace(/Z$/, '');
  return `balloon-evidence-${host}-${stamp}.tar.gz`;
}

/** How the guest was reached, for the bundle's README (the CLI writes "local", "--ssh HOST", "--sosreport FILE"). */
export function evidenceHow(guestId: string): string {
  const sos = sosPathOf(guestId);
  if (sos) return `VS Code, --sosreport ${sos}`;
  if (guestId.startsWith(SSH_GUEST_PREFIX)) return `VS Code, --ssh ${guestId.slice(SSH_GUEST_PREFIX.length)}`;
  return guestId === WINDOW_GUEST_ID ? 'VS Code, local' : `VS Code, ${guestId}`;
}

/** When a transport says its output was collected (a sos report's start time), or null (collected now). */
export function collectedAtOf(transport: object): Date | null {
  const at = (transport as { collectedAt?: unknown }).collectedAt;
  return at instanceof Date && !Number.isNaN(at.getTime()) ? at : null;
}

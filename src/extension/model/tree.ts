import type { Report } from '../../core/report';
import type { ProbeStatus } from '../../core/sections';
import { escapeMarkdown } from '../../shared/escape';
import { checkedPhrase, figureRows, localTime, type FigureKey, type TimeOptions } from '../../shared/presentation';
import { findingCounts, SEVERITY_ICONS, STATUS_ICONS, verdictLine } from '../../shared/verdict';
import { l10n } from './l10n';
import { severityWords, statusWord } from './pageText';

/** vscode-free: the guest tree as plain data. The TreeDataProvider only maps it to TreeItems. */

export type GuestSource = 'window' | 'ssh-config' | 'added' | 'sosreport';

export interface GuestError { kind: string; message: string }

export interface GuestState {
  /** "this" for the window's guest, "ssh:<alias>" for SSH hosts. */
  id: string;
  label: string;
  /** Grey text beside the label while there is no report. */
  description: string;
  source: GuestSource;
  checking: boolean;
  report: Report | null;
  error: GuestError | null;
  /** When the report or error came in (ms since epoch). */
  checkedAt: number | null;
}

export interface TreeIcon { id: string; color?: string }

export type NodeKind = 'guest' | 'verdict' | 'finding' | 'facts' | 'fact' | 'probes' | 'probe' | 'error' | 'hint' | 'host' | 'domain';

export interface TreeNode {
  /** Unique and stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  kind: NodeKind;
  guestId: string;
  findingId?: string;
  label: string;
  description?: string;
  /** Markdown (trusted only for command links this extension makes). */
  tooltip?: string;
  icon?: TreeIcon;
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: { command: string; title: string; arguments: unknown[] };
  children: TreeNode[];
}

export const SSH_GUEST_PREFIX = 'ssh:';
export const WINDOW_GUEST_ID = 'this';

const PROBE_ICONS: Record<ProbeStatus, TreeIcon> = {
  ok: { id: 'check', color: 'testing.iconPassed' },
  absent: { id: 'circle-slash' },
  denied: { id: 'lock', color: 'problemsWarningIcon.foreground' },
  error: { id: 'error', color: 'problemsErrorIcon.foreground' },
};

/** Words for the contextValue: menus match them with `viewItem =~ /\bword\b/`. */
export function guestContextValue(guest: GuestState): string {
  const words = ['guest', guest.source === 'window' ? 'window' : guest.source === 'sosreport' ? 'sosreport' : 'ssh'];
  if (guest.source === 'added') words.push('removable');
  if (guest.report) words.push('hasReport');
  words.push(guest.checking ? 'checking' : 'idle');
  return words.join(' ');
}

/** The figures a guest's tooltip shows (keys of figureRows). */
const TOOLTIP_FIGURES = new Set<FigureKey>(['hypervisor', 'balloonSize', 'configured', 'memoryLimit', 'memAvailable']);

/** `time`: the locale, zone and now of the user (tests pass fixed ones), and the display language (`time.lang`). */
export function guestTooltip(guest: GuestState, time: TimeOptions = {}): string {
  const lines = [`**${escapeMarkdown(guest.label)}**`];
  const alias = `\`${guest.id.slice(SSH_GUEST_PREFIX.length).replace(/`/g, '')}\``;
  // A sosreport guest's id is sos:PATH (src/extension/sosreportModel.ts): the tooltip names the file.
  if (guest.source === 'sosreport') lines.push(l10n.t('sosreport {0}', `\`${(/[^/\\]*$/.exec(guest.id)?.[0] ?? '').replace(/`/g, '')}\``));
  else if (guest.source !== 'window') lines.push(guest.source === 'added' ? l10n.t('SSH host {0} (added in Balloon Inspector)', alias) : l10n.t('SSH host {0} (from the SSH config)', alias));
  if (guest.report) {
    const report = guest.report;
    lines.push('', `${statusWord(report.status)} · ${escapeMarkdown(findingCounts(report.findings, time.lang))}`, '');
    lines.push(`| | |`, `|---|---|`);
    for (const row of figureRows(report, { lang: time.lang }).filter((figure) => TOOLTIP_FIGURES.has(figure.key))) lines.push(`| ${row.name} | ${escapeMarkdown(row.value)} |`);
    const checked = checkedPhrase(report.collectedAt, time);
    lines.push('', escapeMarkdown(checked.charAt(0).toUpperCase() + checked.slice(1)));
  } else if (guest.error) {
    lines.push('', l10n.t('Could not check: {0}', escapeMarkdown(guest.error.message)));
  } else {
    lines.push('', l10n.t('Not checked yet.'));
  }
  return lines.join('\n');
}

function guestDescription(guest: GuestState, time: TimeOptions): string {
  if (guest.checking) return l10n.t('checking…');
  if (guest.report) return `${statusWord(guest.report.status).toLowerCase()} · ${findingCounts(guest.report.findings, time.lang)}`;
  if (guest.error) return l10n.t('error: {0}', guest.error.kind);
  return guest.description;
}

function guestIcon(guest: GuestState): TreeIcon {
  if (guest.checking) return { id: 'loading~spin' };
  if (guest.report) return STATUS_ICONS[guest.report.status].color ? { id: STATUS_ICONS[guest.report.status].icon, color: STATUS_ICONS[guest.report.status].color } : { id: STATUS_ICONS[guest.report.status].icon };
  if (guest.error) return { id: 'debug-disconnect', color: 'problemsErrorIcon.foreground' };
  return { id: guest.source === 'window' ? 'vm' : guest.source === 'sosreport' ? 'file-zip' : 'remote' };
}

/** The whole subtree of one guest. */
export function buildGuestNode(guest: GuestState, time: TimeOptions = {}): TreeNode {
  const children: TreeNode[] = [];
  const base = { guestId: guest.id, children: [] as TreeNode[] };
  const report = guest.report;
  if (report) {
    children.push({
      ...base, id: `${guest.id}/verdict`, kind: 'verdict', label: verdictLine(report, time.lang), icon: { id: 'pulse' },
      description: statusWord(report.status), tooltip: guestTooltip(guest, time), contextValue: 'verdict', collapsible: 'none',
      command: { command: 'balloonInspector.openReport', title: l10n.t('Open Report'), arguments: [guest.id] },
    });
    const severities = severityWords();
    for (const finding of report.findings) {
      const icon = SEVERITY_ICONS[finding.severity];
      const severity = severities[finding.severity] ?? finding.severity;
      children.push({
        ...base, id: `${guest.id}/finding/${finding.id}`, kind: 'finding', findingId: finding.id, label: finding.title,
        description: severity, icon: { id: icon.icon, color: icon.color },
        tooltip: `**${escapeMarkdown(finding.title)}**\n\n${escapeMarkdown(finding.detail)}\n\n*${severity}* · \`${finding.id}\` · ${l10n.t('read: {0}', finding.articles.map((id) => `\`${id}\``).join(', '))}`,
        contextValue: 'finding', collapsible: 'none',
        command: { command: 'balloonInspector.openReport', title: l10n.t('Open Report'), arguments: [guest.id, finding.id] },
      });
    }
    const facts = figureRows(report, { time: (iso) => localTime(iso, time), lang: time.lang }).map((row, index): TreeNode => ({
      ...base, id: `${guest.id}/facts/${index}`, kind: 'fact', label: row.name, description: row.value,
      tooltip: `**${escapeMarkdown(row.name)}**: ${escapeMarkdown(row.value)}`, contextValue: 'fact', collapsible: 'none',
    }));
    children.push({ ...base, id: `${guest.id}/facts`, kind: 'facts', label: l10n.t('Facts'), icon: { id: 'list-unordered' }, description: `${facts.length}`, contextValue: 'facts', collapsible: 'collapsed', children: facts });
    const probes = report.probes.map((probe): TreeNode => ({
      ...base, id: `${guest.id}/probes/${probe.id}`, kind: 'probe', label: probe.id,
      description: probe.detail ? `${probe.status}: ${probe.detail}` : probe.status, icon: PROBE_ICONS[probe.status] ?? { id: 'question' },
      tooltip: `\`${probe.id}\`: **${probe.status}**${probe.detail ? `\n\n${escapeMarkdown(probe.detail)}` : ''}`, contextValue: 'probe', collapsible: 'none',
    }));
    const notOk = report.probes.filter((probe) => probe.status === 'denied' || probe.status === 'error').length;
    children.push({ ...base, id: `${guest.id}/probes`, kind: 'probes', label: l10n.t('Probes'), icon: { id: 'beaker' }, description: notOk ? l10n.t('{0}, {1} not readable', report.probes.length, notOk) : `${report.probes.length}`, contextValue: 'probes', collapsible: 'collapsed', children: probes });
  } else if (guest.error) {
    children.push({
      ...base, id: `${guest.id}/error`, kind: 'error', label: l10n.t('Could not check: {0}', guest.error.message), description: guest.error.kind,
      icon: { id: 'error', color: 'problemsErrorIcon.foreground' }, tooltip: escapeMarkdown(guest.error.message), contextValue: 'error', collapsible: 'none',
      command: { command: 'balloonInspector.checkBallooning', title: l10n.t('Check Again'), arguments: [guest.id] },
    });
  } else if (!guest.checking) {
    children.push({
      ...base, id: `${guest.id}/hint`, kind: 'hint', label: l10n.t('Not checked yet: click to check'), icon: { id: 'play' }, contextValue: 'hint', collapsible: 'none',
      command: { command: 'balloonInspector.checkBallooning', title: l10n.t('Check Ballooning'), arguments: [guest.id] },
    });
  }
  return {
    id: guest.id, kind: 'guest', guestId: guest.id, label: guest.label, description: guestDescription(guest, time), tooltip: guestTooltip(guest, time),
    icon: guestIcon(guest), contextValue: guestContextValue(guest),
    // This window's guest and a sos report open on their rows; while checked, so that the view asks for the rows
    // (served when the check ends) before the check is over.
    collapsible: (report || guest.checking) && (guest.source === 'window' || guest.source === 'sosreport') ? 'expanded' : 'collapsed', children,
  };
}

export function buildTree(guests: readonly GuestState[], time: TimeOptions = {}): TreeNode[] {
  return guests.map((guest) => buildGuestNode(guest, time));
}

/** Hosts for the tree: the SSH config's concrete hosts, then added ones, each once, in order. */
export function mergeSshHosts(configHosts: readonly string[], addedHosts: readonly string[]): { alias: string; source: 'ssh-config' | 'added' }[] {
  const seen = new Set<string>();
  const out: { alias: string; source: 'ssh-config' | 'added' }[] = [];
  const push = (alias: string, source: 'ssh-config' | 'added') => {
    const clean = alias.trim();
    if (!clean || seen.has(clean) || !isPlausibleSshDestination(clean)) return;
    seen.add(clean);
    out.push({ alias: clean, source });
  };
  for (const host of configHosts) push(host, 'ssh-config');
  for (const host of addedHosts) push(host, 'added');
  return out;
}

/** `[user@]host[:port]` or an alias: no spaces, no shell or option characters, not starting with "-". */
export function isPlausibleSshDestination(text: string): boolean {
  return /^[A-Za-z0-9_.@:[\]%+-]{1,255}$/.test(text) && !text.startsWith('-') && !/[*?!]/.test(text);
}

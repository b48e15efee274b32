import type { DomainView, HostFinding, HostView } from '../../core/libvirt/model';
import type { ReportStatus } from '../../core/report';
import { escapeMarkdown } from '../../shared/escape';
import type { Lang } from '../../shared/i18n';
import { formatBytes, percent } from '../../shared/units';
import { SEVERITY_ICONS, STATUS_ICONS } from '../../shared/verdict';
import { l10n } from './l10n';
import { severityWords, statusWord } from './pageText';
import type { TreeIcon, TreeNode } from './tree';

/**
 * vscode-free: the "Host" nodes of the Guests tree — a KVM host read through libvirt (src/transport/libvirt.ts),
 * this window's machine or an SSH host opened in host mode — and when the window counts as a KVM host.
 */

export const HOST_ID_PREFIX = 'host:';
/** The window's own machine as a KVM host. */
export const LOCAL_HOST_ID = 'host:this';
/** An SSH host opened in host mode: `host:ssh:<alias>`. */
export const SSH_HOST_PREFIX = 'host:ssh:';
export const DEFAULT_HOST_URI = 'qemu:///system';

/** libvirt's sockets: any of them means a libvirt daemon (monolithic or modular, read-write or read-only) runs here. */
export const LIBVIRT_SOCKETS = [
  '/run/libvirt/libvirt-sock', '/run/libvirt/libvirt-sock-ro', '/run/libvirt/virtqemud-sock', '/run/libvirt/virtqemud-sock-ro',
  '/var/run/libvirt/libvirt-sock', '/var/run/libvirt/virtqemud-sock',
];

export interface HostMode {
  uri: string;
  /** Why the window is a KVM host: the setting names a URI, or a libvirt socket exists. */
  reason: 'setting' | 'socket';
  socket?: string;
}

/**
 * Whether this window's machine gets a Host node: when `balloonInspector.libvirt.connect` names a URI (any
 * platform: virsh may reach a remote one), or on Linux when a libvirt socket exists. Otherwise null.
 */
export function localHostMode(connectSetting: string, platform: string, exists: (path: string) => boolean): HostMode | null {
  const uri = connectSetting.trim();
  if (uri) return { uri, reason: 'setting' };
  if (platform !== 'linux') return null;
  const socket = LIBVIRT_SOCKETS.find((path) => exists(path));
  return socket ? { uri: DEFAULT_HOST_URI, reason: 'socket', socket } : null;
}

export interface HostState {
  /** LOCAL_HOST_ID or SSH_HOST_PREFIX + alias. */
  id: string;
  label: string;
  source: 'window' | 'ssh';
  /** The SSH alias of an SSH host. */
  alias?: string;
  uri: string;
  checking: boolean;
  view: HostView | null;
  /** A failure before virsh ran (the extension's own); libvirt's failures are in view.error. */
  failure: string | null;
  checkedAt: number | null;
}

export function sshHostId(alias: string): string {
  return `${SSH_HOST_PREFIX}${alias}`;
}

/**
 * The guest a runbook's steps run on when a row of a Host node is selected: the window's machine for its own host,
 * the SSH guest of the same alias for an SSH host in host mode; other ids are guests already.
 */
export function hostRunTarget(guestId: string): string {
  if (guestId === LOCAL_HOST_ID) return 'this';
  if (guestId.startsWith(SSH_HOST_PREFIX)) return `ssh:${guestId.slice(SSH_HOST_PREFIX.length)}`;
  return guestId;
}

/** Runbook ids for host findings: those whose front matter names one of the ids, in the knowledge base's order. */
export function hostRunbookIds(runbooks: Iterable<{ id: string; findings: readonly string[] }>, findingIds: readonly string[]): string[] {
  const wanted = new Set(findingIds);
  return [...runbooks].filter((doc) => doc.findings.some((id) => wanted.has(id))).map((doc) => doc.id);
}

/** A tree node's host id and domain UUID (domain nodes are `<hostId>/domain/<uuid>`). */
export function hostTarget(nodeId: string): { hostId: string; domain?: string } | null {
  if (!nodeId.startsWith(HOST_ID_PREFIX)) return null;
  const match = /^(.*?)\/domain\/([^/]+)/.exec(nodeId);
  if (match) return { hostId: match[1]!, domain: match[2]! };
  return { hostId: nodeId.split('/')[0]! };
}

function statusIcon(status: ReportStatus): TreeIcon {
  const icon = STATUS_ICONS[status];
  return icon.color ? { id: icon.icon, color: icon.color } : { id: icon.icon };
}

/** "3 of 4 domains running · balloons 5.0 GiB · overcommit 0.88× of 16.0 GiB". */
/** A ratio with two decimals in the language's number format ("0.88", "0,88"). */
export function ratio(value: number, lang: Lang = 'en'): string {
  const text = value.toFixed(2);
  return lang === 'es' ? text.replace('.', ',') : text;
}

export function hostVerdictLine(view: HostView, lang: Lang = 'en'): string {
  if (view.error) return l10n.t('libvirt not read: {0}', view.error.message);
  const { totals, host } = view;
  const parts = [l10n.t('{0} of {1} domains running', totals.activeDomains, totals.domains)];
  if (totals.balloonBytes !== null) parts.push(totals.balloonBytes > 0 ? l10n.t('balloons {0}', formatBytes(totals.balloonBytes, lang)) : l10n.t('no balloon inflated'));
  if (totals.overcommitRatio !== null) parts.push(l10n.t('overcommit {0}× of {1}', ratio(totals.overcommitRatio, lang), formatBytes(host.totalBytes, lang)));
  else if (host.totalBytes !== null) parts.push(l10n.t('RAM {0}', formatBytes(host.totalBytes, lang)));
  return parts.join(' · ');
}

/** "balloon 3.0 GiB (75%) · guest has 1.0 GiB of 4.0 GiB", "balloon empty", "shut off". */
export function domainVerdictLine(domain: DomainView, lang: Lang = 'en'): string {
  if (domain.state === 'shut-off') return l10n.t('shut off');
  const parts: string[] = [];
  if (domain.balloonBytes === null) parts.push(l10n.t('balloon size unknown'));
  else if (domain.balloonBytes === 0) parts.push(l10n.t('balloon empty'));
  else parts.push(l10n.t('balloon {0} ({1})', formatBytes(domain.balloonBytes, lang), domain.configuredBytes ? percent(domain.balloonBytes, domain.configuredBytes, lang) : '?%'));
  const has = domain.stats?.actualBytes ?? domain.currentBytes;
  if (has !== null && domain.configuredBytes !== null && domain.balloonBytes) parts.push(l10n.t('guest has {0} of {1}', formatBytes(has, lang), formatBytes(domain.configuredBytes, lang)));
  if (domain.stats?.usableBytes !== null && domain.stats?.usableBytes !== undefined) parts.push(l10n.t('usable {0}', formatBytes(domain.stats.usableBytes, lang)));
  if (!domain.balloon) parts.push(l10n.t('no balloon device'));
  return parts.join(' · ');
}

/** libvirt's state in the display language. */
export function stateLabel(state: DomainView['state']): string {
  switch (state) {
    case 'running': return l10n.t('running');
    case 'paused': return l10n.t('paused');
    case 'other-active': return l10n.t('active');
    default: return l10n.t('shut off');
  }
}

const yesNo = (value: boolean | null) => (value === null ? l10n.t('not set') : value ? l10n.t('on') : l10n.t('off'));

/** The figures of one domain, as name/value rows (tree and report page). */
export function domainFacts(domain: DomainView, lang: Lang = 'en'): { name: string; value: string }[] {
  const stats = domain.stats;
  const bytes = (value: number | null) => formatBytes(value, lang);
  const rows: [string, string | null][] = [
    [l10n.t('State'), stateLabel(domain.state)],
    [l10n.t('Configured memory'), bytes(domain.configuredBytes)],
    [l10n.t('Balloon target'), bytes(domain.currentBytes)],
    [l10n.t('Balloon size'), bytes(domain.balloonBytes)],
    [l10n.t('Guest has (actual)'), stats ? bytes(stats.actualBytes) : null],
    [l10n.t('Usable'), stats ? bytes(stats.usableBytes) : null],
    [l10n.t('Available'), stats ? bytes(stats.availableBytes) : null],
    [l10n.t('Unused'), stats ? bytes(stats.unusedBytes) : null],
    [l10n.t('Swapped in / out'), stats ? `${bytes(stats.swapInBytes)} / ${bytes(stats.swapOutBytes)}` : null],
    [l10n.t('QEMU RSS'), stats ? bytes(stats.rssBytes) : null],
    [l10n.t('Balloon device'), domain.balloon ? domain.balloon.model : l10n.t('none')],
    [l10n.t('deflate-on-oom'), domain.balloon ? yesNo(domain.balloon.deflateOnOom) : null],
    [l10n.t('Free page reporting'), domain.balloon ? yesNo(domain.balloon.freePageReporting) : null],
    [l10n.t('Statistics period'), domain.balloon ? (domain.balloon.statsPeriodSeconds ? `${domain.balloon.statsPeriodSeconds} s` : l10n.t('off')) : null],
    [l10n.t('Statistics age'), stats && stats.lastUpdateAgeSeconds !== null ? `${stats.lastUpdateAgeSeconds} s` : null],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== null).map(([name, value]) => ({ name, value }));
}

function findingNode(hostId: string, parentId: string, finding: HostFinding, index: number): TreeNode {
  const icon = SEVERITY_ICONS[finding.severity];
  const severity = severityWords()[finding.severity] ?? finding.severity;
  return {
    id: `${parentId}/finding/${index}-${finding.id}`, kind: 'finding', guestId: hostId, findingId: finding.id, label: finding.title,
    description: severity, icon: { id: icon.icon, color: icon.color },
    tooltip: `**${escapeMarkdown(finding.title)}**\n\n${escapeMarkdown(finding.detail)}\n\n*${severity}* · \`${finding.id}\` · ${l10n.t('read: {0}', finding.articles.map((id) => `\`${id}\``).join(', '))}`,
    contextValue: 'hostFinding', collapsible: 'none',
    command: { command: 'balloonInspector.openHostReport', title: l10n.t('Open Host Report'), arguments: [hostId, finding.domain ?? null] },
    children: [],
  };
}

/** One domain: its verdict row, findings and figures. */
export function buildDomainNode(hostId: string, domain: DomainView, lang: Lang = 'en'): TreeNode {
  const id = `${hostId}/domain/${domain.uuid}`;
  const base = { guestId: hostId, children: [] as TreeNode[] };
  const verdict = domainVerdictLine(domain, lang);
  const facts = domainFacts(domain, lang).map((row, index): TreeNode => ({
    ...base, id: `${id}/facts/${index}`, kind: 'fact', label: row.name, description: row.value,
    tooltip: `**${escapeMarkdown(row.name)}**: ${escapeMarkdown(row.value)}`, contextValue: 'fact', collapsible: 'none',
  }));
  const unknown = domain.unknown.length ? `\n\n${l10n.t('Unknown: {0}', escapeMarkdown(domain.unknown.join('; ')))}` : '';
  const children: TreeNode[] = [
    {
      ...base, id: `${id}/verdict`, kind: 'verdict', label: verdict, description: statusWord(domain.status), icon: { id: 'pulse' },
      tooltip: `**${escapeMarkdown(domain.name ?? domain.uuid)}**\n\n${escapeMarkdown(verdict)}${unknown}`, contextValue: 'hostVerdict', collapsible: 'none',
      command: { command: 'balloonInspector.openHostReport', title: l10n.t('Open Host Report'), arguments: [hostId, domain.uuid] },
    },
    ...domain.findings.map((finding, index) => findingNode(hostId, id, finding, index)),
    { ...base, id: `${id}/facts`, kind: 'facts', label: l10n.t('Facts'), icon: { id: 'list-unordered' }, description: `${facts.length}`, contextValue: 'facts', collapsible: 'collapsed', children: facts },
  ];
  return {
    id, kind: 'domain', guestId: hostId, label: domain.name ?? domain.uuid, description: domain.state === 'shut-off' ? verdict : `${statusWord(domain.status).toLowerCase()} · ${verdict}`,
    tooltip: `**${escapeMarkdown(domain.name ?? domain.uuid)}** (\`${domain.uuid}\`)\n\n${escapeMarkdown(verdict)}`,
    icon: domain.state === 'shut-off' ? { id: 'circle-slash' } : statusIcon(domain.status), contextValue: 'domain',
    collapsible: 'collapsed', children,
  };
}

function hostDescription(host: HostState): string {
  if (host.checking) return l10n.t('reading libvirt…');
  if (host.failure) return l10n.t('error: {0}', host.failure);
  if (!host.view) return host.uri;
  if (host.view.error) return l10n.t('error: {0}', host.view.error.kind);
  return `${statusWord(host.view.status).toLowerCase()} · ${l10n.t('{0} domains', host.view.domains.length)} · ${host.uri}`;
}

function hostIcon(host: HostState): TreeIcon {
  if (host.checking) return { id: 'loading~spin' };
  if (host.failure || host.view?.error) return { id: 'debug-disconnect', color: 'problemsErrorIcon.foreground' };
  return host.view ? statusIcon(host.view.status) : { id: 'server' };
}

/** Words for the host's contextValue (menus match `viewItem =~ /^host\b.*\bword\b/`). */
export function hostContextValue(host: HostState): string {
  return ['host', host.source === 'window' ? 'window' : 'ssh', host.view ? 'hasView' : 'noView', host.checking ? 'checking' : 'idle'].join(' ');
}

/** The rows under a Host node that are not domains: verdict, host findings, or the error / hint. */
function hostRows(host: HostState, lang: Lang): TreeNode[] {
  const base = { guestId: host.id, children: [] as TreeNode[] };
  const view = host.view;
  const failure = host.failure ?? (view?.error ? view.error.message : null);
  if (failure) {
    return [{
      ...base, id: `${host.id}/error`, kind: 'error', label: l10n.t('Could not read libvirt: {0}', failure), description: view?.error?.kind ?? 'extension',
      icon: { id: 'error', color: 'problemsErrorIcon.foreground' }, tooltip: escapeMarkdown(failure), contextValue: 'error', collapsible: 'none',
      command: { command: 'balloonInspector.refreshHost', title: l10n.t('Read Again'), arguments: [host.id] },
    }];
  }
  if (!view) {
    if (host.checking) return [];
    return [{
      ...base, id: `${host.id}/hint`, kind: 'hint', label: l10n.t('Not read yet: click to read libvirt'), icon: { id: 'play' }, contextValue: 'hint', collapsible: 'none',
      command: { command: 'balloonInspector.refreshHost', title: l10n.t('Read KVM Host'), arguments: [host.id] },
    }];
  }
  const verdict = hostVerdictLine(view, lang);
  const hostFindings = view.findings.filter((finding) => finding.domain === undefined);
  return [
    {
      ...base, id: `${host.id}/verdict`, kind: 'verdict', label: verdict, description: statusWord(view.status), icon: { id: 'pulse' },
      tooltip: `**${escapeMarkdown(host.label)}** · \`${escapeMarkdown(view.uri)}\`\n\n${escapeMarkdown(verdict)}`, contextValue: 'hostVerdict', collapsible: 'none',
      command: { command: 'balloonInspector.openHostReport', title: l10n.t('Open Host Report'), arguments: [host.id, null] },
    },
    ...hostFindings.map((finding, index) => findingNode(host.id, host.id, finding, index)),
  ];
}

/** A Host node: its verdict and host findings, then one child per domain (running ones first, as libvirt lists them). */
export function buildHostNode(host: HostState, lang: Lang = 'en'): TreeNode {
  const domains = host.view && !host.view.error ? host.view.domains.map((domain) => buildDomainNode(host.id, domain, lang)) : [];
  const where = host.source === 'ssh' ? l10n.t('SSH host {0}, host mode', `\`${(host.alias ?? '').replace(/`/g, '')}\``) : l10n.t('this window\'s machine');
  return {
    id: host.id, kind: 'host', guestId: host.id, label: host.label, description: hostDescription(host),
    tooltip: `**${escapeMarkdown(host.label)}**\n\n${l10n.t('KVM host read through libvirt ({0}): {1}', where, `\`${host.uri.replace(/`/g, '')}\``)}`,
    icon: hostIcon(host), contextValue: hostContextValue(host),
    // Open once read, and while being read: VS Code keeps the state a node was first drawn in, so a node drawn
    // closed during its first read would stay closed on its domains.
    collapsible: host.view || host.checking ? 'expanded' : 'collapsed', children: [...hostRows(host, lang), ...domains],
  };
}

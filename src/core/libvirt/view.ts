/**
 * From what virsh and the host files said (HostRead) to the HostView: parse each answer, join them per
 * domain by UUID, total the host, apply the rules. Pure and total: bad input gives unknowns, not throws.
 */
import type { Lang } from '../../shared/i18n';
import { SEVERITY_RANK } from '../rules';
import type { ReportStatus, Target } from '../report';
import { HOST_VIEW_VERSION, type DomainState, type DomainStats, type DomainView, type HostFinding, type HostMemory, type HostTotals, type HostView, type HostViewError } from './model';
import { figure, parseDomainXml, parseDommemstat, parseDomstats, parseHostMeminfo, parseKsm, parseNodeinfo, parseNodememstats, parseUuidList, type DomstatsBlock } from './parsers';
import { bySeverity, domainFindings, hostFindings } from './rules';
import { isDomstatsByUuid, UUID_PATTERN } from './session';

/** Everything one read brought back; `output` is null for a command whose answer never came. */
export interface HostRead {
  uri: string;
  target: Target;
  checkedAt: Date;
  meminfo: string | null;
  ksm: string | null;
  answers: { command: string; output: string | null }[];
  stderr: string;
  error: HostViewError | null;
}

/** The host's own /proc and /sys describe the libvirt host only for a local driver URI (no host part). */
export function hostFilesApply(uri: string): boolean {
  return /^(qemu|kvm)(\+unix)?:\/\/\/(system|session)(\?.*)?$/.test(uri.trim());
}

const indexes = new WeakMap<HostRead, Map<string, string | null>>();
/** The answer to one command (a map per read: 500 domains ask it thousands of times). */
function answer(read: HostRead, command: string): string | null {
  let map = indexes.get(read);
  if (!map) { map = new Map(read.answers.map((item) => [item.command, item.output])); indexes.set(read, map); }
  return map.get(command) ?? null;
}

function hostMemory(read: HostRead, unknown: string[]): HostMemory {
  const stats = parseNodememstats(answer(read, 'nodememstats') ?? '');
  const info = parseNodeinfo(answer(read, 'nodeinfo') ?? '');
  const meminfo = read.meminfo ? parseHostMeminfo(read.meminfo) : null;
  const ksm = read.ksm ? parseKsm(read.ksm) : null;
  if (meminfo?.totalBytes) return { source: 'meminfo', ...meminfo, ksm };
  const swapNote = 'host swap is unknown: libvirt does not report it and the URI is not a local qemu:/// one, so the host\'s /proc/meminfo was not read';
  if (stats.totalBytes !== null) {
    unknown.push(swapNote);
    const available = stats.freeBytes !== null && stats.buffersBytes !== null && stats.cachedBytes !== null ? stats.freeBytes + stats.buffersBytes + stats.cachedBytes : null;
    return { source: 'nodememstats', totalBytes: stats.totalBytes, freeBytes: stats.freeBytes, availableBytes: available, swapTotalBytes: null, swapFreeBytes: null, ksm };
  }
  if (info.memoryBytes !== null) {
    unknown.push('free host memory is unknown: the driver does not answer nodememstats', swapNote);
    return { source: 'nodeinfo', totalBytes: info.memoryBytes, freeBytes: null, availableBytes: null, swapTotalBytes: null, swapFreeBytes: null, ksm };
  }
  unknown.push('host memory is unknown: neither nodememstats nor nodeinfo answered');
  return { source: null, totalBytes: null, freeBytes: null, availableBytes: null, swapTotalBytes: null, swapFreeBytes: null, ksm };
}

const KIB = 1024;

function statsFromDomstats(block: DomstatsBlock, now: number): DomainStats {
  const get = (key: string, scale = KIB) => figure(block.fields.get(`balloon.${key}`), scale);
  const lastUpdate = get('last-update', 1);
  return {
    source: 'domstats', actualBytes: get('current'), unusedBytes: get('unused'), availableBytes: get('available'), usableBytes: get('usable'),
    diskCachesBytes: get('disk_caches'), swapInBytes: get('swap_in'), swapOutBytes: get('swap_out'), majorFaults: get('major_fault', 1),
    minorFaults: get('minor_fault', 1), rssBytes: get('rss'), lastUpdate, lastUpdateAgeSeconds: lastUpdate ? Math.max(0, Math.round(now - lastUpdate)) : null,
  };
}

function statsFromDommemstat(text: string, now: number): DomainStats | null {
  const map = parseDommemstat(text);
  if (!map.size) return null;
  const get = (key: string, scale = KIB) => figure(map.get(key), scale);
  const lastUpdate = get('last_update', 1);
  return {
    source: 'dommemstat', actualBytes: get('actual'), unusedBytes: get('unused'), availableBytes: get('available'), usableBytes: get('usable'),
    diskCachesBytes: get('disk_caches'), swapInBytes: get('swap_in'), swapOutBytes: get('swap_out'), majorFaults: get('major_fault', 1),
    minorFaults: get('minor_fault', 1), rssBytes: get('rss'), lastUpdate, lastUpdateAgeSeconds: lastUpdate ? Math.max(0, Math.round(now - lastUpdate)) : null,
  };
}

/** The state of each UUID from the four lists of the first round. */
function states(read: HostRead): Map<string, DomainState> {
  const list = (command: string) => parseUuidList(answer(read, command) ?? '');
  const map = new Map<string, DomainState>();
  for (const uuid of list('list --uuid')) map.set(uuid, 'other-active');
  for (const uuid of list('list --state-running --uuid')) if (map.has(uuid)) map.set(uuid, 'running');
  for (const uuid of list('list --state-paused --uuid')) if (map.has(uuid)) map.set(uuid, 'paused');
  for (const uuid of list('list --inactive --uuid')) if (!map.has(uuid)) map.set(uuid, 'shut-off');
  return map;
}

/** Messages virsh printed on stderr, by the domain UUID they name ('' for the host). */
function errorsByDomain(stderr: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(line)?.[0].toLowerCase() ?? '';
    const list = map.get(uuid) ?? [];
    if (list.length < 5 && !list.includes(line)) list.push(line.slice(0, 300));
    map.set(uuid, list);
  }
  return map;
}

const worst = (findings: readonly HostFinding[]): ReportStatus | null => {
  const top = [...findings].sort(bySeverity)[0];
  return top && SEVERITY_RANK[top.severity] > 0 ? (top.severity as ReportStatus) : null;
};

type ParsedXml = ReturnType<typeof parseDomainXml>;
interface DomainInputs { uuid: string; state: DomainState; xml: ParsedXml; stats: DomainStats | null; statsNote: string | null; errors: string[] }

function domainView(input: DomainInputs, lang: Lang): DomainView {
  const unknown = [...input.errors];
  const view: DomainView = { uuid: input.uuid, name: null, state: input.state, configuredBytes: null, maxMemoryBytes: null, currentBytes: null, balloon: null, stats: null, balloonBytes: null, unknown, status: 'ok', findings: [] };
  const parsed = input.xml;
  if (!parsed.ok) {
    unknown.push(parsed.reason);
    view.status = 'unknown';
    return view;
  }
  const xml = parsed.domain;
  if (xml.uuid !== input.uuid) unknown.push(`the XML names UUID ${xml.uuid ?? 'none'}, not ${input.uuid}`);
  Object.assign(view, { name: xml.name, configuredBytes: xml.configuredBytes, maxMemoryBytes: xml.maxMemoryBytes, currentBytes: xml.currentBytes, balloon: xml.balloon });
  if (xml.configuredBytes === null) unknown.push('<memory> is missing or unreadable in the XML');
  if (input.state !== 'shut-off') {
    view.stats = input.stats;
    if (input.statsNote) unknown.push(input.statsNote);
    const has = input.stats?.actualBytes ?? xml.currentBytes;
    view.balloonBytes = xml.configuredBytes !== null && has !== null ? Math.max(0, xml.configuredBytes - has) : null;
  }
  view.findings = domainFindings(view, lang);
  const bad = worst(view.findings);
  view.status = bad ?? (view.balloonBytes === null && input.state !== 'shut-off' ? 'unknown' : 'ok');
  return view;
}

/**
 * Balloon statistics of each active domain: domstats' block of the domain's name (from its XML; libvirt names are
 * unique on a host, and a name repeated in the output is trusted for neither), else dommemstat.
 */
function statsOf(read: HostRead, active: string[], names: Map<string, string | null>, now: number): Map<string, { stats: DomainStats | null; note: string | null }> {
  const domstatsCommand = read.answers.find((item) => isDomstatsByUuid(item.command));
  const byName = new Map<string, DomstatsBlock | null>();
  for (const block of domstatsCommand ? parseDomstats(domstatsCommand.output ?? '') : []) byName.set(block.name, byName.has(block.name) ? null : block);
  const out = new Map<string, { stats: DomainStats | null; note: string | null }>();
  for (const uuid of active) {
    const name = names.get(uuid);
    const block = name === null || name === undefined ? undefined : byName.get(name);
    if (block && block.fields.has('balloon.current')) { out.set(uuid, { stats: statsFromDomstats(block, now), note: null }); continue; }
    if (domstatsCommand) { out.set(uuid, { stats: null, note: 'no balloon statistics: domstats --balloon gave none for this domain' }); continue; }
    const text = answer(read, `dommemstat ${uuid}`);
    const stats = text === null ? null : statsFromDommemstat(text, now);
    out.set(uuid, { stats, note: stats ? null : 'no balloon statistics: dommemstat gave none' });
  }
  return out;
}

function totals(domains: readonly DomainView[], host: HostMemory): HostTotals {
  const active = domains.filter((domain) => domain.state !== 'shut-off');
  const sum = (pick: (domain: DomainView) => number | null) => {
    const values = active.map(pick);
    return values.some((value) => value === null) ? null : values.reduce<number>((a, b) => a + (b as number), 0);
  };
  const configured = sum((domain) => domain.configuredBytes);
  const knownBalloons = active.filter((domain) => domain.balloonBytes !== null);
  return {
    domains: domains.length, activeDomains: active.length, configuredBytes: configured, currentBytes: sum((domain) => domain.currentBytes),
    balloonBytes: knownBalloons.length ? knownBalloons.reduce((a, domain) => a + domain.balloonBytes!, 0) : null,
    overcommitRatio: configured !== null && host.totalBytes ? round(configured / host.totalBytes) : null,
    overcommitWithSwapRatio: configured !== null && host.totalBytes && host.swapTotalBytes !== null ? round(configured / (host.totalBytes + host.swapTotalBytes)) : null,
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

const STATE_RANK: Record<ReportStatus, number> = { critical: 3, warning: 2, unknown: 1, ok: 0 };

/** The host view of one read; findings worded in `lang` (English for JSON, the contract's words). */
export function buildHostView(read: HostRead, lang: Lang = 'en'): HostView {
  const unknown: string[] = [];
  const base = { version: HOST_VIEW_VERSION, target: read.target, uri: read.uri, checkedAt: read.checkedAt.toISOString() } as const;
  const resolved = (answer(read, 'uri') ?? '').trim().split('\n')[0] || null;
  if (read.error) {
    return { ...base, resolvedUri: resolved, status: 'unknown', error: read.error, host: hostMemory({ ...read, answers: [] }, []), totals: totals([], emptyHost), domains: [], findings: [], unknown };
  }
  const host = hostMemory(read, unknown);
  const stateOf = states(read);
  const errors = errorsByDomain(read.stderr);
  const now = read.checkedAt.getTime() / 1000;
  const active = [...stateOf].filter(([, state]) => state !== 'shut-off').map(([uuid]) => uuid);
  const xmls = new Map([...stateOf.keys()].map((uuid): [string, ParsedXml] => {
    const text = answer(read, `dumpxml ${uuid}`);
    return [uuid, text === null ? { ok: false, reason: 'dumpxml gave no answer' } : parseDomainXml(text)];
  }));
  const xmlOf = (uuid: string) => xmls.get(uuid)!;
  const names = new Map([...xmls].map(([uuid, parsed]) => [uuid, parsed.ok ? parsed.domain.name : null]));
  const stats = statsOf(read, active, names, now);
  const domains = [...stateOf].filter(([uuid]) => UUID_PATTERN.test(uuid)).map(([uuid, state]) => domainView({
    uuid, state, xml: xmlOf(uuid), stats: stats.get(uuid)?.stats ?? null, statsNote: stats.get(uuid)?.note ?? null, errors: errors.get(uuid) ?? [],
  }, lang));
  domains.sort((a, b) => STATE_RANK[b.status] - STATE_RANK[a.status] || (a.name ?? '').localeCompare(b.name ?? '') || a.uuid.localeCompare(b.uuid));
  for (const line of errors.get('') ?? []) unknown.push(`virsh: ${line}`);
  const sums = totals(domains, host);
  const findings = [...hostFindings(host, sums, lang), ...domains.flatMap((domain) => domain.findings)].sort(bySeverity);
  const top = worst(findings);
  const status: ReportStatus = top ?? (domains.some((domain) => domain.status === 'unknown') || host.totalBytes === null ? 'unknown' : 'ok');
  return { ...base, resolvedUri: resolved, status, error: null, host, totals: sums, domains, findings, unknown };
}

const emptyHost: HostMemory = { source: null, totalBytes: null, freeBytes: null, availableBytes: null, swapTotalBytes: null, swapFreeBytes: null, ksm: null };

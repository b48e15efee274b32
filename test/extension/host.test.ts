import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { HOST_FINDING_IDS, type DomainView, type HostFinding, type HostView } from '../../src/core/libvirt/model';
import {
  buildDomainNode, buildHostNode, domainFacts, domainVerdictLine, hostContextValue, hostRunbookIds, hostRunTarget, hostTarget, hostVerdictLine,
  LIBVIRT_SOCKETS, LOCAL_HOST_ID, localHostMode, sshHostId, type HostState,
} from '../../src/extension/model/host';
import { hostReportBody, hostReportHtml } from '../../src/extension/model/hostReport';
import { setTranslator } from '../../src/extension/model/l10n';
import { toPlainTree } from '../../src/extension/model/plain';
import { getKnowledgeBase } from '../../src/knowledge';
import { readHostView } from '../../src/transport/libvirt';
import { requireCommand, ROOT } from '../helpers/system';

const GiB = 1024 ** 3;

function finding(id: HostFinding['id'], severity: HostFinding['severity'], domain?: DomainView): HostFinding {
  return { id, severity, title: `title of ${id}`, detail: `detail of ${id}`, articles: [id], ...(domain ? { domain: domain.uuid, domainName: domain.name ?? undefined } : {}) };
}

function domain(name: string, overrides: Partial<DomainView> = {}): DomainView {
  const configured = overrides.configuredBytes ?? 4 * GiB;
  const actual = overrides.currentBytes ?? configured;
  return {
    uuid: `uuid-${name}`, name, state: 'running', configuredBytes: configured, maxMemoryBytes: null, currentBytes: actual,
    balloon: { model: 'virtio', deflateOnOom: false, freePageReporting: null, statsPeriodSeconds: 2 },
    stats: {
      source: 'domstats', actualBytes: actual, unusedBytes: GiB / 2, availableBytes: actual, usableBytes: GiB / 4, diskCachesBytes: 0, swapInBytes: 0, swapOutBytes: 0,
      majorFaults: 0, minorFaults: 0, rssBytes: GiB, lastUpdate: 1_700_000_000, lastUpdateAgeSeconds: 3,
    },
    balloonBytes: configured - actual, unknown: [], status: 'ok', findings: [], ...overrides,
  };
}

function view(domains: DomainView[], overrides: Partial<HostView> = {}): HostView {
  const findings = domains.flatMap((d) => d.findings);
  return {
    version: 1, target: { kind: 'local', name: 'hv01' }, uri: 'qemu:///system', resolvedUri: 'qemu:///system', checkedAt: '2026-11-29T23:00:00.000Z',
    status: domains.some((d) => d.status === 'critical') ? 'critical' : 'ok', error: null,
    host: { source: 'nodememstats', totalBytes: 16 * GiB, freeBytes: 4 * GiB, availableBytes: 6 * GiB, swapTotalBytes: 0, swapFreeBytes: 0, ksm: null },
    totals: {
      domains: domains.length, activeDomains: domains.filter((d) => d.state !== 'shut-off').length, configuredBytes: 14 * GiB, currentBytes: 11 * GiB,
      balloonBytes: 3 * GiB, overcommitRatio: 0.875, overcommitWithSwapRatio: 0.875,
    },
    domains, findings, unknown: [], ...overrides,
  };
}

const ballooned = (() => {
  const d = domain('web01', { currentBytes: GiB, status: 'critical' });
  return { ...d, findings: [finding('domain-ballooned', 'critical', d), finding('domain-no-deflate-on-oom', 'warning', d)] };
})();
const plain = domain('db01');
const off = domain('spare01', { state: 'shut-off', stats: null, balloonBytes: null });

const host = (overrides: Partial<HostState> = {}): HostState => ({
  id: LOCAL_HOST_ID, label: 'Host', source: 'window', uri: 'qemu:///system', checking: false, view: null, failure: null, checkedAt: null, ...overrides,
});

test('a window is a KVM host when the setting names a URI, or on Linux when a libvirt socket exists', () => {
  const none = () => false;
  assert.deepEqual(localHostMode(' test:///default ', 'darwin', none), { uri: 'test:///default', reason: 'setting' });
  assert.equal(localHostMode('', 'linux', none), null);
  assert.equal(localHostMode('', 'darwin', () => true), null, 'sockets count on Linux only');
  assert.deepEqual(localHostMode('', 'linux', (path) => path === '/run/libvirt/virtqemud-sock'), { uri: 'qemu:///system', reason: 'socket', socket: '/run/libvirt/virtqemud-sock' });
  assert.ok(LIBVIRT_SOCKETS.includes('/run/libvirt/libvirt-sock'));
});

test('tree ids name the host and the domain', () => {
  assert.deepEqual(hostTarget('host:this'), { hostId: 'host:this' });
  assert.deepEqual(hostTarget('host:this/verdict'), { hostId: 'host:this' });
  assert.deepEqual(hostTarget('host:ssh:hv01/domain/uuid-web01/facts/3'), { hostId: 'host:ssh:hv01', domain: 'uuid-web01' });
  assert.equal(hostTarget('ssh:hv01'), null, 'a guest is not a host');
  assert.equal(sshHostId('hv01'), 'host:ssh:hv01');
});

test('runbook steps from a Host node run on that host\'s machine; its findings find their runbooks', () => {
  assert.equal(hostRunTarget(LOCAL_HOST_ID), 'this');
  assert.equal(hostRunTarget(sshHostId('hv01')), 'ssh:hv01');
  assert.equal(hostRunTarget('ssh:db01'), 'ssh:db01');
  const runbooks = [{ id: 'vmware-balloon', findings: ['balloon-inflated'] }, { id: 'kvm-host-balloons', findings: ['domain-ballooned', 'host-overcommitted'] }];
  assert.deepEqual(hostRunbookIds(runbooks, ['domain-ballooned']), ['kvm-host-balloons']);
  assert.deepEqual(hostRunbookIds(runbooks, ['kvm-host-swapping']), []);
});

test('the shipped knowledge base has a runbook for every host finding', () => {
  const kb = getKnowledgeBase(join(ROOT, 'knowledge'));
  for (const id of HOST_FINDING_IDS) assert.ok(hostRunbookIds(kb.runbooks.values(), [id]).length > 0, `no runbook names ${id}`);
});

test('a Host node: its verdict row, then one child per domain with its verdict, findings and facts', () => {
  const node = buildHostNode(host({ view: view([ballooned, plain, off]) }));
  assert.equal(node.kind, 'host');
  assert.equal(node.label, 'Host');
  assert.equal(node.collapsible, 'expanded');
  assert.match(node.contextValue, /^host\b.*\bwindow\b.*\bhasView\b.*\bidle\b/);
  const [verdict, ...domains] = node.children;
  assert.equal(verdict!.kind, 'verdict');
  assert.equal(verdict!.label, '2 of 3 domains running · balloons 3.0 GiB · overcommit 0.88× of 16.0 GiB');
  assert.deepEqual(verdict!.command?.arguments, [LOCAL_HOST_ID, null]);
  assert.deepEqual(domains.map((d) => [d.kind, d.label]), [['domain', 'web01'], ['domain', 'db01'], ['domain', 'spare01']]);
  const web = domains[0]!;
  assert.equal(web.icon?.id, 'error');
  assert.deepEqual(web.children.map((row) => row.kind), ['verdict', 'finding', 'finding', 'facts']);
  assert.equal(web.children[0]!.label, 'balloon 3.0 GiB (75%) · guest has 1.0 GiB of 4.0 GiB · usable 256 MiB');
  assert.deepEqual(web.children[1]!.command?.arguments, [LOCAL_HOST_ID, 'uuid-web01']);
  assert.equal(web.children[1]!.contextValue, 'hostFinding', 'not the guest findings\' menus');
  assert.equal(domains[2]!.children[0]!.label, 'shut off');
  assert.equal(domains[2]!.icon?.id, 'circle-slash');
  assert.equal(domains[2]!.description, 'shut off', 'no verdict status for a domain that is not running');
  assert.equal(web.description, 'critical · balloon 3.0 GiB (75%) · guest has 1.0 GiB of 4.0 GiB · usable 256 MiB');
  // Ids are unique across the tree (VS Code needs it) and every row names its host.
  const ids = new Set<string>();
  const walk = (items: ReturnType<typeof toPlainTree>) => items.forEach((item) => { assert.ok(!ids.has(item.id), item.id); ids.add(item.id); assert.equal(item.guestId, LOCAL_HOST_ID); walk(item.children); });
  walk(toPlainTree([node]));
});

test('host findings sit under the host, domain findings under their domain', () => {
  const overcommitted = view([ballooned], { findings: [...ballooned.findings, finding('host-overcommitted', 'warning')] });
  const node = buildHostNode(host({ view: overcommitted }));
  assert.deepEqual(node.children.map((row) => row.kind), ['verdict', 'finding', 'domain']);
  assert.equal(node.children[1]!.findingId, 'host-overcommitted');
});

test('not read, reading, and libvirt that could not be read', () => {
  const fresh = buildHostNode(host());
  assert.equal(fresh.children[0]!.kind, 'hint');
  assert.equal(fresh.children[0]!.command?.command, 'balloonInspector.refreshHost');
  assert.equal(fresh.collapsible, 'collapsed');
  const reading = buildHostNode(host({ checking: true }));
  assert.equal(reading.collapsible, 'expanded', 'drawn open while read: VS Code keeps a node\'s first state');
  assert.equal(reading.icon?.id, 'loading~spin');
  assert.equal(reading.children.length, 0);
  assert.match(hostContextValue(host({ checking: true })), /\bchecking\b/);
  const failed = buildHostNode(host({ view: view([], { status: 'unknown', error: { kind: 'connect', message: 'failed to connect to the hypervisor' } }) }));
  assert.equal(failed.children.length, 1);
  assert.equal(failed.children[0]!.kind, 'error');
  assert.match(failed.children[0]!.label, /failed to connect to the hypervisor/);
  assert.equal(failed.description, 'error: connect');
  const ssh = buildHostNode(host({ id: sshHostId('hv01'), label: 'Host hv01', source: 'ssh', alias: 'hv01', failure: 'ssh2 missing' }));
  assert.match(ssh.contextValue, /^host\b.*\bssh\b/);
  assert.match(ssh.children[0]!.label, /ssh2 missing/);
});

test('verdict lines and facts say what is unknown instead of inventing it', () => {
  assert.equal(domainVerdictLine(domain('x', { balloonBytes: null, stats: null })), 'balloon size unknown');
  assert.equal(domainVerdictLine(plain), 'balloon empty · usable 256 MiB');
  assert.equal(domainVerdictLine(domain('y', { balloon: null, stats: null })), 'balloon empty · no balloon device');
  const facts = Object.fromEntries(domainFacts(ballooned).map((row) => [row.name, row.value]));
  assert.equal(facts['Balloon size'], '3.0 GiB');
  assert.equal(facts['deflate-on-oom'], 'off');
  assert.equal(facts['Statistics period'], '2 s');
  assert.equal(Object.fromEntries(domainFacts(off).map((row) => [row.name, row.value]))['Guest has (actual)'], undefined, 'no statistics: no row');
  assert.equal(hostVerdictLine(view([plain], { totals: { ...view([]).totals, domains: 1, activeDomains: 1, balloonBytes: 0, overcommitRatio: null } })), '1 of 1 domains running · no balloon inflated · RAM 16.0 GiB');
});

test('in Spanish, figures take the Spanish number format', () => {
  const node = buildHostNode(host({ view: view([ballooned]) }), 'es');
  assert.match(node.children[0]!.label, /balloons 3,0 GiB · overcommit 0,88× of 16,0 GiB$/);
  assert.match(buildDomainNode(LOCAL_HOST_ID, ballooned, 'es').children[0]!.label, /^balloon 3,0 GiB \(75 ?%\)/);
  assert.match(hostReportBody(view([ballooned]), 'Host', null, 'es'), /0,88× \/ 0,88×/);
  assert.equal(Object.fromEntries(domainFacts(off).map((row) => [row.name, row.value])).State, 'shut off');
});

test('the tree\'s words go through the translator', () => {
  setTranslator((message, ...args) => `«${message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]))}»`);
  try {
    assert.equal(buildDomainNode(LOCAL_HOST_ID, off).children[0]!.label, '«shut off»');
  } finally {
    setTranslator(undefined);
  }
});

test('the report page escapes what libvirt says and runs no script', () => {
  const hostile = domain('<img src=x onerror=alert(1)> $(rm -rf /)', { unknown: ['<b>bold</b>'] });
  const html = hostReportHtml(view([hostile, ballooned]), { cspSource: 'vscode-resource:', nonce: 'abc', label: 'Host "hv"', focus: 'uuid-web01' });
  assert.ok(!html.includes('<img src=x'), 'domain name escaped');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; $(rm -rf /)'));
  assert.ok(!html.includes('<b>bold</b>'));
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'nonce-abc'/);
  assert.ok(!/<script/i.test(html), 'a static page');
  const body = hostReportBody(view([hostile, ballooned]), 'Host', 'uuid-web01');
  assert.ok(body.indexOf('id="d-uuid-web01" class="focus"') < body.indexOf('Physical memory'), 'the domain it opens at comes first');
  assert.match(hostReportHtml(null, { cspSource: 'x', nonce: 'n', label: 'Host', focus: null }), /Not read yet/);
});

test('with libvirt\'s test driver: the node fixture read by readHostView becomes a Host node with every domain', async (t) => {
  if (!requireCommand(t, 'virsh', 'libvirt-clients')) return;
  const node = join(ROOT, 'test', 'fixtures', 'libvirt-host', 'node.xml');
  assert.ok(existsSync(node));
  const read = await readHostView({ connect: `test://${node}` });
  assert.equal(read.error, null, JSON.stringify(read.error));
  const tree = buildHostNode(host({ uri: read.uri, view: read }));
  const labels = tree.children.filter((child) => child.kind === 'domain').map((child) => child.label).sort();
  assert.deepEqual(labels, ['batch01', 'db01', 'spare01', 'web01']);
  const web = tree.children.find((child) => child.label === 'web01')!;
  assert.match(web.children[0]!.label, /^balloon 3\.0 GiB \(75%\)/);
  assert.ok(web.children.some((row) => row.findingId === 'domain-ballooned'));
  assert.equal(tree.children.find((child) => child.label === 'spare01')!.children[0]!.label, 'shut off');
});

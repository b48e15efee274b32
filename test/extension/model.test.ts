import assert from 'node:assert/strict';
import test from 'node:test';
import { analyzeProbeOutput, type Report } from '../../src/core/report';
import { buildGuestNode, buildTree, guestContextValue, isPlausibleSshDestination, mergeSshHosts, type GuestState } from '../../src/extension/model/tree';
import { toPlainTree } from '../../src/extension/model/plain';
import { escapeMarkdown } from '../../src/shared/escape';
import { figureRows } from '../../src/shared/presentation';
import { balloonPhrase, findingCounts, statusBarLabel, statusBarText, verdictLine } from '../../src/shared/verdict';
import { describeWindow } from '../../src/extension/model/window';
import { probeOutput, SEED_SECTIONS, type SectionSpec } from '../helpers/samples';

function report(sections: SectionSpec[] = SEED_SECTIONS): Report {
  const analysis = analyzeProbeOutput(probeOutput(sections), { kind: 'local', name: 'db-prod-07' }, new Date('2025-01-02T03:04:05Z'));
  assert.ok(analysis.ok);
  return analysis.report;
}

/** The seed guest with some sections replaced. */
function seedWith(replacements: Record<string, Partial<{ status: SectionSpec[1]; detail: string; text: string }>>): SectionSpec[] {
  return SEED_SECTIONS.map(([id, status, detail, text]) => {
    const change = replacements[id];
    return change ? [id, change.status ?? status, change.detail ?? detail, change.text ?? text] : [id, status, detail, text];
  });
}

const guest = (overrides: Partial<GuestState> = {}): GuestState => ({
  id: 'this', label: 'This machine', description: 'db-prod-07', source: 'window', checking: false, report: null, error: null, checkedAt: null, ...overrides,
});

test('the seed guest reads as the contract says: hypervisor, balloon share of configured, limit', () => {
  const seed = report();
  assert.equal(verdictLine(seed), 'VMware · balloon 20.0 GiB (63%) · limit 12.0 GiB');
  assert.equal(statusBarText(seed), '$(pulse) Balloon 20.0 GiB $(error)');
  assert.equal(statusBarLabel(seed), `Balloon Inspector: balloon 20.0 GiB (63%), critical: ${seed.findings[0].title}`);
  assert.equal(findingCounts(seed.findings), '2 critical, 1 warning, 1 info');
});

test('verdict without a balloon driver, with an empty balloon, and without tools says so instead of inventing a size', () => {
  const noDriver = report(seedWith({ modules: { text: '' }, 'sys-module': { text: '' }, 'debugfs-vmmemctl': { status: 'absent', text: '' }, 'toolbox-balloon': { text: '0 MB\n' } }));
  assert.equal(balloonPhrase(noDriver), 'no balloon driver');
  assert.match(statusBarText(noDriver), /^\$\(pulse\) Balloon none /);

  const noTools = report(seedWith({ 'toolbox-memlimit': { status: 'absent', detail: 'not installed', text: '' } }));
  assert.equal(verdictLine(noTools), 'VMware · balloon 20.0 GiB (63%)', 'an unknown limit is left out, not shown as "no limit"');

  const unlimited = report(seedWith({ 'toolbox-memlimit': { text: '4294967295 MB\n' } }));
  assert.match(verdictLine(unlimited), /· no limit$/);
});

test('window kinds: local, Remote-SSH, and any other remote (code-server authority included)', () => {
  assert.deepEqual(describeWindow(undefined, 'db-prod-07'), { kind: 'local', label: 'This machine', description: 'db-prod-07', listsSshConfigHosts: true });
  const ssh = describeWindow('ssh-remote', 'db-prod-07');
  assert.equal(ssh.label, 'db-prod-07 via Remote-SSH');
  assert.equal(ssh.listsSshConfigHosts, false, 'a Remote-SSH window runs on the guest: the guest user\'s ssh config is not the admin\'s fleet');
  const codeServer = describeWindow('127.0.0.1:18111', 'ci-runner');
  assert.equal(codeServer.label, 'ci-runner (remote)');
  assert.equal(codeServer.description, '127.0.0.1:18111');
  assert.equal(describeWindow('wsl', '').label, 'unknown host (remote)');
});

test('a checked guest: verdict first, findings worst first with severity icons, then Facts and Probes', () => {
  const seed = report();
  const node = buildGuestNode(guest({ report: seed }));
  assert.equal(node.collapsible, 'expanded', 'the window guest opens once checked');
  const kinds = node.children.map((child) => child.kind);
  assert.deepEqual(kinds, ['verdict', ...seed.findings.map(() => 'finding'), 'facts', 'probes']);
  assert.equal(node.children[0].label, verdictLine(seed));
  const findings = node.children.filter((child) => child.kind === 'finding');
  assert.deepEqual(findings.map((child) => child.findingId), seed.findings.map((finding) => finding.id));
  assert.deepEqual(findings.map((child) => child.icon?.id), ['error', 'error', 'warning', 'info']);
  assert.equal(findings[0].command?.command, 'balloonInspector.openReport');
  assert.deepEqual(findings[0].command?.arguments, ['this', seed.findings[0].id]);
  const probes = node.children.find((child) => child.kind === 'probes')!;
  assert.equal(probes.children.length, seed.probes.length);
  assert.ok(probes.children.some((child) => child.label === 'sys-hypervisor' && child.icon?.id === 'circle-slash' && /absent/.test(child.description ?? '')));
  const facts = node.children.find((child) => child.kind === 'facts')!;
  assert.ok(facts.children.some((child) => child.label === 'Memory limit' && child.description === '12.0 GiB'));
  assert.match(node.tooltip ?? '', /\| Memory limit \| 12\.0 GiB \|/);
  assert.match(node.tooltip ?? '', /Checked \d\d:\d\d:\d\d|Checked .*2025/, 'the check time in the user\'s clock, not ISO');
  assert.doesNotMatch(node.tooltip ?? '', /2025-01-02T03/);
  assert.match(node.contextValue, /\bhasReport\b/);
});

test('every node id in the tree is unique, so VS Code keeps expansion across refreshes', () => {
  const seed = report();
  const nodes = buildTree([guest({ report: seed }), guest({ id: 'ssh:db01', label: 'db01', source: 'ssh-config', report: seed }), guest({ id: 'ssh:db02', label: 'db02', source: 'added' })]);
  const ids: string[] = [];
  const walk = (list: typeof nodes) => list.forEach((node) => { ids.push(node.id); walk(node.children); });
  walk(nodes);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(nodes[1].collapsible, 'collapsed', 'SSH guests stay closed');
});

test('an unchecked guest offers a check, a failed one shows the reason, a checking one spins', () => {
  const fresh = buildGuestNode(guest());
  assert.equal(fresh.children.length, 1);
  assert.equal(fresh.children[0].command?.command, 'balloonInspector.checkBallooning');
  assert.equal(fresh.description, 'db-prod-07');

  const failed = buildGuestNode(guest({ id: 'ssh:db01', source: 'ssh-config', error: { kind: 'host-key-unknown', message: 'db01: host key is not known' } }));
  assert.equal(failed.children[0].kind, 'error');
  assert.match(failed.children[0].label, /host key is not known/);
  assert.equal(failed.description, 'error: host-key-unknown');

  const checking = buildGuestNode(guest({ checking: true }));
  assert.equal(checking.icon?.id, 'loading~spin');
  assert.equal(checking.children.length, 0);
  assert.match(checking.contextValue, /\bchecking\b/);
});

test('this window\'s guest is open while its first check runs, so the view asks for the rows the check will bring', () => {
  assert.equal(buildGuestNode(guest()).collapsible, 'collapsed', 'never checked: closed on its hint');
  assert.equal(buildGuestNode(guest({ checking: true })).collapsible, 'expanded');
  assert.equal(buildGuestNode(guest({ id: 'sos:/tmp/a', source: 'sosreport', checking: true })).collapsible, 'expanded');
  assert.equal(buildGuestNode(guest({ id: 'ssh:db01', source: 'ssh-config', checking: true })).collapsible, 'collapsed', 'SSH guests stay closed');
});

test('context values carry the words the menus match', () => {
  assert.equal(guestContextValue(guest()), 'guest window idle');
  assert.equal(guestContextValue(guest({ id: 'ssh:x', source: 'added', report: report() })), 'guest ssh removable hasReport idle');
  assert.equal(guestContextValue(guest({ id: 'ssh:x', source: 'ssh-config' })), 'guest ssh idle');
});

test('SSH hosts: config first, added after, each once; nothing that could become an option or a pattern', () => {
  const merged = mergeSshHosts(['db01', 'web*', 'db02', ' db01 '], ['db02', 'admin@10.0.0.5:2222', '-oProxyCommand=x', 'two words', '']);
  assert.deepEqual(merged, [
    { alias: 'db01', source: 'ssh-config' },
    { alias: 'db02', source: 'ssh-config' },
    { alias: 'admin@10.0.0.5:2222', source: 'added' },
  ]);
  assert.equal(isPlausibleSshDestination('[fe80::1]:22'), true);
  assert.equal(isPlausibleSshDestination('host;rm -rf /'), false);
});

test('tooltips escape Markdown from the guest (a hostile host name cannot inject links or HTML)', () => {
  const hostile = guest({ label: '[click](command:workbench.action.terminal.new) <img src=x>' });
  const node = buildGuestNode(hostile);
  assert.ok(!node.tooltip?.includes('[click]('), node.tooltip);
  assert.doesNotMatch(node.tooltip ?? '', /(^|[^\\])</, 'every < is escaped');
  assert.equal(escapeMarkdown('a*b_c'), 'a\\*b\\_c');
});

test('facts include the trend only in watch mode, and the plain tree keeps the icons for the test API', () => {
  const seed = report();
  assert.ok(!figureRows(seed).some((row) => row.name === 'Trend'));
  const plain = toPlainTree(buildTree([guest({ report: seed })]));
  assert.equal(plain[0].label, 'This machine');
  assert.equal(plain[0].children[0].label, verdictLine(seed));
  assert.equal(plain[0].children[1].iconId, 'error');
  assert.equal(plain[0].children[1].iconColor, 'problemsErrorIcon.foreground');
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { HOST_FINDING_IDS } from '../../src/core/libvirt/model';
import { figure, parseDomainXml, parseDommemstat, parseDomstats, parseHostMeminfo, parseKsm, parseNodeinfo, parseNodememstats, parseUuidList } from '../../src/core/libvirt/parsers';
import { commandLines, phaseTwo, splitAnswers, UUID_PATTERN } from '../../src/core/libvirt/session';
import { renderHostMarkdown } from '../../src/core/render/host-markdown';
import { renderHostPrometheus } from '../../src/core/render/host-prometheus';
import { renderHostText } from '../../src/core/render/host-text';
import { buildHostView, hostFilesApply, type HostRead } from '../../src/core/libvirt/view';
import { FINDING_IDS } from '../../src/core/rules';
import { GiB, KiB, MiB } from '../../src/core/units';
import { ROOT } from '../helpers/system';
import { hostViewSchemaErrors } from './schema';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'libvirt');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const WEB = '6b1f0a8e-3c2d-4e5f-9a1b-2c3d4e5f6a7b';
const BATCH = '7c2e1b9f-4d3e-4f60-8b2c-3d4e5f6a7b8c';
const NO_BALLOON = '8d3f2c0a-5e4f-4071-9c3d-4e5f6a7b8c9d';

test('host finding ids are their own: none is a guest finding id', () => {
  for (const id of HOST_FINDING_IDS) assert.ok(!(FINDING_IDS as string[]).includes(id), id);
});

test('domain XML of the QEMU driver: memory, currentMemory, maxMemory in their units, the balloon device', () => {
  const web = parseDomainXml(fixture('qemu-ballooned.xml'));
  assert.ok(web.ok);
  assert.deepEqual(web.domain, {
    uuid: WEB, name: 'web-01', configuredBytes: 8 * GiB, maxMemoryBytes: 32 * GiB, currentBytes: 2 * GiB,
    balloon: { model: 'virtio', deflateOnOom: true, freePageReporting: true, statsPeriodSeconds: 5 },
  });
  const batch = parseDomainXml(fixture('qemu-stats-off.xml'));
  assert.ok(batch.ok);
  assert.equal(batch.domain.name, "batch & 'reports' <2>", 'the five XML entities are decoded in the name');
  assert.equal(batch.domain.configuredBytes, 4 * GiB);
  assert.equal(batch.domain.currentBytes, 1024 * MiB);
  assert.deepEqual(batch.domain.balloon, { model: 'virtio', deflateOnOom: false, freePageReporting: false, statsPeriodSeconds: 0 });
  const none = parseDomainXml(fixture('qemu-no-balloon.xml'));
  assert.ok(none.ok);
  assert.equal(none.domain.balloon, null, "model='none' is no balloon");
});

test('XML that is not libvirt\'s is a reason, never a crash and never an entity expansion', () => {
  const other = parseDomainXml(fixture('not-libvirt.xml'));
  assert.ok(!other.ok);
  assert.match(other.reason, /without a <domain> root/);
  const bomb = parseDomainXml(fixture('entities.xml'));
  assert.ok(!bomb.ok);
  assert.match(bomb.reason, /DOCTYPE or ENTITY/);
  for (const bad of ['', '<domain><name>x</domain>', 'not xml at all', '<domain>'.repeat(1000), '\u0000\u0001<domain/>']) {
    const parsed = parseDomainXml(bad);
    if (parsed.ok) assert.equal(parsed.domain.configuredBytes, null, JSON.stringify(bad.slice(0, 40)));
    else assert.ok(parsed.reason.length > 0);
  }
  const units = parseDomainXml("<domain><memory unit='furlongs'>4</memory><currentMemory unit='b'>99999999999999999999</currentMemory></domain>");
  assert.ok(units.ok);
  assert.equal(units.domain.configuredBytes, null, 'an unknown unit is unknown');
  assert.equal(units.domain.currentBytes, null, 'a figure past 2^53 is unknown');
});

test('figures: plain integers only, huge ones unknown', () => {
  assert.equal(figure('1024', KiB), MiB);
  assert.equal(figure(' 7 '), 7);
  for (const bad of ['-1', '1e9', '0x10', '', '12 kB', '99999999999999999999999', '18446744073709551615']) assert.equal(figure(bad, KiB), null, bad);
  assert.equal(figure('9007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.equal(figure('9007199254740991', 2), null);
});

test('virsh answers: lists, nodeinfo, nodememstats, dommemstat, domstats; host meminfo and KSM', () => {
  assert.deepEqual(parseUuidList(`${WEB}\n\nnot-a-uuid\n$(reboot)\n${BATCH.toUpperCase()}\n${WEB}\n`), [WEB, BATCH]);
  assert.equal(parseNodeinfo('CPU model:           x86_64\nMemory size:         16314712 KiB\n').memoryBytes, 16314712 * KiB);
  assert.deepEqual(parseNodememstats(fixture('nodememstats.txt')), { totalBytes: 16314712 * KiB, freeBytes: 1204224 * KiB, buffersBytes: 204800 * KiB, cachedBytes: 3145728 * KiB });
  assert.equal(parseDommemstat(fixture('dommemstat-qemu.txt')).get('last_update'), '1795993500');
  const blocks = parseDomstats(fixture('domstats-qemu.txt'));
  assert.deepEqual(blocks.map((block) => block.name), ['web-01', "batch & 'reports' <2>"]);
  assert.equal(blocks[0].fields.get('balloon.last-update'), '1795993500');
  const meminfo = parseHostMeminfo(fixture('host-meminfo.txt'));
  assert.equal(meminfo.swapTotalBytes! - meminfo.swapFreeBytes!, (4194300 - 1048576) * KiB);
  assert.deepEqual(parseKsm('run 1\npages_sharing 262144\npages_shared 1024\npagesize 4096\n'), { run: 1, sharingBytes: GiB, sharedBytes: 4 * MiB });
  assert.equal(parseKsm(''), null);
});

test('answers are cut at the run\'s markers; a forged marker without the nonce, prompts and the echoed line are no part of them', () => {
  const nonce = 'a1b2c3';
  const commands = ['uri', 'dumpxml x', 'nodeinfo'];
  const echoed = commandLines(nonce, commands, 5).join('\n');
  const output = `virsh # ${echoed}\nBI${nonce}=5+qemu:///system\nBI${nonce}=5=<name>BIother=7= virsh # </name>\nBI${nonce}=6=Memory size: 1 KiB\n`;
  assert.deepEqual(splitAnswers(output, nonce, commands, 5), ['qemu:///system\n', '<name>BIother=7= virsh # </name>\n', null]);
  assert.deepEqual(phaseTwo([WEB, '$(reboot)', 'x; destroy y'], [WEB, BATCH, '../etc'], false), [`dommemstat ${WEB}`, `dumpxml ${WEB}`, `dumpxml ${BATCH}`]);
  assert.deepEqual(phaseTwo([WEB, BATCH], [WEB, BATCH], true), [`domstats --balloon ${WEB} ${BATCH}`, `dumpxml ${WEB}`, `dumpxml ${BATCH}`]);
  assert.ok(UUID_PATTERN.test(WEB) && !UUID_PATTERN.test(`${WEB};`));
});

test('only a local qemu URI reads the host\'s own /proc and /sys', () => {
  for (const uri of ['qemu:///system', 'qemu:///session', 'qemu+unix:///system']) assert.ok(hostFilesApply(uri), uri);
  for (const uri of ['qemu+ssh://root@kvm1/system', 'test:///default', 'qemu://kvm1/system', 'xen:///system']) assert.ok(!hostFilesApply(uri), uri);
});

/** A read of a QEMU host as virsh answers it, from the fixtures. */
function qemuRead(overrides: Partial<HostRead> = {}): HostRead {
  const answers = [
    { command: 'uri', output: 'qemu:///system\n' },
    { command: 'list --uuid', output: `${WEB}\n${BATCH}\n\n` },
    { command: 'list --state-running --uuid', output: `${WEB}\n${BATCH}\n` },
    { command: 'list --state-paused --uuid', output: '\n' },
    { command: 'list --inactive --uuid', output: `${NO_BALLOON}\n` },
    { command: 'nodeinfo', output: 'Memory size:         16314712 KiB\n' },
    { command: 'nodememstats', output: fixture('nodememstats.txt') },
    { command: 'domstats --balloon --list-active', output: fixture('domstats-qemu.txt') },
    { command: `domstats --balloon ${WEB} ${BATCH}`, output: fixture('domstats-qemu.txt') },
    { command: `dumpxml ${WEB}`, output: fixture('qemu-ballooned.xml') },
    { command: `dumpxml ${BATCH}`, output: fixture('qemu-stats-off.xml') },
    { command: `dumpxml ${NO_BALLOON}`, output: fixture('qemu-no-balloon.xml') },
  ];
  return {
    uri: 'qemu:///system', target: { kind: 'local', name: 'kvm1' }, checkedAt: new Date(1795993530 * 1000),
    meminfo: fixture('host-meminfo.txt'), ksm: 'run 1\npages_sharing 262144\npages_shared 1024\npagesize 4096\n', answers, stderr: '', error: null, ...overrides,
  };
}

test('a QEMU host: domstats figures per domain, findings worst first, totals and overcommit, valid against the schema', () => {
  const view = buildHostView(qemuRead());
  assert.deepEqual(hostViewSchemaErrors(view), []);
  const web = view.domains.find((domain) => domain.uuid === WEB)!;
  assert.equal(web.stats?.source, 'domstats');
  assert.equal(web.balloonBytes, 6 * GiB);
  assert.equal(web.stats?.lastUpdateAgeSeconds, 30);
  assert.deepEqual(web.findings.map((finding) => `${finding.id} ${finding.severity}`), ['domain-ballooned critical', 'domain-usable-low critical']);
  assert.match(web.findings[1].detail, /usable 72 MiB of the 2\.0 GiB it has \(4%\); it has swapped out 128 MiB since boot; statistics 30 s old/);
  const batch = view.domains.find((domain) => domain.uuid === BATCH)!;
  assert.equal(batch.name, "batch & 'reports' <2>");
  assert.deepEqual(batch.findings.map((finding) => `${finding.id} ${finding.severity}`).sort(), ['domain-ballooned critical', 'domain-no-deflate-on-oom warning', 'domain-stats-disabled warning']);
  const off = view.domains.find((domain) => domain.uuid === NO_BALLOON)!;
  assert.equal(off.state, 'shut-off');
  assert.deepEqual(off.findings, []);
  assert.equal(view.host.source, 'meminfo');
  assert.equal(view.host.ksm?.sharingBytes, GiB);
  assert.equal(view.totals.configuredBytes, 12 * GiB, 'active domains only');
  assert.equal(view.totals.currentBytes, 3 * GiB);
  assert.deepEqual(view.findings.filter((finding) => !finding.domain).map((finding) => `${finding.id} ${finding.severity}`), ['kvm-host-swapping critical']);
  assert.equal(view.status, 'critical');
  assert.deepEqual(view.findings.map((finding) => finding.severity), [...view.findings.map((finding) => finding.severity)].sort((a, b) => ['critical', 'warning', 'info'].indexOf(a) - ['critical', 'warning', 'info'].indexOf(b)));
});

test('overcommit: beyond RAM is info, configured beyond RAM and swap a warning, targets beyond them critical', () => {
  const big = (memory: string, current: string) => fixture('qemu-ballooned.xml').replace('<memory unit=\'KiB\'>8388608</memory>', `<memory unit='GiB'>${memory}</memory>`).replace('<currentMemory unit=\'KiB\'>2097152</currentMemory>', `<currentMemory unit='GiB'>${current}</currentMemory>`);
  const at = (memory: string, current: string) => {
    const read = qemuRead();
    read.answers = read.answers.map((item) => (item.command === `dumpxml ${WEB}` ? { ...item, output: big(memory, current) } : item));
    return buildHostView(read).findings.find((finding) => finding.id === 'host-overcommitted');
  };
  assert.equal(at('8', '2'), undefined);
  assert.equal(at('14', '2')?.severity, 'info');
  assert.equal(at('18', '2')?.severity, 'warning');
  assert.equal(at('20', '19')?.severity, 'critical');
});

test('a domain whose XML is not libvirt\'s, a virsh error naming a domain, a missing answer: per-domain unknowns, the rest still reported', () => {
  const read = qemuRead({ stderr: `error: failed to get domain '${BATCH}'\nerror: something about the host\n` });
  read.answers = read.answers.map((item) => (item.command === `dumpxml ${WEB}` ? { ...item, output: fixture('entities.xml') } : item.command === `dumpxml ${BATCH}` ? { ...item, output: null } : item));
  const view = buildHostView(read);
  assert.deepEqual(hostViewSchemaErrors(view), []);
  const web = view.domains.find((domain) => domain.uuid === WEB)!;
  assert.equal(web.status, 'unknown');
  assert.match(web.unknown.join('\n'), /DOCTYPE or ENTITY/);
  const batch = view.domains.find((domain) => domain.uuid === BATCH)!;
  assert.match(batch.unknown.join('\n'), /failed to get domain/);
  assert.match(batch.unknown.join('\n'), /dumpxml gave no answer/);
  assert.ok(view.unknown.includes('virsh: error: something about the host'));
  assert.equal(view.status, 'critical', 'the host is still swapping');
});

test('a host that could not be read: error, status unknown, no domains, valid against the schema', () => {
  const view = buildHostView(qemuRead({ error: { kind: 'connect', message: 'error: failed to connect to the hypervisor' }, answers: [] }));
  assert.equal(view.status, 'unknown');
  assert.deepEqual(view.domains, []);
  assert.deepEqual(hostViewSchemaErrors(view), []);
});

test('renderers: a hostile domain name stays one table cell, one label value, one line; control characters are replaced', () => {
  const hostile = 'a|b &#10;x&#27;[31m "q" \\ $(id)';
  const read = qemuRead();
  read.answers = read.answers.map((item) => (item.command === `dumpxml ${WEB}` ? { ...item, output: fixture('qemu-ballooned.xml').replace('<name>web-01</name>', `<name>${hostile}</name>`) } : item));
  const view = buildHostView(read);
  const name = view.domains.find((domain) => domain.uuid === WEB)!.name!;
  assert.equal(name, 'a|b \nx\u001b[31m "q" \\ $(id)');
  const text = renderHostText(view, { color: false });
  assert.ok(!text.includes('\u001b'), 'no escape sequence reaches the terminal');
  assert.ok(text.split('\n').every((line) => !line.startsWith('x')), 'the newline in the name starts no line');
  const markdown = renderHostMarkdown(view);
  const row = markdown.split('\n').find((line) => line.startsWith('| a') && line.includes('$(id)'))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 12, `one cell per column: ${JSON.stringify(row)}`);
  const metrics = renderHostPrometheus([{ view, labels: { host: 'kvm1' } }]);
  assert.ok(metrics.includes('domain="a|b \\nx\u001b[31m \\"q\\" \\\\ $(id)"'), 'the label escaped by escapePrometheusLabel');
  assert.equal(metrics.split('\n').filter((line) => line && !line.startsWith('#')).every((line) => /^balloon_inspector_kvm_\w+(\{.*\})? [\d.e+-]+$/.test(line)), true);
});

test('Spanish findings: the same ids, severities, articles and domains as English, Spanish words and number format', () => {
  const english = buildHostView(qemuRead());
  const spanish = buildHostView(qemuRead(), 'es');
  const shape = (view: typeof english) => view.findings.map(({ id, severity, articles, domain }) => ({ id, severity, articles, domain }));
  assert.deepEqual(shape(spanish), shape(english));
  const usable = spanish.findings.find((finding) => finding.id === 'domain-usable-low')!;
  assert.equal(usable.title, 'Al guest casi no le queda memoria utilizable');
  assert.match(usable.detail, /usable 72 MiB de los 2,0 GiB que tiene \(4 %\); ha sacado 128 MiB a swap desde que arrancó; estadísticas de hace 30 s/);
  for (const finding of spanish.findings) assert.notEqual(finding.title, english.findings.find((item) => item.id === finding.id && item.domain === finding.domain)!.title);
  const text = renderHostText(spanish, { color: false, lang: 'es' });
  assert.match(text, /^DOMINIO +ESTADO +CONFIGURADA/m);
  assert.match(renderHostMarkdown(spanish, () => null, 'es'), /^\| dominio \| estado \|/m);
});

test('domstats blocks are matched by the XML name, not by position; a name printed twice is trusted for neither', () => {
  const read = qemuRead();
  const swapped = fixture('domstats-qemu.txt').split('\n\n').filter((block) => block.trim()).reverse().join('\n\n');
  read.answers = read.answers.map((item) => (item.command.startsWith(`domstats --balloon ${WEB}`) ? { ...item, output: `${swapped}\n` } : item));
  const view = buildHostView(read);
  assert.equal(view.domains.find((domain) => domain.uuid === WEB)!.stats?.usableBytes, 73728 * KiB);
  assert.equal(view.domains.find((domain) => domain.uuid === BATCH)!.stats?.actualBytes, 1024 * MiB);
  const twice = qemuRead();
  twice.answers = twice.answers.map((item) => (item.command.startsWith(`domstats --balloon ${WEB}`) ? { ...item, output: `${fixture('domstats-qemu.txt')}Domain: 'web-01'\n  balloon.current=1\n` } : item));
  const forged = buildHostView(twice).domains.find((domain) => domain.uuid === WEB)!;
  assert.equal(forged.stats, null);
  assert.match(forged.unknown.join('\n'), /domstats --balloon gave none/);
});

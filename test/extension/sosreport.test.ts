import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { analyzeProbeOutput } from '../../src/core/report';
import { buildGuestNode, guestContextValue, guestTooltip, type GuestState } from '../../src/extension/model/tree';
import { checkChoices } from '../../src/extension/model/pick';
import { collectedAtOf, evidenceFileName, evidenceHow, pathsFromUriList, rememberedPaths, sosGuestId, sosGuestNamed, sosGuestState, sosPathOf } from '../../src/extension/sosreportModel';
import { readEvidenceBundle, writeEvidenceBundle } from '../../src/transport/evidence';
import { analyzeSosreport, SosreportTransport } from '../../src/transport/sosreport-check';
import { verdictLine } from '../../src/shared/verdict';
import { GiB, GUESTS_DIR, tempDir } from '../helpers/guests';

const SOSREPORTS = join(GUESTS_DIR, '..', 'sosreports');
const fixture = (name: string) => { const dir = join(SOSREPORTS, name); return join(dir, readdirSync(dir)[0]!); };

/** A sosreport guest checked the way GuestManager checks it: the transport's output, dated by the transport. */
async function checkedSosGuest(path: string): Promise<{ guest: GuestState; output: string }> {
  const transport = new SosreportTransport(path);
  const output = await transport.runProbe({});
  const analysis = analyzeProbeOutput(output, transport.target, collectedAtOf(transport) ?? new Date());
  assert.ok(analysis.ok);
  return { guest: sosGuestNamed({ ...sosGuestState(path), report: analysis.report, checkedAt: Date.now() }), output };
}

test('a sosreport guest id carries its path; other guests have none', () => {
  const path = '/tmp/sosreport-db01-2025-03-03-abcdefg.tar.xz';
  assert.equal(sosPathOf(sosGuestId(path)), path);
  assert.equal(sosPathOf('this'), undefined);
  assert.equal(sosPathOf('ssh:db01'), undefined);
  assert.equal(sosPathOf('sos:'), undefined);
  const state = sosGuestState(path);
  assert.equal(state.source, 'sosreport');
  assert.equal(state.label, 'sosreport-db01-2025-03-03-abcdefg.tar.xz');
  assert.equal(guestContextValue(state), 'guest sosreport idle', 'not "ssh": Remove SSH Host is not offered');
  assert.equal(sosGuestNamed(state), state, 'no report: the file name stays');
});

test('an opened VMware sosreport is a guest named after its host, dated by sos, with the same verdict as balloon-check --sosreport', async () => {
  const path = fixture('vmware-sos4-debugfs');
  const { guest } = await checkedSosGuest(path);
  const report = guest.report!;
  assert.equal(guest.label, 'rhel9-app01');
  assert.equal(report.collectedAt, '2025-03-03T09:15:02.123Z');
  assert.equal(report.balloon.currentBytes, 20 * GiB);
  assert.equal(report.memory.configuredBytes, 32 * GiB);
  assert.equal(report.status, 'critical');
  const cli = await analyzeSosreport(path);
  assert.ok(cli.ok && cli.analysis.ok);
  assert.deepEqual(report, cli.analysis.report, 'the tree shows the report the CLI prints');
  const node = buildGuestNode(guest);
  assert.equal(node.contextValue, 'guest sosreport hasReport idle');
  assert.equal(node.collapsible, 'expanded');
  assert.equal(node.children[0]!.label, verdictLine(report));
  assert.match(verdictLine(report), /^VMware · balloon 20\.0 GiB \(63%\)/, 'the figures of test/fixtures/sosreports/README.md');
  assert.match(guestTooltip(guest), /sosreport `sosreport-rhel9-app01-2025-03-03-abcdefg`/);
  assert.doesNotMatch(guestTooltip(guest), /SSH host/);
  const pick = checkChoices([guest], false);
  assert.ok('pick' in pick && pick.pick[0]!.description === 'sosreport');
});

test('a sosreport that is not one fails as a config error naming why (the tree shows it, nothing is guessed)', async () => {
  const tmp = tempDir('bi-sos-ext-');
  try {
    const transport = new SosreportTransport(join(tmp.dir, 'missing.tar.xz'));
    await assert.rejects(transport.runProbe({}), (error: Error & { kind?: string }) => error.kind === 'config' && /cannot open/.test(error.message));
  } finally { tmp.remove(); }
});

test('Save Evidence Bundle of a sosreport guest: balloon-check --input reads back the same findings; the file name is safe', async () => {
  const { guest, output } = await checkedSosGuest(fixture('vmware-sos4-debugfs'));
  const report = guest.report!;
  const tmp = tempDir('bi-sos-ext-');
  try {
    const file = join(tmp.dir, evidenceFileName(report));
    assert.equal(evidenceFileName(report), 'balloon-evidence-rhel9-app01-20250303-091502.tar.gz');
    await writeEvidenceBundle(file, { output, report, version: 'test', how: evidenceHow(guest.id) });
    const bundle = await readEvidenceBundle(readFileSync(file));
    assert.ok(bundle);
    assert.equal(bundle.output, output);
    const again = analyzeProbeOutput(bundle.output, report.target, bundle.collectedAt ?? new Date());
    assert.ok(again.ok);
    assert.deepEqual(again.report.findings.map((finding) => finding.id), report.findings.map((finding) => finding.id));
    // The bundle itself opens as a guest too (Open sosreport... accepts evidence bundles).
    const reopened = await checkedSosGuest(file);
    assert.equal(reopened.guest.report!.collectedAt, report.collectedAt);
    assert.equal(reopened.guest.label, 'rhel9-app01');
  } finally { tmp.remove(); }
  assert.equal(evidenceHow('this'), 'VS Code, local');
  assert.equal(evidenceHow('ssh:db01'), 'VS Code, --ssh db01');
  assert.equal(evidenceFileName({ ...report, guest: { ...report.guest, hostname: '../../etc/passwd' } }), 'balloon-evidence-etc_passwd-20250303-091502.tar.gz');
});

test('a text/uri-list drop gives local paths once, skipping comments and other schemes', () => {
  const toPath = (uri: string) => (uri.startsWith('file://') ? decodeURIComponent(uri.slice('file://'.length)) : undefined);
  const list = '# dropped from the Explorer\r\nfile:///tmp/sosreport-a.tar.xz\r\nhttps://example.com/x.tar.xz\r\n\r\nfile:///tmp/sos%20dir\r\nfile:///tmp/sosreport-a.tar.xz\r\n';
  assert.deepEqual(pathsFromUriList(list, toPath), ['/tmp/sosreport-a.tar.xz', '/tmp/sos dir']);
  assert.deepEqual(pathsFromUriList('', toPath), []);
});

test('collectedAtOf reads a transport\'s collection time, and nothing else', () => {
  assert.equal(collectedAtOf({}), null);
  assert.equal(collectedAtOf({ collectedAt: 'yesterday' }), null);
  assert.equal(collectedAtOf({ collectedAt: new Date(Number.NaN) }), null);
  assert.equal(collectedAtOf({ collectedAt: new Date('2025-03-03T09:15:02Z') })?.toISOString(), '2025-03-03T09:15:02.000Z');
});

test('the workspace remembers its open sos reports: opened ones last and once, closed ones out, junk ignored', () => {
  assert.deepEqual(rememberedPaths(undefined, ['/a.tar.xz'], true), ['/a.tar.xz']);
  assert.deepEqual(rememberedPaths(['/a.tar.xz', '/b'], ['/a.tar.xz'], true), ['/b', '/a.tar.xz']);
  assert.deepEqual(rememberedPaths(['/a.tar.xz', '/b'], ['/a.tar.xz'], false), ['/b']);
  assert.deepEqual(rememberedPaths(['/a', 7, null, ''], [], true), ['/a']);
  assert.deepEqual(rememberedPaths('not a list', [], true), []);
  assert.equal(rememberedPaths(Array.from({ length: 80 }, (_, i) => `/s${i}`), ['/new'], true).length, 50);
});

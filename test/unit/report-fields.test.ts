import assert from 'node:assert/strict';
import test from 'node:test';
import { analyzeProbeOutput, buildReport, localizeReport, reportStatus, type Report } from '../../src/core/report';
import { diagnose } from '../../src/core/rules';
import { GiB, MiB } from '../../src/core/units';
import { buildFacts } from '../helpers/facts-builder';
import { FEATURES_QEMU_64, MEMINFO_KVM_6_18_BALLOON, MODULES_VIRTIO, probeOutput, SEED_SECTIONS, virtioLine, type SectionSpec } from '../helpers/samples';

// The report's fields as they come from the facts and the kernel table (mutation testing found these unasserted).

const AT = new Date('2026-11-29T12:00:00Z');
const TARGET = { kind: 'snapshot', name: 'seed' } as const;
const analyse = (sections: readonly SectionSpec[]): Report => {
  const analysis = analyzeProbeOutput(probeOutput(sections), TARGET, AT);
  assert.ok(analysis.ok);
  return analysis.report;
};

test('kernel summary of the seed guest: release, version, distribution, page size, memTotal and size sources from the table', () => {
  const kernel = analyse(SEED_SECTIONS).kernel;
  assert.ok(kernel);
  assert.equal(kernel.release, '5.14.0-427.13.1.el9_4.x86_64');
  assert.equal(kernel.version, '5.14.0');
  assert.equal(kernel.distribution, 'RHEL 9');
  assert.equal(kernel.pageSizeBytes, 4096);
  assert.equal(kernel.pageSizeSource, 'assumed 4096 (x86 CPU: always 4 KiB pages)');
  assert.deepEqual(kernel.memTotal && { value: kernel.memTotal.value, range: kernel.memTotal.range }, { value: 'no', range: 'all versions' });
  assert.match(kernel.memTotal?.source ?? '', /adjust_managed_page_count/);
  assert.deepEqual(kernel.sizeSources.map((source) => [source.name, source.available]).slice(0, 3), [
    ['debugfs vmmemctl', 'yes'], ['/proc/vmmemctl', 'no'], ['/proc/vmstat balloon_inflate/balloon_deflate', 'yes'],
  ]);
  for (const source of kernel.sizeSources) assert.deepEqual(Object.keys(source).sort(), ['available', 'name', 'note', 'source']);
  assert.equal(kernel.deflateOnOom, null, 'VMware has no deflate-on-oom');
});

test('kernel summary of a virtio guest: deflate-on-oom from the table; features in the balloon record', () => {
  const report = analyse([
    ['meta', 'ok', '', 'kernel=6.18.0-1-amd64\n'], ['modules', 'ok', '', MODULES_VIRTIO],
    ['virtio-devices', 'ok', '', `${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)}\n`], ['meminfo', 'ok', '', MEMINFO_KVM_6_18_BALLOON],
  ]);
  assert.equal(report.kernel?.deflateOnOom?.value, 'oom-notifier');
  assert.match(report.kernel?.deflateOnOom?.source ?? '', /5\.7/);
  assert.equal(report.kernel?.memTotal?.value, 'unless-deflate-on-oom');
  assert.equal(report.balloon.deflateOnOom, false);
  assert.equal(report.balloon.freePageReporting, false);
});

test('without a kernel release or a driver: the kernel summary says unknown, with no table rows', () => {
  const kernel = analyse([['meta', 'ok', '', 'hostname=x\n']]).kernel;
  assert.deepEqual(kernel, {
    release: null, version: null, distribution: null, pageSizeBytes: null, pageSizeSource: 'unknown (not probed, and not an x86 CPU)',
    memTotal: null, sizeSources: [], deflateOnOom: null,
  });
});

test('the report copies the facts\' optional memory fields and notes; absent ones become null or empty', () => {
  const seed = analyse(SEED_SECTIONS);
  assert.equal(seed.memory.availableSource, 'MemAvailable');
  assert.deepEqual(seed.balloon.notes, []);
  const blocks = analyse(SEED_SECTIONS.map((section) => (section[0] === 'memory-blocks' ? ['memory-blocks', 'ok', '', 'block_size_bytes=8000000\nblocks=256\nonline=248\noffline=8\n'] : section)));
  assert.deepEqual([blocks.memory.onlineBytes, blocks.memory.offlineBytes], [31 * GiB, GiB]);
  const facts = buildFacts({ balloon: { notes: ['a note'] }, memory: { availableSource: 'estimate' } });
  const built = buildReport(TARGET, facts, AT);
  assert.deepEqual(built.balloon.notes, ['a note']);
  assert.equal(built.memory.availableSource, 'estimate');
  const bare = buildReport(TARGET, buildFacts(), AT);
  assert.deepEqual(bare.balloon.notes, []);
  assert.deepEqual([bare.memory.availableSource, bare.memory.onlineBytes, bare.memory.offlineBytes], [null, null, null]);
  assert.equal('kernel' in bare, false, 'facts without a kernel part give a report without one');
  assert.equal('trend' in bare, false);
});

test('VMware limits in bytes; unknown ones stay null (not 0)', () => {
  const limited = buildReport(TARGET, buildFacts({ vmware: { limitMiB: 12288, reservationMiB: null, swappedMiB: 5 } }), AT);
  assert.deepEqual(limited.limits, { memLimitBytes: 12 * GiB, memReservationBytes: null, hostSwappedBytes: 5 * MiB, memLimitKnown: true });
});

test('status: a loaded driver whose size no source gave is unknown, not ok; a driver with a size is ok', () => {
  const blind = buildFacts({ balloon: { currentBytes: null, measurements: [], source: null } });
  assert.deepEqual(diagnose(blind).filter((finding) => finding.severity !== 'info'), []);
  assert.equal(reportStatus(blind, diagnose(blind)), 'unknown');
  const seen = buildFacts();
  assert.equal(reportStatus(seen, diagnose(seen)), 'ok');
  const noDriver = buildFacts({ balloon: { driver: null, loaded: false, currentBytes: null, measurements: [], source: null } });
  assert.notEqual(reportStatus(noDriver, []), 'unknown', 'no driver and no size is not "unknown" by itself');
});

test('localizeReport: English is the report itself; Spanish rewords the findings only (same ids, severities, figures)', () => {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), TARGET, AT);
  assert.ok(analysis.ok);
  assert.equal(localizeReport(analysis.report, analysis.facts, 'en'), analysis.report);
  const es = localizeReport(analysis.report, analysis.facts, 'es');
  assert.notEqual(es, analysis.report);
  assert.deepEqual(es.findings.map((finding) => [finding.id, finding.severity]), analysis.report.findings.map((finding) => [finding.id, finding.severity]));
  assert.deepEqual({ ...es, findings: [] }, { ...analysis.report, findings: [] });
  assert.deepEqual(es.findings, diagnose(analysis.facts, analysis.report.trend, 'es'));
  assert.notDeepEqual(es.findings.map((finding) => finding.title), analysis.report.findings.map((finding) => finding.title));
});

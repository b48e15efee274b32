import assert from 'node:assert/strict';
import test from 'node:test';
import { analyzeProbeOutput, buildReport, EXIT_CODES, reportStatus, type Report } from '../../src/core/report';
import { renderMarkdown } from '../../src/core/render/markdown';
import { renderPrometheus } from '../../src/core/render/prometheus';
import { renderText } from '../../src/core/render/text';
import type { Finding } from '../../src/core/rules';
import { GiB, MiB } from '../../src/core/units';
import { buildFacts } from '../helpers/facts-builder';
import { probeOutput, SEED_SECTIONS, type SectionSpec } from '../helpers/samples';

const finding = (severity: Finding['severity']): Finding => ({ id: 'x', severity, title: 't', detail: 'd', articles: ['x'] });
const target = { kind: 'snapshot' as const, name: 'seed' };
const at = new Date('2026-01-01T12:00:00Z');

test('EXIT_CODES follow the monitoring-plugin convention', () => {
  assert.deepEqual(EXIT_CODES, { ok: 0, warning: 1, critical: 2, unknown: 3 });
});

test('reportStatus: worst finding wins; info alone is ok; unknown platform or no MemTotal is unknown', () => {
  const facts = buildFacts();
  assert.equal(reportStatus(facts, []), 'ok');
  assert.equal(reportStatus(facts, [finding('info')]), 'ok');
  assert.equal(reportStatus(facts, [finding('info'), finding('warning')]), 'warning');
  assert.equal(reportStatus(facts, [finding('warning'), finding('critical')]), 'critical');
  assert.equal(reportStatus(buildFacts({ hypervisor: { kind: 'unknown' } }), [finding('info')]), 'unknown');
  assert.equal(reportStatus(buildFacts({ memory: { totalBytes: null } }), []), 'unknown');
  // a real problem still outranks "unknown"
  assert.equal(reportStatus(buildFacts({ hypervisor: { kind: 'unknown' } }), [finding('critical')]), 'critical');
});

test('buildReport: limits in bytes, deflate-on-oom from the features, findings from diagnose', () => {
  const facts = buildFacts({ vmware: { limitMiB: 12 * 1024, reservationMiB: 0, swappedMiB: 0 }, balloon: { currentBytes: 20 * GiB, targetBytes: 20 * GiB } });
  const report = buildReport(target, facts, at);
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.collectedAt, '2026-01-01T12:00:00.000Z');
  assert.deepEqual(report.limits, { memLimitBytes: 12 * GiB, memReservationBytes: 0, hostSwappedBytes: 0, memLimitKnown: true });
  assert.equal(report.balloon.deflateOnOom, null);
  assert.equal(report.status, 'critical');
  assert.equal(report.trend, undefined);
});

test('the seed probe output end to end: 20 GiB balloon, 12 GiB limit, 32 GiB configured, critical', () => {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), target, at);
  assert.ok(analysis.ok);
  const { report } = analysis;
  assert.equal(report.status, 'critical');
  assert.equal(report.hypervisor.kind, 'vmware');
  assert.equal(report.balloon.driver, 'vmw_balloon');
  assert.equal(report.balloon.currentBytes, 20 * GiB);
  assert.equal(report.balloon.targetBytes, 20 * GiB);
  assert.equal(report.balloon.source, 'debugfs vmmemctl');
  assert.deepEqual(report.balloon.measurements.map((m) => m.bytes), [20 * GiB, 20 * GiB, 20 * GiB]);
  assert.equal(report.memory.configuredBytes, 32 * GiB);
  assert.equal(report.memory.unaccountedBytes, 20 * GiB + 128 * MiB);
  assert.equal(report.limits.memLimitBytes, 12 * GiB);
  assert.deepEqual(report.findings.map((f) => f.id), ['balloon-inflated', 'limit-below-configured', 'balloon-near-cap', 'unaccounted-memory']);
  assert.equal(report.guest.kernel, '5.14.0-427.13.1.el9_4.x86_64');
});

test('analyzeProbeOutput: garbage gives a reason, never a report', () => {
  for (const text of ['', 'garbage', '\u0000\u0000', 'x'.repeat(9 * 1024 * 1024)]) {
    const analysis = analyzeProbeOutput(text, target, at);
    assert.equal(analysis.ok, false);
    assert.ok(!analysis.ok && analysis.reason.length > 10);
  }
});

test('a watch: history gives a trend in the report', () => {
  const first = analyzeProbeOutput(probeOutput(SEED_SECTIONS), target, at);
  assert.ok(first.ok);
  const later = new Date(at.getTime() + 60_000);
  const second = analyzeProbeOutput(probeOutput(SEED_SECTIONS), target, later, [{ at, facts: first.facts }]);
  assert.ok(second.ok);
  assert.equal(second.report.trend?.samples, 2);
  assert.equal(second.report.trend?.direction, 'steady');
});

// ---- renderers with hostile strings --------------------------------------------------------

const hostileSections = (): SectionSpec[] => SEED_SECTIONS.map(([id, status, detail, text]): SectionSpec => {
  if (id === 'meta') return [id, status, detail, 'kernel=\u001b[2J\u001b]0;pwned\u0007\nhostname=evil\u001b[31mhost\rCRITICAL fake\n'];
  if (id === 'container') return [id, status, detail, 'marker=/.dockerenv\u001b[8m\ncgroup=0::/docker/\u009b31m|col|\n# heading\n'];
  if (id === 'debugfs-vmmemctl') return [id, 'denied', 'sudo -n refused: \u001b[41mno\u0007 | pipe', ''];
  return [id, status, detail, text];
});

const hostileReport = (): Report => {
  const analysis = analyzeProbeOutput(probeOutput(hostileSections()), { kind: 'ssh', name: 'host\u001b[2J|x\n# y' }, at);
  assert.ok(analysis.ok);
  return analysis.report;
};

test('text renderer: control characters from the guest never reach the terminal', () => {
  const report = hostileReport();
  const plain = renderText(report, { color: false });
  assert.doesNotMatch(plain, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'no control character but newline without colour');
  const coloured = renderText(report, { color: true });
  const withoutOwnCodes = coloured.replace(/\u001b\[(?:0|1|2|31|32|33|36)m/g, '');
  assert.doesNotMatch(withoutOwnCodes, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'only the renderer\'s own colour codes');
  assert.ok(!plain.split('\n').some((line) => line.startsWith('CRITICAL fake')), 'a carriage return or newline cannot forge a line');
});

test('markdown renderer: guest strings cannot break the table or add headings', () => {
  const markdown = renderMarkdown(hostileReport());
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) assert.match(line, /\|\s*$/, `table row broken: ${JSON.stringify(line)}`);
    assert.ok(!/^# y/.test(line) && !/^# heading/.test(line), `injected heading: ${JSON.stringify(line)}`);
  }
  assert.doesNotMatch(markdown, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
});

test('prometheus renderer: one HELP/TYPE per family across hosts, labels escaped, no NaN', () => {
  const seed = analyzeProbeOutput(probeOutput(SEED_SECTIONS), target, at);
  assert.ok(seed.ok);
  const text = renderPrometheus([
    { report: seed.report, labels: { host: 'a"b\\c\nd' } },
    { report: hostileReport(), labels: { host: 'second' } },
  ]);
  const helps = text.split('\n').filter((line) => line.startsWith('# HELP '));
  assert.equal(new Set(helps).size, helps.length);
  assert.match(text, /balloon_inspector_balloon_bytes\{host="a\\"b\\\\c\\nd"\} 21474836480/);
  assert.match(text, /balloon_inspector_status\{host="a\\"b\\\\c\\nd"\} 2/);
  assert.doesNotMatch(text, /NaN|Infinity|undefined/);
  for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?\d+(\.\d+)?(e[+-]\d+)?)$/, line);
});

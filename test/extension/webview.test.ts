import assert from 'node:assert/strict';
import test from 'node:test';
import { load } from 'cheerio';
import { analyzeProbeOutput, type Report } from '../../src/core/report';
import { articlesFor, knowledgeBase, runbooksForFinding } from '../../src/extension/lazy';
import type { ReportViewModel } from '../../src/shared/protocol';
import { balloonTrendSvg, memoryChartSvg } from '../../webview/chart';
import { escapeHtml } from '../../src/shared/escape';
import { memorySplit } from '../../src/shared/presentation';
import { html } from '../../webview/html';
import { renderEmptyPage, renderReportPage } from '../../webview/render';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';
import { ROOT } from '../helpers/system';

const GiB = 1024 ** 3;

function seedReport(): Report {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'local', name: 'db-prod-07' }, new Date('2025-01-02T03:04:05Z'));
  assert.ok(analysis.ok);
  return analysis.report;
}

function model(report = seedReport(), overrides: Partial<ReportViewModel> = {}): ReportViewModel {
  const kb = knowledgeBase(ROOT);
  const runbooks: ReportViewModel['runbooks'] = {};
  for (const finding of report.findings) runbooks[finding.id] = runbooksForFinding(kb, finding, report.hypervisor.kind);
  return { guestId: 'this', guestLabel: 'This machine', report, articles: articlesFor(kb, report), runbooks, trend: [], ...overrides };
}

test('the page: h1 with the guest, the memory chart, one section per finding with its article', () => {
  const view = model();
  const $ = load(renderReportPage(view).html);
  assert.equal($('h1').first().text(), 'This machine');
  assert.equal($('svg#memory-chart').length, 1);
  const sections = $('section.finding');
  assert.deepEqual(sections.map((_, element) => $(element).attr('data-finding-id')).get(), view.report.findings.map((finding) => finding.id));
  for (const finding of view.report.findings) {
    const section = $(`section.finding[data-finding-id="${finding.id}"]`);
    assert.equal(section.find('h3').text().includes(finding.title), true);
    const own = view.articles[finding.articles[0]];
    if (own) {
      assert.equal(section.find(`vscode-collapsible[data-article-id="${own.id}"]`).attr('title'), own.title);
      assert.ok(section.find('.kb-sources li').length > 0 || own.sources.length === 0, `${finding.id}: sources listed`);
    }
  }
  assert.ok(Object.keys(view.articles).length > 0, 'the knowledge base gave no article for the seed findings');
  assert.equal($('script').length, 0, 'no script in the rendered page');
});

test('the memory chart: used + balloon + available within configured, the 12 GiB limit marked at 3/8', () => {
  const report = seedReport();
  const segments = memorySplit(report)!;
  assert.equal(segments.configured, 32 * GiB);
  assert.equal(segments.balloon, 20 * GiB);
  assert.ok(segments.used + segments.balloon + segments.available <= segments.configured);
  const $ = load(memoryChartSvg(report).html, { xml: true });
  const part = (name: string) => $(`[data-part="${name}"]`);
  assert.equal(Number(part('balloon').attr('data-bytes')), 20 * GiB);
  assert.equal(Number(part('balloon').attr('width')), 400, '20 of 32 GiB on a 640-wide bar');
  assert.equal(Number(part('limit').attr('data-bytes')), 12 * GiB);
  assert.equal(Number(part('limit').find('line').attr('x1')), 240);
  assert.match($('svg').attr('aria-label') ?? '', /balloon 20\.0 GiB/);
  assert.equal($('[style]').length, 0, 'no inline style: the CSP forbids it');
});

test('unknown memory figures draw a note, not a bar made of nulls', () => {
  const report = seedReport();
  const unknown: Report = { ...report, memory: { ...report.memory, totalBytes: null, availableBytes: null } };
  assert.equal(memorySplit(unknown), null);
  assert.match(memoryChartSvg(unknown).html, /Memory figures unknown/);
});

test('the trend sparkline needs two known samples and says which way the balloon went', () => {
  assert.equal(balloonTrendSvg([]), null);
  assert.equal(balloonTrendSvg([{ at: '2025-01-01T00:00:00Z', balloonBytes: GiB }, { at: '2025-01-01T00:00:10Z', balloonBytes: null }]), null);
  const svg = balloonTrendSvg([
    { at: '2025-01-01T00:00:00Z', balloonBytes: GiB }, { at: '2025-01-01T00:00:10Z', balloonBytes: 2 * GiB }, { at: '2025-01-01T00:00:20Z', balloonBytes: 3 * GiB },
  ]);
  assert.ok(svg);
  const $ = load(svg.html, { xml: true });
  assert.equal($('polyline').attr('points')?.split(' ').length, 3);
  assert.match($('svg').attr('aria-label') ?? '', /1\.0 GiB → 3\.0 GiB \(\+2\.0 GiB\)/);
  const page = load(renderReportPage(model(seedReport(), { trend: [{ at: '2025-01-01T00:00:00Z', balloonBytes: GiB }, { at: '2025-01-01T00:01:00Z', balloonBytes: 2 * GiB }] })).html);
  assert.equal(page('svg#balloon-trend').length, 1);
});

test('hostile text from a guest is escaped everywhere; only the knowledge HTML is inserted as HTML', () => {
  const report = seedReport();
  const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  const hostile: Report = {
    ...report,
    target: { kind: 'ssh', name: evil },
    hypervisor: { ...report.hypervisor, evidence: [evil], product: evil },
    findings: report.findings.map((finding) => ({ ...finding, title: `${finding.title} ${evil}`, detail: evil })),
    probes: [{ id: 'meta', status: 'error', detail: evil }],
  };
  const rendered = renderReportPage(model(hostile, { guestLabel: evil, runbooks: { [report.findings[0].id]: [{ id: '"><x', title: evil }] } })).html;
  const $ = load(rendered);
  assert.equal($('script').length, 0);
  assert.equal($('img').length, 0);
  assert.equal($('[onerror]').length, 0);
  assert.equal($('h1').first().text(), evil, 'shown as text');
  assert.equal($('a[data-runbook]').first().attr('data-runbook'), '"><x', 'attribute values stay inside their quotes');
  assert.equal(load(renderEmptyPage(evil, evil).html)('img').length, 0);
});

test('html`` escapes values, keeps nested templates, and drops null/false', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(html`<p>${'<b>'}${html`<i>${1}</i>`}${null}${false}${['a', html`<br>`]}</p>`.html, '<p>&lt;b&gt;<i>1</i>a<br></p>');
});

test('runbooks that fit a finding: hypervisor-specific first, never one for another hypervisor', () => {
  const kb = knowledgeBase(ROOT);
  const report = seedReport();
  for (const finding of report.findings) {
    for (const link of runbooksForFinding(kb, finding, 'vmware')) {
      const doc = kb.runbooks.get(link.id);
      assert.ok(doc, link.id);
      assert.ok(doc.appliesTo.includes('vmware') || doc.appliesTo.includes('any'), `${link.id} applies to ${doc.appliesTo.join(',')}`);
    }
  }
});

test('runbook order: those naming the finding first, hypervisor-specific before "any"', () => {
  const kb = knowledgeBase(ROOT);
  for (const hypervisor of ['vmware', 'kvm', 'hyperv', 'xen']) {
    for (const finding of seedReport().findings) {
      const links = runbooksForFinding(kb, finding, hypervisor);
      const docs = links.map((link) => kb.runbooks.get(link.id)!);
      const anyAt = docs.findIndex((doc) => !doc.appliesTo.includes(hypervisor as never));
      if (anyAt >= 0) {
        const afterAny = docs.slice(anyAt);
        const namingAfter = afterAny.filter((doc) => doc.findings.includes(finding.id) && doc.appliesTo.includes(hypervisor as never));
        assert.deepEqual(namingAfter.map((doc) => doc.id), [], `${hypervisor}/${finding.id}: ${links.map((link) => link.id).join(', ')}`);
      }
    }
  }
});

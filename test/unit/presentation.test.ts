import assert from 'node:assert/strict';
import test from 'node:test';
import MarkdownIt from 'markdown-it';
import { analyzeProbeOutput, type Report } from '../../src/core/report';
import { renderMarkdown } from '../../src/core/render/markdown';
import { renderText } from '../../src/core/render/text';
import { escapeHtml, escapeMarkdown, escapePrometheusLabel, markdownTableCell } from '../../src/shared/escape';
import { checkedPhrase, figureRows, hypervisorLabel, hypervisorPhrase, localTime, memorySplit, timeAgo } from '../../src/shared/presentation';
import { GiB } from '../../src/core/units';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';

function seedReport(): Report {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'local', name: 'db-prod-07' }, new Date('2025-01-02T03:04:05Z'));
  assert.ok(analysis.ok);
  return analysis.report;
}

const HOSTILE = [
  '[click](https://evil.example)', '<img src=x onerror=alert(1)>', '**bold** _em_ `code` ~~gone~~', 'a | b | c',
  '# heading', '- item', '+ item', '1. first', '2) second', '> quote', '\\*kept\\*', '![img](x.png)', '---', '===', '## h2', '-', '1.', 'a\n- b\n2. c\n# d', 'db-prod-07 20.0 GiB (63%)',
];

test('escapeMarkdown: CommonMark (markdown-it) shows every hostile text literally, inline and in a table cell', () => {
  const md = new MarkdownIt({ html: true });
  for (const text of HOSTILE) {
    const shown = escapeHtml(text.replace(/\n/g, ' ')).replace(/&#39;/g, "'");
    assert.equal(md.renderInline(escapeMarkdown(text)), shown, `inline: ${text}`);
    assert.equal(md.render(escapeMarkdown(text)).trim(), `<p>${shown}</p>`, `block: ${text}`);
    const table = md.render(`| a | b |\n|---|---|\n| x | ${escapeMarkdown(text)} |\n`);
    assert.ok(table.includes(`<td>${shown}</td>`), `cell: ${text}\n${table}`);
  }
});

test('escapeMarkdown leaves figures readable: no backslash where Markdown reads nothing', () => {
  assert.equal(escapeMarkdown('balloon 20.0 GiB (63%) · limit 12.0 GiB'), 'balloon 20.0 GiB (63%) · limit 12.0 GiB');
  assert.equal(escapeMarkdown('db-prod-07'), 'db-prod-07');
  assert.equal(escapeMarkdown('12.0 GiB'), '12.0 GiB');
  assert.equal(escapeMarkdown('-512 MiB'), '-512 MiB');
  assert.equal(escapeMarkdown('a*b_c'), 'a\\*b\\_c');
});

test('markdownTableCell keeps Markdown but not cell or line breaks', () => {
  assert.equal(markdownTableCell('`vmw_balloon` | x\ny'), '`vmw_balloon` \\| x y');
});

test('escapeHtml and escapePrometheusLabel', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeHtml(null), '');
  assert.equal(escapePrometheusLabel('a\\b\n"c"'), 'a\\\\b\\n\\"c\\"');
});

test('hypervisor names: a label heads a row, a phrase stands in a sentence; unknown kinds as themselves', () => {
  assert.deepEqual(['vmware', 'kvm', 'hyperv', 'xen', 'other', 'none', 'unknown'].map(hypervisorLabel),
    ['VMware', 'KVM', 'Hyper-V', 'Xen', 'Other hypervisor', 'Bare metal', 'Unknown platform']);
  assert.deepEqual(['other', 'none', 'unknown', 'any'].map(hypervisorPhrase), ['a hypervisor', 'bare metal', 'an unknown platform', 'any hypervisor']);
  assert.equal(hypervisorLabel('bhyve'), 'bhyve');
  assert.equal(hypervisorLabel('__proto__'), '__proto__');
});

test('figure rows: one wording, the same rows in the Markdown report as in the tree and the page', () => {
  const report = seedReport();
  const rows = figureRows(report);
  const value = (name: string) => rows.find((row) => row.name === name)?.value;
  assert.equal(value('Hypervisor')?.startsWith('VMware'), true);
  assert.equal(value('Memory limit'), '12.0 GiB');
  assert.equal(value('Balloon size')?.startsWith('20.0 GiB'), true);
  assert.equal(value('Checked'), '2025-01-02T03:04:05.000Z', 'ISO unless a clock is given');
  assert.equal(figureRows(report, { time: () => 'at noon' }).at(-1)?.value, 'at noon');
  const markdown = renderMarkdown(report);
  const table = markdown.slice(markdown.indexOf('## Figures'), markdown.indexOf('## Evidence'));
  for (const row of rows) assert.ok(table.includes(`| ${row.name} | ${escapeMarkdown(row.value)} |`), `Markdown lacks ${row.name}:\n${table}`);
  const text = renderText(report, { color: false });
  for (const name of ['Memory limit', 'Reservation', 'Host-swapped', 'MemTotal', 'Configured memory', 'Unaccounted used', 'Guest swap']) {
    assert.ok(text.includes(`${name} ${value(name)}`), `text lacks "${name} ${value(name)}":\n${text}`);
  }
  assert.equal(value('Balloon target'), '20.0 GiB');
  const xen = figureRows({ ...report, balloon: { ...report.balloon, driver: 'xen_balloon' } });
  assert.ok(xen.some((row) => row.name === 'Memory target') && !xen.some((row) => row.name === 'Balloon target'), 'a Xen target is the memory the guest should have, not a balloon size');
});

test('memory split: a VMware balloon counts inside "used", the others left MemTotal', () => {
  const report = seedReport();
  const split = memorySplit(report)!;
  assert.equal(split.configured, 32 * GiB);
  assert.equal(split.balloon, 20 * GiB);
  assert.ok(split.used + split.balloon + split.available <= split.configured + GiB);
  assert.equal(memorySplit({ ...report, memory: { ...report.memory, availableBytes: null } }), null);
});

test('check times: the clock in the given locale and zone, the date only on another day; JSON-style text kept when not a time', () => {
  const iso = '2025-01-02T03:04:05Z';
  const sameDay = Date.parse(iso) + 60_000;
  assert.equal(localTime(iso, { locale: 'en-GB', timeZone: 'UTC', now: sameDay }), '03:04:05');
  assert.equal(localTime(iso, { locale: 'en-GB', timeZone: 'America/New_York', now: sameDay }), '22:04:05');
  assert.match(localTime(iso, { locale: 'en-GB', timeZone: 'UTC', now: sameDay + 2 * 86_400_000 }), /2 Jan 2025.*03:04:05/);
  assert.equal(localTime('not a time'), 'not a time');
  assert.equal(timeAgo(iso, Date.parse(iso) + 2_000), 'just now');
  assert.equal(timeAgo(iso, Date.parse(iso) + 40_000), '40 s ago');
  assert.equal(timeAgo(iso, Date.parse(iso) + 150_000), '2 min ago');
  assert.equal(timeAgo(iso, Date.parse(iso) + 3 * 3_600_000), '3 h ago');
  assert.equal(timeAgo(iso, Date.parse(iso) + 86_400_000), '1 day ago');
  assert.equal(timeAgo('garbage'), '');
  assert.equal(checkedPhrase(iso, { locale: 'en-GB', timeZone: 'UTC', now: Date.parse(iso) + 120_000 }), 'checked 03:04:05 (2 min ago)');
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { load } from 'cheerio';
import { analyzeProbeOutput, localizeReport, type Report } from '../../src/core/report';
import { reportPageHtml } from '../../src/extension/reportPage';
import { formatMessage, setTranslator } from '../../src/extension/model/l10n';
import { pageText } from '../../src/extension/model/pageText';
import { checkChoices } from '../../src/extension/model/pick';
import { confirmation, lensesForBlocks } from '../../src/extension/model/runbook';
import { buildGuestNode, guestTooltip, type GuestState } from '../../src/extension/model/tree';
import { describeWindow } from '../../src/extension/model/window';
import { PAGE_TEXT_EN } from '../../src/shared/pageText';
import { findingCounts, statusBarLabel, statusBarText, verdictLine } from '../../src/shared/verdict';
import { renderEmptyPage, renderReportPage } from '../../webview/render';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';
import { ROOT } from '../helpers/system';

// The seed's case (32 GiB VM, 12 GiB limit, 20 GiB in the balloon) as a Spanish window shows it: the plain models
// translated through l10n/bundle.l10n.es.json (what vscode.l10n.t does in VS Code), the figures and findings in 'es'.

const ES = JSON.parse(readFileSync(join(ROOT, 'l10n', 'bundle.l10n.es.json'), 'utf8')) as Record<string, string>;

/** Runs `fn` with the models translating as VS Code does in a Spanish window; English again afterwards. */
function inSpanish<T>(fn: () => T): T {
  const missing: string[] = [];
  setTranslator((message, ...args) => {
    if (!(message in ES)) missing.push(message);
    return formatMessage(ES[message] ?? message, args);
  });
  try {
    const result = fn();
    assert.deepEqual(missing, [], 'messages without a Spanish value');
    return result;
  } finally {
    setTranslator(undefined);
  }
}

function seedReport(lang: 'en' | 'es'): Report {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'local', name: 'db-prod-07' }, new Date('2025-01-02T03:04:05Z'));
  assert.ok(analysis.ok);
  return localizeReport(analysis.report, analysis.facts, lang);
}

const guest = (report: Report): GuestState => ({
  id: 'this', label: 'Esta máquina', description: 'db-prod-07', source: 'window', checking: false, report, error: null, checkedAt: null,
});

test('the verdict words in Spanish: decimal comma, a space before %, plural severities', () => {
  const report = seedReport('es');
  assert.equal(verdictLine(report, 'es'), 'VMware · balloon 20,0 GiB (63 %) · límite 12,0 GiB');
  assert.equal(statusBarText(report, 'es'), '$(pulse) Balloon 20,0 GiB $(error)');
  assert.equal(findingCounts(report.findings, 'es'), '2 críticos, 1 aviso, 1 informativo');
  assert.equal(findingCounts([], 'es'), 'sin hallazgos');
  assert.match(statusBarLabel(report, 'es'), /^Balloon Inspector: balloon 20,0 GiB \(63 %\), crítico: /);
  // English is unchanged.
  assert.equal(verdictLine(seedReport('en')), 'VMware · balloon 20.0 GiB (63%) · limit 12.0 GiB');
});

test('the guest tree in a Spanish window: rows, descriptions, tooltip and figure names in Spanish', () => {
  const report = seedReport('es');
  const node = inSpanish(() => buildGuestNode(guest(report), { lang: 'es', timeZone: 'UTC', now: Date.parse('2025-01-02T03:06:05Z') }));
  assert.equal(node.description, 'crítico · 2 críticos, 1 aviso, 1 informativo');
  const [verdict, ...rest] = node.children;
  assert.equal(verdict!.label, 'VMware · balloon 20,0 GiB (63 %) · límite 12,0 GiB');
  assert.equal(verdict!.description, 'CRÍTICO');
  assert.equal(verdict!.command?.title, 'Abrir informe');
  const findings = rest.filter((child) => child.kind === 'finding');
  assert.deepEqual(findings.map((child) => child.label), report.findings.map((finding) => finding.title));
  assert.deepEqual(findings.map((child) => child.description), ['crítico', 'crítico', 'aviso', 'informativo']);
  const facts = rest.find((child) => child.kind === 'facts')!;
  assert.equal(facts.label, 'Datos');
  assert.ok(facts.children.some((row) => row.label === 'Límite de memoria' && row.description === '12,0 GiB'), JSON.stringify(facts.children.map((row) => row.label)));
  assert.equal(rest.find((child) => child.kind === 'probes')?.label, 'Sondas');
  const tooltip = inSpanish(() => guestTooltip(guest(report), { lang: 'es', timeZone: 'UTC', now: Date.parse('2025-01-02T03:06:05Z') }));
  assert.match(tooltip, /CRÍTICO · 2 críticos/);
  assert.match(tooltip, /\| Límite de memoria \| 12,0 GiB \|/);
  assert.match(tooltip, /Comprobado .*\(hace 2 min\)/);
});

test('a guest not checked yet, the quick pick and the window label in Spanish', () => {
  const fresh: GuestState = { ...guest(seedReport('es')), report: null };
  const node = inSpanish(() => buildGuestNode(fresh, { lang: 'es' }));
  assert.equal(node.children[0]?.label, 'Aún no se ha comprobado: haga clic para comprobar');
  const pick = inSpanish(() => checkChoices([fresh, { ...fresh, id: 'ssh:db01', label: 'db01', source: 'added' }], true, { lang: 'es' }));
  assert.ok('pick' in pick);
  assert.deepEqual(pick.pick.map((item) => item.description), ['esta ventana', 'host SSH (añadido)', '2']);
  assert.equal(pick.pick[2]?.label, 'Todos los invitados');
  assert.equal(inSpanish(() => describeWindow(undefined, 'db-prod-07')).label, 'Esta máquina');
  assert.equal(inSpanish(() => describeWindow('ssh-remote', 'db-prod-07')).label, 'db-prod-07 mediante Remote-SSH');
});

test('runbook lenses and the confirmation in Spanish', () => {
  const block = { line: 3, code: 'sudo vmware-toolbox-cmd stat balloon', root: true, mutates: false, name: 'paso 1' };
  const lenses = inSpanish(() => lensesForBlocks([block], 'db01', true, 'shipped'));
  assert.deepEqual(lenses.map((lens) => lens.title), ['$(play) Ejecutar en db01', '$(copy) Copiar']);
  assert.equal(lenses[0]?.tooltip, 'Ejecutar paso 1 en un terminal de db01 (pregunta antes: necesita root, llama a sudo)');
  const question = inSpanish(() => confirmation(block, 'db01', false, 'workspace'));
  assert.equal(question?.message, '¿Ejecutar paso 1 en db01? Este paso se ejecuta como root y llama a sudo. '
    + 'Procede de un runbook que Balloon Inspector no incluye: lea el comando antes de ejecutarlo.');
});

test('the report page in Spanish: its words from the view model, figures and chart in the model\'s language', () => {
  const report = seedReport('es');
  const text = inSpanish(() => pageText());
  const $ = load(renderReportPage({ guestId: 'this', guestLabel: 'Esta máquina', report, articles: {}, runbooks: {}, trend: [], lang: 'es', text }).html);
  assert.deepEqual($('h2').map((_, el) => $(el).contents().first().text().trim()).get(), ['Memoria', 'Hallazgos', 'Cifras', 'Indicios', 'Sondas']);
  assert.equal($('.status-badge').text(), 'CRÍTICO');
  assert.match($('header .meta').text(), /^2 críticos, 1 aviso, 1 informativo · comprobado /);
  assert.deepEqual($('.actions vscode-button').map((_, el) => $(el).text()).get(), ['Comprobar de nuevo', 'Copiar como Markdown', 'Copiar como JSON']);
  assert.match($('svg#memory-chart').text(), /límite 12,0 GiB.*usada .*balloon 20,0 GiB.*disponible .*configurada 32,0 GiB/s);
  assert.ok($('section.figures th').map((_, el) => $(el).text()).get().includes('Tamaño del balloon'));
  assert.deepEqual($('section.finding > h3 .severity').map((_, el) => $(el).text()).get(), ['crítico', 'crítico', 'aviso', 'informativo']);
  assert.match($('section.finding .no-article').first().text(), /^No hay artículo para /);
  $('code').remove(); // ids and probe names are not words
  const page = $.root().text();
  const leftover = (word: string) => page.slice(Math.max(0, page.indexOf(word) - 60), page.indexOf(word) + 30);
  for (const english of ['Findings', 'Figures', 'Check again', 'Evidence', 'configured', 'checked']) assert.ok(!page.includes(english), `"${english}" left on the Spanish page: ${leftover(english)}`);
  assert.equal(load(renderEmptyPage('db01', text.notChecked, text).html)('vscode-button').text(), 'Comprobar ahora');
});

test('an article the display language has no translation of says it is shown in English', () => {
  const report = seedReport('es');
  const text = inSpanish(() => pageText());
  const ownId = report.findings[0]!.articles[0]!;
  const article = { id: ownId, title: 'Balloon', summary: 's', html: '<p>x</p>', sources: [] };
  const page = (englishOnly: boolean) => load(renderReportPage({
    guestId: 'this', guestLabel: 'x', report, articles: { [ownId]: { ...article, ...(englishOnly ? { englishOnly } : {}) } }, runbooks: {}, trend: [], lang: 'es', text,
  }).html);
  assert.equal(page(true)(`[data-article-id="${ownId}"] .english-only`).text(), 'Este artículo aún no está traducido: se muestra en inglés.');
  assert.equal(page(false)('.english-only').length, 0);
});

test('the page without words from the model (a state saved by an older version) falls back to English', () => {
  const $ = load(renderReportPage({ guestId: 'this', guestLabel: 'This machine', report: seedReport('en'), articles: {}, runbooks: {}, trend: [] }).html);
  assert.equal($('h2').first().text(), PAGE_TEXT_EN.memory);
  assert.deepEqual(pageText(), PAGE_TEXT_EN);
});

test('the panel shell in Spanish: html lang, title, loading line, and the words for a page drawn before any model', () => {
  const text = inSpanish(() => pageText());
  const html = reportPageHtml({ cspSource: 'https://x', scriptUri: 's', styleUri: 'c', guestId: 'this', label: 'db01', lang: 'es', text, title: 'Informe del balloon: db01' });
  const $ = load(html);
  assert.equal($('html').attr('lang'), 'es');
  assert.equal($('title').text(), 'Informe del balloon: db01');
  assert.equal($('#app p').text(), 'Cargando el informe…');
  assert.deepEqual(JSON.parse($('#app').attr('data-text') ?? '{}'), text);
});

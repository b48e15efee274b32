import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { renderText } from '../../src/core/render/text';
import { analyzeProbeOutput, localizeReport } from '../../src/core/report';
import { probeScript } from '../../src/transport/probe-script';
import { GUESTS_DIR } from '../helpers/guests';
import { runProbe } from '../helpers/samples';
import {
  articleEnglishOnly, articleMarkdownSection, getKnowledgeBase, isEnglishOnly, loadKnowledgeBase, mergeTranslation, parseKnowledgeDocument, renderArticleHtml, translationDir,
  type KnowledgeBase, type KnowledgeDoc,
} from '../../src/knowledge';
import { LANGS } from '../../src/shared/i18n';
import { ROOT } from '../helpers/system';

const KNOWLEDGE = join(ROOT, 'knowledge');
const english = loadKnowledgeBase(KNOWLEDGE);
const translations = LANGS.filter((lang) => lang !== 'en').map((lang) => ({ lang, kb: loadKnowledgeBase(translationDir(KNOWLEDGE, lang)) }));
const docs = (kb: KnowledgeBase) => [...kb.articles.values(), ...kb.runbooks.values()];
/** What a translation keeps exactly: every field the lenses, the report and the tests read. */
const invariant = (doc: KnowledgeDoc) => ({
  kind: doc.kind, id: doc.id, appliesTo: doc.appliesTo, findings: doc.findings,
  sources: doc.sources.map((source) => source.url ?? source.citation ?? ''),
  blocks: doc.blocks.map((block) => ({ language: block.language, command: block.command, declared: block.declared, attributes: block.attributes })),
});

for (const { lang, kb } of translations) {
  test(`knowledge/${lang}/: every article and runbook has its translation (missing twins listed)`, () => {
    const missing = docs(english).filter((doc) => !(doc.kind === 'runbook' ? kb.runbooks : kb.articles).has(doc.id)).map((doc) => `${doc.kind === 'runbook' ? 'runbooks/' : ''}${doc.id}.md`);
    assert.deepEqual(missing, [], `knowledge/${lang}/ lacks: ${missing.join(', ')}`);
  });

  test(`knowledge/${lang}/: no translation without an English original, and every translation loads cleanly`, () => {
    const orphans = docs(kb).filter((doc) => !(doc.kind === 'runbook' ? english.runbooks : english.articles).has(doc.id)).map((doc) => doc.path);
    assert.deepEqual(orphans, []);
    assert.deepEqual(kb.problems, []);
  });

  test(`knowledge/${lang}/: each translation has its original's id, hypervisors, findings, sources and runnable blocks`, () => {
    for (const doc of docs(kb)) {
      const original = (doc.kind === 'runbook' ? english.runbooks : english.articles).get(doc.id);
      if (!original) continue;
      assert.deepEqual(invariant(doc), invariant(original), `${doc.path} against ${original.path}`);
      assert.notEqual(doc.title, original.title, `${doc.path}: the title is not translated`);
      assert.notEqual(doc.summary, original.summary, `${doc.path}: the summary is not translated`);
    }
  });
}

test('a knowledge base in Spanish takes the translations, and English where one is missing, saying so', () => {
  const es = getKnowledgeBase(KNOWLEDGE, 'es');
  assert.equal(es.lang, 'es');
  assert.equal(es.articles.size, english.articles.size);
  assert.equal(es.runbooks.size, english.runbooks.size);
  const translated = loadKnowledgeBase(translationDir(KNOWLEDGE, 'es'));
  for (const doc of es.articles.values()) {
    assert.equal(isEnglishOnly(es, 'article', doc.id), !translated.articles.has(doc.id), doc.id);
  }
  // A translation missing on purpose: the English article stands in, marked, in the Markdown and the HTML.
  const withoutOne = new Map(translated.articles);
  withoutOne.delete('what-is-ballooning');
  const partial = mergeTranslation(english, { ...translated, articles: withoutOne }, 'es');
  assert.ok(isEnglishOnly(partial, 'article', 'what-is-ballooning'));
  assert.equal(partial.articles.get('what-is-ballooning'), english.articles.get('what-is-ballooning'));
  const markdown = articleMarkdownSection(['what-is-ballooning', 'kernel-behaviour'], { kb: partial });
  assert.match(markdown, /^## Contexto: qué significan los hallazgos/);
  assert.match(markdown, /### .*\n\n\*.*\*\n\n\(artículo disponible solo en inglés\)/);
  assert.equal(markdown.match(/artículo disponible solo en inglés/g)?.length, 1, 'only the missing one says so');
  assert.match(markdown, /### Qué muestra cada kernel del balloon/);
  assert.match(renderArticleHtml(english.articles.get('what-is-ballooning')!, partial), /<p class="kb-english-only">artículo disponible solo en inglés<\/p>/);
  assert.doesNotMatch(renderArticleHtml(partial.articles.get('kernel-behaviour')!, partial), /kb-english-only/);
});

test('the English knowledge base is what it was: no Spanish document leaks into it', () => {
  const en = getKnowledgeBase(KNOWLEDGE);
  assert.equal(en.lang, undefined);
  for (const doc of docs(en)) assert.ok(!doc.path?.includes(`${join('knowledge', 'es')}/`), `${doc.path}`);
  assert.match(articleMarkdownSection(['what-is-ballooning'], { kb: en }), /^## Background: what the findings mean/);
  assert.ok(existsSync(join(KNOWLEDGE, 'es')));
  assert.ok(parseKnowledgeDocument('---\nid: x\n---\n', 'article').problems.length > 0);
});

test('the text report marks an article shown in English for want of a translation (one stat per article)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-kb-'));
  try {
    mkdirSync(join(dir, 'es'));
    for (const path of ['what-is-ballooning.md', 'balloon-inflated.md', join('es', 'balloon-inflated.md')]) writeFileSync(join(dir, path), '---\n---\n');
    assert.equal(articleEnglishOnly('what-is-ballooning', 'es', dir), true);
    assert.equal(articleEnglishOnly('balloon-inflated', 'es', dir), false);
    assert.equal(articleEnglishOnly('what-is-ballooning', 'en', dir), false);
    assert.equal(articleEnglishOnly('no-such-article', 'es', dir), false);
    assert.equal(articleEnglishOnly('../what-is-ballooning', 'es', join(dir, 'es')), false);
    const analysis = analyzeProbeOutput(runProbe(probeScript(), join(GUESTS_DIR, 'vmware-limit-12g-of-32g')), { kind: 'snapshot', name: 'seed' });
    assert.ok(analysis.ok);
    const text = renderText(localizeReport(analysis.report, analysis.facts, 'es'), { color: false, lang: 'es', englishOnly: (id) => articleEnglishOnly(id, 'es', dir) });
    assert.match(text, /\[balloon-inflated\] ver: balloon-inflated, what-is-ballooning \(artículo disponible solo en inglés\), vmware-balloon-driver$/m);
    assert.doesNotMatch(renderText(analysis.report, { color: false }), /English only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

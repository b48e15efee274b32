import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { renderKernelArticle } from '../../src/core/kernels-article';
import { parseKnowledgeDocument } from '../../src/knowledge';
import { ROOT } from '../helpers/system';

test('the committed Spanish kernel-behaviour article is exactly what the table renders (regenerate: node --import tsx scripts/gen-kernel-article.ts)', () => {
  const committed = readFileSync(join(ROOT, 'knowledge', 'es', 'kernel-behaviour.md'), 'utf8');
  assert.equal(committed, renderKernelArticle('es'));
});

test('the Spanish kernel article is the English one in Spanish: same front matter ids, findings and sources, same table rows', () => {
  const en = parseKnowledgeDocument(renderKernelArticle('en'), 'article');
  const es = parseKnowledgeDocument(renderKernelArticle('es'), 'article');
  assert.deepEqual(es.problems, []);
  assert.ok(en.doc && es.doc);
  assert.equal(es.doc.id, en.doc.id);
  assert.deepEqual(es.doc.findings, en.doc.findings);
  assert.deepEqual(es.doc.appliesTo, en.doc.appliesTo);
  assert.deepEqual(es.doc.sources.map((source) => source.url), en.doc.sources.map((source) => source.url));
  const rows = (text: string) => text.split('\n').filter((line) => line.startsWith('|')).length;
  assert.equal(rows(es.doc.body), rows(en.doc.body));
  assert.match(es.doc.body, /## Cómo leerla/);
  assert.match(es.doc.body, /\| ≥ 5\.11 \| sí: MemTotal se reduce \|/);
  assert.doesNotMatch(es.doc.body, /\| (yes|unknown|all) \|/, 'table words in Spanish');
});

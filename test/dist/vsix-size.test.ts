// The VSIX as `npm run package` makes it (scripts/package.mjs), built once into a temporary folder: under the
// issue's 500 KB budget, and what it ships behaves as the checkout: its knowledge articles, packed into
// knowledge/articles.pack.br and knowledge/es/articles.pack.br (src/knowledge/pack.ts), load with the same
// ids, front matter, bodies and rendered HTML as the .md files, in English and in Spanish; an article opened
// in the editor is written back from the pack byte for byte; runbooks stay files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { getKnowledgeBase, loadKnowledgeBase, renderArticleHtml, type KnowledgeBase, type KnowledgeDoc } from '../../src/knowledge';
import { ARTICLE_PACK, unpackArticles } from '../../src/knowledge/pack';
import { articleFile } from '../../src/extension/lazy';
import { LANGS } from '../../src/shared/i18n';
import { ROOT } from '../helpers/system';

/** The budget of issue 16 (scripts/release.mjs VSIX_LIMIT_BYTES). */
const VSIX_LIMIT_BYTES = 500_000;
const work = mkdtempSync(join(tmpdir(), 'bi-vsix-'));
const vsix = join(work, 'balloon-inspector.vsix');
const unpacked = join(work, 'unpacked');
/** Entry name → [compressed, raw] bytes. */
const sizes = new Map<string, [number, number]>();

/** Extracts a zip (stored or deflated entries, as vsce writes them) with Node alone. */
function extractZip(zip: Buffer, into: string): void {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'not a zip archive');
  let at = zip.readUInt32LE(end + 16);
  for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const data = zip.subarray(local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)).subarray(0, compressed);
    const bytes = method === 8 ? inflateRawSync(data) : Buffer.from(data);
    sizes.set(name, [compressed, bytes.length]);
    mkdirSync(dirname(join(into, name)), { recursive: true });
    writeFileSync(join(into, name), bytes);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
}

before(() => {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  extractZip(readFileSync(vsix), unpacked);
});
after(() => rmSync(work, { recursive: true, force: true }));

const shipped = () => join(unpacked, 'extension', 'knowledge');
const checkout = join(ROOT, 'knowledge');
/** A document without where it came from (packed articles have no file). */
const comparable = (doc: KnowledgeDoc) => ({ ...doc, path: null });

test('the VSIX is under 500,000 bytes', (t) => {
  const total = statSync(vsix).size;
  const sum = (filter: (name: string) => boolean) => [...sizes].filter(([name]) => filter(name)).reduce((acc, [, [zipped]]) => acc + zipped, 0);
  t.diagnostic(`VSIX ${total} bytes; dist/extension-lazy.js ${sizes.get('extension/dist/extension-lazy.js')?.join(' / ')} (compressed / raw); `
    + `knowledge/ (English) ${sum((name) => name.startsWith('extension/knowledge/') && !name.startsWith('extension/knowledge/es/'))}, `
    + `knowledge/es/ ${sum((name) => name.startsWith('extension/knowledge/es/'))} compressed`);
  assert.ok(total < VSIX_LIMIT_BYTES, `the VSIX is ${total} bytes, over ${VSIX_LIMIT_BYTES}`);
});

test('the VSIX packs the articles of each language and ships runbooks as files', () => {
  const names = [...sizes.keys()].filter((name) => name.startsWith('extension/knowledge/'));
  assert.deepEqual(names.filter((name) => name.endsWith('.md') && !/\/runbooks\/[^/]+\.md$/.test(name)), [], 'an article left as a .md file');
  for (const dir of ['', ...LANGS.filter((lang) => lang !== 'en').map((lang) => `${lang}/`)]) {
    assert.ok(names.includes(`extension/knowledge/${dir}${ARTICLE_PACK}`), `no knowledge/${dir}${ARTICLE_PACK}`);
    const runbooks = readdirSync(join(checkout, dir, 'runbooks')).filter((name) => name.endsWith('.md'));
    for (const name of runbooks) {
      assert.equal(readFileSync(join(shipped(), dir, 'runbooks', name), 'utf8'), readFileSync(join(checkout, dir, 'runbooks', name), 'utf8'), `${dir}runbooks/${name}`);
    }
  }
});

function assertSameBase(packed: KnowledgeBase, files: KnowledgeBase, lang: string): void {
  assert.deepEqual(packed.problems, [], `${lang}: problems in the packed base`);
  assert.deepEqual(files.problems, []);
  assert.deepEqual([...packed.articles.keys()], [...files.articles.keys()], `${lang}: article ids and order`);
  assert.deepEqual([...packed.runbooks.keys()], [...files.runbooks.keys()], `${lang}: runbook ids and order`);
  assert.ok(packed.articles.size >= 10, `${lang}: only ${packed.articles.size} articles`);
  for (const [id, doc] of packed.articles) {
    const original = files.articles.get(id)!;
    assert.equal(doc.path, null, `${lang} ${id}: a packed article has no file`);
    assert.deepEqual(comparable(doc), comparable(original), `${lang} ${id}: front matter, body or blocks differ`);
    assert.equal(renderArticleHtml(doc, packed, 4), renderArticleHtml(original, files, 4), `${lang} ${id}: rendered HTML differs`);
  }
  for (const [id, doc] of packed.runbooks) assert.deepEqual(doc, { ...files.runbooks.get(id)!, path: doc.path }, `${lang} runbook ${id}`);
  assert.deepEqual([...packed.articlesByFinding].map(([finding, docs]) => [finding, docs.map((doc) => doc.id)]),
    [...files.articlesByFinding].map(([finding, docs]) => [finding, docs.map((doc) => doc.id)]), `${lang}: articles by finding`);
  assert.deepEqual([...(packed.englishOnly ?? [])], [...(files.englishOnly ?? [])], `${lang}: documents shown in English`);
}

test('the packed knowledge base loads the same articles, ids and rendered HTML as the .md files, in every language', () => {
  for (const lang of LANGS) assertSameBase(getKnowledgeBase(shipped(), lang), getKnowledgeBase(checkout, lang), lang);
});

test('an article opened in the editor is written back from the pack as the shipped .md file, and a reload prefers the files', () => {
  const extension = join(work, 'opened');
  cpSync(join(unpacked, 'extension'), extension, { recursive: true });
  const knowledge = join(extension, 'knowledge');
  const id = [...loadKnowledgeBase(checkout).articles.keys()][0];
  for (const lang of LANGS) {
    const file = articleFile(extension, lang, id);
    const dir = lang === 'en' ? '' : lang;
    assert.equal(file, join(knowledge, dir, `${id}.md`), lang);
    const articles = readdirSync(join(checkout, dir)).filter((name) => name.endsWith('.md') && name !== 'README.md');
    for (const name of articles) assert.equal(readFileSync(join(knowledge, dir, name), 'utf8'), readFileSync(join(checkout, dir, name), 'utf8'), `${dir}/${name}`);
    // Files and pack side by side (a later window): the files are read, no article twice.
    const reloaded = loadKnowledgeBase(join(knowledge, dir));
    assert.deepEqual(reloaded.problems, []);
    assert.deepEqual([...reloaded.articles.keys()], [...loadKnowledgeBase(join(checkout, dir)).articles.keys()]);
    assert.ok([...reloaded.articles.values()].every((doc) => doc.path && existsSync(doc.path)));
  }
  assert.equal(articleFile(extension, 'en', 'no-such-article'), null);
});

test('unpacking into another folder (a read-only install) writes the same articles there', () => {
  const into = join(work, 'copy');
  const written = unpackArticles(shipped(), into);
  assert.deepEqual(written.map((path) => path.slice(into.length + 1)).sort(), readdirSync(checkout).filter((name) => name.endsWith('.md') && name !== 'README.md').sort());
  for (const path of written) assert.equal(readFileSync(path, 'utf8'), readFileSync(join(checkout, path.slice(into.length + 1)), 'utf8'));
});

test('a broken pack is a problem of the knowledge base, never a crash', () => {
  const dir = join(work, 'broken');
  mkdirSync(dir);
  writeFileSync(join(dir, ARTICLE_PACK), 'not brotli');
  const kb = loadKnowledgeBase(dir);
  assert.equal(kb.articles.size, 0);
  assert.ok(kb.problems.some((problem) => problem.includes(ARTICLE_PACK)), kb.problems.join('\n'));
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { defaultKnowledgeDir, documentsFor, getKnowledgeBase, loadKnowledgeBase, parseKnowledgeDocument } from '../../src/knowledge';
import { ROOT } from '../helpers/system';

test('the default knowledge directory is found from src/knowledge (tsx) and from dist (bundle)', () => {
  const expected = join(ROOT, 'knowledge');
  assert.equal(defaultKnowledgeDir(), expected);
  assert.equal(defaultKnowledgeDir(join(ROOT, 'src', 'knowledge')), expected);
  assert.equal(defaultKnowledgeDir(join(ROOT, 'dist')), expected);
  assert.equal(getKnowledgeBase(), getKnowledgeBase(expected), 'loaded once and kept');
  assert.ok(getKnowledgeBase().articles.has('what-is-ballooning'));
});

test('a bundle finds the knowledge directory at run time through its own __dirname', () => {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const dist = mkdtempSync(join(ROOT, 'dist', '.kb-test-'));
  try {
    const entry = join(dist, 'entry.ts');
    writeFileSync(entry, "import { articleMarkdownSection, defaultKnowledgeDir } from '../../src/knowledge';\nprocess.stdout.write(defaultKnowledgeDir() + '\\n' + articleMarkdownSection(['balloon-inflated']));\n");
    const bundle = join(dist, 'entry.js');
    execFileSync(process.execPath, ['-e', `require('esbuild').buildSync({ entryPoints: [${JSON.stringify(entry)}], outfile: ${JSON.stringify(bundle)}, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' })`], { cwd: ROOT });
    const output = execFileSync(process.execPath, [bundle], { encoding: 'utf8', cwd: tmpdir() });
    assert.equal(output.split('\n')[0], join(ROOT, 'knowledge'));
    assert.match(output, /### The balloon holds memory/);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('broken documents are reported, never thrown, and the rest still loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-broken-'));
  mkdirSync(join(dir, 'runbooks'));
  const good = (id: string, extra = '') => `---\nid: ${id}\ntitle: Good one\nsummary: A summary that is long enough to read well.\nappliesTo: [any]\nsources:\n  - title: S\n    citation: C\n${extra}---\n\nBody.\n`;
  writeFileSync(join(dir, 'good.md'), good('good'));
  writeFileSync(join(dir, 'no-front-matter.md'), '# Just text\n');
  writeFileSync(join(dir, 'bad-yaml.md'), '---\nid: [unclosed\n---\n');
  writeFileSync(join(dir, 'not-a-map.md'), '---\n- a\n- b\n---\n');
  writeFileSync(join(dir, 'unclosed.md'), '---\nid: unclosed\n');
  writeFileSync(join(dir, 'wrong-name.md'), good('other-name'));
  writeFileSync(join(dir, 'bad-fields.md'), '---\nid: bad-fields\ntitle: T\nsummary: S\nappliesTo: [vmware, esx]\nfindings: nope\nsources:\n  - title: no link\n  - url: https://x.org/\n---\n');
  writeFileSync(join(dir, 'binary.md'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x2d, 0x2d, 0x2d]));
  writeFileSync(join(dir, 'README.md'), 'not an article');
  writeFileSync(join(dir, 'runbooks', 'rb.md'), good('rb', 'runbook: true\n'));
  writeFileSync(join(dir, 'runbooks', 'not-declared.md'), good('not-declared'));
  const kb = loadKnowledgeBase(dir);
  assert.deepEqual([...kb.articles.keys()].sort(), ['bad-fields', 'good', 'other-name']);
  assert.deepEqual([...kb.runbooks.keys()].sort(), ['not-declared', 'rb']);
  const problems = kb.problems.join('\n');
  for (const expected of ['no-front-matter.md: no front matter', 'bad-yaml.md: front matter is not valid YAML', 'not-a-map.md: front matter is not a YAML mapping',
    'unclosed.md: front matter has no closing ---', 'wrong-name.md: id "other-name" differs from the file name', 'appliesTo has unknown hypervisor "esx"',
    'findings must be a list', 'sources[0] needs a url or a citation', 'sources[1] needs a title', 'binary.md: no front matter', 'not-declared.md: a runbook needs runbook: true']) {
    assert.ok(problems.includes(expected), `missing problem "${expected}" in:\n${problems}`);
  }
  assert.ok(!problems.includes('README.md'), 'README.md is documentation, not an article');
  assert.deepEqual(documentsFor(kb, 'vmware').map((doc) => doc.id).sort(), ['not-declared', 'rb']);
  const missingDir = loadKnowledgeBase(join(dir, 'nope'));
  assert.equal(missingDir.articles.size, 0);
  assert.match(missingDir.problems[0], /knowledge directory not found/);
});

test('parseKnowledgeDocument survives any input', () => {
  for (const input of ['', '---', '---\n---\n', '---\nid: x\n---', '\uFEFF---\nid: bom\ntitle: t\n---\n', 'x'.repeat(50000), '---\na: &a [*a]\n---\n', '---\n' + 'a: &x [' + '*x,'.repeat(100) + ']\n---\n']) {
    const parsed = parseKnowledgeDocument(input, 'article');
    assert.ok(Array.isArray(parsed.problems));
  }
  assert.equal(parseKnowledgeDocument('\uFEFF---\nid: bom\ntitle: t\n---\n', 'article').doc?.id, 'bom', 'a byte-order mark is ignored');
});

test('a front matter with 300,000 finding ids loads without overflowing the stack', () => {
  const ids = Array.from({ length: 300_000 }, (_, index) => `  - finding-${index}`).join('\n');
  const text = `---\nid: huge\ntitle: Huge\nsummary: s\nappliesTo: [kvm]\nfindings:\n${ids}\nsources:\n  - title: t\n    url: https://example.org/\n---\n\nBody.\n`;
  const parsed = parseKnowledgeDocument(text, 'article', null);
  assert.ok(parsed, 'parsed');
});

// The knowledge base's front-matter parser (src/knowledge/frontmatter-yaml.ts) against the `yaml` package
// (a devDependency kept for this test): every front matter of knowledge/ (English and Spanish, articles and
// runbooks) reads the same; anything outside the subset is an error naming its line; and thousands of
// mutated front matters are either refused or read exactly as YAML reads them, never differently.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { FrontMatterSyntaxError, parseFrontMatterYaml } from '../../src/knowledge/frontmatter-yaml';
import { splitFrontMatter } from '../../src/knowledge';
import { ROOT } from '../helpers/system';

const yamlReads = (text: string): unknown => parseYaml(text, { maxAliasCount: 50, prettyErrors: false }) ?? null;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') && name !== 'README.md' ? [path] : [];
  });
}

/** The YAML between the opening and closing --- of a document. */
function frontMatterText(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line, index) => index > 0 && /^(?:---|\.\.\.)[ \t]*\r?$/.test(line));
  assert.ok(lines[0].startsWith('---') && end > 0);
  return lines.slice(1, end).join('\n');
}

const documents = markdownFiles(join(ROOT, 'knowledge')).map((path) => ({ path, yaml: frontMatterText(readFileSync(path, 'utf8')) }));

test('every front matter of knowledge/ (English and Spanish) reads as the yaml package reads it', () => {
  assert.ok(documents.length >= 100, `only ${documents.length} documents`);
  assert.ok(documents.some((doc) => doc.path.includes('/es/')) && documents.some((doc) => doc.path.includes('/runbooks/')));
  for (const { path, yaml } of documents) assert.deepEqual(parseFrontMatterYaml(yaml), yamlReads(yaml), path);
});

test('the subset: quoting, comments, empty values, lists, booleans and null read as YAML reads them', () => {
  const cases = [
    '', '# only a comment', 'id: x', 'id: x # comment', 'url: https://example.org/a#fragment', 'title: "a \\"quoted\\" \\\\ word \\u00e9" # c',
    "title: 'it''s single-quoted: with a colon'", 'a: [x, y-z,  w ]', 'a: []', 'a: [ ]', 'runbook: true', 'a: false', 'a: ~', 'a: null',
    'a:', 'a:\nb: c', 'sources:\n  - title: T\n    url: https://x.org/\n  - title: U\n    citation: C', 'sources:\n- title: T\n  citation: C\nid: y',
    'list:\n  - one\n  - two # c\n  - "three"', 'a: b\n\n# between\n\nc: d', 'a: b\r\nc: d', 'a: x—y § ü', 'a: x:y', 'a: 50 %', "a: autodeflate='on'.",
    '- a\n- b', 'sources:\n  - title: T\n    url:\n  - title: U',
  ];
  for (const text of cases) assert.deepEqual(parseFrontMatterYaml(text), yamlReads(text), JSON.stringify(text));
  // A CRLF document's last line keeps its \r in the yaml package's reading (splitFrontMatter cuts at \n); not here.
  assert.deepEqual(parseFrontMatterYaml('a: b\r\nc: d\r'), { a: 'b', c: 'd' });
});

test('outside the subset: an error naming the line, never a value', () => {
  const outside: [string, RegExp][] = [
    ['a: &anchor x', /line 1: .*indicator/], ['a: *alias', /indicator/], ['a: !tag x', /indicator/], ['a: |\n  block', /indicator/], ['a: >\n  folded', /indicator/],
    ['a: {b: c}', /indicator/], ['a:\n  b: c', /line 2: a nested block/], ['a: one\n  two', /line 2: unexpected indentation/], ['a: 1', /number/],
    ['a: 0x1f', /number/], ['a: .inf', /number/], ['a: x\na: y', /line 2: duplicate key "a"/], ['a:\n\t- x', /line 2: a tab/], ['a: b: c', /": " inside/],
    ['a: [x, [y]]', /text after a \[list\]/], ['a: [x, "y"]', /indicator/], ['a: [x,]', /empty item/], ['a: [x', /does not end on its line/], ['a: "x', /does not end on its line/],
    ['a: "x" y', /text after a quoted value/], ['a: "\\x41"', /escape/], ['  a: x', /line 1: the first line is indented/], ['a: x\n- y', /line 2: a list where a key/],
    ['s:\n  - title: x\n    more:\n      - y', /nested block/], ['s:\n  -\n  - x', /empty list item/], ['just text', /expected "key: value"/], ['a: @x', /indicator/], ['a: x\ry', /carriage return/],
  ];
  for (const [text, message] of outside) {
    assert.throws(() => parseFrontMatterYaml(text), (error: Error) => error instanceof FrontMatterSyntaxError && message.test(error.message), JSON.stringify(text));
  }
  // Through the loader: a problem with the usual wording.
  assert.match(splitFrontMatter('---\nid: &a x\n---\nbody').error ?? '', /^front matter is not valid YAML: line 1: /);
});

test('mutated front matters are refused or read exactly as YAML reads them, never differently', (t) => {
  let seed = 16;
  const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const pieces = ['#', ' #', ':', ': ', "'", '"', '[', ']', ',', ' ', '-', '- ', '\t', '&', '*', '|', '>', '!', '\n', '\n  ', '{', '}', '\\', '1', 'true', '~', '?', '%', '@', '`', 'null', '\r'];
  let accepted = 0;
  for (let round = 0; round < 3000; round++) {
    // (\r at the very end is the one deliberate difference, tested above.)
    const base = documents[random(documents.length)].yaml;
    let text = base;
    for (let edits = 1 + random(2); edits > 0; edits--) {
      const at = random(text.length + 1);
      text = random(4) === 0 ? text.slice(0, at) + text.slice(at + 1 + random(3)) : text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
    }
    if (text.endsWith('\r')) continue;
    let ours: unknown;
    try {
      ours = parseFrontMatterYaml(text);
    } catch (error) {
      assert.ok(error instanceof FrontMatterSyntaxError, `${JSON.stringify(text)}: ${(error as Error).stack}`);
      continue;
    }
    accepted++;
    let theirs: unknown;
    assert.doesNotThrow(() => { theirs = yamlReads(text); }, `accepted, but YAML refuses: ${JSON.stringify(text)}`);
    assert.deepEqual(ours, theirs, JSON.stringify(text));
  }
  t.diagnostic(`${accepted} of 3000 mutations accepted`);
  assert.ok(accepted > 300, `only ${accepted} mutations accepted: the comparison says little`);
});

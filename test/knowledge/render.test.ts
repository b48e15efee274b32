import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import MarkdownIt from 'markdown-it';
import { articleMarkdownSection, loadKnowledgeBase, parseKnowledgeDocument, renderArticleHtml, renderKnowledgeMarkdown, type KnowledgeBase } from '../../src/knowledge';
import { ROOT } from '../helpers/system';

const kb = loadKnowledgeBase(join(ROOT, 'knowledge'));

const HOSTILE = `# Title <script>alert('h1')</script>

<script>alert(1)</script>
<img src=x onerror="alert(2)">
<a href="javascript:alert(3)">raw link</a>
<iframe src="https://evil.example/"></iframe>

[js](javascript:alert(4)) [JS upper](JAVASCRIPT:alert(5)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)
[vbscript](vbscript:msgbox(7)) [file](file:///etc/passwd) [entity](jav&#x61;script:alert(8)) [spaced]( javascript:alert(9) )
[quote](https://example.org/"onmouseover="alert(10)) [ok](https://example.org/a?b=1&c=2)
<javascript:alert(11)> <https://example.org/auto>
![img](https://evil.example/x.png "title")
[missing](no-such-article.md) [missing scheme](article:no-such-article) [proto](article:__proto__)

Inline \`<b>code</b>\` and **bold <u>u</u>**.

\`\`\`sh {"name":"x\\" onclick=\\"alert(12)","root":"<b>"}
echo "<script>alert(13)</script>"
\`\`\`

\`\`\`"><script>alert(14)</script>
text
\`\`\`
`;

/** Every start tag in the output, as markdown-it-produced HTML: tag name and attribute names. */
function tags(html: string): { name: string; attributes: string[]; raw: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].map((match) => ({
    name: match[1].toLowerCase(),
    attributes: [...match[2].matchAll(/([\w:-]+)(?:="([^"]*)")?/g)].map((attribute) => attribute[1].toLowerCase()),
    raw: match[0],
  }));
}

const ALLOWED_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'a', 'code', 'pre', 'span', 'div', 'strong', 'em', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'hr', 'br', 'article', 'header', 'section', 'del', 's']);
const ALLOWED_ATTRIBUTES = new Set(['href', 'class', 'rel', 'data-kb-kind', 'data-kb-id', 'data-kb-block', 'style', 'title', 'start']);

function assertSafeHtml(html: string) {
  for (const tag of tags(html)) {
    assert.ok(ALLOWED_TAGS.has(tag.name), `unexpected tag ${tag.raw}`);
    for (const attribute of tag.attributes) {
      assert.ok(ALLOWED_ATTRIBUTES.has(attribute), `unexpected attribute in ${tag.raw}`);
      assert.ok(!attribute.startsWith('on'), `event handler in ${tag.raw}`);
    }
    if (tag.name === 'td' || tag.name === 'th') continue;
    assert.ok(!tag.attributes.includes('style'), `style attribute in ${tag.raw}`);
  }
  for (const match of html.matchAll(/href="([^"]*)"/g)) {
    assert.match(match[1], /^(?:https?:\/\/|article:[a-z0-9-]+$|runbook:[a-z0-9-]+$)/, `href ${match[1]}`);
  }
  // No tag may start inside text: every "<" in the output begins an allowed tag.
  for (const match of html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)) assert.ok(ALLOWED_TAGS.has(match[1].toLowerCase()), `raw <${match[1]}`);
}

test('hostile Markdown renders to HTML with no raw HTML, no script links and no injected attributes', () => {
  const html = renderKnowledgeMarkdown(HOSTILE, { exists: (link) => link.kind === 'article' && link.id === 'what-is-ballooning' });
  assertSafeHtml(html);
  assert.ok(!/<(?:script|img|iframe)\b/i.test(html), html);
  assert.ok(html.includes('onerror=&quot;alert(2)&quot;'), 'the raw img tag is shown as escaped text');
  assert.ok(!/href="(?:javascript|data|vbscript|file):/i.test(html));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'raw HTML is shown as text');
  assert.ok(html.includes('href="https://example.org/a?b=1&amp;c=2"'), 'a good link survives, escaped');
  assert.ok(html.includes('href="https://example.org/auto"'), 'an autolink survives');
  assert.ok(!html.includes('evil.example/x.png'), 'no remote image');
  assert.ok(!html.includes('no-such-article'), 'links to missing documents are dropped: ' + html);
  assert.ok(html.includes('&lt;script&gt;alert(13)&lt;/script&gt;') || html.includes('&lt;/script&gt;'), 'code is escaped');
});

test('a hostile document cannot inject through its front matter either', () => {
  const text = `---
id: hostile
title: "<script>alert('t')</script>"
summary: "<img src=x onerror=alert('s')> javascript:alert(1)"
appliesTo: [any]
findings: []
sources:
  - title: "<b>bold source</b>"
    url: "javascript:alert('u')"
  - title: "quote\\" onmouseover=\\"alert(1)"
    url: "https://example.org/\\"onmouseover=\\"x"
  - title: plain
    citation: "<svg onload=alert(2)>"
---

Body with [a link](what-is-ballooning.md).
`;
  const parsed = parseKnowledgeDocument(text, 'article');
  assert.ok(parsed.doc, parsed.problems.join('; '));
  assert.ok(parsed.problems.some((problem) => problem.includes('url must be an http(s) URL')));
  const html = renderArticleHtml(parsed.doc, kb);
  assertSafeHtml(html);
  assert.ok(!/<(?:script|img|svg|b)\b/i.test(html), html);
  assert.ok(html.includes('href="article:what-is-ballooning"'));
});

test('a real article renders with title, internal links, highlighted code and its sources at the end', () => {
  const html = renderArticleHtml(kb.articles.get('reading-vmware-balloon-size')!, kb);
  assertSafeHtml(html);
  assert.match(html, /^<article class="kb-doc kb-article" data-kb-kind="article" data-kb-id="reading-vmware-balloon-size">/);
  assert.ok(html.includes('<h1>Reading the VMware balloon size from inside the guest</h1>'));
  assert.ok(html.includes('href="runbook:vmware-debugfs"'), 'relative runbook link becomes runbook:ID');
  assert.ok(html.includes('href="article:unaccounted-memory"'), 'relative article link becomes article:ID');
  const sources = html.indexOf('<section class="kb-sources"><h2>Sources</h2>');
  assert.ok(sources > 0 && html.indexOf('</article>') > sources, 'sources listed at the end');
  assert.ok(html.includes('href="https://github.com/torvalds/linux/blob/master/drivers/misc/vmw_balloon.c"'));

  const runbook = renderArticleHtml(kb.runbooks.get('vmware-debugfs')!, kb);
  assertSafeHtml(runbook);
  assert.ok(runbook.includes('<span class="hljs-'), 'shell code is highlighted');
  assert.ok(runbook.includes('data-kb-block="0"'), 'runnable blocks are numbered');
  assert.ok(runbook.includes('needs root') && runbook.includes('changes the system'), 'root/mutates badges');
  assert.ok(runbook.includes('href="article:reading-vmware-balloon-size"'), '../article.md from a runbook resolves to the article');
});

test('every shipped document renders safely', () => {
  for (const doc of [...kb.articles.values(), ...kb.runbooks.values()]) assertSafeHtml(renderArticleHtml(doc, kb));
});

test('articleMarkdownSection appends the articles with demoted headings, rewritten links and sources', () => {
  const section = articleMarkdownSection(['limit-below-configured', 'memory-limits-and-reservations', 'limit-below-configured', 'no-such-id'], { kb });
  assert.match(section, /^## Background: what the findings mean\n/);
  assert.equal((section.match(/^### /gm) ?? []).length, 2, 'each known article once, unknown ids skipped');
  assert.ok(section.includes('### The VM\'s memory limit is below its configured memory'));
  assert.ok(!/^## (?!Background)/m.test(section.replace(/```[\s\S]*?```/g, '')), 'article headings are demoted below the section heading');
  assert.ok(section.includes('#### What it means'));
  assert.ok(section.includes('(runbook `vmware-balloon-and-limit`)'), 'internal links become text with the id');
  assert.ok(!/\]\((?!https?:)[^)]*\)/.test(section), 'no relative links remain');
  assert.ok(section.includes('Sources:\n\n- [VMware KB 1033115'), 'sources listed');
  // The Markdown parses back without any raw HTML.
  const tokens = new MarkdownIt({ html: true }).parse(section, {});
  const html = tokens.flatMap((token) => [token, ...(token.children ?? [])]).filter((token) => token.type === 'html_block' || token.type === 'html_inline');
  assert.deepEqual(html.map((token) => token.content), []);
  assert.equal(articleMarkdownSection([], { kb }), '');
  assert.equal(articleMarkdownSection(['no-such-id'], { kb }), '');
  const linked = articleMarkdownSection(['balloon-inflated'], { kb, linkFor: (link) => `https://docs.example/${link.kind}/${link.id}` });
  assert.ok(linked.includes('](https://docs.example/article/what-is-ballooning)'));
});

test('articleMarkdownSection escapes raw HTML and script links of a hostile document', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-hostile-'));
  mkdirSync(join(dir, 'runbooks'));
  writeFileSync(join(dir, 'bad.md'), `---
id: bad
title: "<script>alert(1)</script> title"
summary: "summary <img src=x onerror=alert(2)> long enough to pass the summary length check"
appliesTo: [any]
sources:
  - title: "<b>src</b>"
    url: https://example.org/
---

<script>alert(3)</script> and <div onclick="x">div</div> and [js](javascript:alert(4)) and <https://example.org/ok>.

\`<b>in code</b>\`
`);
  const hostile: KnowledgeBase = loadKnowledgeBase(dir);
  const section = articleMarkdownSection(['bad'], { kb: hostile });
  const tokens = new MarkdownIt({ html: true }).parse(section, {});
  const raw = tokens.flatMap((token) => [token, ...(token.children ?? [])]).filter((token) => token.type === 'html_block' || token.type === 'html_inline');
  assert.deepEqual(raw.map((token) => token.content), [], section);
  const html = new MarkdownIt({ html: true }).render(section);
  assert.ok(!/<script|<img|<div|href="javascript/i.test(html), html);
  assert.ok(html.includes('href="https://example.org/ok"'));
  assert.ok(section.includes('`<b>in code</b>`'), 'code spans stay as written');
});

test('an article nests under the page: title at the level asked, body and sources below it', () => {
  const kb = loadKnowledgeBase();
  const doc = kb.articles.get('reading-vmware-balloon-size');
  assert.ok(doc);
  const nested = renderArticleHtml(doc, kb, 4);
  assert.ok(nested.includes('<h4>Reading the VMware balloon size from inside the guest</h4>'));
  assert.doesNotMatch(nested, /<h[123][ >]/, 'no heading above the level asked');
  assert.match(nested, /<h5>Sources<\/h5>/);
  const levels = [...nested.matchAll(/<h(\d)[ >]/g)].map((match) => Number(match[1]));
  assert.ok(levels.every((level) => level >= 4 && level <= 6), `levels ${levels.join(',')}`);
});

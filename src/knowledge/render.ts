import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import ini from 'highlight.js/lib/languages/ini';
import json from 'highlight.js/lib/languages/json';
import powershell from 'highlight.js/lib/languages/powershell';
import shell from 'highlight.js/lib/languages/shell';
import xml from 'highlight.js/lib/languages/xml';
import yamlLanguage from 'highlight.js/lib/languages/yaml';
import MarkdownIt from 'markdown-it';
import { posix } from 'node:path';
import { escapeHtml, escapeMarkdown } from '../shared/escape';
import { hypervisorPhrase } from '../shared/presentation';
import type { KnowledgeDoc, KnowledgeKind } from './documents';
import { getKnowledgeBase, isEnglishOnly, type KnowledgeBase } from './load';
import { DEFAULT_LANG, type Lang, type PerLang } from '../shared/i18n';

/** The words the rendered documents add around the authors' text, per language. */
export const KB_WORDS: PerLang<{
  needsRoot: string; mutates: string; readOnly: string; sources: string; appliesTo: string; background: string; englishOnly: string;
  linkText: (kind: KnowledgeKind, id: string) => string;
}> = {
  en: {
    needsRoot: 'needs root', mutates: 'changes the system', readOnly: 'read-only', sources: 'Sources', appliesTo: 'Applies to',
    background: 'Background: what the findings mean', englishOnly: 'article in English only', linkText: (kind, id) => `${kind} \`${id}\``,
  },
  es: {
    needsRoot: 'requiere root', mutates: 'modifica el sistema', readOnly: 'solo lectura', sources: 'Fuentes', appliesTo: 'Se aplica a',
    background: 'Contexto: qué significan los hallazgos', englishOnly: 'artículo disponible solo en inglés',
    linkText: (kind, id) => `${kind === 'runbook' ? 'runbook' : 'artículo'} \`${id}\``,
  },
};

/** The words for a knowledge base's language. */
export const knowledgeWords = (lang: Lang | undefined) => KB_WORDS[lang ?? DEFAULT_LANG] ?? KB_WORDS.en;
import { parseBlockAttributes, RUNNABLE_LANGUAGES } from './runbook-blocks';

hljs.registerLanguage('bash', bash); // aliases: sh, zsh
hljs.registerLanguage('shell', shell); // aliases: console, shellsession
hljs.registerLanguage('powershell', powershell);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('json', json);
hljs.registerLanguage('yaml', yamlLanguage);
hljs.registerLanguage('ini', ini);


export interface InternalLink { kind: KnowledgeKind; id: string }

/** The href the HTML uses for another document: `article:ID` or `runbook:ID` (the webview turns these into commands). */
export function internalHref(kind: KnowledgeKind, id: string): string {
  return `${kind}:${id}`;
}

/** Reads `article:ID` / `runbook:ID`; null for anything else. */
export function parseInternalHref(href: string): InternalLink | null {
  const match = /^(article|runbook):([a-z0-9][a-z0-9-]*)$/.exec(href);
  return match ? { kind: match[1] as KnowledgeKind, id: match[2] } : null;
}

/**
 * Resolves a link written in a knowledge document: `article:ID`, `runbook:ID`, or a relative
 * path to the Markdown file (`other.md`, `runbooks/x.md`, `../x.md`) so the files also link on
 * GitHub and in any Markdown preview. `from` is the kind of the document the link is in.
 */
export function resolveInternalLink(href: string, from: KnowledgeKind): InternalLink | null {
  const scheme = parseInternalHref(href);
  if (scheme) return scheme;
  const path = href.replace(/#.*$/, '');
  if (!/^(?:\.{1,2}\/)*(?:runbooks\/)?[a-z0-9][a-z0-9-]*\.md$/.test(path)) return null;
  const joined = posix.normalize(posix.join(from === 'runbook' ? 'runbooks' : '.', path));
  const match = /^(runbooks\/)?([a-z0-9][a-z0-9-]*)\.md$/.exec(joined);
  if (!match) return null;
  return { kind: match[1] ? 'runbook' : 'article', id: match[2] };
}

const isExternal = (href: string) => /^https?:\/\/[^\s]+$/i.test(href);

export interface RenderOptions {
  /** Kind of the document the Markdown belongs to (for relative links). Default article. */
  kind?: KnowledgeKind;
  /** Whether an internal link target exists; links to unknown targets become plain text. */
  exists?: (link: InternalLink) => boolean;
  /** Levels added to every heading, so a document nests under the page's own headings. */
  headingShift?: number;
  /** Language of the badges the renderer adds to runnable blocks; English by default. */
  lang?: Lang;
}

interface RenderEnv { kind: KnowledgeKind; exists: (link: InternalLink) => boolean; blockCount: number; headingShift: number; lang: Lang }

function createRenderer(): MarkdownIt.MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  // Parse-time filter: only http(s), article:/runbook: and relative .md links become links at all.
  md.validateLink = (url: string) => isExternal(url) || parseInternalHref(url) !== null || resolveInternalLink(url, 'article') !== null || resolveInternalLink(url, 'runbook') !== null;

  // After inline parsing: rewrite internal links to article:/runbook: hrefs and drop every other link.
  md.core.ruler.push('kb_links', (state) => {
    const env = state.env as unknown as RenderEnv;
    for (const blockToken of state.tokens) {
      const children = blockToken.children;
      if (!children) continue;
      const open: { drop: boolean }[] = [];
      for (const token of children) {
        if (token.type === 'link_open') {
          const href = String(token.attrGet('href') ?? '');
          let drop = false;
          if (isExternal(href)) {
            token.attrs = [['href', href], ['class', 'kb-external'], ['rel', 'noopener noreferrer']];
          } else {
            const link = resolveInternalLink(href, env.kind);
            if (link && env.exists(link)) {
              token.attrs = [['href', internalHref(link.kind, link.id)], ['class', `kb-internal kb-${link.kind}-link`], ['data-kb-kind', link.kind], ['data-kb-id', link.id]];
            } else drop = true;
          }
          token.meta = { ...(token.meta ?? {}), drop };
          open.push({ drop });
        } else if (token.type === 'link_close') {
          token.meta = { ...(token.meta ?? {}), drop: open.pop()?.drop ?? true };
        }
      }
    }
  });
  const unlessDropped: MarkdownIt.RendererRule =
    (tokens, idx, options, _env, self) => (tokens[idx].meta?.drop ? '' : self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = unlessDropped;
  md.renderer.rules.link_close = unlessDropped;
  // No remote images in a webview: an image shows as its alt text.
  md.renderer.rules.image = (tokens, idx, options, env, self) => escapeHtml(self.renderInlineAsText(tokens[idx].children ?? [], options, env));

  const shiftHeading: MarkdownIt.RendererRule = (tokens, idx, options, rawEnv, self) => {
    const shift = (rawEnv as unknown as RenderEnv).headingShift;
    const level = Math.min(6, Number(tokens[idx].tag.slice(1)) + shift);
    return self.renderToken(tokens, idx, options).replace(/^<(\/?)h\d/, `<$1h${level}`);
  };
  md.renderer.rules.heading_open = shiftHeading;
  md.renderer.rules.heading_close = shiftHeading;

  md.renderer.rules.fence = (tokens, idx, _options, rawEnv) => {
    const env = rawEnv as unknown as RenderEnv;
    const token = tokens[idx];
    const info = token.info.trim();
    const language = (/^[^\s{]*/.exec(info)?.[0] ?? '').toLowerCase();
    const code = highlightCode(token.content, language);
    const safeLanguage = language.replace(/[^a-z0-9_-]/g, '') || 'text';
    const pre = `<pre><code class="hljs language-${safeLanguage}">${code}</code></pre>`;
    if (!RUNNABLE_LANGUAGES.includes(language)) return `${pre}\n`;
    const index = env.blockCount++;
    const attributes = parseBlockAttributes(info.slice(language.length));
    const words = knowledgeWords(env.lang);
    const badges = [
      attributes.name ? `<span class="kb-block-name">${escapeHtml(attributes.name)}</span>` : '',
      attributes.root ? `<span class="kb-badge kb-root">${words.needsRoot}</span>` : '',
      attributes.mutates ? `<span class="kb-badge kb-mutates">${words.mutates}</span>` : `<span class="kb-badge kb-readonly">${words.readOnly}</span>`,
    ].filter(Boolean).join(' ');
    return `<div class="kb-block" data-kb-block="${index}"><div class="kb-block-meta">${badges}</div>${pre}</div>\n`;
  };
  return md;
}

/** Highlighted, escaped HTML for a code block (escaped plain text for languages we do not highlight). */
export function highlightCode(code: string, language: string): string {
  const name = language === 'console' ? 'shell' : language;
  if (name && name !== 'text' && hljs.getLanguage(name)) {
    try {
      return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
    } catch {
      // fall through to plain text
    }
  }
  return escapeHtml(code);
}

const renderer = createRenderer();

/** Renders knowledge Markdown (no front matter) to safe HTML: no raw HTML, only allowed links. */
export function renderKnowledgeMarkdown(markdown: string, options: RenderOptions = {}): string {
  const env: RenderEnv = {
    kind: options.kind ?? 'article', exists: options.exists ?? (() => true), blockCount: 0, headingShift: Math.max(0, Math.floor(options.headingShift ?? 0)), lang: options.lang ?? DEFAULT_LANG,
  };
  return renderer.render(typeof markdown === 'string' ? markdown : '', env as unknown as MarkdownIt.Env);
}

function sourcesHtml(doc: KnowledgeDoc, level: number, lang: Lang | undefined): string {
  if (!doc.sources.length) return '';
  const items = doc.sources.map((source) => {
    const title = escapeHtml(source.title);
    const head = source.url && isExternal(source.url) ? `<a class="kb-external" href="${escapeHtml(source.url)}" rel="noopener noreferrer">${title}</a>` : title;
    return `<li>${head}${source.citation ? ` — <span class="kb-citation">${escapeHtml(source.citation)}</span>` : ''}</li>`;
  });
  const tag = `h${Math.min(6, level)}`;
  return `<section class="kb-sources"><${tag}>${knowledgeWords(lang).sources}</${tag}><ol>${items.join('')}</ol></section>`;
}

/**
 * One article or runbook as an HTML fragment for the webview; links to unknown documents become text.
 * `titleLevel` is the heading level of the document's title (the report page nests articles under
 * its own h1/h2, so it passes 3); the body's headings follow below it.
 */
export function renderArticleHtml(doc: KnowledgeDoc, kb: KnowledgeBase | null = getKnowledgeBase(), titleLevel = 1): string {
  const level = Math.min(6, Math.max(1, Math.floor(titleLevel)));
  const exists = (link: InternalLink) => !kb || (link.kind === 'runbook' ? kb.runbooks : kb.articles).has(link.id);
  const lang = kb?.lang ?? DEFAULT_LANG;
  const words = knowledgeWords(lang);
  const applies = doc.appliesTo.map((kind) => hypervisorPhrase(kind, lang)).join(', ');
  const englishOnly = kb && isEnglishOnly(kb, doc.kind, doc.id) ? `<p class="kb-english-only">${escapeHtml(words.englishOnly)}</p>` : '';
  return [
    `<article class="kb-doc kb-${doc.kind}" data-kb-kind="${doc.kind}" data-kb-id="${escapeHtml(doc.id)}"${lang !== 'en' && !englishOnly ? ` lang="${lang}"` : ''}>`,
    `<header><h${level}>${escapeHtml(doc.title)}</h${level}><p class="kb-summary">${escapeHtml(doc.summary)}</p>`,
    englishOnly,
    applies ? `<p class="kb-applies">${words.appliesTo}: ${escapeHtml(applies)}</p>` : '',
    '</header>',
    `<div class="kb-body">${renderKnowledgeMarkdown(doc.body, { kind: doc.kind, exists, headingShift: level - 1, lang })}</div>`,
    sourcesHtml(doc, level + 1, lang),
    '</article>',
  ].join('');
}

export interface MarkdownSectionOptions {
  /** Default: the package's knowledge base in `lang`. */
  kb?: KnowledgeBase;
  /** The reader's language (default English): its translations, English where one is missing, saying so. */
  lang?: Lang;
  /** Heading of the section (level 2). */
  heading?: string;
  /** Link target for another document in the Markdown output; null → plain text with the id. */
  linkFor?: (link: InternalLink) => string | null;
}

/**
 * The articles behind a report's findings as Markdown, for `balloon-check --format markdown`:
 * a level-2 heading, then each article (level 3) with its headings demoted, links to other
 * documents rewritten, raw HTML escaped, and its sources. Unknown ids are skipped; '' when none.
 */
export function articleMarkdownSection(ids: readonly string[], options: MarkdownSectionOptions = {}): string {
  const kb = options.kb ?? getKnowledgeBase(undefined, options.lang);
  const words = knowledgeWords(kb.lang);
  const docs = [...new Set(ids)].map((id) => kb.articles.get(id)).filter((doc): doc is KnowledgeDoc => doc !== undefined);
  if (!docs.length) return '';
  const out: string[] = [`## ${options.heading ?? words.background}`, ''];
  for (const doc of docs) {
    out.push(`### ${escapeMarkdown(doc.title)}`, '', `*${escapeMarkdown(doc.summary)}*`, '');
    if (isEnglishOnly(kb, doc.kind, doc.id)) out.push(`(${words.englishOnly})`, '');
    out.push(rewriteMarkdownBody(doc.body, doc.kind, kb, options.linkFor ?? (() => null)).trim(), '');
    if (doc.sources.length) {
      out.push(`${words.sources}:`, '');
      for (const source of doc.sources) {
        const title = escapeMarkdown(source.title);
        out.push(`- ${source.url && isExternal(source.url) ? `[${title}](${source.url.replace(/[()\s]/g, encodeURIComponent)})` : title}${source.citation ? ` — ${escapeMarkdown(source.citation)}` : ''}`);
      }
      out.push('');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Demotes headings by two levels, rewrites links and escapes raw HTML outside code. */
function rewriteMarkdownBody(body: string, kind: KnowledgeKind, kb: KnowledgeBase, linkFor: (link: InternalLink) => string | null): string {
  const lines = body.split('\n');
  let fence: string | null = null;
  return lines.map((line) => {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length && !line.trim().slice(fenceMatch[1].length).trim()) fence = null;
      return line;
    }
    if (fenceMatch) { fence = fenceMatch[1]; return line; }
    if (/^ {4,}\S/.test(line)) return line; // indented code
    const heading = /^(#{1,6})(\s.*)$/.exec(line);
    const text = heading ? `${'#'.repeat(Math.min(6, heading[1].length + 2))}${heading[2]}` : line;
    return rewriteInline(text, kind, kb, linkFor);
  }).join('\n');
}

function rewriteInline(line: string, kind: KnowledgeKind, kb: KnowledgeBase, linkFor: (link: InternalLink) => string | null): string {
  // Split off inline code spans, which are left exactly as written.
  return line.split(/(`+[^`]*`+)/).map((part, index) => {
    if (index % 2 === 1) return part;
    const withLinks = part.replace(/(!?)\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/g, (_all, bang: string, text: string, href: string) => {
      if (bang) return text;
      if (isExternal(href)) return `[${text}](${href})`;
      const link = resolveInternalLink(href, kind);
      if (!link || !(link.kind === 'runbook' ? kb.runbooks : kb.articles).has(link.id)) return text;
      const target = linkFor(link);
      return target ? `[${text}](${target})` : `${text} (${knowledgeWords(kb.lang).linkText(link.kind, link.id)})`;
    });
    // Raw HTML never reaches a Markdown renderer: escape every angle bracket that is not an http(s) autolink.
    return withLinks.replace(/<(?!https?:\/\/[^\s<>]+>)/g, '\\<');
  }).join('');
}

/**
 * Everything heavy the extension needs (markdown-it, highlight.js, yaml, ssh-config, ssh2), as its
 * own bundle dist/extension-lazy.js: loaded at first use, never at activation. vscode-free.
 */
import { join } from 'node:path';
import type { Report } from '../core/report';
import type { Finding } from '../core/rules';
import { getKnowledgeBase, parseRunbookBlocks, renderArticleHtml, type KnowledgeBase, type KnowledgeDoc } from '../knowledge';
import { SshConfig } from '../transport/ssh-config';
import { ProbeError, type Transport } from '../transport/transport';
import type { RunnableBlock } from './model/runbook';
import type { ArticleView, RunbookLink } from './protocol';

export function knowledgeBase(extensionPath: string): KnowledgeBase {
  return getKnowledgeBase(join(extensionPath, 'knowledge'));
}

/** The runnable blocks of a Markdown text, as the code lenses need them. */
export function runnableBlocks(text: string): RunnableBlock[] {
  return parseRunbookBlocks(text).map((block) => ({
    line: block.startLine,
    code: block.command,
    root: block.attributes.root,
    mutates: block.attributes.mutates,
    name: block.attributes.name ? `step "${block.attributes.name}"` : `step ${block.index + 1}`,
  }));
}

export function articleView(kb: KnowledgeBase, id: string): ArticleView | null {
  const doc = kb.articles.get(id);
  if (!doc) return null;
  return { id: doc.id, title: doc.title, summary: doc.summary, html: renderArticleHtml(doc, kb), sources: doc.sources };
}

/** Article views for every article a report's findings cite. */
export function articlesFor(kb: KnowledgeBase, report: Report): Record<string, ArticleView> {
  const out: Record<string, ArticleView> = {};
  for (const id of new Set(report.findings.flatMap((finding) => finding.articles))) {
    const view = articleView(kb, id);
    if (view) out[id] = view;
  }
  return out;
}

const RUNBOOK_LINK = /(?:\]\(\s*(?:runbook:|(?:\.\.\/|\.\/)?runbooks\/)([a-z0-9][a-z0-9-]*)(?:\.md)?)/g;

/** Runbook ids an article's body links to, in order. */
function linkedRunbooks(doc: KnowledgeDoc): string[] {
  return [...doc.body.matchAll(RUNBOOK_LINK)].map((match) => match[1]);
}

/**
 * Runbooks that fit a finding, best first: runbooks naming the finding, runbooks its articles
 * link to, then runbooks for the guest's hypervisor (hypervisor-specific before "any").
 */
export function runbooksForFinding(kb: KnowledgeBase, finding: Pick<Finding, 'id' | 'articles'> | null, hypervisor: string): RunbookLink[] {
  const ranked: KnowledgeDoc[] = [];
  const add = (doc: KnowledgeDoc | undefined) => { if (doc && !ranked.includes(doc)) ranked.push(doc); };
  const runbooks = [...kb.runbooks.values()];
  const fits = (doc: KnowledgeDoc) => doc.appliesTo.includes('any') || doc.appliesTo.includes(hypervisor as never);
  if (finding) {
    for (const doc of runbooks) if (doc.findings.includes(finding.id)) add(doc);
    for (const articleId of finding.articles) {
      const article = kb.articles.get(articleId);
      if (article) for (const id of linkedRunbooks(article)) { const doc = kb.runbooks.get(id); if (doc && fits(doc)) add(doc); }
    }
  }
  if (!finding || ranked.length === 0) {
    for (const doc of runbooks) if (doc.appliesTo.includes(hypervisor as never)) add(doc);
    for (const doc of runbooks) if (doc.appliesTo.includes('any')) add(doc);
  }
  return ranked.map((doc) => ({ id: doc.id, title: doc.title }));
}

export function allRunbooks(kb: KnowledgeBase): { id: string; title: string; summary: string; path: string | null }[] {
  return [...kb.runbooks.values()].map((doc) => ({ id: doc.id, title: doc.title, summary: doc.summary, path: doc.path }));
}

/** Concrete Host names of the SSH config (undefined → ~/.ssh/config, absent is fine). */
export function sshConfigHosts(configFile: string | undefined): string[] {
  return SshConfig.load(configFile).concreteHosts();
}

/** The SSH transport for one host; wired to src/transport/ssh*.ts. */
export function createSshTransport(alias: string, configFile: string | undefined): Transport {
  void alias; void configFile;
  throw new ProbeError('other', 'the SSH transport is not available in this build');
}

/** What vscode.Pseudoterminal needs, without importing vscode here. */
export interface PseudoterminalLike {
  onDidWrite: (listener: (data: string) => void) => { dispose(): void };
  onDidClose?: (listener: (code: number | void) => void) => { dispose(): void };
  open(initialDimensions: { columns: number; rows: number } | undefined): void;
  close(): void;
  handleInput?(data: string): void;
  setDimensions?(dimensions: { columns: number; rows: number }): void;
}

/** An interactive shell on an SSH host, for running runbook steps (sudo can ask for its password there). */
export function sshPseudoterminal(alias: string): PseudoterminalLike {
  void alias;
  throw new ProbeError('other', 'the SSH terminal is not available in this build');
}

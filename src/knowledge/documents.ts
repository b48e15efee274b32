import { splitFrontMatter } from './frontmatter';
import { parseRunbookBlocks, type RunbookBlock } from './runbook-blocks';

export const HYPERVISORS = ['vmware', 'kvm', 'hyperv', 'xen', 'any'] as const;
export type KnowledgeHypervisor = (typeof HYPERVISORS)[number];
export type KnowledgeKind = 'article' | 'runbook';

/** A source: primary sources first. Exactly one of url (http/https) or citation. */
export interface KnowledgeSource {
  title: string;
  url?: string;
  citation?: string;
}

export interface KnowledgeDoc {
  kind: KnowledgeKind;
  id: string;
  title: string;
  summary: string;
  appliesTo: KnowledgeHypervisor[];
  /** Finding ids this document explains (articles) or helps with (runbooks). */
  findings: string[];
  sources: KnowledgeSource[];
  /** Markdown after the front matter. */
  body: string;
  /** Lines taken by the front matter, to map body lines back to the file. */
  bodyLineOffset: number;
  /** File it was loaded from, when it came from a file. */
  path: string | null;
  /** Runnable shell blocks (runbooks; articles may have none). Lines are file lines. */
  blocks: RunbookBlock[];
}

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,80}$/;

export interface ParsedDocument {
  doc: KnowledgeDoc | null;
  problems: string[];
}

/** Validates one Markdown document's front matter and returns it, with every problem found; never throws. */
export function parseKnowledgeDocument(text: string, kind: KnowledgeKind, path: string | null = null): ParsedDocument {
  const problems: string[] = [];
  const split = splitFrontMatter(typeof text === 'string' ? text : '');
  if (split.error) return { doc: null, problems: [split.error] };
  const data = split.data;
  if (!data) return { doc: null, problems: ['no front matter (--- id/title/summary/... ---)'] };
  const text_ = (key: string): string => {
    const value = data[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    problems.push(`${key} is missing or not text`);
    return '';
  };
  const id = text_('id');
  if (id && !ID_PATTERN.test(id)) problems.push(`id "${id}" must be lower-case letters, digits and dashes`);
  const title = text_('title');
  const summary = text_('summary');

  const appliesTo: KnowledgeHypervisor[] = [];
  const rawApplies = data.appliesTo;
  if (Array.isArray(rawApplies) && rawApplies.length) {
    for (const value of rawApplies) {
      if ((HYPERVISORS as readonly unknown[]).includes(value)) appliesTo.push(value as KnowledgeHypervisor);
      else problems.push(`appliesTo has unknown hypervisor ${JSON.stringify(value)} (use ${HYPERVISORS.join('|')})`);
    }
  } else problems.push('appliesTo must be a non-empty list of hypervisors');

  const findings: string[] = [];
  const rawFindings = data.findings ?? [];
  if (Array.isArray(rawFindings) && rawFindings.every((value) => typeof value === 'string')) for (const id of rawFindings as string[]) findings.push(id);
  else problems.push('findings must be a list of finding ids');

  const sources: KnowledgeSource[] = [];
  const rawSources = data.sources ?? [];
  if (Array.isArray(rawSources)) {
    rawSources.forEach((value, index) => {
      const source = value as Record<string, unknown> | null;
      if (!source || typeof source !== 'object' || typeof source.title !== 'string' || !source.title.trim()) {
        problems.push(`sources[${index}] needs a title`);
        return;
      }
      const entry: KnowledgeSource = { title: source.title.trim() };
      if (typeof source.url === 'string') {
        if (/^https?:\/\/[^\s]+$/i.test(source.url)) entry.url = source.url;
        else problems.push(`sources[${index}].url must be an http(s) URL`);
      }
      if (typeof source.citation === 'string' && source.citation.trim()) entry.citation = source.citation.trim();
      if (!entry.url && !entry.citation) problems.push(`sources[${index}] needs a url or a citation`);
      sources.push(entry);
    });
  } else problems.push('sources must be a list');

  if (kind === 'article' && sources.length === 0) problems.push('an article needs at least one source');
  if (kind === 'runbook' && data.runbook !== true) problems.push('a runbook needs runbook: true');
  if (kind === 'article' && data.runbook === true) problems.push('runbook: true belongs in knowledge/runbooks/');

  if (!id || !title) return { doc: null, problems };
  const doc: KnowledgeDoc = {
    kind, id, title, summary, appliesTo, findings, sources,
    body: split.body,
    bodyLineOffset: split.lineCount,
    path,
    blocks: parseRunbookBlocks(text),
  };
  return { doc, problems };
}

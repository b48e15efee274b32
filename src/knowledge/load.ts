import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defaultKnowledgeDir, translationDir } from './paths';
import { parseKnowledgeDocument, type KnowledgeDoc, type KnowledgeHypervisor, type KnowledgeKind } from './documents';
import { withPackedArticles } from './pack';
import { DEFAULT_LANG, type Lang } from '../shared/i18n';

export interface KnowledgeBase {
  /** Directory it was loaded from. */
  dir: string;
  articles: ReadonlyMap<string, KnowledgeDoc>;
  runbooks: ReadonlyMap<string, KnowledgeDoc>;
  /** Finding id → articles whose front matter lists it. */
  articlesByFinding: ReadonlyMap<string, KnowledgeDoc[]>;
  /** "file: problem" for every document that is incomplete or could not be read. */
  problems: string[];
  /** The language of the documents: English when absent. */
  lang?: Lang;
  /**
   * In another language: documents shown in English because `knowledge/<lang>/` has no translation of them,
   * as `article:ID` / `runbook:ID` (see isEnglishOnly).
   */
  englishOnly?: ReadonlySet<string>;
}

export { defaultKnowledgeDir, translationDir } from './paths';

function markdownFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md').sort().map((name) => join(dir, name))
      .filter((path) => { try { return statSync(path).isFile(); } catch { return false; } });
  } catch {
    return [];
  }
}

/** Loads and indexes every article (`DIR/*.md`) and runbook (`DIR/runbooks/*.md`); never throws. */
export function loadKnowledgeBase(dir: string = defaultKnowledgeDir()): KnowledgeBase {
  const problems: string[] = [];
  const articles = new Map<string, KnowledgeDoc>();
  const runbooks = new Map<string, KnowledgeDoc>();
  if (!existsSync(dir)) problems.push(`${dir}: knowledge directory not found`);
  // `packed`: the text of an article from the VSIX's pack (pack.ts), which has no file (its doc.path is null).
  const load = (path: string, kind: KnowledgeKind, into: Map<string, KnowledgeDoc>, packed?: string) => {
    let text: string;
    try {
      text = packed ?? readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
      return;
    }
    const { doc, problems: found } = parseKnowledgeDocument(text, kind, packed === undefined ? path : null);
    for (const problem of found) problems.push(`${path}: ${problem}`);
    if (!doc) return;
    if (doc.id !== basename(path, '.md')) problems.push(`${path}: id "${doc.id}" differs from the file name`);
    if (into.has(doc.id)) { problems.push(`${path}: duplicate id "${doc.id}"`); return; }
    into.set(doc.id, doc);
  };
  for (const [path, packed] of withPackedArticles(dir, markdownFiles(dir), problems)) load(path, 'article', articles, packed);
  for (const path of markdownFiles(join(dir, 'runbooks'))) load(path, 'runbook', runbooks);

  const articlesByFinding = new Map<string, KnowledgeDoc[]>();
  for (const doc of articles.values()) {
    for (const finding of doc.findings) articlesByFinding.set(finding, [...(articlesByFinding.get(finding) ?? []), doc]);
  }
  return { dir, articles, runbooks, articlesByFinding, problems };
}

/**
 * The knowledge base in `lang`: every document of `english` replaced by its translation from `translated` (same
 * id), the rest kept in English and listed in `englishOnly`. A translation with no English original is left
 * out (ids come from the English base).
 */
export function mergeTranslation(english: KnowledgeBase, translated: KnowledgeBase, lang: Lang): KnowledgeBase {
  const englishOnly = new Set<string>();
  const pick = (kind: KnowledgeKind, docs: ReadonlyMap<string, KnowledgeDoc>, twins: ReadonlyMap<string, KnowledgeDoc>) => new Map([...docs].map(([id, doc]) => {
    const twin = twins.get(id);
    if (!twin) englishOnly.add(`${kind}:${id}`);
    return [id, twin ?? doc] as const;
  }));
  const articles = pick('article', english.articles, translated.articles);
  const runbooks = pick('runbook', english.runbooks, translated.runbooks);
  const articlesByFinding = new Map<string, KnowledgeDoc[]>();
  for (const [finding, docs] of english.articlesByFinding) articlesByFinding.set(finding, docs.map((doc) => articles.get(doc.id) ?? doc));
  return { dir: english.dir, articles, runbooks, articlesByFinding, problems: [...english.problems, ...translated.problems], lang, englishOnly };
}

/** Whether a document of a knowledge base in another language is the English original standing in for a translation. */
export function isEnglishOnly(kb: KnowledgeBase, kind: KnowledgeKind, id: string): boolean {
  return kb.englishOnly?.has(`${kind}:${id}`) ?? false;
}

const cache = new Map<string, KnowledgeBase>();

/**
 * loadKnowledgeBase, read once per directory and language and kept (the files ship with the package). In a
 * language other than English: the translations of `DIR/<lang>/`, English where one is missing (mergeTranslation).
 */
export function getKnowledgeBase(dir: string = defaultKnowledgeDir(), lang: Lang = DEFAULT_LANG): KnowledgeBase {
  const key = `${lang}\0${dir}`;
  let kb = cache.get(key);
  if (!kb) {
    kb = lang === 'en' ? loadKnowledgeBase(dir) : mergeTranslation(getKnowledgeBase(dir), loadKnowledgeBase(translationDir(dir, lang)), lang);
    cache.set(key, kb);
  }
  return kb;
}

/** Documents that apply to a hypervisor (those marked `any` always do). */
export function documentsFor(kb: KnowledgeBase, hypervisor: KnowledgeHypervisor | string, kind: KnowledgeKind = 'runbook'): KnowledgeDoc[] {
  const docs = [...(kind === 'runbook' ? kb.runbooks : kb.articles).values()];
  return docs.filter((doc) => doc.appliesTo.includes('any') || doc.appliesTo.includes(hypervisor as KnowledgeHypervisor));
}

// Where the knowledge base's files are, without loading it (no Markdown parser): the CLI's text output asks
// whether an article has a translation with one stat.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lang } from '../shared/i18n';

/**
 * The package's `knowledge/` directory: walks up from this file to the directory holding
 * package.json, which works from `src/knowledge/` (tsx) and from the `dist/` bundles alike.
 */
export function defaultKnowledgeDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'knowledge');
    const parent = dirname(dir);
    if (parent === dir) return join(from, 'knowledge');
    dir = parent;
  }
}

/** Where a language's translations live: `knowledge/es/` (and `knowledge/es/runbooks/`) for Spanish. */
export const translationDir = (dir: string, lang: Lang): string => join(dir, lang);

/**
 * Whether the article `id` is shown in English to a reader of `lang`: it exists in English, and
 * `knowledge/<lang>/` has no translation of it.
 */
export function articleEnglishOnly(id: string, lang: Lang, dir: string = defaultKnowledgeDir()): boolean {
  if (lang === 'en' || !/^[a-z0-9][a-z0-9-]*$/.test(id)) return false;
  return existsSync(join(dir, `${id}.md`)) && !existsSync(join(translationDir(dir, lang), `${id}.md`));
}

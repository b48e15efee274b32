/**
 * The VSIX's knowledge articles packed into one compressed file per folder (`knowledge/articles.pack.br`,
 * `knowledge/es/articles.pack.br`): a zip compresses each file alone, so the 90-odd small articles cost
 * twice their size as separate .md files. scripts/package.mjs writes the packs and leaves the articles'
 * .md files out of the VSIX; runbooks stay files (code lenses open them in the editor). The CLI's npm
 * package and the .deb ship the .md files and no pack. Format: brotli-compressed JSON `{ "<name>.md": text }`.
 */
import { brotliDecompressSync } from 'node:zlib';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const ARTICLE_PACK = 'articles.pack.br';

const cache = new Map<string, ReadonlyMap<string, string> | null>();

/** The articles packed in `dir` (file name → text, sorted by name), or null when `dir` has no pack; throws on a broken pack. */
export function readArticlePack(dir: string): ReadonlyMap<string, string> | null {
  const file = join(dir, ARTICLE_PACK);
  if (cache.has(file)) return cache.get(file)!;
  let packed: ReadonlyMap<string, string> | null = null;
  if (existsSync(file)) {
    const data = JSON.parse(brotliDecompressSync(readFileSync(file)).toString('utf8')) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${file}: not a pack of articles`);
    const entries = Object.entries(data as Record<string, unknown>);
    for (const [name, text] of entries) {
      if (!/^[a-z0-9][a-z0-9-]*\.md$/.test(name) || typeof text !== 'string') throw new Error(`${file}: bad entry ${JSON.stringify(name)}`);
    }
    packed = new Map((entries as [string, string][]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  cache.set(file, packed);
  return packed;
}

/**
 * Writes the packed articles of `dir` back as the .md files they were (those not already there), into `dir`
 * itself by default, so an article opens as a file with its relative links (other articles, runbooks/)
 * working as shipped. Returns the files written; throws when the folder cannot be written.
 */
export function unpackArticles(dir: string, into: string = dir): string[] {
  const written: string[] = [];
  const packed = readArticlePack(dir);
  if (!packed) return written;
  mkdirSync(into, { recursive: true });
  for (const [name, text] of packed) {
    const path = join(into, name);
    if (existsSync(path)) continue;
    writeFileSync(path, text, { mode: 0o444 });
    written.push(path);
  }
  return written;
}

/**
 * The articles of `dir` as the loader reads them: its .md `files` (text undefined: read the file) and the
 * packed articles whose file is absent (with their text), in file-name order as if all were files. A pack
 * that cannot be read is a problem, never a crash.
 */
export function withPackedArticles(dir: string, files: readonly string[], problems: string[]): [path: string, text: string | undefined][] {
  let packed: ReadonlyMap<string, string> | null = null;
  try {
    packed = readArticlePack(dir);
  } catch (error) {
    problems.push(`${join(dir, ARTICLE_PACK)}: ${(error as Error).message}`);
  }
  const out = new Map<string, [string, string | undefined]>();
  for (const path of files) out.set(basename(path), [path, undefined]);
  for (const [name, text] of packed ?? []) if (!out.has(name)) out.set(name, [join(dir, name), text]);
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

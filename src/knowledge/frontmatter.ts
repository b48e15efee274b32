import { parseFrontMatterYaml } from './frontmatter-yaml';

export interface FrontMatterSplit {
  /** The parsed YAML mapping, or null when there is none or it is not a mapping. */
  data: Record<string, unknown> | null;
  /** The Markdown after the front matter. */
  body: string;
  /** Lines the front matter occupies (0 when absent), so callers can keep line numbers. */
  lineCount: number;
  /** Why the front matter could not be used, when it is present but broken. */
  error?: string;
}

const OPENING = /^---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/;

/** Index of the line that closes a leading front matter block, or -1 when there is none. */
function closingLine(lines: readonly string[]): number {
  for (let index = 1; index < lines.length; index++) {
    if (CLOSING.test(lines[index].replace(/\r$/, ''))) return index;
  }
  return -1;
}

/** Lines a leading front matter block takes (0 when there is none), without parsing its YAML. */
export function frontMatterLineCount(text: string): number {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (!OPENING.test(source)) return 0;
  return closingLine(source.split('\n')) + 1;
}

/** Splits a leading `---` YAML block from Markdown; never throws. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (!OPENING.test(source)) return { data: null, body: source, lineCount: 0 };
  const lines = source.split('\n');
  const end = closingLine(lines);
  if (end < 0) return { data: null, body: source, lineCount: 0, error: 'front matter has no closing ---' };
  const yamlText = lines.slice(1, end).join('\n');
  const body = lines.slice(end + 1).join('\n');
  const lineCount = end + 1;
  let data: unknown;
  try {
    // The knowledge base's own strict YAML subset (frontmatter-yaml.ts): plain data only, no tags, no aliases.
    data = parseFrontMatterYaml(yamlText);
  } catch (error) {
    return { data: null, body, lineCount, error: `front matter is not valid YAML: ${firstLine((error as Error).message)}` };
  }
  if (data === null || data === undefined) return { data: {}, body, lineCount };
  if (typeof data !== 'object' || Array.isArray(data)) return { data: null, body, lineCount, error: 'front matter is not a YAML mapping' };
  return { data: data as Record<string, unknown>, body, lineCount };
}

const firstLine = (text: string) => text.split('\n')[0].slice(0, 200);

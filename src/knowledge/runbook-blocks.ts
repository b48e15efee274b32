import MarkdownIt from 'markdown-it';
import { frontMatterLineCount } from './frontmatter';

/** Fence languages whose blocks are runnable steps (they get code lenses). */
export const RUNNABLE_LANGUAGES: readonly string[] = ['sh', 'bash', 'shell'];

/**
 * The attribute set of a runnable block, written as a JSON object after the language:
 * ```sh {"name":"balloon-size","root":false,"mutates":false,"guests":["vmware-idle-nolimit"],"expect":"0 MB"}
 * Runme's `{ key=value }` form is read too. Unknown keys are kept.
 */
export interface RunbookBlockAttributes {
  [key: string]: unknown;
  /** Short id of the step, unique within its runbook. */
  name?: string;
  /** The step needs root (the editor offers "Run with sudo" and asks first). */
  root: boolean;
  /** The step changes the system (the editor asks first). Undeclared or unreadable → true. */
  mutates: boolean;
  /** Simulated guests (test/fixtures/guests/<name>) the step is proven on. */
  guests: string[];
  /** Text the output must contain on every guest, or per guest: {"guest": "text"}. */
  expect?: string | Record<string, string>;
  /** Set when the attribute text could not be used; the block is still listed. */
  error?: string;
}

export interface RunbookBlock {
  /** 0-based position among the runnable blocks of the document. */
  index: number;
  /** 0-based line of the opening fence. */
  startLine: number;
  /** 0-based line of the closing fence (the last line of the document when unclosed). */
  endLine: number;
  /** Fence language: sh, bash or shell. */
  language: string;
  /** The block's text, exactly as it would be run (no trailing newline). */
  command: string;
  /** Whether the fence carried an attribute object at all. */
  declared: boolean;
  attributes: RunbookBlockAttributes;
}

const parser = new MarkdownIt({ html: false });
/** A line that could open a runnable fence (the parser decides; this only skips texts without one). */
const RUNNABLE_FENCE = /^[ \t>]*(?:`{3,}|~{3,})[ \t]*(?:sh|bash|shell)(?![\w-])/im;

/** Lists the runnable shell blocks of a Markdown text with their attributes. Pure; never throws. */
export function parseRunbookBlocks(markdownText: string): RunbookBlock[] {
  if (typeof markdownText !== 'string') return [];
  // Cheap exit for the common case of a document without any runnable fence.
  if (!RUNNABLE_FENCE.test(markdownText)) return [];
  const lines = markdownText.split('\n');
  // Keep line numbers: blank the front matter out instead of cutting it off.
  const frontLines = frontMatterLineCount(markdownText);
  const text = frontLines ? '\n'.repeat(frontLines) + lines.slice(frontLines).join('\n') : markdownText;
  let tokens;
  try {
    tokens = parser.parse(text, {});
  } catch {
    return [];
  }
  const blocks: RunbookBlock[] = [];
  for (const token of tokens) {
    if (token.type !== 'fence' || !token.map) continue;
    const rawInfo = rawInfoString(lines[token.map[0]] ?? '', token.markup, token.info);
    const language = /^[^\s{]*/.exec(rawInfo)?.[0].toLowerCase() ?? '';
    if (!RUNNABLE_LANGUAGES.includes(language)) continue;
    const attributeText = rawInfo.slice(language.length).trim();
    const closed = token.map[1] - 1 > token.map[0] && isClosingFence(lines[token.map[1] - 1] ?? '', token.markup);
    blocks.push({
      index: blocks.length,
      startLine: token.map[0],
      endLine: closed ? token.map[1] - 1 : Math.max(token.map[0], lines.length - 1),
      language,
      command: token.content.replace(/\r?\n$/, ''),
      declared: attributeText.length > 0,
      attributes: parseBlockAttributes(attributeText),
    });
  }
  return blocks;
}

/** The info string as written (markdown-it unescapes backslashes in token.info, which would change JSON). */
function rawInfoString(line: string, markup: string, fallback: string): string {
  const at = line.indexOf(markup);
  if (at < 0) return fallback.trim();
  let rest = line.slice(at + markup.length);
  // A longer fence than the markup ("````") leaves fence chars behind; skip them.
  while (rest.startsWith(markup[0])) rest = rest.slice(1);
  return rest.replace(/\r$/, '').trim();
}

function isClosingFence(line: string, markup: string): boolean {
  const trimmed = line.replace(/^(?:\s*>)*\s*/, '').replace(/\s+$/, '');
  return trimmed.length >= markup.length && [...trimmed].every((char) => char === markup[0]);
}

/** Reads an attribute text (`{"root":true}` or Runme's `{ root=true name=x }`); never throws. */
export function parseBlockAttributes(text: string): RunbookBlockAttributes {
  const trimmed = text.trim();
  if (!trimmed) return { root: false, mutates: true, guests: [] };
  let raw: Record<string, unknown> | null = null;
  let error: string | undefined;
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
      else error = 'attributes are not a JSON object';
    } catch (jsonError) {
      raw = parseKeyValueAttributes(trimmed);
      if (!raw) error = `attributes are neither JSON nor key=value pairs: ${(jsonError as Error).message}`;
    }
  } else {
    error = 'attributes must be written as {...} after the language';
  }
  return normalizeAttributes(raw ?? {}, error);
}

/** Runme's older form: `{ name=echo interactive=false label="two words" }`. */
function parseKeyValueAttributes(text: string): Record<string, unknown> | null {
  const inner = /^\{(.*)\}$/s.exec(text)?.[1];
  if (inner === undefined) return null;
  const pair = /\s*([A-Za-z_][\w-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']+)\s*/y;
  const out: Record<string, unknown> = {};
  let consumed = 0;
  while (consumed < inner.length) {
    if (!inner.slice(consumed).trim()) break;
    pair.lastIndex = consumed;
    const match = pair.exec(inner);
    if (!match) return null;
    const value = match[2];
    out[match[1]] = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value.startsWith("'") ? value.slice(1, -1) : value;
    consumed = pair.lastIndex;
  }
  return out;
}

function normalizeAttributes(raw: Record<string, unknown>, parseError: string | undefined): RunbookBlockAttributes {
  const problems: string[] = parseError ? [parseError] : [];
  // Object.fromEntries defines own properties, so a "__proto__" key cannot reach a prototype.
  const kept = Object.fromEntries(Object.entries(raw));
  const flag = (key: 'root' | 'mutates', missing: boolean): boolean => {
    const value = raw[key];
    if (value === undefined) return missing;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key} must be true or false`);
    return key === 'mutates'; // unreadable: assume it changes state, never assume it needs no confirmation
  };
  const root = flag('root', false);
  const mutates = flag('mutates', true);
  let guests: string[] = [];
  const rawGuests = raw.guests;
  if (Array.isArray(rawGuests) && rawGuests.every((guest) => typeof guest === 'string')) guests = rawGuests as string[];
  else if (typeof rawGuests === 'string') guests = rawGuests.split(',').map((guest) => guest.trim()).filter(Boolean);
  else if (rawGuests !== undefined) problems.push('guests must be a list of guest names');
  let name: string | undefined;
  if (typeof raw.name === 'string' && raw.name.trim()) name = raw.name.trim();
  else if (raw.name !== undefined) problems.push('name must be a string');
  let expect: RunbookBlockAttributes['expect'];
  const rawExpect = raw.expect;
  if (typeof rawExpect === 'string') expect = rawExpect;
  else if (rawExpect && typeof rawExpect === 'object' && !Array.isArray(rawExpect) && Object.values(rawExpect).every((value) => typeof value === 'string')) {
    expect = Object.fromEntries(Object.entries(rawExpect as Record<string, string>));
  } else if (rawExpect !== undefined) problems.push('expect must be a string or a {guest: text} object');
  const attributes: RunbookBlockAttributes = { ...kept, root, mutates, guests };
  if (name !== undefined) attributes.name = name; else delete attributes.name;
  if (expect !== undefined) attributes.expect = expect; else delete attributes.expect;
  if (problems.length) attributes.error = problems.join('; '); else delete attributes.error;
  return attributes;
}

/** The text a block's output must contain on one guest, or null when none is stated. */
export function expectedOutput(attributes: RunbookBlockAttributes, guest: string): string | null {
  const expect = attributes.expect;
  if (typeof expect === 'string') return expect;
  if (expect && Object.prototype.hasOwnProperty.call(expect, guest)) return expect[guest];
  return null;
}

/**
 * Whether `expected` occurs in `output` as a whole: not glued to a letter or digit on either side,
 * so "0 MB" does not match inside "20480 MB".
 */
export function outputContains(output: string, expected: string): boolean {
  if (!expected) return true;
  const word = /[A-Za-z0-9]/;
  for (let at = output.indexOf(expected); at >= 0; at = output.indexOf(expected, at + 1)) {
    const before = output[at - 1];
    const after = output[at + expected.length];
    const gluedBefore = before !== undefined && word.test(before) && word.test(expected[0]);
    const gluedAfter = after !== undefined && word.test(after) && word.test(expected[expected.length - 1]);
    if (!gluedBefore && !gluedAfter) return true;
  }
  return false;
}

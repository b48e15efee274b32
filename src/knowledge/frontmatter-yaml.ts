/**
 * The YAML of the knowledge base's front matter: a strict subset, parsed here instead of by the `yaml`
 * package (112 KB minified in the extension's bundle). What the subset holds:
 *
 *   key: plain, 'single-quoted' or "double-quoted" text     (true/false: booleans; empty, ~ or null: null)
 *   key: [flow, list, of, plain, words]                     ([] is empty)
 *   key:                                                    (a block list below, indented or not)
 *     - text
 *     - title: a mapping of text values, one key per line
 *       url: ...
 *   # whole-line and trailing (" #") comments
 *
 * Anything else (anchors, aliases, tags, block scalars | >, flow mappings, nested mappings, values over
 * several lines, numbers, duplicate keys, tabs in indentation) is a FrontMatterSyntaxError naming the
 * line, never a value different from what a YAML parser reads: test/knowledge/frontmatter-yaml.test.ts
 * parses every front matter of knowledge/ (English and Spanish) with both and compares them.
 */

export type FrontMatterValue = string | boolean | null | FrontMatterValue[] | { [key: string]: FrontMatterValue };

export class FrontMatterSyntaxError extends Error {}

interface Line { number: number; indent: number; text: string }

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+|$)/;
const ITEM = /^-(?:[ \t]+|$)/;
const NUMBER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };

const fail = (line: Line | number, message: string): never => {
  throw new FrontMatterSyntaxError(`line ${typeof line === 'number' ? line : line.number}: ${message}`);
};

/** Parses front-matter YAML of the subset above; throws FrontMatterSyntaxError outside it. */
export function parseFrontMatterYaml(source: string): FrontMatterValue {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    // CRLF: the \r before a line break (and, unlike the yaml package, at the end of the last line) is no content.
    const text = raw.replace(/\r$/, '');
    if (text.includes('\r')) fail(index + 1, 'a carriage return inside a line');
    const indent = /^ */.exec(text)![0].length;
    if (/^[ ]*\t/.test(text) && text.trim()) fail(index + 1, 'a tab in the indentation');
    if (!text.trim() || text.trimStart().startsWith('#')) return;
    lines.push({ number: index + 1, indent, text: text.slice(indent) });
  });
  if (!lines.length) return null;
  if (lines[0].indent !== 0) fail(lines[0], 'the first line is indented');
  const cursor = { at: 0 };
  const value = ITEM.test(lines[0].text) ? readSequence(lines, cursor, 0) : readMapping(lines, cursor, 0, true);
  if (cursor.at < lines.length) fail(lines[cursor.at], 'unexpected indentation (a value over several lines, or a nested block)');
  return value;
}

/** A block mapping whose keys sit at `indent`; `top`: its values may be block lists. */
function readMapping(lines: Line[], cursor: { at: number }, indent: number, top: boolean, first?: Line): Record<string, FrontMatterValue> {
  const out: Record<string, FrontMatterValue> = {};
  for (let line = first ?? lines[cursor.at]; line && line.indent === indent; line = lines[cursor.at]) {
    const key = KEY.exec(line.text);
    if (!key) fail(line, ITEM.test(line.text) ? 'a list where a key was expected' : 'expected "key: value"');
    if (Object.prototype.hasOwnProperty.call(out, key![1])) fail(line, `duplicate key "${key![1]}"`);
    cursor.at++;
    const rest = line.text.slice(key![0].length);
    const next = lines[cursor.at];
    if (stripComment(rest) === '' && next && (next.indent > indent || (next.indent === indent && ITEM.test(next.text)))) {
      if (!top || !ITEM.test(next.text)) fail(next, 'a nested block (only the top level may hold a list of items)');
      out[key![1]] = readSequence(lines, cursor, next.indent);
    } else out[key![1]] = inlineValue(rest, line);
  }
  return out;
}

/** A block list whose dashes sit at `indent`: items are values or one-line-per-key mappings of values. */
function readSequence(lines: Line[], cursor: { at: number }, indent: number): FrontMatterValue[] {
  const out: FrontMatterValue[] = [];
  for (let line = lines[cursor.at]; line && line.indent === indent && ITEM.test(line.text); line = lines[cursor.at]) {
    const dash = ITEM.exec(line.text)![0];
    const content = line.text.slice(dash.length);
    if (!stripComment(content)) fail(line, 'an empty list item');
    if (KEY.test(content)) {
      // `- key: value` then `  key: value` lines at the first key's column.
      out.push(readMapping(lines, cursor, indent + dash.length, false, { number: line.number, indent: indent + dash.length, text: content }));
    } else {
      cursor.at++;
      out.push(inlineValue(content, line));
    }
  }
  return out;
}

/** The text before a comment (" #" outside quotes), trimmed. */
function stripComment(text: string): string {
  const hash = /(?:^|[ \t])#/.exec(text);
  return (hash ? text.slice(0, hash.index) : text).trim();
}

/** A value on the rest of a line: a quoted or plain scalar, or a flow list. */
function inlineValue(rest: string, line: Line): FrontMatterValue {
  const text = rest.trim();
  if (text.startsWith('"') || text.startsWith("'")) return quoted(text, line);
  if (text.startsWith('[')) return flowList(text, line);
  return plain(stripComment(text), line, false);
}

function quoted(text: string, line: Line): string {
  const quote = text[0];
  let out = '';
  let at = 1;
  for (;; at++) {
    if (at >= text.length) return fail(line, 'a quoted value that does not end on its line');
    const char = text[at];
    if (char === quote) {
      // '' inside single quotes is one quote.
      if (quote === "'" && text[at + 1] === "'") { out += "'"; at++; continue; }
      break;
    }
    if (quote === "'" || char !== '\\') { out += char; continue; }
    const escape = text[++at];
    if (escape !== undefined && escape in ESCAPES) out += ESCAPES[escape];
    else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) { out += String.fromCharCode(parseInt(text.slice(at + 1, at + 5), 16)); at += 4; } else fail(line, `the escape \\${escape ?? ''} is outside the subset`);
  }
  if (stripComment(text.slice(at + 1)) !== '') fail(line, 'text after a quoted value');
  return out;
}

function flowList(text: string, line: Line): FrontMatterValue[] {
  const close = text.indexOf(']');
  if (close < 0) fail(line, 'a [list] that does not end on its line');
  if (stripComment(text.slice(close + 1)) !== '') fail(line, 'text after a [list]');
  const inner = text.slice(1, close);
  if (!inner.trim()) return [];
  return inner.split(',').map((item) => plain(item.trim(), line, true));
}

/** A plain (unquoted) scalar: text, a boolean or null; numbers and YAML indicators are outside the subset. */
function plain(text: string, line: Line, inFlow: boolean): FrontMatterValue {
  if (text === '') { if (inFlow) fail(line, 'an empty item in a [list]'); return null; }
  if (/^[[\]{},#&*!|>'"%@`]/.test(text) || /^[-?:](?:[ \t]|$)/.test(text)) fail(line, `"${text.slice(0, 20)}" starts with a YAML indicator: quote it`);
  if (/:(?:[ \t]|$)/.test(text)) fail(line, `": " inside "${text.slice(0, 40)}": quote the value`);
  if (inFlow && /[[\]{}'"#]/.test(text)) fail(line, `"${text}" in a [list]: only plain words`);
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^(?:~|null|Null|NULL)$/.test(text)) return null;
  if (NUMBER.test(text)) fail(line, `${text} is a number: quote it to use it as text`);
  return text;
}

/** A parser's answer: a value, or "unknown" with the reason. Parsers never throw and never guess. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export const known = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const unknown = <T = never>(reason: string): Parsed<T> => ({ ok: false, reason });

/** Largest text a parser looks at; anything longer is a damaged or hostile source. */
export const MAX_PARSE_CHARS = 1 << 20;

/** Common refusals shared by every parser: empty, enormous or binary text. */
export function refuseText(text: string, what: string): string | null {
  if (text.trim() === '') return `${what} is empty`;
  if (text.length > MAX_PARSE_CHARS) return `${what} is ${text.length} characters long, more than this source can be`;
  // A NUL, or bytes that are not UTF-8 (decoded as U+FFFD): no kernel file or tool answer has them. The probe
  // ends a line at a NUL on every awk (busybox awk cannot do otherwise), so binary files show as U+FFFD here.
  if (/[\u0000\ufffd]/.test(text)) return `${what} contains binary data`;
  return null;
}

/** A decimal integer that is exactly digits and safe in a double, else null. */
export function parseCount(token: string | undefined): number | null {
  if (token === undefined || !/^\d{1,15}$/.test(token)) return null;
  return Number(token);
}

export function lines(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/\r$/, ''));
}

/** `key=value` lines, as the probe prints its own small sections. */
export function keyValues(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines(text)) {
    const eq = line.indexOf('=');
    if (eq > 0) map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return map;
}

/**
 * `key<separator>value` lines where a key repeated with another value means two texts were mixed
 * or the file is damaged: then `conflict` names the key and the values must not be trusted.
 */
export function uniqueKeyValues(text: string, separator: '=' | ':'): { values: Map<string, string>; conflict: string | null } {
  const values = new Map<string, string>();
  for (const line of lines(text)) {
    const at = line.indexOf(separator);
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    const seen = values.get(key);
    if (seen !== undefined && seen !== value) return { values, conflict: key };
    values.set(key, value);
  }
  return { values, conflict: null };
}

/** count × unit, or null when the product is past 2^53 and a double would round it. */
export function scaled(count: number | null, unit: number): number | null {
  if (count === null) return null;
  const product = count * unit;
  return Number.isSafeInteger(product) ? product : null;
}

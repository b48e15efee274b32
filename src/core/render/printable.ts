/** C0 and C1 control characters: from a guest they could drive the terminal (ESC, CSI) or forge lines (CR, LF). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export const printable = (text: string): string => text.replace(CONTROL, '\uFFFD');

/** A copy of a report-like value with every string made printable (renderers print guest-supplied text). */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((item) => printableDeep(item)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, printableDeep(item)])) as T;
  }
  return value;
}

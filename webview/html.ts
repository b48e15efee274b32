/** DOM-free HTML helpers shared by the page's renderers (unit-tested in Node). */

import { escapeHtml } from '../src/shared/escape';

/** Tagged template: every interpolated value is escaped unless it is a `Raw` made by this module. */
export class Raw {
  constructor(readonly html: string) {}
  toString(): string { return this.html; }
}

export function raw(html: string): Raw {
  return new Raw(html);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0];
  values.forEach((value, index) => {
    out += interpolate(value) + strings[index + 1];
  });
  return new Raw(out);
}

function interpolate(value: unknown): string {
  if (value instanceof Raw) return value.html;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

import assert from 'node:assert/strict';
import type { Parsed } from '../../src/core/parsed';

/** The value of a parse that must succeed; the parser's reason is the failure message. */
export function parsedValue<T>(parsed: Parsed<T>): T {
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
}

/** The reason of a parse that must refuse; the failure message quotes the start of `input`. */
export function refusalReason(parsed: Parsed<unknown>, input: string): string {
  assert.equal(parsed.ok, false, `expected a refusal for ${JSON.stringify(input.slice(0, 60))}`);
  return parsed.ok ? '' : parsed.reason;
}

/** `value(text)` (must parse) and `reason(text)` (must be refused) of one parser. */
export function parserProbes<T>(parser: (text: string) => Parsed<T>): { value: (text: string) => T; reason: (text: string) => string } {
  return { value: (text) => parsedValue(parser(text)), reason: (text) => refusalReason(parser(text), text) };
}

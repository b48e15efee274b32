import assert from 'node:assert/strict';
import test from 'node:test';
import { parseXenMemory } from '../../src/core/parsers/xen';
import { XEN_AT_TARGET, XEN_BELOW_TARGET } from '../helpers/samples';

const value = (text: string) => {
  const parsed = parseXenMemory(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
};
const reason = (text: string) => {
  const parsed = parseXenMemory(text);
  assert.equal(parsed.ok, false, `expected a refusal for ${JSON.stringify(text.slice(0, 60))}`);
  return parsed.ok ? '' : parsed.reason;
};

test('xen_memory0: target_kb and current_kb in kB, balloon = low_kb + high_kb', () => {
  assert.deepEqual(value(XEN_BELOW_TARGET), { targetBytes: 4 * 1024 ** 3, currentBytes: 3 * 1024 ** 3, balloonBytes: 1024 ** 3 });
  assert.deepEqual(value(XEN_AT_TARGET), { targetBytes: 2 * 1024 ** 3, currentBytes: 2 * 1024 ** 3, balloonBytes: 2 * 1024 ** 3 });
});

test('`target` is in bytes and only used when target_kb is missing', () => {
  assert.equal(value('target=4294967296\ncurrent_kb=4194304\n').targetBytes, 4294967296);
  assert.equal(value('target_kb=1024\ntarget=99\n').targetBytes, 1024 * 1024);
});

test('missing info/ files give null figures, not zeros', () => {
  assert.deepEqual(value('target_kb=2097152\n'), { targetBytes: 2 * 1024 ** 3, currentBytes: null, balloonBytes: null });
  assert.equal(value('target_kb=2097152\nlow_kb=1024\n').balloonBytes, 1024 * 1024);
});

test('CRLF parses the same', () => {
  assert.deepEqual(value(XEN_BELOW_TARGET.replace(/\n/g, '\r\n')), value(XEN_BELOW_TARGET));
});

test('refusals: empty, garbage, negative or huge target, binary', () => {
  assert.match(reason(''), /empty/);
  assert.match(reason('nonsense\n'), /no readable target/);
  assert.match(reason('target_kb=-4\n'), /no readable target/);
  assert.match(reason(`target_kb=${'9'.repeat(30)}\n`), /no readable target/);
  assert.match(reason('target_kb=12\u0000\n'), /binary/);
});

test('a target_kb beyond what a double holds exactly in bytes is refused, not rounded', () => {
  // 15 digits of kB × 1024 is past 2^53: the byte figure would be made up.
  assert.equal(parseXenMemory('target_kb=999999999999999\n').ok, false);
});

test('target_kb twice with different values is refused', () => {
  assert.equal(parseXenMemory('target_kb=1024\ntarget_kb=2048\n').ok, false);
});

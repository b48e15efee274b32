import assert from 'node:assert/strict';
import test from 'node:test';
import { parseProcXenBalloon, parseXenMemory } from '../../src/core/parsers/xen';
import { XEN_AT_TARGET, XEN_BELOW_TARGET } from '../helpers/samples';
import { parserProbes } from '../helpers/parsed';

const { value, reason } = parserProbes(parseXenMemory);

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

const CLASSIC = 'Current allocation:  2097152 kB\nRequested target:    2097152 kB\nLow-mem balloon:     2097152 kB\nHigh-mem balloon:          0 kB\nDriver pages:           1024 kB\nXen hard limit:          ??? kB\n';

test('/proc/xen/balloon (classic 2.6.18-xen): kB lines, balloon = low-mem + high-mem, "???" hard limit is none known', () => {
  const parsed = parseProcXenBalloon(CLASSIC);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, { targetBytes: 2 * 1024 ** 3, currentBytes: 2 * 1024 ** 3, balloonBytes: 2 * 1024 ** 3, driverBytes: 1024 * 1024, hardLimitBytes: null });
  // older trees: no Driver pages line, headroom after the hard limit
  const older = 'Current allocation:  1048576 kB\nRequested target:     786432 kB\nLow-mem balloon:      262144 kB\nHigh-mem balloon:      65536 kB\nXen hard limit:      1048576 kB (inc.     8192 kB driver headroom)\n';
  const old = parseProcXenBalloon(older);
  assert.ok(old.ok, old.ok ? '' : old.reason);
  assert.deepEqual(old.value, { targetBytes: 768 * 1024 ** 2, currentBytes: 1024 ** 3, balloonBytes: 320 * 1024 ** 2, driverBytes: null, hardLimitBytes: 1024 ** 3 });
});

test('/proc/xen/balloon refusals: foreign lines, missing figures, two different values, binary', () => {
  const refused = (text: string) => { const parsed = parseProcXenBalloon(text); assert.equal(parsed.ok, false, text); return parsed.ok ? '' : parsed.reason; };
  assert.match(refused('Current allocation:  2097152 kB\nRequested target:    2097152 kB\n'), /lacks/);
  assert.match(refused(CLASSIC + 'Something else:   1 kB\n'), /not in the driver's format/);
  assert.match(refused(CLASSIC.replace('Xen hard limit:          ??? kB', 'Xen hard limit:     ')), /not in the driver's format/);
  assert.match(refused(CLASSIC + 'Low-mem balloon:     1 kB\n'), /two different Low-mem balloon/);
  assert.match(refused('Current allocation:  lots kB\n'), /not in the driver's format/);
  assert.match(refused(''), /empty/);
  assert.match(refused('Current allocation:  2097152 kB\u0000'), /binary/);
});

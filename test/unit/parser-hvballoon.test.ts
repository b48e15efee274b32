import assert from 'node:assert/strict';
import test from 'node:test';
import { parseHvBalloon } from '../../src/core/parsers/hvballoon';
import { HV, HV_TYPO } from '../helpers/samples';
import { parserProbes } from '../helpers/parsed';

const { value, reason } = parserProbes(parseHvBalloon);

test('debugfs hv-balloon (6.0+): pages in 4 KiB, state name from the parentheses', () => {
  assert.deepEqual(value(HV), {
    pagesBallooned: 262144, pagesAdded: 0, pagesOnlined: 0, state: 'Balloon Up', maxDynamicPages: 4194304, committedPages: 1310720, pageSize: 4096,
  });
  assert.equal(value(HV).pagesBallooned * 4096, 1024 ** 3);
});

test('the early typo total_pages_commited is read like the fixed key', () => {
  assert.equal(value(HV_TYPO).committedPages, 1310720);
});

test('max_dynamic_page_count fills all 22 columns, so no space before the colon', () => {
  assert.match(HV, /^max_dynamic_page_count: 4194304$/m);
  assert.equal(value(HV).maxDynamicPages, 4194304);
});

test('CRLF parses the same', () => {
  assert.deepEqual(value(HV.replace(/\n/g, '\r\n')), value(HV));
});

test('an empty balloon is a known 0', () => {
  assert.equal(value(HV.replace(/pages_ballooned {7}: 262144/, 'pages_ballooned       : 0')).pagesBallooned, 0);
});

test('refusals: empty, garbage, no or bad pages_ballooned, binary, huge', () => {
  assert.match(reason(''), /empty/);
  assert.match(reason('lorem ipsum\n'), /no pages_ballooned line/);
  assert.match(reason(HV.replace('pages_ballooned       : 262144', 'pages_ballooned       : -1')), /not a number/);
  assert.match(reason(HV.replace('pages_ballooned       : 262144', `pages_ballooned       : ${'1'.repeat(30)}`)), /not a number/);
  assert.match(reason(`${HV}\u0000`), /binary/);
  assert.match(reason(HV.repeat(5000)), /characters long/);
});

test('optional counters that do not parse become null, not a guess', () => {
  const stats = value(HV.replace('pages_added           : 0', 'pages_added           : lots'));
  assert.equal(stats.pagesAdded, null);
});

test('truncated inside the pages_ballooned value: refused, not a smaller balloon', () => {
  const at = HV.indexOf('pages_ballooned');
  const lineEnd = HV.indexOf('\n', at);
  for (let cut = HV.indexOf(':', at) + 2; cut <= lineEnd; cut++) {
    assert.equal(parseHvBalloon(HV.slice(0, cut)).ok, false, `cut at column ${cut - at}`);
  }
});

test('pages_ballooned twice with different values is refused', () => {
  assert.equal(parseHvBalloon(`${HV}pages_ballooned       : 1\n`).ok, false);
});

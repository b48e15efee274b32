import assert from 'node:assert/strict';
import test from 'node:test';
import { toOpenMetrics, wantsOpenMetrics } from '../../src/cli/serve-openmetrics';
import { isLoopback, parseListen, parseServeArgs, ServeUsageError } from '../../src/cli/serve';

test('--listen parsing and what counts as loopback', () => {
  assert.deepEqual(parseListen('127.0.0.1:10118'), { host: '127.0.0.1', port: 10118 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen(':9'), { host: '0.0.0.0', port: 9 });
  assert.deepEqual(parseListen('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['127.0.0.1', '::1:80', 'host.example:80', '127.0.0.1:65536', '[::1]', '1.2.3.4:-1', '']) assert.throws(() => parseListen(bad), ServeUsageError, bad);
  for (const host of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', 'localhost']) assert.equal(isLoopback(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', '::2']) assert.equal(isLoopback(host), false, host);
  assert.throws(() => parseServeArgs(['--listen', '10.0.0.1:10118']), /--allow-non-loopback/);
  assert.equal((parseServeArgs(['--listen', '10.0.0.1:10118', '--allow-non-loopback']) as { host: string }).host, '10.0.0.1');
  for (const args of [['--min-interval', '0'], ['--min-interval', 'x'], ['--probe-timeout', '-1'], ['--min-interval', '9999999999'], ['--jobs', '1.5'], ['--run-snapshot-tools'], ['--format', 'json']]) {
    assert.throws(() => parseServeArgs(args), ServeUsageError, args.join(' '));
  }
  const defaults = parseServeArgs([]) as { host: string; port: number; minIntervalSeconds: number; probeTimeoutSeconds: number };
  assert.deepEqual([defaults.host, defaults.port, defaults.minIntervalSeconds, defaults.probeTimeoutSeconds], ['127.0.0.1', 10118, 30, 10]);
});

test('Accept negotiation: OpenMetrics only when preferred', () => {
  assert.equal(wantsOpenMetrics(undefined), false);
  assert.equal(wantsOpenMetrics('*/*'), false);
  assert.equal(wantsOpenMetrics('text/plain'), false);
  assert.equal(wantsOpenMetrics('application/openmetrics-text; version=1.0.0'), true);
  assert.equal(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), true);
  assert.equal(wantsOpenMetrics('text/plain;q=0.9, application/openmetrics-text;q=0.5'), false);
  assert.equal(wantsOpenMetrics('application/openmetrics-text;q=0'), false);
});

test('OpenMetrics form: counter and info families renamed, samples unchanged, # EOF last', () => {
  const text = ['# HELP a_total Things.', '# TYPE a_total counter', 'a_total 3', '# HELP b_info Meta.', '# TYPE b_info gauge', 'b_info{x="1"} 1',
    '# HELP c_bytes Size.', '# TYPE c_bytes gauge', 'c_bytes 5', ''].join('\n');
  assert.equal(toOpenMetrics(text), ['# HELP a Things.', '# TYPE a counter', 'a_total 3', '# HELP b Meta.', '# TYPE b info', 'b_info{x="1"} 1',
    '# HELP c_bytes Size.', '# TYPE c_bytes gauge', 'c_bytes 5', '# EOF', ''].join('\n'));
});

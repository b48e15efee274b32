import assert from 'node:assert/strict';
import test from 'node:test';
import type { Report } from '../../src/core/report';
import { findingIds, GiB, guestPath, jsonReport, runCli, runCliAsync, schemaErrors } from '../helpers/guests';
import { KERNEL_GUESTS } from './kernel-guests';

// The simulated guests of issue 8 §2, through the real CLI (`balloon-check --root DIR`).
for (const [name, expected] of Object.entries(KERNEL_GUESTS)) {
  test(`--root ${name}: ${expected.kind}/${expected.driver ?? 'no driver'}, ${expected.status}, exit ${expected.exit}`, () => {
    const { report, run } = jsonReport(guestPath(name));
    assert.deepEqual(schemaErrors(report), []);
    assert.equal(run.status, expected.exit, run.stderr);
    assert.equal(report.status, expected.status);
    assert.equal(report.hypervisor.kind, expected.kind);
    assert.equal(report.balloon.driver, expected.driver);
    assert.equal(report.balloon.currentBytes, expected.balloonBytes);
    const ids = findingIds(report);
    for (const id of expected.present) assert.ok(ids.includes(id), `${name}: ${id} missing from ${ids.join(', ')}`);
    for (const id of expected.absent) assert.ok(!ids.includes(id), `${name}: ${id} must not fire`);
    expected.check(report);
  });
}

test('rhel5-no-memavailable: the text memory bar is drawn with the estimate and says so', () => {
  const run = runCli(['--root', guestPath('rhel5-no-memavailable'), '--format', 'text']);
  assert.equal(run.status, 1, run.stderr);
  assert.doesNotMatch(run.stdout, /figures unknown/);
  assert.match(run.stdout, /░ available 214 MiB \(estimate: MemFree \+ Buffers \+ Cached\)/);
});

test('--watch 0.2 --count 3 on a guest whose balloon never deflates: balloon-persistent, with the smallest balloon', async () => {
  const run = await runCliAsync(['--root', guestPath('kvm-ubuntu2004-5.4'), '--watch', '0.2', '--count', '3', '--format', 'json']);
  assert.equal(run.status, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal(report.trend?.samples, 3);
  assert.equal(report.trend?.minBalloonBytes, 3 * GiB);
  const persistent = report.findings.find((f) => f.id === 'balloon-persistent');
  assert.ok(persistent, findingIds(report).join(', '));
  assert.match(persistent.title, /all 3 samples \(at least 3\.0 GiB\)/);
  // a single sample is no history
  assert.ok(!findingIds(jsonReport(guestPath('kvm-ubuntu2004-5.4')).report).includes('balloon-persistent'));
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import test from 'node:test';
import type { Report } from '../../src/core/report';
import { splitProbeOutput } from '../../src/core/sections';
import { LocalTransport } from '../../src/transport/local';
import { runCli, schemaErrors } from '../helpers/guests';
import { requireSystem } from '../helpers/system';

// This machine (and CI) is a KVM guest with a virtio balloon, running the tests inside a container.
const KVM_WITH_BALLOON = '/sys/bus/virtio/drivers/virtio_balloon';

test('the real probe on this machine runs to its end marker', async (t) => {
  if (!requireSystem(t, 'a KVM guest with a virtio balloon', existsSync(KVM_WITH_BALLOON), 'run on the project\'s KVM build machine')) return;
  const output = await new LocalTransport().runProbe({ toolTimeoutSeconds: 5 });
  const split = splitProbeOutput(output);
  assert.ok(split.ok, split.ok ? '' : split.reason);
  assert.equal(split.output.complete, true);
  for (const id of ['meta', 'meminfo', 'vmstat', 'cpuinfo', 'virtio-devices', 'memory-blocks']) {
    assert.equal(split.output.sections.get(id)?.status, 'ok', `section ${id}: ${split.output.sections.get(id)?.detail}`);
  }
});

test('balloon-check on this machine: valid report, KVM, virtio_balloon bound, size known, configured >= MemTotal', (t) => {
  if (!requireSystem(t, 'a KVM guest with a virtio balloon', existsSync(KVM_WITH_BALLOON), 'run on the project\'s KVM build machine')) return;
  const run = runCli(['--format', 'json']);
  const report = JSON.parse(run.stdout) as Report;
  assert.deepEqual(schemaErrors(report), []);
  assert.equal(report.target.kind, 'local');
  assert.equal(report.hypervisor.kind, 'kvm', report.hypervisor.evidence.join('; '));
  assert.equal(report.balloon.driver, 'virtio_balloon');
  assert.equal(report.balloon.loaded, true);
  assert.equal(typeof report.balloon.currentBytes, 'number', `balloon size unknown: ${JSON.stringify(report.probes)}`);
  assert.ok(report.balloon.currentBytes! >= 0);
  assert.equal(typeof report.memory.totalBytes, 'number');
  assert.ok(report.memory.configuredBytes! >= report.memory.totalBytes!, `configured ${report.memory.configuredBytes} < MemTotal ${report.memory.totalBytes}`);
  assert.equal(typeof report.balloon.deflateOnOom, 'boolean', 'the negotiated feature bits were read');
  assert.ok([0, 1, 2].includes(run.status ?? -1), `exit ${run.status}: ${run.stderr}`);
  assert.notEqual(report.status, 'unknown');
});

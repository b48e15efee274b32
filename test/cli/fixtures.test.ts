import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import test from 'node:test';
import type { Report } from '../../src/core/report';
import { committedGuests, copyGuest, findingIds, GiB, guestPath, jsonReport, MiB, probe, schemaErrors, tempDir } from '../helpers/guests';
import { buildHostileHuge } from '../helpers/hostile-huge';
import { KERNEL_GUESTS } from './kernel-guests';

/** What each simulated guest must produce; numbers come from each fixture's README. */
interface Expected {
  kind: Report['hypervisor']['kind'];
  driver: Report['balloon']['driver'];
  balloonBytes: number | null;
  present: string[];
  absent: string[];
  exit: 0 | 1 | 2 | 3;
  check?: (report: Report) => void;
}

const EXPECTED: Record<string, Expected> = {
  'vmware-limit-12g-of-32g': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 20 * GiB, exit: 2,
    present: ['limit-below-configured', 'balloon-inflated', 'unaccounted-memory', 'balloon-near-cap'],
    absent: ['host-contention', 'vmware-tools-missing', 'balloon-sources-disagree', 'stats-need-root', 'limit-beyond-balloon-cap'],
    check: (report) => {
      const limit = report.findings.find((finding) => finding.id === 'limit-below-configured');
      assert.equal(limit?.severity, 'critical');
      assert.match(limit?.detail ?? '', /about 20\.0 GiB/);
      assert.equal(report.limits.memLimitBytes, 12288 * MiB);
      assert.equal(report.memory.configuredBytes, 32 * GiB);
      assert.ok(report.memory.totalBytes! < 32 * GiB && report.memory.totalBytes! > 30 * GiB);
      assert.ok(Math.abs(report.memory.unaccountedBytes! - 20 * GiB) < 256 * MiB, `residue ${report.memory.unaccountedBytes}`);
      assert.equal(report.balloon.source, 'debugfs vmmemctl');
      assert.deepEqual(report.balloon.measurements.map((m) => m.bytes), [20 * GiB, 20 * GiB, 20 * GiB]);
      assert.equal(report.balloon.shrinksMemTotal, false);
      assert.equal(report.guest.hostname, 'rhel9-app01');
      assert.equal(report.guest.kernel, '5.14.0-427.13.1.el9_4.x86_64');
      assert.equal(probe(report, 'pressure-memory')?.status, 'absent');
    },
  },
  'vmware-idle-nolimit': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 0, exit: 0,
    present: [], absent: ['balloon-inflated', 'limit-below-configured', 'host-contention', 'unaccounted-memory', 'balloon-driver-missing'],
    check: (report) => {
      assert.equal(report.status, 'ok');
      assert.equal(report.limits.memLimitBytes, null);
      assert.equal(report.limits.memLimitKnown, true);
      assert.equal(report.memory.configuredBytes, 16 * GiB);
    },
  },
  'vmware-old-kernel-rhel7': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 2 * GiB, exit: 1,
    present: ['balloon-inflated', 'host-contention', 'unaccounted-memory'], absent: ['limit-below-configured', 'balloon-sources-disagree'],
    check: (report) => {
      assert.equal(report.balloon.source, 'debugfs vmmemctl');
      assert.equal(report.findings.find((f) => f.id === 'unaccounted-memory')?.severity, 'info');
      assert.equal(probe(report, 'pressure-memory')?.status, 'absent');
    },
  },
  'vmware-no-tools': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 1.5 * GiB, exit: 1,
    present: ['balloon-inflated', 'vmware-tools-missing', 'unaccounted-memory'], absent: ['host-contention', 'limit-below-configured', 'stats-need-root'],
    check: (report) => {
      assert.equal(probe(report, 'toolbox-balloon')?.status, 'absent');
      assert.equal(report.limits.memLimitKnown, false);
    },
  },
  'vmware-legacy-vmmemctl': {
    kind: 'vmware', driver: 'vmmemctl', balloonBytes: GiB, exit: 1,
    present: ['balloon-inflated', 'host-contention', 'unaccounted-memory'], absent: ['balloon-driver-missing', 'balloon-sources-disagree'],
    check: (report) => {
      assert.equal(report.balloon.source, '/proc/vmmemctl');
      // RHEL 5 has no MemAvailable: MemFree + Buffers + Cached stands in, flagged as an estimate (issue 8)
      assert.match(report.memory.availableSource ?? '', /^estimate: MemFree \+ Buffers \+ Cached/);
      assert.equal(probe(report, 'kthreads')?.status, 'ok');
      assert.equal(probe(report, 'detect-virt')?.status, 'absent');
      assert.equal(probe(report, 'memory-blocks')?.status, 'absent');
      // the 2010-era toolbox printed "1024 MHz" for the balloon: same size, second source
      assert.deepEqual(report.balloon.measurements.map((m) => [m.source, m.bytes]), [['/proc/vmmemctl', GiB], ['vmware-toolbox-cmd stat balloon', GiB]]);
    },
  },
  'kvm-virtio-inflated-no-deflate': {
    kind: 'kvm', driver: 'virtio_balloon', balloonBytes: 3 * GiB, exit: 2,
    present: ['balloon-inflated', 'no-deflate-on-oom'], absent: ['unaccounted-memory', 'balloon-driver-missing'],
    check: (report) => {
      assert.equal(report.balloon.deflateOnOom, false);
      assert.equal(report.balloon.shrinksMemTotal, true);
      assert.equal(report.memory.configuredBytes, 8 * GiB);
      assert.equal(report.memory.configuredBytes! - report.memory.totalBytes!, 3 * GiB + (8 * GiB - 8116440 * 1024));
    },
  },
  'kvm-virtio-inflated-deflate-on-oom': {
    kind: 'kvm', driver: 'virtio_balloon', balloonBytes: 2 * GiB, exit: 1,
    present: ['balloon-inflated', 'unaccounted-memory'], absent: ['no-deflate-on-oom', 'balloon-driver-missing'],
    check: (report) => {
      assert.equal(report.balloon.deflateOnOom, true);
      assert.equal(report.balloon.shrinksMemTotal, false);
      assert.equal(report.findings.find((f) => f.id === 'unaccounted-memory')?.severity, 'info');
    },
  },
  'hyperv-dynamic-memory': {
    kind: 'hyperv', driver: 'hv_balloon', balloonBytes: 2 * GiB, exit: 1,
    present: ['balloon-inflated'], absent: ['unaccounted-memory', 'balloon-driver-missing', 'stats-need-root'],
    check: (report) => {
      assert.equal(report.balloon.source, 'debugfs hv-balloon pages_ballooned');
      assert.equal(report.balloon.shrinksMemTotal, true);
      assert.equal(report.memory.configuredBytes, 8 * GiB);
    },
  },
  'xen-ballooned': {
    kind: 'xen', driver: 'xen_balloon', balloonBytes: 2 * GiB, exit: 1,
    present: ['balloon-inflated', 'no-guest-swap'], absent: ['xen-target-not-reached', 'balloon-inflating', 'balloon-driver-missing'],
    check: (report) => assert.equal(report.balloon.targetBytes, 6 * GiB),
  },
  'bare-metal': {
    kind: 'none', driver: null, balloonBytes: null, exit: 0,
    present: ['not-virtualized'], absent: ['balloon-inflated', 'checked-from-container', 'balloon-driver-missing', 'unaccounted-memory'],
    check: (report) => {
      assert.equal(report.status, 'ok');
      assert.equal(probe(report, 'detect-virt')?.status, 'ok', 'systemd-detect-virt prints "none" with exit 1: an answer');
      assert.ok(report.hypervisor.evidence.includes('systemd-detect-virt --vm: none'));
      assert.equal(report.memory.configuredBytes, 256 * GiB);
    },
  },
  'container-in-kvm': {
    kind: 'kvm', driver: 'virtio_balloon', balloonBytes: GiB, exit: 1,
    present: ['checked-from-container', 'balloon-inflated', 'unaccounted-memory'], absent: ['not-virtualized'],
    check: (report) => {
      assert.equal(report.guest.insideContainer, true);
      assert.equal(report.balloon.source, '/proc/vmstat balloon_inflate - balloon_deflate');
    },
  },
  // The simulated KVM *host* of the kvm-host-balloons runbook, checked as if it were a guest: it has a host's
  // meminfo and KSM but no DMI or driver, so the guest check must not invent a hypervisor or a balloon.
  'kvm-host-libvirt': {
    kind: 'unknown', driver: null, balloonBytes: null, exit: 3, present: [], absent: ['balloon-inflated', 'unaccounted-memory', 'not-virtualized', 'balloon-driver-missing'],
    check: (report) => assert.equal(report.status, 'unknown'),
  },
  'hostile-garbage': {
    kind: 'unknown', driver: null, balloonBytes: null, exit: 3, present: [], absent: ['balloon-inflated', 'unaccounted-memory', 'not-virtualized'],
    check: (report) => {
      assert.equal(report.status, 'unknown');
      for (const value of Object.values(report.memory)) assert.equal(value, null);
      // (/proc/modules is filtered to balloon-driver lines by the probe, so garbage there reads as "no driver")
      for (const id of ['meminfo', 'vmstat', 'cpuinfo', 'debugfs-vmmemctl', 'memory-blocks', 'toolbox-balloon', 'toolbox-memlimit']) {
        assert.equal(probe(report, id)?.status, 'error', `${id} must be an error`);
      }
      assert.equal(report.limits.memLimitBytes, null);
    },
  },
  'hostile-binary': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 20 * GiB, exit: 2, present: ['balloon-inflated', 'vmware-tools-missing'], absent: ['unaccounted-memory'],
    check: (report) => {
      assert.match(probe(report, 'meminfo')?.detail ?? '', /binary/);
      assert.match(probe(report, 'debugfs-vmmemctl')?.detail ?? '', /binary/);
      assert.equal(probe(report, 'dmi')?.status, 'error');
      assert.equal(report.memory.totalBytes, null);
      // the size comes from the intact vmstat counters, never from the damaged debugfs file
      assert.equal(report.balloon.source, '/proc/vmstat balloon_inflate - balloon_deflate');
      assert.equal(report.balloon.targetBytes, null);
    },
  },
  'hostile-truncated': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: null, exit: 3, present: [], absent: ['balloon-inflated', 'limit-below-configured', 'unaccounted-memory'],
    check: (report) => {
      assert.equal(report.status, 'unknown', 'a loaded balloon of unknown size is not OK');
      assert.match(probe(report, 'debugfs-vmmemctl')?.detail ?? '', /current/);
      assert.match(probe(report, 'toolbox-balloon')?.detail ?? '', /20480 M/);
      assert.match(probe(report, 'memory-blocks')?.detail ?? '', /16 MiB/);
      assert.equal(probe(report, 'cpuinfo')?.status, 'error');
      assert.equal(report.balloon.targetBytes, null, 'the cut "target : 52" line is not a target');
      assert.equal(report.memory.unaccountedBytes, null);
      assert.equal(report.limits.memLimitBytes, null);
    },
  },
  'hostile-nonsense-tool': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: null, exit: 1, present: ['unaccounted-memory'], absent: ['balloon-inflated', 'limit-below-configured', 'host-swapping'],
    check: (report) => {
      assert.equal(report.findings.find((f) => f.id === 'unaccounted-memory')?.severity, 'warning');
      assert.match(probe(report, 'detect-virt')?.detail ?? '', /^exit 42\b/);
      assert.match(probe(report, 'toolbox-balloon')?.detail ?? '', /Balloon: lots/);
      assert.match(probe(report, 'toolbox-swap')?.detail ?? '', /range/);
      assert.match(probe(report, 'toolbox-memres')?.detail ?? '', /^exit 139\b/);
      assert.equal(report.limits.hostSwappedBytes, null);
      assert.equal(report.limits.memLimitKnown, false);
    },
  },
  'hostile-hanging-tool': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 1.5 * GiB, exit: 1, present: ['balloon-inflated'], absent: ['vmware-tools-missing'],
    check: (report) => {
      for (const stat of ['balloon', 'swap', 'memlimit', 'memres']) {
        assert.equal(probe(report, `toolbox-${stat}`)?.status, 'error');
        assert.match(probe(report, `toolbox-${stat}`)?.detail ?? '', /^timed out after 1s\b/);
      }
    },
  },
};

/** Shared assertions for one guest's JSON report. */
function checkReport(name: string, report: Report, exit: number | null, expected: Expected) {
  assert.deepEqual(schemaErrors(report), [], `${name}: report is not valid against report.schema.json`);
  assert.equal(report.target.kind, 'snapshot');
  assert.equal(report.hypervisor.kind, expected.kind, `${name}: hypervisor (evidence: ${report.hypervisor.evidence.join('; ')})`);
  assert.equal(report.balloon.driver, expected.driver, `${name}: balloon driver`);
  assert.equal(report.balloon.currentBytes, expected.balloonBytes, `${name}: balloon size (source ${report.balloon.source})`);
  if (expected.balloonBytes === null) assert.equal(report.balloon.source, null);
  const ids = findingIds(report);
  for (const id of expected.present) assert.ok(ids.includes(id), `${name}: finding ${id} missing (got ${ids.join(', ')})`);
  for (const id of expected.absent) assert.ok(!ids.includes(id), `${name}: finding ${id} must not appear`);
  assert.equal(exit, expected.exit, `${name}: exit code (status ${report.status})`);
  assert.equal(exit, { ok: 0, warning: 1, critical: 2, unknown: 3 }[report.status]);
  // a probe that failed says why
  for (const record of report.probes) if (record.status !== 'ok') assert.ok(record.detail, `${name}: probe ${record.id} is ${record.status} without a reason`);
  // a snapshot never reports this machine's identity
  assert.notEqual(report.guest.hostname, hostname());
  expected.check?.(report);
}

test('every committed guest has an expectation, and every expectation a guest', () => {
  const committed = committedGuests();
  // The issue 8 kernel guests are checked by kernel-guests.test.ts.
  assert.deepEqual(committed, [...Object.keys(EXPECTED).filter((name) => name !== 'hostile-huge'), ...Object.keys(KERNEL_GUESTS)].sort());
});

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`--root ${name}: JSON report valid, ${expected.kind}/${expected.driver ?? 'no driver'}, exit ${expected.exit}`, () => {
    // The two tool fixtures carry programs, not saved outputs: they test the opt-in that runs them.
    const extra = name === 'hostile-hanging-tool' ? ['--tool-timeout', '1', '--run-snapshot-tools'] : name === 'hostile-nonsense-tool' ? ['--run-snapshot-tools'] : [];
    const { report, run } = jsonReport(guestPath(name), extra);
    assert.equal(run.signal, null);
    checkReport(name, report, run.status, expected);
    if (name === 'hostile-hanging-tool') {
      // four tool runs, each killed at the 1 s bound (the hanging child too), plus start-up
      assert.ok(run.ms < 15_000, `the hanging tool held the probe for ${run.ms} ms`);
    }
  });
}

test('--root hostile-huge (generated): multi-megabyte files are capped, nothing invented, exit defined', () => {
  const temp = tempDir();
  try {
    const root = buildHostileHuge(temp.dir);
    const { report, run } = jsonReport(root);
    checkReport('hostile-huge', report, run.status, {
      kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 20 * GiB, exit: 1, present: ['balloon-inflated'], absent: ['limit-below-configured'],
    });
    assert.match(probe(report, 'meminfo')?.detail ?? '', /truncated at \d+ bytes/);
    assert.match(probe(report, 'debugfs-vmmemctl')?.detail ?? '', /truncated/);
    for (const stat of ['balloon', 'swap', 'memlimit', 'memres']) assert.match(probe(report, `toolbox-${stat}`)?.detail ?? '', /longer than 64 KiB/);
    assert.equal(report.guest.hostname, null, 'a 64 KiB host name is not a host name');
    assert.ok(!report.hypervisor.evidence.some((line) => line.length > 300), 'the 256 KiB DMI line is not evidence');
    assert.ok(run.stdout.length < 1 << 20, `report of ${run.stdout.length} bytes`);
  } finally {
    temp.remove();
  }
});

test('no host leak: --root bare-metal on this KVM machine (inside a container) says bare metal', () => {
  const { report } = jsonReport(guestPath('bare-metal'));
  assert.equal(report.hypervisor.kind, 'none');
  assert.ok(!report.hypervisor.evidence.some((line) => /virtio|container|\.dockerenv|cgroup/i.test(line)), report.hypervisor.evidence.join('; '));
  assert.equal(report.guest.insideContainer, false);
  assert.equal(report.guest.hostname, 'db-phys01');
  assert.equal(report.guest.kernel, '4.18.0-513.5.1.el8_9.x86_64');
  assert.equal(report.balloon.driver, null);
  assert.equal(probe(report, 'virtio-drivers')?.status, 'absent');
  assert.ok(!findingIds(report).includes('checked-from-container'));
});

test('a copy of a guest gives the same report as the committed one (paths do not matter)', () => {
  const temp = tempDir();
  try {
    const copy = copyGuest('kvm-virtio-inflated-no-deflate', temp.dir);
    const strip = (report: Report) => ({ ...report, collectedAt: '', target: { ...report.target, name: '' } });
    assert.deepEqual(strip(jsonReport(copy).report), strip(jsonReport(guestPath('kvm-virtio-inflated-no-deflate')).report));
  } finally {
    temp.remove();
  }
});

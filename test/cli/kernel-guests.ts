/**
 * What the simulated guests of issue 8 §2 must produce (one per item that changes a conclusion); each fixture's
 * README gives the figures. Checked by kernel-guests.test.ts; fixtures.test.ts counts them as committed guests.
 */
import assert from 'node:assert/strict';
import type { Report } from '../../src/core/report';
import { GiB, MiB, probe } from '../helpers/guests';

export interface KernelGuest {
  kind: Report['hypervisor']['kind'];
  driver: Report['balloon']['driver'];
  balloonBytes: number | null;
  status: Report['status'];
  exit: 0 | 1 | 2 | 3;
  present: string[];
  absent: string[];
  check: (report: Report) => void;
}

const finding = (report: Report, id: string) => {
  const found = report.findings.find((f) => f.id === id);
  assert.ok(found, `expected ${id} among ${report.findings.map((f) => f.id).join(', ') || 'no findings'}`);
  return found;
};

export const KERNEL_GUESTS: Record<string, KernelGuest> = {
  // Hyper-V before 5.11: the balloon is in "used" memory; the old engine called it "not the balloon".
  'hyperv-ubuntu2004-5.4': {
    kind: 'hyperv', driver: 'hv_balloon', balloonBytes: null, status: 'warning', exit: 1,
    present: ['unaccounted-memory'], absent: ['balloon-inflated', 'balloon-driver-missing'],
    check: (report) => {
      assert.equal(report.balloon.shrinksMemTotal, false);
      assert.equal(report.kernel?.memTotal?.value, 'no');
      assert.equal(report.kernel?.distribution, 'Ubuntu');
      const unaccounted = finding(report, 'unaccounted-memory');
      assert.equal(unaccounted.severity, 'warning');
      assert.match(unaccounted.title, /probably the balloon/);
      assert.match(unaccounted.detail, /d1df458cbfdb/);
      assert.match(unaccounted.detail, /no hv-balloon debugfs file \(Linux 6\.0/);
      assert.ok(Math.abs((report.memory.unaccountedBytes ?? 0) - (3 * GiB + 100 * MiB)) < MiB);
      assert.equal(report.kernel?.sizeSources.find((s) => s.name === 'debugfs hv-balloon')?.available, 'no');
    },
  },
  'hyperv-rhel8-4.18': {
    kind: 'hyperv', driver: 'hv_balloon', balloonBytes: null, status: 'warning', exit: 1,
    present: ['unaccounted-memory'], absent: ['balloon-inflated', 'balloon-driver-missing'],
    check: (report) => {
      // RHEL 8 may carry a backport of d1df458cbfdb: unknown, and still never "not the balloon"
      assert.equal(report.balloon.shrinksMemTotal, null);
      assert.equal(report.kernel?.memTotal?.value, 'unknown');
      assert.match(report.kernel?.memTotal?.source ?? '', /RHEL 8 kernels backport/);
      const unaccounted = finding(report, 'unaccounted-memory');
      assert.match(unaccounted.title, /probably the balloon/);
      assert.doesNotMatch(unaccounted.title, /not the balloon/);
      assert.match(unaccounted.detail, /unknown/);
    },
  },
  // Two VMware sources disagree: no OK verdict; the severity follows the larger reading.
  'vmware-sources-disagree': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 0, status: 'warning', exit: 1,
    present: ['balloon-sources-disagree'], absent: ['balloon-inflated', 'unaccounted-memory', 'vmware-tools-missing'],
    check: (report) => {
      assert.deepEqual(report.balloon.measurements.map((m) => [m.source, m.bytes]), [['debugfs vmmemctl', 0], ['vmware-toolbox-cmd stat balloon', 4 * GiB]]);
      const disagree = finding(report, 'balloon-sources-disagree');
      assert.equal(disagree.severity, 'warning');
      assert.match(disagree.title, /up to 4\.0 GiB/);
      assert.match(disagree.detail, /Trust debugfs vmmemctl/);
    },
  },
  // Classic Xen: /proc/xen/balloon sizes the balloon; the old engine found no driver.
  'xen-classic-2.6.18': {
    kind: 'xen', driver: 'xen_balloon', balloonBytes: 2 * GiB, status: 'ok', exit: 0,
    present: ['balloon-inflated'], absent: ['balloon-driver-missing', 'xen-target-not-reached', 'balloon-inflating'],
    check: (report) => {
      assert.equal(report.balloon.source, '/proc/xen/balloon Low-mem + High-mem balloon');
      assert.equal(report.balloon.targetBytes, 2 * GiB);
      assert.equal(report.balloon.shrinksMemTotal, true);
      assert.equal(finding(report, 'balloon-inflated').severity, 'info');
      assert.equal(probe(report, 'proc-xen-balloon')?.status, 'ok');
      assert.equal(probe(report, 'xen-memory')?.status, 'absent');
      assert.equal(report.kernel?.sizeSources.find((s) => s.name === '/proc/xen/balloon')?.available, 'yes');
      assert.match(report.memory.availableSource ?? '', /^estimate/);
    },
  },
  // Hot-added memory that stayed offline: counted as configured, reported apart.
  'vmware-offline-hotplug-rhel7': {
    kind: 'vmware', driver: 'vmw_balloon', balloonBytes: 0, status: 'warning', exit: 1,
    present: ['memory-offline'], absent: ['balloon-inflated', 'unaccounted-memory', 'vmware-tools-missing'],
    check: (report) => {
      assert.equal(report.memory.configuredBytes, 12 * GiB);
      assert.equal(report.memory.onlineBytes, 8 * GiB);
      assert.equal(report.memory.offlineBytes, 4 * GiB);
      assert.match(report.memory.configuredSource ?? '', /96 memory blocks of 128 MiB, 32 of them offline/);
      assert.match(finding(report, 'memory-offline').title, /4\.0 GiB of memory the host gave sits offline/);
    },
  },
  // No MemAvailable: MemFree + Buffers + Cached, flagged, and used for the pressure verdict.
  'rhel5-no-memavailable': {
    kind: 'kvm', driver: null, balloonBytes: null, status: 'warning', exit: 1,
    present: ['guest-memory-pressure'], absent: ['balloon-inflated'],
    check: (report) => {
      assert.equal(report.memory.availableBytes, (61000 + 8200 + 150000) * 1024);
      assert.match(report.memory.availableSource ?? '', /^estimate: MemFree \+ Buffers \+ Cached/);
      assert.match(finding(report, 'guest-memory-pressure').detail, /Estimated available \(MemFree \+ Buffers \+ Cached; no MemAvailable on this kernel\) 214 MiB/);
    },
  },
  // Ubuntu 20.04 KVM: vmstat counters size the balloon, MemTotal shrunk, deflate-on-oom would be the 4.20-5.6 shrinker.
  'kvm-ubuntu2004-5.4': {
    kind: 'kvm', driver: 'virtio_balloon', balloonBytes: 3 * GiB, status: 'critical', exit: 2,
    present: ['balloon-inflated', 'no-deflate-on-oom', 'memtotal-shrunk'], absent: ['unaccounted-memory', 'balloon-line-disagrees'],
    check: (report) => {
      assert.equal(report.balloon.source, '/proc/vmstat balloon_inflate - balloon_deflate');
      assert.equal(report.balloon.shrinksMemTotal, true);
      assert.equal(report.kernel?.pageSizeBytes, 4096);
      assert.match(report.kernel?.pageSizeSource ?? '', /x86/);
      assert.equal(report.kernel?.deflateOnOom?.value, 'shrinker');
      assert.match(finding(report, 'no-deflate-on-oom').detail, /4\.20 to 5\.6.*shrinker/);
      assert.equal(finding(report, 'memtotal-shrunk').severity, 'info');
    },
  },
};

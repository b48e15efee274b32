import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { collectFacts, type GuestFacts } from '../../src/core/facts';
import {
  compareVersions, deflateOnOomWording, driverBehaviour, parseKernelRelease, shrinksMemTotal, sourceAvailability,
  type BalloonDriverFamily, type KernelRelease,
} from '../../src/core/kernels';
import { renderKernelArticle } from '../../src/core/kernels-article';
import { diagnose } from '../../src/core/rules';
import { splitProbeOutput } from '../../src/core/sections';
import { GiB, MiB } from '../../src/core/units';
import { CPUINFO_ARM64, CPUINFO_X86_GUEST, DMI, FEATURES_QEMU_64, MEMINFO_KVM_6_18_BALLOON, MODULES_HV, MODULES_VIRTIO, MODULES_VMW, probeOutput, virtioLine, type SectionSpec } from '../helpers/samples';
import { parsedValue } from '../helpers/parsed';
import { ROOT } from '../helpers/system';

const release = (raw: string): KernelRelease => parsedValue(parseKernelRelease(raw));
const on = (driver: BalloonDriverFamily, raw: string | null) => driverBehaviour(driver, raw === null ? null : release(raw));

const RHEL5 = '2.6.18-398.el5';
const RHEL5_XEN = '2.6.18-398.el5xen';
const RHEL7 = '3.10.0-1160.el7.x86_64';
const RHEL8 = '4.18.0-513.el8_9.x86_64';
const UBUNTU2004 = '5.4.0-150-generic';
const DEBIAN12 = '6.1.0-18-amd64';
const FEDORA_6_15 = '6.15.9-201.fc42.x86_64';

test('kernel releases: version and distribution from uname -r, garbage is unknown with a reason', () => {
  assert.deepEqual(release(RHEL7), { raw: RHEL7, version: [3, 10, 0], distribution: 'RHEL 7', classicXen: false });
  assert.equal(release(RHEL8).distribution, 'RHEL 8');
  assert.equal(release('5.14.0-427.13.1.el9_4.x86_64').distribution, 'RHEL 9');
  assert.deepEqual(release(RHEL5_XEN), { raw: RHEL5_XEN, version: [2, 6, 18], distribution: 'RHEL 5', classicXen: true });
  assert.equal(release(RHEL5).classicXen, false);
  assert.equal(release(UBUNTU2004).distribution, 'Ubuntu');
  assert.equal(release(DEBIAN12).distribution, 'Debian');
  assert.equal(release('6.12.38+deb13-amd64').distribution, 'Debian');
  assert.equal(release('5.14.21-150500.55.39-default').distribution, 'SUSE');
  assert.equal(release('3.0.101-63-xen').classicXen, true);
  assert.deepEqual(release(FEDORA_6_15).version, [6, 15, 9]);
  assert.equal(release(FEDORA_6_15).distribution, null);
  for (const bad of ['', 'linux', '1.2.3', '6.x', 'a'.repeat(70), '6.1.0 rm -rf']) assert.equal(parseKernelRelease(bad).ok, false, bad);
  assert.equal(parseKernelRelease(null).ok, false);
  assert.ok(compareVersions([5, 10], [5, 11]) < 0 && compareVersions([6, 15, 9], [6, 15]) > 0 && compareVersions([4, 3, 0], [4, 3]) === 0);
});

test('RHEL 5 (2.6.18): no vmstat balloon counters, virtio predates deflate-on-oom, classic Xen has /proc/xen/balloon', () => {
  assert.equal(sourceAvailability(on('xen_balloon', RHEL5_XEN), 'proc-xen-balloon'), 'yes');
  assert.equal(sourceAvailability(on('xen_balloon', '5.10.0-28-amd64'), 'proc-xen-balloon'), 'no');
  assert.equal(on('xen_balloon', RHEL5_XEN).memTotal.value, 'yes');
  // RHEL backports: what upstream added after 2.6.18 is not known to be missing there.
  assert.equal(on('virtio_balloon', RHEL5).deflateOnOom?.value, 'unknown');
  assert.match(on('virtio_balloon', RHEL5).deflateOnOom?.source ?? '', /RHEL 5 kernels backport/);
  assert.equal(on('vmw_balloon', RHEL5).memTotal.value, 'no');
  // the same version without a distribution suffix is upstream 2.6.18
  assert.equal(on('virtio_balloon', '2.6.18').deflateOnOom?.value, 'not-supported');
  assert.equal(sourceAvailability(on('vmw_balloon', '2.6.18'), 'proc-vmmemctl'), 'yes');
});

test('RHEL 7 (3.10): VMware old debugfs layout and no vmstat counters (RHEL 7 source), Hyper-V MemTotal unknown', () => {
  const vmw = on('vmw_balloon', RHEL7);
  assert.equal(vmw.memTotal.value, 'no');
  assert.match(vmw.sources.find((s) => s.id === 'debugfs-vmmemctl')?.note ?? '', /target: N pages/);
  assert.equal(sourceAvailability(vmw, 'vmstat-balloon'), 'no');
  assert.match(vmw.sources.find((s) => s.id === 'vmstat-balloon')?.source ?? '', /halfline\/rhel7/);
  assert.equal(on('hv_balloon', RHEL7).memTotal.value, 'unknown');
  assert.equal(shrinksMemTotal(on('hv_balloon', RHEL7), null), null);
});

test('RHEL 8 (4.18): debugfs layout unknown, vmstat counters unknown, Hyper-V MemTotal unknown (d1df458cbfdb is 5.11)', () => {
  const vmw = on('vmw_balloon', RHEL8);
  assert.match(vmw.sources.find((s) => s.id === 'debugfs-vmmemctl')?.note ?? '', /layout unknown/);
  assert.equal(sourceAvailability(vmw, 'vmstat-balloon'), 'unknown');
  const hv = on('hv_balloon', RHEL8);
  assert.equal(hv.memTotal.value, 'unknown');
  assert.match(hv.memTotal.source, /upstream 4\.18 says "no".*d1df458cbfdb|RHEL 8 kernels backport/);
  // upstream 4.18 without a distribution suffix: the answer is certain
  assert.equal(on('hv_balloon', '4.18.0').memTotal.value, 'no');
  assert.equal(sourceAvailability(on('hv_balloon', '4.18.0'), 'hv-debugfs'), 'no');
});

test('Ubuntu 20.04 (5.4): virtio deflate-on-oom is the 4.20-5.6 shrinker, hv keeps pages in MemTotal, vmw counters count', () => {
  const virtio = on('virtio_balloon', UBUNTU2004);
  assert.equal(virtio.deflateOnOom?.value, 'shrinker');
  assert.match(virtio.deflateOnOom?.source ?? '', /71994620bb25/);
  assert.match(deflateOnOomWording(virtio), /ordinary memory pressure/);
  assert.equal(on('hv_balloon', UBUNTU2004).memTotal.value, 'no');
  assert.match(on('hv_balloon', UBUNTU2004).memTotal.source, /before 5\.11/);
  assert.equal(shrinksMemTotal(on('hv_balloon', UBUNTU2004), null), false);
  assert.equal(sourceAvailability(on('vmw_balloon', UBUNTU2004), 'vmstat-balloon'), 'yes');
  assert.equal(on('xen_balloon', UBUNTU2004).xenMaxRetry?.value, 4);
  assert.equal(on('xen_balloon', '4.19.0-27-amd64').xenMaxRetry?.value, 'unknown', 'depends on the stable backport');
  assert.equal(on('xen_balloon', '4.1.0').xenMaxRetry?.value, 'unlimited');
});

test('6.1 (Debian 12): hv leaves MemTotal, hv debugfs exists, OOM notifier again (da10329cb057), no Balloon: line yet', () => {
  const hv = on('hv_balloon', DEBIAN12);
  assert.equal(hv.memTotal.value, 'yes');
  assert.equal(sourceAvailability(hv, 'hv-debugfs'), 'yes');
  assert.equal(sourceAvailability(hv, 'meminfo-balloon'), 'no');
  const virtio = on('virtio_balloon', DEBIAN12);
  assert.equal(virtio.deflateOnOom?.value, 'oom-notifier');
  assert.match(virtio.deflateOnOom?.source ?? '', /da10329cb057/);
  assert.equal(shrinksMemTotal(virtio, false), true);
  assert.equal(shrinksMemTotal(virtio, true), false);
  assert.equal(shrinksMemTotal(virtio, null), null);
});

test('6.15+: the Balloon: line exists for every driver; on VMware it misses the 2 MiB pages', () => {
  for (const driver of ['vmw_balloon', 'virtio_balloon', 'hv_balloon', 'xen_balloon'] as const) {
    assert.equal(sourceAvailability(on(driver, FEDORA_6_15), 'meminfo-balloon'), 'yes', driver);
    assert.equal(sourceAvailability(on(driver, '6.14.0'), 'meminfo-balloon'), 'no', driver);
  }
  assert.match(on('vmw_balloon', FEDORA_6_15).sources.find((s) => s.id === 'meminfo-balloon')?.note ?? '', /only the 4 KiB pages/);
  assert.match(on('vmw_balloon', '6.18.0').sources.find((s) => s.id === 'debugfs-vmmemctl')?.note ?? '', /new layout/);
});

test('an unknown kernel keeps only what holds on every version, or from the version the guest\'s files prove', () => {
  assert.equal(on('vmw_balloon', null).memTotal.value, 'no');
  assert.equal(on('xen_balloon', null).memTotal.value, 'yes');
  assert.equal(on('hv_balloon', null).memTotal.value, 'unknown');
  assert.equal(on('virtio_balloon', null).deflateOnOom?.value, 'unknown');
  assert.match(deflateOnOomWording(on('virtio_balloon', null)), /unknown/);
  // virtio on an unknown kernel: the negotiated feature settles it (without it every version shrinks MemTotal)
  assert.equal(shrinksMemTotal(on('virtio_balloon', null), false), true);
  assert.equal(shrinksMemTotal(on('virtio_balloon', null), true), false);
  // a Balloon: line proves 6.15+: Hyper-V takes pages out of MemTotal there
  assert.equal(driverBehaviour('hv_balloon', null, [6, 15]).memTotal.value, 'yes');
  assert.equal(driverBehaviour('hv_balloon', null, [3, 18]).memTotal.value, 'unknown');
});

test('the committed kernel-behaviour article is exactly what the table renders (regenerate: node --import tsx scripts/gen-kernel-article.ts)', () => {
  const committed = readFileSync(join(ROOT, 'knowledge', 'kernel-behaviour.md'), 'utf8');
  assert.equal(committed, renderKernelArticle());
  for (const id of ['d1df458cbfdb', '83a8afa72e9c', '5d1a86ecf328', '71994620bb25', 'da10329cb057', 'a1078e821b60', '997e120843e8']) {
    assert.match(committed, new RegExp(`commit/\\?id=${id}`), `${id} cited as a source`);
  }
  for (const release of ['RHEL/CentOS 5', 'RHEL/CentOS 7', 'RHEL 8', 'RHEL 10', 'Ubuntu 18.04', 'Ubuntu 24.04', 'Debian 10', 'Debian 13', 'SLES 12', 'SLES 15']) {
    assert.ok(committed.includes(`| ${release}`), release);
  }
});

// Facts and rules per kernel range, from probe text.
const facts = (sections: readonly SectionSpec[]): GuestFacts => {
  const split = splitProbeOutput(probeOutput(sections));
  assert.ok(split.ok, split.ok ? '' : split.reason);
  return collectFacts(split.output);
};
const meta = (kernel: string, extra = '') => ['meta', 'ok', '', `kernel=${kernel}\n${extra}`] as SectionSpec;
const MEMINFO_PRE_6_15 = MEMINFO_KVM_6_18_BALLOON.replace(/^Balloon:.*\n/m, '');
/** A Hyper-V guest without the hv-balloon debugfs file, with 3 GiB no process owns. */
const hypervGuest = (kernel: string) => facts([
  meta(kernel), ['dmi', 'ok', '', DMI.hypervGen2], ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST], ['modules', 'ok', '', MODULES_HV],
  ['debugfs-hv-balloon', 'absent', 'no such file', ''],
  ['meminfo', 'ok', '', MEMINFO_PRE_6_15.replace(/^MemTotal: +\d+ kB$/m, `MemTotal:       ${6111172 + 3 * 1024 * 1024} kB`)],
]);

test('facts: Hyper-V on Ubuntu 20.04 (5.4) keeps the balloon in MemTotal, so unexplained used memory is probably the balloon', () => {
  const f = hypervGuest(UBUNTU2004);
  assert.equal(f.balloon.driver, 'hv_balloon');
  assert.equal(f.balloon.shrinksMemTotal, false);
  assert.equal(f.balloon.currentBytes, null);
  assert.match(f.balloon.notes?.join(' ') ?? '', /no hv-balloon debugfs file \(Linux 6\.0/);
  const unaccounted = diagnose(f).find((finding) => finding.id === 'unaccounted-memory');
  assert.ok(unaccounted, 'unaccounted-memory');
  assert.match(unaccounted.title, /probably the balloon/);
  assert.doesNotMatch(unaccounted.title, /not the balloon/);
  assert.match(unaccounted.detail, /d1df458cbfdb/);
});

test('facts: Hyper-V on 6.1 takes the balloon out of MemTotal (the same residue is not the balloon there)', () => {
  const f = hypervGuest(DEBIAN12);
  assert.equal(f.balloon.shrinksMemTotal, true);
});

test('facts: VMware before 5.3 ignores a 0 vmstat balloon counter; from 5.3 it is a reading', () => {
  const vmware = (kernel: string) => facts([
    meta(kernel), ['dmi', 'ok', '', DMI.vmwareEfi], ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST], ['modules', 'ok', '', MODULES_VMW],
    ['toolbox-balloon', 'ok', '', '2048 MB\n'], ['vmstat', 'ok', '', 'balloon_inflate 1048576\nballoon_deflate 0\n'],
  ]);
  assert.deepEqual(vmware('4.19.0-27-amd64').balloon.measurements.map((m) => m.source), ['vmware-toolbox-cmd stat balloon']);
  assert.match(vmware('4.19.0-27-amd64').balloon.notes?.join(' ') ?? '', /stay 0 for VMware/);
  assert.deepEqual(vmware(DEBIAN12).balloon.measurements, [
    { source: 'vmware-toolbox-cmd stat balloon', bytes: 2 * GiB }, { source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: 4 * GiB },
  ]);
});

test('facts: page counters use the probed page size; arm64 without one leaves them out and says so', () => {
  const kvm = (cpuinfo: string, extraMeta: string) => facts([
    meta('6.1.0-18-arm64', extraMeta), ['cpuinfo', 'ok', '', cpuinfo], ['modules', 'ok', '', MODULES_VIRTIO],
    ['virtio-devices', 'ok', '', virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)],
    ['vmstat', 'ok', '', 'balloon_inflate 16384\nballoon_deflate 0\n'], ['meminfo', 'ok', '', MEMINFO_PRE_6_15],
  ]);
  assert.equal(kvm(CPUINFO_ARM64, 'pagesize=65536').balloon.currentBytes, 16384 * 65536);
  assert.equal(kvm(CPUINFO_ARM64, 'pagesize=65536').kernel?.pageSizeSource, 'probed (getconf PAGESIZE)');
  const unknownSize = kvm(CPUINFO_ARM64, '');
  assert.equal(unknownSize.balloon.currentBytes, null);
  assert.equal(unknownSize.kernel?.pageSizeBytes, null);
  assert.match(unknownSize.balloon.notes?.join(' ') ?? '', /kernel pages, whose size is unknown/);
  assert.equal(kvm(CPUINFO_X86_GUEST, '').balloon.currentBytes, 16384 * 4096);
  assert.match(kvm(CPUINFO_X86_GUEST, '').kernel?.pageSizeSource ?? '', /assumed 4096/);
});

test('rules: no-deflate-on-oom and guest-oom-kills word deflate-on-oom per kernel range', () => {
  const kvm = (kernel: string, features: string, oomKill: number) => diagnose(facts([
    meta(kernel), ['dmi', 'ok', '', DMI.qemu], ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST], ['modules', 'ok', '', MODULES_VIRTIO],
    ['virtio-devices', 'ok', '', virtioLine('virtio0', '0x0005', 'virtio_balloon', features)],
    ['vmstat', 'ok', '', `balloon_inflate 262144\nballoon_deflate 0\noom_kill ${oomKill}\n`], ['meminfo', 'ok', '', MEMINFO_PRE_6_15],
  ]));
  const noDeflate = (kernel: string) => kvm(kernel, FEATURES_QEMU_64, 0).find((f) => f.id === 'no-deflate-on-oom')?.detail ?? '';
  assert.match(noDeflate(UBUNTU2004), /shrinker: the balloon deflates under ordinary memory pressure/);
  assert.match(noDeflate(DEBIAN12), /256 pages \(1 MiB\) per OOM notification/);
  const withDeflate = FEATURES_QEMU_64.slice(0, 2) + '1' + FEATURES_QEMU_64.slice(3);
  const oom = (kernel: string) => kvm(kernel, withDeflate, 2).find((f) => f.id === 'guest-oom-kills')?.detail ?? '';
  assert.match(oom(UBUNTU2004), /4\.20 to 5\.6.*shrinker.*71994620bb25/);
  assert.match(oom(DEBIAN12), /frees only 1 MiB per OOM event/);
  assert.ok(MiB > 0);
});

import assert from 'node:assert/strict';
import test from 'node:test';
import { collectFacts, type GuestFacts } from '../../src/core/facts';
import { diagnose } from '../../src/core/rules';
import { splitProbeOutput } from '../../src/core/sections';
import { GiB, MiB } from '../../src/core/units';
import {
  BLOCKS_8G, CPUINFO_ARM64, CPUINFO_X86_GUEST, CPUINFO_X86_METAL, DMI, FEATURES_FIRECRACKER, FEATURES_QEMU_64, HV, MEMINFO_KVM_6_18_BALLOON,
  MEMINFO_RHEL5_2_6_18, MODULES_HV, MODULES_VIRTIO, MODULES_VMMEMCTL_RHEL5, probeOutput, VMSTAT_FIRECRACKER, PSI_IDLE, SEED_SECTIONS, TOOLBOX, virtioLine,
  VMMEMCTL_V1, VMMEMCTL_V4_SEED, XEN_BELOW_TARGET, type SectionSpec,
} from '../helpers/samples';

const facts = (sections: readonly SectionSpec[], options: { end?: boolean } = {}): GuestFacts => {
  const split = splitProbeOutput(probeOutput(sections, options));
  assert.ok(split.ok, split.ok ? '' : split.reason);
  return collectFacts(split.output);
};
/** The seed sections with some replaced (same id) or added. */
const seedWith = (...changes: SectionSpec[]): SectionSpec[] => {
  const out = SEED_SECTIONS.map((section) => changes.find(([id]) => id === section[0]) ?? section);
  for (const change of changes) if (!out.some(([id]) => id === change[0])) out.push(change);
  return out;
};
const ids = (f: GuestFacts) => diagnose(f).map((finding) => finding.id);

test('seed VMware guest: three sources agree on 20 GiB, limit 12 GiB, 32 GiB of memory blocks', () => {
  const f = facts(SEED_SECTIONS);
  assert.equal(f.hypervisor.kind, 'vmware');
  assert.equal(f.balloon.driver, 'vmw_balloon');
  assert.equal(f.balloon.shrinksMemTotal, false);
  assert.deepEqual(f.balloon.measurements, [
    { source: 'debugfs vmmemctl', bytes: 20 * GiB },
    { source: 'vmware-toolbox-cmd stat balloon', bytes: 20 * GiB },
    { source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: 20 * GiB },
  ]);
  assert.equal(f.vmware.limitMiB, 12288);
  assert.equal(f.vmware.debugfsLayout, 'v4');
  assert.equal(f.memory.configuredBytes, 32 * GiB);
  assert.equal(f.incomplete, false);
});

test('memlimit 4294967295 MB: no limit, known; a ballooned VM without a limit is host contention', () => {
  const f = facts(seedWith(['toolbox-memlimit', 'ok', 'exit 0', TOOLBOX.unlimited]));
  assert.equal(f.vmware.limitMiB, null);
  assert.equal(f.vmware.limitKnown, true);
  assert.ok(ids(f).includes('host-contention'));
  assert.ok(!ids(f).includes('limit-below-configured'));
});

test('toolbox exit 75: the limit is unknown and the probe says why, in the tool\'s words', () => {
  const f = facts(seedWith(['toolbox-memlimit', 'error', 'exit 75', TOOLBOX.notAvailable]));
  assert.equal(f.vmware.limitKnown, false);
  const record = f.probes.find((probe) => probe.id === 'toolbox-memlimit');
  assert.equal(record?.status, 'error');
  assert.match(record?.detail ?? '', /exit 75.*This value is not available on this host/);
  assert.ok(!ids(f).includes('host-contention'), 'an unknown limit is not "no limit"');
});

test('toolbox exit 0 with nonsense: error with the parser\'s reason', () => {
  const f = facts(seedWith(['toolbox-balloon', 'ok', 'exit 0', 'banana\n']));
  const record = f.probes.find((probe) => probe.id === 'toolbox-balloon');
  assert.equal(record?.status, 'error');
  assert.match(record?.detail ?? '', /banana/);
  assert.equal(f.vmware.balloonMiB, null);
});

test('debugfs denied: the toolbox balloon is used and root is suggested', () => {
  const f = facts(seedWith(['debugfs-vmmemctl', 'denied', 'debugfs is readable by root only', '']));
  assert.equal(f.balloon.currentBytes, 20 * GiB);
  assert.equal(f.balloon.source, 'vmware-toolbox-cmd stat balloon');
  assert.ok(ids(f).includes('stats-need-root'));
});

test('debugfs current 0 while the host says 20 GiB: sources disagree', () => {
  const zero = VMMEMCTL_V4_SEED.replace(/^(current\s+:\s+)5242880$/m, '$1              0');
  const f = facts(seedWith(['debugfs-vmmemctl', 'ok', '', zero], ['vmstat', 'ok', '', 'pswpin 0\n']));
  assert.equal(f.balloon.currentBytes, 0);
  assert.ok(ids(f).includes('balloon-sources-disagree'));
});

test('systemd-detect-virt prints "none" with exit status 1: bare metal, not an error', () => {
  const f = facts([
    ['meta', 'ok', '', 'kernel=6.8.0\n'],
    ['dmi', 'absent', 'no such file', ''],
    ['cpuinfo', 'ok', '', CPUINFO_ARM64],
    ['detect-virt', 'error', 'exit 1', 'none\n'],
    ['meminfo', 'ok', '', MEMINFO_KVM_6_18_BALLOON.replace(/^Balloon:.*\n/m, '')],
  ]);
  assert.equal(f.hypervisor.kind, 'none');
  assert.equal(f.probes.find((probe) => probe.id === 'detect-virt')?.status, 'ok');
  assert.deepEqual(ids(f), ['not-virtualized']);
});

test('arm64 without DMI or detect-virt: unknown platform, not bare metal', () => {
  const f = facts([['meta', 'ok', '', ''], ['dmi', 'absent', 'no such file', ''], ['cpuinfo', 'ok', '', CPUINFO_ARM64], ['detect-virt', 'absent', 'systemd-detect-virt not installed', '']]);
  assert.equal(f.hypervisor.kind, 'unknown');
});

test('x86 bare metal: DMI of a server and no hypervisor flag', () => {
  const f = facts([['meta', 'ok', '', ''], ['dmi', 'ok', '', DMI.dell], ['cpuinfo', 'ok', '', CPUINFO_X86_METAL], ['modules', 'ok', '', '']]);
  assert.equal(f.hypervisor.kind, 'none');
  assert.equal(f.balloon.driver, null);
});

test('EC2 bare metal (m5.metal) is not KVM', () => {
  const f = facts([['meta', 'ok', '', ''], ['dmi', 'ok', '', DMI.ec2Metal], ['cpuinfo', 'ok', '', CPUINFO_X86_METAL]]);
  assert.equal(f.hypervisor.kind, 'none');
});

const kvm = (features: string, meminfo = MEMINFO_KVM_6_18_BALLOON): SectionSpec[] => [
  ['meta', 'ok', '', 'kernel=6.18.0\n'],
  ['dmi', 'ok', '', DMI.qemu],
  ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST],
  ['modules', 'ok', '', MODULES_VIRTIO],
  ['sys-module', 'ok', '', 'virtio_balloon\n'],
  ['virtio-drivers', 'ok', '', 'virtio_balloon\nvirtio_net\n'],
  ['virtio-devices', 'ok', '', `${virtioLine('virtio0', '0x0005', 'virtio_balloon', features)}\ndevice=virtio1 id=0x0001 vendor=0x1af4 status= driver= features=\n`],
  ['meminfo', 'ok', '', meminfo],
  ['vmstat', 'ok', '', 'nr_balloon_pages 524288\npswpin 0\npswpout 0\noom_kill 0\nballoon_inflate 600000\nballoon_deflate 75712\n'],
  ['pressure-memory', 'ok', '', PSI_IDLE],
  ['memory-blocks', 'ok', '', BLOCKS_8G],
];

test('KVM 6.18 without deflate-on-oom: Balloon: line, MemTotal shrunk, 8 GiB configured', () => {
  const f = facts(kvm(FEATURES_QEMU_64));
  assert.equal(f.hypervisor.kind, 'kvm');
  assert.equal(f.balloon.driver, 'virtio_balloon');
  assert.equal(f.balloon.currentBytes, 2 * GiB);
  assert.equal(f.balloon.source, '/proc/meminfo Balloon');
  assert.equal(f.balloon.shrinksMemTotal, true);
  assert.equal(f.virtio.features?.deflateOnOom, false);
  assert.equal(f.memory.configuredBytes, 8 * GiB);
  const found = ids(f);
  assert.ok(found.includes('no-deflate-on-oom'));
  assert.ok(found.includes('no-guest-swap'));
  assert.ok(!found.includes('unaccounted-memory'), found.join(', '));
});

test('KVM before 6.15 (no Balloon: line): inflate − deflate stands in', () => {
  const f = facts(kvm(FEATURES_QEMU_64, MEMINFO_KVM_6_18_BALLOON.replace(/^Balloon:.*\n/m, '')).map((section): SectionSpec => section[0] === 'vmstat' ? ['vmstat', 'ok', '', 'pswpin 0\nballoon_inflate 600000\nballoon_deflate 75712\n'] : section));
  assert.equal(f.balloon.currentBytes, 524288 * 4096);
  assert.equal(f.balloon.source, '/proc/vmstat balloon_inflate - balloon_deflate');
});

test('Firecracker (deflate-on-oom, empty balloon): MemTotal kept, nothing to report but no swap', () => {
  // An empty balloon: Balloon: 0 kB and the counters of the Firecracker guest (nr_balloon_pages 0, inflate = deflate).
  const f = facts(kvm(FEATURES_FIRECRACKER, MEMINFO_KVM_6_18_BALLOON.replace(/^Balloon: +\d+ kB$/m, 'Balloon:               0 kB'))
    .filter(([id]) => id !== 'dmi' && id !== 'memory-blocks').map((section): SectionSpec => (section[0] === 'vmstat' ? ['vmstat', 'ok', '', VMSTAT_FIRECRACKER] : section)));
  assert.equal(f.hypervisor.kind, 'kvm');
  assert.equal(f.balloon.currentBytes, 0);
  assert.equal(f.balloon.shrinksMemTotal, false);
  assert.deepEqual(ids(f), []);
});

test('Hyper-V: hv-balloon pages_ballooned × 4 KiB, MemTotal plus the balloon as configured lower bound', () => {
  const f = facts([
    ['meta', 'ok', '', ''], ['dmi', 'ok', '', DMI.hypervGen2], ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST], ['modules', 'ok', '', MODULES_HV],
    ['debugfs-hv-balloon', 'ok', '', HV], ['meminfo', 'ok', '', MEMINFO_KVM_6_18_BALLOON.replace(/^Balloon: +\d+ kB$/m, 'Balloon:         1048576 kB')],
  ]);
  assert.equal(f.hypervisor.kind, 'hyperv');
  assert.equal(f.balloon.driver, 'hv_balloon');
  assert.deepEqual(f.balloon.measurements, [{ source: 'debugfs hv-balloon pages_ballooned', bytes: GiB }, { source: '/proc/meminfo Balloon', bytes: GiB }]);
  assert.equal(f.memory.configuredBytes, 6111172 * 1024 + GiB);
  assert.equal(f.memory.configuredSource, 'MemTotal plus the balloon (lower bound)');
});

test('Xen: target_kb above current_kb, balloon from low_kb', () => {
  const f = facts([
    ['meta', 'ok', '', ''], ['dmi', 'ok', '', DMI.xenHvm], ['sys-hypervisor', 'ok', '', 'xen\n'], ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST],
    ['xen-memory', 'ok', '', XEN_BELOW_TARGET], ['meminfo', 'ok', '', MEMINFO_KVM_6_18_BALLOON.replace(/^Balloon:.*\n/m, '')],
  ]);
  assert.equal(f.hypervisor.kind, 'xen');
  assert.equal(f.balloon.driver, 'xen_balloon');
  assert.equal(f.balloon.currentBytes, GiB);
  assert.equal(f.balloon.targetBytes, 4 * GiB);
  assert.ok(ids(f).includes('xen-target-not-reached'));
});

test('RHEL 5 legacy vmmemctl: /proc/vmmemctl V1, [vmmemctl] thread, residue without KernelStack', () => {
  const f = facts([
    ['meta', 'ok', '', 'kernel=2.6.18-419.el5\n'], ['dmi', 'ok', '', DMI.vmwareBios], ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST],
    ['modules', 'ok', '', MODULES_VMMEMCTL_RHEL5], ['debugfs-vmmemctl', 'absent', 'debugfs not mounted', ''], ['proc-vmmemctl', 'ok', '', VMMEMCTL_V1],
    ['kthreads', 'ok', '', 'vmmemctl pid=312\n'], ['meminfo', 'ok', '', MEMINFO_RHEL5_2_6_18], ['pressure-memory', 'absent', 'no such file', ''],
    ['toolbox-balloon', 'absent', 'vmware-toolbox-cmd not installed', ''],
  ]);
  assert.equal(f.balloon.driver, 'vmmemctl');
  assert.equal(f.balloon.source, '/proc/vmmemctl');
  assert.equal(f.balloon.currentBytes, 512 * MiB);
  assert.equal(f.balloon.targetBytes, GiB);
  assert.equal(f.balloon.kernelThread, 'vmmemctl');
  // 2.6.18 has no MemAvailable: estimated as free(1) did then, and flagged as an estimate.
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(MEMINFO_RHEL5_2_6_18)?.[1]) * 1024;
  assert.equal(f.memory.availableBytes, kb('MemFree') + kb('Buffers') + kb('Cached'));
  assert.match(f.memory.availableSource ?? '', /^estimate: MemFree \+ Buffers \+ Cached/);
  assert.equal(f.memory.unaccountedBytes, 575488 * 1024);
  const found = diagnose(f);
  assert.equal(found.find((finding) => finding.id === 'unaccounted-memory')?.severity, 'info');
  assert.ok(found.some((finding) => finding.id === 'balloon-inflating'));
  assert.ok(found.some((finding) => finding.id === 'vmware-tools-missing'));
});

test('garbage in one section makes that probe an error with the reason; the rest still counts', () => {
  const f = facts(seedWith(['meminfo', 'ok', '', 'MemTotal: lots\n\u0000']));
  assert.equal(f.memory.totalBytes, null);
  const record = f.probes.find((probe) => probe.id === 'meminfo');
  assert.equal(record?.status, 'error');
  assert.match(record?.detail ?? '', /binary/);
  assert.equal(f.balloon.currentBytes, 20 * GiB);
});

test('an output cut off before its end marker is flagged incomplete', () => {
  assert.equal(facts(SEED_SECTIONS, { end: false }).incomplete, true);
});

test('every vmware-toolbox-cmd failure keeps the tool\'s words and leaves the figure unknown', () => {
  const cases: [string, string, RegExp][] = [
    ['exit 1', TOOLBOX.notVirtual, /exit 1: vmware-toolbox-cmd must be run inside a virtual machine/],
    ['exit 64', TOOLBOX.unknownSubcommand, /exit 64: vmware-toolbox-cmd: Unknown subcommand 'ballon'$/],
    ['exit 69', TOOLBOX.openHandle, /exit 69: OpenHandle failed/],
    ['exit 75', TOOLBOX.guestApiDisabled, /exit 75: UpdateInfo failed: VMware Guest API is not enabled on the host/],
    ['timed out after 5s', '', /^timed out after 5s$/],
  ];
  for (const [detail, text, expected] of cases) {
    const f = facts(seedWith(['toolbox-memlimit', 'error', detail, text], ['toolbox-swap', 'error', detail, text]));
    assert.equal(f.vmware.limitKnown, false);
    assert.equal(f.vmware.swappedMiB, null);
    assert.match(f.probes.find((probe) => probe.id === 'toolbox-memlimit')?.detail ?? '', expected);
  }
});

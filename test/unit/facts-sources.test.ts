import assert from 'node:assert/strict';
import test from 'node:test';
import { collectFacts, type GuestFacts } from '../../src/core/facts';
import { sourceAvailability } from '../../src/core/kernels';
import { splitProbeOutput } from '../../src/core/sections';
import { GiB, KiB, MiB } from '../../src/core/units';
import {
  CPUINFO_X86_GUEST, CPUINFO_X86_METAL, DMI, FEATURES_QEMU_64, HV, MEMINFO_KVM_6_18_BALLOON, MEMINFO_RHEL5_2_6_18, MEMINFO_VMWARE_SEED, MODULES_HV,
  MODULES_VIRTIO, MODULES_VMMEMCTL_RHEL5, MODULES_VMW, probeOutput, SEED_SECTIONS, TOOLBOX, virtioLine, VMMEMCTL_V4_SEED, XEN_BELOW_TARGET, type SectionSpec,
} from '../helpers/samples';

// Which sources the facts come from and what they say about them (evidence, driver, sizes, configured and
// available memory): each signal alone, so a change in one decision shows here (mutation testing's survivors).

const facts = (sections: readonly SectionSpec[]): GuestFacts => {
  const split = splitProbeOutput(probeOutput(sections));
  assert.ok(split.ok, split.ok ? '' : split.reason);
  return collectFacts(split.output);
};
const META: SectionSpec = ['meta', 'ok', '', 'kernel=6.1.0-28-amd64\nhostname=g\n'];
const ok = (id: string, text: string): SectionSpec => [id, 'ok', '', text];
const seedWith = (...changes: SectionSpec[]): SectionSpec[] => {
  const out = SEED_SECTIONS.map((section) => changes.find(([id]) => id === section[0]) ?? section);
  for (const change of changes) if (!out.some(([id]) => id === change[0])) out.push(change);
  return out;
};
const PROC_XEN_BALLOON = 'Current allocation:  2097152 kB\nRequested target:    2097152 kB\nLow-mem balloon:     1048576 kB\nHigh-mem balloon:      1048576 kB\nDriver pages:           1024 kB\nXen hard limit:          ??? kB\n';
const MEMINFO_NO_BALLOON = 'MemTotal:        8000000 kB\nMemFree:         4000000 kB\nMemAvailable:    6000000 kB\nBuffers:           10000 kB\nCached:           100000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n';

test('hypervisor evidence: every DMI field, the module and the CPU flag, in that order; the product from DMI', () => {
  const f = facts(SEED_SECTIONS);
  assert.deepEqual(f.hypervisor.evidence, [
    'dmi sys_vendor: VMware, Inc.', 'dmi product_name: VMware7,1', 'dmi bios_vendor: VMware, Inc.',
    '/proc/modules: vmw_balloon (VMware balloon driver)', '/proc/cpuinfo hypervisor flag: present',
  ]);
  assert.equal(f.hypervisor.product, 'VMware7,1');
  assert.deepEqual(f.container, { inside: false, evidence: [] });
});

test('hypervisor from /sys/hypervisor/type: xen is Xen, any other word another hypervisor', () => {
  const xen = facts([META, ok('sys-hypervisor', 'xen\n')]);
  assert.equal(xen.hypervisor.kind, 'xen');
  assert.deepEqual(xen.hypervisor.evidence, ['/sys/hypervisor/type: xen']);
  const other = facts([META, ok('sys-hypervisor', 'kvm\n')]);
  assert.equal(other.hypervisor.kind, 'other');
  assert.equal(other.hypervisor.product, null);
});

test('hypervisor from systemd-detect-virt alone: the word is the product, "none" is none', () => {
  const kvm = facts([META, ok('detect-virt', 'kvm\n')]);
  assert.equal(kvm.hypervisor.kind, 'kvm');
  assert.equal(kvm.hypervisor.product, 'kvm');
  assert.deepEqual(kvm.hypervisor.evidence, ['systemd-detect-virt --vm: kvm']);
  const none = facts([META, ok('detect-virt', 'none\n')]);
  assert.equal(none.hypervisor.kind, 'none');
  assert.equal(none.hypervisor.product, null);
  // DMI's product wins over the detect-virt word.
  assert.equal(facts([META, ok('dmi', DMI.qemu), ok('detect-virt', 'kvm\n')]).hypervisor.product, 'Standard PC (Q35 + ICH9, 2009)');
});

test('hypervisor from a loaded driver alone: vmmemctl is VMware, hv_balloon Hyper-V, a virtio device KVM', () => {
  const vmware = facts([META, ok('modules', MODULES_VMMEMCTL_RHEL5)]);
  assert.equal(vmware.hypervisor.kind, 'vmware');
  assert.deepEqual(vmware.hypervisor.evidence, ['/proc/modules: vmmemctl (VMware balloon driver)']);
  const hyperv = facts([META, ok('modules', MODULES_HV)]);
  assert.equal(hyperv.hypervisor.kind, 'hyperv');
  assert.deepEqual(hyperv.hypervisor.evidence, ['/proc/modules: hv_balloon (Hyper-V balloon driver)']);
  const kvm = facts([META, ok('virtio-devices', `${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)}\n${virtioLine('virtio1', '0x0001', 'virtio_net', FEATURES_QEMU_64)}\n`)]);
  assert.equal(kvm.hypervisor.kind, 'kvm');
  assert.deepEqual(kvm.hypervisor.evidence, ['virtio devices: virtio0=5 virtio1=1']);
});

test('the CPU flag: present is some hypervisor; absent is bare metal when DMI, detect-virt or the vendor says so', () => {
  const guest = facts([META, ok('cpuinfo', CPUINFO_X86_GUEST)]);
  assert.equal(guest.hypervisor.kind, 'other');
  const metal = facts([META, ok('cpuinfo', CPUINFO_X86_METAL)]);
  assert.equal(metal.hypervisor.kind, 'none');
  assert.deepEqual(metal.hypervisor.evidence, ['/proc/cpuinfo hypervisor flag: absent']);
  // A flags line without a vendor line: only DMI or detect-virt can make it bare metal.
  const flagsOnly = 'flags\t\t: fpu vme de pse tsc msr pae\n';
  assert.equal(facts([META, ok('cpuinfo', flagsOnly)]).hypervisor.kind, 'unknown');
  assert.equal(facts([META, ok('dmi', DMI.dell), ok('cpuinfo', flagsOnly)]).hypervisor.kind, 'none');
});

test('inside a container: its markers join the evidence, saying the VM\'s own files are read', () => {
  const f = facts(seedWith(ok('container', 'marker=/.dockerenv\n')));
  assert.equal(f.container.inside, true);
  assert.ok(f.hypervisor.evidence.includes("container marker /.dockerenv (the VM's own /proc and /sys are read)"), f.hypervisor.evidence.join('\n'));
});

test('driver from /sys/module only for the hypervisor\'s own driver, and only when /proc/modules does not list it', () => {
  const builtIn = facts(seedWith(ok('modules', ''), ok('sys-module', 'vmw_balloon\nhv_balloon\n'), ['debugfs-vmmemctl', 'absent', 'no such file', '']));
  assert.equal(builtIn.balloon.driver, 'vmw_balloon');
  assert.deepEqual(builtIn.balloon.driverEvidence, ['/sys/module/vmw_balloon']);
  assert.equal(builtIn.balloon.loaded, true);
  const loaded = facts(seedWith(ok('modules', `${MODULES_VMW}e1000 151552 0 - Live 0x0000000000000000\n`), ok('sys-module', 'vmw_balloon\n')));
  assert.deepEqual(loaded.balloon.driverEvidence, ['/proc/modules: vmw_balloon']);
  const none = facts([META, ok('dmi', DMI.vmwareEfi), ok('sys-module', 'hv_balloon\n')]);
  assert.equal(none.balloon.driver, null);
  assert.equal(none.balloon.loaded, false);
  assert.deepEqual(none.balloon.driverEvidence, []);
});

test('driver from a virtio balloon device bound to virtio_balloon (built in, no module); an unbound one is no driver', () => {
  const bound = facts([META, ok('dmi', DMI.qemu), ok('virtio-devices', `${virtioLine('virtio3', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)}\n`), ok('virtio-drivers', 'virtio_balloon\n')]);
  assert.equal(bound.balloon.driver, 'virtio_balloon');
  assert.deepEqual(bound.balloon.driverEvidence, ['virtio3 (virtio balloon device) bound to virtio_balloon']);
  assert.deepEqual([bound.virtio.balloonDevice, bound.virtio.bound, bound.virtio.driverAvailable, bound.virtio.virtioMem], ['virtio3', true, true, false]);
  const unbound = facts([META, ok('dmi', DMI.qemu), ok('virtio-devices', `${virtioLine('virtio3', '0x0005', '', FEATURES_QEMU_64)}\n`)]);
  assert.equal(unbound.balloon.driver, null);
  assert.deepEqual([unbound.virtio.balloonDevice, unbound.virtio.bound, unbound.virtio.driverAvailable], ['virtio3', false, false]);
});

test('driver from its own statistics file when no module says it: debugfs is vmw_balloon, /proc/vmmemctl vmmemctl, hv-balloon hv_balloon', () => {
  const debugfs = facts([META, ok('debugfs-vmmemctl', VMMEMCTL_V4_SEED)]);
  assert.equal(debugfs.balloon.driver, 'vmw_balloon');
  assert.deepEqual(debugfs.balloon.driverEvidence, ['debugfs vmmemctl']);
  assert.equal(debugfs.balloon.currentBytes, 20 * GiB);
  const proc = facts([META, ok('proc-vmmemctl', VMMEMCTL_V4_SEED)]);
  assert.equal(proc.balloon.driver, 'vmmemctl');
  assert.deepEqual(proc.balloon.driverEvidence, ['/proc/vmmemctl']);
  assert.equal(proc.balloon.source, '/proc/vmmemctl');
  const hv = facts([META, ok('debugfs-hv-balloon', HV)]);
  assert.equal(hv.balloon.driver, 'hv_balloon');
  assert.deepEqual(hv.balloon.driverEvidence, ['debugfs hv-balloon']);
  assert.deepEqual(hv.balloon.measurements, [{ source: 'debugfs hv-balloon pages_ballooned', bytes: GiB }]);
  // A module already named the driver: the file adds no second driver.
  const both = facts([META, ok('modules', MODULES_HV), ok('debugfs-vmmemctl', VMMEMCTL_V4_SEED)]);
  assert.equal(both.balloon.driver, 'hv_balloon');
  assert.deepEqual(both.balloon.driverEvidence, ['/proc/modules: hv_balloon']);
});

test('a balloon kernel thread is evidence; [vmmemctl] alone names the driver, another thread does not', () => {
  const alone = facts([META, ok('kthreads', 'vmmemctl pid=312\n')]);
  assert.equal(alone.balloon.driver, 'vmmemctl');
  assert.equal(alone.balloon.kernelThread, 'vmmemctl');
  assert.deepEqual(alone.balloon.driverEvidence, ['kernel thread [vmmemctl]']);
  const withModule = facts([META, ok('modules', MODULES_HV), ok('kthreads', 'kworker pid=2\nvmmemctl pid=312\n')]);
  assert.equal(withModule.balloon.driver, 'hv_balloon');
  assert.deepEqual(withModule.balloon.driverEvidence, ['/proc/modules: hv_balloon', 'kernel thread [vmmemctl]']);
  const other = facts([META, ok('kthreads', 'xen-balloon pid=40\n')]);
  assert.equal(other.balloon.driver, null);
  assert.equal(other.balloon.kernelThread, 'xen-balloon');
  for (const name of ['hv_balloon', 'vballoon']) assert.equal(facts([META, ok('kthreads', `${name} pid=9\n`)]).balloon.kernelThread, name);
  assert.equal(facts([META, ok('kthreads', 'kswapd pid=9\n')]).balloon.kernelThread, null);
});

test('Xen: sysfs xen_memory0 first; classic /proc/xen/balloon gives the size, target, hard limit and driver pages', () => {
  const sysfs = facts([META, ok('xen-memory', XEN_BELOW_TARGET), ok('proc-xen-balloon', PROC_XEN_BALLOON)]);
  assert.equal(sysfs.balloon.driver, 'xen_balloon');
  assert.deepEqual(sysfs.balloon.driverEvidence, ['/sys/devices/system/xen_memory/xen_memory0']);
  assert.deepEqual(sysfs.balloon.measurements, [{ source: 'xen_memory0 info/low_kb + high_kb', bytes: GiB }]);
  assert.equal(sysfs.balloon.targetBytes, 4 * GiB);
  assert.equal(sysfs.xenClassic, null);
  const classic = facts([META, ok('proc-xen-balloon', PROC_XEN_BALLOON)]);
  assert.equal(classic.balloon.driver, 'xen_balloon');
  assert.deepEqual(classic.balloon.driverEvidence, ['/proc/xen/balloon']);
  assert.deepEqual(classic.balloon.measurements, [{ source: '/proc/xen/balloon Low-mem + High-mem balloon', bytes: 2 * GiB }]);
  assert.equal(classic.balloon.targetBytes, 2 * GiB);
  assert.deepEqual(classic.xen, { targetBytes: 2 * GiB, currentBytes: 2 * GiB, balloonBytes: 2 * GiB });
  assert.deepEqual(classic.xenClassic, { hardLimitBytes: null, driverBytes: 1024 * KiB });
  const neither = facts([META]);
  assert.equal(neither.xen, null);
  assert.equal(neither.xenClassic, null);
});

test('VMware sizes: a zero vmstat difference is no reading; the toolbox alone measures on VMware without a driver', () => {
  const zero = facts(seedWith(ok('vmstat', 'balloon_inflate 100\nballoon_deflate 100\n')));
  assert.deepEqual(zero.balloon.measurements.map((m) => m.source), ['debugfs vmmemctl', 'vmware-toolbox-cmd stat balloon']);
  const toolboxOnly = facts([META, ok('dmi', DMI.vmwareEfi), ok('toolbox-balloon', TOOLBOX.balloon20g)]);
  assert.equal(toolboxOnly.balloon.driver, null);
  assert.deepEqual(toolboxOnly.balloon.measurements, [{ source: 'vmware-toolbox-cmd stat balloon', bytes: 20 * GiB }]);
  // The vmw_balloon file decides the measuring even where the platform looks like another hypervisor.
  const fileOnKvm = facts([META, ok('dmi', DMI.qemu), ok('debugfs-vmmemctl', VMMEMCTL_V4_SEED)]);
  assert.deepEqual(fileOnKvm.balloon.measurements, [{ source: 'debugfs vmmemctl', bytes: 20 * GiB }]);
  assert.equal(fileOnKvm.balloon.targetBytes, 20 * GiB);
});

test('VMware before 5.3: vmstat counters stay 0 for vmw_balloon, said with the kernel range; the old vmmemctl driver gets no such note', () => {
  const old = facts(seedWith(['meta', 'ok', '', 'kernel=4.19.0-27-amd64\n']));
  const note = old.balloon.notes?.find((text) => text.includes('/proc/vmstat balloon counters stay 0'));
  assert.equal(note, '/proc/vmstat balloon counters stay 0 for VMware on this kernel (before 5.3): not a reading');
  assert.ok(!old.balloon.measurements.some((m) => m.source.startsWith('/proc/vmstat')));
  const rhel5 = facts([['meta', 'ok', '', 'kernel=2.6.18-398.el5\n'], ok('modules', MODULES_VMMEMCTL_RHEL5), ok('proc-vmmemctl', VMMEMCTL_V4_SEED), ok('vmstat', 'balloon_inflate 5242880\nballoon_deflate 0\n'), ok('cpuinfo', CPUINFO_X86_GUEST)]);
  assert.equal(rhel5.balloon.driver, 'vmmemctl');
  assert.deepEqual(rhel5.balloon.measurements.map((m) => m.source), ['/proc/vmmemctl']);
  assert.ok(!rhel5.balloon.notes?.some((text) => text.includes('/proc/vmstat')), String(rhel5.balloon.notes));
});

test('virtio sizes: the Balloon: line, else nr_balloon_pages; the vmstat difference only with both counters', () => {
  const line = facts([META, ok('cpuinfo', CPUINFO_X86_GUEST), ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_KVM_6_18_BALLOON), ok('vmstat', 'nr_balloon_pages 1\nballoon_inflate 10\nballoon_deflate 4\n')]);
  assert.deepEqual(line.balloon.measurements, [{ source: '/proc/meminfo Balloon', bytes: 2 * GiB }, { source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: 6 * 4096 }]);
  assert.equal(line.memory.balloonLineBytes, 2 * GiB);
  const pages = facts([META, ok('cpuinfo', CPUINFO_X86_GUEST), ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_NO_BALLOON), ok('vmstat', 'nr_balloon_pages 256\nballoon_inflate 10\n')]);
  assert.deepEqual(pages.balloon.measurements, [{ source: '/proc/vmstat nr_balloon_pages', bytes: MiB }]);
  assert.equal(pages.counters.nrBalloonPages, 256);
  // No counters and an unknown page size: nothing to leave out, so no note.
  const arm = facts([['meta', 'ok', '', 'kernel=6.1.0-28-arm64\n'], ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_NO_BALLOON)]);
  assert.deepEqual(arm.balloon.measurements, []);
  assert.deepEqual(arm.balloon.notes, []);
  assert.equal(arm.kernel?.pageSizeBytes, null);
  assert.equal(arm.kernel?.pageSizeSource, 'unknown (not probed, and not an x86 CPU)');
});

test('Hyper-V: a kernel without the debugfs file and without a Balloon: line says the size cannot be read', () => {
  const KERNEL_5_10: SectionSpec = ['meta', 'ok', '', 'kernel=5.10.0-28-amd64\n'];
  const blind = facts([KERNEL_5_10, ok('modules', MODULES_HV), ok('meminfo', MEMINFO_NO_BALLOON)]);
  assert.deepEqual(blind.balloon.measurements, []);
  assert.ok(blind.balloon.notes?.some((text) => text.includes('cannot read the Hyper-V balloon size')), String(blind.balloon.notes));
  const withFile = facts([KERNEL_5_10, ok('modules', MODULES_HV), ok('meminfo', MEMINFO_NO_BALLOON), ok('debugfs-hv-balloon', HV)]);
  assert.deepEqual(withFile.balloon.notes, []);
  const withLine = facts([KERNEL_5_10, ok('modules', MODULES_HV), ok('meminfo', MEMINFO_KVM_6_18_BALLOON)]);
  assert.deepEqual(withLine.balloon.notes, []);
  // From 6.0 the file exists: not read (no root) is not "cannot".
  const newer = facts([META, ok('modules', MODULES_HV), ok('meminfo', MEMINFO_NO_BALLOON)]);
  assert.ok(!newer.balloon.notes?.some((text) => text.includes('cannot read')), String(newer.balloon.notes));
});

test('without a kernel release, what the guest shows dates the kernel (Balloon: line 6.15, hv debugfs 6.0, vmstat counters 3.18)', () => {
  const noKernel: SectionSpec = ['meta', 'ok', '', 'hostname=g\n'];
  const withLine = facts([noKernel, ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_KVM_6_18_BALLOON)]);
  assert.equal(sourceAvailability(withLine.kernel!.behaviour!, 'meminfo-balloon'), 'yes');
  const withPages = facts([noKernel, ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_NO_BALLOON), ok('vmstat', 'nr_balloon_pages 0\n')]);
  assert.equal(sourceAvailability(withPages.kernel!.behaviour!, 'meminfo-balloon'), 'yes');
  const bare = facts([noKernel, ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_NO_BALLOON)]);
  assert.notEqual(sourceAvailability(bare.kernel!.behaviour!, 'meminfo-balloon'), 'yes');
  const hvFile = facts([noKernel, ok('modules', MODULES_HV), ok('debugfs-hv-balloon', HV)]);
  assert.equal(sourceAvailability(hvFile.kernel!.behaviour!, 'hv-debugfs'), 'yes');
  const hvBare = facts([noKernel, ok('modules', MODULES_HV)]);
  assert.equal(sourceAvailability(hvBare.kernel!.behaviour!, 'hv-debugfs'), 'unknown');
  const counters = facts([noKernel, ok('modules', MODULES_VIRTIO), ok('vmstat', 'balloon_inflate 0\nballoon_deflate 0\n')]);
  assert.equal(sourceAvailability(counters.kernel!.behaviour!, 'vmstat-balloon'), 'yes');
  assert.equal(sourceAvailability(bare.kernel!.behaviour!, 'vmstat-balloon'), 'unknown');
});

test('configured memory: blocks (offline ones named), else MemTotal (plus a balloon that left it), never below MemTotal', () => {
  assert.equal(facts(SEED_SECTIONS).memory.configuredSource, '256 memory blocks of 128 MiB');
  const offline = facts(seedWith(ok('memory-blocks', 'block_size_bytes=8000000\nblocks=256\nonline=248\noffline=8\n')));
  assert.equal(offline.memory.configuredSource, '256 memory blocks of 128 MiB, 8 of them offline');
  assert.deepEqual([offline.memory.onlineBytes, offline.memory.offlineBytes], [31 * GiB, GiB]);
  assert.deepEqual([facts(SEED_SECTIONS).memory.onlineBytes, facts(SEED_SECTIONS).memory.offlineBytes], [null, null]);
  const memTotal = facts(seedWith(['memory-blocks', 'absent', 'no such file', '']));
  assert.equal(memTotal.memory.configuredSource, 'MemTotal (lower bound)');
  assert.equal(memTotal.memory.configuredBytes, memTotal.memory.totalBytes);
  const shrunk = facts([META, ok('cpuinfo', CPUINFO_X86_GUEST), ok('modules', MODULES_VIRTIO), ok('virtio-devices', `${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)}\n`), ok('meminfo', MEMINFO_KVM_6_18_BALLOON)]);
  assert.equal(shrunk.balloon.shrinksMemTotal, true);
  assert.equal(shrunk.memory.configuredSource, 'MemTotal plus the balloon (lower bound)');
  assert.equal(shrunk.memory.configuredBytes, shrunk.memory.totalBytes! + 2 * GiB);
  // 16 blocks of 128 MiB = 2 GiB, below the seed's ~29.7 GiB MemTotal.
  const fewBlocks = facts(seedWith(ok('memory-blocks', 'block_size_bytes=8000000\nblocks=16\n')));
  assert.equal(fewBlocks.memory.configuredSource, 'MemTotal (memory blocks counted less)');
  assert.equal(fewBlocks.memory.configuredBytes, fewBlocks.memory.totalBytes);
  // Blocks exactly at MemTotal keep the blocks' own account.
  const exact = facts(seedWith(ok('meminfo', MEMINFO_VMWARE_SEED.replace(/^MemTotal:\s+\d+ kB/m, `MemTotal:       ${32 * 1024 * 1024} kB`))));
  assert.equal(exact.memory.configuredSource, '256 memory blocks of 128 MiB');
  const none = facts([META]);
  assert.deepEqual([none.memory.configuredBytes, none.memory.configuredSource], [null, null]);
});

test('available memory: MemAvailable, else (before 3.14) MemFree + Buffers + Cached, else unknown', () => {
  assert.equal(facts(SEED_SECTIONS).memory.availableSource, 'MemAvailable');
  const old = facts([META, ok('meminfo', MEMINFO_RHEL5_2_6_18)]);
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(MEMINFO_RHEL5_2_6_18)![1]) * KiB;
  assert.equal(old.memory.availableBytes, kib('MemFree') + kib('Buffers') + kib('Cached'));
  assert.equal(old.memory.availableSource, 'estimate: MemFree + Buffers + Cached (this kernel has no MemAvailable)');
  for (const missing of ['MemFree', 'Buffers', 'Cached']) {
    const f = facts([META, ok('meminfo', MEMINFO_RHEL5_2_6_18.replace(new RegExp(`^${missing}:.*\\n`, 'm'), ''))]);
    assert.deepEqual([f.memory.availableBytes, f.memory.availableSource], [null, null], missing);
  }
  const seed = facts(SEED_SECTIONS);
  assert.ok(seed.memory.freeBytes !== null && seed.memory.swapFreeBytes !== null && seed.memory.swapTotalBytes !== null);
  assert.equal(seed.memory.freeBytes, kibOf(MEMINFO_VMWARE_SEED, 'MemFree'));
  assert.equal(seed.memory.swapFreeBytes, kibOf(MEMINFO_VMWARE_SEED, 'SwapFree'));
});

const kibOf = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)![1]) * KiB;

test('counters: each vmstat name in its own field', () => {
  const f = facts(seedWith(ok('vmstat', 'pswpin 1\npswpout 2\npgmajfault 3\noom_kill 4\nballoon_inflate 5\nballoon_deflate 6\nnr_balloon_pages 7\n')));
  assert.deepEqual(f.counters, { pswpin: 1, pswpout: 2, pgmajfault: 3, oomKill: 4, balloonInflate: 5, balloonDeflate: 6, nrBalloonPages: 7 });
});

test('VMware Tools facts: installed when its section is there; debugfs statistics and layout; none without them', () => {
  const seed = facts(SEED_SECTIONS);
  assert.equal(seed.vmware.toolsInstalled, true);
  assert.equal(seed.vmware.balloonMiB, 20480);
  assert.equal(seed.vmware.debugfs?.currentFrames, 5242880);
  const bare = facts([META]);
  assert.deepEqual(bare.vmware, { toolsInstalled: false, balloonMiB: null, swappedMiB: null, limitMiB: null, limitKnown: false, reservationMiB: null, debugfs: null, debugfsLayout: null });
});

test('virtio-mem devices are listed apart (never a balloon), with why their added memory is unknown', () => {
  const devices = `${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)}\n${virtioLine('virtio4', '0x0018', 'virtio_mem', FEATURES_QEMU_64)}\n`;
  const f = facts([META, ok('dmi', DMI.qemu), ok('virtio-devices', devices), ['virtio-mem-iomem', 'denied', 'permission denied', '']]);
  assert.equal(f.virtio.virtioMem, true);
  assert.equal(f.virtio.balloonDevice, 'virtio0');
  assert.deepEqual(f.virtioMem.map((device) => [device.device, device.addedBytes, device.addedUnknownReason]), [['virtio4', null, 'permission denied']]);
  assert.deepEqual(facts([META, ok('virtio-devices', `${virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_QEMU_64)}\n`)]).virtioMem, []);
  // Device id 13 is the memory balloon of virtio 1.0 (virtio_ids.h VIRTIO_ID_MEMORY_BALLOON): a balloon device too.
  assert.equal(facts([META, ok('virtio-devices', `${virtioLine('virtio2', '0x000d', '', FEATURES_QEMU_64)}\n`)]).virtio.balloonDevice, 'virtio2');
  assert.equal(facts([META, ok('virtio-devices', `${virtioLine('virtio1', '0x0001', 'virtio_net', FEATURES_QEMU_64)}\n`)]).virtio.balloonDevice, null);
});

test('probe records: a failed tool keeps its first non-blank line (trimmed, 160 characters at most); ok sections and meta carry none', () => {
  const long = 'x'.repeat(200);
  const f = facts(seedWith(['toolbox-swap', 'error', 'exit 75', `  \n   first words  \nsecond\n`], ['toolbox-memres', 'error', 'exit 1', `${long}\n`]));
  assert.equal(f.probes.find((p) => p.id === 'toolbox-swap')?.detail, 'exit 75: first words');
  assert.equal(f.probes.find((p) => p.id === 'toolbox-memres')?.detail, `exit 1: ${'x'.repeat(160)}`);
  assert.deepEqual(f.probes.find((p) => p.id === 'meminfo'), { id: 'meminfo', status: 'ok' });
  assert.ok(!f.probes.some((p) => p.id === 'meta'));
});

test('systemd-detect-virt: only exit 1 with the word none is an answer; another failure stays an error', () => {
  const other = facts([META, ['detect-virt', 'error', 'exit 2', 'none\n']]);
  assert.equal(other.probes.find((p) => p.id === 'detect-virt')?.status, 'error');
  assert.equal(other.hypervisor.kind, 'unknown');
  const word = facts([META, ['detect-virt', 'error', 'exit 1', 'kvm\n']]);
  assert.equal(word.probes.find((p) => p.id === 'detect-virt')?.status, 'error');
  const none = facts([META, ['detect-virt', 'error', 'exit 1', ' none \n']]);
  assert.deepEqual(none.probes.find((p) => p.id === 'detect-virt'), { id: 'detect-virt', status: 'ok', detail: 'none (exit 1)' });
});

test('an output without the meta section still gives facts (unknown kernel)', () => {
  const f = facts([ok('meminfo', MEMINFO_NO_BALLOON)]);
  assert.equal(f.meta.kernel, null);
  assert.equal(f.memory.totalBytes, 8000000 * KiB);
});

test('/sys/module counts for each hypervisor\'s own driver: hv_balloon, xen_balloon, virtio_balloon (KVM and others)', () => {
  const cases: [SectionSpec, string][] = [
    [ok('dmi', DMI.hypervGen2), 'hv_balloon'], [ok('dmi', DMI.xenHvm), 'xen_balloon'], [ok('dmi', DMI.qemu), 'virtio_balloon'], [ok('dmi', DMI.virtualbox), 'virtio_balloon'],
  ];
  for (const [dmi, driver] of cases) {
    const f = facts([META, dmi, ok('sys-module', `${driver}\n`)]);
    assert.equal(f.balloon.driver, driver, dmi[3]);
    assert.deepEqual(f.balloon.driverEvidence, [`/sys/module/${driver}`]);
  }
});

test('evidence names only the DMI fields there are, and a virtio device without an id as ?', () => {
  assert.deepEqual(facts([META, ok('dmi', 'sys_vendor=QEMU\n')]).hypervisor.evidence, ['dmi sys_vendor: QEMU']);
  assert.deepEqual(facts([META, ok('dmi', 'product_name=Standard PC\n')]).hypervisor.evidence, ['dmi product_name: Standard PC']);
  assert.deepEqual(facts([META, ok('virtio-devices', 'device=virtio1 id= vendor=0x1af4 status= driver= features=\n')]).hypervisor.evidence, ['virtio devices: virtio1=?']);
});

test('sizes need a driver: a Balloon: line without one, or a vmstat difference with one counter missing, is no measurement', () => {
  assert.deepEqual(facts([META, ok('meminfo', MEMINFO_KVM_6_18_BALLOON)]).balloon.measurements, []);
  const deflateOnly = facts([META, ok('cpuinfo', CPUINFO_X86_GUEST), ok('modules', MODULES_VIRTIO), ok('meminfo', MEMINFO_KVM_6_18_BALLOON), ok('vmstat', 'balloon_deflate 5\n')]);
  assert.deepEqual(deflateOnly.balloon.measurements.map((m) => m.source), ['/proc/meminfo Balloon']);
  // xen_balloon loaded, but neither of its files read: no size, no crash.
  const xen = facts([META, ok('modules', 'xen_balloon 16384 0 - Live 0x0000000000000000\n')]);
  assert.equal(xen.balloon.driver, 'xen_balloon');
  assert.deepEqual([xen.balloon.measurements, xen.balloon.targetBytes], [[], null]);
  // hv-balloon without its page_size line counts 4 KiB pages.
  const hv = facts([META, ok('debugfs-hv-balloon', HV.replace(/^page_size.*\n/m, ''))]);
  assert.deepEqual(hv.balloon.measurements, [{ source: 'debugfs hv-balloon pages_ballooned', bytes: GiB }]);
});

test('virtio-mem: /proc/iomem gives the memory its driver added, the kernel log the requested size', () => {
  const devices = `${virtioLine('virtio1', '0x0018', 'virtio_mem', FEATURES_QEMU_64)}\n`;
  const iomem = '00100000-3ffdffff : System RAM\n100000000-13fffffff : virtio1\n  100000000-10fffffff : System RAM (virtio_mem)\n';
  const dmesg = '[    3.419905] virtio_mem virtio1: region size: 0x40000000\n[    3.421589] virtio_mem virtio1: requested size: 0x10000000\n';
  const f = facts([META, ok('virtio-devices', devices), ok('virtio-mem-iomem', iomem), ok('virtio-mem-dmesg', dmesg)]);
  assert.deepEqual(f.virtioMem, [{ device: 'virtio1', regionBytes: GiB, addedBytes: 256 * MiB, addedUnknownReason: null, requestedBytes: 256 * MiB }]);
});

import assert from 'node:assert/strict';
import test from 'node:test';
import {
  hypervisorFromDetectVirt, hypervisorFromDmi, parseContainer, parseCpuinfo, parseDetectVirt, parseDmi, parseMeta, parseSysHypervisor, type Dmi,
} from '../../src/core/parsers/identity';
import { CPUINFO_ARM64, CPUINFO_X86_GUEST, CPUINFO_X86_METAL, DMI } from '../helpers/samples';
import { parsedValue } from '../helpers/parsed';

const dmi = (text: string): Dmi => parsedValue(parseDmi(text));

test('DMI strings, VMware EFI: every field read verbatim', () => {
  assert.deepEqual(dmi(DMI.vmwareEfi), { sysVendor: 'VMware, Inc.', productName: 'VMware7,1', biosVendor: 'VMware, Inc.', biosVersion: 'VMW71.00V.21100432.B64.2301110304' });
});

test('DMI → hypervisor, systemd prefix table (systemd-detect-virt names, DMI vendor strings)', () => {
  const expected: Record<keyof typeof DMI, string | null> = {
    vmwareEfi: 'vmware', vmwareBios: 'vmware', qemu: 'kvm', openstack: 'kvm', hypervGen2: 'hyperv', hypervGen1: 'hyperv',
    surfaceLaptop: null, xenHvm: 'xen', ec2Nitro: 'kvm', ec2Metal: null, virtualbox: 'other', dell: null,
  };
  for (const [name, kind] of Object.entries(expected)) assert.equal(hypervisorFromDmi(dmi(DMI[name as keyof typeof DMI])), kind, name);
});

test('DMI refusals: binary, nothing readable; control characters are not kept', () => {
  assert.equal(parseDmi('sys_vendor=VMware\u0000').ok, false);
  assert.equal(parseDmi('').ok, false);
  assert.equal(parseDmi('garbage\n').ok, false);
  assert.equal(parseDmi(`sys_vendor=${'A'.repeat(300)}\n`).ok, false);
  const escaped = parseDmi('sys_vendor=\u001b[31mVMware\nproduct_name=VMware7,1\n');
  assert.ok(escaped.ok);
  assert.equal(escaped.value.sysVendor, null);
  assert.equal(dmi(DMI.qemu.replace(/\n/g, '\r\n')).productName, 'Standard PC (Q35 + ICH9, 2009)');
});

test('cpuinfo x86: the hypervisor flag (CPUID.1:ECX bit 31) and vendor', () => {
  const guest = parseCpuinfo(CPUINFO_X86_GUEST);
  assert.ok(guest.ok);
  assert.equal(guest.value.hypervisorFlag, true);
  assert.equal(guest.value.vendor, 'GenuineIntel');
  const metal = parseCpuinfo(CPUINFO_X86_METAL);
  assert.ok(metal.ok);
  assert.equal(metal.value.hypervisorFlag, false);
  assert.equal(metal.value.vendor, 'AuthenticAMD');
});

test('cpuinfo arm64: a Features line has no hypervisor bit, so its absence proves nothing', () => {
  const arm = parseCpuinfo(CPUINFO_ARM64);
  assert.ok(arm.ok);
  assert.equal(arm.value.hypervisorFlag, false);
  assert.equal(arm.value.hasFlagsLine, false, 'only an x86 flags line can show the hypervisor bit');
});

test('cpuinfo: "hypervisor" must be a whole flag, not part of another word', () => {
  const parsed = parseCpuinfo('flags\t\t: fpu nohypervisor hypervisor_x\n');
  assert.ok(parsed.ok);
  assert.equal(parsed.value.hypervisorFlag, false);
});

test('cpuinfo refusals', () => {
  assert.equal(parseCpuinfo('').ok, false);
  assert.match((parseCpuinfo('processor : 0\n') as { reason: string }).reason, /no flags line/);
  assert.equal(parseCpuinfo(`${CPUINFO_X86_GUEST}\u0000`).ok, false);
});

test('systemd-detect-virt words', () => {
  const words: Record<string, string> = {
    vmware: 'vmware', kvm: 'kvm', qemu: 'kvm', amazon: 'kvm', google: 'kvm', microsoft: 'hyperv', xen: 'xen',
    oracle: 'other', bochs: 'other', 'vm-other': 'other', parallels: 'other', none: 'none',
  };
  for (const [word, kind] of Object.entries(words)) {
    const parsed = parseDetectVirt(`${word}\n`);
    assert.deepEqual(parsed, { ok: true, value: word });
    assert.equal(hypervisorFromDetectVirt(word), kind, word);
  }
  for (const bad of ['', '\n', 'two words', 'KVM', 'x'.repeat(40), 'kvm\u0000', 'Segmentation fault']) assert.equal(parseDetectVirt(bad).ok, false, bad);
});

test('/sys/hypervisor/type', () => {
  assert.deepEqual(parseSysHypervisor('xen\n'), { ok: true, value: 'xen' });
  assert.equal(parseSysHypervisor('').ok, false);
  assert.equal(parseSysHypervisor('x e n').ok, false);
});

test('container markers and cgroup lines', () => {
  assert.deepEqual(parseContainer('marker=/.dockerenv\ncgroup=0::/system.slice/docker-1f2e.scope\n'), {
    inside: true, evidence: ['container marker /.dockerenv', 'pid 1 cgroup 0::/system.slice/docker-1f2e.scope'],
  });
  assert.deepEqual(parseContainer(''), { inside: false, evidence: [] });
});

test('meta: guest_kernel wins over the host kernel in snapshot mode; bad numbers become null', () => {
  assert.deepEqual(parseMeta('kernel=6.18.44\nhostname=vm\nuid=0\nroot=/snap\nguest_kernel=5.14.0-427.el9.x86_64\nuptime=864213.52\n'), {
    kernel: '5.14.0-427.el9.x86_64', hostname: 'vm', uid: 0, uptimeSeconds: 864213.52, root: '/snap', pageSize: null,
  });
  assert.deepEqual(parseMeta('uid=-1\nuptime=abc\n'), { kernel: null, hostname: null, uid: null, uptimeSeconds: null, root: null, pageSize: null });
  assert.deepEqual(parseMeta(''), { kernel: null, hostname: null, uid: null, uptimeSeconds: null, root: null, pageSize: null });
});

test('meta: a snapshot without its own osrelease has no kernel release (kernel= is the reading machine\'s)', () => {
  assert.equal(parseMeta('kernel=6.18.44\nroot=/snap\n').kernel, null);
  assert.equal(parseMeta('kernel=6.18.44\n').kernel, '6.18.44');
});

test('meta: the page size is the guest\'s (pagesize= live, guest_pagesize= of a snapshot), a power of two from 4 KiB', () => {
  assert.equal(parseMeta('kernel=6.1.0\npagesize=65536\n').pageSize, 65536);
  // a snapshot's pagesize= is the reading machine's: only guest_pagesize= counts there
  assert.equal(parseMeta('root=/snap\npagesize=4096\n').pageSize, null);
  assert.equal(parseMeta('root=/snap\npagesize=4096\nguest_pagesize=16384\n').pageSize, 16384);
  for (const bad of ['4095', '12288', '0', '-4096', '4k', '2097152']) assert.equal(parseMeta(`pagesize=${bad}\n`).pageSize, null, bad);
});

test('meta: a uid or uptime too long for a double is null', () => {
  const meta = parseMeta(`uid=${'9'.repeat(30)}\nuptime=${'9'.repeat(400)}\n`);
  assert.equal(meta.uid, null);
  assert.equal(meta.uptimeSeconds, null);
});

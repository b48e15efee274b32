import assert from 'node:assert/strict';
import test from 'node:test';
import { parseIomemVirtioMem, parseVirtioMemDmesg, virtioMemDevices } from '../../src/core/parsers/virtiomem';

const MiB = 1024 * 1024;

/** /proc/iomem as root in the real-VM lane's guest (Debian 12, 6.1, QEMU 7.2, virtio-mem with 256 MiB plugged). */
const IOMEM_ROOT = `
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-0009ffff : Reserved
000a0000-000bffff : PCI Bus 0000:00
000c0000-000c0dff : Video ROM
000f0000-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-3ffdffff : System RAM
  19200000-1a001d31 : Kernel code
  1a200000-1aaeafff : Kernel rodata
  1ac00000-1ae4897f : Kernel data
  1b510000-1c5fffff : Kernel bss
3ffe0000-3fffffff : Reserved
40000000-febfffff : PCI Bus 0000:00
  feb80000-febbffff : 0000:00:04.0
  febc0000-febc0fff : 0000:00:04.0
  febf4000-febf7fff : 0000:00:02.0
    febf4000-febf7fff : virtio-pci-modern
  febf8000-febfbfff : 0000:00:03.0
    febf8000-febfbfff : virtio-pci-modern
  febfc000-febfffff : 0000:00:04.0
    febfc000-febfffff : virtio-pci-modern
fec00000-fec003ff : IOAPIC 0
fed00000-fed003ff : HPET 0
  fed00000-fed003ff : PNP0103:00
fee00000-fee00fff : Local APIC
fffc0000-ffffffff : Reserved
100000000-13fffffff : virtio1
  100000000-10fffffff : System RAM (virtio_mem)
240000000-2bfffffff : PCI Bus 0000:00
fd00000000-ffffffffff : Reserved
`;

test('iomem: the virtio-mem region and the memory its driver added, from a real 6.1 guest', () => {
  const parsed = parseIomemVirtioMem(IOMEM_ROOT);
  assert.ok(parsed.ok, !parsed.ok ? parsed.reason : '');
  assert.deepEqual(parsed.value, [{ device: 'virtio1', regionBytes: 1024 * MiB, addedBytes: 256 * MiB }]);
});

test('iomem: only direct children named System RAM (virtio_mem) count, several ranges add up, other trees are ignored', () => {
  const text = [
    '00100000-3ffdffff : System RAM',
    '  01000000-01ffffff : Kernel code',
    '100000000-17fffffff : virtio3',
    '  100000000-107ffffff : System RAM (virtio_mem)',
    '    100000000-100ffffff : Kernel data',
    '  110000000-117ffffff : System RAM (virtio_mem)',
    '  118000000-11fffffff : System RAM',
    '180000000-1bfffffff : PCI Bus 0000:00',
    '  180000000-187ffffff : System RAM (virtio_mem)',
  ].join('\n');
  const parsed = parseIomemVirtioMem(text);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, [{ device: 'virtio3', regionBytes: 2048 * MiB, addedBytes: 256 * MiB }]);
});

test('iomem: no virtio-mem region is an answer (nothing claimed), not an error', () => {
  const parsed = parseIomemVirtioMem('00100000-3ffdffff : System RAM\n');
  assert.deepEqual(parsed, { ok: true, value: [] });
});

test('iomem read by a non-root user: every address is 0, so the sizes are unknown with the reason', () => {
  const hidden = IOMEM_ROOT.replace(/[0-9a-f]+-[0-9a-f]+ :/g, '00000000-00000000 :');
  const parsed = parseIomemVirtioMem(hidden);
  assert.equal(parsed.ok, false);
  assert.match(!parsed.ok ? parsed.reason : '', /non-root/);
});

test('iomem garbage never crashes and never gives a size', () => {
  for (const text of ['', 'hello world', '100000000-0fffffff : virtio1', 'ffffffffffffffff-ffffffffffffffff : virtio1', '\u0000\u0001', 'x'.repeat(2 << 20)]) {
    const parsed = parseIomemVirtioMem(text);
    assert.equal(parsed.ok, false, JSON.stringify(text.slice(0, 40)));
  }
});

test('dmesg: the last logged sizes per device (a new request logs them again); a reload (region line) starts afresh', () => {
  const text = [
    '[    3.419619] virtio_mem virtio1: start address: 0x100000000',
    '[    3.419905] virtio_mem virtio1: region size: 0x40000000',
    '[    3.421468] virtio_mem virtio1: plugged size: 0x0',
    '[    3.421589] virtio_mem virtio1: requested size: 0x10000000',
    '[   99.000000] virtio_mem virtio1: region size: 0x40000000',
    '[   99.000001] virtio_mem virtio1: plugged size: 0x20000000',
    '[   99.000002] virtio_mem virtio1: requested size: 0x30000000',
    '[    3.5] virtio_mem virtio4: region size: 0x80000000',
    'virtio_mem virtio4: requested size: 0xzz',
  ].join('\n');
  const parsed = parseVirtioMemDmesg(text);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, [
    { device: 'virtio1', regionBytes: 1024 * MiB, pluggedBytes: 512 * MiB, requestedBytes: 768 * MiB },
    { device: 'virtio4', regionBytes: 2048 * MiB, pluggedBytes: null, requestedBytes: null },
  ]);
  assert.deepEqual(parseVirtioMemDmesg(''), { ok: true, value: [] });
  assert.equal(parseVirtioMemDmesg('\u0000').ok, false);
});

test('devices: added memory comes from iomem, requested from the kernel log; unknown keeps its reason', () => {
  const regions = [{ device: 'virtio1', regionBytes: 1024 * MiB, addedBytes: 256 * MiB }];
  const load = [{ device: 'virtio1', regionBytes: 1024 * MiB, pluggedBytes: 0, requestedBytes: 256 * MiB }];
  assert.deepEqual(virtioMemDevices(['virtio1', 'virtio2'], regions, null, load), [
    { device: 'virtio1', regionBytes: 1024 * MiB, addedBytes: 256 * MiB, addedUnknownReason: null, requestedBytes: 256 * MiB },
    { device: 'virtio2', regionBytes: null, addedBytes: 0, addedUnknownReason: null, requestedBytes: null },
  ]);
  const [hidden] = virtioMemDevices(['virtio1'], null, 'error: /proc/iomem hides its addresses from non-root users', load);
  assert.equal(hidden.addedBytes, null);
  assert.match(hidden.addedUnknownReason!, /non-root/);
  assert.equal(hidden.regionBytes, 1024 * MiB, 'the region size still comes from the log');
});

import assert from 'node:assert/strict';
import test from 'node:test';
import { parseKthreads, parseMemoryBlocks, parseModules, parseNameList, parseVirtioDevices, parseVirtioFeatures } from '../../src/core/parsers/drivers';
import { BLOCKS_32G, FEATURES_FIRECRACKER, FEATURES_QEMU_64, MODULES_HV, MODULES_VIRTIO, MODULES_VMMEMCTL_RHEL5, MODULES_VMW, virtioLine } from '../helpers/samples';
import { refusalReason } from '../helpers/parsed';

test('/proc/modules: balloon module names from real lines (address hidden or shown)', () => {
  const parsed = parseModules(`${MODULES_VMW}${MODULES_VIRTIO}${MODULES_HV}${MODULES_VMMEMCTL_RHEL5}`);
  assert.deepEqual(parsed, { ok: true, value: ['vmw_balloon', 'virtio_balloon', 'hv_balloon', 'vmmemctl'] });
  assert.deepEqual(parseModules(''), { ok: true, value: [] }, 'no balloon module loaded is a known empty list');
  assert.deepEqual(parseModules(MODULES_VMW.replace('\n', '\r\n')), { ok: true, value: ['vmw_balloon'] });
});

test('/proc/modules: malformed lines are refused with the line quoted', () => {
  for (const text of ['vmw_balloon\n', 'vmw_balloon lots 0 - Live\n', 'VMW BALLOON 1 0\n', `vmw_balloon ${'9'.repeat(30)} 0 - Live 0x0\n`]) {
    const parsed = parseModules(text);
    assert.equal(parsed.ok, false, text);
    assert.match(parsed.ok ? '' : parsed.reason, /malformed/);
  }
  assert.equal(parseModules('vmw_balloon 1 0 - Live 0x0\u0000').ok, false);
});

test('name lists keep only plausible names', () => {
  assert.deepEqual(parseNameList('vmw_balloon\nvirtio_balloon\r\n\n$(rm -rf /)\nname with spaces\n'), ['vmw_balloon', 'virtio_balloon']);
  assert.deepEqual(parseNameList(''), []);
});

test('virtio features, Firecracker 6.18 (128 chars): stats vq, deflate-on-oom, reporting; unknown bit 7 ignored', () => {
  assert.equal(FEATURES_FIRECRACKER.length, 128);
  assert.deepEqual(parseVirtioFeatures(FEATURES_FIRECRACKER), { statsVq: true, deflateOnOom: true, freePageHint: false, freePageReporting: true });
});

test('virtio features, QEMU (64 chars): no deflate-on-oom', () => {
  assert.equal(FEATURES_QEMU_64.length, 64);
  assert.deepEqual(parseVirtioFeatures(FEATURES_QEMU_64), { statsVq: true, deflateOnOom: false, freePageHint: false, freePageReporting: false });
});

test('virtio features: anything but a 0/1 string is unknown (null)', () => {
  for (const bits of ['', '0110', '0110010x00000000', '2'.repeat(64), '0'.repeat(300), ' 0110010100000000']) assert.equal(parseVirtioFeatures(bits), null, bits);
});

test('virtio devices: balloon (5), net (1) and virtio-mem (24) with driver and features', () => {
  const text = [
    virtioLine('virtio0', '0x0005', 'virtio_balloon', FEATURES_FIRECRACKER),
    'device=virtio1 id=0x0001 vendor=0x1af4 status= driver= features=',
    virtioLine('virtio2', '0x0018', 'virtio_mem', ''),
  ].join('\n');
  const parsed = parseVirtioDevices(text);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.map((device) => [device.name, device.deviceId, device.driver]), [
    ['virtio0', 5, 'virtio_balloon'], ['virtio1', 1, null], ['virtio2', 24, 'virtio_mem'],
  ]);
  assert.equal(parsed.value[0].vendor, '0x1af4');
  assert.equal(parsed.value[0].features?.deflateOnOom, true);
  assert.equal(parsed.value[1].features, null);
});

test('virtio devices: an unbound balloon and a bad id stay unknown', () => {
  const parsed = parseVirtioDevices('device=virtio0 id=0x0005 vendor=0x1af4 status=0x00000003 driver= features=\ndevice=virtio3 id=five vendor= status= driver= features=\n');
  assert.ok(parsed.ok);
  assert.equal(parsed.value[0].driver, null);
  assert.equal(parsed.value[1].deviceId, null);
  assert.deepEqual(parseVirtioDevices(''), { ok: true, value: [] });
  assert.equal(parseVirtioDevices('device=virtio0 id=0x0005\u0000').ok, false);
});

test('memory blocks: block_size_bytes is hex without 0x (8000000 = 128 MiB)', () => {
  assert.deepEqual(parseMemoryBlocks(BLOCKS_32G), { ok: true, value: { blockSizeBytes: 128 * 1024 ** 2, blocks: 256, online: null, offline: null } });
  assert.deepEqual(parseMemoryBlocks('block_size_bytes=0x8000000\nblocks=64\n'), { ok: true, value: { blockSizeBytes: 128 * 1024 ** 2, blocks: 64, online: null, offline: null } });
  assert.deepEqual(parseMemoryBlocks('block_size_bytes=80000000\r\nblocks=8\r\n'), { ok: true, value: { blockSizeBytes: 2 * 1024 ** 3, blocks: 8, online: null, offline: null } });
});

test('memory blocks: online and offline counted apart (hot-added blocks never onlined)', () => {
  assert.deepEqual(parseMemoryBlocks('block_size_bytes=8000000\nblocks=96\nonline=64\noffline=32\n'),
    { ok: true, value: { blockSizeBytes: 128 * 1024 ** 2, blocks: 96, online: 64, offline: 32 } });
  // a block going offline right now is in neither count
  assert.equal(parseMemoryBlocks('block_size_bytes=8000000\nblocks=96\nonline=63\noffline=32\n').ok, true);
  const refused = (text: string) => refusalReason(parseMemoryBlocks(text), text);
  assert.match(refused('block_size_bytes=8000000\nblocks=64\nonline=64\noffline=1\n'), /more than the 64 listed/);
  assert.match(refused('block_size_bytes=8000000\nblocks=64\nonline=lots\n'), /not a number/);
});

test('memory blocks refusals', () => {
  const reason = (text: string) => refusalReason(parseMemoryBlocks(text), text);
  assert.match(reason(''), /empty/);
  assert.match(reason('blocks=4\n'), /block size/);
  assert.match(reason('block_size_bytes=1001\nblocks=4\n'), /page multiple/);
  assert.match(reason('block_size_bytes=zz\nblocks=4\n'), /block size/);
  assert.match(reason('block_size_bytes=8000000\n'), /count is missing/);
  assert.match(reason('block_size_bytes=8000000\nblocks=0\n'), /no memory blocks/);
  assert.match(reason('block_size_bytes=8000000\nblocks=-3\n'), /count is missing/);
  assert.match(reason(`block_size_bytes=8000000\nblocks=${'9'.repeat(30)}\n`), /count is missing/);
  assert.match(reason(`${BLOCKS_32G}\u0000`), /binary/);
});

test('memory blocks: a total past 2^53 bytes is refused, not rounded', () => {
  assert.equal(parseMemoryBlocks('block_size_bytes=800000000000\nblocks=999999999999\n').ok, false);
});

test('memory blocks: a repeated key with another value is refused', () => {
  assert.equal(parseMemoryBlocks('block_size_bytes=8000000\nblocks=256\nblocks=4\n').ok, false);
});

test('kernel threads: "name pid=N" lines only', () => {
  assert.deepEqual(parseKthreads('vmmemctl pid=312\nhv_balloon pid=88\r\nxen-balloon pid=40\nvmmemctl pid=abc\n(vmmemctl)\n'), ['vmmemctl', 'hv_balloon', 'xen-balloon']);
  assert.deepEqual(parseKthreads(''), []);
});

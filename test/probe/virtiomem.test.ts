import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { copyGuest, jsonReport, MiB, probe, runCli, schemaErrors, tempDir } from '../helpers/guests';

/*
 * The probe's virtio-mem block on a snapshot root: a committed KVM guest plus a virtio-mem device (id 0x0018)
 * bound to virtio_mem, with the /proc/iomem and kernel log lines a real 6.1 guest shows (test/realvm).
 */

const IOMEM = [
  '00000000-00000fff : Reserved',
  '00001000-0009fbff : System RAM',
  '00100000-3ffdffff : System RAM',
  '40000000-febfffff : PCI Bus 0000:00',
  '  febf4000-febf7fff : 0000:00:02.0',
  '    febf4000-febf7fff : virtio-pci-modern',
  '100000000-13fffffff : virtio5',
  '  100000000-10fffffff : System RAM (virtio_mem)',
  '',
].join('\n');
const DMESG = [
  '[    0.000000] Linux version 6.1.0-57-amd64',
  '[    3.419905] virtio_mem virtio5: region size: 0x40000000',
  '[    3.421468] virtio_mem virtio5: plugged size: 0x0',
  '[    3.421589] virtio_mem virtio5: requested size: 0x10000000',
  '',
].join('\n');

function guestWithVirtioMem(dir: string, files: { iomem?: string; dmesg?: string }): string {
  const root = copyGuest('kvm-virtio-inflated-no-deflate', dir);
  const device = join(root, 'sys/bus/virtio/devices/virtio5');
  mkdirSync(device, { recursive: true });
  for (const [name, value] of Object.entries({ device: '0x0018', vendor: '0x1af4', status: '0x0000000f', features: '1000000000000000000000000000110010000000100000000000000000000000', modalias: 'virtio:d00000018v00001AF4' })) {
    writeFileSync(join(device, name), `${value}\n`);
  }
  mkdirSync(join(root, 'sys/bus/virtio/drivers/virtio_mem'), { recursive: true });
  symlinkSync('../../devices/virtio5', join(root, 'sys/bus/virtio/drivers/virtio_mem/virtio5'));
  if (files.iomem !== undefined) writeFileSync(join(root, 'proc/iomem'), files.iomem);
  if (files.dmesg !== undefined) {
    mkdirSync(join(root, 'sos_commands/kernel'), { recursive: true });
    writeFileSync(join(root, 'sos_commands/kernel/dmesg'), files.dmesg);
  }
  return root;
}

test('snapshot with virtio-mem: requested from the kernel log, added from /proc/iomem, and the balloon is untouched', () => {
  const { dir, remove } = tempDir();
  try {
    const plain = jsonReport(copyGuest('kvm-virtio-inflated-no-deflate', join(dir, 'plain'))).report;
    const { report } = jsonReport(guestWithVirtioMem(dir, { iomem: IOMEM, dmesg: DMESG }));
    assert.deepEqual(schemaErrors(report), []);
    assert.deepEqual(report.virtioMem, [{ device: 'virtio5', regionBytes: 1024 * MiB, addedBytes: 256 * MiB, addedUnknownReason: null, requestedBytes: 256 * MiB }]);
    assert.equal(probe(report, 'virtio-mem-iomem')?.status, 'ok');
    assert.equal(probe(report, 'virtio-mem-dmesg')?.status, 'ok');
    assert.equal(report.balloon.currentBytes, plain.balloon.currentBytes, 'virtio-mem does not change the balloon');
    assert.deepEqual(report.findings.map((f) => f.id), plain.findings.map((f) => f.id));
    assert.deepEqual(plain.virtioMem, [], 'no virtio-mem device, no entry');
    assert.equal(probe(plain, 'virtio-mem-iomem'), undefined, 'the block runs only when virtio_mem is loaded');
  } finally { remove(); }
});

test('snapshot with virtio-mem but no kernel log and addresses hidden: unknown, with the reasons', () => {
  const { dir, remove } = tempDir();
  try {
    const hidden = IOMEM.replace(/[0-9a-f]+-[0-9a-f]+ :/g, '00000000-00000000 :');
    const { report } = jsonReport(guestWithVirtioMem(dir, { iomem: hidden }));
    const [device] = report.virtioMem;
    assert.equal(device.addedBytes, null);
    assert.match(device.addedUnknownReason ?? '', /non-root/);
    assert.equal(device.requestedBytes, null);
    assert.equal(probe(report, 'virtio-mem-dmesg')?.status, 'absent');
    assert.equal(probe(report, 'virtio-mem-iomem')?.status, 'error');
  } finally { remove(); }
});

test('snapshot with virtio-mem and no /proc/iomem at all: the device is listed, its added size unknown', () => {
  const { dir, remove } = tempDir();
  try {
    const root = guestWithVirtioMem(dir, { dmesg: DMESG });
    rmSync(join(root, 'proc/iomem'), { force: true });
    const { report } = jsonReport(root);
    assert.equal(report.virtioMem[0].addedBytes, null);
    assert.match(report.virtioMem[0].addedUnknownReason ?? '', /no such file|not read/);
    assert.equal(report.virtioMem[0].requestedBytes, 256 * MiB);
  } finally { remove(); }
});

test('text format: one virtio-mem line with requested and added sizes, saying it is not a balloon', () => {
  const { dir, remove } = tempDir();
  try {
    const root = guestWithVirtioMem(dir, { iomem: IOMEM, dmesg: DMESG });
    const text = runCli(['--root', root, '--format', 'text']).stdout;
    const lines = text.split('\n').filter((line) => line.startsWith('virtio-mem '));
    assert.deepEqual(lines, ['virtio-mem virtio5: requested 256 MiB of a 1.0 GiB region, 256 MiB added to Linux (plugged is at most that); hot-plugged memory, not a balloon']);
    const plain = runCli(['--root', copyGuest('kvm-virtio-inflated-no-deflate', join(dir, 'plain')), '--format', 'text']).stdout;
    assert.ok(!plain.includes('virtio-mem '), 'no line without a device');
  } finally { remove(); }
});

test('virtio_mem loaded with no device bound (a stock distribution kernel): the block reads nothing', () => {
  const { dir, remove } = tempDir();
  try {
    const root = copyGuest('kvm-virtio-inflated-no-deflate', dir);
    mkdirSync(join(root, 'sys/bus/virtio/drivers/virtio_mem'), { recursive: true });
    writeFileSync(join(root, 'proc/iomem'), IOMEM);
    const { report } = jsonReport(root);
    assert.deepEqual(report.virtioMem, []);
    assert.equal(probe(report, 'virtio-mem-iomem'), undefined, 'no /proc/iomem read without a virtio-mem device');
    assert.equal(probe(report, 'virtio-mem-dmesg'), undefined, 'no kernel log read without a virtio-mem device');
  } finally { remove(); }
});

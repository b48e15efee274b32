import assert from 'node:assert/strict';
import test from 'node:test';
import { parseMeminfo, unaccountedBytes, type Meminfo } from '../../src/core/parsers/meminfo';
import { MEMINFO_KVM_6_18_BALLOON, MEMINFO_RHEL5_2_6_18, MEMINFO_VMWARE_SEED } from '../helpers/samples';
import { parsedValue, parserProbes } from '../helpers/parsed';

const KiB = 1024;
const { value, reason } = parserProbes(parseMeminfo);
const residue = (info: Meminfo) => parsedValue(unaccountedBytes(info));

test('5.14 meminfo: kB lines in bytes, HugePages_* as counts, parenthesised keys', () => {
  const info = value(MEMINFO_VMWARE_SEED);
  assert.equal(info.bytes.get('MemTotal'), 31174656 * KiB);
  assert.equal(info.bytes.get('MemAvailable'), 3145728 * KiB);
  assert.equal(info.bytes.get('Active(anon)'), 4194304 * KiB);
  assert.equal(info.bytes.get('HardwareCorrupted'), 0);
  assert.equal(info.bytes.get('VmallocTotal'), 34359738367 * KiB); // wider than 8 columns
  assert.equal(info.counts.get('HugePages_Total'), 0);
  assert.equal(info.bytes.has('HugePages_Total'), false);
  assert.equal(info.bytes.get('Hugepagesize'), 2048 * KiB);
  assert.equal(info.bytes.size + info.counts.size, MEMINFO_VMWARE_SEED.trim().split('\n').length);
});

test('VMware seed: unaccounted = MemTotal − accounted = the 20 GiB balloon + 128 MiB of residue', () => {
  assert.equal(residue(value(MEMINFO_VMWARE_SEED)), (20 * 1024 * 1024 + 131072) * KiB);
});

test('6.18 meminfo: Balloon: and SecPageTables lines are read; the balloon already left MemTotal', () => {
  const info = value(MEMINFO_KVM_6_18_BALLOON);
  assert.equal(info.bytes.get('Balloon'), 2 * 1024 ** 3);
  assert.equal(info.bytes.get('SecPageTables'), 0);
  assert.equal(info.bytes.get('Unaccepted'), 0);
  assert.equal(residue(info), 108196 * KiB);
});

test('2.6.18 (RHEL 5): no MemAvailable, no KernelStack, 14-column names', () => {
  const info = value(MEMINFO_RHEL5_2_6_18);
  assert.equal(info.bytes.get('MemTotal'), 3058240 * KiB);
  assert.equal(info.bytes.has('MemAvailable'), false);
  assert.equal(info.counts.get('HugePages_Rsvd'), 0);
  // kernels before 2.6.32 print no KernelStack line: their stacks sit in the residue
  assert.equal(residue(info), 575488 * KiB);
});

test('residue formula: SecPageTables, Percpu, Zswap, Unaccepted, Hugetlb are accounted; VmallocUsed minus KernelStack', () => {
  const base = value(MEMINFO_VMWARE_SEED);
  const before = residue(base);
  const withExtra = (key: string, kb: number) => {
    const copy: Meminfo = { bytes: new Map(base.bytes), counts: new Map(base.counts) };
    copy.bytes.set(key, (copy.bytes.get(key) ?? 0) + kb * KiB);
    return residue(copy);
  };
  for (const key of ['SecPageTables', 'Percpu', 'Zswap', 'Unaccepted', 'Hugetlb', 'AnonPages', 'Cached', 'Slab']) {
    assert.equal(withExtra(key, 1024), before - 1024 * KiB, key);
  }
  // Mapped and Shmem live inside Cached/AnonPages: never counted twice
  for (const key of ['Mapped', 'Shmem', 'KReclaimable', 'Active', 'DirectMap4k']) assert.equal(withExtra(key, 1024), before, key);
});

test('HugePages_Total × Hugepagesize stands in for Hugetlb on kernels before 4.16', () => {
  const text = MEMINFO_RHEL5_2_6_18.replace(/HugePages_Total: +0/, 'HugePages_Total:    10');
  assert.equal(residue(value(text)), 575488 * KiB - 10 * 2048 * KiB);
});

test('residue is unknown, not guessed, when a required field is missing', () => {
  const result = unaccountedBytes(value(MEMINFO_VMWARE_SEED.replace(/^AnonPages:.*\n/m, '')));
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /AnonPages/);
});

test('CRLF and trailing spaces parse the same', () => {
  const crlf = value(MEMINFO_VMWARE_SEED.replace(/\n/g, '\r\n'));
  assert.deepEqual(crlf, value(MEMINFO_VMWARE_SEED));
});

test('refusals with reasons', () => {
  assert.match(reason(''), /empty/);
  assert.match(reason('\n \n'), /empty/);
  assert.match(reason('the quick brown fox\njumps over\n'), /no MemTotal/);
  assert.match(reason('MemTotal:  0 kB\n'), /MemTotal is 0/);
  assert.match(reason('MemTotal:  1024 kB\nMemFree:  2048 kB\n'), /MemFree is larger/);
  assert.match(reason(`MemTotal: 1 kB\n${'junk line\n'.repeat(10)}`), /mostly not in meminfo format/);
  assert.match(reason(`${MEMINFO_VMWARE_SEED}\u0000`), /binary/);
  assert.match(reason(MEMINFO_VMWARE_SEED.repeat(1000)), /characters long|two different|repeated/);
  assert.match(reason(`MemTotal: ${'9'.repeat(30)} kB\n`), /no MemTotal/);
  assert.match(reason('MemTotal: -4 kB\n'), /no MemTotal/);
});

test('cut inside the MemTotal line: no MemTotal, not a smaller MemTotal', () => {
  const lineEnd = MEMINFO_VMWARE_SEED.indexOf('\n');
  for (let cut = 0; cut < lineEnd; cut++) {
    const parsed = parseMeminfo(MEMINFO_VMWARE_SEED.slice(0, cut));
    assert.ok(!parsed.ok || !parsed.value.bytes.has('MemTotal'), `cut at ${cut}`);
  }
});

test('a value cut before " kB" is not read as bytes', () => {
  const text = MEMINFO_VMWARE_SEED.slice(0, MEMINFO_VMWARE_SEED.indexOf('MemAvailable') + 'MemAvailable:    31457'.length);
  const info = value(text);
  assert.equal(info.bytes.has('MemAvailable'), false);
});

test('MemTotal repeated with another value (two files mixed) is refused', () => {
  assert.match(reason(`${MEMINFO_VMWARE_SEED}MemTotal:       16000000 kB\n`), /MemTotal/);
});

test('an identical repeated line is harmless', () => {
  assert.equal(value(`${MEMINFO_VMWARE_SEED}Hugetlb:               0 kB\n`).bytes.get('Hugetlb'), 0);
});

test('kB values past 2^53 bytes are not turned into rounded byte counts', () => {
  const info = parseMeminfo(`MemTotal: 999999999999999 kB\nMemFree: 1 kB\n`);
  assert.ok(!info.ok || Number.isSafeInteger(info.value.bytes.get('MemTotal')), JSON.stringify(info));
});

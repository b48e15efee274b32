import assert from 'node:assert/strict';
import test from 'node:test';
import { formatVersion, parseKernelRelease, type KernelRelease } from '../../src/core/kernels';

// uname -r strings at the edges of the release parser: anchors, digit counts, distribution suffixes, classic Xen.

const parse = (raw: string): KernelRelease => {
  const parsed = parseKernelRelease(raw);
  assert.ok(parsed.ok, `${raw}: ${parsed.ok ? '' : parsed.reason}`);
  return parsed.value;
};
const refused = (raw: string) => {
  const parsed = parseKernelRelease(raw);
  assert.ok(!parsed.ok, raw);
  return parsed.reason;
};

test('release numbers: two-digit major versions, an optional patch, surrounding blanks trimmed; junk before or after refused', () => {
  // A two-digit major version is read (not refused as junk), but above 9 it is not Linux yet.
  assert.equal(refused('10.1'), '"10.1" is not a Linux kernel release');
  assert.deepEqual(parse(' 6.1.0-28-amd64\n').version, [6, 1, 0]);
  assert.deepEqual(parse('6.1').version, [6, 1, undefined]);
  assert.equal(formatVersion(parse('6.1').version), '6.1');
  assert.equal(formatVersion(parse('6.1.9').version), '6.1.9');
  assert.equal(parse('9.0.0').version[0], 9);
  assert.match(refused('1.2.3'), /is not a Linux kernel release/);
  refused('x6.1.0');
  refused('6.1.0 x');
  assert.equal(refused(`6.1.0 ${'y'.repeat(100)}`), `"6.1.0 ${'y'.repeat(58)}" is not a kernel release`);
  assert.equal(refused(`1.0.0-${'y'.repeat(100)}`), `"1.0.0-${'y'.repeat(58)}" is not a Linux kernel release`);
});

test('distributions from the suffix, anchored: RHEL (two-digit el too), Ubuntu, Debian, SUSE; look-alikes are none', () => {
  assert.equal(parse('5.14.0-427.13.1.el10_0.x86_64').distribution, 'RHEL 10');
  assert.equal(parse('2.6.18-398.el5xen').distribution, 'RHEL 5');
  assert.equal(parse('5.4.0-150-generic').distribution, 'Ubuntu');
  assert.equal(parse('5.4.0-150-generic-extra').distribution, null);
  assert.equal(parse('5.4.0-x-150-generic').distribution, null);
  assert.equal(parse('6.1.0-28-amd64').distribution, 'Debian');
  assert.equal(parse('6.1.0-28-cloud-amd64').distribution, 'Debian');
  assert.equal(parse('4.19.0+deb10').distribution, 'Debian');
  assert.equal(parse('6.1.0-28-amd64-custom').distribution, null);
  assert.equal(parse('6.1.0-x-28-amd64').distribution, null);
  assert.equal(parse('5.14.21-150500.55.39-default').distribution, 'SUSE');
  assert.equal(parse('5.14.21-150500.55.39-default-x').distribution, null);
  assert.equal(parse('5.14.21-x-150500.55.39-default').distribution, null);
});

test('classic Xen kernels: 2.6 with a xen suffix, or a -N-xen SUSE kernel; a later kernel merely ending in xen is not', () => {
  assert.equal(parse('2.6.18-398.el5xen').classicXen, true);
  assert.equal(parse('3.0.101-63-xen').classicXen, true);
  assert.equal(parse('3.0.101-63-xen-x').classicXen, false);
  assert.equal(parse('3.10.0-1.fooxen').classicXen, false);
  assert.equal(parse('2.6.18-398.el5xenx').classicXen, false);
  assert.equal(parse('3.0.101-x-63-xen').classicXen, false);
  assert.equal(parse('6.1.0-28-amd64').classicXen, false);
});

import assert from 'node:assert/strict';
import test from 'node:test';
import type { Parsed } from '../../src/core/parsed';
import { isBalloonDriver, isVmwareBalloonDriver, parseKthreads, parseMemoryBlocks, parseModules, parseNameList, parseVirtioDevices, parseVirtioFeatures } from '../../src/core/parsers/drivers';
import { parseHvBalloon } from '../../src/core/parsers/hvballoon';
import { hypervisorFromDmi, parseContainer, parseCpuinfo, parseDmi, parseMeta } from '../../src/core/parsers/identity';
import { parseMeminfo, unaccountedBytes } from '../../src/core/parsers/meminfo';
import { parsePressure } from '../../src/core/parsers/pressure';
import { parseToolboxStat } from '../../src/core/parsers/toolbox';
import { parseVmmemctl } from '../../src/core/parsers/vmmemctl';
import { parseVmstat } from '../../src/core/parsers/vmstat';
import { parseProcXenBalloon, parseXenMemory } from '../../src/core/parsers/xen';

// Edges the mutation run (TESTING.md) showed no test pinned: line anchors, whitespace, off-by-one
// thresholds, fallbacks and duplicate lines. Each case is what a real or damaged file can hold.

const KiB = 1024;
const ok = <T>(result: Parsed<T>): T => {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.value;
};
const reason = <T>(result: Parsed<T>): string => {
  assert.ok(!result.ok, `expected unknown, got ${JSON.stringify(result)}`);
  return result.reason;
};

test('meminfo: a line is one whole "Key: N [kB]" (no prefix, no suffix), around whitespace', () => {
  const info = ok(parseMeminfo('MemTotal:  1000 kB\nbogus MemFree: 10 kB\nCached: 10 kBx kB\n  Buffers: 20 kB\nAnonPages: 30 kB  \nHugePages_Total: 0\n'));
  assert.equal(info.bytes.has('MemFree'), false, 'a prefixed line is not MemFree');
  assert.equal(info.bytes.has('Cached'), false, 'a line with a tail is not Cached');
  assert.equal(info.bytes.get('Buffers'), 20 * KiB, 'leading blanks are fine');
  assert.equal(info.bytes.get('AnonPages'), 30 * KiB, 'trailing blanks keep the kB unit');
});

test('meminfo: blank lines are not bad lines; bad lines equal to good ones still parse; the count in the reason', () => {
  assert.equal(ok(parseMeminfo('MemTotal: 1000 kB\n  \n\t\n \n\n')).bytes.get('MemTotal'), 1000 * KiB);
  // 2 good lines (one bytes, one count), 2 bad: not "mostly" bad
  assert.equal(ok(parseMeminfo('MemTotal: 1000 kB\nHugePages_Total: 0\nx\ny\n')).counts.get('HugePages_Total'), 0);
  assert.match(reason(parseMeminfo('MemTotal: 1000 kB\nHugePages_Total: 0\nx\ny\nz\n')), /mostly not in meminfo format \(3 bad lines\)/);
  assert.match(reason(parseMeminfo('Foo: 5\nBar: 6\n')), /no MemTotal line \(2 lines not in meminfo format\)/);
  // MemFree equal to MemTotal is possible for a moment; larger is not
  assert.equal(ok(parseMeminfo('MemTotal: 1000 kB\nMemFree: 1000 kB\n')).bytes.get('MemFree'), 1000 * KiB);
  assert.match(reason(parseMeminfo('MemTotal: 1000 kB\nMemFree: 1001 kB\n')), /MemFree is larger/);
});

test('meminfo residue: Slab from SReclaimable + SUnreclaim when Slab is missing; SwapCached counts as accounted', () => {
  const base = 'MemTotal: 10000 kB\nMemFree: 1000 kB\nBuffers: 100 kB\nCached: 2000 kB\nSwapCached: 50 kB\nAnonPages: 3000 kB\nPageTables: 100 kB\n';
  // 10000 - (1000 + 100 + 2000 + 50 + 3000 + (300 + 200) + 100) = 3250
  assert.equal(ok(unaccountedBytes(ok(parseMeminfo(`${base}SReclaimable: 300 kB\nSUnreclaim: 200 kB\n`)))), 3250 * KiB);
  assert.equal(ok(unaccountedBytes(ok(parseMeminfo(`${base}Slab: 500 kB\n`)))), 3250 * KiB);
  assert.match(reason(unaccountedBytes(ok(parseMeminfo(`${base}SReclaimable: 300 kB\n`)))), /lacks Slab/);
  assert.match(reason(unaccountedBytes(ok(parseMeminfo(`${base}SUnreclaim: 200 kB\n`)))), /lacks Slab/);
  assert.match(reason(unaccountedBytes(ok(parseMeminfo('MemTotal: 10000 kB\nSlab: 1 kB\n')))), /^meminfo lacks MemFree, Buffers, Cached, AnonPages, PageTables$/);
});

test('vmmemctl: text that ends at "current" (blank lines aside) is cut off', () => {
  assert.match(reason(parseVmmemctl('target: 10\ncurrent: 10\n')), /cut off/);
  assert.match(reason(parseVmmemctl('target: 10\ncurrent: 10\n   \n\t\n')), /cut off/);
  assert.equal(ok(parseVmmemctl('target: 10\ncurrent: 10\nrateSleepAlloc: 0\n')).currentFrames, 10);
});

test('vmmemctl: malformed, missing, disagreeing and mixed-layout target/current lines are refused', () => {
  assert.match(reason(parseVmmemctl('target: abc\ncurrent: 5\nx: 1\n')), /target line is malformed/);
  assert.match(reason(parseVmmemctl('target: 5\ncurrent: abc\nx: 1\n')), /current line is malformed/);
  assert.match(reason(parseVmmemctl('current: 5\nx: 1\n')), /no "target" line/);
  assert.match(reason(parseVmmemctl('target: 5\nx: 1\n')), /no "current" line/);
  assert.match(reason(parseVmmemctl('target: 5\ncurrent: 5\ncurrent: 6\nx: 1\n')), /two "current" lines that disagree/);
  assert.match(reason(parseVmmemctl('target: 5 pages\ncurrent: 5\nx: 1\n')), /different layouts/);
  // A later numeric "target" line (the GET_TARGET call counter) changes neither target nor current.
  const stats = ok(parseVmmemctl('target: 5\ncurrent: 7\ntarget: 3\nx: 1\n'));
  assert.deepEqual([stats.targetFrames, stats.currentFrames], [5, 7]);
});

test('vmmemctl layouts: v3 needs both "balloon capabilities" and "is resetting"; v2 otherwise', () => {
  assert.equal(ok(parseVmmemctl('target: 5 pages\ncurrent: 5 pages\nis resetting: n\nfoo: 1\n')).layout, 'v2');
  assert.equal(ok(parseVmmemctl('balloon capabilities: 0x3e\ntarget: 5 pages\ncurrent: 5 pages\nis resetting: y\nfoo: 1\n')).layout, 'v3');
  assert.equal(ok(parseVmmemctl('balloon capabilities: 0x3e\ntarget: 5 pages\ncurrent: 5 pages\nfoo: 1\n')).layout, 'v2');
  assert.equal(ok(parseVmmemctl('target: 5 pages\ncurrent: 5 pages\nrateNoSleepAlloc: 1\n')).layout, 'v1');
});

test('xen_memory0: the balloon is low_kb + high_kb (high only when present)', () => {
  assert.equal(ok(parseXenMemory('target_kb=1000\nlow_kb=100\nhigh_kb=50\n')).balloonBytes, 150 * KiB);
  assert.equal(ok(parseXenMemory('target_kb=1000\nlow_kb=100\n')).balloonBytes, 100 * KiB);
  assert.equal(ok(parseXenMemory('target_kb=1000\n')).balloonBytes, null);
});

test('/proc/xen/balloon: whole lines only, duplicates must agree, the three core lines are required', () => {
  const good = 'Current allocation:  2097152 kB\nRequested target:    2097152 kB\nLow-mem balloon:     1024 kB\nHigh-mem balloon:    512 kB\nXen hard limit:          ??? kB\n';
  const value = ok(parseProcXenBalloon(good));
  assert.deepEqual([value.currentBytes, value.targetBytes, value.balloonBytes, value.hardLimitBytes], [2097152 * KiB, 2097152 * KiB, 1536 * KiB, null]);
  assert.equal(ok(parseProcXenBalloon(`${good}Current allocation:  2097152 kB\n`)).currentBytes, 2097152 * KiB, 'a repeated equal line is fine');
  assert.match(reason(parseProcXenBalloon(`${good}Current allocation:  1 kB\n`)), /two different Current allocation lines/);
  assert.match(reason(parseProcXenBalloon(`9 ${good}`)), /not in the driver's format/);
  for (const drop of ['Current allocation', 'Requested target', 'Low-mem balloon']) {
    const text = good.split('\n').filter((line) => !line.startsWith(drop)).join('\n');
    assert.match(reason(parseProcXenBalloon(text)), /lacks its Current allocation, Requested target or Low-mem balloon line/, drop);
  }
});

test('vmstat: blank and indented lines, names in lower case only, two fields exactly, duplicates must agree', () => {
  const counters = ok(parseVmstat('  balloon_inflate 5\n\n   \nballoon_deflate 2\nBAD-name 7\npgscan_x 1 2\n'));
  assert.deepEqual([...counters], [['balloon_inflate', 5], ['balloon_deflate', 2]]);
  assert.equal(ok(parseVmstat('balloon_inflate 5\nballoon_inflate 5\n')).get('balloon_inflate'), 5);
  assert.match(reason(parseVmstat('balloon_inflate 5\nballoon_inflate 6\n')), /two different balloon_inflate lines/);
  // as many bad lines as good ones still parses; one more is "mostly" bad
  assert.equal(ok(parseVmstat('balloon_inflate 5\nX 1\n')).size, 1);
  assert.match(reason(parseVmstat('balloon_inflate 5\nX 1\nY 2\n')), /mostly not in vmstat format \(2 bad lines\)/);
  assert.match(reason(parseVmstat('X 1\nY 2\n')), /^\/proc\/vmstat is not in vmstat format \(2 bad lines\)$/);
});

test('PSI: whole lines only; 100.00 % is a valid percentage, more is not', () => {
  const line = (kind: string, avg10: string) => `${kind} avg10=${avg10} avg60=0.00 avg300=0.00 total=5`;
  assert.equal(ok(parsePressure(`${line('some', '100.00')}\n`)).some.avg10, 100);
  assert.match(reason(parsePressure(`${line('some', '100.01')}\n`)), /above 100/);
  assert.match(reason(parsePressure(`x${line('some', '1.00')}\n`)), /no "some" line/);
  assert.match(reason(parsePressure(`${line('some', '1.00')} x\n`)), /no "some" line/);
  assert.equal(ok(parsePressure(`${line('some', '1.00')}\n${line('full', '2.00')}\n`)).full?.avg10, 2);
});

test('vmware-toolbox-cmd: "N MB" with nothing after it', () => {
  assert.equal(ok(parseToolboxStat('20480 MB\n')).mib, 20480);
  assert.match(reason(parseToolboxStat('20480 MBx\n')), /not "N MB"/);
});

test('every parser names its source when it refuses binary text', () => {
  const cases: [string, Parsed<unknown>][] = [
    ['/proc/meminfo', parseMeminfo('MemTotal: 1\u0000')],
    ['vmmemctl stats', parseVmmemctl('target: 1\u0000')],
    ['xen_memory0', parseXenMemory('target_kb=1\u0000')],
    ['/proc/xen/balloon', parseProcXenBalloon('Current allocation: 1 kB\u0000')],
    ['/proc/pressure/memory', parsePressure('some\u0000')],
    ['/proc/vmstat', parseVmstat('balloon_inflate 1\u0000')],
    ['vmware-toolbox-cmd output', parseToolboxStat('1 MB\u0000')],
  ];
  for (const [source, result] of cases) assert.equal(reason(result), `${source} contains binary data`);
});

test('vmmemctl: a later non-numeric "target" line (V4 counter "target: N ( 0 failed)") is ignored; messages quote the bad line', () => {
  const stats = ok(parseVmmemctl('target: 5\ncurrent: 7\ntarget: 3 ( 0 failed)\ncurrent: 7\nx: 1\n'));
  assert.deepEqual([stats.targetFrames, stats.currentFrames], [5, 7]);
  assert.equal(reason(parseVmmemctl('target: abc\ncurrent: 5\nx: 1\n')), 'vmmemctl target line is malformed: "target: abc"');
  assert.equal(reason(parseVmmemctl('target: 5\ncurrent: abc\nx: 1\n')), 'vmmemctl current line is malformed: "current: abc"');
  assert.match(reason(parseVmmemctl('target: 5\ncurrent\nx: 1\n')), /no "current" line/, 'a line without a colon is no key');
});

test('/proc/xen/balloon: blank lines, padding before the colon; messages quote the line', () => {
  const good = 'Current allocation:  2097152 kB\n   \nRequested target  :    2097152 kB\nLow-mem balloon:     1024 kB\n';
  assert.equal(ok(parseProcXenBalloon(good)).targetBytes, 2097152 * KiB);
  assert.equal(reason(parseProcXenBalloon(`${good}Requested target :  1 kB\n`)), '/proc/xen/balloon has two different Requested target lines');
  assert.equal(reason(parseProcXenBalloon('Current allocation:  5 MB\n')), '/proc/xen/balloon line is not in the driver\'s format: "Current allocation:  5 MB"');
});

test('vmstat and PSI and toolbox: whitespace around fields', () => {
  assert.match(reason(parseVmstat('  \n ')), /none of the counters we read/);
  assert.equal(ok(parseVmstat('balloon_inflate  5\n')).get('balloon_inflate'), 5, 'two spaces between name and value');
  assert.equal(ok(parseVmstat('balloon_inflate 5\nbad-Name 7\n')).has('bad-Name'), false);
  assert.equal(ok(parsePressure('  some avg10=1.00 avg60=0.00 avg300=0.00 total=5  \n')).some.totalMicros, 5);
  assert.equal(ok(parseToolboxStat('  20480 MB  \n')).mib, 20480);
});

test('drivers: VMware balloon driver names; /proc/modules lines are "name size ..." with a lower-case name', () => {
  for (const name of ['vmw_balloon', 'vmware_balloon', 'vmmemctl']) assert.equal(isVmwareBalloonDriver(name), true, name);
  for (const name of [null, 'virtio_balloon', 'hv_balloon', 'vmw_balloonx']) assert.equal(isVmwareBalloonDriver(name), false, String(name));
  assert.equal(isBalloonDriver('xen_balloon'), true);
  assert.equal(isBalloonDriver('balloon'), false);
  assert.deepEqual(ok(parseModules('  vmw_balloon  24576 0 - Live 0x0\n\n   \nvirtio_balloon 28672 0 - Live 0x0\n')), ['vmw_balloon', 'virtio_balloon']);
  for (const bad of ['vmw-Balloon 24576 0', 'Vmw_balloon 24576 0', 'vmw_balloon- 24576 0', 'vmw_balloon x 0']) assert.match(reason(parseModules(`${bad}\n`)), /\/proc\/modules line is malformed/, bad);
  assert.deepEqual(parseKthreads(' vmmemctl pid=12 \nx vmmemctl pid=3\nvmmemctl pid=3x\n'), ['vmmemctl']);
});

test('memory blocks: 16 MiB is the smallest block; hexadecimal with or without 0x; counts must be numbers', () => {
  assert.equal(ok(parseMemoryBlocks('block_size_bytes=1000000\nblocks=4\n')).blockSizeBytes, 16 * 1024 * 1024);
  assert.match(reason(parseMemoryBlocks('block_size_bytes=fff000\nblocks=4\n')), /below the smallest memory section \(16 MiB\)/);
  assert.equal(ok(parseMemoryBlocks('block_size_bytes=0x8000000\nblocks=4\n')).blockSizeBytes, 128 * 1024 * 1024);
  for (const size of ['x8000000', '8000000x', '0x', '80000000000000']) assert.match(reason(parseMemoryBlocks(`block_size_bytes=${size}\nblocks=4\n`)), /missing or not a page multiple/, size);
  assert.match(reason(parseMemoryBlocks('block_size_bytes=8000000\nblocks=4\nonline=x\n')), /online\/offline count is not a number/);
  assert.match(reason(parseMemoryBlocks('block_size_bytes=8000000\nblocks=4\noffline=-1\n')), /online\/offline count is not a number/);
});

test('virtio devices: every line starts with device=; a device listed twice must be listed the same', () => {
  const line = 'device=virtio0 id=0x0005 vendor=0x1af4 status=0x0f driver=virtio_balloon features=1';
  assert.equal(ok(parseVirtioDevices(`${line}\n${line}\n\n  \n`)).length, 1);
  assert.match(reason(parseVirtioDevices(`${line}\n${line.replace('status=0x0f', 'status=0x07')}\n`)), /virtio device virtio0 is listed twice with different values/);
  assert.match(reason(parseVirtioDevices(` ${line}\n`)), /not in the probe's format/);
  assert.equal(ok(parseVirtioDevices(line.replace('id=0x0005', 'id=x0x0005'))).at(0)?.deviceId, null);
  assert.equal(ok(parseVirtioDevices(line.replace('id=0x0005', 'id=0x0005z'))).at(0)?.deviceId, null);
});

test('hv-balloon: duplicates must agree; blank lines do not hide a cut after pages_ballooned; a state without "(name)"', () => {
  const full = 'state: 2 (ready)\npages_ballooned: 5\ntotal_pages_committed: 10\nmax_dynamic_page_count: 20\n';
  assert.equal(ok(parseHvBalloon(full)).state, 'ready');
  assert.equal(ok(parseHvBalloon(full.replace('2 (ready)', 'ready'))).state, 'ready');
  assert.match(reason(parseHvBalloon(`${full}pages_ballooned: 6\n`)), /^hv-balloon stats have two different pages_ballooned lines$/);
  assert.match(reason(parseHvBalloon('state: 2 (ready)\npages_ballooned: 5\n  \n\t\n')), /looks cut off/);
  assert.match(reason(parseHvBalloon('state: 2 (ready)\n  pages_ballooned: 5  \n')), /looks cut off/);
  assert.equal(reason(parseHvBalloon('pages_ballooned: 5\u0000')), 'hv-balloon stats contains binary data');
});

test('PSI: two-digit and three-digit averages in every column', () => {
  const psi = ok(parsePressure('some avg10=12.34 avg60=56.78 avg300=99.99 total=5\n'));
  assert.deepEqual([psi.some.avg10, psi.some.avg60, psi.some.avg300], [12.34, 56.78, 99.99]);
});

test('vmmemctl: which malformed line is reported, and only the first target/current counts', () => {
  assert.match(reason(parseVmmemctl('current: abc\ntarget: 5\nx: 1\n')), /current line is malformed/);
  assert.equal(ok(parseVmmemctl('target: 5\ntarget: x\ncurrent: 5\ny: 1\n')).currentFrames, 5);
  assert.equal(ok(parseVmmemctl('target: 5\ncurrent: 5\ncurrent: x\ny: 1\n')).currentFrames, 5);
  assert.match(reason(parseVmmemctl('target: 5\ncurrent5\nx: 1\n')), /no "current" line/, 'a line without a colon is no key');
  const long = `target: ${'9'.repeat(40)}x${'9'.repeat(60)}`;
  assert.equal(reason(parseVmmemctl(`${long}\ncurrent: 5\nx: 1\n`)), `vmmemctl target line is malformed: ${JSON.stringify(long.slice(0, 80))}`);
});

test('messages quote at most 80 characters of a bad line (160 of a tool failure) and name the conflicting key', () => {
  const bad = `Current allocation: ${'x'.repeat(100)}`;
  assert.equal(reason(parseProcXenBalloon(`${bad}\n`)), `/proc/xen/balloon line is not in the driver's format: ${JSON.stringify(bad.slice(0, 80))}`);
  assert.equal(reason(parseXenMemory('target_kb=1\ntarget_kb=2\n')), 'xen_memory0 has two different target_kb values');
  const failure = `Failed: ${'y'.repeat(200)}`;
  assert.equal(reason(parseToolboxStat(`${failure}\nmore\n`)), `vmware-toolbox-cmd: ${failure.slice(0, 160)}`);
  const odd = `${'z'.repeat(100)} MB`;
  assert.equal(reason(parseToolboxStat(`${odd}\n`)), `vmware-toolbox-cmd printed ${JSON.stringify(odd.slice(0, 80))}, not "N MB"`);
});

test('virtio features: whole 64-bit words of 0/1 only; name lists are trimmed', () => {
  const word = `0111${'0'.repeat(60)}`;
  assert.equal(parseVirtioFeatures(word)?.deflateOnOom, true);
  assert.equal(parseVirtioFeatures(`${word}${word}`)?.statsVq, true);
  for (const bits of [`x${word}`, `${word}x`, word.slice(1), `${word}0`]) assert.equal(parseVirtioFeatures(bits), null, bits);
  assert.deepEqual(parseNameList(' vmw_balloon \nnot a name\n'), ['vmw_balloon']);
});

test('cpuinfo: the first flags/Features line at a line start, its words split on any blank run; vendor trimmed', () => {
  const info = ok(parseCpuinfo('vendor_id\t:  GenuineIntel  \nflags\t\t: fpu  hypervisor\tsse\nflags\t: fpu\n'));
  assert.deepEqual(info, { hypervisorFlag: true, hasFlagsLine: true, vendor: 'GenuineIntel' });
  assert.equal(ok(parseCpuinfo('Features\t: fp asimd\nflags : hypervisor\n')).hasFlagsLine, false, 'the first line decides: arm');
  assert.match(reason(parseCpuinfo('xflags : hypervisor\n')), /no flags line/);
  assert.equal(ok(parseCpuinfo('flags:hypervisor\n')).hypervisorFlag, true, 'no blank around the colon');
  assert.match(reason(parseCpuinfo(' \n')), /^\/proc\/cpuinfo has no flags line$/);
});

test('probe meta: page sizes are powers of two from 4 KiB to 1 MiB; utsname fields 1..64 printable; uptime digits', () => {
  const page = (value: string) => parseMeta(`pagesize=${value}\n`).pageSize;
  assert.equal(page('4096'), 4096);
  assert.equal(page('1048576'), 1048576);
  for (const bad of ['2048', '2097152', '12288', '4096x', 'x4096', '']) assert.equal(page(bad), null, bad);
  const kernel = (value: string) => parseMeta(`kernel=${value}\n`).kernel;
  assert.equal(kernel('k'.repeat(64)), 'k'.repeat(64));
  assert.equal(kernel('k'.repeat(65)), null);
  assert.equal(kernel('6.1 x'), null);
  assert.equal(kernel(' 6.1'), '6.1', 'keyValues trims');
  assert.equal(parseMeta('uptime=5\n').uptimeSeconds, 5);
  assert.equal(parseMeta('uptime=5.25\n').uptimeSeconds, 5.25);
  assert.equal(parseMeta('uptime=5.\n').uptimeSeconds, null);
  assert.equal(parseMeta('uptime=55\n').uptimeSeconds, 55);
});

test('DMI: values up to 256 characters; the hypervisor from whichever field is set', () => {
  assert.equal(ok(parseDmi(`sys_vendor=${'V'.repeat(256)}\n`)).sysVendor, 'V'.repeat(256));
  assert.match(reason(parseDmi(`sys_vendor=${'V'.repeat(257)}\n`)), /no readable vendor or product/);
  const dmi = (sysVendor: string | null, productName: string | null, biosVendor: string | null = null) => ({ sysVendor, productName, biosVendor, biosVersion: null });
  assert.equal(hypervisorFromDmi(dmi(null, 'VMware7,1')), 'vmware');
  assert.equal(hypervisorFromDmi(dmi('Amazon EC2', null)), 'kvm');
  assert.equal(hypervisorFromDmi(dmi('Amazon EC2', 'm5.metal')), null);
  assert.equal(hypervisorFromDmi(dmi('Amazon EC2', 'm5.large')), 'kvm');
  assert.equal(hypervisorFromDmi(dmi('Some Vendor', 'Virtual Machine')), null);
  assert.equal(hypervisorFromDmi(dmi('Microsoft Corporation', 'Virtual Machine')), 'hyperv');
  assert.equal(hypervisorFromDmi(dmi('Microsoft Corporation', 'Surface Pro')), null);
  assert.equal(hypervisorFromDmi(dmi(null, null, 'Hyper-V UEFI')), 'hyperv');
});

test('probe meta uid and container evidence bounds', () => {
  assert.equal(parseMeta('uid=1000\n').uid, 1000);
  assert.equal(parseMeta('uid=12345678901\n').uid, null);
  const markers = Array.from({ length: 12 }, (_, index) => `marker=m${index}`).join('\n');
  assert.equal(parseContainer(markers).evidence.length, 8);
});

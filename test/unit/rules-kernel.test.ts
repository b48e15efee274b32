import assert from 'node:assert/strict';
import test from 'node:test';
import type { GuestFacts } from '../../src/core/facts';
import { driverBehaviour, parseKernelRelease } from '../../src/core/kernels';
import { diagnose, type Finding, type FindingId } from '../../src/core/rules';
import { computeTrend, type Trend } from '../../src/core/trend';
import { GiB, MiB } from '../../src/core/units';
import { buildFacts, kvmGuest, type Overrides } from '../helpers/facts-builder';

const find = (findings: readonly Finding[], id: FindingId): Finding => {
  const found = findings.find((finding) => finding.id === id);
  assert.ok(found, `expected ${id} among ${findings.map((f) => f.id).join(', ') || 'no findings'}`);
  return found;
};
const absent = (findings: readonly Finding[], id: FindingId) => assert.ok(!findings.some((finding) => finding.id === id), `${id} must not fire`);
const vmware = (overrides: Overrides<GuestFacts>) => diagnose(buildFacts(overrides));
/** Kernel facts as collectFacts builds them, for a driver on a release. */
const kernelFacts = (driver: Parameters<typeof driverBehaviour>[0], raw: string): GuestFacts['kernel'] => {
  const parsed = parseKernelRelease(raw);
  assert.ok(parsed.ok);
  return { release: parsed.value, releaseProblem: null, pageSizeBytes: 4096, pageSizeSource: 'probed (getconf PAGESIZE)', behaviour: driverBehaviour(driver, parsed.value) };
};

test('balloon-sources-disagree: the residue of used memory picks the source to trust', () => {
  const two = (residue: number) => vmware({
    balloon: { currentBytes: 0, measurements: [{ source: 'debugfs vmmemctl', bytes: 0 }, { source: 'vmware-toolbox-cmd stat balloon', bytes: 4 * GiB }] },
    memory: { unaccountedBytes: residue },
  });
  assert.match(find(two(4 * GiB + 100 * MiB), 'balloon-sources-disagree').detail, /Trust vmware-toolbox-cmd stat balloon: the 4\.1 GiB of "used" memory no process owns matches it/);
  assert.match(find(two(100 * MiB), 'balloon-sources-disagree').detail, /Trust debugfs vmmemctl for what this guest has given up/);
  // the Balloon: line is not one of the driver's sources: it is cross-checked by balloon-line-disagrees instead
  absent(vmware({ balloon: { currentBytes: 2 * GiB, measurements: [{ source: 'debugfs hv-balloon pages_ballooned', bytes: 2 * GiB }, { source: '/proc/meminfo Balloon', bytes: GiB }] } }), 'balloon-sources-disagree');
});

test('balloon-line-disagrees: VMware\'s line may fall short (2 MiB pages), never exceed; other drivers both ways', () => {
  absent(vmware({ balloon: { currentBytes: 4 * GiB }, memory: { balloonLineBytes: 512 * MiB } }), 'balloon-line-disagrees');
  assert.match(find(vmware({ balloon: { currentBytes: GiB }, memory: { balloonLineBytes: 4 * GiB } }), 'balloon-line-disagrees').detail, /only 4 KiB balloon pages/);
  absent(vmware({ balloon: { currentBytes: 4 * GiB }, memory: { balloonLineBytes: 4 * GiB - 32 * MiB } }), 'balloon-line-disagrees');
  const hyperv = (line: number) => diagnose(buildFacts({
    hypervisor: { kind: 'hyperv' },
    balloon: { driver: 'hv_balloon', currentBytes: 2 * GiB, measurements: [{ source: 'debugfs hv-balloon pages_ballooned', bytes: 2 * GiB }, { source: '/proc/meminfo Balloon', bytes: line }], shrinksMemTotal: true },
    memory: { balloonLineBytes: line },
  }));
  find(hyperv(GiB), 'balloon-line-disagrees');
  find(hyperv(3 * GiB), 'balloon-line-disagrees');
  absent(hyperv(2 * GiB), 'balloon-line-disagrees');
  // nr_balloon_pages × the probed page size stands in when there is no Balloon: line
  const pages = diagnose(kvmGuest({
    balloon: { currentBytes: 2 * GiB, source: '/proc/vmstat balloon_inflate - balloon_deflate' },
    memory: { balloonLineBytes: null }, counters: { nrBalloonPages: 16384 }, kernel: kernelFacts('virtio_balloon', '6.18.0'),
  }));
  assert.match(find(pages, 'balloon-line-disagrees').detail, /\/proc\/vmstat nr_balloon_pages: 64 MiB/);
});

test('memory-offline: offline blocks are reported with their size; none, or not counted, is silence', () => {
  const offline = find(vmware({ memory: { configuredBytes: 12 * GiB, offlineBytes: 4 * GiB, onlineBytes: 8 * GiB, configuredSource: '96 memory blocks of 128 MiB, 32 of them offline' } }), 'memory-offline');
  assert.equal(offline.severity, 'warning');
  assert.match(offline.detail, /memhp_default_state=online/);
  absent(vmware({ memory: { offlineBytes: 0 } }), 'memory-offline');
  absent(vmware({ memory: { offlineBytes: null } }), 'memory-offline');
});

test('balloon-persistent: inflated in every one of 3+ samples; a dip to 0 or 2 samples is not chronic', () => {
  const at = (seconds: number, bytes: number | null) => ({ at: new Date(1_700_000_000_000 + seconds * 1000), facts: buildFacts({ balloon: { currentBytes: bytes } }) });
  const chronic = computeTrend([at(0, 2 * GiB), at(10, GiB), at(20, 2 * GiB)]) as Trend;
  assert.equal(chronic.minBalloonBytes, GiB);
  const persistent = find(diagnose(buildFacts({ balloon: { currentBytes: 2 * GiB } }), chronic), 'balloon-persistent');
  assert.match(persistent.title, /all 3 samples \(at least 1\.0 GiB\)/);
  absent(diagnose(buildFacts({ balloon: { currentBytes: 2 * GiB } }), computeTrend([at(0, 2 * GiB), at(10, 0), at(20, 2 * GiB)])), 'balloon-persistent');
  absent(diagnose(buildFacts({ balloon: { currentBytes: 2 * GiB } }), computeTrend([at(0, 2 * GiB), at(10, 2 * GiB)])), 'balloon-persistent');
  absent(diagnose(buildFacts({ balloon: { currentBytes: 2 * GiB } }), computeTrend([at(0, 2 * GiB), at(10, null), at(20, 2 * GiB)])), 'balloon-persistent');
});

test('reservation-inconsistent: a balloon above configured − reservation; max reclaimable = min(cap, configured − reservation)', () => {
  const found = find(vmware({ vmware: { reservationMiB: 28 * 1024 }, balloon: { currentBytes: 8 * GiB } }), 'reservation-inconsistent');
  assert.match(found.detail, /at most 4\.0 GiB can be reclaimed, and the balloon stops at 4\.0 GiB/);
  absent(vmware({ vmware: { reservationMiB: 28 * 1024 }, balloon: { currentBytes: 4 * GiB } }), 'reservation-inconsistent');
  absent(vmware({ vmware: { reservationMiB: 0 }, balloon: { currentBytes: 20 * GiB } }), 'reservation-inconsistent');
  absent(diagnose(kvmGuest({ vmware: { reservationMiB: 28 * 1024 }, balloon: { currentBytes: 8 * GiB } })), 'reservation-inconsistent');
});

test('memtotal-shrunk: virtio without deflate-on-oom, MemTotal far below the online blocks; info when the balloon explains it', () => {
  const explained = find(diagnose(kvmGuest({ balloon: { currentBytes: 3 * GiB }, memory: { totalBytes: 5 * GiB - 180 * MiB } })), 'memtotal-shrunk');
  assert.equal(explained.severity, 'info');
  const unknownSize = find(diagnose(kvmGuest({ balloon: { currentBytes: null }, memory: { totalBytes: 5 * GiB - 180 * MiB } })), 'memtotal-shrunk');
  assert.equal(unknownSize.severity, 'warning');
  assert.match(unknownSize.detail, /Balloon: needs Linux 6\.15/);
  // deflate-on-oom on (MemTotal kept), a small gap, or configured memory that is only MemTotal: silence
  absent(diagnose(kvmGuest({ balloon: { currentBytes: 3 * GiB, shrinksMemTotal: false }, memory: { totalBytes: 5 * GiB } })), 'memtotal-shrunk');
  absent(diagnose(kvmGuest({ balloon: { currentBytes: 0 }, memory: { totalBytes: 8 * GiB - 180 * MiB } })), 'memtotal-shrunk');
  absent(diagnose(kvmGuest({ balloon: { currentBytes: 3 * GiB }, memory: { totalBytes: 5 * GiB, configuredSource: 'MemTotal plus the balloon (lower bound)' } })), 'memtotal-shrunk');
  // offline blocks are not MemTotal's to show: the gap is measured against online memory
  absent(diagnose(kvmGuest({ balloon: { currentBytes: 0 }, memory: { totalBytes: 5 * GiB - 180 * MiB, onlineBytes: 5 * GiB, offlineBytes: 3 * GiB } })), 'memtotal-shrunk');
});

test('unaccounted-memory: a kernel that may keep the balloon in MemTotal never says "not the balloon"', () => {
  const hv = (shrinksMemTotal: boolean | null, currentBytes: number | null) => find(diagnose(buildFacts({
    hypervisor: { kind: 'hyperv' }, balloon: { driver: 'hv_balloon', currentBytes, shrinksMemTotal }, memory: { unaccountedBytes: 3 * GiB },
  })), 'unaccounted-memory');
  assert.match(hv(false, null).title, /probably the balloon/);
  assert.match(hv(null, null).title, /probably the balloon/);
  assert.match(hv(null, null).detail, /unknown/);
  assert.match(hv(null, GiB).title, /the balloon may be part of it/);
  assert.match(hv(true, null).title, /not the balloon/);
});

test('xen-target-not-reached says how the driver retries on this kernel (max_retry_count)', () => {
  const xen = (kernel: string) => find(diagnose(buildFacts({
    hypervisor: { kind: 'xen' },
    balloon: { driver: 'xen_balloon', currentBytes: GiB, targetBytes: 4 * GiB, source: 'xen_memory0 info/low_kb + high_kb', shrinksMemTotal: true },
    xen: { targetBytes: 4 * GiB, currentBytes: 3 * GiB, balloonBytes: GiB },
    kernel: kernelFacts('xen_balloon', kernel),
  })), 'xen-target-not-reached').detail;
  assert.match(xen('5.10.0-28-amd64'), /gives up after 4 retries/);
  assert.match(xen('4.1.0'), /retries for ever/);
  assert.match(xen('4.19.0-27-amd64'), /depends on max_retry_count/);
});

test('stats-need-root is not asked for the hv-balloon file on kernels that have none (before 6.0)', () => {
  const hv = (kernel: string) => diagnose(buildFacts({
    hypervisor: { kind: 'hyperv' }, balloon: { driver: 'hv_balloon', currentBytes: null, shrinksMemTotal: false },
    probes: [{ id: 'debugfs-hv-balloon', status: 'denied', detail: 'debugfs is readable by root only' }], kernel: kernelFacts('hv_balloon', kernel),
  }));
  absent(hv('5.4.0-150-generic'), 'stats-need-root');
  find(hv('6.1.0-18-amd64'), 'stats-need-root');
});

test('balloon-line-disagrees on virtio: Balloon: against the since-boot counters, trusting the Balloon: line', () => {
  const line = (balloonLine: number, counters: number) => diagnose(kvmGuest({
    balloon: { currentBytes: balloonLine, measurements: [{ source: '/proc/meminfo Balloon', bytes: balloonLine }, { source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: counters }] },
    memory: { balloonLineBytes: balloonLine },
  }));
  assert.match(find(line(0, 2 * GiB), 'balloon-line-disagrees').detail, /Trust the Balloon: line/);
  absent(line(2 * GiB, 2 * GiB), 'balloon-line-disagrees');
  absent(line(2 * GiB, 0), 'balloon-sources-disagree');
});

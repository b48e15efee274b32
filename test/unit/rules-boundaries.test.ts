import assert from 'node:assert/strict';
import test from 'node:test';
import { DEFAULT_BALLOON_CAP, diagnose, type Finding } from '../../src/core/rules';
import type { Trend } from '../../src/core/trend';
import { GiB, MiB } from '../../src/core/units';
import { buildFacts, kvmGuest } from '../helpers/facts-builder';

// The rules' thresholds at their edges (a mutant that moves an edge by one byte or turns < into <= must fail here).
// The named constants of rules.ts: 16 MiB of change is significant, 64 MiB of limit slack, a limit gap of 10 % is
// critical, the balloon near its cap at 90 %, MemAvailable under 10 % is low, PSI full avg10 ≥ 1 % is a stall.

const STEP = 16 * MiB;
const find = (findings: readonly Finding[], id: string) => findings.find((finding) => finding.id === id);
const has = (findings: readonly Finding[], id: string) => findings.some((finding) => finding.id === id);
const trend = (delta: number | null): Trend => ({
  samples: 3, seconds: 20, firstBalloonBytes: GiB, lastBalloonBytes: delta === null ? null : GiB + delta, balloonDeltaBytes: delta, minBalloonBytes: GiB, direction: 'steady',
  swapInPerSecond: 0, swapOutPerSecond: 0, majorFaultsPerSecond: 0, oomKillsDelta: 0,
});

test('Xen: current more than 16 MiB below the target is not reached, more than 16 MiB above is inflating (a warning); 16 MiB is noise', () => {
  const target = 4 * GiB;
  const xen = (current: number) => diagnose(buildFacts({
    hypervisor: { kind: 'xen', product: 'HVM domU' }, balloon: { driver: 'xen_balloon', targetBytes: target, currentBytes: GiB, source: 'xen_memory0 info/low_kb + high_kb' },
    xen: { targetBytes: target, currentBytes: current, balloonBytes: GiB }, vmware: { toolsInstalled: false, limitKnown: false, debugfsLayout: null },
  }));
  assert.ok(!has(xen(target - STEP), 'xen-target-not-reached'));
  assert.equal(find(xen(target - STEP - 1), 'xen-target-not-reached')?.severity, 'warning');
  assert.ok(!has(xen(target + STEP), 'balloon-inflating'));
  assert.equal(find(xen(target + STEP + 1), 'balloon-inflating')?.severity, 'warning');
  assert.ok(!has(xen(target + STEP + 1), 'xen-target-not-reached'));
});

test('target against balloon: a difference of 16 MiB counts (inflating up, deflating down), one byte less does not', () => {
  const guest = (balloon: number, target: number) => diagnose(kvmGuest({ balloon: { currentBytes: balloon, targetBytes: target } }));
  assert.equal(find(guest(GiB, GiB + STEP), 'balloon-inflating')?.severity, 'warning');
  assert.ok(!has(guest(GiB, GiB + STEP - 1), 'balloon-inflating'));
  assert.equal(find(guest(GiB, GiB - STEP), 'balloon-deflating')?.severity, 'info');
  assert.ok(!has(guest(GiB, GiB - STEP + 1), 'balloon-deflating'));
});

test('watch trend: a move of 16 MiB is a finding, less is not; the target\'s own finding is not repeated', () => {
  const guest = (delta: number | null, target: number | null = null) => diagnose(kvmGuest({ balloon: { currentBytes: GiB, targetBytes: target } }), trend(delta));
  assert.equal(find(guest(STEP), 'balloon-inflating')?.severity, 'warning');
  assert.ok(!has(guest(STEP - 1), 'balloon-inflating'));
  assert.equal(find(guest(-STEP), 'balloon-deflating')?.severity, 'info');
  assert.ok(!has(guest(-STEP + 1), 'balloon-deflating'));
  assert.ok(!has(guest(null), 'balloon-inflating') && !has(guest(null), 'balloon-deflating'));
  // The target already says deflating: a growing trend adds no inflating finding beside it.
  const both = guest(GiB, 0);
  assert.ok(has(both, 'balloon-deflating'));
  assert.ok(!has(both, 'balloon-inflating'), both.map((f) => f.id).join(' '));
});

test('VMware limit: a gap of 10 % of configured memory is critical with an empty balloon, just under it a warning; beyond the balloon cap only past it', () => {
  const configured = 40 * GiB; // 10 % and 65 % of it are whole MiB
  const limited = (limit: number, balloon = 0) => diagnose(buildFacts({ memory: { configuredBytes: configured }, vmware: { limitMiB: limit / MiB, limitKnown: true }, balloon: { currentBytes: balloon } }));
  const tenth = configured - 4 * GiB;
  assert.equal(find(limited(tenth), 'limit-below-configured')?.severity, 'critical');
  assert.equal(find(limited(tenth + MiB), 'limit-below-configured')?.severity, 'warning');
  const capGap = DEFAULT_BALLOON_CAP * configured;
  assert.ok(Number.isInteger(capGap / MiB));
  assert.ok(!has(limited(configured - capGap), 'limit-beyond-balloon-cap'));
  assert.equal(find(limited(configured - capGap - MiB), 'limit-beyond-balloon-cap')?.severity, 'critical');
  // A limit within 64 MiB of configured memory is no limit: a ballooned VM then points at host contention.
  assert.ok(has(limited(configured - 64 * MiB, GiB), 'host-contention'));
  assert.ok(!has(limited(configured - 65 * MiB, GiB), 'host-contention'));
});

test('host contention and the balloon cap are VMware findings only', () => {
  const kvm = diagnose(kvmGuest({ vmware: { limitKnown: true, limitMiB: null }, balloon: { currentBytes: 5 * GiB } }));
  assert.ok(!has(kvm, 'host-contention') && !has(kvm, 'balloon-near-cap'), kvm.map((f) => f.id).join(' '));
  const noBalloonFigure = diagnose(buildFacts({ balloon: { currentBytes: null, measurements: [], source: null } }));
  assert.ok(!has(noBalloonFigure, 'host-contention') && !has(noBalloonFigure, 'balloon-near-cap'));
});

test('balloon near its cap: at 90 % of the most it can hold, not a byte under', () => {
  const configured = 32 * GiB;
  const edge = 0.9 * DEFAULT_BALLOON_CAP * configured;
  const near = (balloon: number) => diagnose(buildFacts({ balloon: { currentBytes: balloon } }));
  assert.equal(find(near(Math.ceil(edge)), 'balloon-near-cap')?.severity, 'warning');
  assert.ok(!has(near(Math.floor(edge) - 1), 'balloon-near-cap'));
});

test('guest memory pressure: MemAvailable under 10 % of MemTotal (exactly 10 % is not), PSI full avg10 from 1 %', () => {
  const total = 10 * GiB;
  const guest = (available: number, fullAvg10 = 0) => diagnose(kvmGuest({
    memory: { totalBytes: total, availableBytes: available }, pressure: { some: { avg10: 0, avg60: 0, avg300: 0, totalMicros: 0 }, full: { avg10: fullAvg10, avg60: 0, avg300: 0, totalMicros: 0 } },
  }));
  assert.ok(!has(guest(total / 10), 'guest-memory-pressure'));
  assert.equal(find(guest(total / 10 - 1), 'guest-memory-pressure')?.severity, 'warning');
  assert.ok(has(guest(5 * GiB, 1), 'guest-memory-pressure'));
  assert.ok(!has(guest(5 * GiB, 0.99), 'guest-memory-pressure'));
});

test('unaccounted memory: from max(256 MiB, 5 % of MemTotal); the balloon\'s when within max(256 MiB, 20 % of it)', () => {
  const small = (unaccounted: number) => diagnose(buildFacts({ memory: { totalBytes: 4 * GiB, unaccountedBytes: unaccounted }, balloon: { currentBytes: 0 } }));
  assert.ok(has(small(256 * MiB), 'unaccounted-memory'));
  assert.ok(!has(small(256 * MiB - 1), 'unaccounted-memory'));
  const total = 32 * GiB - 256 * MiB; // healthyVmware's MemTotal: 5 % of it is above 256 MiB
  const big = (unaccounted: number) => diagnose(buildFacts({ memory: { unaccountedBytes: unaccounted }, balloon: { currentBytes: 0 } }));
  assert.ok(has(big(Math.ceil(0.05 * total)), 'unaccounted-memory'));
  assert.ok(!has(big(Math.floor(0.05 * total)), 'unaccounted-memory'));
  // VMware keeps the balloon inside MemTotal: unaccounted memory near the balloon's size is the balloon (info).
  const vmware = (balloon: number, unaccounted: number, totalBytes = total) => find(diagnose(buildFacts({ memory: { totalBytes, unaccountedBytes: unaccounted }, balloon: { currentBytes: balloon } })), 'unaccounted-memory')?.severity;
  assert.equal(vmware(GiB, GiB + 256 * MiB, 4 * GiB), 'info');
  assert.equal(vmware(GiB, GiB + 256 * MiB + 1, 4 * GiB), 'warning');
  assert.equal(vmware(GiB, GiB - 256 * MiB, 4 * GiB), 'info');
  assert.equal(vmware(5 * GiB, 6 * GiB), 'info');
  assert.equal(vmware(5 * GiB, 6 * GiB + 1), 'warning');
  assert.equal(vmware(5 * GiB, 4 * GiB), 'info');
  assert.equal(vmware(5 * GiB, 4 * GiB - 1), 'warning');
});

test('a balloon finding cites the hypervisor\'s own article', () => {
  const cases = [
    ['vmware', buildFacts({ balloon: { currentBytes: GiB } }), 'vmware-balloon-driver'],
    ['kvm', kvmGuest({ balloon: { currentBytes: GiB } }), 'kvm-virtio-balloon'],
    ['hyperv', buildFacts({ hypervisor: { kind: 'hyperv' }, balloon: { driver: 'hv_balloon', currentBytes: GiB, shrinksMemTotal: true } }), 'hyperv-dynamic-memory'],
    ['xen', buildFacts({ hypervisor: { kind: 'xen' }, balloon: { driver: 'xen_balloon', currentBytes: GiB, shrinksMemTotal: true } }), 'xen-balloon'],
  ] as const;
  for (const [hv, facts, article] of cases) {
    assert.ok(find(diagnose(facts), 'balloon-inflated')?.articles.includes(article), `${hv}: ${article}`);
  }
});

test('balloon-persistent: three samples whose smallest balloon is 16 MiB or more', () => {
  const watch = (min: number, samples = 3): Trend => ({ ...trend(0), samples, minBalloonBytes: min, firstBalloonBytes: GiB, lastBalloonBytes: GiB });
  const facts = kvmGuest({ balloon: { currentBytes: GiB } });
  assert.equal(find(diagnose(facts, watch(STEP)), 'balloon-persistent')?.severity, 'warning');
  assert.ok(!has(diagnose(facts, watch(STEP - 1)), 'balloon-persistent'));
  assert.ok(!has(diagnose(facts, watch(GiB, 2)), 'balloon-persistent'));
});

test('VMware reservation: a balloon more than 64 MiB past configured minus reserved is inconsistent (a warning)', () => {
  const configured = 32 * GiB;
  const reserved = 16 * GiB;
  const guest = (balloon: number, reservationMiB = reserved / MiB) => diagnose(buildFacts({ vmware: { reservationMiB }, balloon: { currentBytes: balloon } }));
  assert.equal(find(guest(configured - reserved + 64 * MiB + 1), 'reservation-inconsistent')?.severity, 'warning');
  assert.ok(!has(guest(configured - reserved + 64 * MiB), 'reservation-inconsistent'));
  assert.ok(!has(guest(30 * GiB, 0), 'reservation-inconsistent'), 'no reservation, nothing to be inconsistent with');
});

test('memtotal-shrunk: MemTotal at least max(512 MiB, 10 %) under the memory blocks; the balloon\'s (info) when it explains it', () => {
  const usable = 8 * GiB;
  const guest = (total: number, balloon: number) => diagnose(kvmGuest({ memory: { totalBytes: total, configuredBytes: usable, configuredSource: '64 memory blocks of 128 MiB' }, balloon: { currentBytes: balloon } }));
  const shortfall = 0.1 * usable; // 819.2 MiB, above 512 MiB
  assert.equal(find(guest(Math.floor(usable - shortfall), 0), 'memtotal-shrunk')?.severity, 'warning');
  assert.ok(!has(guest(Math.floor(usable - shortfall) + 1, 0), 'memtotal-shrunk'));
  assert.equal(find(guest(usable - GiB, GiB), 'memtotal-shrunk')?.severity, 'info');
  assert.equal(find(guest(usable - 2 * GiB, GiB), 'memtotal-shrunk')?.severity, 'warning');
});

test('two of the driver\'s own sources disagree: the finding\'s severity follows the larger one, whichever comes first', () => {
  const disagree = (first: number, second: number) => find(diagnose(buildFacts({
    balloon: { currentBytes: first, measurements: [{ source: 'debugfs vmmemctl', bytes: first }, { source: 'vmware-toolbox-cmd stat balloon', bytes: second }] },
  })), 'balloon-sources-disagree')?.severity;
  assert.equal(disagree(20 * GiB, GiB), 'critical');
  assert.equal(disagree(GiB, 20 * GiB), 'critical');
  assert.equal(disagree(GiB, 2 * GiB), 'warning');
});

test('the Balloon: line against the driver\'s figure: more than max(64 MiB, 10 %) apart (on VMware only above it)', () => {
  const driver = 100 * MiB;
  const kvm = (line: number) => find(diagnose(kvmGuest({
    balloon: { currentBytes: driver, measurements: [{ source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: driver }] }, memory: { balloonLineBytes: line },
  })), 'balloon-line-disagrees')?.severity;
  assert.equal(kvm(driver + 64 * MiB), undefined);
  assert.equal(kvm(driver + 64 * MiB + 1), 'info');
  assert.equal(kvm(driver - 64 * MiB - 1), 'info', 'on virtio a line below the driver\'s figure disagrees too');
  const vmware = (line: number) => find(diagnose(buildFacts({
    balloon: { currentBytes: driver, measurements: [{ source: 'debugfs vmmemctl', bytes: driver }] }, memory: { balloonLineBytes: line },
  })), 'balloon-line-disagrees')?.severity;
  assert.equal(vmware(driver + 64 * MiB), undefined);
  assert.equal(vmware(driver + 64 * MiB + 1), 'info');
  assert.equal(vmware(0), undefined, 'vmw_balloon\'s 2 MiB pages never reach the line: below is no disagreement');
  // Without a Balloon: line, nr_balloon_pages times the page size stands in for it.
  const pages = diagnose(kvmGuest({
    balloon: { currentBytes: driver, measurements: [{ source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: driver }] },
    memory: { balloonLineBytes: null }, counters: { nrBalloonPages: 100_000 },
    kernel: { release: null, releaseProblem: null, pageSizeBytes: 4096, pageSizeSource: 'probed', behaviour: null },
  }));
  assert.ok(has(pages, 'balloon-line-disagrees'), pages.map((f) => f.id).join(' '));
  const unknownPage = diagnose(kvmGuest({
    balloon: { currentBytes: driver, measurements: [{ source: '/proc/vmstat balloon_inflate - balloon_deflate', bytes: driver }] },
    memory: { balloonLineBytes: null }, counters: { nrBalloonPages: 100_000 },
  }));
  assert.ok(!has(unknownPage, 'balloon-line-disagrees'), 'pages of unknown size are no figure');
});

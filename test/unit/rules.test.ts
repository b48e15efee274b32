import assert from 'node:assert/strict';
import test from 'node:test';
import type { GuestFacts } from '../../src/core/facts';
import { DEFAULT_BALLOON_CAP, diagnose, FINDING_ARTICLES, FINDING_IDS, SEVERITY_RANK, worstSeverity, type Finding, type FindingId } from '../../src/core/rules';
import type { Trend } from '../../src/core/trend';
import { GiB, MiB } from '../../src/core/units';
import { buildFacts, kvmGuest, type Overrides } from '../helpers/facts-builder';

const ids = (findings: readonly Finding[]) => findings.map((finding) => finding.id);
const find = (findings: readonly Finding[], id: FindingId): Finding => {
  const found = findings.find((finding) => finding.id === id);
  assert.ok(found, `expected ${id} among ${ids(findings).join(', ') || 'no findings'}`);
  return found;
};
const absent = (findings: readonly Finding[], id: FindingId) =>
  assert.ok(!findings.some((finding) => finding.id === id), `${id} must not fire: ${JSON.stringify(findings.find((f) => f.id === id)?.detail)}`);
const vmware = (overrides: Overrides<GuestFacts>) => diagnose(buildFacts(overrides));

/** The seed's guest: 32 GiB configured, a memory limit, the balloon holding what the limit takes. */
const limited = (limitGiB: number, balloonBytes = 20 * GiB) => vmware({
  vmware: { limitMiB: limitGiB * 1024, balloonMiB: balloonBytes / MiB },
  balloon: { currentBytes: balloonBytes, targetBytes: balloonBytes },
  memory: { unaccountedBytes: balloonBytes + 128 * MiB },
});

const trend = (overrides: Partial<Trend> = {}): Trend => ({
  samples: 3, seconds: 60, firstBalloonBytes: 0, lastBalloonBytes: 0, balloonDeltaBytes: 0, direction: 'steady',
  swapInPerSecond: 0, swapOutPerSecond: 0, majorFaultsPerSecond: 0, oomKillsDelta: 0, ...overrides,
});

test('a healthy VMware guest and a healthy KVM guest have no findings', () => {
  assert.deepEqual(diagnose(buildFacts()), []);
  assert.deepEqual(diagnose(kvmGuest()), []);
});

test('seed: 32 GiB configured, 12 GiB limit → limit-below-configured, critical, "20.0 GiB"', () => {
  const findings = limited(12);
  const limit = find(findings, 'limit-below-configured');
  assert.equal(limit.severity, 'critical');
  assert.match(limit.title, /12\.0 GiB.*32\.0 GiB/);
  assert.match(limit.detail, /about 20\.0 GiB is reclaimed/);
  // 20 GiB < 65 % of 32 GiB = 20.8 GiB: the balloon can hold it all
  absent(findings, 'limit-beyond-balloon-cap');
  const inflated = find(findings, 'balloon-inflated');
  assert.equal(inflated.severity, 'critical');
  assert.match(inflated.title, /20\.0 GiB \(63% of the 32\.0 GiB configured\)/);
});

test('8 GiB limit of 32 GiB → limit-beyond-balloon-cap: 24 GiB > 65 % of 32 GiB = 20.8 GiB', () => {
  const findings = limited(8, 20.8 * GiB);
  const cap = find(findings, 'limit-beyond-balloon-cap');
  assert.equal(cap.severity, 'critical');
  assert.match(cap.title, /3\.2 GiB must be host-swapped or compressed/);
  assert.match(cap.detail, /limit gap is 24\.0 GiB/);
  assert.match(cap.detail, /65% of configured memory \(20\.8 GiB/);
  assert.equal(DEFAULT_BALLOON_CAP, 0.65);
});

test('limit boundaries: equal to configured, 64 MiB below, unlimited, above configured, unknown', () => {
  absent(vmware({ vmware: { limitMiB: 32 * 1024 } }), 'limit-below-configured');
  absent(vmware({ vmware: { limitMiB: 32 * 1024 - 64 } }), 'limit-below-configured');
  absent(vmware({ vmware: { limitMiB: 32 * 1024 - 1 } }), 'limit-below-configured');
  absent(vmware({ vmware: { limitMiB: null, limitKnown: true } }), 'limit-below-configured');
  absent(vmware({ vmware: { limitMiB: 64 * 1024 } }), 'limit-below-configured');
  absent(vmware({ vmware: { limitMiB: null, limitKnown: false } }), 'limit-below-configured');
  const justBelow = vmware({ vmware: { limitMiB: 32 * 1024 - 65 } });
  assert.equal(find(justBelow, 'limit-below-configured').severity, 'warning', 'a small gap with an empty balloon is a warning');
});

test('limit severity: critical when the balloon holds memory or the gap is ≥ 10 % of configured', () => {
  const small = 32 * 1024 - 3 * 1024; // 3 GiB gap < 3.2 GiB
  assert.equal(find(vmware({ vmware: { limitMiB: small } }), 'limit-below-configured').severity, 'warning');
  assert.equal(find(vmware({ vmware: { limitMiB: small }, balloon: { currentBytes: 512 * MiB } }), 'limit-below-configured').severity, 'critical');
  const tenPercent = 32 * 1024 - 3277; // 3277 MiB ≥ 10 % of 32768 MiB
  assert.equal(find(vmware({ vmware: { limitMiB: tenPercent } }), 'limit-below-configured').severity, 'critical');
});

test('limit rules are VMware-only and need a configured size', () => {
  absent(diagnose(kvmGuest({ vmware: { limitMiB: 1024, limitKnown: true } })), 'limit-below-configured');
  absent(vmware({ vmware: { limitMiB: 1024 }, memory: { configuredBytes: null } }), 'limit-below-configured');
});

test('balloon-inflated: fires for any balloon > 0, critical from 30 % of configured, never for 0 or unknown', () => {
  absent(vmware({ balloon: { currentBytes: 0 } }), 'balloon-inflated');
  absent(vmware({ balloon: { currentBytes: null } }), 'balloon-inflated');
  const tiny = find(vmware({ balloon: { currentBytes: 4096, targetBytes: 4096 } }), 'balloon-inflated');
  assert.equal(tiny.severity, 'warning');
  assert.match(tiny.title, /4 KiB/);
  const at30 = 0.3 * 32 * GiB;
  assert.equal(find(vmware({ balloon: { currentBytes: at30, targetBytes: at30 } }), 'balloon-inflated').severity, 'critical');
  assert.equal(find(vmware({ balloon: { currentBytes: at30 - 4096, targetBytes: at30 - 4096 } }), 'balloon-inflated').severity, 'warning');
  const noConfigured = find(vmware({ balloon: { currentBytes: 20 * GiB, targetBytes: 20 * GiB }, memory: { configuredBytes: null } }), 'balloon-inflated');
  assert.equal(noConfigured.severity, 'warning');
  assert.match(noConfigured.detail, /source: debugfs vmmemctl/);
  assert.match(noConfigured.detail, /"used" memory that no process owns/);
  assert.match(find(diagnose(kvmGuest({ balloon: { currentBytes: GiB } })), 'balloon-inflated').detail, /no longer part of MemTotal/);
});

test('balloon-inflating / -deflating from target vs current, 16 MiB dead band', () => {
  const inflating = find(vmware({ balloon: { currentBytes: 16 * GiB, targetBytes: 20 * GiB } }), 'balloon-inflating');
  assert.equal(inflating.severity, 'warning');
  assert.match(inflating.title, /4\.0 GiB more/);
  const deflating = find(vmware({ balloon: { currentBytes: 20 * GiB, targetBytes: 18 * GiB } }), 'balloon-deflating');
  assert.equal(deflating.severity, 'info');
  assert.match(deflating.title, /giving back 2\.0 GiB/);
  const almost = vmware({ balloon: { currentBytes: GiB, targetBytes: GiB + 16 * MiB - 4096 } });
  absent(almost, 'balloon-inflating');
  absent(almost, 'balloon-deflating');
  find(vmware({ balloon: { currentBytes: GiB, targetBytes: GiB + 16 * MiB } }), 'balloon-inflating');
  absent(vmware({ balloon: { currentBytes: 0, targetBytes: null } }), 'balloon-inflating');
});

test('balloon-inflating / -deflating from a watch trend when there is no target', () => {
  const facts = buildFacts({ balloon: { currentBytes: 2 * GiB, targetBytes: null } });
  const growing = find(diagnose(facts, trend({ firstBalloonBytes: GiB, lastBalloonBytes: 2 * GiB, balloonDeltaBytes: GiB, direction: 'inflating' })), 'balloon-inflating');
  assert.match(growing.title, /grew by 1\.0 GiB in 60 s/);
  const shrinking = find(diagnose(facts, trend({ firstBalloonBytes: 3 * GiB, lastBalloonBytes: 2 * GiB, balloonDeltaBytes: -GiB, direction: 'deflating' })), 'balloon-deflating');
  assert.equal(shrinking.severity, 'info');
  absent(diagnose(facts, trend({ balloonDeltaBytes: 15 * MiB })), 'balloon-inflating');
  assert.equal(ids(diagnose(buildFacts({ balloon: { currentBytes: GiB, targetBytes: 2 * GiB } }), trend({ balloonDeltaBytes: GiB }))).filter((id) => id === 'balloon-inflating').length, 1, 'never reported twice');
});

test('host-contention: balloon > 0 with no VM limit (unlimited), not when the limit is unknown or explains it', () => {
  const contention = find(vmware({ balloon: { currentBytes: 2 * GiB, targetBytes: 2 * GiB } }), 'host-contention');
  assert.equal(contention.severity, 'warning');
  assert.match(contention.detail, /2\.0 GiB/);
  absent(vmware({ balloon: { currentBytes: 0 } }), 'host-contention');
  absent(vmware({ balloon: { currentBytes: 2 * GiB, targetBytes: 2 * GiB }, vmware: { limitKnown: false } }), 'host-contention');
  absent(limited(12), 'host-contention');
});

test('host-contention: a limit at or above configured is no limit (memlimit ≥ configured means unlimited)', () => {
  for (const limitMiB of [32 * 1024, 64 * 1024, 4000000000]) {
    find(vmware({ balloon: { currentBytes: 2 * GiB, targetBytes: 2 * GiB }, vmware: { limitMiB } }), 'host-contention');
  }
});

test('balloon-near-cap: ≥ 90 % of min(65 % of configured, configured − reservation)', () => {
  const cap = 0.65 * 32 * GiB;
  const near = find(vmware({ balloon: { currentBytes: Math.ceil(0.9 * cap), targetBytes: Math.ceil(0.9 * cap) } }), 'balloon-near-cap');
  assert.equal(near.severity, 'warning');
  assert.match(near.detail, /at most 20\.8 GiB/);
  absent(vmware({ balloon: { currentBytes: Math.floor(0.9 * cap) - 4096, targetBytes: Math.floor(0.9 * cap) - 4096 } }), 'balloon-near-cap');
  // a 24 GiB reservation leaves 8 GiB to reclaim: 7.5 GiB is near that cap
  const reserved = find(vmware({ vmware: { reservationMiB: 24 * 1024 }, balloon: { currentBytes: 7.5 * GiB, targetBytes: 7.5 * GiB } }), 'balloon-near-cap');
  assert.match(reserved.detail, /at most 8\.0 GiB.*less the 24\.0 GiB reservation/);
  absent(vmware({ vmware: { reservationMiB: 32 * 1024 }, balloon: { currentBytes: 0 } }), 'balloon-near-cap');
  absent(vmware({ balloon: { currentBytes: 0 } }), 'balloon-near-cap');
});

test('host-swapping: stat swap > 0 is critical, 0 or unknown is nothing', () => {
  const swapped = find(vmware({ vmware: { swappedMiB: 1536 } }), 'host-swapping');
  assert.equal(swapped.severity, 'critical');
  assert.match(swapped.title, /1\.5 GiB/);
  absent(vmware({ vmware: { swappedMiB: 0 } }), 'host-swapping');
  absent(vmware({ vmware: { swappedMiB: null } }), 'host-swapping');
});

test('balloon-driver-missing: VMware/Xen warning, Hyper-V info, unbound virtio device; KVM without a device is fine', () => {
  const noDriver = { balloon: { driver: null, loaded: false, currentBytes: null } } as const;
  assert.equal(find(vmware(noDriver), 'balloon-driver-missing').severity, 'warning');
  assert.match(find(vmware(noDriver), 'balloon-driver-missing').detail, /No VMware balloon driver/);
  assert.equal(find(vmware({ ...noDriver, hypervisor: { kind: 'xen' } }), 'balloon-driver-missing').severity, 'warning');
  assert.equal(find(vmware({ ...noDriver, hypervisor: { kind: 'hyperv' } }), 'balloon-driver-missing').severity, 'info');
  const unbound = find(diagnose(kvmGuest({ ...noDriver, virtio: { bound: false, driverAvailable: false } })), 'balloon-driver-missing');
  assert.match(unbound.detail, /virtio0 has no driver bound \(virtio_balloon is not available\)/);
  absent(diagnose(kvmGuest({ ...noDriver, virtio: { balloonDevice: null, bound: false } })), 'balloon-driver-missing');
  absent(vmware({}), 'balloon-driver-missing');
});

test('vmware-tools-missing: VMware without vmware-toolbox-cmd (info), never elsewhere', () => {
  assert.equal(find(vmware({ vmware: { toolsInstalled: false, limitKnown: false } }), 'vmware-tools-missing').severity, 'info');
  absent(diagnose(kvmGuest()), 'vmware-tools-missing');
});

test('stats-need-root: denied debugfs on the matching hypervisor; warning only when the size is unknown', () => {
  const denied = { probes: [{ id: 'debugfs-vmmemctl', status: 'denied' as const, detail: 'debugfs is readable by root only' }] };
  const noSize = find(vmware({ ...denied, balloon: { currentBytes: null } }), 'stats-need-root');
  assert.equal(noSize.severity, 'warning');
  assert.match(noSize.detail, /debugfs is readable by root only.*--sudo/);
  assert.equal(find(vmware({ ...denied, balloon: { currentBytes: GiB, targetBytes: GiB } }), 'stats-need-root').severity, 'info');
  absent(diagnose(kvmGuest(denied)), 'stats-need-root');
  absent(vmware({ probes: [{ id: 'debugfs-vmmemctl', status: 'absent', detail: 'no such file' }] }), 'stats-need-root');
  find(vmware({ hypervisor: { kind: 'hyperv' }, probes: [{ id: 'debugfs-hv-balloon', status: 'denied' }] }), 'stats-need-root');
});

test('balloon-sources-disagree: beyond max(64 MiB, 10 %), with the awk hint on V4', () => {
  const two = (a: number, b: number, layout = 'v4') => vmware({
    vmware: { debugfsLayout: layout },
    balloon: { currentBytes: a, targetBytes: a, measurements: [{ source: 'debugfs vmmemctl', bytes: a }, { source: 'vmware-toolbox-cmd stat balloon', bytes: b }] },
  });
  // Disagreeing sources never make an OK verdict: the severity follows the larger reading (20 GiB of 32 GiB: critical).
  const zeroVsTools = find(two(0, 20 * GiB), 'balloon-sources-disagree');
  assert.equal(zeroVsTools.severity, 'critical');
  assert.match(zeroVsTools.detail, /Trust debugfs vmmemctl for what this guest has given up/);
  assert.equal(find(two(0, 4 * GiB), 'balloon-sources-disagree').severity, 'warning');
  assert.match(zeroVsTools.detail, /debugfs vmmemctl: 0 B; vmware-toolbox-cmd stat balloon: 20\.0 GiB/);
  assert.match(zeroVsTools.detail, /awk/);
  assert.doesNotMatch(find(two(0, 20 * GiB, 'v2'), 'balloon-sources-disagree').detail, /awk/);
  absent(two(20 * GiB, 20 * GiB - 64 * MiB), 'balloon-sources-disagree');
  absent(two(20 * GiB, 18.5 * GiB), 'balloon-sources-disagree'); // 1.5 GiB < 10 % of 20 GiB
  find(two(20 * GiB, 17.9 * GiB), 'balloon-sources-disagree');
  absent(two(0, 64 * MiB), 'balloon-sources-disagree');
});

test('unaccounted-memory: the VMware balloon explains it (info), unknown balloon (warning), not the balloon (warning)', () => {
  const explained = find(limited(12), 'unaccounted-memory');
  assert.equal(explained.severity, 'info');
  assert.match(explained.title, /20\.1 GiB of "used" memory belongs to no process: it is the balloon/);
  const unknownBalloon = find(vmware({ balloon: { currentBytes: null }, memory: { unaccountedBytes: 6 * GiB } }), 'unaccounted-memory');
  assert.equal(unknownBalloon.severity, 'warning');
  assert.match(unknownBalloon.detail, /usually the balloon/);
  const leak = find(vmware({ memory: { unaccountedBytes: 6 * GiB } }), 'unaccounted-memory');
  assert.equal(leak.severity, 'warning');
  assert.match(leak.title, /not the balloon/);
  absent(vmware({ memory: { unaccountedBytes: 255 * MiB } }), 'unaccounted-memory');
  absent(vmware({ memory: { unaccountedBytes: null } }), 'unaccounted-memory');
  // 5 % of a 64 GiB guest is 3.2 GiB: 1 GiB of residue there is normal
  absent(vmware({ memory: { totalBytes: 64 * GiB, configuredBytes: 64 * GiB, unaccountedBytes: GiB } }), 'unaccounted-memory');
});

test('no-deflate-on-oom: virtio balloon > 0 without feature bit 2; critical after OOM kills', () => {
  const inflated = { balloon: { currentBytes: 2 * GiB } } as const;
  const finding = find(diagnose(kvmGuest(inflated)), 'no-deflate-on-oom');
  assert.equal(finding.severity, 'warning');
  assert.match(finding.detail, /holds 2\.0 GiB.*autodeflate='on'/);
  assert.equal(find(diagnose(kvmGuest({ ...inflated, counters: { oomKill: 3 } })), 'no-deflate-on-oom').severity, 'critical');
  absent(diagnose(kvmGuest({ ...inflated, virtio: { features: { deflateOnOom: true } } })), 'no-deflate-on-oom');
  absent(diagnose(kvmGuest({ balloon: { currentBytes: 0 } })), 'no-deflate-on-oom');
  absent(diagnose(kvmGuest({ ...inflated, virtio: { features: null } })), 'no-deflate-on-oom');
});

test('guest-memory-pressure: MemAvailable < 10 % (critical < 5 %) or PSI stalls', () => {
  const total = 32 * GiB - 256 * MiB;
  absent(vmware({ memory: { availableBytes: Math.ceil(0.1 * total) } }), 'guest-memory-pressure');
  const low = find(vmware({ memory: { availableBytes: Math.floor(0.1 * total) - 4096 } }), 'guest-memory-pressure');
  assert.equal(low.severity, 'warning');
  assert.match(low.detail, /MemAvailable 3\.2 GiB of 31\.8 GiB \(10%\)/);
  assert.equal(find(vmware({ memory: { availableBytes: Math.floor(0.05 * total) - 4096 } }), 'guest-memory-pressure').severity, 'critical');
  const stalled = { some: { avg10: 0, avg60: 10, avg300: 0, totalMicros: 1 }, full: { avg10: 0, avg60: 0, avg300: 0, totalMicros: 0 } };
  assert.match(find(vmware({ pressure: stalled }), 'guest-memory-pressure').detail, /PSI memory some avg60 10\.00%/);
  const fullStall = { some: { avg10: 0, avg60: 0, avg300: 0, totalMicros: 1 }, full: { avg10: 6, avg60: 5, avg300: 0, totalMicros: 1 } };
  assert.equal(find(vmware({ pressure: fullStall }), 'guest-memory-pressure').severity, 'critical');
  absent(vmware({ pressure: { some: { avg10: 0, avg60: 9.99, avg300: 0, totalMicros: 1 }, full: { avg10: 0.99, avg60: 0, avg300: 0, totalMicros: 1 } } }), 'guest-memory-pressure');
  absent(vmware({ pressure: null, memory: { availableBytes: null } }), 'guest-memory-pressure');
});

test('guest-swapping: swap traffic during a watch while the balloon holds memory', () => {
  const facts = buildFacts({ balloon: { currentBytes: 4 * GiB, targetBytes: 4 * GiB } });
  const swapping = find(diagnose(facts, trend({ swapInPerSecond: 12.5, swapOutPerSecond: 40, majorFaultsPerSecond: 3 })), 'guest-swapping');
  assert.equal(swapping.severity, 'warning');
  assert.match(swapping.detail, /Swap-in 12\.5 pages\/s, swap-out 40\.0 pages\/s, major faults 3\.0\/s over 60 s/);
  absent(diagnose(facts, trend()), 'guest-swapping');
  absent(diagnose(facts), 'guest-swapping');
  absent(diagnose(buildFacts(), trend({ swapOutPerSecond: 40 })), 'guest-swapping');
});

test('guest-swapping: an unknown rate (counter reset) is shown as unknown, not "undefined"', () => {
  const facts = buildFacts({ balloon: { currentBytes: 4 * GiB, targetBytes: 4 * GiB } });
  const finding = find(diagnose(facts, trend({ swapInPerSecond: null, swapOutPerSecond: 40, majorFaultsPerSecond: null })), 'guest-swapping');
  assert.doesNotMatch(finding.detail, /undefined|null|NaN/);
});

test('guest-oom-kills: critical when the kernel killed for memory while the balloon holds memory', () => {
  const sinceBoot = find(vmware({ counters: { oomKill: 1 }, balloon: { currentBytes: GiB, targetBytes: GiB } }), 'guest-oom-kills');
  assert.equal(sinceBoot.severity, 'critical');
  assert.match(sinceBoot.title, /killed 1 process for memory/);
  assert.match(sinceBoot.detail, /since boot/);
  const watch = find(diagnose(buildFacts({ counters: { oomKill: 9 }, balloon: { currentBytes: GiB, targetBytes: GiB } }), trend({ oomKillsDelta: 2 })), 'guest-oom-kills');
  assert.match(watch.title, /killed 2 processes/);
  assert.match(watch.detail, /during the watch/);
  absent(vmware({ counters: { oomKill: 5 } }), 'guest-oom-kills');
  absent(diagnose(buildFacts({ counters: { oomKill: 9 }, balloon: { currentBytes: GiB, targetBytes: GiB } }), trend({ oomKillsDelta: 0 })), 'guest-oom-kills');
  assert.match(find(diagnose(kvmGuest({ counters: { oomKill: 1 }, balloon: { currentBytes: GiB }, virtio: { features: { deflateOnOom: true } } })), 'guest-oom-kills').detail, /frees only 1 MiB per OOM event/);
});

test('no-guest-swap: SwapTotal 0 with a balloon or a limit gap; critical with low MemAvailable', () => {
  const noSwap = { memory: { swapTotalBytes: 0, swapFreeBytes: 0 } };
  absent(vmware(noSwap), 'no-guest-swap');
  assert.equal(find(vmware({ ...noSwap, balloon: { currentBytes: GiB, targetBytes: GiB } }), 'no-guest-swap').severity, 'warning');
  assert.equal(find(vmware({ memory: { swapTotalBytes: 0, availableBytes: GiB }, balloon: { currentBytes: GiB, targetBytes: GiB } }), 'no-guest-swap').severity, 'critical');
  find(vmware({ ...noSwap, vmware: { limitMiB: 16 * 1024 } }), 'no-guest-swap');
  absent(vmware({ ...noSwap, vmware: { limitMiB: 32 * 1024 - 1 } }), 'no-guest-swap'); // within the limit rule's 64 MiB tolerance
  absent(vmware({ ...noSwap, balloon: { driver: null, loaded: false, currentBytes: null } }), 'no-guest-swap');
  absent(vmware({ memory: { swapTotalBytes: null }, balloon: { currentBytes: GiB, targetBytes: GiB } }), 'no-guest-swap');
});

const xenGuest = (xen: { targetBytes: number; currentBytes: number | null; balloonBytes: number | null }) => buildFacts({
  hypervisor: { kind: 'xen', product: 'HVM domU' },
  balloon: { driver: 'xen_balloon', currentBytes: xen.balloonBytes, targetBytes: xen.targetBytes, source: 'xen_memory0 info/low_kb + high_kb', shrinksMemTotal: true },
  vmware: { toolsInstalled: false, limitKnown: false, balloonMiB: null, swappedMiB: null, reservationMiB: null },
  xen,
});

test('xen-target-not-reached: current_kb below target_kb by more than 16 MiB (warning)', () => {
  const owed = find(diagnose(xenGuest({ targetBytes: 4 * GiB, currentBytes: 3 * GiB, balloonBytes: GiB })), 'xen-target-not-reached');
  assert.equal(owed.severity, 'warning');
  assert.match(owed.detail, /target_kb says 4\.0 GiB, but the domain holds 3\.0 GiB: the host could not populate 1\.0 GiB/);
  absent(diagnose(xenGuest({ targetBytes: 4 * GiB, currentBytes: 4 * GiB - 8 * MiB, balloonBytes: GiB })), 'xen-target-not-reached');
  absent(diagnose(xenGuest({ targetBytes: 2 * GiB, currentBytes: 2 * GiB, balloonBytes: 2 * GiB })), 'xen-target-not-reached');
});

test('xen-target-not-reached does not depend on the balloon size being readable or different from the target', () => {
  find(diagnose(xenGuest({ targetBytes: 4 * GiB, currentBytes: 3 * GiB, balloonBytes: null })), 'xen-target-not-reached');
  find(diagnose(xenGuest({ targetBytes: 4 * GiB, currentBytes: 3 * GiB, balloonBytes: 4 * GiB })), 'xen-target-not-reached');
});

test('xen: a domain above its target is being shrunk (balloon-inflating), a reached target says nothing', () => {
  const shrinking = find(diagnose(xenGuest({ targetBytes: 2 * GiB, currentBytes: 3 * GiB, balloonBytes: GiB })), 'balloon-inflating');
  assert.match(shrinking.detail, /holds 3\.0 GiB and is being shrunk to 2\.0 GiB/);
  const reached = diagnose(xenGuest({ targetBytes: 2 * GiB, currentBytes: 2 * GiB, balloonBytes: 2 * GiB }));
  absent(reached, 'balloon-inflating');
  absent(reached, 'balloon-deflating');
});

test('not-virtualized (info) on bare metal, checked-from-container (info) inside a VM', () => {
  const metal = diagnose(buildFacts({ hypervisor: { kind: 'none', product: null, evidence: ['/proc/cpuinfo hypervisor flag: absent'] }, balloon: { driver: null, loaded: false, currentBytes: null }, vmware: { toolsInstalled: false, limitKnown: false } }));
  assert.deepEqual(ids(metal), ['not-virtualized']);
  assert.equal(metal[0].severity, 'info');
  assert.match(metal[0].detail, /hypervisor flag: absent/);
  const container = find(diagnose(kvmGuest({ container: { inside: true, evidence: ['container marker /.dockerenv'] } })), 'checked-from-container');
  assert.equal(container.severity, 'info');
  assert.match(container.title, /inside a container on KVM/);
  absent(diagnose(buildFacts({ hypervisor: { kind: 'none' }, container: { inside: true, evidence: ['x'] }, balloon: { driver: null, loaded: false } })), 'checked-from-container');
});

test('every finding id can fire (this file covers the whole table)', () => {
  const fired = new Set<string>();
  const record = (findings: Finding[]) => findings.forEach((finding) => fired.add(finding.id));
  record(limited(8, 20.8 * GiB));
  record(limited(12));
  record(vmware({ balloon: { currentBytes: 16 * GiB, targetBytes: 20 * GiB } }));
  record(vmware({ balloon: { currentBytes: 20 * GiB, targetBytes: 18 * GiB } }));
  record(vmware({ balloon: { currentBytes: 2 * GiB, targetBytes: 2 * GiB }, vmware: { swappedMiB: 5 } }));
  record(vmware({ balloon: { driver: null, loaded: false, currentBytes: null }, vmware: { toolsInstalled: false }, probes: [{ id: 'debugfs-vmmemctl', status: 'denied' }], memory: { unaccountedBytes: 4 * GiB } }));
  record(vmware({ vmware: { debugfsLayout: 'v4' }, balloon: { currentBytes: 0, measurements: [{ source: 'a', bytes: 0 }, { source: 'b', bytes: 4 * GiB }] } }));
  record(diagnose(kvmGuest({ balloon: { currentBytes: 2 * GiB }, counters: { oomKill: 1 }, memory: { swapTotalBytes: 0, availableBytes: 100 * MiB }, container: { inside: true, evidence: ['x'] } }), trend({ swapOutPerSecond: 1, oomKillsDelta: 1 })));
  record(diagnose(xenGuest({ targetBytes: 4 * GiB, currentBytes: 3 * GiB, balloonBytes: GiB })));
  record(diagnose(buildFacts({ hypervisor: { kind: 'none' }, balloon: { driver: null, loaded: false } })));
  record(vmware({ memory: { offlineBytes: 4 * GiB } }));
  record(diagnose(buildFacts({ balloon: { currentBytes: GiB } }), trend({ samples: 5, minBalloonBytes: GiB })));
  record(vmware({ vmware: { reservationMiB: 28 * 1024 }, balloon: { currentBytes: 8 * GiB } }));
  record(diagnose(kvmGuest({ balloon: { currentBytes: 3 * GiB }, memory: { totalBytes: 5 * GiB - 180 * MiB } })));
  record(vmware({ balloon: { currentBytes: GiB }, memory: { balloonLineBytes: 4 * GiB } }));
  assert.deepEqual([...FINDING_IDS].filter((id) => !fired.has(id)), []);
});

test('findings come worst first, and every finding lists its own article first, then the table\'s', () => {
  const many = diagnose(kvmGuest({ balloon: { currentBytes: 2 * GiB }, counters: { oomKill: 1 }, memory: { swapTotalBytes: 0, availableBytes: 100 * MiB }, container: { inside: true, evidence: ['x'] } }), trend({ swapOutPerSecond: 1 }));
  assert.ok(many.length >= 5);
  for (let index = 1; index < many.length; index++) {
    assert.ok(SEVERITY_RANK[many[index - 1].severity] >= SEVERITY_RANK[many[index].severity], ids(many).join(', '));
  }
  for (const findings of [many, limited(8, 20.8 * GiB), diagnose(xenGuest({ targetBytes: 4 * GiB, currentBytes: 3 * GiB, balloonBytes: GiB }))]) {
    for (const finding of findings) {
      assert.equal(finding.articles[0], finding.id);
      assert.deepEqual(finding.articles.slice(1, 1 + FINDING_ARTICLES[finding.id as FindingId].length), [...FINDING_ARTICLES[finding.id as FindingId]]);
      assert.equal(new Set(finding.articles).size, finding.articles.length, 'no article twice');
      assert.doesNotMatch(`${finding.title} ${finding.detail}`, /undefined|NaN|\bnull\b|\[object/);
    }
  }
});

test('worstSeverity', () => {
  assert.equal(worstSeverity([]), null);
  const f = (severity: Finding['severity']): Finding => ({ id: 'x', severity, title: '', detail: '', articles: ['x'] });
  assert.equal(worstSeverity([f('info'), f('critical'), f('warning')]), 'critical');
  assert.equal(worstSeverity([f('info'), f('warning')]), 'warning');
  assert.equal(worstSeverity([f('info')]), 'info');
});

test('balloon-inflated severity: Xen below its maximum is info (usually the admin\'s own mem-set)', () => {
  const xen = find(diagnose(xenGuest({ targetBytes: 2 * GiB, currentBytes: 2 * GiB, balloonBytes: 2 * GiB })), 'balloon-inflated');
  assert.equal(xen.severity, 'info');
  assert.match(xen.title, /Xen balloon holds 2\.0 GiB/);
  const short = buildFacts({ memory: { availableBytes: 100 * MiB } }, xenGuest({ targetBytes: 2 * GiB, currentBytes: 2 * GiB, balloonBytes: 2 * GiB }));
  assert.equal(find(diagnose(short), 'balloon-inflated').severity, 'warning', 'a ballooned Xen guest that is short of memory');
});

test('guest-swapping is critical when PSI shows full stalls (whole tasks stalled on memory)', () => {
  const full = { some: { avg10: 5, avg60: 5, avg300: 1, totalMicros: 1 }, full: { avg10: 0.5, avg60: 0.4, avg300: 0.1, totalMicros: 1 } };
  const facts = buildFacts({ balloon: { currentBytes: 4 * GiB, targetBytes: 4 * GiB }, pressure: full });
  assert.equal(find(diagnose(facts, trend({ swapOutPerSecond: 40 })), 'guest-swapping').severity, 'critical');
});

test('extreme but possible facts: zero sizes, 2^53 bytes, reservation above configured — no throw, no NaN in words', () => {
  const extremes: Overrides<GuestFacts>[] = [
    { memory: { configuredBytes: 0, totalBytes: 0, availableBytes: 0, unaccountedBytes: 0, swapTotalBytes: 0 }, balloon: { currentBytes: 4096, targetBytes: 0 } },
    { memory: { configuredBytes: Number.MAX_SAFE_INTEGER, totalBytes: Number.MAX_SAFE_INTEGER, unaccountedBytes: Number.MAX_SAFE_INTEGER }, balloon: { currentBytes: Number.MAX_SAFE_INTEGER, targetBytes: 0 } },
    { vmware: { limitMiB: 0, reservationMiB: 4294967294, swappedMiB: 4294967294 }, balloon: { currentBytes: GiB, targetBytes: GiB } },
    { memory: { configuredBytes: null, totalBytes: null, availableBytes: null, unaccountedBytes: null, swapTotalBytes: null }, balloon: { currentBytes: null, targetBytes: null }, pressure: null },
    { pressure: { some: { avg10: 100, avg60: 100, avg300: 100, totalMicros: Number.MAX_SAFE_INTEGER }, full: null }, counters: { oomKill: Number.MAX_SAFE_INTEGER }, balloon: { currentBytes: 1, targetBytes: 1 } },
  ];
  for (const overrides of extremes) {
    for (const kind of ['vmware', 'kvm', 'hyperv', 'xen', 'other', 'none', 'unknown'] as const) {
      const findings = diagnose(buildFacts({ ...overrides, hypervisor: { kind } }), trend({ seconds: 0.001, swapOutPerSecond: 1e12, balloonDeltaBytes: -Number.MAX_SAFE_INTEGER }));
      for (const finding of findings) assert.doesNotMatch(`${finding.title} ${finding.detail}`, /undefined|NaN|Infinity|\[object/, `${kind}: ${finding.id}`);
    }
  }
});

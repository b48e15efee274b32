/**
 * GuestFacts for rule tests: a healthy VMware guest by default (32 GiB configured, no balloon,
 * no limit, tools installed, 4 GiB swap, no pressure), changed by deep overrides. Arrays and
 * null replace; objects merge. A balloon size given without measurements gets one measurement.
 */
import type { GuestFacts } from '../../src/core/facts';
import { GiB, MiB } from '../../src/core/units';

export type Overrides<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object | null ? Overrides<NonNullable<T[K]>> | null : T[K] };

export function healthyVmware(): GuestFacts {
  return {
    meta: { kernel: '5.14.0-427.el9.x86_64', hostname: 'db-prod-07', uid: 0, uptimeSeconds: 86400, root: null },
    hypervisor: { kind: 'vmware', product: 'VMware7,1', evidence: ['dmi sys_vendor: VMware, Inc.'] },
    container: { inside: false, evidence: [] },
    balloon: {
      driver: 'vmw_balloon', loaded: true, driverEvidence: ['/proc/modules: vmw_balloon'], currentBytes: 0, targetBytes: 0,
      source: 'debugfs vmmemctl', measurements: [{ source: 'debugfs vmmemctl', bytes: 0 }], shrinksMemTotal: false, kernelThread: null,
    },
    vmware: { toolsInstalled: true, balloonMiB: 0, swappedMiB: 0, limitMiB: null, limitKnown: true, reservationMiB: 0, debugfs: null, debugfsLayout: 'v4' },
    virtio: { balloonDevice: null, bound: false, driverAvailable: false, features: null, virtioMem: false },
    virtioMem: [],
    hyperv: null,
    xen: null,
    memory: {
      totalBytes: 32 * GiB - 256 * MiB, freeBytes: 8 * GiB, availableBytes: 16 * GiB, swapTotalBytes: 4 * GiB, swapFreeBytes: 4 * GiB,
      configuredBytes: 32 * GiB, configuredSource: '256 memory blocks of 128 MiB', unaccountedBytes: 100 * MiB, balloonLineBytes: null,
    },
    counters: { pswpin: 0, pswpout: 0, pgmajfault: 1000, oomKill: 0, balloonInflate: 0, balloonDeflate: 0, nrBalloonPages: null },
    pressure: { some: { avg10: 0, avg60: 0, avg300: 0, totalMicros: 0 }, full: { avg10: 0, avg60: 0, avg300: 0, totalMicros: 0 } },
    probes: [],
    incomplete: false,
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);

function merge<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(overrides) || !isPlainObject(base)) return (overrides === undefined ? base : overrides) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? merge(out[key], value) : value;
  }
  return out as T;
}

/** Facts of the default guest with overrides; `base` picks another starting guest. */
export function buildFacts(overrides: Overrides<GuestFacts> = {}, base: GuestFacts = healthyVmware()): GuestFacts {
  const facts = merge(base, overrides);
  const balloon = overrides.balloon;
  if (balloon && balloon.currentBytes !== undefined && balloon.measurements === undefined) {
    const bytes = balloon.currentBytes;
    facts.balloon.measurements = bytes === null ? [] : [{ source: facts.balloon.source ?? 'test', bytes }];
    if (bytes === null) facts.balloon.source = null;
  }
  return facts;
}

/** A KVM guest with a bound virtio balloon (8 GiB configured), deflate-on-oom off unless told. */
export function kvmGuest(overrides: Overrides<GuestFacts> = {}): GuestFacts {
  const base = buildFacts({
    meta: { kernel: '6.18.0', hostname: 'kvm-guest' },
    hypervisor: { kind: 'kvm', product: 'Standard PC (Q35 + ICH9, 2009)', evidence: ['dmi sys_vendor: QEMU'] },
    balloon: {
      driver: 'virtio_balloon', driverEvidence: ['virtio0 (virtio balloon device) bound to virtio_balloon'], currentBytes: 0, targetBytes: null,
      source: '/proc/meminfo Balloon', shrinksMemTotal: true,
    },
    vmware: { toolsInstalled: false, balloonMiB: null, swappedMiB: null, limitMiB: null, limitKnown: false, reservationMiB: null, debugfsLayout: null },
    virtio: { balloonDevice: 'virtio0', bound: true, driverAvailable: true, features: { statsVq: true, deflateOnOom: false, freePageHint: false, freePageReporting: false } },
    memory: { totalBytes: 8 * GiB - 180 * MiB, availableBytes: 5 * GiB, configuredBytes: 8 * GiB, swapTotalBytes: 2 * GiB, swapFreeBytes: 2 * GiB, balloonLineBytes: 0 },
  });
  return buildFacts(overrides, base);
}

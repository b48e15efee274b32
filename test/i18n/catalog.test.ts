import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { RULE_MESSAGES } from '../../src/core/messages';
import type { RuleMessages } from '../../src/core/messages/types';
import { analyzeProbeOutput } from '../../src/core/report';
import { diagnose } from '../../src/core/rules';
import { LANGS, type Lang } from '../../src/shared/i18n';
import { GiB, MiB, committedGuests, GUESTS_DIR } from '../helpers/guests';
import { FIGURE_NAMES } from '../../src/shared/presentation';
import { probeScript } from '../../src/transport/probe-script';
import { runProbe } from '../helpers/samples';

/** Every message's parameters, at least once each (TypeScript makes sure none is missing). */
type Samples = { [K in keyof RuleMessages]: Parameters<RuleMessages[K]>[] };
const g = (n: number) => n * GiB;
const SAMPLES: Samples = {
  notVirtualized: [[{ evidence: ['dmi: X'] }], [{ evidence: [] }]],
  checkedFromContainer: [[{ hv: 'kvm', evidence: ['/.dockerenv'] }], [{ hv: 'other', evidence: ['/run/.containerenv'] }]],
  balloonInflated: [
    [{ hv: 'vmware', driver: 'vmw_balloon', balloon: g(20), configured: g(32), source: '/sys/x', shrinksMemTotal: false }],
    [{ hv: 'kvm', driver: null, balloon: g(3), configured: null, source: null, shrinksMemTotal: true }],
    [{ hv: 'hyperv', driver: 'hv_balloon', balloon: 700 * MiB, configured: g(8), source: '/sys/y', shrinksMemTotal: null }],
  ],
  xenTargetNotReached: [[{ target: g(8), current: g(6), retry: 4 }], [{ target: g(8), current: g(6), retry: 'unlimited' }], [{ target: g(8), current: g(6), retry: null }]],
  xenInflating: [[{ current: g(8), target: g(6) }]],
  balloonInflating: [[{ balloon: g(2), target: g(5), source: '/sys/x' }]],
  balloonDeflating: [[{ balloon: g(5), target: g(2) }]],
  balloonGrew: [[{ delta: g(1), seconds: 29.6, samples: 4, first: g(1), last: g(2) }]],
  balloonShrank: [[{ delta: g(1), seconds: 61, samples: 7, first: g(3), last: null }]],
  limitBelowConfigured: [[{ limit: g(12), configured: g(32), gap: g(20), balloon: g(20) }], [{ limit: g(12), configured: g(32), gap: g(20), balloon: null }]],
  limitBeyondBalloonCap: [[{ gap: g(24), cap: 20.8 * GiB }]],
  hostContention: [[{ balloon: g(4) }]],
  balloonNearCap: [[{ balloon: g(20), max: 20.8 * GiB, reserved: 0 }], [{ balloon: g(9), max: g(10), reserved: g(6) }]],
  hostSwapping: [[{ swapped: 1536 * MiB }]],
  balloonDriverMissing: [[{ hv: 'vmware', unboundDevice: null, driverAvailable: true }], [{ hv: 'kvm', unboundDevice: 'virtio3', driverAvailable: false }], [{ hv: 'xen', unboundDevice: null, driverAvailable: true }]],
  vmwareToolsMissing: [[]],
  statsNeedRoot: [[{ probes: ['debugfs-vmmemctl'], reason: null, sizeUnknown: true }], [{ probes: ['debugfs-hv-balloon'], reason: 'EACCES', sizeUnknown: false }]],
  balloonSourcesDisagree: [
    [{ first: { source: '/sys/a', bytes: g(2) }, second: { source: '/sys/b', bytes: g(6) }, larger: g(6), oldAwk: true, trust: { kind: 'witness', source: '/sys/b', residueBytes: 6.1 * GiB } }],
    [{ first: { source: '/sys/a', bytes: g(2) }, second: { source: '/sys/b', bytes: g(6) }, larger: g(6), oldAwk: false, trust: { kind: 'driver-over-toolbox', source: '/sys/a' } }],
    [{ first: { source: '/sys/a', bytes: g(2) }, second: { source: '/sys/b', bytes: g(6) }, larger: g(6), oldAwk: false, trust: { kind: 'direct', source: '/sys/a' } }],
  ],
  balloonLineDisagrees: (['vmware', 'virtio', 'other'] as const).map((driverKind) => [{ line: { source: '/proc/a', bytes: g(3) }, driver: { source: '/sys/b', bytes: g(1) }, driverKind }]),
  unaccountedIsBalloon: [[{ unaccounted: 20.1 * GiB, balloon: g(20) }]],
  unaccountedProbablyBalloon: [
    [{ unaccounted: g(4), configured: g(16), hv: 'hyperv', why: { kind: 'kernel-keeps', driver: 'hv_balloon', range: '< 5.11', source: 'd1df458cbfdb' }, notes: [] }],
    [{ unaccounted: g(4), configured: null, hv: 'kvm', why: { kind: 'unknown-kernel' }, notes: ['nota'] }],
    [{ unaccounted: g(4), configured: null, hv: 'vmware', why: { kind: 'none' }, notes: [] }],
  ],
  unaccountedMaybeBalloon: [[{ unaccounted: g(4), balloon: g(3), kernel: '5.14.0-70.el9' }], [{ unaccounted: g(4), balloon: g(3), kernel: null }]],
  unaccountedNotBalloon: [[{ unaccounted: g(4), balloonInUsed: 0 }]],
  noDeflateOnOom: (['oom-notifier', 'shrinker', 'not-supported', 'unknown', null] as const).map((deflateOnOom) => [{ balloon: g(2), deflateOnOom }]),
  guestMemoryPressure: [
    [{ memory: { available: 300 * MiB, total: g(8), estimated: false }, psi: { someAvg60: 12.5, fullAvg10: 1.25 }, balloon: g(3) }],
    [{ memory: { available: 300 * MiB, total: g(8), estimated: true }, psi: null, balloon: null }],
  ],
  guestSwapping: [[{ swapIn: 120.5, swapOut: 33.25, majorFaults: 7, seconds: 59.7, balloon: g(2) }], [{ swapIn: null, swapOut: 3, majorFaults: null, seconds: 30, balloon: g(2) }]],
  guestOomKills: (['off', 'shrinker', 'oom-notifier', 'unknown'] as const).flatMap((deflateOnOom) => [[{ kills: 1, duringWatch: true, balloon: g(2), deflateOnOom }], [{ kills: 3, duringWatch: false, balloon: g(2), deflateOnOom }]]),
  noGuestSwap: [[]],
  memoryOffline: [[{ offline: g(4), configured: g(36), source: '/sys/m' }]],
  balloonPersistent: [[{ samples: 5, min: g(2), seconds: 240, configured: g(16) }]],
  reservationInconsistent: [[{ balloon: g(12), reserved: g(8), configured: g(16), max: g(8) }]],
  memTotalShrunk: [[{ shortfall: g(2), usable: g(8), total: g(6), balloon: g(2), explained: true }], [{ shortfall: g(2), usable: g(8), total: g(6), balloon: null, explained: false }]],
};

/** The numbers a text states, written the English way ("20,0" → "20.0"; a thousands dot never appears below 10 000). */
export function figures(text: string, lang: Lang): string[] {
  const found = text.match(/(?<![\p{L}\p{N}_.,])\d+(?:[.,]\d+)*(?![\p{L}\p{N}_])/gu) ?? [];
  return [...new Set(found.map((n) => (lang === 'en' ? n : n.replace(',', '.'))))].sort();
}

const words = (text: string) => new Set((text.match(/[\p{L}_][\p{L}\p{N}_.-]*[\p{L}\p{N}_]|\p{L}/gu) ?? []).map((w) => w.toLowerCase()));

/**
 * Words a Spanish text may share with its English original: the kernel's, VMware's and the tools' own terms, and
 * the few words both languages write alike. Anything else both texts contain is English left untranslated.
 */
export const SHARED_TERMS = new Set([
  'balloon', 'driver', 'host', 'swap', 'kernel', 'vmware', 'kvm', 'xen', 'hyper-v', 'esxi', 'vsphere', 'virtio', 'qemu', 'libvirt', 'linux', 'red', 'hat',
  'memtotal', 'memavailable', 'memfree', 'buffers', 'cached', 'swaptotal', 'psi', 'some', 'full', 'avg60', 'avg10', 'oom', 'deflate-on-oom', 'oom_kill',
  'vmware-toolbox-cmd', 'stat', 'memlimit', 'esxtop', 'mctlsz', 'mem.ctlmaxpercent', 'free', 'top', 'slab', 'shrinker', 'resource', 'pool', 'soft', 'debugfs',
  'vmw_balloon', 'hv_balloon', 'virtio_balloon', 'vmmemctl', 'open-vm-tools', 'vmware-tools', 'tools', 'sdk', 'guest', 'target_kb', 'max_retry_count', 'offline', 'online',
  'balloon_inflate', 'balloon_deflate', 'nr_balloon_pages', 'meminfo', 'vmstat', 'proc', 'sys', 'devices', 'system', 'memory', 'memoryn', 'state', 'echo',
  'memhp_default_state', 'udev', 'vswp', 'awk', 'print', 'current', 'balloon-check', 'sudo', 'root', 'virsh', 'dommemstat', 'actual', 'memballoon', 'autodeflate',
  'on', 'device', 'virtio-balloon', 'swap-in', 'swap-out', 'xen_memory', 'xen_memory0', 'gpu', 'vm', 'vms', 'no', 'a', 'n', 's', 'gib', 'mib', 'kib',
  'killer', 'cache', 'modules', 'module', 'thread', 'b', 'bit', 'virtual',
]);

test('every message exists in every language, as a function of the same parameters', () => {
  const keys = Object.keys(RULE_MESSAGES.en).sort();
  for (const lang of LANGS) {
    assert.deepEqual(Object.keys(RULE_MESSAGES[lang]).sort(), keys, `${lang}: the same messages as English`);
    for (const key of keys) assert.equal(typeof (RULE_MESSAGES[lang] as unknown as Record<string, unknown>)[key], 'function', `${lang}.${key}`);
  }
  assert.deepEqual(Object.keys(SAMPLES).sort(), keys, 'every message has samples');
  for (const lang of LANGS) assert.deepEqual(Object.keys(FIGURE_NAMES[lang]).sort(), Object.keys(FIGURE_NAMES.en).sort(), `${lang}: every figure row is named`);
});

for (const [key, samples] of Object.entries(SAMPLES) as [keyof RuleMessages, unknown[][]][]) {
  test(`message ${key}: Spanish states the same figures as English, and is Spanish`, () => {
    for (const args of samples) {
      const say = (lang: Lang) => (RULE_MESSAGES[lang][key] as (...a: unknown[]) => { title: string; detail: string })(...args);
      const en = say('en');
      const es = say('es');
      for (const part of ['title', 'detail'] as const) {
        const where = `${key} ${part} ${JSON.stringify(args)}`;
        assert.deepEqual(figures(es[part], 'es'), figures(en[part], 'en'), `${where}: figures differ\nen: ${en[part]}\nes: ${es[part]}`);
        assert.notEqual(es[part], en[part], `${where}: not translated`);
        const params = words(JSON.stringify(args));
        const english = [...words(es[part])].filter((word) => words(en[part]).has(word) && !SHARED_TERMS.has(word) && !params.has(word) && !/\d/.test(word));
        assert.deepEqual(english, [], `${where}: English words left in the Spanish text (${english.join(", ")}): ${es[part]}`);
        assert.doesNotMatch(es[part], /\d\.\d+ (GiB|MiB)/, `${where}: a decimal point in a Spanish figure`);
      }
    }
  });
}

test('on every simulated guest, the Spanish findings have the English ids, severities, articles and figures', () => {
  const guests = committedGuests();
  assert.ok(guests.length >= 15);
  let compared = 0;
  for (const guest of guests.filter((name) => !name.startsWith('hostile-'))) {
    const output = runProbe(probeScript(), join(GUESTS_DIR, guest), 1);
    const analysis = analyzeProbeOutput(output, { kind: 'snapshot', name: guest }, new Date('2026-01-01T00:00:00Z'));
    if (!analysis.ok) continue;
    const en = diagnose(analysis.facts);
    const es = diagnose(analysis.facts, undefined, 'es');
    assert.deepEqual(en, analysis.report.findings, `${guest}: diagnose() in English is the report's`);
    assert.deepEqual(es.map(({ id, severity, articles }) => ({ id, severity, articles })), en.map(({ id, severity, articles }) => ({ id, severity, articles })), guest);
    es.forEach((finding, index) => {
      assert.deepEqual(figures(finding.title, 'es'), figures(en[index].title, 'en'), `${guest} ${finding.id}: ${finding.title}`);
      assert.deepEqual(figures(finding.detail, 'es'), figures(en[index].detail, 'en'), `${guest} ${finding.id}: ${finding.detail}`);
      assert.doesNotMatch(finding.detail, /This kernel has no|counts kernel pages|counters stay 0|\((before|all versions)/, `${guest} ${finding.id}: a note of the facts left in English`);
    });
    compared += en.length;
  }
  assert.ok(compared >= 20, `only ${compared} findings compared`);
});

import { scaled, type Parsed } from './parsed';
import { parseHvBalloon, type HvBalloonStats } from './parsers/hvballoon';
import { parseContainer, parseCpuinfo, parseDetectVirt, parseDmi, parseMeta, parseSysHypervisor, hypervisorFromDetectVirt, hypervisorFromDmi, type HypervisorKind, type ProbeMeta } from './parsers/identity';
import { isBalloonDriver, parseKthreads, parseMemoryBlocks, parseModules, parseNameList, parseVirtioDevices, VIRTIO_ID_BALLOON, VIRTIO_ID_MEM, type BalloonDriver, type VirtioBalloonFeatures } from './parsers/drivers';
import { parseMeminfo, unaccountedBytes } from './parsers/meminfo';
import { parsePressure, type MemoryPressure } from './parsers/pressure';
import { parseToolboxStat } from './parsers/toolbox';
import { parseVmmemctl, type VmmemctlStats } from './parsers/vmmemctl';
import { parseVmstat } from './parsers/vmstat';
import { parseIomemVirtioMem, parseVirtioMemDmesg, virtioMemDevices, type VirtioMemDevice } from './parsers/virtiomem';
import { parseProcXenBalloon, parseXenMemory, type XenMemory } from './parsers/xen';
import { driverBehaviour, driverFamily, minimumVersionShown, parseKernelRelease, shrinksMemTotal as tableShrinksMemTotal, sourceAvailability, type DriverBehaviour, type KernelRelease } from './kernels';
import type { ProbeOutput, ProbeStatus, RawSection } from './sections';
import { BALLOON_FRAME_BYTES, MiB } from './units';

export type { HypervisorKind, BalloonDriver };

/** What one probe status says, as the report's `probes` list shows it. */
export interface ProbeRecord { id: string; status: ProbeStatus; detail?: string }

/** One reading of the balloon size from one source. */
export interface BalloonMeasurement { source: string; bytes: number }

/** The kernel release, its page size, and what the kernel table says about the balloon driver on it. */
export interface KernelFacts {
  release: KernelRelease | null;
  /** Why the release could not be read, when it could not. */
  releaseProblem: string | null;
  /** Bytes per kernel page, the unit of balloon_inflate and nr_balloon_pages; null = unknown. */
  pageSizeBytes: number | null;
  pageSizeSource: string;
  /** The table's rows for this guest's balloon driver; null without a driver. */
  behaviour: DriverBehaviour | null;
}

/** Everything the rules need, typed; null means "not known on this guest". */
export interface GuestFacts {
  meta: ProbeMeta;
  hypervisor: { kind: HypervisorKind; product: string | null; evidence: string[] };
  container: { inside: boolean; evidence: string[] };
  balloon: {
    driver: BalloonDriver | null;
    loaded: boolean;
    driverEvidence: string[];
    currentBytes: number | null;
    targetBytes: number | null;
    source: string | null;
    /** Every source that gave a size, best first; more than one lets the rules cross-check. */
    measurements: BalloonMeasurement[];
    /** Whether the balloon's pages leave MemTotal (virtio without deflate-on-oom, Hyper-V, Xen). */
    shrinksMemTotal: boolean | null;
    kernelThread: string | null;
    /** What could not be measured on this kernel, and why (from the kernel table). */
    notes?: string[];
  };
  vmware: {
    toolsInstalled: boolean;
    balloonMiB: number | null;
    swappedMiB: number | null;
    /** null = unlimited or unknown; see limitKnown. */
    limitMiB: number | null;
    limitKnown: boolean;
    reservationMiB: number | null;
    debugfs: VmmemctlStats | null;
    debugfsLayout: string | null;
  };
  virtio: { balloonDevice: string | null; bound: boolean; driverAvailable: boolean; features: VirtioBalloonFeatures | null; virtioMem: boolean };
  /** virtio-mem devices (hot-plugged memory, never a balloon); empty when the guest has none. */
  virtioMem: VirtioMemDevice[];
  hyperv: HvBalloonStats | null;
  xen: XenMemory | null;
  /** Classic Xen: the hard limit and driver pages of /proc/xen/balloon, when read from there. */
  xenClassic?: { hardLimitBytes: number | null; driverBytes: number | null } | null;
  memory: {
    totalBytes: number | null;
    freeBytes: number | null;
    availableBytes: number | null;
    swapTotalBytes: number | null;
    swapFreeBytes: number | null;
    configuredBytes: number | null;
    configuredSource: string | null;
    unaccountedBytes: number | null;
    balloonLineBytes: number | null;
    /** Where availableBytes comes from: MemAvailable, or an estimate on kernels without it (RHEL 5, RHEL 6 before 6.6). */
    availableSource?: string | null;
    /** Memory blocks the kernel has online / offline (hot-added but never onlined), in bytes; null = not counted. */
    onlineBytes?: number | null;
    offlineBytes?: number | null;
  };
  counters: {
    pswpin: number | null;
    pswpout: number | null;
    pgmajfault: number | null;
    oomKill: number | null;
    balloonInflate: number | null;
    balloonDeflate: number | null;
    nrBalloonPages: number | null;
  };
  pressure: MemoryPressure | null;
  /** The guest kernel as the kernel table (kernels.ts) sees it; absent in facts built by hand. */
  kernel?: KernelFacts;
  probes: ProbeRecord[];
  /** The probe output was cut off before its end marker. */
  incomplete: boolean;
}

/**
 * Turns raw sections into typed facts. A section whose text does not parse becomes an `error`
 * probe with the parser's reason; the fact stays null.
 */
export function collectFacts(output: ProbeOutput): GuestFacts {
  const records = new Map<string, ProbeRecord>();
  for (const section of output.sections.values()) {
    // A failed tool's own message (e.g. "UpdateInfo failed: VMware Guest API is not enabled") says more than its exit code.
    const message = section.status === 'error' ? section.text.split('\n').map((line) => line.trim()).find(Boolean)?.slice(0, 160) : undefined;
    const detail = [section.detail, message].filter(Boolean).join(': ');
    records.set(section.id, { id: section.id, status: section.status, ...(detail ? { detail } : {}) });
  }
  const markError = (id: string, reason: string) => records.set(id, { id, status: 'error', detail: reason });
  const section = (id: string): RawSection | undefined => {
    const found = output.sections.get(id);
    return found?.status === 'ok' ? found : undefined;
  };
  /** Parses an ok section; a parse failure turns the probe into `error` with the reason. */
  const parse = <T>(id: string, parser: (text: string) => Parsed<T>): T | null => {
    const raw = section(id);
    if (!raw) return null;
    const result = parser(raw.text);
    if (result.ok) return result.value;
    markError(id, result.reason);
    return null;
  };

  const meta = parseMeta(output.sections.get('meta')?.text ?? '');
  const dmi = parse('dmi', parseDmi);
  const cpu = parse('cpuinfo', parseCpuinfo);
  const releaseParsed = parseKernelRelease(meta.kernel);
  const release = releaseParsed.ok ? releaseParsed.value : null;
  // balloon_inflate and nr_balloon_pages count kernel pages: 4 KiB on x86, 4/16/64 KiB on arm64 and ppc64.
  const pageSizeBytes = meta.pageSize ?? (cpu?.hasFlagsLine ? 4096 : null);
  const pageSizeSource = meta.pageSize ? 'probed (getconf PAGESIZE)' : cpu?.hasFlagsLine ? 'assumed 4096 (x86 CPU: always 4 KiB pages)' : 'unknown (not probed, and not an x86 CPU)';
  const sysHypervisor = parse('sys-hypervisor', parseSysHypervisor);
  // systemd-detect-virt exits 1 when it prints "none": an answer, not a failure.
  const detectSection = output.sections.get('detect-virt');
  const detectNone = detectSection?.status === 'error' && detectSection.detail === 'exit 1' && detectSection.text.trim() === 'none';
  if (detectNone) records.set('detect-virt', { id: 'detect-virt', status: 'ok', detail: 'none (exit 1)' });
  const detectVirt = detectNone ? 'none' : parse('detect-virt', parseDetectVirt);
  const container = parseContainer(section('container')?.text ?? '');
  const modules = parse('modules', parseModules) ?? [];
  const sysModules = parseNameList(section('sys-module')?.text ?? '');
  const virtioDrivers = parseNameList(section('virtio-drivers')?.text ?? '');
  const virtioDevices = parse('virtio-devices', parseVirtioDevices) ?? [];
  const kthreads = parseKthreads(section('kthreads')?.text ?? '');

  // Hypervisor: DMI first, then /sys/hypervisor, systemd-detect-virt, drivers, virtio, CPU flag.
  const evidence: string[] = [];
  let kind = null as HypervisorKind | null;
  const decide = (candidate: HypervisorKind | null) => { if (!kind && candidate) kind = candidate; };
  if (dmi) {
    if (dmi.sysVendor) evidence.push(`dmi sys_vendor: ${dmi.sysVendor}`);
    if (dmi.productName) evidence.push(`dmi product_name: ${dmi.productName}`);
    if (dmi.biosVendor) evidence.push(`dmi bios_vendor: ${dmi.biosVendor}`);
    decide(hypervisorFromDmi(dmi));
  }
  if (sysHypervisor) {
    evidence.push(`/sys/hypervisor/type: ${sysHypervisor}`);
    decide(sysHypervisor === 'xen' ? 'xen' : 'other');
  }
  if (detectVirt) {
    evidence.push(`systemd-detect-virt --vm: ${detectVirt}`);
    decide(hypervisorFromDetectVirt(detectVirt));
  }
  const virtioBalloon = virtioDevices.find((device) => device.deviceId === VIRTIO_ID_BALLOON || device.deviceId === 13);
  const virtioMem = virtioDevices.some((device) => device.deviceId === VIRTIO_ID_MEM);
  // Only /proc/modules proves a driver is active: a built-in driver with parameters has a
  // /sys/module entry on every hypervisor, and vmw_balloon's init fails off VMware.
  const vmwareModule = modules.find((name) => name === 'vmw_balloon' || name === 'vmware_balloon' || name === 'vmmemctl');
  if (vmwareModule) { evidence.push(`/proc/modules: ${vmwareModule} (VMware balloon driver)`); decide('vmware'); }
  if (modules.includes('hv_balloon')) { evidence.push('/proc/modules: hv_balloon (Hyper-V balloon driver)'); decide('hyperv'); }
  if (virtioDevices.length) {
    const ids = virtioDevices.map((device) => `${device.name}=${device.deviceId ?? '?'}`).join(' ');
    evidence.push(`virtio devices: ${ids}`);
    decide('kvm');
  }
  if (cpu?.hasFlagsLine) {
    evidence.push(`/proc/cpuinfo hypervisor flag: ${cpu.hypervisorFlag ? 'present' : 'absent'}`);
    decide(cpu.hypervisorFlag ? 'other' : dmi || detectVirt ? 'none' : cpu.vendor ? 'none' : null);
  }
  if (container.inside) evidence.push(...container.evidence.map((line) => `${line} (the VM's own /proc and /sys are read)`));
  const hypervisorKind: HypervisorKind = kind ?? 'unknown';
  const product = dmi?.productName ?? (detectVirt && detectVirt !== 'none' ? detectVirt : null);

  // Memory.
  const meminfo = parse('meminfo', parseMeminfo);
  const vmstat = parse('vmstat', parseVmstat);
  const pressure = parse('pressure-memory', parsePressure);
  const blocks = parse('memory-blocks', parseMemoryBlocks);
  const bytes = (key: string) => meminfo?.bytes.get(key) ?? null;
  const counter = (key: string) => vmstat?.get(key) ?? null;
  let unaccounted: number | null = null;
  if (meminfo) {
    const residue = unaccountedBytes(meminfo);
    unaccounted = residue.ok ? residue.value : null;
  }

  // VMware.
  const toolbox = (name: string) => parse(`toolbox-${name}`, (text) => parseToolboxStat(text));
  const toolsInstalled = output.sections.get('toolbox-balloon')?.status !== 'absent' && output.sections.has('toolbox-balloon');
  const tbBalloon = toolbox('balloon');
  const tbSwap = toolbox('swap');
  const tbLimit = toolbox('memlimit');
  const tbRes = toolbox('memres');
  const debugfs = parse('debugfs-vmmemctl', parseVmmemctl) ?? parse('proc-vmmemctl', parseVmmemctl);
  const debugfsSource = section('debugfs-vmmemctl') && records.get('debugfs-vmmemctl')?.status === 'ok' ? 'debugfs vmmemctl' : '/proc/vmmemctl';

  // Other hypervisors.
  const hv = parse('debugfs-hv-balloon', parseHvBalloon);
  const xenSysfs = parse('xen-memory', parseXenMemory);
  const procXen = parse('proc-xen-balloon', parseProcXenBalloon);
  // Classic 2.6.18-xen kernels: /proc/xen/balloon is the balloon's own account when sysfs is absent.
  const xen: XenMemory | null = xenSysfs ?? (procXen ? { targetBytes: procXen.targetBytes, currentBytes: procXen.currentBytes, balloonBytes: procXen.balloonBytes } : null);
  const features = virtioBalloon?.features ?? null;

  // Which balloon driver: a loaded module, or a /sys/module entry of the hypervisor's own driver,
  // or the driver the hypervisor's balloon device is bound to, or the driver's own files.
  let driver: BalloonDriver | null = null;
  const driverEvidence: string[] = [];
  const ownDrivers: Record<HypervisorKind, readonly BalloonDriver[]> = {
    vmware: ['vmw_balloon', 'vmware_balloon', 'vmmemctl'], hyperv: ['hv_balloon'], xen: ['xen_balloon'],
    kvm: ['virtio_balloon'], other: ['virtio_balloon'], none: [], unknown: [],
  };
  for (const name of modules.filter(isBalloonDriver)) {
    driver ??= name;
    driverEvidence.push(`/proc/modules: ${name}`);
  }
  for (const name of ownDrivers[hypervisorKind]) {
    if (sysModules.includes(name) && !modules.includes(name)) { driver ??= name; driverEvidence.push(`/sys/module/${name}`); }
  }
  if (virtioBalloon?.driver === 'virtio_balloon') {
    driver ??= 'virtio_balloon';
    driverEvidence.push(`${virtioBalloon.name} (virtio balloon device) bound to virtio_balloon`);
  }
  if (xen && !driver) { driver = 'xen_balloon'; driverEvidence.push(xenSysfs ? '/sys/devices/system/xen_memory/xen_memory0' : '/proc/xen/balloon'); }
  if (debugfs && !driver) { driver = debugfsSource === '/proc/vmmemctl' ? 'vmmemctl' : 'vmw_balloon'; driverEvidence.push(debugfsSource); }
  if (hv && !driver) { driver = 'hv_balloon'; driverEvidence.push('debugfs hv-balloon'); }
  const kernelThread = kthreads.find((name) => ['vmmemctl', 'hv_balloon', 'xen-balloon', 'vballoon'].includes(name)) ?? null;
  if (kernelThread) {
    driverEvidence.push(`kernel thread [${kernelThread}]`);
    if (!driver && kernelThread === 'vmmemctl') driver = 'vmmemctl';
  }

  // What the kernel table says about this driver on this kernel.
  const family = driverFamily(driver);
  const shownSince = minimumVersionShown({ balloonLine: bytes('Balloon') !== null || counter('nr_balloon_pages') !== null, hvDebugfs: hv !== null, vmstatBalloon: counter('balloon_inflate') !== null });
  const behaviour = family ? driverBehaviour(family, release, shownSince) : null;
  const notes: string[] = [];
  const available = (id: Parameters<typeof sourceAvailability>[1]) => (behaviour ? sourceAvailability(behaviour, id) : 'unknown');

  // Balloon size: best source first, per driver (research notes §0.1).
  const measurements: BalloonMeasurement[] = [];
  // A size past 2^53 bytes is a damaged source, not a balloon: scaled() gives null and it is left out.
  const measure = (source: string, bytes: number | null) => { if (bytes !== null) measurements.push({ source, bytes }); };
  /** A counter of kernel pages in bytes; without a known page size it is left out, and a note says so. */
  const pagesToBytes = (source: string, pages: number | null): number | null => {
    if (pages === null) return null;
    if (pageSizeBytes === null) { notes.push(`${source} counts kernel pages, whose size is unknown on this guest: left out`); return null; }
    return scaled(pages, pageSizeBytes);
  };
  let targetBytes: number | null = null;
  const balloonLine = bytes('Balloon');
  const inflated = counter('balloon_inflate');
  const deflated = counter('balloon_deflate');
  const VMSTAT_DIFF = '/proc/vmstat balloon_inflate - balloon_deflate';
  const inflateMinusDeflate = () => (inflated !== null && deflated !== null ? pagesToBytes(VMSTAT_DIFF, Math.max(inflated - deflated, 0)) : null);
  const isVmwareDriver = family === 'vmw_balloon';
  if (isVmwareDriver || hypervisorKind === 'vmware') {
    if (debugfs) {
      // vmw_balloon counts 4 KiB frames on every architecture (a 2 MiB page is 512 frames).
      measure(debugfsSource, scaled(debugfs.currentFrames, BALLOON_FRAME_BYTES));
      targetBytes = scaled(debugfs.targetFrames, BALLOON_FRAME_BYTES);
    }
    measure('vmware-toolbox-cmd stat balloon', scaled(tbBalloon?.mib ?? null, MiB));
    // Before 5.3 the counters stay 0 for VMware (no balloon_compaction): a 0 there is no reading.
    const vmstatCounts = available('vmstat-balloon');
    if (driver === 'vmw_balloon' && vmstatCounts !== 'no') {
      const diff = inflateMinusDeflate();
      if (diff) measure(VMSTAT_DIFF, diff);
    } else if (driver === 'vmw_balloon' && behaviour) {
      notes.push(`/proc/vmstat balloon counters stay 0 for VMware on this kernel (${behaviour.sources.find((x) => x.id === 'vmstat-balloon')?.range}): not a reading`);
    }
  } else if (driver === 'virtio_balloon') {
    if (balloonLine !== null) measure('/proc/meminfo Balloon', balloonLine);
    else measure('/proc/vmstat nr_balloon_pages', pagesToBytes('/proc/vmstat nr_balloon_pages', counter('nr_balloon_pages')));
    // Also with a Balloon: line: the since-boot counters let the rules cross-check it (balloon-line-disagrees).
    measure(VMSTAT_DIFF, inflateMinusDeflate());
  } else if (driver === 'hv_balloon') {
    // hv_balloon counts Hyper-V pages of 4 KiB; the file says so in its page_size line.
    measure('debugfs hv-balloon pages_ballooned', scaled(hv?.pagesBallooned ?? null, hv?.pageSize ?? BALLOON_FRAME_BYTES));
    measure('/proc/meminfo Balloon', balloonLine);
    if (!hv && balloonLine === null && behaviour && available('hv-debugfs') === 'no') {
      notes.push('This kernel has no hv-balloon debugfs file (Linux 6.0, d180e0a1be6c) and no Balloon: line (6.15): the guest cannot read the Hyper-V balloon size');
    }
  } else if (driver === 'xen_balloon') {
    measure(xenSysfs ? 'xen_memory0 info/low_kb + high_kb' : '/proc/xen/balloon Low-mem + High-mem balloon', xen?.balloonBytes ?? null);
    if (xen) targetBytes = xen.targetBytes;
    measure('/proc/meminfo Balloon', balloonLine);
  }
  const best = measurements[0] ?? null;
  const shrinksMemTotal = behaviour ? tableShrinksMemTotal(behaviour, features ? features.deflateOnOom : null) : null;

  // Configured memory: online memory blocks, else MemTotal plus a balloon that left it.
  let configuredBytes: number | null = null;
  let configuredSource: string | null = null;
  if (blocks) {
    // Every block the host gave counts as configured, online or not; offline ones are reported apart.
    configuredBytes = blocks.blocks * blocks.blockSizeBytes;
    configuredSource = `${blocks.blocks} memory blocks of ${blocks.blockSizeBytes / MiB} MiB${blocks.offline ? `, ${blocks.offline} of them offline` : ''}`;
  } else if (bytes('MemTotal') !== null) {
    configuredBytes = (bytes('MemTotal') as number) + (shrinksMemTotal && best ? best.bytes : 0);
    configuredSource = shrinksMemTotal && best ? 'MemTotal plus the balloon (lower bound)' : 'MemTotal (lower bound)';
  }
  if (configuredBytes !== null && bytes('MemTotal') !== null && configuredBytes < (bytes('MemTotal') as number)) {
    configuredBytes = bytes('MemTotal');
    configuredSource = 'MemTotal (memory blocks counted less)';
  }

  // Kernels before 3.14 (RHEL 5, RHEL 6 before 6.6) have no MemAvailable: estimate it as free(1) did then.
  let availableBytes = bytes('MemAvailable');
  let availableSource: string | null = availableBytes !== null ? 'MemAvailable' : null;
  if (availableBytes === null && bytes('MemFree') !== null && bytes('Buffers') !== null && bytes('Cached') !== null) {
    availableBytes = (bytes('MemFree') as number) + (bytes('Buffers') as number) + (bytes('Cached') as number);
    availableSource = 'estimate: MemFree + Buffers + Cached (this kernel has no MemAvailable)';
  }
  const blockBytes = (count: number | null) => (blocks && count !== null ? scaled(count, blocks.blockSizeBytes) : null);

  const virtioMemNames = virtioDevices.filter((device) => device.deviceId === VIRTIO_ID_MEM).map((device) => device.name);
  const virtioMemRegions = parse('virtio-mem-iomem', parseIomemVirtioMem);
  const virtioMemIomemReason = records.get('virtio-mem-iomem')?.detail ?? null;
  const virtioMemLoad = parse('virtio-mem-dmesg', parseVirtioMemDmesg);

  return {
    meta,
    hypervisor: { kind: hypervisorKind, product, evidence },
    container,
    balloon: {
      driver,
      loaded: driver !== null,
      driverEvidence,
      currentBytes: best?.bytes ?? null,
      targetBytes,
      source: best?.source ?? null,
      measurements,
      shrinksMemTotal,
      kernelThread,
      notes,
    },
    vmware: {
      toolsInstalled,
      balloonMiB: tbBalloon?.mib ?? null,
      swappedMiB: tbSwap?.mib ?? null,
      limitMiB: tbLimit?.mib ?? null,
      limitKnown: tbLimit !== null,
      reservationMiB: tbRes?.mib ?? null,
      debugfs,
      debugfsLayout: debugfs?.layout ?? null,
    },
    virtio: { balloonDevice: virtioBalloon?.name ?? null, bound: virtioBalloon?.driver === 'virtio_balloon', driverAvailable: virtioDrivers.includes('virtio_balloon'), features, virtioMem },
    virtioMem: virtioMemDevices(virtioMemNames, virtioMemRegions, virtioMemIomemReason, virtioMemLoad),
    hyperv: hv,
    xen,
    xenClassic: !xenSysfs && procXen ? { hardLimitBytes: procXen.hardLimitBytes, driverBytes: procXen.driverBytes } : null,
    memory: {
      totalBytes: bytes('MemTotal'),
      freeBytes: bytes('MemFree'),
      availableBytes,
      availableSource,
      onlineBytes: blockBytes(blocks?.online ?? null),
      offlineBytes: blockBytes(blocks?.offline ?? null),
      swapTotalBytes: bytes('SwapTotal'),
      swapFreeBytes: bytes('SwapFree'),
      configuredBytes,
      configuredSource,
      unaccountedBytes: unaccounted,
      balloonLineBytes: balloonLine,
    },
    counters: {
      pswpin: counter('pswpin'),
      pswpout: counter('pswpout'),
      pgmajfault: counter('pgmajfault'),
      oomKill: counter('oom_kill'),
      balloonInflate: counter('balloon_inflate'),
      balloonDeflate: counter('balloon_deflate'),
      nrBalloonPages: counter('nr_balloon_pages'),
    },
    pressure,
    kernel: { release, releaseProblem: releaseParsed.ok ? null : releaseParsed.reason, pageSizeBytes, pageSizeSource, behaviour },
    probes: [...records.values()].filter((record) => record.id !== 'meta'),
    incomplete: !output.complete,
  };
}

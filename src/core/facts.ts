import { scaled, type Parsed } from './parsed';
import { parseHvBalloon, type HvBalloonStats } from './parsers/hvballoon';
import { parseContainer, parseCpuinfo, parseDetectVirt, parseDmi, parseMeta, parseSysHypervisor, hypervisorFromDetectVirt, hypervisorFromDmi, type ContainerMarkers, type HypervisorKind, type ProbeMeta } from './parsers/identity';
import { isBalloonDriver, isVmwareBalloonDriver, parseKthreads, parseMemoryBlocks, parseModules, parseNameList, parseVirtioDevices, VIRTIO_ID_BALLOON, VIRTIO_ID_MEM, VIRTIO_ID_MEMORY_BALLOON, VMWARE_BALLOON_DRIVERS, type BalloonDriver, type MemoryBlocks, type VirtioBalloonFeatures, type VirtioDevice } from './parsers/drivers';
import { parseMeminfo, unaccountedBytes } from './parsers/meminfo';
import { parsePressure, type MemoryPressure } from './parsers/pressure';
import { parseToolboxStat } from './parsers/toolbox';
import { parseVmmemctl, type VmmemctlStats } from './parsers/vmmemctl';
import { parseVmstat } from './parsers/vmstat';
import { parseIomemVirtioMem, parseVirtioMemDmesg, virtioMemDevices, type VirtioMemDevice } from './parsers/virtiomem';
import { parseProcXenBalloon, parseXenMemory, type ProcXenBalloon, type XenMemory } from './parsers/xen';
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

/** Which parser reads which probe section: each section id the facts use is written here once. */
const SECTION_PARSERS = {
  dmi: parseDmi,
  cpuinfo: parseCpuinfo,
  'sys-hypervisor': parseSysHypervisor,
  'detect-virt': parseDetectVirt,
  modules: parseModules,
  'virtio-devices': parseVirtioDevices,
  meminfo: parseMeminfo,
  vmstat: parseVmstat,
  'pressure-memory': parsePressure,
  'memory-blocks': parseMemoryBlocks,
  'toolbox-balloon': parseToolboxStat,
  'toolbox-swap': parseToolboxStat,
  'toolbox-memlimit': parseToolboxStat,
  'toolbox-memres': parseToolboxStat,
  'debugfs-vmmemctl': parseVmmemctl,
  'proc-vmmemctl': parseVmmemctl,
  'debugfs-hv-balloon': parseHvBalloon,
  'xen-memory': parseXenMemory,
  'proc-xen-balloon': parseProcXenBalloon,
  'virtio-mem-iomem': parseIomemVirtioMem,
  'virtio-mem-dmesg': parseVirtioMemDmesg,
} as const;

/** Sections read as lists or markers: any text is an answer (an empty one included). */
const SECTION_READERS = {
  container: parseContainer,
  'sys-module': parseNameList,
  'virtio-drivers': parseNameList,
  kthreads: parseKthreads,
} as const;

/** The probe's own section (kernel, host name, page size): read whatever its status. */
const META_SECTION = 'meta';

type ParsedSectionId = keyof typeof SECTION_PARSERS;
type ParsedValue<Id extends ParsedSectionId> = ReturnType<(typeof SECTION_PARSERS)[Id]> extends Parsed<infer T> ? T : never;
type ReadSectionId = keyof typeof SECTION_READERS;

/** A failed tool's first line kept in its probe record, at most this long. */
const MAX_TOOL_MESSAGE_CHARS = 160;
/** x86 kernels always use 4 KiB pages. */
const X86_PAGE_BYTES = 4096;
/** Kernel threads the balloon drivers run. */
const BALLOON_KERNEL_THREADS = ['vmmemctl', 'hv_balloon', 'xen-balloon', 'vballoon'];
/** The driver each hypervisor's balloon device uses (a /sys/module entry of another hypervisor's driver proves nothing). */
const OWN_DRIVERS: Record<HypervisorKind, readonly BalloonDriver[]> = {
  vmware: VMWARE_BALLOON_DRIVERS, hyperv: ['hv_balloon'], xen: ['xen_balloon'],
  kvm: ['virtio_balloon'], other: ['virtio_balloon'], none: [], unknown: [],
};
const VMSTAT_DIFF = '/proc/vmstat balloon_inflate - balloon_deflate';
const MEMINFO_BALLOON = '/proc/meminfo Balloon';
const NR_BALLOON_PAGES = '/proc/vmstat nr_balloon_pages';

/**
 * The probe's sections, each parsed at most once and only when asked for; a parse failure turns
 * the section's probe record into `error` with the parser's reason.
 */
class ProbeSections {
  readonly records = new Map<string, ProbeRecord>();
  private readonly parsed = new Map<ParsedSectionId, unknown>();

  constructor(private readonly output: ProbeOutput) {
    for (const section of output.sections.values()) {
      // A failed tool's own message (e.g. "UpdateInfo failed: VMware Guest API is not enabled") says more than its exit code.
      const message = section.status === 'error' ? section.text.split('\n').map((line) => line.trim()).find(Boolean)?.slice(0, MAX_TOOL_MESSAGE_CHARS) : undefined;
      const detail = [section.detail, message].filter(Boolean).join(': ');
      this.records.set(section.id, { id: section.id, status: section.status, ...(detail ? { detail } : {}) });
    }
  }

  raw(id: string): RawSection | undefined {
    return this.output.sections.get(id);
  }

  private ok(id: string): RawSection | undefined {
    const found = this.raw(id);
    return found?.status === 'ok' ? found : undefined;
  }

  /** The tool exists on the guest (its section is there and not `absent`). */
  present(id: ParsedSectionId): boolean {
    return this.output.sections.has(id) && this.raw(id)?.status !== 'absent';
  }

  parse<Id extends ParsedSectionId>(id: Id): ParsedValue<Id> | null {
    if (this.parsed.has(id)) return this.parsed.get(id) as ParsedValue<Id> | null;
    const raw = this.ok(id);
    const result = raw ? (SECTION_PARSERS[id] as (text: string) => Parsed<ParsedValue<Id>>)(raw.text) : null;
    if (result && !result.ok) this.records.set(id, { id, status: 'error', detail: result.reason });
    const value = result?.ok ? result.value : null;
    this.parsed.set(id, value);
    return value;
  }

  read<Id extends ReadSectionId>(id: Id): ReturnType<(typeof SECTION_READERS)[Id]> {
    return SECTION_READERS[id](this.ok(id)?.text ?? '') as ReturnType<(typeof SECTION_READERS)[Id]>;
  }

  meta(): ProbeMeta {
    return parseMeta(this.raw(META_SECTION)?.text ?? '');
  }

  /** systemd-detect-virt exits 1 when it prints "none": an answer, not a failure. */
  detectVirt(): string | null {
    const id = 'detect-virt' satisfies ParsedSectionId;
    const raw = this.raw(id);
    if (raw?.status === 'error' && raw.detail === 'exit 1' && raw.text.trim() === 'none') {
      this.records.set(id, { id, status: 'ok', detail: 'none (exit 1)' });
      return 'none';
    }
    return this.parse(id);
  }

  probeRecords(): ProbeRecord[] {
    return [...this.records.values()].filter((record) => record.id !== META_SECTION);
  }
}

/** What identifies the hypervisor, strongest first. */
interface IdentitySignals {
  dmi: ParsedValue<'dmi'> | null;
  cpu: ParsedValue<'cpuinfo'> | null;
  sysHypervisor: string | null;
  detectVirt: string | null;
  modules: string[];
  virtioDevices: VirtioDevice[];
  container: ContainerMarkers;
}

/** Hypervisor: DMI first, then /sys/hypervisor, systemd-detect-virt, drivers, virtio, CPU flag. */
function detectHypervisor({ dmi, cpu, sysHypervisor, detectVirt, modules, virtioDevices, container }: IdentitySignals): GuestFacts['hypervisor'] {
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
  // Only /proc/modules proves a driver is active: a built-in driver with parameters has a
  // /sys/module entry on every hypervisor, and vmw_balloon's init fails off VMware.
  const vmwareModule = modules.find(isVmwareBalloonDriver);
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
  const product = dmi?.productName ?? (detectVirt && detectVirt !== 'none' ? detectVirt : null);
  return { kind: kind ?? 'unknown', product, evidence };
}

/** A balloon-size source the driver keeps itself, and where it was read. */
interface DriverFile<T> { stats: T; source: string }

interface DriverSignals {
  hypervisorKind: HypervisorKind;
  modules: string[];
  sysModules: string[];
  virtioBalloon: VirtioDevice | undefined;
  xen: DriverFile<XenMemory> | null;
  vmmemctl: DriverFile<VmmemctlStats> | null;
  hv: HvBalloonStats | null;
  kthreads: string[];
}

/**
 * Which balloon driver: a loaded module, or a /sys/module entry of the hypervisor's own driver,
 * or the driver the hypervisor's balloon device is bound to, or the driver's own files.
 */
function detectDriver(signals: DriverSignals): { driver: BalloonDriver | null; driverEvidence: string[]; kernelThread: string | null } {
  const { hypervisorKind, modules, sysModules, virtioBalloon, xen, vmmemctl, hv, kthreads } = signals;
  let driver: BalloonDriver | null = null;
  const driverEvidence: string[] = [];
  for (const name of modules.filter(isBalloonDriver)) {
    driver ??= name;
    driverEvidence.push(`/proc/modules: ${name}`);
  }
  for (const name of OWN_DRIVERS[hypervisorKind]) {
    if (sysModules.includes(name) && !modules.includes(name)) { driver ??= name; driverEvidence.push(`/sys/module/${name}`); }
  }
  if (virtioBalloon?.driver === 'virtio_balloon') {
    driver ??= 'virtio_balloon';
    driverEvidence.push(`${virtioBalloon.name} (virtio balloon device) bound to virtio_balloon`);
  }
  if (xen && !driver) { driver = 'xen_balloon'; driverEvidence.push(xen.source); }
  if (vmmemctl && !driver) { driver = vmmemctl.source === PROC_VMMEMCTL ? 'vmmemctl' : 'vmw_balloon'; driverEvidence.push(vmmemctl.source); }
  if (hv && !driver) { driver = 'hv_balloon'; driverEvidence.push('debugfs hv-balloon'); }
  const kernelThread = kthreads.find((name) => BALLOON_KERNEL_THREADS.includes(name)) ?? null;
  if (kernelThread) {
    driverEvidence.push(`kernel thread [${kernelThread}]`);
    if (!driver && kernelThread === 'vmmemctl') driver = 'vmmemctl';
  }
  return { driver, driverEvidence, kernelThread };
}

const DEBUGFS_VMMEMCTL = 'debugfs vmmemctl';
const PROC_VMMEMCTL = '/proc/vmmemctl';

/** The vmw_balloon statistics file: debugfs, else the old /proc/vmmemctl. */
function readVmmemctl(sections: ProbeSections): DriverFile<VmmemctlStats> | null {
  const debugfs = sections.parse('debugfs-vmmemctl');
  if (debugfs) return { stats: debugfs, source: DEBUGFS_VMMEMCTL };
  const proc = sections.parse('proc-vmmemctl');
  return proc ? { stats: proc, source: PROC_VMMEMCTL } : null;
}

/** Xen's balloon: sysfs xen_memory0, else (classic 2.6.18-xen kernels) /proc/xen/balloon, the balloon's own account. */
function readXen(sections: ProbeSections): { xen: DriverFile<XenMemory> | null; classic: ProcXenBalloon | null } {
  const sysfs = sections.parse('xen-memory');
  // Parsed even beside sysfs: a damaged file still shows as an error probe.
  const proc = sections.parse('proc-xen-balloon');
  if (sysfs) return { xen: { stats: sysfs, source: '/sys/devices/system/xen_memory/xen_memory0' }, classic: null };
  if (!proc) return { xen: null, classic: null };
  return { xen: { stats: { targetBytes: proc.targetBytes, currentBytes: proc.currentBytes, balloonBytes: proc.balloonBytes }, source: '/proc/xen/balloon' }, classic: proc };
}

/** Bytes per kernel page (the unit of balloon_inflate and nr_balloon_pages): 4 KiB on x86, 4/16/64 KiB on arm64 and ppc64. */
function pageSize(meta: ProbeMeta, cpu: ParsedValue<'cpuinfo'> | null): { bytes: number | null; source: string } {
  if (meta.pageSize) return { bytes: meta.pageSize, source: 'probed (getconf PAGESIZE)' };
  if (cpu?.hasFlagsLine) return { bytes: X86_PAGE_BYTES, source: `assumed ${X86_PAGE_BYTES} (x86 CPU: always 4 KiB pages)` };
  return { bytes: null, source: 'unknown (not probed, and not an x86 CPU)' };
}

interface MeasureInput {
  hypervisorKind: HypervisorKind;
  driver: BalloonDriver | null;
  behaviour: DriverBehaviour | null;
  pageSizeBytes: number | null;
  vmmemctl: DriverFile<VmmemctlStats> | null;
  toolboxBalloonMiB: number | null;
  hv: HvBalloonStats | null;
  xen: DriverFile<XenMemory> | null;
  balloonLine: number | null;
  counter: (key: string) => number | null;
}

interface BalloonSize { measurements: BalloonMeasurement[]; targetBytes: number | null; notes: string[] }

/** Balloon size: every source the driver has, best first. */
function measureBalloon(input: MeasureInput): BalloonSize {
  const { hypervisorKind, driver, behaviour } = input;
  const size: BalloonSize = { measurements: [], targetBytes: null, notes: [] };
  const family = driverFamily(driver);
  if (family === 'vmw_balloon' || hypervisorKind === 'vmware') measureVmware(input, size);
  else if (driver === 'virtio_balloon') measureVirtio(input, size);
  else if (driver === 'hv_balloon') measureHyperv(input, size, behaviour);
  else if (driver === 'xen_balloon') measureXen(input, size);
  return size;
}

// A size past 2^53 bytes is a damaged source, not a balloon: scaled() gives null and it is left out.
const measure = (size: BalloonSize, source: string, bytes: number | null) => { if (bytes !== null) size.measurements.push({ source, bytes }); };

/** A counter of kernel pages in bytes; without a known page size it is left out, and a note says so. */
function pagesToBytes(input: MeasureInput, size: BalloonSize, source: string, pages: number | null): number | null {
  if (pages === null) return null;
  if (input.pageSizeBytes === null) { size.notes.push(`${source} counts kernel pages, whose size is unknown on this guest: left out`); return null; }
  return scaled(pages, input.pageSizeBytes);
}

function inflateMinusDeflate(input: MeasureInput, size: BalloonSize): number | null {
  const inflated = input.counter('balloon_inflate');
  const deflated = input.counter('balloon_deflate');
  return inflated !== null && deflated !== null ? pagesToBytes(input, size, VMSTAT_DIFF, Math.max(inflated - deflated, 0)) : null;
}

function measureVmware(input: MeasureInput, size: BalloonSize): void {
  const { vmmemctl, driver, behaviour } = input;
  if (vmmemctl) {
    // vmw_balloon counts 4 KiB frames on every architecture (a 2 MiB page is 512 frames).
    measure(size, vmmemctl.source, scaled(vmmemctl.stats.currentFrames, BALLOON_FRAME_BYTES));
    size.targetBytes = scaled(vmmemctl.stats.targetFrames, BALLOON_FRAME_BYTES);
  }
  measure(size, 'vmware-toolbox-cmd stat balloon', scaled(input.toolboxBalloonMiB, MiB));
  // Before 5.3 the counters stay 0 for VMware (no balloon_compaction): a 0 there is no reading.
  const vmstatCounts = behaviour ? sourceAvailability(behaviour, 'vmstat-balloon') : 'unknown';
  if (driver === 'vmw_balloon' && vmstatCounts !== 'no') {
    const diff = inflateMinusDeflate(input, size);
    if (diff) measure(size, VMSTAT_DIFF, diff);
  } else if (driver === 'vmw_balloon' && behaviour) {
    size.notes.push(`/proc/vmstat balloon counters stay 0 for VMware on this kernel (${behaviour.sources.find((x) => x.id === 'vmstat-balloon')?.range}): not a reading`);
  }
}

function measureVirtio(input: MeasureInput, size: BalloonSize): void {
  if (input.balloonLine !== null) measure(size, MEMINFO_BALLOON, input.balloonLine);
  else measure(size, NR_BALLOON_PAGES, pagesToBytes(input, size, NR_BALLOON_PAGES, input.counter('nr_balloon_pages')));
  // Also with a Balloon: line: the since-boot counters let the rules cross-check it (balloon-line-disagrees).
  measure(size, VMSTAT_DIFF, inflateMinusDeflate(input, size));
}

function measureHyperv(input: MeasureInput, size: BalloonSize, behaviour: DriverBehaviour | null): void {
  const { hv, balloonLine } = input;
  // hv_balloon counts Hyper-V pages of 4 KiB; the file says so in its page_size line.
  measure(size, 'debugfs hv-balloon pages_ballooned', scaled(hv?.pagesBallooned ?? null, hv?.pageSize ?? BALLOON_FRAME_BYTES));
  measure(size, MEMINFO_BALLOON, balloonLine);
  if (!hv && balloonLine === null && behaviour && sourceAvailability(behaviour, 'hv-debugfs') === 'no') {
    size.notes.push('This kernel has no hv-balloon debugfs file (Linux 6.0, d180e0a1be6c) and no Balloon: line (6.15): the guest cannot read the Hyper-V balloon size');
  }
}

function measureXen(input: MeasureInput, size: BalloonSize): void {
  const { xen } = input;
  measure(size, xen?.source === '/proc/xen/balloon' ? '/proc/xen/balloon Low-mem + High-mem balloon' : 'xen_memory0 info/low_kb + high_kb', xen?.stats.balloonBytes ?? null);
  if (xen) size.targetBytes = xen.stats.targetBytes;
  measure(size, MEMINFO_BALLOON, input.balloonLine);
}

/** Configured memory: the memory blocks, else MemTotal plus a balloon that left it; never below MemTotal. */
function configuredMemory(blocks: MemoryBlocks | null, memTotal: number | null, balloonOutsideMemTotal: number | null): { configuredBytes: number | null; configuredSource: string | null } {
  let configuredBytes: number | null = null;
  let configuredSource: string | null = null;
  if (blocks) {
    // Every block the host gave counts as configured, online or not; offline ones are reported apart.
    configuredBytes = blocks.blocks * blocks.blockSizeBytes;
    configuredSource = `${blocks.blocks} memory blocks of ${blocks.blockSizeBytes / MiB} MiB${blocks.offline ? `, ${blocks.offline} of them offline` : ''}`;
  } else if (memTotal !== null) {
    configuredBytes = memTotal + (balloonOutsideMemTotal ?? 0);
    configuredSource = balloonOutsideMemTotal !== null ? 'MemTotal plus the balloon (lower bound)' : 'MemTotal (lower bound)';
  }
  if (configuredBytes !== null && memTotal !== null && configuredBytes < memTotal) {
    return { configuredBytes: memTotal, configuredSource: 'MemTotal (memory blocks counted less)' };
  }
  return { configuredBytes, configuredSource };
}

/** MemAvailable; kernels before 3.14 (RHEL 5, RHEL 6 before 6.6) have none: estimate it as free(1) did then. */
function availableMemory(bytes: (key: string) => number | null): { availableBytes: number | null; availableSource: string | null } {
  const memAvailable = bytes('MemAvailable');
  if (memAvailable !== null) return { availableBytes: memAvailable, availableSource: 'MemAvailable' };
  const free = bytes('MemFree');
  const buffers = bytes('Buffers');
  const cached = bytes('Cached');
  if (free === null || buffers === null || cached === null) return { availableBytes: null, availableSource: null };
  return { availableBytes: free + buffers + cached, availableSource: 'estimate: MemFree + Buffers + Cached (this kernel has no MemAvailable)' };
}

/** VMware Tools' view: the limit, reservation and host swap the guest cannot see otherwise. */
function vmwareFacts(sections: ProbeSections, vmmemctl: DriverFile<VmmemctlStats> | null): GuestFacts['vmware'] {
  const limit = sections.parse('toolbox-memlimit');
  return {
    toolsInstalled: sections.present('toolbox-balloon'),
    balloonMiB: sections.parse('toolbox-balloon')?.mib ?? null,
    swappedMiB: sections.parse('toolbox-swap')?.mib ?? null,
    limitMiB: limit?.mib ?? null,
    limitKnown: limit !== null,
    reservationMiB: sections.parse('toolbox-memres')?.mib ?? null,
    debugfs: vmmemctl?.stats ?? null,
    debugfsLayout: vmmemctl?.stats.layout ?? null,
  };
}

function counterFacts(counter: (key: string) => number | null): GuestFacts['counters'] {
  return {
    pswpin: counter('pswpin'),
    pswpout: counter('pswpout'),
    pgmajfault: counter('pgmajfault'),
    oomKill: counter('oom_kill'),
    balloonInflate: counter('balloon_inflate'),
    balloonDeflate: counter('balloon_deflate'),
    nrBalloonPages: counter('nr_balloon_pages'),
  };
}

function virtioMemFacts(sections: ProbeSections, virtioDevices: VirtioDevice[]): VirtioMemDevice[] {
  const names = virtioDevices.filter((device) => device.deviceId === VIRTIO_ID_MEM).map((device) => device.name);
  const regions = sections.parse('virtio-mem-iomem');
  const iomemReason = sections.records.get('virtio-mem-iomem' satisfies ParsedSectionId)?.detail ?? null;
  return virtioMemDevices(names, regions, iomemReason, sections.parse('virtio-mem-dmesg'));
}

/** The kernel release and what the kernel table says about this driver on it. */
function kernelFacts(meta: ProbeMeta, cpu: ParsedValue<'cpuinfo'> | null, driver: BalloonDriver | null, shown: Parameters<typeof minimumVersionShown>[0]): KernelFacts {
  const releaseParsed = parseKernelRelease(meta.kernel);
  const release = releaseParsed.ok ? releaseParsed.value : null;
  const family = driverFamily(driver);
  const behaviour = family ? driverBehaviour(family, release, minimumVersionShown(shown)) : null;
  const page = pageSize(meta, cpu);
  return { release, releaseProblem: releaseParsed.ok ? null : releaseParsed.reason, pageSizeBytes: page.bytes, pageSizeSource: page.source, behaviour };
}

/**
 * Turns raw sections into typed facts. A section whose text does not parse becomes an `error`
 * probe with the parser's reason; the fact stays null.
 */
export function collectFacts(output: ProbeOutput): GuestFacts {
  const sections = new ProbeSections(output);
  const meta = sections.meta();
  const cpu = sections.parse('cpuinfo');
  const container = sections.read('container');
  const modules = sections.parse('modules') ?? [];
  const virtioDevices = sections.parse('virtio-devices') ?? [];
  const hypervisor = detectHypervisor({
    dmi: sections.parse('dmi'), cpu, sysHypervisor: sections.parse('sys-hypervisor'), detectVirt: sections.detectVirt(), modules, virtioDevices, container,
  });
  const virtioBalloon = virtioDevices.find((device) => device.deviceId === VIRTIO_ID_BALLOON || device.deviceId === VIRTIO_ID_MEMORY_BALLOON);

  const meminfo = sections.parse('meminfo');
  const vmstat = sections.parse('vmstat');
  const blocks = sections.parse('memory-blocks');
  const bytes = (key: string) => meminfo?.bytes.get(key) ?? null;
  const counter = (key: string) => vmstat?.get(key) ?? null;
  const residue = meminfo ? unaccountedBytes(meminfo) : null;

  const vmmemctl = readVmmemctl(sections);
  const hv = sections.parse('debugfs-hv-balloon');
  const { xen, classic: procXen } = readXen(sections);
  const { driver, driverEvidence, kernelThread } = detectDriver({
    hypervisorKind: hypervisor.kind, modules, sysModules: sections.read('sys-module'), virtioBalloon, xen, vmmemctl, hv, kthreads: sections.read('kthreads'),
  });

  const balloonLine = bytes('Balloon');
  const kernel = kernelFacts(meta, cpu, driver, { balloonLine: balloonLine !== null || counter('nr_balloon_pages') !== null, hvDebugfs: hv !== null, vmstatBalloon: counter('balloon_inflate') !== null });
  const behaviour = kernel.behaviour;
  const { measurements, targetBytes, notes } = measureBalloon({
    hypervisorKind: hypervisor.kind, driver, behaviour, pageSizeBytes: kernel.pageSizeBytes, vmmemctl, toolboxBalloonMiB: sections.parse('toolbox-balloon')?.mib ?? null, hv, xen, balloonLine, counter,
  });
  const best = measurements[0] ?? null;
  const features = virtioBalloon?.features ?? null;
  const shrinksMemTotal = behaviour ? tableShrinksMemTotal(behaviour, features ? features.deflateOnOom : null) : null;
  const blockBytes = (count: number | null) => (blocks && count !== null ? scaled(count, blocks.blockSizeBytes) : null);

  return {
    meta,
    hypervisor,
    container,
    balloon: {
      driver, loaded: driver !== null, driverEvidence, currentBytes: best?.bytes ?? null, targetBytes, source: best?.source ?? null,
      measurements, shrinksMemTotal, kernelThread, notes,
    },
    vmware: vmwareFacts(sections, vmmemctl),
    virtio: {
      balloonDevice: virtioBalloon?.name ?? null, bound: virtioBalloon?.driver === 'virtio_balloon', driverAvailable: sections.read('virtio-drivers').includes('virtio_balloon'),
      features, virtioMem: virtioDevices.some((device) => device.deviceId === VIRTIO_ID_MEM),
    },
    virtioMem: virtioMemFacts(sections, virtioDevices),
    hyperv: hv,
    xen: xen?.stats ?? null,
    xenClassic: procXen ? { hardLimitBytes: procXen.hardLimitBytes, driverBytes: procXen.driverBytes } : null,
    memory: {
      totalBytes: bytes('MemTotal'),
      freeBytes: bytes('MemFree'),
      ...availableMemory(bytes),
      onlineBytes: blockBytes(blocks?.online ?? null),
      offlineBytes: blockBytes(blocks?.offline ?? null),
      swapTotalBytes: bytes('SwapTotal'),
      swapFreeBytes: bytes('SwapFree'),
      ...configuredMemory(blocks, bytes('MemTotal'), shrinksMemTotal && best ? best.bytes : null),
      unaccountedBytes: residue?.ok ? residue.value : null,
      balloonLineBytes: balloonLine,
    },
    counters: counterFacts(counter),
    pressure: sections.parse('pressure-memory'),
    kernel,
    probes: sections.probeRecords(),
    incomplete: !output.complete,
  };
}

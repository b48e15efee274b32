/**
 * Real formats, for parser and engine tests. Each text is what the kernel or tool prints, built from
 * the format strings of the source named on each (kernel files are paths in torvalds/linux);
 * figures inside one guest agree with each other (frames × 4096, meminfo arithmetic).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// ---- vmw_balloon debugfs / /proc/vmmemctl (drivers/misc/vmw_balloon.c, open-vm-tools vmmemctl) ----
// V4 (≈4.20+): "%-22s: %16lu"; the seed case, 20 GiB = 5242880 frames held with 2 MiB pages
// (alloc (2M) 10240 × 512 frames); the second `target` line is the GET_TARGET call counter.
export const VMMEMCTL_V4_SEED = `balloon capabilities  :             0x3e
used capabilities     :             0x3e
is resetting          :                n
target                :          5242880
current               :          5242880
start                 :                1 (0 failed)
target                :            86437 (0 failed)
lock                  :                0 (0 failed)
unlock                :                0 (0 failed)
guestType             :                1 (0 failed)
batchLock             :                0 (0 failed)
batchUnlock           :                0 (0 failed)
2m-lock               :               20 (0 failed)
2m-unlock             :                0 (0 failed)
doorbellSet           :                1 (0 failed)
timer                 :            86437
doorbell              :                2
reset                 :                0
shrink                :                0
shrinkFree            :                0
alloc             (4k):                0
alloc             (2M):            10240
allocFail         (4k):                0
allocFail         (2M):                0
errAlloc          (4k):                0
errAlloc          (2M):                0
errFree           (4k):                0
errFree           (2M):                0
free              (4k):                0
free              (2M):                0
`;

export const VMMEMCTL_V4_INFLATING = `balloon capabilities  :             0x3e
used capabilities     :             0x3e
is resetting          :                n
target                :          5242880
current               :          4194304
start                 :                1 (0 failed)
target                :            86437 (0 failed)
lock                  :                0 (0 failed)
unlock                :                0 (0 failed)
guestType             :                1 (0 failed)
batchLock             :                0 (0 failed)
batchUnlock           :                0 (0 failed)
2m-lock               :               20 (0 failed)
2m-unlock             :                0 (0 failed)
doorbellSet           :                1 (0 failed)
timer                 :            86437
doorbell              :                2
reset                 :                0
alloc             (4k):                0
alloc             (2M):             8192
allocFail         (4k):                0
allocFail         (2M):                0
errAlloc          (4k):                0
errAlloc          (2M):                0
errFree           (4k):                0
errFree           (2M):                0
free              (4k):                0
free              (2M):                0
`;

export const VMMEMCTL_V1 = `target:               262144 pages
current:              131072 pages
rateNoSleepAlloc:      16384 pages/sec
rateSleepAlloc:         2048 pages/sec
rateFree:              16384 pages/sec

timer:                 35110
start:                     1 (   0 failed)
guestType:                 1 (   0 failed)
lock:                 131072 (   0 failed)
unlock:                    0 (   0 failed)
target:                35110 (   0 failed)
primNoSleepAlloc:     131072 (   0 failed)
primCanSleepAlloc:         0 (   0 failed)
primFree:                  0
errAlloc:                  0
errFree:                   0
`;

export const VMMEMCTL_V2 = `balloon capabilities:    0x6
used capabilities:       0x6
target:               131072 pages
current:              131072 pages
rateSleepAlloc:         2048 pages/sec

timer:                 90210
start:                     1 (   0 failed)
guestType:                 1 (   0 failed)
lock:                    512 (   0 failed)
unlock:                    0 (   0 failed)
target:                90210 (   0 failed)
primNoSleepAlloc:     131072 (   0 failed)
primCanSleepAlloc:         0 (   0 failed)
primFree:                  0
errAlloc:                  0
errFree:                   0
`;

export const VMMEMCTL_V3 = `balloon capabilities:   0x1e
used capabilities:      0x1e
is resetting:           n
target:               262144 pages
current:              262144 pages
rateSleepAlloc:         2048 pages/sec

timer:                  4242
doorbell:                  3
start:                     1 (   0 failed)
guestType:                 1 (   0 failed)
2m-lock:                 512 (   0 failed)
lock:                      0 (   0 failed)
2m-unlock:                 0 (   0 failed)
unlock:                    0 (   0 failed)
target:                 4242 (   0 failed)
prim2mAlloc:             512 (   0 failed)
primNoSleepAlloc:          0 (   0 failed)
primCanSleepAlloc:         0 (   0 failed)
prim2mFree:                0
primFree:                  0
err2mAlloc:                0
errAlloc:                  0
err2mFree:                 0
errFree:                   0
doorbellSet:               1
doorbellUnset:             0
`;

export const VMMEMCTL_V3B = `balloon capabilities:   0x1e
used capabilities:      0x1e
is resetting:           y
target:               262144 pages
current:              262144 pages

timer:                  4242
doorbell:                  3
start:                     1 (   0 failed)
guestType:                 1 (   0 failed)
2m-lock:                 512 (   0 failed)
lock:                      0 (   0 failed)
2m-unlock:                 0 (   0 failed)
unlock:                    0 (   0 failed)
target:                 4242 (   0 failed)
prim2mAlloc:             512 (   0 failed)
primNoSleepAlloc:          0 (   0 failed)
primCanSleepAlloc:         0 (   0 failed)
prim2mFree:                0
primFree:                  0
err2mAlloc:                0
errAlloc:                  0
err2mFree:                 0
errFree:                   0
doorbellSet:               1
doorbellUnset:             0
`;

export const HV = `host_version          : 2.0
capabilities          : enabled hot_add
state                 : 2 (Balloon Up)
page_size             : 4096
pages_added           : 0
pages_onlined         : 0
pages_ballooned       : 262144
total_pages_committed : 1310720
max_dynamic_page_count: 4194304
`;

export const HV_TYPO = `host_version          : 2.0
capabilities          : enabled hot_add
state                 : 2 (Balloon Up)
page_size             : 4096
pages_added           : 0
pages_onlined         : 0
pages_ballooned       : 262144
total_pages_commited  : 1310720
max_dynamic_page_count: 4194304
`;

// ---- /proc/meminfo (fs/proc/meminfo.c) ------------------------------------------------------
// VMware seed guest (RHEL 9, 5.14): 20 GiB balloon inside "used", 128 MiB of other residue.
// KVM 6.18 without deflate-on-oom: 8 GiB configured, 2 GiB balloon left MemTotal, Balloon: line.
// RHEL 5 (2.6.18): 14-column names, no MemAvailable, no KernelStack; 512 MiB vmmemctl balloon.
export const MEMINFO_VMWARE_SEED = `MemTotal:       31174656 kB
MemFree:         1048576 kB
MemAvailable:    3145728 kB
Buffers:            4096 kB
Cached:          2097152 kB
SwapCached:            0 kB
Active:          5242880 kB
Inactive:        3149824 kB
Active(anon):    4194304 kB
Inactive(anon):  2097152 kB
Active(file):    1048576 kB
Inactive(file):  1052672 kB
Unevictable:           0 kB
Mlocked:               0 kB
SwapTotal:       4194300 kB
SwapFree:        4194300 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:               128 kB
Writeback:             0 kB
AnonPages:       6291456 kB
Mapped:           524288 kB
Shmem:             65536 kB
KReclaimable:     262144 kB
Slab:             524288 kB
SReclaimable:     262144 kB
SUnreclaim:       262144 kB
KernelStack:       16384 kB
PageTables:        32768 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    20489456 kB
Committed_AS:    9437184 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       65536 kB
VmallocChunk:          0 kB
Percpu:             8192 kB
HardwareCorrupted:     0 kB
AnonHugePages:   2097152 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:      274304 kB
DirectMap2M:     9162752 kB
DirectMap1G:    26214400 kB
`;

export const MEMINFO_KVM_6_18_BALLOON = `MemTotal:        6111172 kB
MemFree:         3121440 kB
MemAvailable:    4563232 kB
Buffers:           20480 kB
Cached:          1572864 kB
SwapCached:            0 kB
Active:          1572864 kB
Inactive:        1069056 kB
Active(anon):     786432 kB
Inactive(anon):   262144 kB
Active(file):     786432 kB
Inactive(file):   806912 kB
Unevictable:           0 kB
Mlocked:               0 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:                64 kB
Writeback:             0 kB
AnonPages:       1048576 kB
Mapped:           262144 kB
Shmem:             16384 kB
KReclaimable:     131072 kB
Slab:             196608 kB
SReclaimable:     131072 kB
SUnreclaim:        65536 kB
KernelStack:        8192 kB
PageTables:        16384 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:     3055586 kB
Committed_AS:    2097152 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       24576 kB
VmallocChunk:          0 kB
Percpu:             2048 kB
HardwareCorrupted:     0 kB
AnonHugePages:         0 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
Unaccepted:            0 kB
Balloon:         2097152 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:      110592 kB
DirectMap2M:     8278016 kB
DirectMap1G:           0 kB
`;

export const MEMINFO_RHEL5_2_6_18 = `MemTotal:      3058240 kB
MemFree:        154104 kB
Buffers:         71304 kB
Cached:         941956 kB
SwapCached:          0 kB
Active:        1684728 kB
Inactive:       516052 kB
HighTotal:           0 kB
HighFree:            0 kB
LowTotal:      3058240 kB
LowFree:        154104 kB
SwapTotal:     2096472 kB
SwapFree:      2096472 kB
Dirty:             176 kB
Writeback:           0 kB
AnonPages:     1187336 kB
Mapped:          51840 kB
Slab:           113428 kB
PageTables:      11848 kB
NFS_Unstable:        0 kB
Bounce:              0 kB
CommitLimit:   4119724 kB
Committed_AS:  1656060 kB
VmallocTotal: 34359738367 kB
VmallocUsed:      2776 kB
VmallocChunk: 34359735267 kB
HugePages_Total:     0
HugePages_Free:      0
HugePages_Rsvd:      0
Hugepagesize:     2048 kB
`;

// ---- vmware-toolbox-cmd stat (open-vm-tools toolbox/toolboxcmd-stat.c) ----------------------
export const TOOLBOX = {
  balloon20g: '20480 MB\n',
  limit12g: '12288 MB\n',
  unlimited: '4294967295 MB\n',
  zero: '0 MB\n',
  /** open-vm-tools 2008.08–2010.10 printed the balloon with the wrong unit. */
  oldMHz: '20480 MHz\n',
  /** getter failed (exit 75). */
  notAvailable: 'Failed to get memory limit: This value is not available on this host\n',
  /** Workstation/Fusion (exit 75). */
  guestApiDisabled: 'UpdateInfo failed: VMware Guest API is not enabled on the host\n',
  /** not on VMware (exit 1). */
  notVirtual: 'vmware-toolbox-cmd must be run inside a virtual machine.\n',
  /** exit 64. */
  unknownSubcommand: "vmware-toolbox-cmd: Unknown subcommand 'ballon'\nTry 'vmware-toolbox-cmd help stat' for more information.\n",
  openHandle: 'OpenHandle failed: VMware Guest API is not running in a Virtual Machine\n',
};

// ---- Xen xen_memory0 as the probe prints it (drivers/xen/xen-balloon.c): `file=value`, info/ stripped ----
/** 4 GiB target, the domain holds 3 GiB: 1 GiB owed by the host; 1 GiB in the balloon. */
export const XEN_BELOW_TARGET = 'target_kb=4194304\ntarget=4294967296\ncurrent_kb=3145728\nlow_kb=1048576\nhigh_kb=0\n';
/** Target reached: 2 GiB, 2 GiB ballooned out of a 4 GiB maxmem. */
export const XEN_AT_TARGET = 'target_kb=2097152\ntarget=2147483648\ncurrent_kb=2097152\nlow_kb=2097152\nhigh_kb=0\n';

// ---- virtio (drivers/virtio/virtio_balloon.c, include/uapi/linux/virtio_ids.h) --------------
/** Observed on the Firecracker guest (6.18, 128 characters): bits 1, 2, 5, 7, 32. */
export const FEATURES_FIRECRACKER = '01100101000000000000000000000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000';
/** 64 characters (kernels before 6.17), QEMU without deflate-on-oom: bits 1, 28, 29, 32. */
export const FEATURES_QEMU_64 = '0100000000000000000000000000110010000000000000000000000000000000';
export const virtioLine = (name: string, id: string, driver: string, features: string) =>
  `device=${name} id=${id} vendor=0x1af4 status=0x0000000f driver=${driver} features=${features}`;

// ---- /proc/modules (balloon lines only, as the probe keeps them) ----------------------------
export const MODULES_VMW = 'vmw_balloon 24576 0 - Live 0x0000000000000000\n';
export const MODULES_VIRTIO = 'virtio_balloon 28672 0 - Live 0x0000000000000000\n';
export const MODULES_HV = 'hv_balloon 40960 0 - Live 0x0000000000000000\n';
export const MODULES_VMMEMCTL_RHEL5 = 'vmmemctl 44272 0 - Live 0xffffffff8846c000\n';

// ---- /proc/vmstat, filtered as the probe does (mm/vmstat.c) ---------------------------------
export const VMSTAT_VMWARE_SEED = 'pgmajfault 48213\npswpin 1024\npswpout 4096\npgsteal_kswapd 812345\npgscan_kswapd 912345\nallocstall_normal 12\noom_kill 0\ncompact_stall 3\nballoon_inflate 5242880\nballoon_deflate 0\nballoon_migrate 0\n';
/** Firecracker 6.18, empty balloon (observed on a live Firecracker guest). */
export const VMSTAT_FIRECRACKER = 'nr_balloon_pages 0\npswpin 0\npswpout 0\noom_kill 0\nballoon_inflate 0\nballoon_deflate 0\nballoon_migrate 0\n';
/** pseries CMM tester sample: inflate − deflate = 16 = nr_balloon_pages. */
export const VMSTAT_CMM = 'nr_balloon_pages 16\nballoon_inflate 1638\nballoon_deflate 1622\nballoon_migrate 4\n';

// ---- PSI (kernel/sched/psi.c) ---------------------------------------------------------------
export const PSI_IDLE = 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
export const PSI_STALLED = 'some avg10=23.51 avg60=18.02 avg300=6.33 total=123456789\nfull avg10=11.20 avg60=7.85 avg300=2.10 total=98765432\n';

// ---- DMI as the probe prints it (/sys/class/dmi/id, drivers/firmware/dmi-id.c) --------------
export const DMI = {
  vmwareEfi: 'sys_vendor=VMware, Inc.\nproduct_name=VMware7,1\nbios_vendor=VMware, Inc.\nbios_version=VMW71.00V.21100432.B64.2301110304\n',
  vmwareBios: 'sys_vendor=VMware, Inc.\nproduct_name=VMware Virtual Platform\nbios_vendor=Phoenix Technologies LTD\nbios_version=6.00\n',
  qemu: 'sys_vendor=QEMU\nproduct_name=Standard PC (Q35 + ICH9, 2009)\nbios_vendor=EDK II\nbios_version=edk2-stable202302-for-qemu\n',
  openstack: 'sys_vendor=OpenStack Foundation\nproduct_name=OpenStack Nova\nbios_vendor=SeaBIOS\nbios_version=1.16.0-3.module_el8.7.0\n',
  hypervGen2: 'sys_vendor=Microsoft Corporation\nproduct_name=Virtual Machine\nbios_vendor=Microsoft Corporation\nbios_version=Hyper-V UEFI Release v4.1\n',
  hypervGen1: 'sys_vendor=Microsoft Corporation\nproduct_name=Virtual Machine\nbios_vendor=American Megatrends Inc.\nbios_version=090008\n',
  surfaceLaptop: 'sys_vendor=Microsoft Corporation\nproduct_name=Surface Laptop 5\nbios_vendor=Microsoft Corporation\nbios_version=7.102.140\n',
  xenHvm: 'sys_vendor=Xen\nproduct_name=HVM domU\nbios_vendor=Xen\nbios_version=4.2.amazon\n',
  ec2Nitro: 'sys_vendor=Amazon EC2\nproduct_name=m5.large\nbios_vendor=Amazon EC2\nbios_version=1.0\n',
  ec2Metal: 'sys_vendor=Amazon EC2\nproduct_name=m5.metal\nbios_vendor=Amazon EC2\nbios_version=1.0\n',
  virtualbox: 'sys_vendor=innotek GmbH\nproduct_name=VirtualBox\nbios_vendor=innotek GmbH\nbios_version=VirtualBox\n',
  dell: 'sys_vendor=Dell Inc.\nproduct_name=PowerEdge R740\nbios_vendor=Dell Inc.\nbios_version=2.19.1\n',
};

// ---- /proc/cpuinfo lines the probe keeps (arch/x86/kernel/cpu/proc.c) -----------------------
export const CPUINFO_X86_GUEST = 'vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon nopl xtopology tsc_reliable nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch arat md_clear flush_l1d arch_capabilities\n';
export const CPUINFO_X86_METAL = 'vendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763 64-Core Processor\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a\n';
export const CPUINFO_ARM64 = 'Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n';

// ---- memory blocks as the probe prints them ------------------------------------------------
/** 256 blocks × 128 MiB (block_size_bytes is hex without 0x) = 32 GiB. */
export const BLOCKS_32G = 'block_size_bytes=8000000\nblocks=256\n';
export const BLOCKS_8G = 'block_size_bytes=8000000\nblocks=64\n';

// ---- whole probe outputs ------------------------------------------------------------------
export type SectionSpec = [id: string, status: 'ok' | 'absent' | 'denied' | 'error', detail: string, text: string];

export const MARKER = '@@BI-0f6b3c2e-5d1a-4b8e-9c7f-2a1d3e4f5a6b@@';

/** A probe output in format 1, as probe.sh prints it (header, sections, end marker). */
export function probeOutput(sections: readonly SectionSpec[], options: { end?: boolean; marker?: string } = {}): string {
  const marker = options.marker ?? MARKER;
  let out = `BALLOON-INSPECTOR-PROBE 1 ${marker}\n`;
  for (const [id, status, detail, text] of sections) out += `\n${marker} ${id} ${status}${detail ? ` ${detail}` : ''}\n${text}`;
  if (options.end !== false) out += `\n${marker} end\n`;
  return out;
}

/** The seed guest: VMware, 32 GiB configured, memlimit 12 GiB, balloon 20 GiB (debugfs V4, root). */
export const SEED_SECTIONS: SectionSpec[] = [
  ['meta', 'ok', '', 'kernel=5.14.0-427.13.1.el9_4.x86_64\nhostname=db-prod-07\nuid=0\nuptime=864213.52\n'],
  ['dmi', 'ok', '', DMI.vmwareEfi],
  ['sys-hypervisor', 'absent', 'no such file', ''],
  ['cpuinfo', 'ok', '', CPUINFO_X86_GUEST],
  ['container', 'ok', '', ''],
  ['modules', 'ok', '', MODULES_VMW],
  ['sys-module', 'ok', '', 'vmw_balloon\n'],
  ['virtio-drivers', 'absent', 'no such file', ''],
  ['toolbox-balloon', 'ok', 'exit 0', TOOLBOX.balloon20g],
  ['toolbox-swap', 'ok', 'exit 0', TOOLBOX.zero],
  ['toolbox-memlimit', 'ok', 'exit 0', TOOLBOX.limit12g],
  ['toolbox-memres', 'ok', 'exit 0', TOOLBOX.zero],
  ['debugfs-vmmemctl', 'ok', '', VMMEMCTL_V4_SEED],
  ['proc-vmmemctl', 'absent', 'no such file', ''],
  ['debugfs-hv-balloon', 'absent', 'no such file', ''],
  ['xen-memory', 'absent', 'no such file', ''],
  ['meminfo', 'ok', '', MEMINFO_VMWARE_SEED],
  ['vmstat', 'ok', '', VMSTAT_VMWARE_SEED],
  ['pressure-memory', 'ok', '', PSI_IDLE],
  ['memory-blocks', 'ok', '', BLOCKS_32G],
  ['kthreads', 'ok', '', ''],
];

/** A snapshot root holding the seed guest's files, for running the real probe.sh against. */
export function writeSeedRoot(root: string): void {
  const files: Record<string, string> = {
    'proc/sys/kernel/osrelease': '5.14.0-427.13.1.el9_4.x86_64\n',
    'proc/uptime': '864213.52 1712345.10\n',
    'proc/meminfo': MEMINFO_VMWARE_SEED,
    'proc/vmstat': `nr_free_pages 262144\n${VMSTAT_VMWARE_SEED}`,
    'proc/pressure/memory': PSI_IDLE,
    'proc/cpuinfo': `processor\t: 0\n${CPUINFO_X86_GUEST}\n`,
    'proc/modules': `vmw_vsock_vmci_transport 45056 1 - Live 0x0000000000000000\n${MODULES_VMW}vmw_vmci 98304 2 vmw_vsock_vmci_transport,vmw_balloon, Live 0x0000000000000000\n`,
    'sys/class/dmi/id/sys_vendor': 'VMware, Inc.\n',
    'sys/class/dmi/id/product_name': 'VMware7,1\n',
    'sys/class/dmi/id/bios_vendor': 'VMware, Inc.\n',
    'sys/class/dmi/id/bios_version': 'VMW71.00V.21100432.B64.2301110304\n',
    'sys/module/vmw_balloon/parameters/vmwballoon_shrinker_enable': 'N\n',
    'sys/kernel/debug/vmmemctl': VMMEMCTL_V4_SEED,
    'sys/devices/system/memory/block_size_bytes': '8000000\n',
    // what --root reads by default: the tool's saved outputs (sos report layout); the tool below is for --run-snapshot-tools
    'sos_commands/vmware/vmware-toolbox-cmd_stat_balloon': '20480 MB\n',
    'sos_commands/vmware/vmware-toolbox-cmd_stat_swap': '0 MB\n',
    'sos_commands/vmware/vmware-toolbox-cmd_stat_memlimit': '12288 MB\n',
    'sos_commands/vmware/vmware-toolbox-cmd_stat_memres': '0 MB\n',
  };
  for (let index = 0; index < 256; index++) files[`sys/devices/system/memory/memory${index}/online`] = '1\n';
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const tool = join(root, 'usr/bin/vmware-toolbox-cmd');
  mkdirSync(dirname(tool), { recursive: true });
  writeFileSync(tool, '#!/bin/sh\ncase "$2" in balloon) echo "20480 MB" ;; swap) echo "0 MB" ;; memlimit) echo "12288 MB" ;; memres) echo "0 MB" ;; *) echo "$0: Unknown subcommand \'$2\'" >&2; exit 64 ;; esac\n');
  chmodSync(tool, 0o755);
}

/** Runs the real probe script against a snapshot root. */
export function runProbe(script: string, root: string, toolTimeoutSeconds = 5): string {
  return execFileSync('sh', ['-s'], { input: `BI_ROOT='${root}'\nBI_TOOL_TIMEOUT=${toolTimeoutSeconds}\n${script}`, encoding: 'utf8', timeout: 30_000 });
}

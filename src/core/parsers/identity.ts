import { keyValues, known, lines, refuseText, unknown, type Parsed } from '../parsed';

export type HypervisorKind = 'vmware' | 'kvm' | 'hyperv' | 'xen' | 'other' | 'none' | 'unknown';

export interface Dmi { sysVendor: string | null; productName: string | null; biosVendor: string | null; biosVersion: string | null }

/** DMI strings as the probe prints them (`sys_vendor=...`). */
export function parseDmi(text: string): Parsed<Dmi> {
  if (text.includes('\u0000')) return unknown('DMI strings contain binary data');
  const refused = refuseText(text, 'DMI strings');
  if (refused) return unknown(refused);
  const values = keyValues(text);
  const pick = (key: string) => {
    const value = values.get(key);
    return value && value.length <= 256 && /^[\x20-\x7e]*$/.test(value) ? value : null;
  };
  const dmi = { sysVendor: pick('sys_vendor'), productName: pick('product_name'), biosVendor: pick('bios_vendor'), biosVersion: pick('bios_version') };
  if (!dmi.sysVendor && !dmi.productName && !dmi.biosVendor) return unknown('DMI has no readable vendor or product');
  return known(dmi);
}

/** Which hypervisor a DMI string names (systemd's table, prefix matches). */
export function hypervisorFromDmi(dmi: Dmi): HypervisorKind | null {
  const fields = [dmi.sysVendor, dmi.productName, dmi.biosVendor].filter((value): value is string => !!value);
  const starts = (...prefixes: string[]) => fields.some((field) => prefixes.some((prefix) => field.startsWith(prefix)));
  if (starts('VMware', 'VMW')) return 'vmware';
  // EC2 bare-metal instances (m5.metal) carry the same vendor: no hypervisor there.
  if (starts('Amazon EC2') && dmi.productName?.endsWith('.metal')) return null;
  if (starts('QEMU', 'KVM', 'OpenStack', 'KubeVirt', 'Amazon EC2', 'Google Compute Engine', 'Red Hat')) return 'kvm';
  if (starts('Microsoft Corporation') && (dmi.productName === 'Virtual Machine' || starts('Hyper-V'))) return 'hyperv';
  if (starts('Hyper-V')) return 'hyperv';
  if (starts('Xen')) return 'xen';
  if (starts('innotek GmbH', 'VirtualBox', 'Oracle Corporation', 'Parallels', 'BHYVE', 'Bochs', 'Apple Virtualization')) return 'other';
  return null;
}

/** hasFlagsLine: an x86 `flags` line, the only kind that can carry the hypervisor bit (arm's `Features` cannot). */
export interface CpuInfo { hypervisorFlag: boolean; hasFlagsLine: boolean; vendor: string | null }

/** The probe keeps the first `flags` (x86) or `Features` (arm) line of /proc/cpuinfo. */
export function parseCpuinfo(text: string): Parsed<CpuInfo> {
  // The probe keeps only the flags/vendor lines, so empty text means the file had none of them.
  if (text.trim() === '') return unknown('/proc/cpuinfo has no flags line');
  const refused = refuseText(text, '/proc/cpuinfo');
  if (refused) return unknown(refused);
  let flags: string | undefined;
  let x86 = false;
  let vendor: string | null = null;
  for (const line of lines(text)) {
    const match = /^(flags|Features|vendor_id)\s*:\s*(.*)$/.exec(line);
    if (!match) continue;
    if (match[1] === 'vendor_id') vendor = match[2].trim();
    else if (flags === undefined) {
      flags = match[2];
      x86 = match[1] === 'flags';
    }
  }
  if (flags === undefined) return unknown('/proc/cpuinfo has no flags line');
  return known({ hypervisorFlag: flags.split(/\s+/).includes('hypervisor'), hasFlagsLine: x86, vendor });
}

/** `systemd-detect-virt --vm` prints one word; `none` means bare metal. */
export function parseDetectVirt(text: string): Parsed<string> {
  const word = text.trim();
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(word)) return unknown(`systemd-detect-virt printed ${JSON.stringify(word.slice(0, 60))}, not one word`);
  return known(word);
}

export function hypervisorFromDetectVirt(word: string): HypervisorKind {
  switch (word) {
    case 'vmware': return 'vmware';
    case 'kvm': case 'qemu': case 'amazon': case 'google': return 'kvm';
    case 'microsoft': return 'hyperv';
    case 'xen': return 'xen';
    case 'none': return 'none';
    default: return 'other';
  }
}

/** `/sys/hypervisor/type` (`xen` on Xen). */
export function parseSysHypervisor(text: string): Parsed<string> {
  const word = text.trim();
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(word)) return unknown(`/sys/hypervisor/type is ${JSON.stringify(word.slice(0, 60))}`);
  return known(word);
}

export interface ContainerMarkers { inside: boolean; evidence: string[] }

const MAX_CONTAINER_EVIDENCE = 8;

export function parseContainer(text: string): ContainerMarkers {
  const evidence: string[] = [];
  for (const line of lines(text)) {
    // The probe prints at most three markers and one cgroup line; more is not the probe's output.
    if (evidence.length === MAX_CONTAINER_EVIDENCE) break;
    if (line.startsWith('marker=')) evidence.push(`container marker ${line.slice(7)}`);
    if (line.startsWith('cgroup=')) evidence.push(`pid 1 cgroup ${line.slice(7, 100)}`);
  }
  return { inside: evidence.length > 0, evidence };
}

export interface ProbeMeta {
  kernel: string | null; hostname: string | null; uid: number | null; uptimeSeconds: number | null; root: string | null;
  /** The guest kernel's page size: `pagesize=` of a live run, `guest_pagesize=` of a snapshot; absent when not probed. */
  pageSize?: number | null;
}

/** A page size is a power of two from 4 KiB to 1 MiB (x86 4 KiB; arm64 4/16/64 KiB; ppc64 64 KiB). */
function pageSizeValue(value: string | undefined): number | null {
  if (!value || !/^\d{4,7}$/.test(value)) return null;
  const size = Number(value);
  return size >= 4096 && size <= 1 << 20 && (size & (size - 1)) === 0 ? size : null;
}

/** Kernel release and host name are utsname fields: at most 64 printable characters, else not trusted. */
const utsField = (value: string | undefined): string | null => (value && value.length <= 64 && /^[\x21-\x7e]+$/.test(value) ? value : null);

export function parseMeta(text: string): ProbeMeta {
  const values = keyValues(text);
  const uid = values.get('uid');
  const uptime = values.get('uptime');
  return {
    // A snapshot's kernel= is the reading machine's: only guest_kernel= (the snapshot's osrelease) is the guest's.
    kernel: utsField(values.get('guest_kernel') ?? (values.has('root') ? undefined : values.get('kernel'))),
    hostname: utsField(values.get('hostname')),
    uid: uid && /^\d{1,10}$/.test(uid) ? Number(uid) : null,
    uptimeSeconds: uptime && /^\d{1,12}(\.\d{1,6})?$/.test(uptime) ? Number(uptime) : null,
    root: values.get('root') ?? null,
    // A snapshot's pagesize= is the page size of the machine that read it, not the guest's.
    pageSize: pageSizeValue(values.get('guest_pagesize') ?? (values.has('root') ? undefined : values.get('pagesize'))),
  };
}

/**
 * knowledge/kernel-behaviour.md, rendered from the kernel table (kernels.ts). The committed article must equal
 * this text (test/unit/kernels.test.ts); regenerate with `node --import tsx scripts/gen-kernel-article.ts`.
 */
import {
  DISTRIBUTIONS, DISTRO_OVERRIDES, DRIVER_FAMILIES, DRIVERS, driverBehaviour, formatVersion, SIZE_SOURCE_NAMES,
  type BalloonDriverFamily, type Change, type DriverBehaviour, type KernelRelease, type SizeSourceId,
} from './kernels';
import { markdownTableCell } from '../shared/escape';

const cell = markdownTableCell;

function rangeOf(changes: readonly Change<unknown>[], index: number): string {
  const from = changes[index].since;
  const next = changes[index + 1]?.since;
  if (!from && !next) return 'all';
  if (!from) return `< ${formatVersion(next as readonly [number, number, number?])}`;
  if (!next) return `≥ ${formatVersion(from)}`;
  return `${formatVersion(from)} – < ${formatVersion(next)}`;
}

const MEMTOTAL_WORDS: Record<string, string> = {
  yes: 'yes: MemTotal shrinks', no: 'no: they stay in MemTotal as "used" memory no process owns',
  'unless-deflate-on-oom': 'yes, unless deflate-on-oom was negotiated', unknown: 'unknown',
};
const DEFLATE_WORDS: Record<string, string> = {
  'not-supported': 'no such feature', 'oom-notifier': 'OOM notifier: 256 pages (1 MiB) per OOM notification',
  shrinker: 'shrinker: deflates under ordinary memory pressure', unknown: 'unknown',
};

/** Commit ids the table cites (12 to 40 hex digits), in order of first mention. */
export function citedCommits(): string[] {
  const texts: string[] = [];
  for (const family of DRIVER_FAMILIES) {
    const table = DRIVERS[family];
    texts.push(...table.memTotal.map((c) => c.source), ...(table.deflateOnOom ?? []).map((c) => c.source), ...(table.xenMaxRetry ?? []).map((c) => c.source));
    for (const changes of Object.values(table.sources)) texts.push(...(changes ?? []).map((c) => c.source));
  }
  const ids: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/\b(?:commits? )?([0-9a-f]{12,40})\b/g)) if (!ids.includes(match[1]) && /[a-f]/.test(match[1]) && /\d/.test(match[1])) ids.push(match[1]);
  }
  return ids;
}

function distroRelease(row: (typeof DISTRIBUTIONS)[number]): KernelRelease {
  return { raw: row.example, version: row.base, distribution: row.distribution, classicXen: false };
}

function distroCells(behaviour: Record<BalloonDriverFamily, DriverBehaviour>): string[] {
  const avail = (b: DriverBehaviour, id: SizeSourceId) => b.sources.find((s) => s.id === id)?.available ?? 'no';
  const vmw = behaviour.vmw_balloon;
  const debugfs = vmw.sources.find((s) => s.id === 'debugfs-vmmemctl');
  const debugfsText = debugfs?.available === 'unknown' ? 'unknown' : debugfs?.available === 'no' ? 'no (VMware Tools vmmemctl: /proc/vmmemctl)'
    : /layout unknown/.test(debugfs?.note ?? '') ? 'yes, layout unknown' : /new layout/.test(debugfs?.note ?? '') ? 'yes, new layout' : 'yes, old layout';
  return [
    debugfsText,
    avail(vmw, 'vmstat-balloon'),
    MEMTOTAL_WORDS[behaviour.hv_balloon.memTotal.value].split(':')[0],
    avail(behaviour.hv_balloon, 'hv-debugfs'),
    DEFLATE_WORDS[behaviour.virtio_balloon.deflateOnOom?.value ?? 'unknown'].split(':')[0],
    String(behaviour.xen_balloon.xenMaxRetry?.value ?? 'unknown'),
    avail(vmw, 'meminfo-balloon'),
  ];
}

/** The article's front matter: id, title, and a source per cited commit. */
function frontMatter(out: string[]): void {
  const commits = citedCommits();
  out.push('---');
  out.push('id: kernel-behaviour');
  out.push('title: What each kernel shows of the balloon, per driver and distribution');
  out.push('summary: Whether ballooned pages leave MemTotal, which files give the balloon size, and what deflate-on-oom does depend on the guest kernel. This table, generated from the data the check itself uses, gives each answer per driver and kernel range with its source, and per distribution release.');
  out.push('appliesTo: [vmware, kvm, hyperv, xen]');
  out.push('findings: [memtotal-shrunk, balloon-line-disagrees]');
  out.push('sources:');
  for (const id of commits) {
    out.push(`  - title: Linux commit ${id.slice(0, 12)}`);
    out.push(`    url: https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${id}`);
  }
  out.push('  - title: Red Hat Enterprise Linux release dates (kernel versions)');
  out.push('    url: https://access.redhat.com/articles/3078');
  out.push('  - title: Ubuntu kernel lifecycle');
  out.push('    url: https://ubuntu.com/kernel/lifecycle');
  out.push('  - title: Debian releases');
  out.push('    url: https://www.debian.org/releases/');
  out.push('---');
  out.push('');
}

/** How a kernel release is matched against the table. */
function howToRead(out: string[]): void {
  out.push('<!-- Generated from src/core/kernels.ts by scripts/gen-kernel-article.ts: edit the table, not this file. -->');
  out.push('');
  out.push('## How to read it');
  out.push('');
  out.push('The check reads the kernel release from the guest (`uname -r`; `guest_kernel=` for a snapshot) and looks');
  out.push('it up here. Ranges are upstream Linux releases; a distribution kernel is judged by its upstream base');
  out.push('version unless a row below says a source shows otherwise. Where a backport is possible but no source');
  out.push('shows it, the answer is "unknown", and the check says so instead of guessing. Without a kernel release');
  out.push('the check keeps only what holds on every version, or on every version from the oldest one that could');
  out.push('have printed the files the guest has (a `Balloon:` line means 6.15 or later).');
  out.push('');
  out.push('Page counters (`balloon_inflate`, `balloon_deflate`, `nr_balloon_pages`) count kernel pages: 4 KiB on');
  out.push('x86, up to 64 KiB on some arm64 and ppc64le kernels. The check uses the probed page size');
  out.push('(`getconf PAGESIZE`); without it, 4 KiB only on an x86 CPU. The VMware debugfs figures are 4 KiB frames on');
  out.push('every architecture.');
  out.push('');
}

/** One driver's tables: MemTotal, size sources, deflate-on-oom, Xen retries. */
function driverSection(out: string[], family: BalloonDriverFamily): void {
  const table = DRIVERS[family];
  out.push(`## ${table.name}`);
  out.push('');
  out.push('| Kernel | Ballooned pages leave MemTotal | Source |');
  out.push('|---|---|---|');
  table.memTotal.forEach((change, i) => out.push(`| ${rangeOf(table.memTotal, i)} | ${MEMTOTAL_WORDS[change.value]} | ${cell(change.source)} |`));
  out.push('');
  out.push('| Size source | Kernel | Exists | What it counts | Source |');
  out.push('|---|---|---|---|---|');
  for (const [id, changes] of Object.entries(table.sources) as [SizeSourceId, Change<{ available: string; note?: string }>[]][]) {
    changes.forEach((change, i) => out.push(`| ${SIZE_SOURCE_NAMES[id]} | ${rangeOf(changes, i)} | ${change.value.available} | ${cell(change.value.note ?? '')} | ${cell(change.source)} |`));
  }
  if (table.deflateOnOom) {
    out.push('');
    out.push('| Kernel | deflate-on-oom (feature bit 2) | Source |');
    out.push('|---|---|---|');
    table.deflateOnOom.forEach((change, i) => out.push(`| ${rangeOf(table.deflateOnOom as Change<unknown>[], i)} | ${DEFLATE_WORDS[change.value]} | ${cell(change.source)} |`));
  }
  if (table.xenMaxRetry) {
    out.push('');
    out.push('| Kernel | Retries of a failed increase (max_retry_count) | Source |');
    out.push('|---|---|---|');
    table.xenMaxRetry.forEach((change, i) => out.push(`| ${rangeOf(table.xenMaxRetry as Change<unknown>[], i)} | ${change.value === 'unlimited' ? 'forever (RETRY_UNLIMITED)' : change.value === 'unknown' ? 'forever or 4: depends on a stable backport' : change.value} | ${cell(change.source)} |`));
  }
  out.push('');
}

/** Distribution kernels a source shows to differ from their upstream base. */
function distributionOverrides(out: string[]): void {
  out.push('## Distribution kernels where a source says they differ');
  out.push('');
  out.push('| Distribution | Driver | What | Answer | Source |');
  out.push('|---|---|---|---|---|');
  for (const o of DISTRO_OVERRIDES) {
    const value = typeof o.value === 'string' ? MEMTOTAL_WORDS[o.value] : `${o.value.available}${o.value.note ? `: ${o.value.note}` : ''}`;
    out.push(`| ${o.distribution} (${formatVersion(o.base)}) | ${o.driver} | ${o.property === 'memTotal' ? 'MemTotal' : SIZE_SOURCE_NAMES[o.property]} | ${cell(value)} | ${cell(o.source)} |`);
  }
  out.push('');
  out.push('Classic (xenified) Xen kernels, such as RHEL 5 `kernel-xen` (`2.6.18-…el5xen`) and the SUSE `-xen` flavour,');
  out.push('keep the 2.6.18-xen balloon driver and its `/proc/xen/balloon` file; the check reads that file when the');
  out.push('`xen_memory` sysfs directory is absent.');
  out.push('');
}

/** One row per distribution release, judged by its GA kernel. */
function distributionReleases(out: string[]): void {
  out.push('## Per distribution release (GA kernel)');
  out.push('');
  out.push('Columns: VMware debugfs `vmmemctl`; VMware `/proc/vmstat` balloon counters; Hyper-V ballooned pages leave');
  out.push('MemTotal; Hyper-V debugfs `hv-balloon`; virtio deflate-on-oom; Xen retries (`max_retry_count` default);');
  out.push('`Balloon:` line in `/proc/meminfo`. Later point releases may carry backports: "unknown" means check.');
  out.push('');
  out.push('| Release | Kernel | VMware debugfs | VMware vmstat | Hyper-V leaves MemTotal | Hyper-V debugfs | virtio deflate-on-oom | Xen retries | Balloon: line | Kernel version source |');
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of DISTRIBUTIONS) {
    const release = distroRelease(row);
    const behaviour = Object.fromEntries(DRIVER_FAMILIES.map((family) => [family, driverBehaviour(family, release)])) as Record<BalloonDriverFamily, DriverBehaviour>;
    out.push(`| ${row.release} | ${formatVersion(row.base)} (\`${row.example}\`) | ${distroCells(behaviour).map(cell).join(' | ')} | ${cell(row.source)} |`);
  }
  out.push('');
}

/** What the rules do with the table. */
function whatTheCheckDoes(out: string[]): void {
  out.push('## What the check does with it');
  out.push('');
  out.push('- Hyper-V before 5.11, VMware always, virtio with deflate-on-oom: the balloon is inside "used" memory, so');
  out.push('  memory no process owns is compared with it (finding `unaccounted-memory`) instead of being called a leak.');
  out.push('- virtio without deflate-on-oom: MemTotal shrinks by the balloon; a MemTotal far below the online memory');
  out.push('  blocks is reported as `memtotal-shrunk`.');
  out.push('- From 6.15 the `Balloon:` line is compared with the driver\'s own figure (`balloon-line-disagrees`); on');
  out.push('  VMware it can only read lower, since 2 MiB balloon pages are not in it.');
  out.push('- A VMware `/proc/vmstat` balloon counter of 0 before 5.3 is not taken as a balloon size.');
  out.push('');
}

export function renderKernelArticle(): string {
  const out: string[] = [];
  frontMatter(out);
  howToRead(out);
  for (const family of DRIVER_FAMILIES) driverSection(out, family);
  distributionOverrides(out);
  distributionReleases(out);
  whatTheCheckDoes(out);
  return `${out.join('\n')}`;
}

/**
 * knowledge/kernel-behaviour.md and its Spanish twin knowledge/es/kernel-behaviour.md, rendered from the kernel
 * table (kernels.ts). The committed articles must equal this text (test/unit/kernels.test.ts,
 * test/i18n/kernel-article.test.ts); regenerate with `node --import tsx scripts/gen-kernel-article.ts`.
 */
import {
  DISTRIBUTIONS, DISTRO_OVERRIDES, DRIVER_FAMILIES, DRIVERS, driverBehaviour, formatVersion, SIZE_SOURCE_NAMES,
  type Availability, type BalloonDriverFamily, type Change, type DriverBehaviour, type KernelRelease, type SizeSourceId,
} from './kernels';
import { markdownTableCell } from '../shared/escape';
import type { Lang } from '../shared/i18n';
import { KERNEL_ARTICLE_WORDS, type KernelArticleWords } from './kernels-article-words';

const cell = markdownTableCell;

function rangeOf(changes: readonly Change<unknown>[], index: number, all = 'all'): string {
  const from = changes[index].since;
  const next = changes[index + 1]?.since;
  if (!from && !next) return all;
  if (!from) return `< ${formatVersion(next as readonly [number, number, number?])}`;
  if (!next) return `≥ ${formatVersion(from)}`;
  return `${formatVersion(from)} – < ${formatVersion(next)}`;
}

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

function distroCells(behaviour: Record<BalloonDriverFamily, DriverBehaviour>, w: KernelArticleWords): string[] {
  const avail = (b: DriverBehaviour, id: SizeSourceId) => w.available[b.sources.find((s) => s.id === id)?.available ?? 'no'];
  const vmw = behaviour.vmw_balloon;
  const debugfs = vmw.sources.find((s) => s.id === 'debugfs-vmmemctl');
  const debugfsText = debugfs?.available === 'unknown' ? w.available.unknown : debugfs?.available === 'no' ? w.debugfs.no
    : /layout unknown/.test(debugfs?.note ?? '') ? w.debugfs.layoutUnknown : /new layout/.test(debugfs?.note ?? '') ? w.debugfs.newLayout : w.debugfs.oldLayout;
  const retry = behaviour.xen_balloon.xenMaxRetry?.value ?? 'unknown';
  return [
    debugfsText,
    avail(vmw, 'vmstat-balloon'),
    w.memTotal[behaviour.hv_balloon.memTotal.value].split(':')[0],
    avail(behaviour.hv_balloon, 'hv-debugfs'),
    w.deflate[behaviour.virtio_balloon.deflateOnOom?.value ?? 'unknown'].split(':')[0],
    retry === 'unknown' ? w.available.unknown : String(retry),
    avail(vmw, 'meminfo-balloon'),
  ];
}

/** The article's front matter: id, title, and a source per cited commit. */
function frontMatter(out: string[], w: KernelArticleWords): void {
  const commits = citedCommits();
  out.push('---');
  out.push('id: kernel-behaviour');
  out.push(`title: ${w.title}`);
  out.push(`summary: ${w.summary}`);
  out.push('appliesTo: [vmware, kvm, hyperv, xen]');
  out.push('findings: [memtotal-shrunk, balloon-line-disagrees]');
  out.push('sources:');
  for (const id of commits) {
    out.push(`  - title: ${w.commitTitle} ${id.slice(0, 12)}`);
    out.push(`    url: https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${id}`);
  }
  out.push(`  - title: ${w.sourceTitles.redhat}`);
  out.push('    url: https://access.redhat.com/articles/3078');
  out.push(`  - title: ${w.sourceTitles.ubuntu}`);
  out.push('    url: https://ubuntu.com/kernel/lifecycle');
  out.push(`  - title: ${w.sourceTitles.debian}`);
  out.push('    url: https://www.debian.org/releases/');
  out.push('---');
  out.push('');
}

/** How a kernel release is matched against the table. */
function howToRead(out: string[], w: KernelArticleWords): void {
  out.push(w.generated);
  out.push('');
  out.push(...w.howToRead);
  out.push('');
}

/** One driver's tables: MemTotal, size sources, deflate-on-oom, Xen retries. */
function driverSection(out: string[], family: BalloonDriverFamily, w: KernelArticleWords): void {
  const table = DRIVERS[family];
  const range = (changes: readonly Change<unknown>[], i: number) => rangeOf(changes, i, w.all);
  out.push(`## ${w.driverNames[family] ?? table.name}`);
  out.push('');
  out.push(w.headers.memTotal);
  out.push('|---|---|---|');
  table.memTotal.forEach((change, i) => out.push(`| ${range(table.memTotal, i)} | ${w.memTotal[change.value]} | ${cell(change.source)} |`));
  out.push('');
  out.push(w.headers.sources);
  out.push('|---|---|---|---|---|');
  for (const [id, changes] of Object.entries(table.sources) as [SizeSourceId, Change<{ available: Availability; note?: string }>[]][]) {
    changes.forEach((change, i) => out.push(`| ${w.sourceName(SIZE_SOURCE_NAMES[id])} | ${range(changes, i)} | ${w.available[change.value.available]} | ${cell(w.note(change.value.note ?? ''))} | ${cell(change.source)} |`));
  }
  if (table.deflateOnOom) {
    out.push('');
    out.push(w.headers.deflate);
    out.push('|---|---|---|');
    table.deflateOnOom.forEach((change, i) => out.push(`| ${range(table.deflateOnOom as Change<unknown>[], i)} | ${w.deflate[change.value]} | ${cell(change.source)} |`));
  }
  if (table.xenMaxRetry) {
    out.push('');
    out.push(w.headers.xenRetry);
    out.push('|---|---|---|');
    table.xenMaxRetry.forEach((change, i) => out.push(`| ${range(table.xenMaxRetry as Change<unknown>[], i)} | ${change.value === 'unlimited' ? w.retry.unlimited : change.value === 'unknown' ? w.retry.unknown : change.value} | ${cell(change.source)} |`));
  }
  out.push('');
}

/** Distribution kernels a source shows to differ from their upstream base. */
function distributionOverrides(out: string[], w: KernelArticleWords): void {
  out.push(w.overridesHeading);
  out.push('');
  out.push(w.headers.overrides);
  out.push('|---|---|---|---|---|');
  for (const o of DISTRO_OVERRIDES) {
    const value = typeof o.value === 'string' ? w.memTotal[o.value] : `${w.available[o.value.available]}${o.value.note ? `: ${w.note(o.value.note)}` : ''}`;
    out.push(`| ${o.distribution} (${formatVersion(o.base)}) | ${o.driver} | ${o.property === 'memTotal' ? 'MemTotal' : w.sourceName(SIZE_SOURCE_NAMES[o.property])} | ${cell(value)} | ${cell(o.source)} |`);
  }
  out.push('');
  out.push(...w.classicXen);
  out.push('');
}

/** One row per distribution release, judged by its GA kernel. */
function distributionReleases(out: string[], w: KernelArticleWords): void {
  out.push(w.releasesHeading);
  out.push('');
  out.push(...w.releasesIntro);
  out.push('');
  out.push(w.headers.releases);
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of DISTRIBUTIONS) {
    const release = distroRelease(row);
    const behaviour = Object.fromEntries(DRIVER_FAMILIES.map((family) => [family, driverBehaviour(family, release)])) as Record<BalloonDriverFamily, DriverBehaviour>;
    out.push(`| ${row.release} | ${formatVersion(row.base)} (\`${row.example}\`) | ${distroCells(behaviour, w).map(cell).join(' | ')} | ${cell(row.source)} |`);
  }
  out.push('');
}

/** What the rules do with the table. */
function whatTheCheckDoes(out: string[], w: KernelArticleWords): void {
  out.push(...w.whatTheCheckDoes);
  out.push('');
}

/** The article in `lang` (English: knowledge/kernel-behaviour.md; others: knowledge/<lang>/kernel-behaviour.md). */
export function renderKernelArticle(lang: Lang = 'en'): string {
  const w = KERNEL_ARTICLE_WORDS[lang];
  const out: string[] = [];
  frontMatter(out, w);
  howToRead(out, w);
  for (const family of DRIVER_FAMILIES) driverSection(out, family, w);
  distributionOverrides(out, w);
  distributionReleases(out, w);
  whatTheCheckDoes(out, w);
  return `${out.join('\n')}`;
}

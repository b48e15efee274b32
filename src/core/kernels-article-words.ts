/**
 * The words of the generated kernel-behaviour article (kernels-article.ts), per language. The table's figures,
 * versions, file names and sources come from kernels.ts and are the same in every language; the sources are
 * quoted as written (commit titles and file paths).
 */
import type { PerLang } from '../shared/i18n';
import type { Availability, BalloonDriverFamily, DeflateOnOom, MemTotalEffect } from './kernels';

export interface KernelArticleWords {
  title: string;
  summary: string;
  commitTitle: string;
  sourceTitles: { redhat: string; ubuntu: string; debian: string };
  generated: string;
  howToRead: string[];
  all: string;
  driverNames: Partial<Record<BalloonDriverFamily, string>>;
  headers: { memTotal: string; sources: string; deflate: string; xenRetry: string; overrides: string; releases: string };
  memTotal: Record<MemTotalEffect, string>;
  deflate: Record<DeflateOnOom, string>;
  available: Record<Availability, string>;
  retry: { unlimited: string; unknown: string };
  debugfs: { no: string; layoutUnknown: string; newLayout: string; oldLayout: string };
  /** A size source's note from the table, in this language (as it is when there is no translation). */
  note: (text: string) => string;
  /** A size source's name ("/proc/meminfo Balloon: and /proc/vmstat nr_balloon_pages"). */
  sourceName: (name: string) => string;
  overridesHeading: string;
  classicXen: string[];
  releasesHeading: string;
  releasesIntro: string[];
  whatTheCheckDoes: string[];
}

const en: KernelArticleWords = {
  title: 'What each kernel shows of the balloon, per driver and distribution',
  summary: 'Whether ballooned pages leave MemTotal, which files give the balloon size, and what deflate-on-oom does depend on the guest kernel. This table, generated from the data the check itself uses, gives each answer per driver and kernel range with its source, and per distribution release.',
  commitTitle: 'Linux commit',
  sourceTitles: { redhat: 'Red Hat Enterprise Linux release dates (kernel versions)', ubuntu: 'Ubuntu kernel lifecycle', debian: 'Debian releases' },
  generated: '<!-- Generated from src/core/kernels.ts by scripts/gen-kernel-article.ts: edit the table, not this file. -->',
  howToRead: [
    '## How to read it',
    '',
    'The check reads the kernel release from the guest (`uname -r`; `guest_kernel=` for a snapshot) and looks',
    'it up here. Ranges are upstream Linux releases; a distribution kernel is judged by its upstream base',
    'version unless a row below says a source shows otherwise. Where a backport is possible but no source',
    'shows it, the answer is "unknown", and the check says so instead of guessing. Without a kernel release',
    'the check keeps only what holds on every version, or on every version from the oldest one that could',
    'have printed the files the guest has (a `Balloon:` line means 6.15 or later).',
    '',
    'Page counters (`balloon_inflate`, `balloon_deflate`, `nr_balloon_pages`) count kernel pages: 4 KiB on',
    'x86, up to 64 KiB on some arm64 and ppc64le kernels. The check uses the probed page size',
    '(`getconf PAGESIZE`); without it, 4 KiB only on an x86 CPU. The VMware debugfs figures are 4 KiB frames on',
    'every architecture.',
  ],
  all: 'all',
  driverNames: {},
  headers: {
    memTotal: '| Kernel | Ballooned pages leave MemTotal | Source |',
    sources: '| Size source | Kernel | Exists | What it counts | Source |',
    deflate: '| Kernel | deflate-on-oom (feature bit 2) | Source |',
    xenRetry: '| Kernel | Retries of a failed increase (max_retry_count) | Source |',
    overrides: '| Distribution | Driver | What | Answer | Source |',
    releases: '| Release | Kernel | VMware debugfs | VMware vmstat | Hyper-V leaves MemTotal | Hyper-V debugfs | virtio deflate-on-oom | Xen retries | Balloon: line | Kernel version source |',
  },
  memTotal: {
    yes: 'yes: MemTotal shrinks', no: 'no: they stay in MemTotal as "used" memory no process owns',
    'unless-deflate-on-oom': 'yes, unless deflate-on-oom was negotiated', unknown: 'unknown',
  },
  deflate: {
    'not-supported': 'no such feature', 'oom-notifier': 'OOM notifier: 256 pages (1 MiB) per OOM notification',
    shrinker: 'shrinker: deflates under ordinary memory pressure', unknown: 'unknown',
  },
  available: { yes: 'yes', no: 'no', unknown: 'unknown' },
  retry: { unlimited: 'forever (RETRY_UNLIMITED)', unknown: 'forever or 4: depends on a stable backport' },
  debugfs: { no: 'no (VMware Tools vmmemctl: /proc/vmmemctl)', layoutUnknown: 'yes, layout unknown', newLayout: 'yes, new layout', oldLayout: 'yes, old layout' },
  note: (text) => text,
  sourceName: (name) => name,
  overridesHeading: '## Distribution kernels where a source says they differ',
  classicXen: [
    'Classic (xenified) Xen kernels, such as RHEL 5 `kernel-xen` (`2.6.18-…el5xen`) and the SUSE `-xen` flavour,',
    'keep the 2.6.18-xen balloon driver and its `/proc/xen/balloon` file; the check reads that file when the',
    '`xen_memory` sysfs directory is absent.',
  ],
  releasesHeading: '## Per distribution release (GA kernel)',
  releasesIntro: [
    'Columns: VMware debugfs `vmmemctl`; VMware `/proc/vmstat` balloon counters; Hyper-V ballooned pages leave',
    'MemTotal; Hyper-V debugfs `hv-balloon`; virtio deflate-on-oom; Xen retries (`max_retry_count` default);',
    '`Balloon:` line in `/proc/meminfo`. Later point releases may carry backports: "unknown" means check.',
  ],
  whatTheCheckDoes: [
    '## What the check does with it',
    '',
    '- Hyper-V before 5.11, VMware always, virtio with deflate-on-oom: the balloon is inside "used" memory, so',
    '  memory no process owns is compared with it (finding `unaccounted-memory`) instead of being called a leak.',
    '- virtio without deflate-on-oom: MemTotal shrinks by the balloon; a MemTotal far below the online memory',
    '  blocks is reported as `memtotal-shrunk`.',
    '- From 6.15 the `Balloon:` line is compared with the driver\'s own figure (`balloon-line-disagrees`); on',
    '  VMware it can only read lower, since 2 MiB balloon pages are not in it.',
    '- A VMware `/proc/vmstat` balloon counter of 0 before 5.3 is not taken as a balloon size.',
  ],
};

/** The table's notes in Spanish, by their English text (a note without a translation stays English). */
const NOTES_ES: Record<string, string> = {
  'no in-kernel driver before 2.6.34: VMware Tools\' vmmemctl module instead': 'sin driver en el kernel antes de 2.6.34: en su lugar, el módulo vmmemctl de las VMware Tools',
  'old layout: "target: N pages", "current: N pages" (4 KiB frames)': 'formato antiguo: "target: N pages", "current: N pages" (marcos de 4 KiB)',
  'new layout: "current : N", one line per counter (4 KiB frames; 2 MiB pages count 512)': 'formato nuevo: "current : N", una línea por contador (marcos de 4 KiB; las páginas de 2 MiB cuentan 512)',
  'with the out-of-tree vmmemctl module of VMware Tools (current in 4 KiB frames)': 'con el módulo vmmemctl externo al kernel de las VMware Tools (current en marcos de 4 KiB)',
  'the in-kernel driver has no /proc file (an old VMware Tools module may still add one)': 'el driver del kernel no tiene fichero en /proc (un módulo antiguo de las VMware Tools aún puede añadirlo)',
  'the counters exist but stay 0 for VMware: the driver keeps private page lists': 'los contadores existen pero se quedan en 0 en VMware: el driver lleva sus propias listas de páginas',
  '4 KiB pages through balloon_compaction, 2 MiB pages counted 512 each by the driver': 'páginas de 4 KiB a través de balloon_compaction; el driver cuenta cada página de 2 MiB como 512',
  'counts only the 4 KiB pages: 2 MiB pages bypass balloon_compaction, so the line can read far below the real balloon': 'solo cuenta las páginas de 4 KiB: las de 2 MiB no pasan por balloon_compaction, así que la línea puede quedarse muy por debajo del balloon real',
  'counts kernel pages (PAGE_SIZE: 64 KiB on some arm64 and ppc64le kernels)': 'cuenta páginas del kernel (PAGE_SIZE: 64 KiB en algunos kernels arm64 y ppc64le)',
  'no file: the guest cannot read the balloon size itself': 'sin fichero: la VM no puede leer por sí misma el tamaño del balloon',
  'pages_ballooned, in 4 KiB pages (root only)': 'pages_ballooned, en páginas de 4 KiB (solo root)',
  'hv_balloon does not use balloon_compaction': 'hv_balloon no usa balloon_compaction',
  'target_kb, info/current_kb, info/low_kb + info/high_kb (kB)': 'target_kb, info/current_kb, info/low_kb + info/high_kb (kB)',
  'only classic (xenified) kernels: RHEL 5 kernel-xen, SLES 10/11 -xen': 'solo kernels Xen clásicos (xenificados): kernel-xen de RHEL 5, -xen de SLES 10/11',
  'the Xen driver does not use balloon_compaction': 'el driver de Xen no usa balloon_compaction',
  'includes the boot-time extra regions (memory above memory= up to maxmem)': 'incluye las regiones extra del arranque (la memoria por encima de memory= hasta maxmem)',
  'the RHEL 7 driver keeps private page lists (no balloon_compaction): the counters stay 0': 'el driver de RHEL 7 lleva sus propias listas de páginas (sin balloon_compaction): los contadores se quedan en 0',
  'RHEL 7 backport (MODULE_VERSION 1.3.4.0-k): "balloon capabilities: 0x6" then "target: N pages" (4 KiB frames)': 'backport de RHEL 7 (MODULE_VERSION 1.3.4.0-k): "balloon capabilities: 0x6" y luego "target: N pages" (marcos de 4 KiB)',
  'layout unknown: 4.18 prints the old layout upstream, the new one only with a backport of the 2018 rewrite; check whether the file has "current : N" lines': 'formato desconocido: el 4.18 upstream escribe el formato antiguo, y el nuevo solo con un backport de la reescritura de 2018; compruebe si el fichero tiene líneas "current : N"',
  'non-zero only if Red Hat backported 83a8afa72e9c (5.3); a 0 proves nothing': 'distinto de cero solo si Red Hat hizo backport de 83a8afa72e9c (5.3); un 0 no demuestra nada',
  'Current allocation, Requested target, Low-mem and High-mem balloon (kB)': 'Current allocation, Requested target, Low-mem y High-mem balloon (kB)',
};

const es: KernelArticleWords = {
  title: 'Qué muestra cada kernel del balloon, por driver y distribución',
  summary: 'Que las páginas del balloon salgan o no de MemTotal, qué ficheros dan el tamaño del balloon y qué hace deflate-on-oom dependen del kernel de la VM. Esta tabla, generada a partir de los mismos datos que usa la comprobación, da cada respuesta por driver y rango de kernels, con su fuente, y por versión de cada distribución.',
  commitTitle: 'Commit de Linux',
  sourceTitles: { redhat: 'Fechas de publicación de Red Hat Enterprise Linux (versiones del kernel)', ubuntu: 'Ciclo de vida de los kernels de Ubuntu', debian: 'Versiones de Debian' },
  generated: '<!-- Generado desde src/core/kernels.ts por scripts/gen-kernel-article.ts: edite la tabla, no este fichero. -->',
  howToRead: [
    '## Cómo leerla',
    '',
    'La comprobación lee la versión del kernel de la VM (`uname -r`; `guest_kernel=` en una instantánea) y la',
    'busca aquí. Los rangos son versiones de Linux upstream; el kernel de una distribución se juzga por su versión',
    'base upstream, salvo que una fila de más abajo diga que una fuente muestra otra cosa. Donde es posible un',
    'backport pero ninguna fuente lo muestra, la respuesta es "desconocido", y la comprobación lo dice en vez de',
    'adivinar. Sin versión del kernel, la comprobación solo se queda con lo que vale en todas las versiones, o en',
    'todas desde la más antigua que podría haber escrito los ficheros que tiene la VM (una línea `Balloon:`',
    'significa 6.15 o posterior).',
    '',
    'Los contadores de páginas (`balloon_inflate`, `balloon_deflate`, `nr_balloon_pages`) cuentan páginas del',
    'kernel: 4 KiB en x86, hasta 64 KiB en algunos kernels arm64 y ppc64le. La comprobación usa el tamaño de página',
    'que ha sondeado (`getconf PAGESIZE`); sin él, 4 KiB solo en una CPU x86. Las cifras de debugfs de VMware son',
    'marcos de 4 KiB en todas las arquitecturas.',
    '',
    'La columna Fuente cita cada fuente tal como está escrita (títulos de commits de Linux, ficheros y funciones del',
    'kernel, notas de versión), en inglés.',
  ],
  all: 'todas',
  driverNames: {
    vmw_balloon: 'VMware (vmw_balloon, y antes el vmmemctl externo al kernel)',
    xen_balloon: 'Xen (xen_balloon; árboles 2.6.18-xen clásicos)',
  },
  headers: {
    memTotal: '| Kernel | Las páginas del balloon salen de MemTotal | Fuente |',
    sources: '| Fuente del tamaño | Kernel | Existe | Qué cuenta | Fuente |',
    deflate: '| Kernel | deflate-on-oom (bit de característica 2) | Fuente |',
    xenRetry: '| Kernel | Reintentos de un aumento fallido (max_retry_count) | Fuente |',
    overrides: '| Distribución | Driver | Qué | Respuesta | Fuente |',
    releases: '| Versión | Kernel | VMware debugfs | VMware vmstat | Hyper-V saca de MemTotal | Hyper-V debugfs | virtio deflate-on-oom | Reintentos de Xen | Línea Balloon: | Fuente de la versión del kernel |',
  },
  memTotal: {
    yes: 'sí: MemTotal se reduce', no: 'no: se quedan en MemTotal como memoria "usada" que no es de ningún proceso',
    'unless-deflate-on-oom': 'sí, salvo que se haya negociado deflate-on-oom', unknown: 'desconocido',
  },
  deflate: {
    'not-supported': 'no existe la característica', 'oom-notifier': 'notificador de OOM: 256 páginas (1 MiB) por notificación de OOM',
    shrinker: 'shrinker: se desinfla con la presión de memoria normal', unknown: 'desconocido',
  },
  available: { yes: 'sí', no: 'no', unknown: 'desconocido' },
  retry: { unlimited: 'indefinidamente (RETRY_UNLIMITED)', unknown: 'indefinidamente o 4: depende de un backport a stable' },
  debugfs: { no: 'no (vmmemctl de las VMware Tools: /proc/vmmemctl)', layoutUnknown: 'sí, formato desconocido', newLayout: 'sí, formato nuevo', oldLayout: 'sí, formato antiguo' },
  note: (text) => NOTES_ES[text] ?? text,
  sourceName: (name) => name.replace(' and ', ' y '),
  overridesHeading: '## Kernels de distribución que, según una fuente, se comportan distinto',
  classicXen: [
    'Los kernels Xen clásicos (xenificados), como el `kernel-xen` de RHEL 5 (`2.6.18-…el5xen`) y la variante `-xen`',
    'de SUSE, conservan el driver de balloon de 2.6.18-xen y su fichero `/proc/xen/balloon`; la comprobación lee ese',
    'fichero cuando no existe el directorio sysfs `xen_memory`.',
  ],
  releasesHeading: '## Por versión de distribución (kernel GA)',
  releasesIntro: [
    'Columnas: debugfs `vmmemctl` de VMware; contadores del balloon de VMware en `/proc/vmstat`; si Hyper-V saca de',
    'MemTotal las páginas del balloon; debugfs `hv-balloon` de Hyper-V; deflate-on-oom de virtio; reintentos de Xen',
    '(valor por defecto de `max_retry_count`); línea `Balloon:` en `/proc/meminfo`. Las versiones menores posteriores',
    'pueden llevar backports: "desconocido" significa que hay que comprobarlo.',
  ],
  whatTheCheckDoes: [
    '## Qué hace la comprobación con ella',
    '',
    '- Hyper-V antes de 5.11, VMware siempre, virtio con deflate-on-oom: el balloon está dentro de la memoria',
    '  "usada", así que la memoria que no es de ningún proceso se compara con él (hallazgo `unaccounted-memory`) en',
    '  vez de tomarla por una fuga.',
    '- virtio sin deflate-on-oom: MemTotal se reduce en lo que ocupa el balloon; un MemTotal muy por debajo de los',
    '  bloques de memoria online se informa como `memtotal-shrunk`.',
    '- Desde 6.15 la línea `Balloon:` se compara con la cifra del propio driver (`balloon-line-disagrees`); en',
    '  VMware solo puede dar menos, porque las páginas de 2 MiB del balloon no están en ella.',
    '- Un contador del balloon de VMware en `/proc/vmstat` a 0 antes de 5.3 no se toma como tamaño del balloon.',
  ],
};

export const KERNEL_ARTICLE_WORDS: PerLang<KernelArticleWords> = { en, es };

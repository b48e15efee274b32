import assert from 'node:assert/strict';
import test from 'node:test';
import { renderMarkdown } from '../../src/core/render/markdown';
import { printable } from '../../src/core/render/printable';
import { renderPrometheus } from '../../src/core/render/prometheus';
import { renderText } from '../../src/core/render/text';
import { analyzeProbeOutput, localizeReport, type Report } from '../../src/core/report';
import type { Finding } from '../../src/core/rules';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';

// The text, Markdown and Prometheus views of the seed guest (VMware: 20 GiB balloon, 12 GiB limit, 32 GiB of memory
// blocks, as test/helpers/samples.ts documents it), line by line. The findings' own words come from the message
// catalogs and are tested there; here each finding is checked in the view's format.

const AT = new Date('2026-11-29T12:00:00Z');
const seed = () => {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'snapshot', name: 'db-prod-07' }, AT);
  assert.ok(analysis.ok);
  return analysis;
};
const findingLines = (findings: readonly Finding[], word: Record<string, string>, read: string) => findings.flatMap((finding) => [
  `${word[finding.severity]!.padEnd(8)} ${finding.title}`, `         ${finding.detail}`, `         [${finding.id}] ${read}: ${finding.articles.join(', ')}`,
]);
const EVIDENCE = 'dmi sys_vendor: VMware, Inc.; dmi product_name: VMware7,1; dmi bios_vendor: VMware, Inc.; /proc/modules: vmw_balloon (VMware balloon driver); /proc/cpuinfo hypervisor flag: present';

test('text view of the seed guest, in English', () => {
  const { report } = seed();
  assert.equal(renderText(report, { color: false }), [
    'Balloon Inspector — db-prod-07 (VMware, VMware7,1)  CRITICAL',
    '',
    ...findingLines(report.findings, { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' }, 'read'),
    '',
    'Memory  [██████████▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒░░░░░   ] 32.0 GiB configured',
    '                           ^ limit 12.0 GiB',
    '        █ used 6.7 GiB   ▒ balloon 20.0 GiB   ░ available 3.0 GiB',
    '',
    'Balloon   vmw_balloon, 20.0 GiB (target 20.0 GiB)  from debugfs vmmemctl',
    'Limits    Memory limit 12.0 GiB   Reservation 0 B   Host-swapped 0 B',
    'Memory    MemTotal 29.7 GiB   Configured memory 32.0 GiB (256 memory blocks of 128 MiB)   Unaccounted used 20.1 GiB   Guest swap 4.0 GiB (4.0 GiB free)',
    `Evidence  ${EVIDENCE}`,
    '',
  ].join('\n'));
  assert.deepEqual(report.findings.map((finding) => finding.severity), ['critical', 'critical', 'warning', 'info'], 'every severity word is shown above');
});

test('text view of the seed guest, in Spanish', () => {
  const { report, facts } = seed();
  const es = localizeReport(report, facts, 'es');
  assert.equal(renderText(es, { color: false, lang: 'es' }), [
    'Balloon Inspector — db-prod-07 (VMware, VMware7,1)  CRÍTICO',
    '',
    ...findingLines(es.findings, { critical: 'CRÍTICO', warning: 'AVISO', info: 'INFO' }, 'ver'),
    '',
    'Memoria [██████████▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒░░░░░   ] 32,0 GiB configurada',
    '                           ^ límite 12,0 GiB',
    '        █ usada 6,7 GiB   ▒ balloon 20,0 GiB   ░ disponible 3,0 GiB',
    '',
    'Balloon   vmw_balloon, 20,0 GiB (objetivo 20,0 GiB)  de debugfs vmmemctl',
    'Límites   Límite de memoria 12,0 GiB   Reserva 0 B   En swap del host 0 B',
    'Memoria   MemTotal 29,7 GiB   Memoria configurada 32,0 GiB (256 bloques de memoria de 128 MiB)   Usada sin contabilizar 20,1 GiB   Swap de la VM 4,0 GiB (4,0 GiB libres)',
    `Evidencia ${EVIDENCE}`,
    '',
  ].join('\n'));
});

test('text view in colour: bold title, status and severities in their colours, dim reference line', () => {
  const { report } = seed();
  const lines = renderText(report, { color: true }).split('\n');
  assert.equal(lines[0], '\x1b[1mBalloon Inspector — db-prod-07\x1b[0m (VMware, VMware7,1)  \x1b[31mCRITICAL\x1b[0m');
  assert.equal(lines[2], `\x1b[31mCRITICAL\x1b[0m \x1b[1m${report.findings[0]!.title}\x1b[0m`);
  assert.equal(lines[4], `         \x1b[2m[${report.findings[0]!.id}] read: ${report.findings[0]!.articles.join(', ')}\x1b[0m`);
  const warning = report.findings.findIndex((finding) => finding.severity === 'warning');
  assert.equal(lines[2 + 3 * warning], `\x1b[33mWARNING \x1b[0m \x1b[1m${report.findings[warning]!.title}\x1b[0m`);
  const info = report.findings.findIndex((finding) => finding.severity === 'info');
  assert.equal(lines[2 + 3 * info], `\x1b[36mINFO    \x1b[0m \x1b[1m${report.findings[info]!.title}\x1b[0m`);
  const ok: Report = { ...report, status: 'ok', findings: [] };
  assert.match(renderText(ok, { color: true }).split('\n')[0]!, /\x1b\[32mOK\x1b\[0m$/);
});

test('text view without findings: nothing is taking memory, or (unknown) the probes say what is missing; unknown figures', () => {
  const { report } = seed();
  const quiet: Report = { ...report, status: 'ok', findings: [] };
  assert.equal(renderText(quiet, { color: false }).split('\n')[2], 'No findings: nothing is taking memory from this guest.');
  const unknown: Report = { ...report, status: 'unknown', findings: [], hypervisor: { ...report.hypervisor, product: null }, probes: [{ id: 'meminfo', status: 'denied', detail: 'permission denied' }, { id: 'dmi', status: 'absent' }, { id: 'vmstat', status: 'error' }] };
  const text = renderText(unknown, { color: false });
  assert.equal(text.split('\n')[0], 'Balloon Inspector — db-prod-07 (VMware)  UNKNOWN');
  assert.equal(text.split('\n')[2], 'No findings, but the guest could not be fully checked (see Probes below).');
  assert.ok(text.includes('\nProbes    meminfo: denied (permission denied); vmstat: error\n'), text);
  const blank: Report = { ...report, memory: { ...report.memory, configuredBytes: null, totalBytes: null }, balloon: { ...report.balloon, driver: null, currentBytes: null, source: null, targetBytes: null }, hypervisor: { ...report.hypervisor, evidence: [] } };
  const lines = renderText(blank, { color: false }).split('\n');
  assert.ok(lines.includes('Memory  (figures unknown)'), lines.join('\n'));
  assert.ok(lines.includes('Balloon   no driver, size unknown'), lines.join('\n'));
  assert.ok(lines.includes('Evidence  none'), lines.join('\n'));
  const es = renderText(blank, { color: false, lang: 'es' }).split('\n');
  assert.ok(es.includes('Memoria (cifras desconocidas)') && es.includes('Balloon   sin driver, tamaño desconocido') && es.includes('Evidencia ninguna'), es.join('\n'));
});

test('text view: the limit is marked only below configured memory; VMware limits unknown without Tools; an estimate is said; trend line', () => {
  const { report } = seed();
  const noLimit: Report = { ...report, limits: { ...report.limits, memLimitBytes: null, memLimitKnown: false } };
  const text = renderText(noLimit, { color: false });
  assert.ok(!text.includes('^ limit'), text);
  assert.match(text, /\nLimits {4}Memory limit [^\n]* \(needs VMware Tools\) {3}Reservation 0 B/);
  const estimate: Report = { ...report, memory: { ...report.memory, availableSource: 'estimate: MemFree + Buffers + Cached (this kernel has no MemAvailable)' } };
  assert.match(renderText(estimate, { color: false }), /░ available 3\.0 GiB \(estimate: MemFree \+ Buffers \+ Cached\)\n/);
  const trend: Report = { ...report, trend: { samples: 3, seconds: 10.4, firstBalloonBytes: 0, lastBalloonBytes: 2 ** 30, balloonDeltaBytes: 2 ** 30, minBalloonBytes: 0, direction: 'inflating', swapInPerSecond: 1.25, swapOutPerSecond: null, majorFaultsPerSecond: 0, oomKillsDelta: 0 } };
  assert.match(renderText(trend, { color: false }), /\nTrend {5}inflating over 10 s \(3 samples\): balloon \+1\.0 GiB, swap in\/out 1\.3\/\? pages\/s, major faults 0\.0\/s\n/);
  const kvm: Report = { ...report, hypervisor: { ...report.hypervisor, kind: 'kvm' } };
  assert.ok(!renderText(kvm, { color: false }).includes('\nLimits'), 'limits are a VMware notion');
});

test('Markdown view of the seed guest: heading, status line, findings with links, figures, evidence, probes', () => {
  const { report } = seed();
  const markdown = renderMarkdown(report, (id) => (id === 'balloon-inflated' ? `kb/${id}.md` : id === 'vmware-balloon-driver' ? { href: `kb/${id}.md`, englishOnly: true } : id === 'what-is-ballooning' ? { href: `kb/${id}.md`, englishOnly: false } : null));
  const lines = markdown.split('\n');
  assert.deepEqual(lines.slice(0, 6), ['# Balloon report: db-prod-07', '', '**Status:** CRITICAL · **Hypervisor:** VMware (VMware7,1) · **Checked:** 2026-11-29T12:00:00.000Z', '', '## Findings', '']);
  const first = report.findings[0]!;
  assert.equal(first.id, 'balloon-inflated');
  assert.equal(lines[6], `### 🔴 ${first.title}`);
  assert.equal(lines[10], '*critical* · `balloon-inflated` · read: [balloon-inflated](kb/balloon-inflated.md), [what-is-ballooning](kb/what-is-ballooning.md), [vmware-balloon-driver](kb/vmware-balloon-driver.md) (article in English only)');
  for (const [icon, severity] of [['🟠', 'warning'], ['ℹ️', 'info']] as const) {
    const finding = report.findings.find((f) => f.severity === severity)!;
    const at = lines.indexOf(`### ${icon} ${finding.title.replace(/_/g, '\\_')}`);
    assert.ok(at > 0, severity);
    assert.match(lines[at + 4]!, new RegExp(`^\\*${severity}\\* · \`${finding.id}\` · read: \``));
  }
  const figures = lines.indexOf('## Figures');
  assert.deepEqual(lines.slice(figures, figures + 6), ['## Figures', '', '| | |', '|---|---|', '| Hypervisor | VMware (VMware7,1) |', '| Balloon driver | vmw\\_balloon |']);
  const evidence = lines.indexOf('## Evidence');
  assert.deepEqual(lines.slice(evidence, evidence + 4), ['## Evidence', '', '- dmi sys\\_vendor: VMware, Inc.', '- dmi product\\_name: VMware7,1']);
  const probes = lines.indexOf('## Probes');
  assert.deepEqual(lines.slice(probes, probes + 6), ['## Probes', '', '| probe | status | detail |', '|---|---|---|', '| dmi | ok |  |', '| sys-hypervisor | absent | no such file |']);
  assert.ok(markdown.endsWith('| kthreads | ok |  |\n'));
});

test('Markdown view in Spanish, and without findings', () => {
  const { report, facts } = seed();
  const es = localizeReport(report, facts, 'es');
  const lines = renderMarkdown(es, (id) => ({ href: `kb/${id}.md`, englishOnly: true }), 'es').split('\n');
  assert.equal(lines[0], '# Informe de balloon: db-prod-07');
  assert.match(lines[2]!, /^\*\*Estado:\*\* CRÍTICO · \*\*Hipervisor:\*\* VMware \(VMware7,1\) · \*\*Comprobado:\*\* /);
  assert.equal(lines[4], '## Hallazgos');
  assert.match(lines[10]!, /^\*crítico\* · `balloon-inflated` · ver: \[balloon-inflated\]\(kb\/balloon-inflated\.md\) \(artículo disponible solo en inglés\), /);
  for (const heading of ['## Cifras', '## Evidencia', '## Sondas', '| sonda | estado | detalle |']) assert.ok(lines.includes(heading), heading);
  assert.ok(lines.some((line) => line.startsWith('*aviso* · ')) && lines.some((line) => line.startsWith('*info* · ')));
  const quiet = renderMarkdown({ ...report, status: 'ok', findings: [], hypervisor: { ...report.hypervisor, product: null } }).split('\n');
  assert.equal(quiet[2], '**Status:** OK · **Hypervisor:** VMware · **Checked:** 2026-11-29T12:00:00.000Z');
  assert.equal(quiet[6], 'No findings: nothing is taking memory from this guest.');
  assert.equal(renderMarkdown({ ...report, status: 'unknown', findings: [] }).split('\n')[6], 'No findings, but the guest could not be fully checked (see the probes).');
  assert.equal(renderMarkdown({ ...report, status: 'unknown', findings: [] }, () => null, 'es').split('\n')[6], 'Sin hallazgos, pero la VM no se pudo comprobar del todo (vea las sondas).');
  assert.equal(renderMarkdown({ ...report, status: 'ok', findings: [] }, () => null, 'es').split('\n')[6], 'Sin hallazgos: nada le está quitando memoria a esta VM.');
  for (const status of ['warning', 'unknown'] as const) {
    assert.match(renderMarkdown({ ...report, status }).split('\n')[2]!, new RegExp(`^\\*\\*Status:\\*\\* ${status.toUpperCase()} ·`));
  }
  assert.match(renderMarkdown({ ...report, status: 'unknown' }, () => null, 'es').split('\n')[2]!, /^\*\*Estado:\*\* DESCONOCIDO ·/);
  assert.match(renderMarkdown({ ...report, status: 'warning' }, () => null, 'es').split('\n')[2]!, /^\*\*Estado:\*\* AVISO ·/);
  assert.match(renderMarkdown({ ...report, status: 'ok' }, () => null, 'es').split('\n')[2]!, /^\*\*Estado:\*\* OK ·/);
});

test('Prometheus view: labels, driver "none", no Xen target, probe success per status, the check time in seconds', () => {
  const { report } = seed();
  const text = renderPrometheus([{ report, labels: { host: 'a"b', site: 'x' } }]);
  assert.ok(text.includes('balloon_inspector_info{host="a\\"b",site="x",hypervisor="vmware",driver="vmw_balloon"} 1\n'), text);
  assert.ok(text.includes('balloon_inspector_balloon_target_bytes{host="a\\"b",site="x"} 21474836480\n'));
  assert.ok(text.includes('balloon_inspector_finding{host="a\\"b",site="x",id="balloon-inflated",severity="critical"} 1\n'));
  assert.ok(text.includes('balloon_inspector_probe_ok{host="a\\"b",site="x",probe="dmi",status="ok"} 1\n'));
  assert.ok(text.includes('balloon_inspector_probe_ok{host="a\\"b",site="x",probe="sys-hypervisor",status="absent"} 0\n'));
  assert.ok(text.includes(`balloon_inspector_last_check_timestamp_seconds{host="a\\"b",site="x"} ${AT.getTime() / 1000}\n`));
  const bare = renderPrometheus([{ report: { ...report, balloon: { ...report.balloon, driver: null, targetBytes: 5, currentBytes: Number.NaN } } }]);
  assert.ok(bare.includes('balloon_inspector_info{hypervisor="vmware",driver="none"} 1\n'), bare);
  assert.ok(bare.includes('balloon_inspector_balloon_target_bytes 5\n'));
  assert.ok(!bare.includes('balloon_inspector_balloon_bytes'), 'a value that is not a finite number is left out');
  const xen = renderPrometheus([{ report: { ...report, balloon: { ...report.balloon, driver: 'xen_balloon', targetBytes: 5 } } }]);
  assert.ok(!xen.includes('balloon_inspector_balloon_target_bytes'), 'the Xen target is the domain\'s memory, not a balloon size');
  assert.ok(xen.endsWith('\n') && !xen.includes('\n\n'));
  assert.equal(printable('a\x1bb\nc'), 'a\uFFFDb\uFFFDc');
});

test('text view: virtio-mem lines with known and unknown figures, in English and Spanish', () => {
  const { report } = seed();
  const withMem: Report = { ...report, virtioMem: [
    { device: 'virtio1', regionBytes: 2 ** 30, addedBytes: 2 ** 28, addedUnknownReason: null, requestedBytes: 2 ** 28 },
    { device: 'virtio4', regionBytes: null, addedBytes: null, addedUnknownReason: 'permission denied', requestedBytes: null },
  ] };
  const en = renderText(withMem, { color: false }).split('\n');
  assert.ok(en.includes('virtio-mem virtio1: requested 256 MiB of a 1.0 GiB region, 256 MiB added to Linux (plugged is at most that); hot-plugged memory, not a balloon'), en.join('\n'));
  assert.ok(en.includes('virtio-mem virtio4: requested unknown (no kernel log), added unknown (permission denied); hot-plugged memory, not a balloon'), en.join('\n'));
  const es = renderText(withMem, { color: false, lang: 'es' }).split('\n');
  assert.ok(es.includes('virtio-mem virtio1: solicitado 256 MiB de una región de 1,0 GiB, 256 MiB añadidos a Linux (lo conectado es como mucho eso); memoria conectada en caliente, no un balloon'), es.join('\n'));
  assert.ok(es.includes('virtio-mem virtio4: solicitado desconocido (sin log del kernel), añadido desconocido (permission denied); memoria conectada en caliente, no un balloon'), es.join('\n'));
});

test('text view: Spanish status words, estimate, Tools and trend lines; English-only articles marked; no Xen target', () => {
  const { report } = seed();
  const es = (changes: Partial<Report>) => renderText({ ...report, ...changes }, { color: false, lang: 'es' });
  assert.match(es({ status: 'warning' }).split('\n')[0]!, / {2}AVISO$/);
  assert.match(es({ status: 'ok' }).split('\n')[0]!, / {2}OK$/);
  assert.match(es({ status: 'unknown', findings: [] }), /DESCONOCIDO\n\nSin hallazgos, pero la VM no se pudo comprobar del todo \(vea Sondas más abajo\)\.\n/);
  assert.match(es({ status: 'ok', findings: [] }), /\n\nSin hallazgos: nada le está quitando memoria a esta VM\.\n/);
  assert.match(es({ memory: { ...report.memory, availableSource: 'estimate: MemFree + Buffers + Cached (this kernel has no MemAvailable)' } }), / \(estimación: MemFree \+ Buffers \+ Cached\)\n/);
  assert.match(es({ limits: { ...report.limits, memLimitBytes: null, memLimitKnown: false } }), / \(requiere VMware Tools\) {3}/);
  const trend = { samples: 3, seconds: 10, firstBalloonBytes: 0, lastBalloonBytes: 2 ** 30, balloonDeltaBytes: 2 ** 30, minBalloonBytes: 0, direction: 'inflating' as const, swapInPerSecond: 0, swapOutPerSecond: 0, majorFaultsPerSecond: 0, oomKillsDelta: 0 };
  assert.match(es({ trend }), /\nTendencia [^\n]* en 10 s \(3 muestras\): balloon \+1,0 GiB, swap in\/out 0,0\/0,0 páginas\/s, fallos de página mayores 0,0\/s\n/);
  assert.match(es({ probes: [{ id: 'meminfo', status: 'denied' }] }), /\nSondas {4}meminfo: denied\n/);
  const marked = renderText(report, { color: false, englishOnly: (id) => id === 'what-is-ballooning' }).split('\n');
  assert.equal(marked[4], '         [balloon-inflated] read: balloon-inflated, what-is-ballooning (article in English only), vmware-balloon-driver');
  assert.ok(renderText(report, { color: false, lang: 'es', englishOnly: () => true }).includes('balloon-inflated (artículo disponible solo en inglés)'));
  const xen: Report = { ...report, balloon: { ...report.balloon, driver: 'xen_balloon', targetBytes: 4 * 2 ** 30 } };
  assert.ok(renderText(xen, { color: false }).includes('\nBalloon   xen_balloon, 20.0 GiB  from debugfs vmmemctl\n'), 'the Xen target is a memory size, not shown as the balloon\'s');
});

test('memory bar: never wider than its width however the figures add up; the limit mark inside it, only below configured', () => {
  const { report } = seed();
  const over: Report = { ...report, memory: { ...report.memory, totalBytes: 40 * 2 ** 30, availableBytes: 30 * 2 ** 30 }, limits: { ...report.limits, memLimitBytes: 1 } };
  const lines = renderText(over, { color: false, width: 20 }).split('\n');
  const bar = lines.find((line) => line.startsWith('Memory  ['))!;
  assert.equal(/\[(.*)\]/.exec(bar)![1]!.length, 20, bar);
  const atConfigured: Report = { ...report, limits: { ...report.limits, memLimitBytes: report.memory.configuredBytes } };
  assert.ok(!renderText(atConfigured, { color: false }).includes('^ limit'));
  // A limit just under configured memory rounds to the bar's end: the mark stays on its last cell.
  const nearTop: Report = { ...report, limits: { ...report.limits, memLimitBytes: report.memory.configuredBytes! - 64 * 2 ** 20 } };
  const mark = renderText(nearTop, { color: false, width: 10 }).split('\n').find((line) => line.includes('^ limit'))!;
  assert.equal(mark.indexOf('^'), 9 + 9, mark);
});

test('Markdown view: a blank line around every block; the figures in the reader\'s language', () => {
  const { report, facts } = seed();
  const lines = renderMarkdown(report).split('\n');
  assert.deepEqual(lines.slice(6, 12).map((line) => line === ''), [false, true, false, true, false, true], 'heading, blank, detail, blank, reference, blank');
  assert.equal(lines[lines.indexOf('## Figures') - 1], '');
  assert.equal(lines[lines.indexOf('## Probes') - 1], '');
  assert.equal(lines[lines.indexOf('## Evidence') - 1], '');
  const quiet = renderMarkdown({ ...report, status: 'ok', findings: [] }).split('\n');
  assert.equal(quiet[7], '');
  const es = renderMarkdown(localizeReport(report, facts, 'es'), () => null, 'es').split('\n');
  assert.ok(es.includes('| Hipervisor | VMware (VMware7,1) |'), es.join('\n'));
});

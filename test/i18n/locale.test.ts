import assert from 'node:assert/strict';
import test from 'node:test';
import { hostErrorRecord, summaryMarkdown, summaryTable, type HostResult } from '../../src/cli/fleet';
import { formatBytes, percent } from '../../src/core/units';
import { ProbeError } from '../../src/transport/transport';
import { formatCheckTime, formatDecimal, isLang, langFromEnv, langFromLocale } from '../../src/shared/i18n';
import { checkedPhrase, figureRows, hypervisorLabel, hypervisorPhrase, memoryLimitText, signedBytes, timeAgo } from '../../src/shared/presentation';

test('langFromLocale: POSIX locale names and BCP 47 tags', () => {
  for (const locale of ['es_ES.UTF-8', 'es_MX', 'es', 'es-419', 'es_ES@euro', 'ES_es.utf8', ' es_AR ']) assert.equal(langFromLocale(locale), 'es', locale);
  for (const locale of ['C', 'POSIX', 'C.UTF-8', '', undefined, null, 'en_US.UTF-8', 'en', 'fr_FR', 'pt_BR', 'zh-cn', 'esperanto', 'e']) assert.equal(langFromLocale(locale), 'en', String(locale));
  assert.ok(isLang('es') && isLang('en') && !isLang('fr') && !isLang(undefined));
});

test('langFromEnv: LC_ALL wins, then LC_MESSAGES, then LANG; an empty variable is unset', () => {
  assert.equal(langFromEnv({}), 'en');
  assert.equal(langFromEnv({ LANG: 'es_ES.UTF-8' }), 'es');
  assert.equal(langFromEnv({ LANG: 'es_ES.UTF-8', LC_MESSAGES: 'C' }), 'en');
  assert.equal(langFromEnv({ LANG: 'C', LC_MESSAGES: 'es_ES' }), 'es');
  assert.equal(langFromEnv({ LANG: 'es_ES', LC_MESSAGES: 'es_ES', LC_ALL: 'POSIX' }), 'en');
  assert.equal(langFromEnv({ LC_ALL: 'es_ES.UTF-8', LC_MESSAGES: 'en_US', LANG: 'en_US' }), 'es');
  assert.equal(langFromEnv({ LC_ALL: '', LC_MESSAGES: '', LANG: 'es' }), 'es');
  assert.equal(langFromEnv({ LANGUAGE: 'es', LANG: 'C' }), 'en', 'LANGUAGE is not read');
});

test('numbers: English exactly as before, Spanish through Intl', () => {
  const GiB = 1024 ** 3;
  assert.equal(formatBytes(20 * GiB), '20.0 GiB');
  assert.equal(formatBytes(20 * GiB, 'es'), '20,0 GiB');
  assert.equal(formatBytes(12.25 * GiB, 'es'), '12,3 GiB');
  assert.equal(formatBytes(512 * 1024 * 1024, 'es'), '512 MiB');
  assert.equal(formatBytes(-1.5 * GiB, 'es'), '-1,5 GiB');
  assert.equal(formatBytes(12_345 * GiB, 'es'), '12.345,0 GiB');
  assert.equal(formatBytes(1234 * GiB), '1234.0 GiB');
  assert.equal(formatBytes(null, 'es'), 'desconocido');
  assert.equal(formatBytes(null), 'unknown');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(percent(20, 32), '63%');
  assert.equal(percent(20, 32, 'es'), '63 %');
  assert.equal(formatDecimal(12.5, 2, 'es'), '12,50');
  assert.equal(formatDecimal(12.5, 2), '12.50');
});

test('dates: ISO in English (as the Markdown report always was), local date and time with zone in Spanish', () => {
  const iso = '2026-11-29T22:57:13.000Z';
  assert.equal(formatCheckTime(iso), iso);
  // ICU versions join the date and the time with "," or " a las".
  assert.match(formatCheckTime(iso, 'es', { timeZone: 'UTC' }), /^29 de noviembre de 2026(,| a las) 22:57:13 UTC$/);
  assert.match(formatCheckTime(iso, 'es', { timeZone: 'Europe/Madrid' }), /^29 de noviembre de 2026(,| a las) 23:57:13 CET$/);
  assert.equal(formatCheckTime('not a time', 'es'), 'not a time');
  const now = Date.parse(iso) + 125_000;
  assert.equal(timeAgo(iso, now), '2 min ago');
  assert.equal(timeAgo(iso, now, 'es'), 'hace 2 min');
  assert.equal(timeAgo(iso, Date.parse(iso) + 2 * 86_400_000, 'es'), 'hace 2 días');
  assert.match(checkedPhrase(iso, { now, lang: 'es', timeZone: 'UTC' }), /^comprobado 22:57:13 \(hace 2 min\)$/);
  assert.match(checkedPhrase(iso, { now, timeZone: 'UTC', locale: 'en-GB' }), /^checked 22:57:13 \(2 min ago\)$/);
});

test('presentation words in Spanish; English unchanged', () => {
  assert.equal(hypervisorLabel('none', 'es'), 'Máquina física');
  assert.equal(hypervisorPhrase('other', 'es'), 'un hipervisor');
  assert.deepEqual(['none', 'vmware'].map(hypervisorLabel), ['Bare metal', 'VMware'], 'map(hypervisorLabel) passes an index: still English');
  assert.equal(memoryLimitText({ limits: { memLimitBytes: null, memLimitKnown: true, memReservationBytes: null, hostSwappedBytes: null } }, 'es'), 'sin límite');
  assert.equal(signedBytes(1024 ** 3, 'es'), '+1,0 GiB');
  assert.equal(signedBytes(null, 'es'), 'desconocido');
});

test('figure rows keep their keys in every language', () => {
  const report = {
    hypervisor: { kind: 'vmware', product: null, evidence: [] }, balloon: { driver: 'vmw_balloon', currentBytes: 20 * 1024 ** 3, source: 'debugfs', targetBytes: null },
    memory: { configuredBytes: 32 * 1024 ** 3, configuredSource: null, totalBytes: null, availableBytes: null, unaccountedBytes: null, swapTotalBytes: 0, swapFreeBytes: 0 },
    limits: { memLimitBytes: 12 * 1024 ** 3, memLimitKnown: true, memReservationBytes: null, hostSwappedBytes: null },
    guest: { hostname: null, kernel: null, insideContainer: false }, collectedAt: '2026-11-29T22:57:13.000Z',
  } as unknown as Parameters<typeof figureRows>[0];
  const en = figureRows(report);
  const es = figureRows(report, { lang: 'es' });
  assert.deepEqual(es.map((row) => row.key), en.map((row) => row.key));
  assert.equal(en.find((row) => row.key === 'memoryLimit')?.name, 'Memory limit');
  assert.deepEqual(es.find((row) => row.key === 'memoryLimit'), { key: 'memoryLimit', name: 'Límite de memoria', value: '12,0 GiB' });
  assert.equal(en.find((row) => row.key === 'checked')?.value, '2026-11-29T22:57:13.000Z');
  assert.match(es.find((row) => row.key === 'checked')?.value ?? '', /de noviembre de 2026/);
});

test('a fleet summary in Spanish; in English as before', () => {
  const results: HostResult[] = [{ hostError: hostErrorRecord({ kind: 'ssh', name: 'h1' }, new ProbeError('refused', 'h1: connection refused')) }];
  const es = summaryTable(results, 'es');
  assert.match(es, /^ESTADO +HOST +HALLAZGO$/m);
  assert.match(es, /^DESCONOCIDO +h1 +refused: h1: connection refused$/m);
  assert.match(es, /^1 host: 0 críticos, 0 con aviso, 1 desconocido \(1 no se pudieron comprobar\), 0 OK$/m);
  assert.match(summaryMarkdown(results, 'es'), /^# Balloon Inspector — flota\n\n\| estado \| host \| hallazgo \|/);
  assert.match(summaryTable(results), /^STATUS +HOST +FINDING\nUNKNOWN +h1 +refused: h1: connection refused\n\n1 host: 0 critical, 0 warning, 1 unknown \(1 could not be checked\), 0 ok\n$/);
});

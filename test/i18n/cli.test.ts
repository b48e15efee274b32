import assert from 'node:assert/strict';
import test from 'node:test';
import { guestPath, runCli } from '../helpers/guests';

// The seed's own case: a 32 GB VM with a 12 GB limit, 20 GB in the balloon (test/fixtures/guests/vmware-limit-12g-of-32g).
const SEED = guestPath('vmware-limit-12g-of-32g');
/** An environment with no locale set but the given ones (the test's own LANG must not leak in). */
const locale = (env: NodeJS.ProcessEnv) => ({ LANG: '', LC_ALL: '', LC_MESSAGES: '', LANGUAGE: '', ...env });

test('LANG=es_ES.UTF-8: the seed case in Spanish, with Spanish number format', () => {
  const run = runCli(['--root', SEED], { env: locale({ LANG: 'es_ES.UTF-8' }) });
  assert.equal(run.status, 2, run.stderr);
  const out = run.stdout;
  assert.match(out, /\(VMware, [^)]*\) {2}CRÍTICO\n/);
  assert.match(out, /^CRÍTICO {2}El balloon de VMware retiene 20,0 GiB \(63 % de los 32,0 GiB configurados\)$/m);
  assert.match(out, /^CRÍTICO {2}El límite de memoria de 12,0 GiB está por debajo de los 32,0 GiB configurados$/m);
  assert.match(out, /unos 20,0 GiB se recuperan siempre/);
  assert.match(out, /^AVISO {4}El balloon está al 96 % de su tamaño máximo$/m);
  assert.match(out, /\[limit-below-configured\] ver: limit-below-configured, memory-limits-and-reservations/);
  assert.match(out, /^Memoria \[[█▒░ ]+\] 32,0 GiB configurada$/m);
  assert.match(out, /\^ límite 12,0 GiB/);
  assert.match(out, /^Límites {3}Límite de memoria 12,0 GiB/m);
  assert.doesNotMatch(out, /\b\d+\.\d GiB\b/, 'no English decimal point in a figure');
  assert.doesNotMatch(out, /(?<![-\w])(WARNING|CRITICAL|configured|The balloon)(?![-\w])/);
});

test('the language comes from LC_ALL, then LC_MESSAGES, then LANG; C, POSIX and unknown languages are English', () => {
  const title = (env: NodeJS.ProcessEnv) => runCli(['--root', SEED], { env: locale(env) }).stdout.split('\n')[2];
  const spanish = /^CRÍTICO {2}El balloon de VMware/;
  const english = /^CRITICAL The VMware balloon holds 20\.0 GiB \(63% of the 32\.0 GiB configured\)$/;
  assert.match(title({}), english);
  assert.match(title({ LANG: 'es_MX' }), spanish);
  assert.match(title({ LANG: 'es' }), spanish);
  assert.match(title({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'es_ES.UTF-8' }), spanish);
  assert.match(title({ LANG: 'es_ES.UTF-8', LC_MESSAGES: 'C' }), english);
  assert.match(title({ LANG: 'es_ES.UTF-8', LC_ALL: 'POSIX' }), english);
  assert.match(title({ LC_ALL: 'es_AR.UTF-8', LC_MESSAGES: 'en_GB', LANG: 'C' }), spanish);
  assert.match(title({ LANG: 'fr_FR.UTF-8' }), english);
  assert.match(title({ LANG: 'es_ES.UTF-8', LC_ALL: '' }), spanish, 'an empty LC_ALL is unset');
});

test('--lang forces the language: --lang en under LANG=es gives English, --lang es under LANG=C gives Spanish', () => {
  const english = runCli(['--root', SEED, '--lang', 'en'], { env: locale({ LANG: 'es_ES.UTF-8' }) });
  const plain = runCli(['--root', SEED], { env: locale({ LANG: 'C' }) });
  assert.equal(english.stdout, plain.stdout);
  assert.match(english.stdout, /^CRITICAL The VMware balloon holds 20\.0 GiB/m);
  assert.match(runCli(['--root', SEED, '--lang', 'es'], { env: locale({ LANG: 'C' }) }).stdout, /^CRÍTICO {2}El balloon de VMware retiene 20,0 GiB/m);
  const bad = runCli(['--root', SEED, '--lang', 'fr'], { env: locale({}) });
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /--lang/);
});

test('JSON, Prometheus and Nagios output are identical in every language', () => {
  for (const format of ['json', 'prometheus', 'nagios']) {
    const en = runCli(['--root', SEED, '--format', format], { env: locale({ LANG: 'C' }) });
    const es = runCli(['--root', SEED, '--format', format], { env: locale({ LANG: 'es_ES.UTF-8' }) });
    const forced = runCli(['--root', SEED, '--format', format, '--lang', 'es'], { env: locale({}) });
    const stable = (text: string) => text.replace(/"collectedAt": "[^"]*"/, '').replace(/\s\d{10,}(\.\d+)?$/gm, '');
    assert.equal(stable(es.stdout), stable(en.stdout), format);
    assert.equal(stable(forced.stdout), stable(en.stdout), format);
  }
  const report = JSON.parse(runCli(['--root', SEED, '--format', 'json', '--lang', 'es'], { env: locale({}) }).stdout);
  assert.equal(report.findings[0].title, 'The VMware balloon holds 20.0 GiB (63% of the 32.0 GiB configured)');
});

test('Markdown in Spanish: the report, the host-side lines and the articles in Spanish', () => {
  const out = runCli(['--root', SEED, '--format', 'markdown'], { env: locale({ LANG: 'es_ES.UTF-8' }) }).stdout;
  assert.match(out, /^# Informe de balloon: /m);
  assert.match(out, /\*\*Estado:\*\* CRÍTICO · \*\*Hipervisor:\*\* VMware/);
  assert.match(out, /^## Hallazgos$/m);
  assert.match(out, /^### 🔴 El balloon de VMware retiene 20,0 GiB \(63 % de los 32,0 GiB configurados\)$/m);
  assert.match(out, /^\| Límite de memoria \| 12,0 GiB \|$/m);
  assert.match(out, /^## Para el administrador de vSphere\/KVM$/m);
  assert.match(out, /\*\*MCTLSZ\*\* \(balloon actual, MB\): debería rondar 20480 MB/);
  assert.match(out, /^## Contexto: qué significan los hallazgos$/m);
  assert.doesNotMatch(out, /^## (Findings|Figures|Background)/m);
});

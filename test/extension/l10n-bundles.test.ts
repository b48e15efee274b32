import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { formatMessage, setTranslator } from '../../src/extension/model/l10n';
import { pageText } from '../../src/extension/model/pageText';
import { PAGE_TEXT_EN } from '../../src/shared/pageText';
import { ROOT } from '../helpers/system';

// The VS Code side in Spanish: the manifest's strings (package.nls.json → package.nls.es.json) and the extension's
// own (l10n/bundle.l10n.json, extracted from the sources by @vscode/l10n-dev → l10n/bundle.l10n.es.json).

type Bundle = Record<string, string | { message: string; comment: string[] }>;
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;
const english = (value: Bundle[string]) => (typeof value === 'string' ? value : value.message);

const BUNDLES = [
  { name: 'package.nls', en: readJson<Bundle>('package.nls.json'), es: readJson<Record<string, string>>('package.nls.es.json') },
  { name: 'bundle.l10n', en: readJson<Bundle>('l10n/bundle.l10n.json'), es: readJson<Record<string, string>>('l10n/bundle.l10n.es.json') },
];

/**
 * Words a Spanish text may keep as they are: the product's and the platforms' names, and the terms admins use in
 * English (kernel, VMware and SSH vocabulary). A Spanish value equal to its English one must consist of these only.
 */
const KEPT_AS_IS = new Set([
  'balloon', 'inspector', 'ssh', 'host', 'json', 'markdown', 'runbook', 'ok', 'error', 'sosreport', 'kvm', 'libvirt', 'qemu', 'rss',
  'ksm', 'ram', 'swap', 'memlimit', 'esxtop', 'vmware', 'hyper-v', 'xen', 'sudo', 'root', 'memtotal', 'memavailable', 'uri', 'deflate-on-oom',
]);

/** What is left of a text once placeholders, codicons, command links, code and the words kept as they are go. */
function translatableWords(text: string): string[] {
  const stripped = text
    .replace(/\{\d+\}/g, ' ').replace(/\$\([a-z~-]+\)/g, ' ').replace(/\(command:[^)]*\)/g, ' ').replace(/`[^`]*`/g, ' ');
  return (stripped.toLowerCase().match(/[\p{L}][\p{L}-]*/gu) ?? []).filter((word) => !KEPT_AS_IS.has(word));
}

const placeholders = (text: string) => text.match(/\{\d+\}/g) ?? [];
/** Markup a translation must carry over: codicons and command links unchanged, as many code spans (an example inside one may be translated). */
const markup = (text: string) => [...(text.match(/\$\([a-z~-]+\)|\(command:[^)]*\)/g) ?? []), `${(text.match(/`[^`]*`/g) ?? []).length} code spans`].sort();

for (const { name, en, es } of BUNDLES) {
  test(`${name}: every English key has a Spanish value, and the Spanish file has no other key`, () => {
    const missing = Object.keys(en).filter((key) => typeof es[key] !== 'string' || !es[key].trim());
    assert.deepEqual(missing, [], `keys without a Spanish value in ${name}.es.json`);
    assert.deepEqual(Object.keys(es).filter((key) => !(key in en)), [], `stale keys in ${name}.es.json`);
  });

  test(`${name}: no Spanish value is left in English (beyond the product terms kept as they are)`, () => {
    const untranslated = Object.entries(en)
      .filter(([key]) => typeof es[key] === 'string' && es[key] === english(en[key]) && translatableWords(es[key]).length > 0)
      .map(([key]) => key);
    assert.deepEqual(untranslated, [], `Spanish values identical to the English text in ${name}.es.json`);
  });

  test(`${name}: placeholders match in number and order, markup is kept`, () => {
    for (const key of Object.keys(en)) {
      if (typeof es[key] !== 'string') continue;
      assert.deepEqual(placeholders(es[key]), placeholders(english(en[key])), `placeholders of ${JSON.stringify(key)}`);
      assert.deepEqual(markup(es[key]), markup(english(en[key])), `codicons, command links and code spans of ${JSON.stringify(key)}`);
    }
  });
}

test('the allow-list check bites: an English sentence is caught, product terms alone are not', () => {
  assert.deepEqual(translatableWords('$(pulse) Balloon ?'), []);
  assert.deepEqual(translatableWords('Balloon Inspector: SSH'), []);
  assert.deepEqual(translatableWords('Check {0} for ballooning'), ['check', 'for', 'ballooning']);
});

test('package.json names exactly the keys of package.nls.json', () => {
  const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8');
  const used = new Set([...manifest.matchAll(/"%([^%"]+)%"/g)].map((match) => match[1]!));
  const defined = Object.keys(readJson<Bundle>('package.nls.json'));
  assert.deepEqual([...used].filter((key) => !defined.includes(key)), [], 'placeholders without an English string');
  assert.deepEqual(defined.filter((key) => !used.has(key)), [], 'English strings no placeholder uses');
  assert.equal(JSON.parse(manifest).l10n, './l10n', 'package.json points VS Code at the l10n bundles');
});

test('the walkthrough media each language names exist (package.nls*.json "….media" keys)', () => {
  for (const { name, en, es } of BUNDLES.filter((bundle) => bundle.name === 'package.nls')) {
    const paths = Object.keys(en).filter((key) => key.endsWith('.media')).flatMap((key) => [english(en[key]), es[key] ?? '']);
    assert.ok(paths.length >= 2, `${name}: no walkthrough media keys`);
    for (const path of paths) assert.ok(existsSync(join(ROOT, path)), `${name}: ${path} does not exist`);
  }
});

test('l10n/bundle.l10n.json is what @vscode/l10n-dev extracts from src/extension today (npm run l10n:export)', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'l10n-export.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});

test('the report page words: English word for word as PAGE_TEXT_EN, Spanish through the bundle', () => {
  assert.deepEqual(pageText(), PAGE_TEXT_EN);
  const es = readJson<Record<string, string>>('l10n/bundle.l10n.es.json');
  const asked: string[] = [];
  setTranslator((message, ...args) => { asked.push(message); return formatMessage(es[message] ?? `<${message}>`, args); });
  try {
    const spanish = pageText();
    assert.deepEqual(asked.filter((message) => !(message in es)), [], 'page words without a Spanish value');
    assert.equal(spanish.checkAgain, 'Comprobar de nuevo');
    assert.equal(spanish.statusBadge.critical, 'CRÍTICO');
  } finally {
    setTranslator(undefined);
  }
});

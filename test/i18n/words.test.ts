import assert from 'node:assert/strict';
import test from 'node:test';
import { FLEET_WORDS } from '../../src/cli/fleet';
import { KERNEL_ARTICLE_WORDS } from '../../src/core/kernels-article-words';
import { MARKDOWN_WORDS } from '../../src/core/render/markdown';
import { TEXT_WORDS } from '../../src/core/render/text';
import { KB_WORDS } from '../../src/knowledge/render';
import { LANGS, type PerLang } from '../../src/shared/i18n';
import { AGO_WORDS, FIGURE_NAMES, FIGURE_WORDS } from '../../src/shared/presentation';

/** Words that are the same in Spanish: product, kernel and VMware terms, and a few that both languages share. */
const SAME_IN_SPANISH = new Set(['', 'OK', 'INFO', 'info', 'Balloon', 'balloon', 'MemTotal', 'MemAvailable', 'Kernel', 'HOST', 'host', 'no']);

/** Every string of `es` at the same place as in `en`, with its path. */
function pairs(en: unknown, es: unknown, path: string, out: { path: string; en: string; es: unknown }[] = []): typeof out {
  if (typeof en === 'string') out.push({ path, en, es });
  else if (Array.isArray(en)) en.forEach((item, index) => pairs(item, (es as unknown[])?.[index], `${path}[${index}]`, out));
  else if (en && typeof en === 'object') for (const key of Object.keys(en)) pairs((en as Record<string, unknown>)[key], (es as Record<string, unknown> | undefined)?.[key], `${path}.${key}`, out);
  return out;
}

const TABLES: Record<string, PerLang<unknown>> = {
  'text report': TEXT_WORDS, 'Markdown report': MARKDOWN_WORDS, 'figure rows': FIGURE_NAMES, 'figure values': FIGURE_WORDS, 'times': AGO_WORDS,
  'knowledge pages': KB_WORDS, 'fleet output': FLEET_WORDS, 'kernel article': KERNEL_ARTICLE_WORDS,
};

for (const [name, table] of Object.entries(TABLES)) {
  test(`${name}: every word has a Spanish value, and none is left English`, () => {
    for (const lang of LANGS) assert.deepEqual(Object.keys(table[lang] as object).sort(), Object.keys(table.en as object).sort(), `${name}: ${lang} has the English keys`);
    const found = pairs(table.en, table.es, name);
    assert.ok(found.length > 0);
    for (const { path, en, es } of found) {
      assert.equal(typeof es, 'string', `${path}: no Spanish value`);
      if (!SAME_IN_SPANISH.has(en) && !/^[|-]+$/.test(en)) assert.notEqual(es, en, `${path}: "${en}" is not translated`);
    }
  });
}

/**
 * Writes knowledge/kernel-behaviour.md and its translations (knowledge/<lang>/kernel-behaviour.md) from the kernel
 * table: `node --import tsx scripts/gen-kernel-article.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKernelArticle } from '../src/core/kernels-article';
import { LANGS } from '../src/shared/i18n';

const knowledge = join(__dirname, '..', 'knowledge');
for (const lang of LANGS) {
  const dir = lang === 'en' ? knowledge : join(knowledge, lang);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'kernel-behaviour.md');
  writeFileSync(path, renderKernelArticle(lang));
  console.log(`wrote ${path}`);
}

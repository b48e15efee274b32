/** Writes knowledge/kernel-behaviour.md from the kernel table: `node --import tsx scripts/gen-kernel-article.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKernelArticle } from '../src/core/kernels-article';

const path = join(__dirname, '..', 'knowledge', 'kernel-behaviour.md');
writeFileSync(path, renderKernelArticle());
console.log(`wrote ${path}`);

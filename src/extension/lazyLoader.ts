import { join } from 'node:path';

export type LazyModule = typeof import('./lazy');

let loaded: LazyModule | undefined;

/**
 * Loads dist/extension-lazy.js (markdown-it, yaml, ssh2...) at first use. The path is computed so
 * esbuild leaves the require alone: the heavy code stays out of dist/extension.js.
 */
export function loadLazy(): LazyModule {
  if (!loaded) {
    const file = join(__dirname, 'extension-lazy.js');
    loaded = require(file) as LazyModule;
  }
  return loaded;
}

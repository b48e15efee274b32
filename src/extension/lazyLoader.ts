import { join } from 'node:path';
import { l10n } from './model/l10n';

export type LazyModule = typeof import('./lazy');

let loaded: LazyModule | undefined;

/**
 * Loads dist/extension-lazy.js (markdown-it, ssh2, tar...) at first use. The path is computed so
 * esbuild leaves the require alone: the heavy code stays out of dist/extension.js.
 */
export function loadLazy(): LazyModule {
  if (!loaded) {
    const file = join(__dirname, 'extension-lazy.js');
    loaded = require(file) as LazyModule;
    // The lazy bundle has its own copy of model/l10n.ts: it translates through this bundle's (vscode.l10n.t).
    loaded.setTranslator((message, ...args) => l10n.t(message, ...args));
  }
  return loaded;
}

// Bundles the extension-host integration suite (test/integration/index.ts) to dist-test/integration.js,
// the file code-server's extensionTestsPath (or @vscode/test-electron) loads. `vscode` stays external.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'test/integration/index.ts')],
  outfile: join(root, 'dist-test/integration.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

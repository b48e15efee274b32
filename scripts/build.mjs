// Bundles every entry point with esbuild. Runs on `npm ci` (prepare) and `npm run build`.
import { build } from 'esbuild';
import { bundlePlugins } from './esbuild-plugins.mjs';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
// `--outdir DIR` and `--only cli` (npm run release, package:deb): a production CLI bundle staged elsewhere than dist/.
const argValue = (flag) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const dist = argValue('--outdir') ?? join(root, 'dist');
const only = argValue('--only');
mkdirSync(dist, { recursive: true });

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The probe script is bundled as text (see src/transport/probe-script.ts): a check reads no file beside the bundle.
const probeScript = readFileSync(join(root, 'src/core/probe.sh'), 'utf8');
const common = {
  define: { __VERSION__: JSON.stringify(pkg.version), __PROBE_SCRIPT__: JSON.stringify(probeScript) },
  plugins: bundlePlugins,
  bundle: true,
  minify: production,
  sourcemap: !production,
  legalComments: 'none',
  logLevel: 'warning',
};

// ssh2's native add-ons (sshcrypto, cpu-features) are optional: bundled, it falls back to Node's crypto.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['*.node'] };

const entries = [
  { ...node, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(dist, 'extension.js'), external: ['vscode', '*.node'] },
  // The extension's heavy half (knowledge rendering, SSH), required at first use so activation never parses it.
  { ...node, entryPoints: [join(root, 'src/extension/lazy.ts')], outfile: join(dist, 'extension-lazy.js'), external: ['vscode', '*.node'] },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: [join(root, 'webview/main.ts')], outfile: join(dist, 'webview.js') },
].filter((entry) => existsSync(entry.entryPoints[0]) && (!only || entry.outfile === join(dist, `${only}.js`)));

await Promise.all(entries.map((entry) => build(entry)));
if (existsSync(join(dist, 'cli.js'))) chmodSync(join(dist, 'cli.js'), 0o755);
if (!only && existsSync(join(root, 'webview/main.css'))) copyFileSync(join(root, 'webview/main.css'), join(dist, 'webview.css'));

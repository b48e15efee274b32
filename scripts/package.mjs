// `npm run package`: the extension's VSIX, built in a private staging folder so a build running at
// the same time (npm run build, tests) cannot swap dev bundles into it. Production bundles only.
import { build } from 'esbuild';
import { bundlePlugins } from './esbuild-plugins.mjs';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const stage = mkdtempSync(join(tmpdir(), 'balloon-inspector-vsix-'));
// `--out FILE` (npm run release): where the VSIX goes; by default beside package.json.
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(root, `${pkg.name}-${pkg.version}.vsix`);

/**
 * The articles of knowledge/ and of each translation (knowledge/es/) as one brotli-compressed JSON per folder,
 * articles.pack.br ({ "<name>.md": text }, read by src/knowledge/pack.ts), instead of their .md files: the zip
 * compresses each file alone. Runbooks (runbooks/) stay files: code lenses open them in the editor.
 */
function packArticles(dir) {
  const names = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'README.md').map((entry) => entry.name).sort();
  if (names.length) {
    const json = JSON.stringify(Object.fromEntries(names.map((name) => [name, readFileSync(join(dir, name), 'utf8')])));
    writeFileSync(join(dir, 'articles.pack.br'), brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(json) } }));
    for (const name of names) rmSync(join(dir, name));
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory() && entry.name !== 'runbooks') packArticles(join(dir, entry.name));
}

try {
  for (const file of ['package.json', 'package.nls.json', 'package.nls.es.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'report.schema.json', '.vscodeignore']) copyFileSync(join(root, file), join(stage, file));
  // The npm package's whitelist (`files`, `man`) is not the VSIX's: vsce refuses `files` beside .vscodeignore.
  const { files: _files, man: _man, ...manifest } = pkg;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const dir of ['knowledge', 'media', 'l10n']) cpSync(join(root, dir), join(stage, dir), { recursive: true });
  packArticles(join(stage, 'knowledge'));
  mkdirSync(join(stage, 'dist'));
  const common = { plugins: bundlePlugins, bundle: true, minify: true, sourcemap: false, legalComments: 'none', logLevel: 'warning', define: { __VERSION__: JSON.stringify(pkg.version), __PROBE_SCRIPT__: JSON.stringify(readFileSync(join(root, 'src/core/probe.sh'), 'utf8')) } };
  const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', '*.node'] };
  await Promise.all([
    build({ ...node, entryPoints: [join(root, 'src/extension/extension.ts')], outfile: join(stage, 'dist/extension.js') }),
    build({ ...node, entryPoints: [join(root, 'src/extension/lazy.ts')], outfile: join(stage, 'dist/extension-lazy.js') }),
    build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: [join(root, 'webview/main.ts')], outfile: join(stage, 'dist/webview.js') }),
  ]);
  copyFileSync(join(root, 'webview/main.css'), join(stage, 'dist/webview.css'));
  const vsce = join(root, 'node_modules', '.bin', 'vsce');
  execFileSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: stage, stdio: 'inherit' });
  for (const name of ['extension.js', 'extension-lazy.js', 'webview.js', 'webview.css']) console.log(`dist/${name}: ${(statSync(join(stage, 'dist', name)).size / 1024).toFixed(1)} KiB`);
  console.log(`${out}: ${(statSync(out).size / 1024).toFixed(1)} KiB`);
} finally {
  if (existsSync(stage)) rmSync(stage, { recursive: true, force: true });
}

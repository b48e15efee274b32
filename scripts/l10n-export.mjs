// `npm run l10n:export`: every string the extension shows, extracted into l10n/bundle.l10n.json by @vscode/l10n-dev
// (the English bundle; translations live beside it as bundle.l10n.<language>.json). `--check` writes nothing and
// fails when the bundle on disk is not what the sources give (test/i18n/vscode-bundles.test.ts runs the same check).
//
// The files of src/extension call `vscode.l10n.t(...)`, which l10n-dev reads as it is. The vscode-free models
// (src/extension/model/*.ts, unit-tested in plain Node) call the same-shaped `l10n.t(...)` of model/l10n.ts; for the
// extractor their `import { l10n } from './l10n'` reads as the import from 'vscode' it stands in for.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getL10nJson } from '@vscode/l10n-dev';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE_DIR = join(ROOT, 'src', 'extension');
export const BUNDLE = join(ROOT, 'l10n', 'bundle.l10n.json');

/** The model translator's import, as the extractor must see it. */
const SHIM_IMPORT = /import\s*\{\s*l10n\s*\}\s*from\s*'(?:\.\.?\/)+(?:model\/)?l10n'/g;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  }).sort();
}

/** The English bundle the sources give: message → message (or { message, comment }). */
export async function extractBundle() {
  const files = sourceFiles(SOURCE_DIR).map((path) => ({
    extension: '.ts',
    contents: readFileSync(path, 'utf8').replace(SHIM_IMPORT, "import { l10n } from 'vscode'"),
  }));
  return getL10nJson(files);
}

/** The bundle as the file holds it: l10n-dev's own layout (2 spaces), plus a final newline. */
export const bundleText = (bundle) => `${JSON.stringify(bundle, undefined, 2)}\n`;

async function main() {
  const text = bundleText(await extractBundle());
  const count = Object.keys(JSON.parse(text)).length;
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(BUNDLE, 'utf8'); } catch { /* missing: out of date */ }
    if (current !== text) {
      console.error(`${relative(ROOT, BUNDLE)} is out of date with src/extension: run npm run l10n:export, then translate the new strings in l10n/bundle.l10n.es.json.`);
      process.exit(1);
    }
    console.log(`${relative(ROOT, BUNDLE)}: up to date (${count} strings).`);
    return;
  }
  mkdirSync(dirname(BUNDLE), { recursive: true });
  writeFileSync(BUNDLE, text);
  console.log(`${relative(ROOT, BUNDLE)}: ${count} strings.`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

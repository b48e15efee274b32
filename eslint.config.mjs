/**
 * `npm run lint`, part of `npm test`. Two jobs:
 * 1. The architecture as a rule (`boundaries/layers` below): which part of the code may import which.
 * 2. typescript-eslint's recommended rules (the ones that need no type information, so lint stays fast).
 *
 * Why ESLint and not dependency-cruiser: both were weighed for the import rules. ESLint (already a dev dependency,
 * with typescript-eslint) checks the code rules too, reports in the editor as you type, and the layer rule is
 * 80 lines we own. The rule resolves each relative specifier to a repository path, so `../extension` and
 * `../../src/extension` are the same target, and it sees `require()`, `import()` and `typeof import()` as well as
 * import statements: this code loads its heavy parts with a lazy `require()` on purpose, and a boundary that missed
 * those would miss exactly the loads that matter. (The built-in no-restricted-imports only matches the import text
 * and only of import/export statements.)
 */
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * The layers. A file belongs to the first entry whose `files` folder holds it; each entry's `forbid` lists what
 * it must never import (`vscode`, `node` for Node.js built-ins, or a repository folder). The webview lists what
 * it may import instead (`only`, where `package` means npm packages), plus folders it may take types from
 * (types vanish at build time).
 */
const PURE = 'it runs in the CLI, the extension and the tests alike';
const LAYERS = [
  // `node`: core reads no file and starts no process (the probe script reaches it as text); the webview runs parts of it.
  { files: 'src/core', forbid: ['vscode', 'node', 'src/extension', 'src/cli', 'src/transport'], why: `core is pure (text in, report out) and the transport calls it, not the other way: ${PURE}` },
  { files: 'src/knowledge', forbid: ['vscode', 'src/extension', 'src/cli'], why: `the knowledge base is read by both front ends: ${PURE}` },
  { files: 'src/transport', forbid: ['vscode', 'src/extension', 'src/cli'], why: `transports are used by both front ends: ${PURE}` },
  { files: 'src/shared', forbid: ['vscode', 'node', 'src/extension', 'src/cli', 'src/transport', 'src/knowledge'], why: 'shared code also runs in the report page, a browser with neither vscode nor Node.js' },
  { files: 'src/cli', forbid: ['vscode', 'src/extension'], why: 'the CLI runs without VS Code' },
  { files: 'src/extension', forbid: ['src/cli'], why: 'the extension and the CLI are two front ends over the same layers' },
  { files: 'webview', only: ['webview', 'src/shared', 'package'], types: ['src/core'], why: 'the report page (a browser) talks to the extension only through the shared protocol and shows reports with the shared presentation code' },
];
/** Product code never depends on the tests' code. */
const NEVER = ['test'];

const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);

/** What a specifier names: 'vscode', 'node' (a Node.js built-in), a repository path ('src/core/units') or 'package' (npm). */
function targetOf(specifier, file) {
  if (specifier === 'vscode') return 'vscode';
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return 'node';
  if (!specifier.startsWith('.')) return 'package';
  return relative(ROOT, resolve(dirname(file), specifier)).split('\\').join('/');
}

const layers = {
  meta: { type: 'problem', schema: [], docs: { description: 'Which part of the code may import which (see LAYERS in eslint.config.mjs).' } },
  create(context) {
    const file = relative(ROOT, context.filename).split('\\').join('/');
    const layer = LAYERS.find((entry) => within(file, entry.files));
    const check = (node, specifier, typeOnly) => {
      if (typeof specifier !== 'string') return;
      const target = targetOf(specifier, context.filename);
      const named = (folder) => target === folder || within(target, folder);
      const never = NEVER.find(named);
      if (never) {
        context.report({ node, message: `${file} must not import ${never}/ ('${specifier}'): product code never depends on the tests.` });
        return;
      }
      if (!layer) return;
      const forbidden = layer.forbid?.find(named);
      if (forbidden) {
        context.report({ node, message: `${layer.files}/ must not import ${forbidden} ('${specifier}'): ${layer.why}.` });
      } else if (layer.only && !layer.only.some(named) && !(typeOnly && layer.types?.some(named))) {
        const allowed = `${layer.only.join(', ')}${layer.types ? `; types from ${layer.types.join(', ')}` : ''}`;
        context.report({ node, message: `${layer.files}/ imports only ${allowed}, not '${specifier}': ${layer.why}.` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value, node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => check(node.source, node.source.value, false),
      TSImportType: (node) => check(node, node.argument?.literal?.value ?? node.argument?.value, true),
      TSExternalModuleReference: (node) => check(node, node.expression.value, false),
      'CallExpression[callee.type="Identifier"][callee.name="require"]': (node) => check(node, node.arguments[0]?.value, false),
    };
  },
};

/** The Node.js globals the build scripts (plain .mjs, not type-checked) use. */
const NODE_GLOBALS = Object.fromEntries(['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly']));

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', '.e2e/**', '.bench/**', '.realvm/**', '.stryker-tmp*/**', 'test-results/**', 'test/fixtures/**'] },
  // An eslint-disable comment that suppresses nothing is an error: every one left in the code means something.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    plugins: { boundaries: { rules: { layers } } },
    rules: { 'boundaries/layers': 'error' },
  },
  {
    rules: {
      // The probe's output and the terminal renderers are sanitized with regexes over control characters, on purpose.
      'no-control-regex': 'off',
      // Heavy modules (ssh2, the knowledge base, the fleet and serve commands, the extension's lazy bundle) load
      // with a typed require() when first needed, on purpose: a check pays only for what it uses (BENCHMARKS.md).
      // boundaries/layers still checks where every require() points.
      '@typescript-eslint/no-require-imports': 'off',
      // tsc already fails on unused locals and parameters (noUnusedLocals/noUnusedParameters in tsconfig.json).
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: NODE_GLOBALS } },
);

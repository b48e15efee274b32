// The release's CycloneDX SBOM: @cyclonedx/cyclonedx-npm describes the whole npm tree, and every
// library is a devDependency (the bundles carry them), so the BOM is cut down to the packages whose
// code is really in a shipped bundle, as esbuild's metafile says (bytes in the output > 0). Each kept
// component says which bundles carry it (property balloon-inspector:bundle).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundlePlugins } from './esbuild-plugins.mjs';
import { ROOT } from './release-stage.mjs';

/** The shipped bundles: the CLI (npm tarball, .deb) and the extension's three (VSIX). */
const BUNDLES = [
  { name: 'cli.js', entry: 'src/cli/main.ts', platform: 'node', external: ['*.node'] },
  { name: 'extension.js', entry: 'src/extension/extension.ts', platform: 'node', external: ['vscode', '*.node'] },
  { name: 'extension-lazy.js', entry: 'src/extension/lazy.ts', platform: 'node', external: ['vscode', '*.node'] },
  { name: 'webview.js', entry: 'webview/main.ts', platform: 'browser', external: [] },
];

/** `node_modules/a/node_modules/@s/b/lib/x.js` -> `node_modules/a/node_modules/@s/b` (from the first node_modules/ on). */
export function packagePath(input) {
  const start = input.indexOf('node_modules/');
  const match = start < 0 ? null : input.slice(start).match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  return match ? match[1] : null;
}

/** Package folder (as cdx:npm:package:path) -> names of the bundles with its code. */
export async function bundledPackages(root = ROOT) {
  const shipped = new Map();
  for (const bundle of BUNDLES) {
    const result = await build({
      // The same plugins as scripts/build.mjs and package.mjs, so the metafile lists what those bundles hold.
      plugins: bundlePlugins, entryPoints: [join(root, bundle.entry)], bundle: true, write: false, metafile: true, minify: true, logLevel: 'silent',
      platform: bundle.platform, format: bundle.platform === 'node' ? 'cjs' : 'iife', external: bundle.external, outfile: join(root, 'sbom-analysis', bundle.name),
      define: { __VERSION__: '"0"', __PROBE_SCRIPT__: '""' }, absWorkingDir: root,
    });
    for (const output of Object.values(result.metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const path = bytesInOutput > 0 ? packagePath(input) : null;
        if (path) shipped.set(path, new Set([...(shipped.get(path) ?? []), bundle.name]));
      }
    }
  }
  return shipped;
}

const property = (component, name) => component.properties?.find((entry) => entry.name === name)?.value;

/** The generator's BOM cut down to `shipped` (see bundledPackages). */
export function cutBom(bom, shipped) {
  const kept = bom.components.filter((component) => shipped.has(property(component, 'cdx:npm:package:path')));
  const described = new Set(kept.map((component) => property(component, 'cdx:npm:package:path')));
  const missing = [...shipped.keys()].filter((path) => !described.has(path));
  if (missing.length) throw new Error(`the SBOM generator did not describe bundled packages: ${missing.join(', ')}`);
  for (const component of kept) {
    const bundles = [...shipped.get(property(component, 'cdx:npm:package:path'))].sort().join(', ');
    // "development" only says how the repository installs it; here it is shipped inside a bundle.
    component.properties = [...component.properties.filter((entry) => entry.name !== 'cdx:npm:package:development'), { name: 'balloon-inspector:bundle', value: bundles }];
  }
  const refs = new Set([bom.metadata.component['bom-ref'], ...kept.map((component) => component['bom-ref'])]);
  const dependencies = (bom.dependencies ?? []).filter((entry) => refs.has(entry.ref))
    .map((entry) => ({ ...entry, dependsOn: (entry.dependsOn ?? []).filter((ref) => refs.has(ref)) }));
  return { ...bom, components: kept, dependencies };
}

/** Writes the release SBOM (CycloneDX 1.6 JSON) to `file`; returns the number of components. */
export async function writeSbom(file, root = ROOT) {
  const full = `${file}.full.json`;
  try {
    execFileSync(join(root, 'node_modules/.bin/cyclonedx-npm'), ['--flatten-components', '--output-reproducible', '--spec-version', '1.6',
      '--output-format', 'JSON', '--output-file', full, join(root, 'package.json')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const bom = cutBom(JSON.parse(readFileSync(full, 'utf8')), await bundledPackages(root));
    writeFileSync(file, `${JSON.stringify(bom, null, 2)}\n`);
    return bom.components.length;
  } finally {
    rmSync(full, { force: true });
  }
}

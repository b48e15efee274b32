// `npm run release [-- --out DIR] [--changelog FILE] [--max-vsix-bytes N]`: every artifact of a release in one folder (default release/):
//   balloon-inspector-<version>.vsix       the VS Code extension (scripts/package.mjs), at most 500 KB
//   balloon-inspector-<version>.tgz        the npm package (npm pack of the staged package)
//   balloon-inspector_<version>_all.deb    the Debian package (scripts/package-deb.mjs)
//   balloon-inspector-<version>.cdx.json   CycloneDX SBOM of the libraries the bundles carry
//   SHA256SUMS                             sha256sum -c format, for all of the above
// Refuses to run when CHANGELOG.md has no entry (a `## <version>` heading) for package.json's version.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDeb } from './package-deb.mjs';
import { writeSbom } from './release-sbom.mjs';
import { packNpm, readPackage, ROOT, stageNpmPackage } from './release-stage.mjs';

/** The VS Code Marketplace's comfortable size, and the project's budget (BENCHMARKS.md). */
export const VSIX_LIMIT_BYTES = 500 * 1000;

/** True when the changelog has a `## 0.2.0` (or `## [0.2.0]`, `## v0.2.0 - date`) heading. */
export function changelogHasEntry(text, version) {
  const escaped = version.replace(/[.+]/g, '\\$&');
  return new RegExp(`^##\\s+\\[?v?${escaped}\\]?(\\s|$)`, 'm').test(text);
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

/** Marks a folder this script writes: a later run may empty it (and only such a folder, or an empty one). */
const MARKER = '.balloon-inspector-release';

function prepareOut(out) {
  if (existsSync(out) && readdirSync(out).length && !existsSync(join(out, MARKER))) {
    fail(`${out} has files and is not a folder npm run release wrote: not emptied`);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), 'written by npm run release (scripts/release.mjs); emptied by its next run\n');
}

function buildVsix(out, pkg, limit) {
  const vsix = join(out, `${pkg.name}-${pkg.version}.vsix`);
  execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--out', vsix], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const bytes = statSync(vsix).size;
  if (bytes > limit) fail(`${basename(vsix)} is ${bytes} bytes, over the ${limit}-byte budget (VSIX_LIMIT_BYTES; --max-vsix-bytes N for a trial build)`);
  return vsix;
}

async function main() {
  const arg = (flag) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
  const out = resolve(arg('--out') ?? join(ROOT, 'release'));
  const changelog = arg('--changelog') ?? join(ROOT, 'CHANGELOG.md');
  const limit = Number(arg('--max-vsix-bytes') ?? VSIX_LIMIT_BYTES);
  const pkg = readPackage();
  if (!changelogHasEntry(readFileSync(changelog, 'utf8'), pkg.version)) {
    fail(`${changelog} has no entry for ${pkg.version} (a "## ${pkg.version}" heading): write it before releasing`);
  }
  prepareOut(out);
  const stage = mkdtempSync(join(tmpdir(), 'balloon-inspector-npm-'));
  try {
    stageNpmPackage(stage);
    const artifacts = [buildVsix(out, pkg, limit), packNpm(stage, out), await buildDeb(stage, out)];
    const sbom = join(out, `${pkg.name}-${pkg.version}.cdx.json`);
    const components = await writeSbom(sbom);
    artifacts.push(sbom);
    writeFileSync(join(out, 'SHA256SUMS'), artifacts.map((file) => `${sha256(file)}  ${basename(file)}\n`).join(''));
    for (const file of artifacts) console.log(`${basename(file)}: ${(statSync(file).size / 1024).toFixed(1)} KiB`);
    console.log(`SBOM: ${components} bundled packages; SHA256SUMS written; release ${pkg.version} in ${out}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

// The npm package's tree, staged outside the checkout (npm run release, npm run package:deb): a
// production CLI bundle, the man page and completions generated from the option table, the knowledge
// base, the schema and the docs, and a package.json without the development fields. dist/ is not touched,
// so a build or test running at the same time cannot mix its bundles into a release.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function readPackage(root = ROOT) {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

/** Seconds since 1970 for reproducible dates and mtimes: SOURCE_DATE_EPOCH, else the last commit's time, else now. */
export function sourceDateEpoch(root = ROOT) {
  if (/^\d+$/.test(process.env.SOURCE_DATE_EPOCH ?? '')) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

/** Writes the npm package's files into `stage` (an empty directory); returns the staged package.json. */
export function stageNpmPackage(stage, root = ROOT) {
  const pkg = readPackage(root);
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(sourceDateEpoch(root)) };
  mkdirSync(stage, { recursive: true });
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--production', '--outdir', join(stage, 'dist'), '--only', 'cli'], { cwd: root, stdio: 'inherit', env });
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/gen-man.ts'), stage], { cwd: root, stdio: 'inherit', env });
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'report.schema.json']) copyFileSync(join(root, file), join(stage, file));
  cpSync(join(root, 'knowledge'), join(stage, 'knowledge'), { recursive: true });
  // What an installed package needs: no scripts (prepare would try to build), no development dependencies.
  const { scripts: _scripts, devDependencies: _dev, ...manifest } = pkg;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** `npm pack` of a staged package into `outDir`; returns the tarball's path. */
export function packNpm(stage, outDir) {
  const output = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(output);
  return join(outDir, filename);
}

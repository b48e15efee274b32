// `npm run release`, once, into a temporary folder, and each artifact used the way its users use it:
// SHA256SUMS verifies, the SBOM names what the bundles carry, the npm tarball installs into an empty
// prefix offline (no dependency left to fetch) and runs through npx, the VSIX holds what `vsce ls`
// lists, stays under 500 KB and installs into a real VS Code (code-server). The refusal without a
// CHANGELOG entry is checked too. The .deb is tested in deb.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CODE_SERVER_ENTRY, EXTENSION_ID, NODE24, skipReason } from '../e2e/code-server';
import { guestPath } from '../helpers/guests';
import { requireCommand, ROOT } from '../helpers/system';
import { disagreements, manSections, renderMan } from './shell';
import { zipEntries } from './zip';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'bi-release-'));
const out = join(work, 'release');
const names = {
  vsix: `${pkg.name}-${pkg.version}.vsix`,
  tgz: `${pkg.name}-${pkg.version}.tgz`,
  deb: `${pkg.name}_${pkg.version}_all.deb`,
  sbom: `${pkg.name}-${pkg.version}.cdx.json`,
};
/** Folders of the checkout no VSIX ever holds (.vscodeignore starts from `**`): left out of vsce's walk. */
const HEAVY = new Set(['.git', '.e2e', '.realvm', '.bench', 'node_modules', 'test-results', 'dist-test', 'release']);
/** The budget the issue sets (scripts/release.mjs VSIX_LIMIT_BYTES). */
const VSIX_LIMIT_BYTES = 500_000;
let releaseLog = '';
/** Why the release refused the VSIX as too large (then the other artifacts come from a trial build without the budget). */
let overBudget = '';

before(() => {
  const release = (...extra: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--out', out, ...extra], { cwd: ROOT, encoding: 'utf8' });
  let run = release();
  if (run.status !== 0 && /over the \d+-byte budget/.test(run.stderr)) {
    overBudget = run.stderr.trim();
    run = release('--max-vsix-bytes', String(100 * VSIX_LIMIT_BYTES));
  }
  releaseLog = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`npm run release failed (${run.status}):\n${releaseLog}`);
});
after(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('release refuses to run when CHANGELOG.md has no entry for the version, and writes nothing', () => {
  const changelog = join(work, 'CHANGELOG-without-entry.md');
  writeFileSync(changelog, '# Changelog\n\n## Unreleased\n\n- work\n\n## 0.0.1\n\n- first\n');
  const refused = join(work, 'refused');
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--out', refused, '--changelog', changelog], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stderr, new RegExp(`no entry for ${pkg.version.replace(/\./g, '\\.')}`));
  assert.equal(existsSync(refused), false);
});

test('the release folder holds the four artifacts, and SHA256SUMS verifies each of them', (t) => {
  t.diagnostic(releaseLog.split('\n').filter((line) => /KiB|SBOM/.test(line)).join(' | '));
  assert.deepEqual(readdirSync(out).filter((name) => !name.startsWith('.')).sort(), [...Object.values(names), 'SHA256SUMS'].sort());
  const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.split(/ {2}/));
  assert.deepEqual(sums.map(([, file]) => file).sort(), Object.values(names).sort());
  for (const [hash, file] of sums) assert.equal(hash, sha256(join(out, file)), file);
  const sha256sum = requireCommand(t, 'sha256sum', 'coreutils');
  if (sha256sum) assert.equal(spawnSync(sha256sum, ['-c', 'SHA256SUMS'], { cwd: out }).status, 0);
});

test('the SBOM is CycloneDX from cyclonedx-npm and names exactly the libraries bundled (no build tools)', () => {
  const bom = JSON.parse(readFileSync(join(out, names.sbom), 'utf8')) as {
    bomFormat: string; specVersion: string; metadata: { tools: { components: { name: string }[] }; component: { name: string; version: string } };
    components: { name: string; group?: string; version: string; purl: string; properties: { name: string; value: string }[] }[];
  };
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.6');
  assert.ok(bom.metadata.tools.components.some((tool) => tool.name === 'cyclonedx-npm'));
  assert.deepEqual([bom.metadata.component.name, bom.metadata.component.version], [pkg.name, pkg.version]);
  const byName = new Map(bom.components.map((component) => [component.group ? `${component.group}/${component.name}` : component.name, component]));
  for (const name of ['ssh2', 'markdown-it']) assert.match(byName.get(name)?.properties.find((p) => p.name === 'balloon-inspector:bundle')?.value ?? '', /cli\.js/, name);
  for (const name of ['esbuild', 'typescript', 'eslint', '@vscode/vsce', 'tsx']) assert.equal(byName.has(name), false, `${name} is a build tool, not shipped`);
  for (const component of bom.components) assert.match(component.purl, /^pkg:npm\//);
});

test('the npm tarball ships only the CLI bundle, knowledge, schema, man page, completion and docs, with no dependency', () => {
  const list = spawnSync('tar', ['tzf', join(out, names.tgz)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const allowed = /^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md|report\.schema\.json|dist\/cli\.js|man\/balloon-check\.1|completion\/(balloon-check\.bash|_balloon-check)|knowledge\/.+\.md)$/;
  assert.deepEqual(list.filter((entry) => !allowed.test(entry)), []);
  for (const required of ['package/dist/cli.js', 'package/man/balloon-check.1', 'package/completion/balloon-check.bash', 'package/knowledge/README.md', 'package/report.schema.json']) assert.ok(list.includes(required), required);
  const manifest = JSON.parse(spawnSync('tar', ['xzOf', join(out, names.tgz), 'package/package.json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
  assert.equal(manifest.private, false);
  assert.equal(manifest.dependencies, undefined);
  assert.deepEqual(manifest.bin, { 'balloon-check': 'dist/cli.js' });
  assert.deepEqual(manifest.engines, { node: '>=20', vscode: (manifest.engines as { vscode: string }).vscode });
  // The bundle requires Node.js built-ins only, and ssh2's optional native add-ons (it falls back without them).
  const bundle = spawnSync('tar', ['xzOf', join(out, names.tgz), 'package/dist/cli.js'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
  assert.deepEqual([...new Set(required.filter((name) => !isBuiltin(name) && !name.endsWith('.node')))], []);
});

test('npm install -g --prefix <empty dir> --offline installs balloon-check, its man page, and it checks a simulated guest', (t) => {
  const prefix = join(work, 'prefix');
  mkdirSync(prefix);
  const started = Date.now();
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(out, names.tgz)], { encoding: 'utf8', env: { ...process.env, npm_config_cache: join(work, 'npm-cache') } });
  assert.equal(install.status, 0, install.stdout + install.stderr);
  t.diagnostic(`npm install -g: ${Date.now() - started} ms`);
  const cli = join(prefix, 'bin', 'balloon-check');
  assert.equal(spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout.trim(), `balloon-check ${pkg.version}`);
  const check = spawnSync(cli, ['--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'json'], { encoding: 'utf8' });
  assert.ok([0, 1, 2].includes(check.status!), check.stderr);
  assert.equal((JSON.parse(check.stdout) as { hypervisor: { kind: string } }).hypervisor.kind, 'vmware');
  assert.deepEqual(readdirSync(join(prefix, 'lib', 'node_modules')), [pkg.name], 'npm installed something besides the package');
  // Node 20 and newer: the same installed bundle under the Node 24 of the VS Code lane (.e2e/), when present.
  if (existsSync(NODE24)) {
    const newer = spawnSync(NODE24, [join(prefix, 'lib', 'node_modules', pkg.name, 'dist', 'cli.js'), '--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'json'], { encoding: 'utf8' });
    assert.equal((JSON.parse(newer.stdout) as { hypervisor: { kind: string } }).hypervisor.kind, 'vmware', newer.stderr);
    t.diagnostic(`also ran under ${spawnSync(NODE24, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  }
  const page = join(prefix, 'share', 'man', 'man1', 'balloon-check.1');
  assert.ok(existsSync(page), 'npm did not link the man page into PREFIX/share/man/man1');
  const man = requireCommand(t, 'man', 'man-db');
  if (!man) return;
  const help = spawnSync(cli, ['--help'], { encoding: 'utf8' }).stdout;
  assert.deepEqual(disagreements(help, manSections(renderMan(man, page)).get('OPTIONS') ?? ''), []);
});

test('npx --package <tarball> balloon-check, and npx <tarball>, run offline', () => {
  const env = { ...process.env, npm_config_cache: join(work, 'npx-cache'), npm_config_update_notifier: 'false' };
  const run = (...args: string[]) => spawnSync('npx', ['--yes', '--offline', '--package', join(out, names.tgz), '--', 'balloon-check', ...args], { encoding: 'utf8', env, cwd: work });
  const version = run('--version');
  assert.equal(version.stdout.trim(), `balloon-check ${pkg.version}`, version.stderr);
  const check = run('--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'prometheus');
  assert.match(check.stdout, /^balloon_inspector_\w+/m, check.stderr);
  // `npx balloon-inspector` form: the package's only command runs without naming it.
  // (a relative ./file.tgz: npx runs an absolute path as a command)
  const only = spawnSync('npx', ['--yes', '--offline', `./${names.tgz}`, '--version'], { encoding: 'utf8', env, cwd: out });
  assert.equal(only.stdout.trim(), `balloon-check ${pkg.version}`, only.stderr);
});

test('the VSIX stays under 500 KB (npm run release refuses a larger one)', () => {
  assert.equal(overBudget, '');
  assert.ok(statSync(join(out, names.vsix)).size <= VSIX_LIMIT_BYTES, `${names.vsix} is ${statSync(join(out, names.vsix)).size} bytes`);
});

test('the VSIX holds exactly what vsce ls lists', () => {
  const vsix = join(out, names.vsix);
  // vsce walks every folder of its cwd: it sees the checkout through symlinks, without the heavy
  // ignored folders (code-server's tree in .e2e/ alone takes it 20 s).
  const view = join(work, 'vsce-view');
  mkdirSync(view);
  for (const name of readdirSync(ROOT).filter((entry) => !HEAVY.has(entry) && !entry.startsWith('.stryker-tmp'))) symlinkSync(join(ROOT, name), join(view, name));
  const ls = spawnSync(join(ROOT, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies', '--follow-symlinks'], { cwd: view, encoding: 'utf8' });
  assert.equal(ls.status, 0, ls.stderr);
  // As scripts/package.mjs packages it (--no-dependencies: everything is bundled). vsce renames the docs
  // inside the VSIX (readme.md, changelog.md, LICENSE.txt).
  const renamed: Record<string, string> = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };
  // scripts/package.mjs packs each folder's articles into its articles.pack.br (src/knowledge/pack.ts; test/dist/vsix-size.test.ts).
  const asPacked = (file: string) => file.replace(/^knowledge\/((?:[a-z]{2}\/)?)[^/]+\.md$/, 'knowledge/$1articles.pack.br');
  const listed = [...new Set(ls.stdout.split('\n').filter(Boolean).map((file) => `extension/${renamed[file] ?? asPacked(file)}`))].sort();
  const packed = zipEntries(readFileSync(vsix)).filter((name) => name.startsWith('extension/')).sort();
  assert.deepEqual(packed, listed);
});

test('the released VSIX, whose SHA256 is the one in SHA256SUMS, installs into code-server', (t) => {
  const missing = skipReason();
  if (missing) return t.skip(missing);
  const vsix = join(out, names.vsix);
  const line = readFileSync(join(out, 'SHA256SUMS'), 'utf8').split('\n').find((entry) => entry.endsWith(`  ${names.vsix}`));
  assert.equal(line?.split('  ')[0], sha256(vsix));
  const dir = join(work, `code-server-${randomBytes(4).toString('hex')}`);
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CACHE_HOME: join(dir, 'xdg-cache') };
  const codeServer = (...args: string[]) => spawnSync('nice', ['-n', '10', NODE24, CODE_SERVER_ENTRY, '--user-data-dir', join(dir, 'udd'), '--extensions-dir', join(dir, 'exts'), ...args], { encoding: 'utf8', env, timeout: 120_000 });
  const install = codeServer('--install-extension', vsix);
  assert.equal(install.status, 0, install.stdout + install.stderr);
  const listed = codeServer('--list-extensions', '--show-versions');
  assert.match(listed.stdout, new RegExp(`^${EXTENSION_ID}@${pkg.version.replace(/\./g, '\\.')}$`, 'm'), listed.stdout + listed.stderr);
  const installed = JSON.parse(readFileSync(join(dir, 'exts', `${EXTENSION_ID}-${pkg.version}`, 'package.json'), 'utf8')) as { version: string; files?: unknown };
  assert.equal(installed.version, pkg.version);
  assert.equal(installed.files, undefined, 'the npm whitelist leaked into the VSIX manifest');
});

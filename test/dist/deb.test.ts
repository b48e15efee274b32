// The Debian package of `npm run package:deb`, for real: lintian reports no error, dpkg -i installs it
// into a root made for the test (its dpkg database holds this machine's real nodejs entry, so the
// `nodejs (>= 20)` dependency is checked against the runtime that runs it), the installed
// /usr/bin/balloon-check checks a simulated guest, man renders its page, bash-completion loads its
// completion, systemd-analyze accepts its units, and dpkg -r leaves the root as it found it.
// Nothing is installed into this machine's own /usr.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { guestPath } from '../helpers/guests';
import { isRoot, requireCommand, requireSystem, ROOT, which } from '../helpers/system';
import { complete, disagreements, manSections, renderMan } from './shell';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';
const UNITS = ['balloon-inspector-exporter.service', 'balloon-inspector.service', 'balloon-inspector.timer'];
const work = mkdtempSync(join(tmpdir(), 'bi-deb-'));
const target = join(work, 'root');
let deb = '';
let built = '';

before(() => {
  if (!which('dpkg-deb')) return;
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/package-deb.mjs'), '--out', join(work, 'out')], { cwd: ROOT, encoding: 'utf8' });
  built = run.status === 0 ? '' : `npm run package:deb failed (${run.status}): ${run.stdout}${run.stderr}`;
  deb = join(work, 'out', `${pkg.name}_${pkg.version}_all.deb`);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Every path under dir (relative), but dpkg's own database. */
function treeOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => !path.startsWith('var/lib/dpkg')).sort();
}

function dpkg(...args: string[]) {
  return spawnSync('dpkg', [`--root=${target}`, ...args], { encoding: 'utf8' });
}

/** A root whose dpkg database knows only this machine's nodejs (status entry and an empty file list). */
function makeRoot(): void {
  const status = spawnSync('dpkg-query', ['-s', 'nodejs'], { encoding: 'utf8' });
  assert.equal(status.status, 0, `this machine's nodejs is not a Debian package: ${status.stderr}`);
  mkdirSync(join(target, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(target, 'var/lib/dpkg/updates'), { recursive: true });
  writeFileSync(join(target, 'var/lib/dpkg/status'), status.stdout.endsWith('\n\n') ? status.stdout : `${status.stdout}\n`);
  writeFileSync(join(target, 'var/lib/dpkg/available'), '');
  writeFileSync(join(target, 'var/lib/dpkg/info/nodejs.list'), '');
}

test('package:deb builds balloon-inspector_<version>_all.deb depending on nodejs (>= 20); lintian reports no error', (t) => {
  if (!requireCommand(t, 'dpkg-deb', 'dpkg')) return;
  assert.equal(built, '');
  const field = (name: string) => spawnSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).stdout.trim();
  assert.deepEqual([field('Package'), field('Version'), field('Architecture'), field('Depends')], [pkg.name, pkg.version, 'all', 'nodejs (>= 20)']);
  const lintian = requireCommand(t, 'lintian', 'lintian');
  if (!lintian) return;
  const run = spawnSync(lintian, ['--display-info', '--tag-display-limit', '0', deb], { encoding: 'utf8' });
  const tags = run.stdout.split('\n').filter((line) => /^[EWIPX]: /.test(line));
  // One line per tag (the knowledge base's Markdown is data the CLI reads, tagged once per file).
  const counts = new Map<string, number>();
  for (const tag of tags) counts.set(tag.replace(/ \[.*$/, ''), (counts.get(tag.replace(/ \[.*$/, '')) ?? 0) + 1);
  for (const [tag, count] of counts) t.diagnostic(`lintian ${tag} (${count}x)`);
  assert.deepEqual(tags.filter((line) => line.startsWith('E: ')), [], run.stdout + run.stderr);
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('dpkg -i into a test root: balloon-check runs, man renders, completion loads, units verify; dpkg -r removes all', (t) => {
  if (!requireCommand(t, 'dpkg', 'dpkg') || !requireSystem(t, 'root', isRoot(), 'dpkg -i needs root: run the test as root')) return;
  assert.equal(built, '');
  makeRoot();
  const before = treeOf(target);
  const install = dpkg('-i', deb);
  assert.equal(install.status, 0, install.stdout + install.stderr);
  const listed = dpkg('-L', pkg.name).stdout.split('\n').filter(Boolean).map((path) => relative('/', path)).filter(Boolean);
  const contents = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/)[5].replace(/^\.\/?/, '').replace(/\/$/, '')).filter(Boolean);
  assert.deepEqual([...listed].sort(), [...contents].sort());
  for (const path of listed) assert.ok(existsSync(join(target, path)) || lstatSync(join(target, path)).isSymbolicLink(), `${path} not installed`);

  checkInstalledCli(t);
  checkManAndCompletion(t);
  checkUnits(t);

  const remove = dpkg('-r', pkg.name);
  assert.equal(remove.status, 0, remove.stdout + remove.stderr);
  assert.deepEqual(treeOf(target), before, 'dpkg -r left files behind');
  assert.notEqual(dpkg('-s', pkg.name).status, 0, 'the package is still known after dpkg -r');
});

function checkInstalledCli(t: { diagnostic: (message: string) => void }): void {
  const cli = join(target, 'usr/bin/balloon-check');
  assert.equal(readlinkSync(cli), '../share/balloon-inspector/dist/cli.js');
  assert.equal(readFileSync(realpathSync(cli), 'utf8').split('\n')[0], '#!/usr/bin/node');
  const version = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), `balloon-check ${pkg.version}`, version.stderr);
  const json = spawnSync(cli, ['--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'json'], { encoding: 'utf8' });
  assert.ok([0, 1, 2].includes(json.status!), json.stderr);
  assert.equal((JSON.parse(json.stdout) as { hypervisor: { kind: string } }).hypervisor.kind, 'vmware');
  // Markdown reads the knowledge base installed beside the bundle (/usr/share/balloon-inspector/knowledge).
  const title = readFileSync(join(ROOT, 'knowledge/balloon-inflated.md'), 'utf8').match(/^title: (.+)$/m)![1];
  const markdown = spawnSync(cli, ['--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'markdown'], { encoding: 'utf8' });
  assert.ok(markdown.stdout.includes(`### ${title}`), `the installed CLI did not find its knowledge base:\n${markdown.stdout.slice(0, 2000)}${markdown.stderr}`);
  t.diagnostic(`installed ${dpkg('-L', pkg.name).stdout.split('\n').filter(Boolean).length} paths`);
}

function checkManAndCompletion(t: { skip: (message: string) => void }): void {
  const man = requireCommand(t, 'man', 'man-db');
  if (man) {
    const page = spawnSync(man, ['-M', join(target, 'usr/share/man'), '-P', 'cat', 'balloon-check'], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200' } });
    assert.equal(page.status, 0, page.stderr);
    assert.match(page.stdout, /^BALLOON-CHECK\(1\)/m);
    const help = spawnSync(join(target, 'usr/bin/balloon-check'), ['--help'], { encoding: 'utf8' }).stdout;
    assert.deepEqual(disagreements(help, manSections(renderMan(man, join(target, 'usr/share/man/man1/balloon-check.1.gz'))).get('OPTIONS') ?? ''), []);
  }
  assert.ok(existsSync(join(target, 'usr/share/zsh/vendor-completions/_balloon-check')));
  const bash = requireCommand(t, 'bash', 'bash');
  if (!bash || !requireSystem(t, BASH_COMPLETION, existsSync(BASH_COMPLETION), 'apt-get install bash-completion')) return;
  // bash-completion searches $XDG_DATA_DIRS/bash-completion/completions: here, the test root's /usr/share.
  const env = { PATH: process.env.PATH, HOME: work, XDG_DATA_DIRS: join(target, 'usr/share'), BASH_COMPLETION_USER_DIR: join(work, 'none') };
  const result = complete(bash, `source ${BASH_COMPLETION}; __load_completion balloon-check`, ['balloon-check', '--format', 'n'], env);
  assert.equal(result.spec, 'complete -F _balloon_check balloon-check', result.stderr);
  assert.deepEqual(result.replies, ['nagios', 'ndjson']);
}

function checkUnits(t: { skip: (message: string) => void }): void {
  const analyze = requireCommand(t, 'systemd-analyze', 'systemd');
  const dir = join(target, 'lib/systemd/system');
  assert.deepEqual(readdirSync(dir).sort(), UNITS);
  const copies = join(work, 'units');
  mkdirSync(copies, { recursive: true });
  for (const unit of UNITS) {
    const text = readFileSync(join(dir, unit), 'utf8');
    if (unit.endsWith('.service')) assert.match(text, /^ExecStart=\/usr\/bin\/balloon-check /m);
    // verify checks that ExecStart exists: the installed command, at its place in the test root.
    writeFileSync(join(copies, unit), text.replaceAll('/usr/bin/balloon-check', join(target, 'usr/bin/balloon-check')).replaceAll('/var/lib/prometheus/node-exporter', work));
  }
  if (!analyze) return;
  const run = spawnSync(analyze, ['verify', ...UNITS.map((unit) => join(copies, unit))], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(run.stderr.trim(), '', `systemd-analyze warns:\n${run.stderr}`);
}

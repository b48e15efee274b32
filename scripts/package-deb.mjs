// `npm run package:deb [-- --out DIR] [--stage DIR]`: balloon-inspector_<version>_all.deb, built with
// dpkg-deb from the staged npm package (scripts/release-stage.mjs). Layout:
//   /usr/bin/balloon-check -> ../share/balloon-inspector/dist/cli.js (shebang #!/usr/bin/node)
//   /usr/share/balloon-inspector/   the bundle, knowledge base, schema and a marker package.json
//   /usr/share/man/man1/balloon-check.1.gz, bash and zsh completion, /lib/systemd/system/ units (not enabled)
// It depends on Debian's nodejs (>= 20) instead of carrying a runtime: the bundle is architecture-free
// JavaScript, and Node.js security updates then come from the distribution, not from us.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { bundledPackages } from './release-sbom.mjs';
import { ROOT, readPackage, sourceDateEpoch, stageNpmPackage } from './release-stage.mjs';

export const MAINTAINER = 'Balloon Inspector maintainers <balloon-inspector@users.noreply.github.com>';
export const HOMEPAGE = 'https://github.com/balloon-inspector/balloon-inspector';
const SHARE = 'usr/share/balloon-inspector';
const UNITS = ['balloon-inspector.service', 'balloon-inspector.timer', 'balloon-inspector-exporter.service'];

/** gzip -9n: no name, no time stamp (reproducible; lintian checks both). */
const gzip = (text) => gzipSync(text, { level: 9 });

function write(root, path, content, mode = 0o644) {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
}

/** "ssh2 1.17.0 (MIT)" for each package whose code is in the CLI bundle (esbuild's metafile, as the SBOM). */
async function cliLibraries(root) {
  const shipped = await bundledPackages(root);
  return [...shipped].filter(([, bundles]) => bundles.has('cli.js')).map(([path]) => {
    const { name, version, license, licenses } = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));
    // `licenses: [{ type }]` is the old form (ssh2, cpu-features).
    const id = typeof license === 'string' ? license : Array.isArray(licenses) ? licenses.map((entry) => entry.type).join(' OR ') : 'see its package';
    return `${name} ${version} (${id})`;
  }).sort();
}

function copyright(pkg, libraries) {
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8').trim();
  const holder = (license.match(/^Copyright \(c\) (.+)$/im) ?? [null, 'Balloon Inspector contributors'])[1];
  const body = license.split('\n').slice(license.split('\n').findIndex((line) => /^Permission/.test(line)))
    .map((line) => (line.trim() ? ` ${line}` : ' .')).join('\n');
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ${pkg.name}
Source: ${HOMEPAGE}

Files: *
Copyright: ${holder}
License: Expat
Comment: usr/share/balloon-inspector/dist/cli.js also bundles these JavaScript libraries,
 each under its own license (the release's CycloneDX SBOM lists them too):
${libraries.map((library) => ` ${library}`).join('\n')}

License: Expat
${body}
`;
}

function debianChangelog(pkg, epoch) {
  const date = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  return `${pkg.name} (${pkg.version}) unstable; urgency=medium

  * Release ${pkg.version}; the full history is CHANGELOG.md of the source.

 -- ${MAINTAINER}  ${date}
`;
}

function control(pkg, installedKiB) {
  return `Package: ${pkg.name}
Version: ${pkg.version}
Architecture: all
Maintainer: ${MAINTAINER}
Installed-Size: ${installedKiB}
Depends: nodejs (>= 20)
Section: admin
Priority: optional
Homepage: ${HOMEPAGE}
Description: check memory ballooning in Linux guests
 balloon-check tells whether the hypervisor is taking memory back from a
 Linux guest through a balloon driver (VMware, KVM/virtio, Hyper-V, Xen),
 how much, why, and what to do about it. It checks this machine, a snapshot,
 a sos report or a fleet of guests over SSH, writes text, JSON, Markdown,
 Prometheus or Nagios output, and runs as a Prometheus exporter
 (balloon-check serve). The systemd units are shipped but not enabled.
`;
}

/** Every regular file under dir, relative to it. */
function filesUnder(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, base);
    return entry.isFile() ? [relative(base, path)] : [];
  });
}

/** The package's files under `tree` (stage = the npm package staged by release-stage.mjs). */
function populateTree(tree, stage, pkg, epoch, libraries) {
  const cli = readFileSync(join(stage, 'dist/cli.js'), 'utf8').replace(/^#!.*\n/, '#!/usr/bin/node\n');
  write(tree, `${SHARE}/dist/cli.js`, cli, 0o755);
  cpSync(join(stage, 'knowledge'), join(tree, SHARE, 'knowledge'), { recursive: true });
  write(tree, `${SHARE}/report.schema.json`, readFileSync(join(stage, 'report.schema.json')));
  // The CLI finds its knowledge/ beside the nearest package.json above the bundle.
  write(tree, `${SHARE}/package.json`, `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, license: pkg.license }, null, 2)}\n`);
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  symlinkSync('../share/balloon-inspector/dist/cli.js', join(tree, 'usr/bin/balloon-check'));
  write(tree, 'usr/share/man/man1/balloon-check.1.gz', gzip(readFileSync(join(stage, 'man/balloon-check.1'))));
  write(tree, 'usr/share/bash-completion/completions/balloon-check', readFileSync(join(stage, 'completion/balloon-check.bash')));
  write(tree, 'usr/share/zsh/vendor-completions/_balloon-check', readFileSync(join(stage, 'completion/_balloon-check')));
  for (const unit of UNITS) {
    const text = readFileSync(join(ROOT, 'monitoring/systemd', unit), 'utf8').replaceAll('/usr/local/bin/balloon-check', '/usr/bin/balloon-check');
    write(tree, `lib/systemd/system/${unit}`, text);
  }
  write(tree, `usr/share/doc/${pkg.name}/copyright`, copyright(pkg, libraries));
  write(tree, `usr/share/doc/${pkg.name}/changelog.gz`, gzip(debianChangelog(pkg, epoch)));
}

function writeDebian(tree, pkg) {
  const files = filesUnder(tree).sort();
  const md5sums = files.map((file) => `${createHash('md5').update(readFileSync(join(tree, file))).digest('hex')}  ${file}\n`).join('');
  const bytes = files.reduce((sum, file) => sum + statSync(join(tree, file)).size, 0);
  write(tree, 'DEBIAN/control', control(pkg, Math.ceil(bytes / 1024) + 1));
  write(tree, 'DEBIAN/md5sums', md5sums);
}

/** Builds the .deb from a staged npm package into outDir; returns its path. */
export async function buildDeb(stage, outDir, root = ROOT) {
  const pkg = readPackage(root);
  const epoch = sourceDateEpoch(root);
  const libraries = await cliLibraries(root);
  const tree = mkdtempSync(join(tmpdir(), 'balloon-inspector-deb-'));
  try {
    chmodSync(tree, 0o755);
    populateTree(tree, stage, pkg, epoch, libraries);
    writeDebian(tree, pkg);
    const deb = join(outDir, `${pkg.name}_${pkg.version}_all.deb`);
    mkdirSync(outDir, { recursive: true });
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } });
    return deb;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

async function main() {
  const arg = (flag) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
  const outDir = arg('--out') ?? ROOT;
  const given = arg('--stage');
  const stage = given ?? mkdtempSync(join(tmpdir(), 'balloon-inspector-npm-'));
  try {
    if (!given || !existsSync(join(stage, 'dist/cli.js'))) stageNpmPackage(stage);
    const deb = await buildDeb(stage, outDir);
    console.log(`${deb}: ${(statSync(deb).size / 1024).toFixed(1)} KiB`);
  } finally {
    if (!given) rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

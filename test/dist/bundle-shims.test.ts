// The bundles' stand-ins for parts of dependencies (scripts/esbuild-plugins.mjs), which keep the VSIX under
// its budget: tweetnacl's SHA-512 through Node's crypto gives bcrypt-pbkdf (ssh2's passphrase-protected
// OpenSSH keys) the same keys as the real tweetnacl; ssh2's SFTP and tweetnacl are refused to any module
// beyond the ones that were checked; tar comes from its subpath exports. The CLI's SSH tests
// (test/ssh/fleet.test.ts, encrypted keys on a terminal, a real sshd) run through these bundles.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { build, type Plugin } from 'esbuild';
import { ROOT } from '../helpers/system';

type Plugins = { tarSubpaths: Plugin; ssh2WithoutSftp: Plugin; tweetnaclSha512: Plugin };
const pluginsModule = () => import(join(ROOT, 'scripts', 'esbuild-plugins.mjs')) as Promise<Plugins>;

/** `source` bundled as the extension's bundles are (CommonJS for Node), with `plugins`; its exports. */
async function bundle(source: string, plugins: Plugin[]): Promise<Record<string, unknown>> {
  const result = await build({ stdin: { contents: source, resolveDir: ROOT, loader: 'js' }, bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20', external: ['*.node'], logLevel: 'silent', plugins });
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', '__dirname', '__filename', result.outputFiles[0].text)(module, module.exports, require, ROOT, join(ROOT, 'bundle.js'));
  return module.exports;
}

test('bcrypt-pbkdf with the SHA-512 shim derives the same keys as with tweetnacl', async () => {
  const { tweetnaclSha512 } = await pluginsModule();
  const source = "module.exports = { pbkdf: require('bcrypt-pbkdf').pbkdf };";
  type Pbkdf = (pass: Buffer, passLength: number, salt: Buffer, saltLength: number, key: Buffer, keyLength: number, rounds: number) => number;
  const shimmed = (await bundle(source, [tweetnaclSha512])).pbkdf as Pbkdf;
  const real = (await bundle(source, [])).pbkdf as Pbkdf;
  for (const [passLength, saltLength, keyLength, rounds] of [[0, 16, 48, 1], [1, 16, 48, 1], [12, 16, 48, 16], [111, 16, 32, 2], [112, 8, 64, 2], [200, 24, 80, 3]]) {
    const pass = randomBytes(passLength);
    const salt = randomBytes(saltLength);
    const [a, b] = [Buffer.alloc(keyLength), Buffer.alloc(keyLength)];
    // (An empty passphrase is refused, -1, by both.)
    assert.equal(shimmed(pass, passLength, salt, saltLength, a, keyLength, rounds), real(pass, passLength, salt, saltLength, b, keyLength, rounds));
    assert.deepEqual(a, b, `pass ${passLength} bytes, salt ${saltLength}, key ${keyLength}, ${rounds} rounds`);
  }
});

test('ssh2 without SFTP: its client and utils bundle, a module wanting the real SFTP fails the build', async () => {
  const { ssh2WithoutSftp } = await pluginsModule();
  const client = await bundle("module.exports = { Client: require('ssh2/lib/client.js') };", [ssh2WithoutSftp]);
  assert.equal(typeof client.Client, 'function');
  await assert.rejects(bundle("module.exports = require('ssh2');", [ssh2WithoutSftp]), /ssh2-without-sftp: .*index\.js needs ssh2's SFTP\.js/);
});

test('tweetnacl for anything but bcrypt-pbkdf fails the build', async () => {
  const { tweetnaclSha512 } = await pluginsModule();
  await assert.rejects(bundle("module.exports = require('tweetnacl');", [tweetnaclSha512]), /tweetnacl-sha512: .* needs more of tweetnacl/);
});

test('tar through its subpath exports: Parser and create, and no other name', async () => {
  const { tarSubpaths } = await pluginsModule();
  const tar = await bundle("const { Parser, create } = require('tar'); module.exports = { Parser, create };", [tarSubpaths]);
  assert.equal(typeof tar.Parser, 'function');
  assert.equal(typeof tar.create, 'function');
  await assert.rejects(bundle("import { extract } from 'tar'; module.exports = { extract };", [tarSubpaths]), /No matching export|extract/);
});

// esbuild plugins shared by scripts/build.mjs and scripts/package.mjs.

/**
 * `tar` through the two modules we use. Its main export is a prebuilt, minified bundle of the whole package
 * (dist/esm/index.min.js) that esbuild cannot tree-shake (84 KB in every bundle that reads an archive);
 * `tar/parse` and `tar/create` are the same package's own subpath exports of the same code. A name the
 * sources import from 'tar' besides these two fails the build ("No matching export"), never silently.
 */
export const tarSubpaths = {
  name: 'tar-subpaths',
  setup(build) {
    build.onResolve({ filter: /^tar$/ }, (args) => ({ path: 'tar', namespace: 'tar-subpaths', pluginData: args.resolveDir }));
    build.onLoad({ filter: /.*/, namespace: 'tar-subpaths' }, (args) => ({
      contents: "export { Parser } from 'tar/parse';\nexport { create } from 'tar/create';\n",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

/**
 * ssh2's SFTP client (ssh2/lib/protocol/SFTP.js, 50 KB minified) replaced by a class that cannot be built. Only
 * Client#sftp() constructs an SFTP (client.js, for a channel of type 'sftp'), and nothing here calls it: we run
 * commands on exec channels. utils.js compares a channel's constructor with SFTP, which stays false for every
 * channel as before. Any other module of ssh2 reaching for SFTP.js (its server, its index with the SFTP
 * constants) fails the build instead of getting a stub.
 */
export const ssh2WithoutSftp = {
  name: 'ssh2-without-sftp',
  setup(build) {
    build.onResolve({ filter: /(?:^|\/)SFTP\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]/.test(args.importer)) return undefined;
      if (!/[\\/]ssh2[\\/]lib[\\/](?:client|utils)\.js$/.test(args.importer)) {
        return { errors: [{ text: `ssh2-without-sftp: ${args.importer} needs ssh2's SFTP.js; bundle it (drop the plugin) or avoid that module` }] };
      }
      return { path: 'ssh2-sftp-stub', namespace: 'ssh2-without-sftp' };
    });
    build.onLoad({ filter: /.*/, namespace: 'ssh2-without-sftp' }, () => ({
      contents: "class SFTP { constructor() { throw new Error('SFTP is not part of this build of ssh2 (scripts/esbuild-plugins.mjs)'); } }\nmodule.exports = { SFTP };\n",
      loader: 'js',
    }));
  },
};

/**
 * tweetnacl (34 KB minified) is in the bundles only for bcrypt-pbkdf (ssh2 decrypting a passphrase-protected
 * OpenSSH key), which takes one function of it: `lowlevel.crypto_hash`, SHA-512. Node's crypto computes the
 * same digest. Any other importer of tweetnacl fails the build instead of getting the shim.
 */
export const tweetnaclSha512 = {
  name: 'tweetnacl-sha512',
  setup(build) {
    build.onResolve({ filter: /^tweetnacl$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]bcrypt-pbkdf[\\/]index\.js$/.test(args.importer)) {
        return { errors: [{ text: `tweetnacl-sha512: ${args.importer} needs more of tweetnacl than SHA-512; bundle it (drop the plugin)` }] };
      }
      return { path: 'tweetnacl-sha512', namespace: 'tweetnacl-sha512' };
    });
    build.onLoad({ filter: /.*/, namespace: 'tweetnacl-sha512' }, () => ({
      contents: [
        "const { createHash } = require('node:crypto');",
        '// tweetnacl.lowlevel.crypto_hash(out, m, n): the SHA-512 digest of m[0..n) into out[0..64), returns 0.',
        "function crypto_hash(out, m, n) { out.set(createHash('sha512').update(m.subarray(0, n)).digest()); return 0; }",
        'module.exports = { lowlevel: { crypto_hash } };',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** Every plugin above, as scripts/build.mjs, package.mjs and release-sbom.mjs (whose metafile names what the bundles hold) use them. */
export const bundlePlugins = [tarSubpaths, ssh2WithoutSftp, tweetnaclSha512];

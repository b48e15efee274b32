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

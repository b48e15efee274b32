import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import test from 'node:test';
import { cliSources, isCi, staleBundleReason } from '../helpers/system';

// The helpers every system test leans on: CI detection (skips become failures) and the stale-bundle guard.

test('any non-empty CI counts as CI (CI=yes, CI=1, CI=true); unset or empty does not', () => {
  for (const value of ['yes', '1', 'true', 'on', 'woodpecker']) assert.equal(isCi({ CI: value }), true, value);
  assert.equal(isCi({}), false);
  assert.equal(isCi({ CI: '' }), false);
});

test('a CLI bundle older than any source file (probe.sh included) is refused with "run npm run build"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-bundle-'));
  try {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'core'), { recursive: true });
    writeFileSync(join(src, 'core', 'report.ts'), 'export {};\n');
    writeFileSync(join(src, 'core', 'probe.sh'), '#!/bin/sh\n');
    const bundle = join(dir, 'cli.js');
    assert.match(staleBundleReason(bundle, [src]) ?? '', /missing: run npm run build/);
    writeFileSync(bundle, '');
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    utimesSync(join(src, 'core', 'report.ts'), at(0), at(0));
    utimesSync(join(src, 'core', 'probe.sh'), at(0), at(0));
    utimesSync(bundle, at(10), at(10));
    assert.equal(staleBundleReason(bundle, [src]), null, 'a bundle newer than every source is fresh');
    utimesSync(join(src, 'core', 'probe.sh'), at(20), at(20));
    assert.match(staleBundleReason(bundle, [src]) ?? '', /older than .*probe\.sh: run npm run build/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI bundle is checked against every source folder but the extension (which the CLI never imports)', () => {
  const folders = cliSources().map((dir) => basename(dir)).sort();
  for (const folder of ['cli', 'core', 'shared', 'transport']) assert.ok(folders.includes(folder), `${folder} is a source of dist/cli.js`);
  assert.ok(!folders.includes('extension'));
  const dir = mkdtempSync(join(tmpdir(), 'bi-bundle-'));
  try {
    const bundle = join(dir, 'cli.js');
    writeFileSync(bundle, '');
    utimesSync(bundle, new Date(0), new Date(0));
    assert.match(staleBundleReason(bundle) ?? '', /src\/\w+\/.* run npm run build/, 'a bundle from 1970 is older than the sources');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

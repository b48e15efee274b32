import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { guestPath } from '../helpers/guests';
import { cliBundle, ROOT } from '../helpers/system';

// The probe script is bundled into dist/cli.js as text at build time: the bundle alone, with no probe.sh
// beside it, prints the script and checks a guest.
test('dist/cli.js alone (no probe.sh beside it) prints the probe script and checks a guest', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(cliBundle(), join(dir, 'cli.js'));
  assert.deepEqual(readdirSync(dir), ['cli.js']);

  const script = spawnSync(process.execPath, [join(dir, 'cli.js'), '--script'], { encoding: 'utf8' });
  assert.equal(script.status, 0, script.stderr);
  assert.equal(script.stdout, readFileSync(join(ROOT, 'src', 'core', 'probe.sh'), 'utf8'));

  const check = spawnSync(process.execPath, [join(dir, 'cli.js'), '--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'json'], { encoding: 'utf8' });
  assert.ok([0, 1, 2].includes(check.status!), check.stderr); // ok, warning or critical: a report, not a failure
  const report = JSON.parse(check.stdout) as { hypervisor: { kind: string } };
  assert.equal(report.hypervisor.kind, 'vmware');
});

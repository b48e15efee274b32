import assert from 'node:assert/strict';
import test from 'node:test';
import { runCli } from '../../src/cli/main';
import { isLinuxGuestPlatform, localCheckRefusal, platformName } from '../../src/shared/platform';
import { guestPath } from '../helpers/guests';

/** The CLI in this process, with the platform it would see on another machine. */
async function cliOn(platform: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; }, isTty: false, env: {}, platform });
  return { code, stdout, stderr };
}

test('only Linux checks itself: Windows and macOS are workstations that reach Linux guests over SSH', () => {
  assert.equal(isLinuxGuestPlatform('linux'), true);
  assert.equal(isLinuxGuestPlatform('win32'), false);
  assert.equal(isLinuxGuestPlatform('darwin'), false);
  assert.equal(localCheckRefusal('linux'), null);
  for (const [platform, name] of [['win32', 'Windows'], ['darwin', 'macOS']]) {
    const refusal = localCheckRefusal(platform);
    assert.ok(refusal, platform);
    assert.match(refusal, new RegExp(`checks Linux guests, and this machine runs ${name}`));
    assert.match(refusal, /--ssh HOST/);
  }
  assert.equal(platformName('__proto__'), '__proto__');
});

for (const platform of ['win32', 'darwin']) {
  test(`balloon-check on ${platform} without --ssh, --root or --input: says it checks Linux guests, points to --ssh, exit 3`, async () => {
    const run = await cliOn(platform, ['--format', 'json']);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '', 'no report of a machine that was not checked');
    assert.match(run.stderr, /checks Linux guests/);
    assert.match(run.stderr, /--ssh/);
  });

  test(`balloon-check on ${platform} still analyses a snapshot (--root)`, async () => {
    const run = await cliOn(platform, ['--root', guestPath('vmware-limit-12g-of-32g'), '--format', 'json']);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'critical');
  });
}

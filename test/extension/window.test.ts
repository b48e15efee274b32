import assert from 'node:assert/strict';
import test from 'node:test';
import { checkChoices } from '../../src/extension/model/pick';
import { buildTree, WINDOW_GUEST_ID, type GuestState } from '../../src/extension/model/tree';
import { windowGuest } from '../../src/extension/model/window';

const sshGuest = (alias: string): GuestState => ({
  id: `ssh:${alias}`, label: alias, description: 'SSH', source: 'ssh-config', checking: false, report: null, error: null, checkedAt: null,
});

/** The guests of a window as GuestManager lists them: its own (when it is a guest), then the SSH hosts. */
function guestsOf(platform: string, sshAliases: string[]): GuestState[] {
  const own = windowGuest(undefined, 'desk-07', platform);
  const window: GuestState[] = own ? [{ id: WINDOW_GUEST_ID, label: own.label, description: own.description, source: 'window', checking: false, report: null, error: null, checkedAt: null }] : [];
  return [...window, ...sshAliases.map(sshGuest)];
}

test('a local window on Linux is a guest: its own node, and "Check Ballooning" checks it at once', () => {
  assert.deepEqual(windowGuest(undefined, 'desk-07', 'linux'), { kind: 'local', label: 'This machine', description: 'desk-07', listsSshConfigHosts: true });
  const guests = guestsOf('linux', []);
  assert.deepEqual(buildTree(guests).map((node) => node.id), [WINDOW_GUEST_ID]);
  assert.deepEqual(checkChoices(guests, true), { now: { kind: 'guests', ids: [WINDOW_GUEST_ID] } });
  const withHosts = checkChoices(guestsOf('linux', ['db01', 'db02']), true);
  assert.ok('pick' in withHosts);
  assert.deepEqual(withHosts.pick.map((item) => item.label), ['This machine', 'db01', 'db02', 'All guests'], 'no "Add SSH Host" where the window is a guest');
});

for (const platform of ['win32', 'darwin']) {
  test(`a window on ${platform} is not a guest: no node of its own, "Check Ballooning" offers the SSH hosts and "Add SSH Host", the status bar has no guest to follow`, () => {
    assert.equal(windowGuest(undefined, 'desk-07', platform), null);
    assert.equal(windowGuest('ssh-remote', 'mac-build', platform), null, 'a Remote-SSH window on a macOS host is not a Linux guest either');
    const none = guestsOf(platform, []);
    assert.deepEqual(buildTree(none), []);
    const alone = checkChoices(none, true);
    assert.ok('pick' in alone);
    assert.deepEqual(alone.pick.map((item) => item.choice), [{ kind: 'add-ssh-host' }]);
    const guests = guestsOf(platform, ['db01', 'db02']);
    assert.deepEqual(buildTree(guests).map((node) => node.id), ['ssh:db01', 'ssh:db02']);
    const offered = checkChoices(guests, true);
    assert.ok('pick' in offered);
    assert.deepEqual(offered.pick.map((item) => item.choice), [
      { kind: 'guests', ids: ['ssh:db01'] }, { kind: 'guests', ids: ['ssh:db02'] }, { kind: 'guests', ids: ['ssh:db01', 'ssh:db02'] }, { kind: 'add-ssh-host' },
    ]);
    const one = checkChoices(guestsOf(platform, ['db01']), true);
    assert.ok('pick' in one, 'a single SSH host is offered, not checked unasked');
    // The status bar follows the window's own guest only (statusBar.ts): there is none here.
    assert.ok(!guests.some((guest) => guest.id === WINDOW_GUEST_ID));
  });
}

test('the pick shows when a guest was checked in the user\'s clock, not ISO', () => {
  const checked: GuestState = { ...sshGuest('db01'), report: { status: 'ok', collectedAt: '2025-01-02T03:04:05Z' } as GuestState['report'] };
  const choices = checkChoices([checked, sshGuest('db02')], false, { locale: 'en-GB', timeZone: 'UTC', now: Date.parse('2025-01-02T03:06:05Z') });
  assert.ok('pick' in choices);
  assert.equal(choices.pick[0].detail, 'OK, checked 03:04:05 (2 min ago)');
});

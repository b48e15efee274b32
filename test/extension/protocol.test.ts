import assert from 'node:assert/strict';
import test from 'node:test';
import { isToExtension, isToWebview, type ToExtension } from '../../src/shared/protocol';

test('every message the page may send passes the extension\'s guard', () => {
  const valid: ToExtension[] = [
    { type: 'ready', guestId: null },
    { type: 'ready', guestId: 'this' },
    { type: 'checkAgain', guestId: 'ssh:admin@10.0.0.5:2222' },
    { type: 'copy', guestId: 'this', format: 'markdown' },
    { type: 'copy', guestId: 'this', format: 'json' },
    { type: 'openRunbook', guestId: 'this', runbookId: 'vmware-balloon-and-limit' },
    { type: 'openArticle', articleId: 'what-is-ballooning' },
  ];
  for (const message of valid) assert.equal(isToExtension(message), true, JSON.stringify(message));
});

test('anything else is refused: unknown types, missing or hostile fields, non-objects', () => {
  const invalid: unknown[] = [
    null, undefined, 'ready', 42, [], {},
    { type: 'runCommand', command: 'rm -rf /' },
    { type: 'copy', guestId: 'this', format: 'html' },
    { type: 'checkAgain' },
    { type: 'checkAgain', guestId: 'x y' },
    { type: 'checkAgain', guestId: 'a'.repeat(301) },
    { type: 'openRunbook', guestId: 'this', runbookId: '../../etc/passwd' },
    { type: 'openRunbook', guestId: 'this', runbookId: { toString: () => 'x' } },
    { type: 'openArticle', articleId: 'a;b' },
    { type: 'ready', guestId: 7 },
  ];
  for (const message of invalid) assert.equal(isToExtension(message), false, JSON.stringify(message));
});

test('the page refuses malformed messages from the extension side too', () => {
  const model = { guestId: 'this', guestLabel: 'This machine', report: { findings: [] }, articles: {}, runbooks: {}, trend: [] };
  assert.equal(isToWebview({ type: 'show', model }), true);
  assert.equal(isToWebview({ type: 'show', model, focusFindingId: 'balloon-inflated' }), true);
  assert.equal(isToWebview({ type: 'checking', guestId: 'this' }), true);
  assert.equal(isToWebview({ type: 'error', guestId: 'this', message: 'refused' }), true);
  assert.equal(isToWebview({ type: 'show', model: { ...model, report: null } }), false);
  assert.equal(isToWebview({ type: 'show', model: { ...model, trend: 'x' } }), false);
  assert.equal(isToWebview({ type: 'show', model, focusFindingId: '"]; x' }), false);
  assert.equal(isToWebview({ type: 'error', guestId: 'this' }), false);
  assert.equal(isToWebview({ type: 'eval', code: '1' }), false);
});

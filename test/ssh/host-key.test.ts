import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { keyscanCommand, verifyHostKey, type HostKeyCheck, type HostKeyDecision } from '../../src/transport/ssh';
import { readKnownHosts } from '../../src/transport/ssh-known-hosts';

// verifyHostKey is the host-key decision of SshTransport.connect as a pure function: known_hosts
// read from real files, the key a server would present, the decision and its message.

const home = mkdtempSync(join(tmpdir(), 'bi-hostkey-'));
test.after(() => rmSync(home, { recursive: true, force: true }));

/** A key blob as a server presents it: string type, then the key bytes. */
function blob(type: string, fill: number): Buffer {
  const name = Buffer.from(type);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(name.length);
  return Buffer.concat([head, name, Buffer.alloc(36, fill)]);
}
/** A known_hosts line for the key: `[marker] hosts type base64`. */
const line = (hosts: string, key: Buffer, marker = '') => {
  const type = key.subarray(4, 4 + key.readUInt32BE(0)).toString('latin1');
  return `${marker ? `${marker} ` : ''}${hosts} ${type} ${key.toString('base64')}`;
};

const serverKey = blob('ssh-ed25519', 1);
const otherKey = blob('ssh-ed25519', 2);
const rsaKey = blob('ssh-rsa', 3);

function check(lines: string[], options: { alias?: string; acceptUnknown?: boolean; port?: number } = {}): HostKeyCheck {
  const file = join(home, `known_hosts_${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const host = { hostName: 'db.example', port: options.port ?? 2222, userKnownHostsFiles: [file], globalKnownHostsFiles: [], hostKeyAlias: options.alias };
  return { label: 'admin@db.example:2222', host, known: readKnownHosts([file]), acceptUnknown: options.acceptUnknown ?? false };
}

function refused(decision: HostKeyDecision): { kind: string; message: string } {
  assert.equal(decision.accept, false, 'the key was accepted');
  return decision.accept ? { kind: '', message: '' } : { kind: decision.error.kind, message: decision.error.message };
}

test('known: the key known_hosts holds for [host]:port is accepted and not added again', () => {
  assert.deepEqual(verifyHostKey(serverKey, check([line('[db.example]:2222', serverKey)])), { accept: true, addToKnownHosts: false });
});

test('unknown: refused with the file and the ssh-keyscan line to add it; accept-new accepts and adds it', () => {
  const strict = check([line('[elsewhere]:2222', serverKey)]);
  const error = refused(verifyHostKey(serverKey, strict));
  assert.equal(error.kind, 'host-key-unknown');
  assert.ok(error.message.startsWith('admin@db.example:2222: host key SHA256:'), error.message);
  assert.ok(error.message.includes(`is not in ${strict.host.userKnownHostsFiles[0]}`), error.message);
  assert.ok(error.message.endsWith(keyscanCommand(strict.host, strict.host.userKnownHostsFiles[0])), error.message);
  assert.deepEqual(verifyHostKey(serverKey, check([], { acceptUnknown: true })), { accept: true, addToKnownHosts: true });
});

test('unknown type while known_hosts has other types for the host: refused even with accept-new', () => {
  const error = refused(verifyHostKey(serverKey, check([line('[db.example]:2222', rsaKey)], { acceptUnknown: true })));
  assert.equal(error.kind, 'host-key-unknown');
  assert.match(error.message, /has only ssh-rsa keys\. Not connecting/);
});

test('changed: another key of the same type is a possible man-in-the-middle, never accepted; the message names file:line and the ssh-keygen -R line', () => {
  const changed = check(['# comment', line('[db.example]:2222', otherKey)], { acceptUnknown: true });
  const error = refused(verifyHostKey(serverKey, changed));
  assert.equal(error.kind, 'host-key-changed');
  assert.match(error.message, /THE HOST KEY HAS CHANGED/);
  assert.ok(error.message.includes(`${changed.host.userKnownHostsFiles[0]}:2 holds another ssh-ed25519 key for [db.example]:2222`), error.message);
  assert.ok(error.message.includes("ssh-keygen -R '[db.example]:2222' -f"), error.message);
});

test('revoked: a key marked @revoked is refused whichever host presents it, even when also listed as known', () => {
  const revoked = check([line('[db.example]:2222', serverKey), line('*', serverKey, '@revoked')], { acceptUnknown: true });
  const error = refused(verifyHostKey(serverKey, revoked));
  assert.equal(error.kind, 'host-key-changed');
  assert.ok(error.message.includes(`${revoked.host.userKnownHostsFiles[0]}:2 marks @revoked`), error.message);
});

test('HostKeyAlias: the key is looked up and removed under the alias, not under host or [host]:port', () => {
  assert.deepEqual(verifyHostKey(serverKey, check([line('db-alias', serverKey)], { alias: 'db-alias' })), { accept: true, addToKnownHosts: false });
  // Listed under the real name only: unknown for the alias.
  assert.equal(refused(verifyHostKey(serverKey, check([line('[db.example]:2222', serverKey)], { alias: 'db-alias' }))).kind, 'host-key-unknown');
  const error = refused(verifyHostKey(serverKey, check([line('db-alias', otherKey)], { alias: 'db-alias' })));
  assert.ok(error.message.includes("holds another ssh-ed25519 key for db-alias") && error.message.includes("ssh-keygen -R 'db-alias' -f"), error.message);
});

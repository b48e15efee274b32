import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { expectedOutput, loadKnowledgeBase, outputContains, type KnowledgeDoc, type RunbookBlock } from '../../src/knowledge';
import { requireCommand, ROOT } from '../helpers/system';
import { FIXTURE_GUESTS, requireNamespaces, runOnGuest, type GuestRun } from '../helpers/with-guest';
import { STEP_EXPECTATIONS, type StepExpectation } from './runbook-expectations';

/**
 * Steps that change the system are never run — except these, whose only effect (a debugfs mount)
 * lives and dies with the private mount namespace. See knowledge/README.md.
 */
const NAMESPACE_SAFE_MUTATIONS = new Set(['mount-debugfs', 'hv-mount-debugfs']);

const kb = loadKnowledgeBase(join(ROOT, 'knowledge'));
const docs: KnowledgeDoc[] = [...kb.articles.values(), ...kb.runbooks.values()];
const steps = docs.flatMap((doc) => doc.blocks.map((block) => ({ doc, block, label: `${doc.kind} ${doc.id}, step ${block.attributes.name ?? block.index}` })));
/** Mount points under /proc and /sys of this (the test's own) mount namespace. */
const procSysMounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4]).filter((point) => /^\/(proc|sys)(\/|$)/.test(point ?? '')).sort();
const runs = (block: RunbookBlock) => !block.attributes.mutates || NAMESPACE_SAFE_MUTATIONS.has(block.attributes.name ?? '');
async function inPool<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const index = next++; results[index] = await run(items[index]); } };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
const interpreter = (block: RunbookBlock) => (block.language === 'bash' ? 'bash' : 'sh');
/** How a step is proven: the test-side table, by the step's name (the runbook's info string stays short). */
const proof = (block: RunbookBlock): StepExpectation => (Object.hasOwn(STEP_EXPECTATIONS, block.attributes.name ?? '') ? STEP_EXPECTATIONS[block.attributes.name!] : { guests: [] });
const expected = (block: RunbookBlock, guest: string) => expectedOutput({ ...block.attributes, ...proof(block) }, guest);
/**
 * A simulated KVM host (a fixture with `libvirt-node.xml`) is libvirt's test driver on that node: its steps' virsh
 * connects there through LIBVIRT_DEFAULT_URI, as on a host where that variable names the hypervisor.
 */
const guestEnv = (guest: string): NodeJS.ProcessEnv => {
  const node = join(FIXTURE_GUESTS, guest, 'libvirt-node.xml');
  return existsSync(node) ? { LIBVIRT_DEFAULT_URI: `test://${node}` } : {};
};
/** What a runnable block's info string may say: what the reader and the editor need, as in Runme's. */
const INFO_KEYS = new Set(['name', 'root', 'mutates', 'interactive', 'background', 'cwd']);

test('the runbooks have runnable steps, and each is proven on at least one guest or says why not', () => {
  assert.ok(steps.length >= 25, `only ${steps.length} runnable steps`);
  const proven = steps.filter(({ block }) => runs(block) && proof(block).guests.length > 0);
  assert.ok(proven.length >= 20, `only ${proven.length} steps run on guests`);
  for (const { block, label } of steps) {
    const { attributes } = block;
    assert.ok(block.declared, `${label}: a runnable block must declare its attributes`);
    assert.equal(attributes.error, undefined, `${label}: ${attributes.error}`);
    assert.ok(attributes.name, `${label}: needs a name`);
    if (!attributes.mutates) {
      assert.ok(proof(block).guests.length > 0 || typeof proof(block).untested === 'string', `${label}: read-only but names no guest and no "untested" reason (test/knowledge/runbook-expectations.ts)`);
    }
    for (const guest of proof(block).guests) {
      assert.ok(existsSync(join(FIXTURE_GUESTS, guest)), `${label}: guest ${guest} does not exist`);
      assert.ok(expected(block, guest), `${label}: no expected output for ${guest}`);
    }
    // The parser always lists `guests` (empty when the info string names none).
    const extra = Object.keys(attributes).filter((key) => !INFO_KEYS.has(key) && !(key === 'guests' && !attributes.guests.length));
    assert.deepEqual(extra, [], `${label}: the info string says only name, root and mutates; test expectations go in test/knowledge/runbook-expectations.ts`);
  }
  const names = steps.map(({ block }) => block.attributes.name);
  assert.equal(new Set(names).size, names.length, 'step names repeat: the expectations table is keyed by them');
  for (const name of Object.keys(STEP_EXPECTATIONS)) assert.ok(names.includes(name), `runbook-expectations.ts: no step is named ${name}`);
});

test('every runnable step is valid shell and passes shellcheck', (t) => {
  for (const { block, label } of steps) {
    const syntax = spawnSync(interpreter(block), ['-n', '-c', block.command], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, `${label}: ${syntax.stderr}`);
  }
  const shellcheck = requireCommand(t, 'shellcheck', 'shellcheck');
  if (!shellcheck) return;
  for (const { block, label } of steps) {
    const result: SpawnSyncReturns<string> = spawnSync(shellcheck, ['-s', interpreter(block), '-S', 'warning', '-'], { input: `${block.command}\n`, encoding: 'utf8' });
    assert.equal(result.status, 0, `${label}:\n${result.stdout}${result.stderr}`);
  }
});

for (const doc of docs) {
  const mine = doc.blocks.filter((block) => runs(block) && proof(block).guests.length > 0);
  if (!mine.length) continue;
  test(`${doc.kind} ${doc.id}: each step tells on its simulated guests what the text says`, async (t) => {
    if (!requireNamespaces(t)) return;
    const mountsBefore = procSysMounts();
    const pairs = mine.flatMap((block) => proof(block).guests.map((guest) => ({ block, guest })));
    // A simulated KVM host's steps talk to libvirt's test driver: they need virsh (skipped locally without it, a failure in CI).
    if (pairs.some(({ guest }) => guestEnv(guest).LIBVIRT_DEFAULT_URI) && !requireCommand(t, 'virsh', 'libvirt-clients')) return;
    // A few namespaces at a time: each run is independent, and the machine has 2 cores.
    const results: GuestRun[] = await inPool(pairs, 4, ({ block, guest }) => runOnGuest(join(FIXTURE_GUESTS, guest), [interpreter(block), '-c', block.command], { env: guestEnv(guest) }));
    pairs.forEach(({ block, guest }, index) => {
      const result: GuestRun = results[index];
      const text = expected(block, guest)!;
      const where = `${doc.id} step ${block.attributes.name} on ${guest}`;
      assert.equal(result.code, 0, `${where}: exit ${result.code ?? result.signal}\n${result.stdout}${result.stderr}`);
      assert.ok(outputContains(result.stdout, text), `${where}: output lacks "${text}":\n${result.stdout}${result.stderr}`);
    });
    assert.deepEqual(procSysMounts(), mountsBefore, 'nothing was mounted outside the namespace');
  });
}

test('the debugfs mount steps really mount debugfs where it is missing — inside the namespace only', async (t) => {
  if (!requireNamespaces(t)) return;
  const mountSteps = steps.filter(({ block }) => NAMESPACE_SAFE_MUTATIONS.has(block.attributes.name ?? ''));
  assert.ok(mountSteps.length >= 2, 'the VMware and Hyper-V runbooks each have a mount step');
  const empty = mkdtempSync(join(tmpdir(), 'no-debugfs-guest-'));
  const mountsBefore = procSysMounts();
  for (const { block, label } of mountSteps) {
    assert.equal(block.attributes.root, true, `${label}: mounting needs root`);
    assert.equal(block.attributes.mutates, true, `${label}: mounting changes the system`);
    // Empty guest: the test machine's own /sys/kernel/debug, unmounted first (inside only) if the
    // machine has debugfs mounted, so the step must mount a real debugfs itself.
    const result = await runOnGuest(empty, ['sh', '-c', `umount -l /sys/kernel/debug 2>/dev/null; ! mountpoint -q /sys/kernel/debug || exit 99\n${block.command}\ngrep -c ' /sys/kernel/debug debugfs ' /proc/self/mounts`]);
    assert.equal(result.code, 0, `${label}: ${result.stderr}`);
    assert.ok(outputContains(result.stdout, expected(block, 'any') ?? ''), `${label}: ${result.stdout}`);
    assert.match(result.stdout, /^1$/m, `${label}: debugfs was mounted inside: ${result.stdout}`);
  }
  assert.deepEqual(procSysMounts(), mountsBefore, 'the mounts stayed in their namespaces');
});

test('swap files are made with dd, never fallocate: XFS and older ext4 refuse them ("swapfile has holes", swapon(8))', () => {
  const swapSteps = steps.filter(({ block }) => /\bmkswap\b/.test(block.command));
  assert.ok(swapSteps.length > 0, 'a runbook shows how to create a swap file');
  for (const { block, label } of swapSteps) {
    assert.doesNotMatch(block.command, /\bfallocate\b/, `${label}: fallocate makes a file swapon refuses on XFS (RHEL 7) and older ext4`);
    assert.match(block.command, /\bdd\b[^\n]*if=\/dev\/zero/, `${label}: write the swap file with dd from /dev/zero`);
  }
});

test('steps that size the balloon from /proc/vmstat use the kernel page size, not a fixed 4 KiB', () => {
  // balloon_inflate, balloon_deflate and nr_balloon_pages count kernel pages: 64 KiB on some arm64 and ppc64le kernels.
  const counterSteps = steps.filter(({ block }) => /balloon_inflate|nr_balloon_pages/.test(block.command));
  assert.ok(counterSteps.length >= 3, `only ${counterSteps.length} steps read the balloon counters`);
  for (const { block, label } of counterSteps) {
    assert.match(block.command, /getconf PAGESIZE/, `${label}: ask the kernel for its page size`);
    assert.doesNotMatch(block.command, /\(i - d\) \/ 256/, `${label}: divides page counts by 256 as if pages were 4 KiB`);
  }
});

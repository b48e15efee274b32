import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { expectedOutput, loadKnowledgeBase, outputContains, translationDir, type KnowledgeDoc, type RunbookBlock } from '../../src/knowledge';
import { ROOT } from '../helpers/system';
import { FIXTURE_GUESTS, requireNamespaces, runOnGuest, type GuestRun } from '../helpers/with-guest';
import { STEP_EXPECTATIONS, type StepExpectation } from '../knowledge/runbook-expectations';

// The Spanish runbooks' steps on the same simulated guests, with the same expectations (keyed by step name) as
// the English ones in test/knowledge/runbooks-on-guests.test.ts: a translation that changed a step fails here.
const NAMESPACE_SAFE_MUTATIONS = new Set(['mount-debugfs', 'hv-mount-debugfs']);
const kb = loadKnowledgeBase(translationDir(join(ROOT, 'knowledge'), 'es'));
const docs: KnowledgeDoc[] = [...kb.articles.values(), ...kb.runbooks.values()];
const runs = (block: RunbookBlock) => !block.attributes.mutates || NAMESPACE_SAFE_MUTATIONS.has(block.attributes.name ?? '');
const proof = (block: RunbookBlock): StepExpectation => (Object.hasOwn(STEP_EXPECTATIONS, block.attributes.name ?? '') ? STEP_EXPECTATIONS[block.attributes.name!] : { guests: [] });
const expected = (block: RunbookBlock, guest: string) => expectedOutput({ ...block.attributes, ...proof(block) }, guest);
const interpreter = (block: RunbookBlock) => (block.language === 'bash' ? 'bash' : 'sh');
const guestEnv = (guest: string): NodeJS.ProcessEnv => {
  const node = join(FIXTURE_GUESTS, guest, 'libvirt-node.xml');
  return existsSync(node) ? { LIBVIRT_DEFAULT_URI: `test://${node}` } : {};
};

test('the Spanish runbooks have the English runbooks\' runnable steps, by name', () => {
  const english = loadKnowledgeBase(join(ROOT, 'knowledge'));
  const names = (all: KnowledgeDoc[]) => all.flatMap((doc) => doc.blocks.map((block) => block.attributes.name)).sort();
  assert.ok(docs.flatMap((doc) => doc.blocks).length >= 25, 'the Spanish runbooks have their steps');
  assert.deepEqual(names(docs), names([...english.articles.values(), ...english.runbooks.values()]));
});

for (const doc of docs) {
  const mine = doc.blocks.filter((block) => runs(block) && proof(block).guests.length > 0);
  if (!mine.length) continue;
  test(`es ${doc.kind} ${doc.id}: each step tells on its simulated guests what the English text says`, async (t) => {
    if (!requireNamespaces(t)) return;
    const pairs = mine.flatMap((block) => proof(block).guests.map((guest) => ({ block, guest })));
    const results: GuestRun[] = [];
    // Two at a time: the machine has 2 cores, and the English test runs the same steps.
    for (let index = 0; index < pairs.length; index += 2) {
      results.push(...await Promise.all(pairs.slice(index, index + 2).map(({ block, guest }) =>
        runOnGuest(join(FIXTURE_GUESTS, guest), [interpreter(block), '-c', block.command], { env: guestEnv(guest) }))));
    }
    pairs.forEach(({ block, guest }, index) => {
      const result = results[index];
      const text = expected(block, guest)!;
      const where = `es ${doc.id} step ${block.attributes.name} on ${guest}`;
      assert.equal(result.code, 0, `${where}: exit ${result.code ?? result.signal}\n${result.stdout}${result.stderr}`);
      assert.ok(outputContains(result.stdout, text), `${where}: output lacks "${text}":\n${result.stdout}${result.stderr}`);
    });
  });
}

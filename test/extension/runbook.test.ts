import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { confirmation, declaresRunbook, lensesForBlocks, terminalText, usesSudoItself, type RunnableBlock } from '../../src/extension/model/runbook';
import { runnableBlocks } from '../../src/extension/lazy';
import { ROOT } from '../helpers/system';

const block = (overrides: Partial<RunnableBlock> = {}): RunnableBlock => ({ line: 4, code: 'cat /proc/meminfo', root: false, mutates: false, name: 'step 1', ...overrides });

test('a read-only step gets "Run on <guest>" and "Copy"; a root step also "Run with sudo"', () => {
  const lenses = lensesForBlocks([block(), block({ line: 12, root: true, code: 'cat /sys/kernel/debug/vmmemctl' })], 'db01 via Remote-SSH');
  assert.deepEqual(lenses.map((lens) => [lens.line, lens.command, lens.title]), [
    [4, 'balloonInspector.runBlock', '$(play) Run on db01 via Remote-SSH'],
    [4, 'balloonInspector.copyBlock', '$(copy) Copy'],
    [12, 'balloonInspector.runBlock', '$(play) Run on db01 via Remote-SSH'],
    [12, 'balloonInspector.runBlockWithSudo', '$(shield) Run with sudo'],
    [12, 'balloonInspector.copyBlock', '$(copy) Copy'],
  ]);
  assert.match(lenses[2].tooltip, /asks first: needs root/);
});

test('an untrusted workspace gets only "Copy" lenses: nothing that runs', () => {
  const lenses = lensesForBlocks([block(), block({ line: 12, root: true })], 'x', false);
  assert.deepEqual(lenses.map((lens) => [lens.line, lens.command]), [[4, 'balloonInspector.copyBlock'], [12, 'balloonInspector.copyBlock']]);
});

test('no "Run with sudo" for a step that already runs every command through sudo', () => {
  assert.equal(usesSudoItself('sudo mount -t debugfs none /sys/kernel/debug\n# comment\nsudo cat /sys/kernel/debug/vmmemctl'), true);
  assert.equal(usesSudoItself('sudo mount -t debugfs none /sys/kernel/debug\ncat /x'), false);
  const lenses = lensesForBlocks([block({ root: true, code: 'sudo cat /sys/kernel/debug/vmmemctl' })], 'x');
  assert.ok(!lenses.some((lens) => lens.command === 'balloonInspector.runBlockWithSudo'));
});

test('terminal text: the block as written; with sudo one `sudo -- sh -c` whose quoting keeps the script byte for byte', () => {
  const script = `printf '%s\\n' "it's \${HOME:+set}" | tr a-z A-Z\necho 'single' "double" \\$literal; echo $((1+2)) \`echo tick\``;
  assert.equal(terminalText(`${script}\n\n`, { sudo: false }), script);
  const withSudo = terminalText(script, { sudo: true });
  assert.match(withSudo, /^sudo -- sh -c '/);
  // Run exactly what sudo would run (minus sudo) through a real shell and compare with the script run directly.
  const inner = withSudo.replace(/^sudo -- /, '');
  const viaQuoting = execFileSync('sh', ['-c', inner], { encoding: 'utf8', env: { ...process.env, HOME: '/root' } });
  const direct = execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, HOME: '/root' } });
  assert.equal(viaQuoting, direct);
  assert.equal(direct, "IT'S SET\nsingle double $literal\n3 tick\n");
});

test('confirmation names the guest and the reason; read-only steps run without asking', () => {
  assert.equal(confirmation(block(), 'db01', false), null);
  const root = confirmation(block({ root: true }), 'db01', true);
  assert.ok(root);
  assert.match(root.message, /db01/);
  assert.match(root.message, /runs as root/);
  assert.match(root.detail, /^sudo -- sh -c /);
  const mutates = confirmation(block({ mutates: true, code: 'swapon /swapfile' }), 'This machine', false);
  assert.match(mutates?.message ?? '', /This machine.*changes the state/);
  assert.equal(mutates?.detail, 'swapon /swapfile');
  assert.ok(confirmation(block(), 'x', true), 'running anything with sudo asks first');
});

test('workspace Markdown is a runbook only with runbook: true in its front matter', () => {
  assert.equal(declaresRunbook('---\ntitle: x\nrunbook: true\n---\n# Steps\n'), true);
  assert.equal(declaresRunbook('\uFEFF---\r\nrunbook: yes # mine\r\n---\r\n'), true);
  assert.equal(declaresRunbook('---\nrunbook: false\n---\n'), false);
  assert.equal(declaresRunbook('# Title\n\nrunbook: true\n'), false, 'outside front matter it is just text');
  assert.equal(declaresRunbook('---\nnotes: |\n  runbook: true\n---\n'), false, 'an indented line inside another value is not the key');
  assert.equal(declaresRunbook(''), false);
});

const SAMPLE_RUNBOOK = `---
id: sample
title: Sample
runbook: true
---
# Sample

1. Look:

   \`\`\`sh {"name":"look","root":false,"mutates":false}
   grep -i balloon /proc/meminfo
   \`\`\`

~~~bash {"root":true,"mutates":false}
cat /sys/kernel/debug/vmmemctl
~~~

\`\`\`\`shell {"root":true,"mutates":true}
mount -t debugfs none /sys/kernel/debug
\`\`\`\`

\`\`\`text
not runnable
\`\`\`
`;

/** Every lens sits on an opening fence, and the block text is what the file holds. */
function checkRunbook(name: string, text: string): number {
  const lines = text.split('\n');
  const blocks = runnableBlocks(text);
  for (const found of blocks) {
    assert.match(lines[found.line], /^\s*(`{3,}|~{3,})\s*(sh|bash|shell)\b/, `${name}:${found.line + 1}`);
    const indent = /^\s*/.exec(lines[found.line])![0];
    const fileText = found.code.split('\n').map((line) => (line ? indent + line : line)).join('\n');
    assert.ok(text.includes(found.code) || text.includes(fileText), `${name}:${found.line + 1} block text differs from the file`);
    const lenses = lensesForBlocks([found], 'g');
    assert.equal(lenses.some((lens) => lens.command === 'balloonInspector.runBlockWithSudo'), found.root && !usesSudoItself(found.code));
  }
  return blocks.length;
}

test('runbook blocks through the knowledge parser: fences in lists, ~~~ and long fences; non-shell blocks get no lens', () => {
  const blocks = runnableBlocks(SAMPLE_RUNBOOK);
  assert.deepEqual(blocks.map((found) => [found.line, found.name, found.root, found.mutates, found.code]), [
    [9, 'step "look"', false, false, 'grep -i balloon /proc/meminfo'],
    [13, 'step 2', true, false, 'cat /sys/kernel/debug/vmmemctl'],
    [17, 'step 3', true, true, 'mount -t debugfs none /sys/kernel/debug'],
  ]);
  assert.equal(checkRunbook('sample', SAMPLE_RUNBOOK), 3);
  assert.equal(declaresRunbook(SAMPLE_RUNBOOK), true);
});

test('the shipped runbooks (knowledge/runbooks) hold the same invariants', () => {
  const dir = join(ROOT, 'knowledge', 'runbooks');
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.md') && file !== 'README.md')) {
    const text = readFileSync(join(dir, name), 'utf8');
    assert.ok(checkRunbook(name, text) > 0, `${name} has no runnable block`);
  }
});

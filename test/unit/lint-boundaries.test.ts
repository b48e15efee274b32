import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ESLint } from 'eslint';

/**
 * The layer rule of eslint.config.mjs bites: planted files with a wrong import, linted through ESLint's Node API
 * with the project's own configuration, get the error; the same files with an allowed import do not.
 */
const ROOT = join(__dirname, '..', '..');
let eslint: ESLint;

async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  assert.ok(result, `ESLint linted ${path}`);
  return result.messages.filter((message) => message.ruleId === 'boundaries/layers').map((message) => message.message);
}

describe('lint: import boundaries', () => {
  before(() => { eslint = new ESLint({ cwd: ROOT }); });

  it('core may not import vscode', async () => {
    const errors = await boundaryErrors('src/core/planted.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^src\/core\/ must not import vscode/);
  });

  it('core may not import the extension, the CLI or the transport, however the path is spelled', async () => {
    for (const specifier of ['../extension/guests', '../../src/extension/model/tree', './../cli/main', '../transport/ssh']) {
      const errors = await boundaryErrors('src/core/planted.ts', `import { x } from '${specifier}';\nexport const y = x;\n`);
      assert.equal(errors.length, 1, specifier);
    }
  });

  it('sees require(), import() and typeof import() as well as import statements', async () => {
    const code = [
      "export const a = require('../cli/fleet');",
      "export const b = () => import('../extension/log');",
      "export type C = typeof import('vscode');",
      "export { d } from '../cli/main';",
    ].join('\n');
    assert.equal((await boundaryErrors('src/transport/planted.ts', code)).length, 4);
  });

  it('core reads no files: no Node.js built-in, with or without the node: prefix', async () => {
    for (const specifier of ['node:fs', 'fs', 'node:child_process']) {
      const errors = await boundaryErrors('src/core/planted.ts', `import * as m from '${specifier}';\nexport const n = m;\n`);
      assert.equal(errors.length, 1, specifier);
      assert.match(errors[0]!, /^src\/core\/ must not import node/);
    }
  });

  it('lets core import core and npm packages', async () => {
    const code = "import { formatBytes } from './units';\nimport { parse } from 'yaml';\nexport const f = [formatBytes, parse];\n";
    assert.deepEqual(await boundaryErrors('src/core/planted.ts', code), []);
  });

  it('shared code imports neither vscode nor Node.js built-ins (it runs in the report page)', async () => {
    assert.equal((await boundaryErrors('src/shared/planted.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).length, 1);
    assert.equal((await boundaryErrors('src/shared/planted.ts', "import type { Report } from '../core/report';\nexport type R = Report;\n")).length, 0);
  });

  it('the webview imports only src/shared at run time, and types from src/core', async () => {
    const wrong = await boundaryErrors('webview/planted.ts', "import { treeNodes } from '../src/extension/model/tree';\nexport const t = treeNodes;\n");
    assert.equal(wrong.length, 1);
    assert.match(wrong[0]!, /^webview\/ imports only webview, src\/shared/);
    assert.equal((await boundaryErrors('webview/planted.ts', "import { formatBytes } from '../src/core/units';\nexport const f = formatBytes;\n")).length, 1);
    const right = "import type { Report } from '../src/core/report';\nimport { isToWebview } from '../src/shared/protocol';\nexport const ok: [typeof isToWebview, Report | null] = [isToWebview, null];\n";
    assert.deepEqual(await boundaryErrors('webview/planted.ts', right), []);
  });

  it('nothing in src/ imports test/', async () => {
    const errors = await boundaryErrors('src/extension/planted.ts', "import { startSshd } from '../../test/helpers/sshd';\nexport const s = startSshd;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /product code never depends on the tests/);
  });

  it('an eslint-disable comment that suppresses nothing is an error', async () => {
    const [result] = await eslint.lintText("// eslint-disable-next-line no-console\nexport const quiet = 1;\n", { filePath: join(ROOT, 'src/core/planted.ts') });
    assert.ok(result);
    assert.equal(result.errorCount, 1);
    assert.match(result.messages[0]!.message, /Unused eslint-disable directive/);
  });
});

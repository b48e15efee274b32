// Runbook code lenses and workspace trust, inside the real extension host.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './api';
import type { IntegrationExpectation } from './expectations';
import type { TestCase } from './harness';

const RUN_COMMANDS = ['balloonInspector.runBlock', 'balloonInspector.runBlockWithSudo'];

async function runbookLenses(expectation: IntegrationExpectation): Promise<{ document: vscode.TextDocument; lenses: vscode.CodeLens[] }> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension && expectation.runbook, 'no extension or no runbook to open');
  const uri = vscode.Uri.file(join(extension.extensionPath, expectation.runbook));
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  // The second argument resolves every lens's command (itemResolveCount).
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return { document, lenses };
}

export function lensTests(expectation: IntegrationExpectation): TestCase[] {
  const tests: TestCase[] = [
    {
      name: `the workspace is ${expectation.trusted ? 'trusted' : 'untrusted (restricted mode)'}`,
      fn: () => assert.equal(vscode.workspace.isTrusted, expectation.trusted),
    },
  ];
  if (!expectation.runbook) return tests;

  if (expectation.trusted) {
    tests.push({
      name: `runbook ${expectation.runbook}: "Run on <guest>" and "Copy" lenses above each runnable block`,
      timeoutMs: 20_000,
      fn: async () => {
        const { document, lenses } = await runbookLenses(expectation);
        const before = document.getText();
        const run = lenses.filter((lens) => lens.command?.command === 'balloonInspector.runBlock');
        const copy = lenses.filter((lens) => lens.command?.command === 'balloonInspector.copyBlock');
        assert.ok(run.length >= 1, `no run lens; lenses: ${JSON.stringify(lenses.map((lens) => lens.command?.title))}`);
        for (const lens of run) {
          assert.match(lens.command!.title, /^(\$\([\w-]+\)\s*)?Run on \S/, 'run lens names the guest');
          assert.ok(copy.some((other) => other.range.isEqual(lens.range)), `no Copy lens beside the run lens on line ${lens.range.start.line + 1}`);
          // The lens sits on the opening fence of a shell block.
          assert.match(document.lineAt(lens.range.start.line).text, /^\s*(```|~~~)/, `run lens on line ${lens.range.start.line + 1} is not at a fence`);
        }
        for (const lens of lenses.filter((candidate) => candidate.command?.command === 'balloonInspector.runBlockWithSudo')) {
          assert.match(lens.command!.title, /sudo/i);
        }
        assert.equal(document.getText(), before, 'the runbook text changed');
        assert.equal(document.isDirty, false, 'the runbook was modified');
      },
    });
  } else {
    tests.push({
      name: `runbook ${expectation.runbook}: no run lens in an untrusted workspace`,
      timeoutMs: 20_000,
      fn: async () => {
        const { lenses } = await runbookLenses(expectation);
        const running = lenses.filter((lens) => RUN_COMMANDS.includes(lens.command?.command ?? ''));
        assert.deepEqual(running.map((lens) => lens.command?.title), [], 'run lenses must be hidden');
      },
    });
    tests.push({
      name: 'the run command itself refuses in an untrusted workspace: result false for a real block, no terminal',
      timeoutMs: 20_000,
      fn: async () => {
        const { document, lenses } = await runbookLenses(expectation);
        const terminalsBefore = vscode.window.terminals.length;
        // The arguments a run lens would carry: the Copy lens's, which must address a real block of this runbook,
        // so a `false` below is the trust refusal (checked first), not "no runnable block at that line".
        const copy = lenses.find((lens) => lens.command?.command === 'balloonInspector.copyBlock');
        assert.ok(copy?.command?.arguments, `no Copy lens with arguments; lenses: ${JSON.stringify(lenses.map((lens) => lens.command?.title))}`);
        const args = copy.command.arguments;
        const [uri, line] = args as [vscode.Uri, number];
        assert.equal(uri.toString(), document.uri.toString(), 'the lens names this runbook');
        assert.match(document.lineAt(line).text, /^\s*(```|~~~)/, `line ${line + 1} is not a block's fence`);
        for (const command of RUN_COMMANDS) {
          // Not caught: a handler that throws (wrong arguments) makes the command resolve to undefined or reject.
          const result = await vscode.commands.executeCommand<unknown>(command, ...args);
          assert.strictEqual(result, false, `${command} must answer false (refused in Restricted Mode), got ${JSON.stringify(result)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        assert.equal(vscode.window.terminals.length, terminalsBefore, 'a terminal opened: a runbook step ran in an untrusted workspace');
      },
    });
  }
  return tests;
}

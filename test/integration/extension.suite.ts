// Activation, "Check Ballooning", the guest tree and the report panel, inside the real extension host.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, isApi, rowText, type BalloonInspectorApi, type PlainTreeItem } from './api';
import type { IntegrationExpectation } from './expectations';
import { waitFor, type TestCase } from './harness';

export function extensionTests(expectation: IntegrationExpectation): TestCase[] {
  const { guest } = expectation;
  let api: BalloonInspectorApi | undefined;
  const needApi = () => {
    assert.ok(api, 'the extension did not activate (see the first test)');
    return api;
  };
  let guestNode: PlainTreeItem | undefined;

  return [
    {
      name: 'the extension is installed, activates and returns its test API',
      fn: async () => {
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
        assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace, 'runs where the workspace is (on the guest)');
        const exported: unknown = await extension.activate();
        assert.ok(isApi(exported), `activate() returned ${JSON.stringify(Object.keys((exported as object) ?? {}))}, not { checkNow, guests, version }`);
        assert.equal(exported.version, extension.packageJSON.version);
        api = exported;
      },
    },
    {
      name: 'activation time is written to BALLOON_INSPECTOR_LOG_DIR/activated.json',
      fn: async () => {
        const file = join(expectation.logDir, 'activated.json');
        const data = await waitFor('activated.json', () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> : undefined), 5_000);
        const ms = [data.activationMs, data.ms, data.activateMs].find((value) => typeof value === 'number') as number | undefined;
        assert.ok(ms !== undefined && ms >= 0 && ms < 60_000, `activated.json holds no activation time in ms: ${JSON.stringify(data)}`);
      },
    },
    {
      name: '"Check Ballooning" fills the tree: first node is this guest, first child its verdict',
      timeoutMs: 45_000,
      fn: async () => {
        const commands = await vscode.commands.getCommands(true);
        assert.ok(commands.includes('balloonInspector.checkBallooning'), 'command balloonInspector.checkBallooning is not registered');
        await vscode.commands.executeCommand('balloonInspector.checkBallooning');
        const top = await waitFor('a checked guest in the tree', async () => {
          const nodes = await needApi().guests();
          const first = nodes[0];
          return first?.children?.length ? nodes : undefined;
        }, 30_000);
        guestNode = top[0]!;
        // In code-server remoteName is the authority "127.0.0.1:PORT": the extension treats it as this machine.
        assert.match(guestNode.label, /This machine|\(remote\)/, `top node label ${JSON.stringify(guestNode.label)}`);
        const verdict = rowText(guestNode.children![0]!);
        for (const pattern of guest.verdictPatterns) assert.match(verdict, new RegExp(pattern), `verdict line ${JSON.stringify(verdict)}`);
      },
    },
    {
      name: 'checkNow() reports the simulated guest: hypervisor, balloon, limit, driver',
      timeoutMs: 45_000,
      fn: async () => {
        const reports = await needApi().checkNow();
        assert.ok(reports.length >= 1, 'checkNow() returned no report');
        const report = reports[0]!;
        assert.equal(report.hypervisor.kind, guest.hypervisorKind);
        if (guest.balloonDriver !== null) assert.equal(report.balloon.driver, guest.balloonDriver);
        if (guest.balloonBytes) {
          assert.ok(report.balloon.currentBytes !== null, 'balloon size unknown');
          const off = Math.abs(report.balloon.currentBytes - guest.balloonBytes.value);
          assert.ok(off <= guest.balloonBytes.tolerance, `balloon ${report.balloon.currentBytes} B, expected ${guest.balloonBytes.value} ± ${guest.balloonBytes.tolerance}`);
        }
        if (guest.memLimitBytes !== null) assert.equal(report.limits.memLimitBytes, guest.memLimitBytes);
        // Same guest view as balloon-check run by the runner: the extension host sees the namespace's /proc and /sys.
        assert.deepEqual(report.findings.map((finding) => finding.id).sort(), [...guest.findingIds].sort());
      },
    },
    {
      name: 'the tree lists every finding of the report under the verdict',
      fn: async () => {
        assert.ok(guestNode, 'no guest node (see the check test)');
        const reports = await needApi().checkNow();
        const rows = (guestNode.children ?? []).map(rowText);
        for (const finding of reports[0]!.findings) {
          assert.ok(rows.some((row) => row.includes(finding.title)), `finding "${finding.title}" missing from the tree rows ${JSON.stringify(rows)}`);
        }
        assert.ok(rows.some((row) => /^Facts\b/.test(row)), `no "Facts" node in ${JSON.stringify(rows)}`);
        assert.ok(rows.some((row) => /^Probes\b/.test(row)), `no "Probes" node in ${JSON.stringify(rows)}`);
      },
    },
    {
      // The view asks for a checked guest's rows as soon as it shows the guest: they come when the check ends,
      // without waiting for a tree refresh (VS Code holds one that follows another within 200 ms).
      name: 'asked for its rows while it is checked, a guest answers with the new verdict once the check ends',
      timeoutMs: 45_000,
      fn: async () => {
        const checking = needApi().checkNow();
        const guestNow = () => (needApi().guests() as PlainTreeItem[]).find((item) => item.id === guestNode?.id);
        assert.match(guestNow()?.contextValue ?? '', /\bchecking\b/, 'the guest is being checked');
        const rows = await needApi().rowsOf(guestNode!.id!);
        assert.doesNotMatch(guestNow()?.contextValue ?? '', /\bchecking\b/, 'the rows came before the check ended');
        assert.equal(rows[0]?.contextValue, 'verdict', `first row ${JSON.stringify(rows[0])}`);
        await checking;
      },
    },
    {
      name: 'the last check is written to last-check.json',
      fn: () => {
        const file = join(expectation.logDir, 'last-check.json');
        assert.ok(existsSync(file), `${file} was not written`);
        const text = readFileSync(file, 'utf8');
        assert.ok(text.includes(guest.hypervisorKind), `last-check.json does not mention ${guest.hypervisorKind}: ${text.slice(0, 300)}`);
      },
    },
    {
      name: '"Open Report" opens the report webview titled with the guest',
      timeoutMs: 20_000,
      fn: async () => {
        await vscode.commands.executeCommand('balloonInspector.openReport');
        const tab = await waitFor('the report tab', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs)
          .find((candidate) => candidate.input instanceof vscode.TabInputWebview && candidate.input.viewType.includes('balloonInspector.report')), 10_000);
        assert.match(tab.label, /^Balloon report: /);
      },
    },
  ];
}

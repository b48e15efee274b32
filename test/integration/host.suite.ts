// The KVM host view in the real extension host: the setting balloonInspector.libvirt.connect names libvirt's test
// driver with the node of test/fixtures/libvirt-host/node.xml (read by the real virsh), and the Guests tree gets a
// Host node with one child per domain, their verdicts and findings; the host's report page opens.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LIBVIRT_SOCKETS } from '../../src/extension/model/host';
import { activatedApi, rowText, type BalloonInspectorApi, type PlainTreeItem } from './api';
import { waitFor, type TestCase } from './harness';

/** The fixture's domains (test/fixtures/libvirt-host/node.xml) as the tree must show them. */
const DOMAINS: Record<string, { verdict: RegExp; status: string; findings: string[] }> = {
  web01: { verdict: /^balloon 3\.0 GiB \(75%\) · guest has 1\.0 GiB of 4\.0 GiB/, status: 'critical', findings: ['domain-ballooned'] },
  batch01: { verdict: /^balloon 2\.0 GiB \(25%\) · guest has 6\.0 GiB of 8\.0 GiB/, status: 'warning', findings: ['domain-ballooned'] },
  db01: { verdict: /^balloon empty/, status: 'ok', findings: [] },
  spare01: { verdict: /^shut off$/, status: '', findings: [] },
};
const HOST_ID = 'host:this';

export function hostTests(): TestCase[] {
  let api: BalloonInspectorApi | undefined;
  let uri = '';
  const config = () => vscode.workspace.getConfiguration('balloonInspector');
  const hostNode = async (): Promise<PlainTreeItem | undefined> => (await api!.guests()).find((node) => node.id === HOST_ID);
  const domainsOf = (node: PlainTreeItem) => (node.children ?? []).filter((child) => child.id?.startsWith(`${HOST_ID}/domain/`));

  return [
    {
      name: 'host: without a libvirt socket or the setting, the tree has no Host node',
      fn: async () => {
        const activated = await activatedApi();
        const extension = activated.extension;
        api = activated.api;
        uri = `test://${join(extension.extensionPath, 'test', 'fixtures', 'libvirt-host', 'node.xml')}`;
        // A developer's machine may run libvirtd: then the Host node is there from the start (its socket).
        if (!LIBVIRT_SOCKETS.some((path) => existsSync(path))) assert.equal(await hostNode(), undefined, 'no libvirt socket, no setting: no Host node');
      },
    },
    {
      name: 'host: the setting balloonInspector.libvirt.connect brings a Host node with every domain, read through virsh',
      timeoutMs: 40_000,
      fn: async () => {
        await config().update('libvirt.connect', uri, vscode.ConfigurationTarget.Workspace);
        const node = await waitFor('a Host node with its domains', async () => {
          const found = await hostNode();
          return found && domainsOf(found).length ? found : undefined;
        }, 30_000);
        assert.match(node.label, /^Host$/);
        assert.match(node.contextValue ?? '', /^host window hasView idle$/);
        assert.match(node.description ?? '', /^critical · 4 domains · test:\/\//);
        const verdict = rowText(node.children![0]!);
        assert.match(verdict, /^3 of 4 domains running · balloons 5\.0 GiB · overcommit 0\.88× of 16\.0 GiB CRITICAL$/, `host verdict ${JSON.stringify(verdict)}`);
        assert.deepEqual(domainsOf(node).map((domain) => domain.label).sort(), Object.keys(DOMAINS).sort());
      },
    },
    {
      name: 'host: each domain shows its verdict row and its findings',
      fn: async () => {
        const node = (await hostNode())!;
        for (const domain of domainsOf(node)) {
          const expected = DOMAINS[domain.label]!;
          const rows = domain.children ?? [];
          assert.match(rows[0]!.label, expected.verdict, `${domain.label}: ${rows[0]!.label}`);
          if (expected.status) assert.equal(rows[0]!.description, expected.status.toUpperCase(), domain.label);
          const findingRows = rows.filter((row) => row.contextValue === 'hostFinding');
          for (const id of expected.findings) assert.ok(findingRows.some((row) => row.id?.includes(`-${id}`)), `${domain.label}: ${id} among ${JSON.stringify(findingRows.map((row) => row.id))}`);
          assert.equal(rows.at(-1)!.label, 'Facts');
        }
      },
    },
    {
      name: 'host: Open KVM Host Report opens the host\'s page at a domain',
      timeoutMs: 20_000,
      fn: async () => {
        const web = domainsOf((await hostNode())!).find((domain) => domain.label === 'web01')!;
        await vscode.commands.executeCommand('balloonInspector.openHostReport', web.id);
        const tab = await waitFor('the KVM host report tab', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((candidate) => candidate.label === 'KVM host report: Host'), 10_000);
        assert.ok(tab.input instanceof vscode.TabInputWebview, 'a webview');
        await vscode.window.tabGroups.close(tab);
      },
    },
    {
      name: 'host: Open Runbook on a host finding opens the runbook that names it',
      timeoutMs: 20_000,
      fn: async () => {
        const web = domainsOf((await hostNode())!).find((domain) => domain.label === 'web01')!;
        const row = (web.children ?? []).find((child) => child.contextValue === 'hostFinding' && child.id?.endsWith('-domain-ballooned'));
        assert.ok(row, 'the domain-ballooned row of web01');
        await vscode.commands.executeCommand('balloonInspector.openHostRunbook', row);
        const editor = await waitFor('the runbook in an editor', () => {
          const path = vscode.window.activeTextEditor?.document.uri.fsPath;
          return path?.endsWith(join('knowledge', 'runbooks', 'kvm-host-balloons.md')) ? path : undefined;
        }, 10_000);
        assert.ok(editor);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      },
    },
    {
      name: 'host: Read KVM Host Again re-reads, and clearing the setting removes the Host node',
      timeoutMs: 40_000,
      fn: async () => {
        const views = await vscode.commands.executeCommand<unknown[]>('balloonInspector.refreshHost', HOST_ID);
        assert.equal(views?.length, 1);
        await config().update('libvirt.connect', undefined, vscode.ConfigurationTarget.Workspace);
        await waitFor('no Host node', async () => ((await hostNode()) ? undefined : true), 10_000);
      },
    },
  ];
}

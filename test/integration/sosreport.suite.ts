// "Open sosreport...", a drop on the Guests view and "Save Evidence Bundle..." inside the real extension host.
// The sos report is test/fixtures/sosreports/vmware-sos4-debugfs; its figures are documented in
// test/fixtures/sosreports/README.md (and asserted for the CLI by test/sosreport/sosreport.test.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../../src/core/report';
import { SosreportDropController } from '../../src/extension/sosreport';
import { activatedApi, rowText, type BalloonInspectorApi, type PlainTreeItem } from './api';
import { waitFor, type TestCase } from './harness';

/** The fixture's documented figures (test/fixtures/sosreports/README.md). */
const FIXTURE = {
  dir: 'vmware-sos4-debugfs',
  host: 'rhel9-app01',
  collectedAt: '2025-03-03T09:15:02.123Z',
  verdict: /^VMware · balloon 20\.0 GiB \(63%\)/,
  status: 'critical',
  balloonBytes: 20 * 1024 ** 3,
  configuredBytes: 32 * 1024 ** 3,
  driver: 'vmw_balloon',
};

const SOS_PREFIX = 'sos:';

export function sosreportTests(): TestCase[] {
  let api: BalloonInspectorApi | undefined;
  let root = '';
  const work = mkdtempSync(join(tmpdir(), 'bi-sos-suite-'));
  const fixturePath = () => { const dir = join(root, 'test', 'fixtures', 'sosreports', FIXTURE.dir); return join(dir, readdirSync(dir)[0]!); };
  const sosNode = async (path: string): Promise<PlainTreeItem | undefined> => (await api!.guests()).find((node) => node.id === `${SOS_PREFIX}${path}` && (node.children?.length ?? 0) > 0);
  const assertGuest = (node: PlainTreeItem, report: Report | undefined) => {
    assert.equal(node.label, FIXTURE.host, 'named after the host sos saw');
    assert.match(node.contextValue ?? '', /^guest sosreport\b.*\bhasReport\b/);
    const verdict = rowText(node.children![0]!);
    assert.match(verdict, FIXTURE.verdict, `verdict row ${JSON.stringify(verdict)}`);
    assert.match(verdict, /CRITICAL$/);
    if (!report) return;
    assert.equal(report.collectedAt, FIXTURE.collectedAt, 'dated by the sosreport');
    assert.equal(report.status, FIXTURE.status);
    assert.equal(report.balloon.currentBytes, FIXTURE.balloonBytes);
    assert.equal(report.memory.configuredBytes, FIXTURE.configuredBytes);
    assert.equal(report.balloon.driver, FIXTURE.driver);
    assert.match(report.target.name, new RegExp(`^${FIXTURE.host} \\(sosreport `));
  };
  let opened: Report | undefined;

  return [
    {
      name: 'sosreport: the extension activates; Open sosreport... and Save Evidence Bundle... are registered',
      fn: async () => {
        const activated = await activatedApi();
        const extension = activated.extension;
        api = activated.api;
        root = extension.extensionPath;
        const commands = await vscode.commands.getCommands(true);
        for (const id of ['balloonInspector.openSosreport', 'balloonInspector.saveEvidenceBundle']) assert.ok(commands.includes(id), `${id} is not registered`);
      },
    },
    {
      name: 'sosreport: Open sosreport... on the fixture folder adds a guest with the fixture\'s verdict, dated by sos, and opens its report page',
      timeoutMs: 45_000,
      fn: async () => {
        const reports = await vscode.commands.executeCommand<Report[]>('balloonInspector.openSosreport', vscode.Uri.file(fixturePath()));
        opened = reports?.[0];
        assert.ok(opened, 'the command resolved with no report');
        const node = await waitFor('the sosreport guest in the tree', () => sosNode(fixturePath()), 15_000);
        assertGuest(node, opened);
        const tab = await waitFor('the report page', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs)
          .find((candidate) => candidate.input instanceof vscode.TabInputWebview && candidate.label.includes(FIXTURE.host)), 10_000);
        assert.match(tab.label, new RegExp(FIXTURE.host));
      },
    },
    {
      name: 'sosreport: the same report as a .tar.xz archive gives the same guest verdict',
      timeoutMs: 45_000,
      fn: async () => {
        const archive = join(work, `${FIXTURE.dir}.tar.xz`);
        const folder = fixturePath();
        execFileSync('tar', ['-C', join(folder, '..'), '-cJf', archive, readdirSync(join(folder, '..'))[0]!]);
        const reports = await vscode.commands.executeCommand<Report[]>('balloonInspector.openSosreport', archive);
        const node = await waitFor('the archive guest in the tree', () => sosNode(archive), 15_000);
        assertGuest(node, reports?.[0]);
        assert.deepEqual(reports?.[0]?.findings.map((finding) => finding.id), opened?.findings.map((finding) => finding.id));
      },
    },
    {
      name: 'sosreport: Save Evidence Bundle... writes the bundle balloon-check --input reads back with the same finding ids',
      timeoutMs: 45_000,
      fn: async () => {
        assert.ok(opened, 'no sosreport guest (see the previous test)');
        const file = join(work, 'evidence.tar.gz');
        const written = await vscode.commands.executeCommand<string>('balloonInspector.saveEvidenceBundle', `${SOS_PREFIX}${fixturePath()}`, vscode.Uri.file(file));
        assert.equal(written, file);
        assert.ok(existsSync(file));
        const cli = join(root, 'dist', 'cli.js');
        let stdout = '';
        try {
          stdout = execFileSync(process.execPath, [cli, '--input', file, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
        } catch (error) {
          stdout = String((error as { stdout?: unknown }).stdout ?? ''); // exit 2: critical
        }
        const back = JSON.parse(stdout) as Report;
        assert.deepEqual(back.findings.map((finding) => finding.id), opened.findings.map((finding) => finding.id));
        assert.equal(back.collectedAt, FIXTURE.collectedAt);
        assert.equal(back.balloon.currentBytes, FIXTURE.balloonBytes);
        assert.match(readFileSync(file).subarray(0, 2).toString('hex'), /^1f8b/, 'a .tar.gz');
      },
    },
    {
      name: 'sosreport: a drop on the Guests view (Explorer uri-list, or a desktop file with no path here) opens it the same way',
      timeoutMs: 45_000,
      fn: async () => {
        const dropped: string[][] = [];
        const controller = new SosreportDropController(async (paths) => { dropped.push(paths); });
        assert.deepEqual([...controller.dropMimeTypes], ['text/uri-list', 'files']);
        const fromExplorer = new vscode.DataTransfer();
        fromExplorer.set('text/uri-list', new vscode.DataTransferItem(`${vscode.Uri.file(fixturePath()).toString()}\r\n`));
        await controller.handleDrop(undefined, fromExplorer, new vscode.CancellationTokenSource().token);
        assert.deepEqual(dropped[0], [fixturePath()]);
        // A file dragged in from a browser's desktop has content only: it is analysed from a private copy.
        const bytes = readFileSync(join(work, `${FIXTURE.dir}.tar.xz`));
        const fromDesktop = new vscode.DataTransfer();
        const file: vscode.DataTransferFile = { name: 'sosreport-rhel9-app01.tar.xz', uri: undefined, data: async () => bytes };
        class FileItem extends vscode.DataTransferItem { override asFile() { return file; } }
        fromDesktop.set('files', new FileItem(file));
        await controller.handleDrop(undefined, fromDesktop, new vscode.CancellationTokenSource().token);
        const copy = dropped[1]?.[0];
        assert.ok(copy && existsSync(copy) && copy !== join(work, `${FIXTURE.dir}.tar.xz`), `dropped ${JSON.stringify(dropped)}`);
        assert.deepEqual(readFileSync(copy), bytes);
        const reports = await vscode.commands.executeCommand<Report[]>('balloonInspector.openSosreport', copy);
        assertGuest((await waitFor('the dropped guest', () => sosNode(copy), 15_000)), reports?.[0]);
        controller.dispose();
        rmSync(work, { recursive: true, force: true });
      },
    },
    {
      name: 'sosreport: Close sosreport takes the guest out of the tree; other guests stay',
      fn: async () => {
        const before = (await api!.guests()).length;
        await vscode.commands.executeCommand('balloonInspector.closeSosreport', `${SOS_PREFIX}${fixturePath()}`);
        await waitFor('the closed guest gone', async () => ((await api!.guests()).some((node) => node.id === `${SOS_PREFIX}${fixturePath()}`) ? undefined : true), 5_000);
        assert.equal((await api!.guests()).length, before - 1);
        await vscode.commands.executeCommand('balloonInspector.closeSosreport', 'this');
        assert.equal((await api!.guests()).length, before - 1, 'only sosreport guests close');
      },
    },
  ];
}

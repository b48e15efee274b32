// The real QEMU guest of test/realvm, checked once over SSH from inside the extension host: the guest is an
// SSH host of the window's SSH config, its balloon inflated through QMP by the runner (test/e2e/realvm-integration.ts).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatedApi, rowText, type BalloonInspectorApi } from './api';
import type { IntegrationExpectation } from './expectations';
import { waitFor, type TestCase } from './harness';

export function realVmTests(expectation: IntegrationExpectation): TestCase[] {
  const ssh = expectation.sshGuest!;
  let api: BalloonInspectorApi | undefined;
  const needApi = () => {
    assert.ok(api, 'the extension did not activate (see the first test)');
    return api;
  };
  return [
    {
      name: 'the extension activates with the QEMU guest in its SSH config',
      fn: async () => {
        api = (await activatedApi()).api;
        const nodes = await waitFor(`guest ${ssh.alias} in the tree`, async () => {
          const list = await needApi().guests();
          return list.some((node) => node.label.includes(ssh.alias)) ? list : undefined;
        }, 10_000);
        assert.ok(nodes.length >= 2, 'this window\'s guest and the SSH guest');
      },
    },
    {
      name: 'checkNow("all") reads the QEMU guest over SSH: the balloon QEMU reports, deflate-on-oom off, balloon-check\'s findings',
      timeoutMs: 90_000,
      fn: async () => {
        const reports = await needApi().checkNow('all');
        const report = reports.find((candidate) => candidate.target.kind === 'ssh' && candidate.target.name === ssh.alias);
        assert.ok(report, `no SSH report for ${ssh.alias} among ${JSON.stringify(reports.map((r) => r.target))}`);
        assert.equal(report.hypervisor.kind, 'kvm');
        assert.equal(report.balloon.driver, 'virtio_balloon');
        assert.equal(report.balloon.deflateOnOom, false);
        const off = Math.abs((report.balloon.currentBytes ?? -1) - ssh.balloonBytes);
        assert.ok(off <= ssh.toleranceBytes, `balloon ${report.balloon.currentBytes} B, QEMU says ${ssh.balloonBytes} B`);
        assert.deepEqual(report.findings.map((finding) => finding.id).sort(), [...ssh.findingIds].sort());
      },
    },
    {
      name: 'the tree shows the QEMU guest\'s verdict and every finding under it',
      timeoutMs: 30_000,
      fn: async () => {
        const node = await waitFor(`a checked ${ssh.alias} node`, async () => {
          const found = (await needApi().guests()).find((candidate) => candidate.label.includes(ssh.alias));
          return found?.children?.length ? found : undefined;
        }, 20_000);
        const rows = node.children!.map(rowText);
        for (const pattern of ssh.verdictPatterns) assert.match(rows[0]!, new RegExp(pattern), `verdict row ${JSON.stringify(rows[0])}`);
        const [report] = (await needApi().checkNow('all')).filter((candidate) => candidate.target.name === ssh.alias);
        for (const finding of report!.findings) {
          assert.ok(rows.some((row) => row.includes(finding.title)), `finding "${finding.title}" missing from ${JSON.stringify(rows)}`);
        }
      },
    },
    {
      name: 'Open as KVM Host on the QEMU guest: a Host node reads libvirt over the same SSH, and says virsh is missing there',
      timeoutMs: 60_000,
      fn: async () => {
        const view = await vscode.commands.executeCommand<{ error: { kind: string; message: string } | null; target: { kind: string; name: string } } | null>(
          'balloonInspector.openSshHostAsKvmHost', `ssh:${ssh.alias}`);
        assert.ok(view, 'the command returned no host view');
        assert.deepEqual(view.target, { kind: 'ssh', name: ssh.alias });
        assert.equal(view.error?.kind, 'no-virsh', JSON.stringify(view.error));
        const hostId = `host:ssh:${ssh.alias}`;
        const node = await waitFor('the SSH host\'s Host node', async () => (await needApi().guests()).find((candidate) => candidate.id === hostId && candidate.children?.length), 10_000);
        assert.match(node.contextValue ?? '', /^host ssh\b/);
        assert.match(node.children![0]!.label, /virsh is not installed/);
        await vscode.commands.executeCommand('balloonInspector.closeKvmHost', hostId);
        await waitFor('the Host node closed', async () => ((await needApi().guests()).some((candidate) => candidate.id === hostId) ? undefined : true), 10_000);
      },
    },
  ];
}

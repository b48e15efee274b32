// The integration suite's run against the real-VM lane's QEMU guest (test/realvm): boot one guest without
// deflate-on-oom, inflate its balloon through QMP, then run the extension host with that guest in the window's
// SSH config (test/integration/realvm.suite.ts). Missing parts skip locally and fail in CI, as in the lane.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { IN_CI, ROOT } from '../helpers/system';
import { buildImages, Guest, GUEST_RAM_MIB, laneRequirements, MiB } from '../realvm/guest';
import type { SshGuestExpectation } from '../integration/expectations';
import { runInCodeServer, type SuiteOutcome } from './run-integration';

const TARGET_MIB = 600;

export async function realVmIntegration(log = (line: string) => console.log(line)): Promise<SuiteOutcome | null> {
  const label = 'integration realvm-ssh trusted';
  const missing = laneRequirements().filter(([present]) => !present).map(([, what, hint]) => `${what} (${hint})`);
  if (missing.length) {
    if (IN_CI) return { label, passed: 0, failed: 1, exitCode: 1, ms: 0, error: `CI must have ${missing.join(', ')}` };
    log(`  skipped the QEMU guest over SSH: missing ${missing.join(', ')}`);
    return null;
  }
  const started = Date.now();
  const images = buildImages();
  const guest = await Guest.boot(images, { name: 'realvm-ssh', deflateOnOom: false, freePageReporting: true });
  try {
    const actual = await guest.setBalloonTarget(TARGET_MIB);
    const { config, alias } = guest.writeSshConfig(images);
    // balloon-check's own findings for the guest, in this run, as the other runs take them from the CLI.
    let cli: string;
    try {
      cli = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--ssh-config', config, '--ssh', alias, '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    } catch (error) {
      cli = (error as { stdout?: string }).stdout ?? ''; // exit 1/2 is a verdict (warning/critical)
    }
    const findingIds = (JSON.parse(cli) as { findings: { id: string }[] }).findings.map((finding) => finding.id);
    const balloonBytes = GUEST_RAM_MIB * MiB - actual;
    const sshGuest: SshGuestExpectation = {
      alias, balloonBytes, toleranceBytes: 64 * 1024, findingIds,
      verdictPatterns: ['KVM', `balloon ${balloonBytes / MiB}(\\.0)? MiB`],
    };
    // code-server is a remote window, which lists no SSH config hosts: the guest is added by alias, as "Add SSH Host" does.
    const outcome = await runInCodeServer({ guest: 'this-machine', trusted: true, sshConfig: config, sshHosts: [alias], sshGuest, label }, log);
    return { ...outcome, ms: Date.now() - started };
  } finally {
    await guest.stop();
  }
}

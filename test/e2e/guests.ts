// What the extension must show for each guest the real-VS-Code suites use.
import type { GuestExpectation } from '../integration/expectations';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/system';
import { WITH_GUEST } from './code-server';

const GiB = 1024 ** 3;

/**
 * The seed's case (research: seeds/): a VMware VM configured with 32 GiB, a 12 GiB memory limit, and the
 * balloon holding the difference, about 20 GiB. These figures are the fixture's story, not the engine's
 * output: a tree that shows anything else is wrong.
 */
const FIXTURE_FIGURES: Record<string, Omit<GuestExpectation, 'name' | 'findingIds'>> = {
  'vmware-limit-12g-of-32g': {
    hypervisorKind: 'vmware',
    verdictPatterns: ['VMware', 'balloon 20(\\.\\d)? GiB', 'limit 12(\\.0)? GiB'],
    balloonBytes: { value: 20 * GiB, tolerance: GiB / 2 },
    memLimitBytes: 12 * GiB,
    balloonDriver: null,
  },
};

export function guestExpectation(name: string, fixture: string | null): GuestExpectation {
  const engine = cliReport(fixture);
  const findingIds = engine.findings.map((finding) => finding.id);
  if (name === 'this-machine') {
    // This CI machine is a KVM guest with virtio_balloon; its balloon size is whatever the host set now.
    const balloon = engine.balloon.currentBytes;
    return {
      name, hypervisorKind: 'kvm', verdictPatterns: ['KVM'], memLimitBytes: null, balloonDriver: 'virtio_balloon',
      balloonBytes: balloon === null ? null : { value: balloon, tolerance: 256 * 1024 ** 2 }, findingIds,
    };
  }
  const figures = FIXTURE_FIGURES[name];
  if (!figures) throw new Error(`no expected figures for guest fixture ${name}`);
  return { name, ...figures, findingIds };
}

/** Balloon-check's own JSON for a guest view, for the finding ids the extension must agree with. */
export function cliReport(fixture: string | null): { findings: { id: string }[]; balloon: { currentBytes: number | null } } {
  const cli = join(ROOT, 'dist', 'cli.js');
  const command = fixture ? WITH_GUEST : process.execPath;
  const args = fixture ? [fixture, '--', process.execPath, cli, '--format', 'json'] : [cli, '--format', 'json'];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  try {
    return JSON.parse(result.stdout) as ReturnType<typeof cliReport>;
  } catch {
    throw new Error(`balloon-check --format json failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  }
}

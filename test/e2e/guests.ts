// What the extension must show for each guest the real-VS-Code suites use.
import type { GuestExpectation } from '../integration/expectations';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/system';
import { WITH_GUEST } from './code-server';

const GiB = 1024 ** 3;

/**
 * The case this project started from: a VMware VM configured with 32 GiB, a 12 GiB memory limit, and the
 * balloon holding the difference, about 20 GiB. These figures and finding ids are the fixture's story, as its
 * README.md derives them (its findings table), not the engine's output: a tree that shows anything else is wrong.
 */
const FIXTURE_FIGURES: Record<string, Omit<GuestExpectation, 'name'>> = {
  'vmware-limit-12g-of-32g': {
    hypervisorKind: 'vmware',
    verdictPatterns: ['VMware', 'balloon 20(\\.\\d)? GiB', 'limit 12(\\.0)? GiB'],
    balloonBytes: { value: 20 * GiB, tolerance: GiB / 2 },
    memLimitBytes: 12 * GiB,
    balloonDriver: null,
    findingIds: ['balloon-inflated', 'limit-below-configured', 'balloon-near-cap', 'unaccounted-memory'],
  },
};

/** The finding ids of a fixture README's findings table (rows "| `id` | severity | why |"). */
export function readmeFindingIds(fixture: string): string[] {
  const readme = readFileSync(join(ROOT, 'test', 'fixtures', 'guests', fixture, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (?:critical|warning|info) \|/gm)].map((match) => match[1]!);
}

export function guestExpectation(name: string, fixture: string | null): GuestExpectation {
  if (name === 'this-machine') {
    // This CI machine is a KVM guest with virtio_balloon; its balloon size and findings are whatever the host set
    // now, which no document can know: here, and only here, the engine's own answer is the expectation.
    const engine = cliReport(fixture);
    const balloon = engine.balloon.currentBytes;
    return {
      name, hypervisorKind: 'kvm', verdictPatterns: ['KVM'], memLimitBytes: null, balloonDriver: 'virtio_balloon',
      balloonBytes: balloon === null ? null : { value: balloon, tolerance: 256 * 1024 ** 2 }, findingIds: engine.findings.map((finding) => finding.id),
    };
  }
  const figures = FIXTURE_FIGURES[name];
  if (!figures) throw new Error(`no expected figures for guest fixture ${name}`);
  const documented = readmeFindingIds(name);
  if (JSON.stringify([...documented].sort()) !== JSON.stringify([...figures.findingIds].sort())) {
    throw new Error(`${name}: the expected findings ${figures.findingIds.join(', ')} differ from its README's table (${documented.join(', ')})`);
  }
  // The guest is mounted over this machine's /proc and /sys, but / stays this machine's: when the lane itself
  // runs in a container (a /.dockerenv, as on these CI machines), the probe rightly says so for every guest.
  const harnessInContainer = ['/.dockerenv', '/run/.containerenv'].some((marker) => existsSync(marker));
  return { name, ...figures, findingIds: harnessInContainer ? [...figures.findingIds, 'checked-from-container'] : figures.findingIds };
}

/** Balloon-check's own JSON for a guest view, for the finding ids the extension must agree with. */
export function cliReport(fixture: string | null): { findings: { id: string; title: string }[]; balloon: { currentBytes: number | null } } {
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

/**
 * `npm run bench:realvm`: the real-VM lane's own phases, and balloon-check over SSH against `ssh true` on the
 * same QEMU guest, in the same run.
 *
 * 1. Lane phases: build the initramfs (kernel already cached), boot one guest under TCG until its sshd runs,
 *    inflate the balloon through QMP to 600 MiB of 1 GiB (until QEMU's `actual` reaches it), one check.
 * 2. `node dist/cli.js --ssh guest --format json` against `ssh -F cfg guest true` (OpenSSH, same key, same
 *    guest), interleaved, median of N. The guest is TCG-emulated: every figure includes the emulation.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildImages, Guest, laneRequirements } from '../test/realvm/guest';
import { ROOT } from '../test/helpers/system';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CLI = join(ROOT, 'dist', 'cli.js');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)]!;

function timed(command: string, args: string[], okCodes = [0, 1, 2]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status === null || !okCodes.includes(result.status)) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const missing = laneRequirements().filter(([present]) => !present);
  if (missing.length) { console.log(`skipped: ${missing.map(([, what, hint]) => `${what} (${hint})`).join(', ')}`); return; }
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'ignore' });
  let start = Date.now();
  const images = buildImages();
  const buildMs = Date.now() - start;
  start = Date.now();
  const guest = await Guest.boot(images, { name: 'bench', deflateOnOom: false, freePageReporting: true });
  const bootMs = Date.now() - start;
  try {
    const { config, alias } = guest.writeSshConfig(images);
    const check = () => timed(process.execPath, [CLI, '--ssh-config', config, '--ssh', alias, '--format', 'json']);
    const sshTrue = () => timed('ssh', ['-F', config, alias, 'true'], [0]);
    start = Date.now();
    await guest.setBalloonTarget(600);
    const inflateMs = Date.now() - start;
    const firstCheckMs = check();
    // Warm-up, then interleaved rounds so drift hits both alike.
    sshTrue(); check();
    const cli: number[] = [];
    const ssh: number[] = [];
    for (let i = 0; i < RUNS; i++) { ssh.push(sshTrue()); cli.push(check()); }
    const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim();
    console.log(`real-VM lane phases: build initramfs ${buildMs} ms, boot to sshd ${bootMs} ms, inflate 424 MiB ${inflateMs} ms, first check ${firstCheckMs.toFixed(0)} ms`);
    console.log(`ssh true:               median ${median(ssh).toFixed(0)} ms, p90 ${p90(ssh).toFixed(0)} ms (${RUNS} runs)`);
    console.log(`balloon-check --ssh:    median ${median(cli).toFixed(0)} ms, p90 ${p90(cli).toFixed(0)} ms (${RUNS} runs)`);
    console.log(`ratio (medians):        ${(median(cli) / median(ssh)).toFixed(2)}x   load average: ${load}`);
  } finally {
    await guest.stop();
  }
}

main().catch((error) => { console.error(error); process.exitCode = 1; });

/**
 * `npm run bench:sosreport`: analysing an archived sos report of realistic size against unpacking
 * the same archive with `tar -xf` (goal: no slower than unpacking it).
 *
 * The report: the simulated VMware sos 4.x report (test/fixtures/sosreports/vmware-sos4-debugfs)
 * plus what makes real reports big: var/log/messages and journal-like text (compressible) and
 * var/log/sa binary files (random, incompressible), BENCH_SOS_MB of each (default 40). Packed as
 * sos packs it: tar.xz (and tar.gz for the zlib path). Each tool runs BENCH_RUNS times (default 5),
 * alternating; medians are reported.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GUESTS_DIR, tempDir } from '../test/helpers/guests';
import { cliBundle } from '../test/helpers/system';

const MB = Number(process.env.BENCH_SOS_MB ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function time(command: string, args: string[]): number {
  const started = performance.now();
  const run = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0 && !(command === process.execPath && run.status !== null && run.status <= 3)) throw new Error(`${command} ${args.join(' ')}: exit ${run.status} ${run.stderr}`);
  return ms;
}

const cli = cliBundle();
const tmp = tempDir('bi-sos-bench-');
try {
  const name = 'sosreport-rhel9-app01-2025-03-03-abcdefg';
  const fixtures = join(GUESTS_DIR, '..', 'sosreports', 'vmware-sos4-debugfs');
  const top = join(tmp.dir, 'src', name);
  cpSync(join(fixtures, readdirSync(fixtures)[0]!), top, { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(top, 'var', 'log', 'sa'), { recursive: true });
  const line = 'Mar  3 09:15:02 rhel9-app01 systemd[1]: Started Session 4711 of User root; memory pressure some avg10=0.00\n';
  writeFileSync(join(top, 'var', 'log', 'messages'), line.repeat(Math.ceil((MB * 1024 * 1024) / line.length)));
  for (let i = 0; i < 4; i++) writeFileSync(join(top, 'var', 'log', 'sa', `sa0${i}`), randomBytes((MB * 1024 * 1024) / 4));
  const archives: string[] = [];
  for (const [flag, ext] of [['-J', 'xz'], ['-z', 'gz']] as const) {
    const archive = join(tmp.dir, `${name}.tar.${ext}`);
    execFileSync('tar', ['-C', join(tmp.dir, 'src'), flag, '-cf', archive, name], { env: { ...process.env, XZ_OPT: '-1 -T0' } });
    archives.push(archive);
  }
  console.log(`sos report: ${2 * MB} MB of files (${MB} MB text, ${MB} MB random), ${RUNS} runs each, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  for (const archive of archives) {
    const unpack: number[] = [];
    const analyse: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const out = join(tmp.dir, `x${run}`);
      mkdirSync(out);
      unpack.push(time('tar', ['-xf', archive, '-C', out]));
      rmSync(out, { recursive: true, force: true });
      analyse.push(time(process.execPath, [cli, '--sosreport', archive, '--format', 'json']));
    }
    const size = (statSync(archive).size / 1024 / 1024).toFixed(1);
    console.log(`${archive.slice(archive.lastIndexOf('.tar'))} ${size} MB: tar -xf median ${median(unpack).toFixed(0)} ms (${unpack.map((ms) => ms.toFixed(0)).join(', ')}); balloon-check --sosreport median ${median(analyse).toFixed(0)} ms (${analyse.map((ms) => ms.toFixed(0)).join(', ')}); ratio ${(median(analyse) / median(unpack)).toFixed(2)}`);
  }
} finally {
  tmp.remove();
}

/**
 * `npm run bench:sosreport`: analysing an archived sos report of realistic size against unpacking
 * the same archive with `tar -xf` (goal: no slower than unpacking it).
 *
 * Three reports, each with what makes real reports big:
 * - "real": a real sos report of this machine (`sos report --batch`, sos's default plugins: thousands
 *   of members, as sos lays them out) plus the logs below; skipped when sos is not installed;
 * - "logs": the simulated VMware sos 4.x report (test/fixtures/sosreports/vmware-sos4-debugfs, a few
 *   dozen members) plus BENCH_SOS_MB (default 120) of varied syslog/journal-like text (timestamps, PIDs,
 *   units, numbers differ line to line: it compresses about as real logs do) and BENCH_SOS_MB/8 of
 *   var/log/sa binary data;
 * - "mixed": the simulated report plus BENCH_SOS_MB/3 of one repeated log line (compresses ~1000x) and
 *   as much random, incompressible var/log/sa data (the mix of the first measurement).
 * Packed as sos packs them (sos/archive.py: Python tarfile, PAX atime/ctime records on every member,
 * xz preset 3 in one block, gzip level 6). Each tool runs BENCH_RUNS times (default 5), alternating,
 * with `sync` after each `tar -xf` and its removal; medians are reported. A second baseline unpacks into
 * /dev/shm (tmpfs), where tar pays no disk metadata writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GUESTS_DIR, tempDir } from '../test/helpers/guests';
import { cliBundle } from '../test/helpers/system';

const MB = Number(process.env.BENCH_SOS_MB ?? 120);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** A file system in memory for the second baseline, when this machine has one. */
const SHM = existsSync('/dev/shm') ? '/dev/shm' : null;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** GNU time gives the CPU time of a command and its children (xz under tar, xz and the probe under balloon-check). */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Wall time, and CPU time (user + system, children included) when GNU time is there. */
function time(command: string, args: string[], cpuFile: string): { ms: number; cpuMs: number | null } {
  const [program, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, command, ...args]] : [command, args];
  const started = performance.now();
  const run = spawnSync(program, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0 && !(command === process.execPath && run.status !== null && run.status <= 3)) throw new Error(`${command} ${args.join(' ')}: exit ${run.status} ${run.stderr}`);
  const cpu = GNU_TIME ? /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(readFileSync(cpuFile, 'utf8')) : null;
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null };
}

/** "median (run, run, ...)" of wall times, then the CPU median. */
function summary(runs: { ms: number; cpuMs: number | null }[]): string {
  const cpu = runs.map((run) => run.cpuMs).filter((ms): ms is number => ms !== null);
  return `median ${median(runs.map((run) => run.ms)).toFixed(0)} ms (${runs.map((run) => run.ms.toFixed(0)).join(', ')})${cpu.length ? `, CPU ${median(cpu).toFixed(0)} ms` : ''}`;
}

const WORDS = ['systemd', 'kernel', 'NetworkManager', 'sshd', 'crond', 'rsyslogd', 'vmtoolsd', 'chronyd', 'dbus-daemon', 'auditd'];
const VERBS = ['Started', 'Stopped', 'Reloading', 'Accepted publickey for', 'session opened for user', 'memory pressure some avg10=', 'Out of memory: Killed process', 'balloon: inflated to', 'link becomes ready on', 'Finished'];

/** Log text whose lines differ as real ones do (time, host, unit, PID, figures), about size bytes. */
function logText(size: number, seed: number): string {
  let x = seed;
  const rand = (n: number) => { x = (x * 1103515245 + 12345) & 0x7fffffff; return (x >>> 8) % n; };
  const lines: string[] = [];
  let bytes = 0;
  for (let second = 0; bytes < size; second += rand(3)) {
    const time = `Mar  3 ${String(Math.floor(second / 3600) % 24).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
    const line = `${time} rhel9-app01 ${WORDS[rand(WORDS.length)]}[${1000 + rand(60000)}]: ${VERBS[rand(VERBS.length)]} ${rand(100000)} ${rand(2) ? `unit-${rand(500)}.service` : `0x${rand(0xffffff).toString(16)}`} (${rand(1000)}.${rand(100)} ms)\n`;
    lines.push(line);
    bytes += line.length;
  }
  return lines.join('');
}

/**
 * Packs as sos 4.x does (sos/archive.py TarFileArchive): Python tarfile in PAX format, each member carrying
 * atime and ctime PAX records (copy_permissions_filter), xz preset 3 (one block) or gzip level 6.
 */
function pack(top: string, mix: string, tmpDir: string): string[] {
  const script = [
    'import os, sys, tarfile',
    'top, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]',
    'def keep_times(info):',
    '    st = os.lstat(os.path.join(os.path.dirname(top), info.name))',
    "    info.pax_headers['atime'] = '%.9f' % st.st_atime",
    "    info.pax_headers['ctime'] = '%.9f' % st.st_ctime",
    '    return info',
    "options = {'preset': 3} if mode == 'xz' else {'compresslevel': 6}",
    "with tarfile.open(out, 'w:' + mode, format=tarfile.PAX_FORMAT, **options) as archive:",
    '    archive.add(top, arcname=os.path.basename(top), filter=keep_times)',
  ].join('\n');
  return ['xz', 'gz'].map((mode) => {
    const archive = join(tmpDir, `${mix}-${basename(top)}.tar.${mode}`);
    execFileSync('python3', ['-c', script, top, archive, mode]);
    return archive;
  });
}

/** A real sos report of this machine (sos report --batch, its default plugins), unpacked; null without sos. */
function realSosreport(tmpDir: string): string | null {
  const made = spawnSync('sos', ['report', '--batch', '--quiet', '--tmp-dir', tmpDir], { cwd: tmpDir, encoding: 'utf8', timeout: 600_000 });
  const archive = readdirSync(tmpDir).find((file) => /^sosreport-.*\.tar\.(xz|gz)$/.test(file));
  if (made.status !== 0 || !archive) return null;
  const into = join(tmpDir, 'real-base');
  mkdirSync(into);
  execFileSync('tar', ['-xf', join(tmpDir, archive), '-C', into]);
  return join(into, readdirSync(into)[0]!);
}

const cli = cliBundle();
const tmp = tempDir('bi-sos-bench-');
try {
  const name = 'sosreport-rhel9-app01-2025-03-03-abcdefg';
  const fixtures = join(GUESTS_DIR, '..', 'sosreports', 'vmware-sos4-debugfs');
  const addLogs = (top: string) => {
    mkdirSync(join(top, 'var', 'log', 'sa'), { recursive: true });
    writeFileSync(join(top, 'var', 'log', 'messages'), logText((MB * 1024 * 1024) / 2, 1));
    mkdirSync(join(top, 'sos_commands', 'logs'), { recursive: true });
    writeFileSync(join(top, 'sos_commands', 'logs', 'journalctl_--no-pager'), logText((MB * 1024 * 1024) / 2, 2));
    for (let i = 0; i < 4; i++) writeFileSync(join(top, 'var', 'log', 'sa', `sa0${i}`), randomBytes((MB * 1024 * 1024) / 32));
  };
  const fixture = join(fixtures, readdirSync(fixtures)[0]!);
  const real = realSosreport(tmp.dir);
  if (!real) console.log('no "real" mix: `sos report` did not run here (apt-get install sosreport)');
  const mixes: Record<string, { base: string; fill: (top: string) => void }> = {
    ...(real ? { real: { base: real, fill: addLogs } } : {}),
    logs: { base: fixture, fill: addLogs },
    mixed: {
      base: fixture,
      fill: (top) => {
        mkdirSync(join(top, 'var', 'log', 'sa'), { recursive: true });
        const line = 'Mar  3 09:15:02 rhel9-app01 systemd[1]: Started Session 4711 of User root; memory pressure some avg10=0.00\n';
        writeFileSync(join(top, 'var', 'log', 'messages'), line.repeat(Math.ceil((MB * 1024 * 1024) / 3 / line.length)));
        for (let i = 0; i < 4; i++) writeFileSync(join(top, 'var', 'log', 'sa', `sa0${i}`), randomBytes((MB * 1024 * 1024) / 12));
      },
    },
  };
  console.log(`${RUNS} runs each, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  for (const [mix, { base, fill }] of Object.entries(mixes)) {
    const top = join(tmp.dir, mix, base === fixture ? name : basename(base));
    cpSync(base, top, { recursive: true, verbatimSymlinks: true });
    fill(top);
    const unpacked = (execFileSync('du', ['-sm', top], { encoding: 'utf8' }).split('\t')[0] ?? '?');
    const members = execFileSync('find', [top], { encoding: 'utf8' }).trim().split('\n').length;
    for (const archive of pack(top, mix, tmp.dir)) {
      const unpack: { ms: number; cpuMs: number | null }[] = [];
      const unpackInMemory: { ms: number; cpuMs: number | null }[] = [];
      const analyse: { ms: number; cpuMs: number | null }[] = [];
      const cpuFile = join(tmp.dir, 'cpu.txt');
      for (let run = 0; run < RUNS; run++) {
        const out = join(tmp.dir, `x${run}`);
        mkdirSync(out);
        unpack.push(time('tar', ['-xf', archive, '-C', out], cpuFile));
        rmSync(out, { recursive: true, force: true });
        // The removed files' writeback must not land in the next timed run (either tool's).
        spawnSync('sync');
        analyse.push(time(process.execPath, [cli, '--sosreport', archive, '--format', 'json'], cpuFile));
        spawnSync('sync');
        // Unpacking into memory (tmpfs): tar without this disk's metadata writes.
        if (SHM) {
          const inMemory = join(SHM, `bi-sos-bench-x${process.pid}`);
          mkdirSync(inMemory);
          unpackInMemory.push(time('tar', ['-xf', archive, '-C', inMemory], cpuFile));
          rmSync(inMemory, { recursive: true, force: true });
        }
      }
      const size = (statSync(archive).size / 1024 / 1024).toFixed(1);
      const ratio = median(analyse.map((run) => run.ms)) / median(unpack.map((run) => run.ms));
      const memoryRatio = unpackInMemory.length ? `; against tar -xf into tmpfs ${summary(unpackInMemory)}: ratio ${(median(analyse.map((run) => run.ms)) / median(unpackInMemory.map((run) => run.ms))).toFixed(2)}` : '';
      console.log(`${mix} ${archive.slice(archive.lastIndexOf('.tar'))} ${size} MB (${unpacked} MB unpacked, ${members} members): tar -xf ${summary(unpack)}; balloon-check --sosreport ${summary(analyse)}; ratio ${ratio.toFixed(2)}${memoryRatio}`);
    }
  }
} finally {
  tmp.remove();
}

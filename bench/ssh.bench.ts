/**
 * `npm run bench:ssh`: balloon-check over SSH against OpenSSH, measured in the same run.
 *
 * 1. One guest on loopback: `balloon-check --ssh guest` (the built CLI, a new process each time)
 *    against `ssh -o BatchMode=yes guest true` — runs interleaved, median of N. Goal ≤ 1.15×.
 * 2. A fleet of sshd instances: `balloon-check --ssh h1 ... --ssh hN` at the default concurrency
 *    for N = 1, 10, 25, 50, 100, and 100 at --jobs 1. Goal: 100 hosts ≤ 3× one host.
 *
 * Every sshd is real (/usr/sbin/sshd on 127.0.0.1, throwaway keys and config) and logs in the
 * test user bi-test, whose shell is /bin/sh: no rc files, so the login costs what sshd costs.
 * Needs root and the user bi-test (see .ci/run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { SshLab, TEST_USER, userExists, type Sshd } from '../test/helpers/sshd';
import { ROOT } from '../test/helpers/system';
import { SshConfig } from '../src/transport/ssh-config';
import { SshTransport } from '../src/transport/ssh';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const FLEET_RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 5);
const FLEET_SIZES = (process.env.BENCH_FLEET ?? '1,10,25,50,100').split(',').map(Number);
const CLI = join(ROOT, 'dist', 'cli.js');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)]!;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU ticks (user+system) of a process and of its reaped children: /proc/PID/stat fields 14-17. */
function cpuTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}

interface Sample { wall: number[]; clientCpuMs: number; serverCpuMs: number }
const newSample = (): Sample => ({ wall: [], clientCpuMs: 0, serverCpuMs: 0 });

/**
 * One timed run. Client CPU: this process's reaped children (the command). Server CPU: the sshd
 * listener's reaped children (the per-connection sshd, its privsep child and the remote shell).
 */
function timeSync(sample: Sample | null, command: string, args: string[], options: { input?: string; sshd?: Sshd; okCodes?: number[] } = {}): number {
  const clientBefore = cpuTicks('self');
  const serverBefore = options.sshd ? cpuTicks(options.sshd.pid) : 0;
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', input: options.input, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status === null || !(options.okCodes ?? [0, 1, 2]).includes(result.status)) throw new Error(`${command} ${args.slice(0, 6).join(' ')} … exited ${result.status}: ${result.stderr}`);
  if (sample) {
    sample.wall.push(ms);
    sample.clientCpuMs += ((cpuTicks('self') - clientBefore) / TICKS_PER_SECOND) * 1000;
    // The per-connection sshd may still be exiting: wait until the listener has reaped it.
    if (options.sshd) sample.serverCpuMs += ((waitServerSettled(options.sshd, serverBefore) - serverBefore) / TICKS_PER_SECOND) * 1000;
  }
  return ms;
}

function waitServerSettled(sshd: Sshd, before: number): number {
  let last = cpuTicks(sshd.pid);
  for (let i = 0; i < 20; i++) {
    spawnSync('sleep', ['0.01']);
    const now = cpuTicks(sshd.pid);
    if (now === last && now !== before) break;
    last = now;
  }
  return last;
}

/** Async spawn, so this process's event loop (and nothing else) waits. */
function timeAsync(command: string, args: string[]): Promise<{ ms: number; code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stdout }));
  });
}

function writeConfig(lab: SshLab, name: string, servers: readonly Sshd[]): string {
  const knownHosts = lab.knownHosts(`${name}.known_hosts`, servers);
  const hosts = servers.map((server, index) => `Host h${index}\n  Port ${server.port}`);
  return lab.write(`${name}.conf`, [...hosts, 'Host *', '  HostName 127.0.0.1', `  User ${TEST_USER}`, `  IdentityFile ${lab.userKey.path}`,
    '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none', '  BatchMode yes', ''].join('\n'));
}

async function singleGuest(lab: SshLab) {
  const server = await lab.startSshd();
  const config = writeConfig(lab, 'single', [server]);
  const ours = ['--ssh-config', config, '--ssh', 'h0', '--format', 'json', '--batch'];
  const ssh = (command: string) => ['-F', config, '-o', 'BatchMode=yes', 'h0', command];
  const script = spawnSync(process.execPath, [CLI, '--script'], { encoding: 'utf8' }).stdout;
  // warm up: page cache, sshd's first fork
  timeSync(null, 'ssh', ssh('true'));
  timeSync(null, process.execPath, [CLI, ...ours]);
  const baseline = newSample();
  const check = newSample();
  const sshProbe = newSample();
  const nodeStart = newSample();
  const bareNode = newSample();
  for (let i = 0; i < RUNS; i++) {
    timeSync(baseline, 'ssh', ssh('true'), { sshd: server });
    timeSync(check, process.execPath, [CLI, ...ours], { sshd: server });
    timeSync(sshProbe, 'ssh', ssh('sh -s'), { sshd: server, input: script });
    timeSync(nodeStart, process.execPath, [CLI, '--version'], { okCodes: [0] });
    timeSync(bareNode, process.execPath, ['-e', '0'], { okCodes: [0] });
  }
  // In-process: the SSH work alone, without starting Node.
  const transport = new SshTransport('h0', { config: SshConfig.load(config) });
  const inProcess: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await transport.runProbe({});
    inProcess.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const ratio = median(check.wall) / median(baseline.wall);
  const cpu = (sample: Sample) => (sample.clientCpuMs + sample.serverCpuMs) / RUNS;
  console.log(`\n### One guest over loopback (${RUNS} runs each, interleaved)\n`);
  console.log('| command | wall median ms | wall p90 ms | wall vs ssh true | client CPU ms | server CPU ms | CPU vs ssh true |');
  console.log('|---|---|---|---|---|---|---|');
  const row = (name: string, sample: Sample) => console.log(`| ${name} | ${median(sample.wall).toFixed(1)} | ${p90(sample.wall).toFixed(1)} | ${(median(sample.wall) / median(baseline.wall)).toFixed(2)}× | ${(sample.clientCpuMs / RUNS).toFixed(1)} | ${(sample.serverCpuMs / RUNS).toFixed(1)} | ${(cpu(sample) / cpu(baseline)).toFixed(2)}× |`);
  row('`ssh -o BatchMode=yes guest true` (baseline)', baseline);
  row('`balloon-check --ssh guest --format json`', check);
  row('`ssh -o BatchMode=yes guest sh -s < probe` (same remote work, OpenSSH client)', sshProbe);
  row('`balloon-check --version` (Node start + bundle load, no SSH)', nodeStart);
  row('`node -e 0` (Node start alone)', bareNode);
  console.log(`| SshTransport.runProbe in-process (the SSH work without Node's start) | ${median(inProcess).toFixed(1)} | ${p90(inProcess).toFixed(1)} | ${(median(inProcess) / median(baseline.wall)).toFixed(2)}× | | | |`);
  console.log(`\nGoal ≤ 1.15× ssh true (wall): ${ratio.toFixed(2)}× — ${ratio <= 1.15 ? 'met' : `MISSED by ${((ratio / 1.15 - 1) * 100).toFixed(0)}%`}; by CPU ${(cpu(check) / cpu(baseline)).toFixed(2)}×`);
  return ratio;
}

async function fleet(lab: SshLab) {
  const largest = Math.max(...FLEET_SIZES);
  const servers: Sshd[] = [];
  for (let i = 0; i < largest; i += 10) {
    servers.push(...await Promise.all(Array.from({ length: Math.min(10, largest - i) }, () => lab.startSshd())));
  }
  const config = writeConfig(lab, 'fleet', servers);
  const args = (size: number, jobs?: number) => ['--ssh-config', config, ...Array.from({ length: size }, (_, index) => ['--ssh', `h${index}`]).flat(), '--format', 'ndjson', '--batch', ...(jobs ? ['--jobs', String(jobs)] : [])];
  await timeAsync(process.execPath, [CLI, ...args(Math.min(10, largest))]); // warm-up
  const serverTicks = () => servers.reduce((sum, server) => sum + cpuTicks(server.pid), 0);
  interface Row { label: string; size: number; jobs?: number; times: number[]; clientTicks: number; serverTicks: number; ms: number; clientCpuMs: number; serverCpuMs: number }
  const rows: Row[] = FLEET_SIZES.map((size) => ({ label: `${size} host${size === 1 ? '' : 's'}, default --jobs (16)`, size, times: [], clientTicks: 0, serverTicks: 0, ms: 0, clientCpuMs: 0, serverCpuMs: 0 }));
  const serial: Row = { label: `${largest} hosts, --jobs 1 (one after another)`, size: largest, jobs: 1, times: [], clientTicks: 0, serverTicks: 0, ms: 0, clientCpuMs: 0, serverCpuMs: 0 };
  const measureOnce = async (row: Row) => {
    const clientBefore = cpuTicks('self');
    const serverBefore = serverTicks();
    const result = await timeAsync(process.execPath, [CLI, ...args(row.size, row.jobs)]);
    row.clientTicks += cpuTicks('self') - clientBefore;
    await new Promise((resolve) => setTimeout(resolve, 300)); // let every per-connection sshd be reaped
    row.serverTicks += serverTicks() - serverBefore;
    const lines = result.stdout.trim().split('\n').filter(Boolean);
    const failed = lines.filter((line) => 'error' in JSON.parse(line));
    if (lines.length !== row.size || failed.length) throw new Error(`${row.label}: ${lines.length} results, ${failed.length} failed: ${failed[0] ?? ''}`);
    row.times.push(result.ms);
  };
  // Rounds over every size, so the machine's load (shared with others) hits all sizes alike.
  for (let round = 0; round < FLEET_RUNS; round++) {
    for (const row of rows) await measureOnce(row);
    await measureOnce(serial);
  }
  for (const row of [...rows, serial]) {
    row.ms = median(row.times);
    row.clientCpuMs = (row.clientTicks / TICKS_PER_SECOND / row.times.length) * 1000;
    row.serverCpuMs = (row.serverTicks / TICKS_PER_SECOND / row.times.length) * 1000;
  }
  rows.push(serial);
  const one = rows.find((row) => row.size === 1) ?? rows[0]!;
  const cores = cpus().length;
  console.log(`\n### Fleet: ${largest} sshd instances on loopback, ${cores} CPUs shared by client and servers (median of ${FLEET_RUNS} rounds over all sizes, --jobs 1 included)\n`);
  console.log('| hosts | wall median ms | vs one host | client CPU ms (whole CLI) | client CPU ms per extra host | server CPU ms (all sshd + probes) |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    const perHost = row.size > 1 ? ((row.clientCpuMs - one.clientCpuMs) / (row.size - 1)).toFixed(1) : '—';
    console.log(`| ${row.label} | ${row.ms.toFixed(0)} | ${(row.ms / one.ms).toFixed(2)}× | ${row.clientCpuMs.toFixed(0)} | ${perHost} | ${row.serverCpuMs.toFixed(0)} |`);
  }
  const hundred = rows.find((row) => row.size === largest && row.label.includes('default'))!;
  const ratio = hundred.ms / one.ms;
  // With real guests the servers' CPU is theirs: the client is then bound by its own CPU over the cores.
  const clientBound = one.ms + Math.max(0, hundred.clientCpuMs - one.clientCpuMs) / cores;
  console.log(`\nGoal ${largest} hosts ≤ 3× one host: ${ratio.toFixed(2)}× — ${ratio <= 3 ? 'met' : `MISSED by ${((ratio / 3 - 1) * 100).toFixed(0)}%`}.`);
  console.log(`Server side (sshd + probe) on this machine: ${(hundred.serverCpuMs / largest).toFixed(1)} ms CPU per host, ${hundred.serverCpuMs.toFixed(0)} ms for ${largest} hosts, i.e. at least ${(hundred.serverCpuMs / cores).toFixed(0)} ms of wall time on ${cores} CPUs that the client shares; client: ${((hundred.clientCpuMs - one.clientCpuMs) / (largest - 1)).toFixed(1)} ms CPU per extra host.`);
  console.log(`If the guests' work ran on the guests (a real fleet), the client-bound estimate is one host + extra client CPU / ${cores} CPUs = ${clientBound.toFixed(0)} ms = ${(clientBound / one.ms).toFixed(2)}× one host.`);
}

async function main() {
  if (process.getuid?.() !== 0 || !userExists(TEST_USER)) throw new Error(`needs root and the user ${TEST_USER} (see .ci/run)`);
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const lab = new SshLab();
  try {
    const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
    console.log(`## SSH benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${ssh}, load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
    await singleGuest(lab);
    await fleet(lab);
  } finally {
    await lab.cleanup();
  }
}

main().catch((error) => { console.error(error); process.exitCode = 1; });

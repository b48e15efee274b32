/**
 * `node --import tsx bench/ssh-config.bench.ts`: does host listing and resolution grow linearly
 * with the size of the SSH config? (issue 9, item 15: 5,000 hosts took 6.2 s, 10,000 took 40.7 s.)
 *
 * For each N (default 5,000 and 10,000; BENCH_SSH_HOSTS=5000,10000,20000 to change), a real config
 * of N `Host` blocks plus a `Host *` block, and a known_hosts of N plain lines, in a temp dir:
 *
 * 1. in process: SshConfig.load, concreteHosts, then for every host what a connection does before
 *    the network — connectionChain (resolve), readKnownHosts and the host-key lookups; median of runs;
 * 2. the built CLI end to end: `balloon-check --all-ssh-hosts --batch --format json` with every host
 *    on 127.0.0.1 port 1 (refused at once, so the run is resolution plus N refused connects).
 *    BENCH_CLI=path/to/cli.js runs another build (e.g. an older checkout) for comparison.
 *
 * Prints ms per N and the ratio of each N to the first: linear is 2.0 for 10,000 against 5,000.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshConfig } from '../src/transport/ssh-config';
import { checkHostKey, knownHostsName, knownKeyTypes, readKnownHosts } from '../src/transport/ssh-known-hosts';
import { connectionChain } from '../src/transport/ssh';
import { cliBundle } from '../test/helpers/system';

const SIZES = (process.env.BENCH_SSH_HOSTS ?? '5000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CLI = process.env.BENCH_CLI ?? cliBundle();
const dir = mkdtempSync(join(tmpdir(), 'bi-bench-sshcfg-'));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function keyBlob(fill: number): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(type.length);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(32);
  return Buffer.concat([head, type, length, Buffer.alloc(32, fill & 0xff)]);
}

function writeFleet(hosts: number): { config: string; home: string } {
  const home = join(dir, `home-${hosts}`);
  const knownHosts = join(dir, `known_hosts-${hosts}`);
  const blocks: string[] = [];
  const known: string[] = [];
  for (let index = 0; index < hosts; index++) {
    blocks.push(`Host guest-${index}\n  HostName 127.0.0.1\n  Port 1\n  User ops-${index % 7}`);
    known.push(`[127.0.0.1]:${1000 + index},guest-${index}.fleet ssh-ed25519 ${keyBlob(index).toString('base64')}`);
  }
  blocks.push(`Host *\n  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile none\n  IdentityFile ${join(home, 'none')}\n  IdentityAgent none\n  ConnectTimeout 5`);
  writeFileSync(knownHosts, `${known.join('\n')}\n`);
  const config = join(dir, `config-${hosts}`);
  writeFileSync(config, `${blocks.join('\n')}\n`);
  return { config, home };
}

/** What a fleet run does per host before it touches the network, for every host of the config. */
function resolveAll(configFile: string, home: string): number {
  const start = process.hrtime.bigint();
  const config = SshConfig.load(configFile, { home, localUser: 'bench', env: {} });
  let checked = 0;
  for (const alias of config.concreteHosts()) {
    for (const host of connectionChain(config, alias)) {
      const known = readKnownHosts([...host.userKnownHostsFiles, ...host.globalKnownHostsFiles]);
      const names = [host.hostKeyAlias ?? knownHostsName(host.hostName, host.port)];
      knownKeyTypes(known, names);
      if (checkHostKey(known, names, keyBlob(checked)).status === 'revoked') throw new Error('unexpected verdict');
      checked++;
    }
  }
  if (checked !== config.concreteHosts().length) throw new Error(`resolved ${checked} hosts`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function cliRun(configFile: string, hosts: number): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, '--ssh-config', configFile, '--all-ssh-hosts', '--batch', '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const records = JSON.parse(result.stdout || '[]') as unknown[];
  if (records.length !== hosts) throw new Error(`the CLI reported ${records.length} of ${hosts} hosts (exit ${result.status}): ${result.stderr.slice(0, 300)}`);
  return ms;
}

try {
  const rows: { hosts: number; resolveMs: number; cliMs: number }[] = [];
  for (const hosts of SIZES) {
    const { config, home } = writeFleet(hosts);
    resolveAll(config, home); // warm-up: JIT, and known_hosts parsed once as in a real run
    const resolveMs = median(Array.from({ length: RUNS }, () => resolveAll(config, home)));
    const cliMs = median(Array.from({ length: Math.max(1, Math.ceil(RUNS / 2)) }, () => cliRun(config, hosts)));
    rows.push({ hosts, resolveMs, cliMs });
  }
  const first = rows[0]!;
  console.log(`SSH config scaling (median of ${RUNS} in-process runs, ${Math.max(1, Math.ceil(RUNS / 2))} CLI runs; CLI ${CLI})`);
  console.log('hosts    load+resolve+known_hosts   ratio    CLI --all-ssh-hosts (refused)   ratio');
  for (const row of rows) {
    console.log(`${String(row.hosts).padStart(6)}   ${row.resolveMs.toFixed(0).padStart(10)} ms   ${(row.resolveMs / first.resolveMs).toFixed(2).padStart(10)}×   ${row.cliMs.toFixed(0).padStart(16)} ms   ${(row.cliMs / first.cliMs).toFixed(2).padStart(14)}×`);
  }
  console.log(`linear growth is ${(rows[rows.length - 1]!.hosts / first.hosts).toFixed(2)}× for ${rows[rows.length - 1]!.hosts} against ${first.hosts} hosts`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

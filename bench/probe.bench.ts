/**
 * `npm run bench`: the local probe against baselines measured in the same run.
 * Wall time: median of N spawns. CPU time: the children's user+system ticks (cutime+cstime of
 * this process, /proc/self/stat) over the same N runs, divided by N.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { analyzeProbeOutput } from '../src/core/report';
import { scriptWithSettings } from '../src/transport/probe-script';
import { LocalTransport } from '../src/transport/local';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function childCpuTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17.
  return Number(fields[13]) + Number(fields[14]);
}

interface Measure { name: string; wallMedianMs: number; wallP90Ms: number; cpuMs: number }

function measure(name: string, command: string, args: string[], input?: string): Measure {
  const walls: number[] = [];
  spawnSync(command, args, { input }); // warm caches
  const ticksBefore = childCpuTicks();
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { input, encoding: 'utf8' });
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  }
  const cpuMs = ((childCpuTicks() - ticksBefore) / TICKS_PER_SECOND / RUNS) * 1000;
  walls.sort((a, b) => a - b);
  return { name, wallMedianMs: walls[Math.floor(RUNS / 2)], wallP90Ms: walls[Math.floor(RUNS * 0.9)], cpuMs };
}

async function engineWall(): Promise<number> {
  const transport = new LocalTransport();
  const walls: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 100); i++) {
    const start = process.hrtime.bigint();
    const text = await transport.runProbe();
    const analysis = analyzeProbeOutput(text, transport.target);
    if (!analysis.ok) throw new Error(analysis.reason);
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  walls.sort((a, b) => a - b);
  return walls[Math.floor(walls.length / 2)];
}

async function main() {
  const script = scriptWithSettings();
  const results = [
    measure('sh -c true (baseline)', '/bin/sh', ['-c', 'true']),
    measure('cat /proc/meminfo (baseline)', 'cat', ['/proc/meminfo']),
    measure('probe script (sh -s, script on stdin)', '/bin/sh', ['-s'], script),
  ];
  const base = results[0];
  const rows = results.map((r) =>
    `| ${r.name} | ${r.wallMedianMs.toFixed(2)} | ${r.wallP90Ms.toFixed(2)} | ${r.cpuMs.toFixed(2)} | ${(r.wallMedianMs / base.wallMedianMs).toFixed(2)}× |`);
  const engine = await engineWall();
  const probe = results[2];
  console.log(`Probe benchmark: ${RUNS} runs each, /bin/sh = ${spawnSync('readlink', ['-f', '/bin/sh'], { encoding: 'utf8' }).stdout.trim()}\n`);
  console.log('| command | wall median ms | wall p90 ms | CPU ms/run | wall vs sh -c true |');
  console.log('|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log(`\nWhole engine in-process (spawn + probe + parse + rules + report), median of ${Math.min(RUNS, 100)}: ${engine.toFixed(2)} ms`);
  console.log(`Goals: probe ≤ 20 ms wall (${probe.wallMedianMs <= 20 ? 'met' : 'MISSED'}), ≤ 10 ms CPU (${probe.cpuMs <= 10 ? 'met' : 'MISSED'}).`);
}

main().catch((error) => { console.error(error); process.exitCode = 1; });

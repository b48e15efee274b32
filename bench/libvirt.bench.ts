/**
 * `npm run bench:libvirt`: the KVM host view of a 500-domain host against one `virsh list --all` on the
 * same host (goal: at most 1.5 times as long).
 *
 * The host: a node file for libvirt's test driver with BENCH_DOMAINS domains (default 500) — a third
 * ballooned, some without deflate-on-oom or statistics, a tenth shut off. The test driver reads and parses
 * the node file on every connection, which is most of what one virsh call costs here, so the ratio shows
 * what the host view adds: one virsh process and one connection, dumpxml and dommemstat of every domain,
 * the parsing in Node.js. Each side runs BENCH_RUNS times (default 9), alternating; medians are reported.
 * The host view is timed in this process (readHostView), the baseline as a spawned virsh, both from start
 * to the last byte; CPU time (this process and its waited-for children, /proc/self/stat) is reported too,
 * since on a shared machine the wall clock mostly measures the other processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHostView } from '../src/transport/libvirt';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** CPU time of this process and of its waited-for children (virsh, sh), in ms: /proc/self/stat utime..cstime. */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0) * TICK_MS;
}

/** A <node> for the test driver: a 256 GiB host with `count` domains of varied balloons. */
export function benchNode(count: number): string {
  const domains: string[] = [];
  for (let i = 0; i < count; i++) {
    const memoryMiB = 1024 * (1 + (i % 8));
    const currentMiB = i % 3 === 0 ? memoryMiB / 2 : memoryMiB;
    const balloon = i % 5 === 0 ? "<memballoon model='virtio'/>" : `<memballoon model='virtio' autodeflate='on'><stats period='10'/></memballoon>`;
    const shutOff = i % 10 === 9 ? '<test:runstate>5</test:runstate>' : '';
    domains.push(`<domain type='test'><name>vm-${String(i).padStart(4, '0')}</name><uuid>00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}</uuid>`
      + `<memory unit='MiB'>${memoryMiB}</memory><currentMemory unit='MiB'>${currentMiB}</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>`
      + `<devices>${balloon}</devices>${shutOff}</domain>`);
  }
  return `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n<cpu><mhz>2000</mhz><nodes>1</nodes><sockets>2</sockets><cores>16</cores><threads>2</threads><active>64</active></cpu>\n<memory>268435456</memory>\n${domains.join('\n')}\n</node>\n`;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bi-libvirt-bench-'));
  try {
    const node = join(dir, 'node.xml');
    writeFileSync(node, benchNode(DOMAINS));
    const uri = `test://${node}`;
    const list: number[] = [];
    const view: number[] = [];
    const listCpu: number[] = [];
    const viewCpu: number[] = [];
    let seen = 0;
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      let cpu = cpuMs();
      const listed = spawnSync('virsh', ['-r', '-c', uri, 'list', '--all'], { encoding: 'utf8' });
      list.push(performance.now() - started);
      listCpu.push(cpuMs() - cpu);
      if (listed.status !== 0) throw new Error(`virsh list: ${listed.stderr}`);
      started = performance.now();
      cpu = cpuMs();
      const hostView = await readHostView({ connect: uri, timeoutSeconds: 120 });
      view.push(performance.now() - started);
      viewCpu.push(cpuMs() - cpu);
      if (hostView.error) throw new Error(`host view: ${hostView.error.message}`);
      seen = hostView.domains.length;
    }
    if (seen !== DOMAINS) throw new Error(`the host view has ${seen} domains, not ${DOMAINS}`);
    const fmt = (values: number[]) => values.map((ms) => ms.toFixed(0)).join(', ');
    console.log(`${DOMAINS} domains (test driver), ${RUNS} runs each, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
    console.log(`virsh list --all: median ${median(list).toFixed(0)} ms (${fmt(list)})`);
    console.log(`host view (readHostView): median ${median(view).toFixed(0)} ms (${fmt(view)})`);
    console.log(`wall-clock ratio ${(median(view) / median(list)).toFixed(2)} (goal <= 1.5)`);
    console.log(`CPU (this process and its children): virsh list median ${median(listCpu).toFixed(0)} ms, host view median ${median(viewCpu).toFixed(0)} ms, ratio ${(median(viewCpu) / median(listCpu)).toFixed(2)}`);
    console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

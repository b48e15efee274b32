import { cpSync, mkdirSync, openSync, writeSync, closeSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './system';

/** The VMware seed guest whose tree the huge guest starts from. */
const BASE = join(ROOT, 'test', 'fixtures', 'guests', 'vmware-limit-12g-of-32g');

/** Sizes of what the generator writes, so tests can say what they checked. */
export const HUGE = {
  meminfoBytes: 4 << 20,
  vmstatBytes: 3 << 20,
  debugfsBytes: 3 << 20,
  modulesLines: 50_000,
  processors: 4000,
  dmiLineBytes: 256 << 10,
  hostnameBytes: 64 << 10,
  cgroupBytes: 512 << 10,
  processes: 5000,
  memoryBlocks: 8192,
  toolOutputBytes: 1 << 20,
};

/** Appends `line` (with its number substituted for `#`) until the file reaches `bytes`. */
function fill(path: string, head: string, line: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    let written = Buffer.byteLength(head);
    const chunk: string[] = [];
    let chunkBytes = 0;
    for (let i = 0; written + chunkBytes < bytes; i++) {
      const text = `${line.replace('#', String(i).padStart(7, '0'))}\n`;
      chunk.push(text);
      chunkBytes += text.length;
      if (chunk.length === 4096) { writeSync(fd, chunk.join('')); written += chunkBytes; chunk.length = 0; chunkBytes = 0; }
    }
    if (chunk.length) writeSync(fd, chunk.join(''));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the "hostile-huge" guest into `dir` (a fresh temp dir): the seed VMware guest with
 * multi-megabyte /proc and debugfs files, a 256 KiB DMI line, 5000 processes, 8192 memory blocks
 * and a vmware-toolbox-cmd that prints 1 MiB. Generated at test time so nothing big is committed.
 */
export function buildHostileHuge(dir: string): string {
  const root = join(dir, 'hostile-huge');
  cpSync(BASE, root, { recursive: true });
  const at = (rel: string) => join(root, rel);
  const seed = (rel: string) => readFileSync(join(BASE, rel), 'utf8');

  // Read by the probe's one awk run, which keeps at most 256 KiB of each.
  fill(at('proc/meminfo'), seed('proc/meminfo'), 'Padding#:              0 kB', HUGE.meminfoBytes);
  fill(at('proc/vmstat'), seed('proc/vmstat'), 'nr_padding_# 0', HUGE.vmstatBytes);
  fill(at('sys/kernel/debug/vmmemctl'), seed('sys/kernel/debug/vmmemctl'), 'padding#              :                0', HUGE.debugfsBytes);
  const modules: string[] = [];
  for (let i = 0; i < HUGE.modulesLines; i++) modules.push(`padding_module_${i} 16384 0 - Live 0x0000000000000000`);
  modules.push('vmw_balloon 28672 0 - Live 0x0000000000000000');
  writeFileSync(at('proc/modules'), `${modules.join('\n')}\n`);
  const cpu = seed('proc/cpuinfo').split('\n\n')[0];
  const cpus: string[] = [];
  for (let i = 0; i < HUGE.processors; i++) cpus.push(cpu.replace(/^processor\t: 0$/m, `processor\t: ${i}`));
  writeFileSync(at('proc/cpuinfo'), `${cpus.join('\n\n')}\n\n`);

  // Read line by line by the shell: a real sysfs attribute is at most one page, these are not.
  writeFileSync(at('sys/class/dmi/id/sys_vendor'), `VMware, Inc.${'x'.repeat(HUGE.dmiLineBytes)}\n`);
  writeFileSync(at('proc/sys/kernel/hostname'), `${'h'.repeat(HUGE.hostnameBytes)}\n`);
  fill(at('proc/1/cgroup'), '', '#:name=padding:/', HUGE.cgroupBytes);

  // Many processes (the [vmmemctl] scan stops at 4096) and many memory blocks.
  const stat = seed('proc/1/stat');
  for (let pid = 10_000; pid < 10_000 + HUGE.processes; pid++) {
    mkdirSync(at(`proc/${pid}`));
    writeFileSync(at(`proc/${pid}/stat`), stat.replace(/^1 \(systemd\) S 0/, `${pid} (worker) S 1`));
  }
  for (let i = 32; i < HUGE.memoryBlocks; i++) {
    mkdirSync(at(`sys/devices/system/memory/memory${i}`));
    writeFileSync(at(`sys/devices/system/memory/memory${i}/online`), '1\n');
  }

  writeFileSync(at('usr/bin/vmware-toolbox-cmd'), `#!/bin/sh
# Simulated vmware-toolbox-cmd that floods its output (${HUGE.toolOutputBytes} bytes per call).
i=0
line=$(printf '%0128d' 0)
while [ $i -lt ${HUGE.toolOutputBytes / 128} ]; do printf '%s\\n' "$line" || exit 1; i=$((i + 1)); done
echo '20480 MB'
`);
  chmodSync(at('usr/bin/vmware-toolbox-cmd'), 0o755);
  // The same flood as the saved outputs --root reads by default (sos report layout).
  for (const stat of ['balloon', 'swap', 'memlimit', 'memres']) {
    fill(at(`sos_commands/vmware/vmware-toolbox-cmd_stat_${stat}`), '', `${'0'.repeat(120)}#`, HUGE.toolOutputBytes);
  }
  writeFileSync(at('README.md'), 'Hostile guest generated at test time by test/helpers/hostile-huge.ts: the vmware-limit-12g-of-32g tree with multi-megabyte files (vmw_balloon debugfs, meminfo and PSI formats padded far beyond what a kernel prints).\n');
  return root;
}

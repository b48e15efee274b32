/** The findings in English: the words of the JSON report (report.schema.json) and of every English view. */
import { hypervisorPhrase } from '../../shared/presentation';
import { formatBytes, percent } from '../units';
import type { DeflateOnOom } from '../kernels';
import type { RuleMessages, TrustHint, UnaccountedWhy, XenRetry } from './types';

const bytes = (value: number | null | undefined) => formatBytes(value);
const ofConfigured = (value: number, configured: number | null) => (configured ? ` (${percent(value, configured)} of the ${bytes(configured)} configured)` : '');
const fixed1 = (value: number | null) => value?.toFixed(1) ?? 'unknown';

/** How the Xen driver retries a failed increase on this kernel (max_retry_count, per the kernel table). */
function xenRetryNote(retry: XenRetry): string {
  switch (retry) {
    case 4: return 'On this kernel the driver gives up after 4 retries (max_retry_count, a1078e821b60) and tries again only when the target changes or after an hour: it will not catch up by itself.';
    case 'unlimited': return 'On this kernel the driver retries for ever (max_retry_count 0): it takes the memory as soon as the host has it.';
    default: return 'Whether the driver keeps retrying depends on max_retry_count (/sys/devices/system/xen_memory/xen_memory0/max_retry_count; 0 = for ever, 4 since a1078e821b60).';
  }
}

/** What deflate-on-oom does on this kernel (kernels.ts's table), for a balloon that has it off. */
export function deflateOnOomWording(value: DeflateOnOom | null): string {
  switch (value) {
    case 'oom-notifier': return 'With deflate-on-oom the driver gives back 256 pages (1 MiB) per OOM notification, only once the kernel is out of memory.';
    case 'shrinker': return 'On this kernel (4.20 to 5.6) deflate-on-oom works through a shrinker: the balloon deflates under ordinary memory pressure, before any OOM (71994620bb25).';
    case 'not-supported': return 'This kernel predates deflate-on-oom (Linux 4.3): the balloon never deflates on its own.';
    default: return 'What deflate-on-oom does depends on the kernel version, which is unknown: 1 MiB per OOM notification on 4.3-4.19 and 5.7+, a shrinker on 4.20-5.6.';
  }
}

/** What deflate-on-oom did on this kernel, for a guest that killed processes with it on. */
function oomDeflateNote(value: DeflateOnOom | 'off'): string {
  switch (value) {
    case 'off': return 'The balloon does not shrink on its own when the guest runs out.';
    case 'shrinker': return 'deflate-on-oom is on, and on this kernel (4.20 to 5.6) a shrinker deflates the balloon under memory pressure (71994620bb25), yet processes were killed: the balloon could not give memory back fast enough, or was already empty.';
    case 'oom-notifier': return 'deflate-on-oom is on, but it frees only 1 MiB per OOM event.';
    default: return 'deflate-on-oom is on, but on 4.3-4.19 and 5.7+ it frees only 1 MiB per OOM event (a shrinker on 4.20-5.6; this kernel\'s version is unknown).';
  }
}

function trustNote(trust: TrustHint): string {
  switch (trust.kind) {
    case 'witness': return ` Trust ${trust.source}: the ${bytes(trust.residueBytes)} of "used" memory no process owns matches it, and these balloon pages sit there.`;
    case 'driver-over-toolbox': return ` Trust ${trust.source} for what this guest has given up: it is the driver's own count, read now. vmware-toolbox-cmd relays the host's figure through the guest SDK, which can lag; if the gap lasts, the driver may have been reset or its file misread — ask the vSphere admin for the host's figure (esxtop MCTLSZ).`;
    default: return ` ${trust.source} is the more direct source; the larger reading sets the severity until the two agree.`;
  }
}

function unaccountedWhy(why: UnaccountedWhy): string {
  switch (why.kind) {
    case 'kernel-keeps': return ` On this kernel the ${why.driver} driver leaves ballooned pages in MemTotal (${why.range}: ${why.source}), so they show as used memory no process owns.`;
    case 'unknown-kernel': return ' Whether this kernel takes ballooned pages out of MemTotal is unknown, so they may sit here.';
    default: return '';
  }
}

const LINE_VERDICT = {
  vmware: 'On VMware the Balloon: line counts only 4 KiB balloon pages, so it can only read lower than the driver; a higher reading means one of the two is stale or misread. Trust the driver\'s figure.',
  virtio: 'The Balloon: counter holds the pages the driver has now; balloon_inflate − balloon_deflate counts since boot and drifts when the driver was reloaded or the counters are not the balloon\'s alone. Trust the Balloon: line.',
  other: 'Both count the same pages on this driver; a gap means one figure is stale (they are read at slightly different moments while the balloon moves) or a second balloon driver is active. Trust the driver\'s own figure, and re-check.',
} as const;

export const en: RuleMessages = {
  notVirtualized: ({ evidence }) => ({
    title: 'Not a virtual machine: no balloon can take memory here',
    detail: `No hypervisor was found (${evidence.join('; ') || 'no signal'}).`,
  }),
  checkedFromContainer: ({ hv, evidence }) => ({
    title: `Checked from inside a container on ${hypervisorPhrase(hv)}`,
    detail: `${evidence.join('; ')}. The balloon and memory figures are those of the whole VM, which the container shares.`,
  }),
  balloonInflated: ({ hv, driver, balloon, configured, source, shrinksMemTotal }) => ({
    title: `The ${hypervisorPhrase(hv)} balloon holds ${bytes(balloon)}${ofConfigured(balloon, configured)}`,
    detail: `The ${driver ?? 'balloon'} driver has taken ${bytes(balloon)} away from this guest (source: ${source}).` +
      (shrinksMemTotal === false ? ' These pages count as "used" memory that no process owns.' : shrinksMemTotal ? ' These pages are no longer part of MemTotal.' : ''),
  }),
  xenTargetNotReached: ({ target, current, retry }) => ({
    title: 'Xen could not give this domain all the memory it should have',
    detail: `target_kb says ${bytes(target)}, but the domain holds ${bytes(current)}: the host could not populate ${bytes(target - current)}. ${xenRetryNote(retry)}`,
  }),
  xenInflating: ({ current, target }) => ({
    title: 'The Xen balloon is inflating now',
    detail: `The domain holds ${bytes(current)} and is being shrunk to ${bytes(target)}.`,
  }),
  balloonInflating: ({ balloon, target, source }) => ({
    title: `The balloon is inflating: the host wants ${bytes(target - balloon)} more`,
    detail: `Balloon now ${bytes(balloon)}, target ${bytes(target)} (source: ${source}).`,
  }),
  balloonDeflating: ({ balloon, target }) => ({
    title: `The balloon is deflating: the host is giving back ${bytes(balloon - target)}`,
    detail: `Balloon now ${bytes(balloon)}, target ${bytes(target)}.`,
  }),
  balloonGrew: ({ delta, seconds, samples, first, last }) => ({
    title: `The balloon grew by ${bytes(delta)} in ${Math.round(seconds)} s`,
    detail: `Across ${samples} samples the balloon went from ${bytes(first)} to ${bytes(last)}.`,
  }),
  balloonShrank: ({ delta, seconds, samples, first, last }) => ({
    title: `The balloon shrank by ${bytes(delta)} in ${Math.round(seconds)} s`,
    detail: `Across ${samples} samples the balloon went from ${bytes(first)} to ${bytes(last)}.`,
  }),
  limitBelowConfigured: ({ limit, configured, gap, balloon }) => ({
    title: `Memory limit ${bytes(limit)} is below the ${bytes(configured)} configured`,
    detail: `The host never backs more than ${bytes(limit)} of this VM, so about ${bytes(gap)} is reclaimed for good — by the balloon first, ` +
      `then by compression and host swapping — even when the host has memory to spare. The guest cannot see the limit; ` +
      `vmware-toolbox-cmd stat memlimit reports it. Balloon now: ${bytes(balloon)}.`,
  }),
  limitBeyondBalloonCap: ({ gap, cap }) => ({
    title: `The limit takes more than the balloon can hold: ${bytes(gap - cap)} must be host-swapped or compressed`,
    detail: `The limit gap is ${bytes(gap)}, but by default the balloon stops at 65% of configured memory (${bytes(cap)}, Mem.CtlMaxPercent). ` +
      'The rest is compressed or swapped by the hypervisor, which is far slower than guest paging.',
  }),
  hostContention: ({ balloon }) => ({
    title: 'The balloon is active without a VM memory limit: the host or resource pool is short of memory',
    detail: `No per-VM limit below the configured memory is set, yet the balloon holds ${bytes(balloon)}. The ESXi host is in its "soft" memory state or lower, or a resource-pool limit caps this VM's pool. Ask the vSphere admin for the host's memory state and the pool's limits.`,
  }),
  balloonNearCap: ({ balloon, max, reserved }) => ({
    title: `The balloon is at ${percent(balloon, max)} of its maximum size`,
    detail: `Balloon ${bytes(balloon)}; it can hold at most ${bytes(max)} (65% of configured${reserved ? `, less the ${bytes(reserved)} reservation` : ''}). Further pressure goes to host compression and swapping.`,
  }),
  hostSwapping: ({ swapped }) => ({
    title: `The hypervisor has swapped out ${bytes(swapped)} of this VM`,
    detail: 'vmware-toolbox-cmd stat swap reports memory the host swapped to its .vswp file. The host picks those pages blindly, so every access to them stalls the guest.',
  }),
  balloonDriverMissing: ({ hv, unboundDevice, driverAvailable }) => {
    const what = unboundDevice !== null ? `The virtio balloon device ${unboundDevice} has no driver bound${driverAvailable ? '' : ' (virtio_balloon is not available)'}.`
      : `No ${hypervisorPhrase(hv)} balloon driver is loaded (checked /proc/modules, /sys/module${hv === 'vmware' ? ', debugfs and the [vmmemctl] thread' : ''}).`;
    return {
      title: 'No balloon driver: under contention the host will swap this VM instead',
      detail: `${what} The host cannot ask the guest for memory, so when it runs short it swaps or compresses this VM's memory itself.`,
    };
  },
  vmwareToolsMissing: () => ({
    title: 'VMware Tools (open-vm-tools) not found: the memory limit cannot be read',
    detail: 'vmware-toolbox-cmd is not installed, so the VM\'s memory limit, reservation and host swap are unknown from inside. Install open-vm-tools, or ask the vSphere admin.',
  }),
  statsNeedRoot: ({ probes, reason, sizeUnknown }) => ({
    title: sizeUnknown ? 'The balloon size needs root to read' : 'The driver\'s own balloon statistics need root',
    detail: `${probes.join(', ')}: ${reason ?? 'permission denied'}. Run balloon-check as root or with --sudo (sudo -n, never prompts)${sizeUnknown ? '; without it the balloon size is unknown' : ''}.`,
  }),
  balloonSourcesDisagree: ({ first, second, larger, oldAwk, trust }) => ({
    title: `Two sources disagree on the balloon size: up to ${bytes(larger)}`,
    detail: `${first.source}: ${bytes(first.bytes)}; ${second.source}: ${bytes(second.bytes)}. The first is used for the figures; the severity follows the larger reading, since either may be the true one.` +
      `${oldAwk ? ' On this kernel debugfs prints "current : N", so the classic awk \'{print $2}\' reads ":" and prints 0.' : ''}${trustNote(trust)}`,
  }),
  balloonLineDisagrees: ({ line, driver, driverKind }) => ({
    title: 'The kernel\'s Balloon: counter disagrees with the balloon driver',
    detail: `${line.source}: ${bytes(line.bytes)}; ${driver.source}: ${bytes(driver.bytes)}. ${LINE_VERDICT[driverKind]}`,
  }),
  unaccountedIsBalloon: ({ unaccounted, balloon }) => ({
    title: `${bytes(unaccounted)} of "used" memory belongs to no process: it is the balloon`,
    detail: `free and top count the balloon's ${bytes(balloon)} as used, yet no process, cache or slab owns it (Red Hat solution 43729). This is not a leak.`,
  }),
  unaccountedProbablyBalloon: ({ unaccounted, configured, hv, why, notes }) => ({
    title: `${bytes(unaccounted)} of "used" memory belongs to no process: probably the balloon`,
    detail: `No process, cache or kernel structure accounts for ${bytes(unaccounted)}${ofConfigured(unaccounted, configured)}. On ${hypervisorPhrase(hv)} this is usually the balloon.` +
      `${unaccountedWhy(why)}${notes.length ? ` ${notes.join('. ')}.` : ' Its size could not be read to confirm (see the probes).'}`,
  }),
  unaccountedMaybeBalloon: ({ unaccounted, balloon, kernel }) => ({
    title: `${bytes(unaccounted)} of "used" memory is unexplained; the balloon may be part of it`,
    detail: `No process, cache or kernel structure accounts for ${bytes(unaccounted)}. Whether this kernel takes the balloon's ${bytes(balloon)} out of MemTotal is unknown (kernel ${kernel ?? 'release unknown'}), so part of it may be the balloon.`,
  }),
  unaccountedNotBalloon: ({ unaccounted, balloonInUsed }) => ({
    title: `${bytes(unaccounted)} of "used" memory is unexplained, and it is not the balloon`,
    detail: `No process, cache or kernel structure accounts for ${bytes(unaccounted)}, while the balloon holds ${bytes(balloonInUsed)} of used memory. Look for driver or GPU allocations, or a kernel leak.`,
  }),
  noDeflateOnOom: ({ balloon, deflateOnOom }) => ({
    title: 'The virtio balloon will not give memory back when the guest runs out',
    detail: `deflate-on-oom (feature bit 2) was not negotiated, and the balloon holds ${bytes(balloon)}. Under memory pressure the guest kills processes while the host keeps that memory. Enable it on the host: libvirt <memballoon autodeflate='on'>, QEMU -device virtio-balloon,deflate-on-oom=on. ${deflateOnOomWording(deflateOnOom)}`,
  }),
  guestMemoryPressure: ({ memory, psi, balloon }) => {
    const parts = [
      memory ? `${memory.estimated ? 'Estimated available (MemFree + Buffers + Cached; no MemAvailable on this kernel)' : 'MemAvailable'} ${bytes(memory.available)} of ${bytes(memory.total)} (${percent(memory.available, memory.total)})` : null,
      psi ? `PSI memory some avg60 ${psi.someAvg60.toFixed(2)}%, full avg10 ${psi.fullAvg10.toFixed(2)}%` : null,
    ].filter(Boolean);
    return { title: 'The guest is short of memory', detail: `${parts.join('; ')}.${balloon ? ` The balloon holds ${bytes(balloon)} of it.` : ''}` };
  },
  guestSwapping: ({ swapIn, swapOut, majorFaults, seconds, balloon }) => ({
    title: 'The balloon is pushing the guest into its own swap',
    detail: `Swap-in ${fixed1(swapIn)} pages/s, swap-out ${fixed1(swapOut)} pages/s, major faults ${fixed1(majorFaults)}/s over ${Math.round(seconds)} s while the balloon holds ${bytes(balloon)}.`,
  }),
  guestOomKills: ({ kills, duringWatch, balloon, deflateOnOom }) => ({
    title: `The kernel killed ${kills} process${kills === 1 ? '' : 'es'} for memory while the balloon holds memory`,
    detail: `/proc/vmstat oom_kill: ${kills}${duringWatch ? ' during the watch' : ' since boot'}; balloon ${bytes(balloon)}. ${oomDeflateNote(deflateOnOom)}`,
  }),
  noGuestSwap: () => ({
    title: 'The guest has no swap, so the balloon can only take free and cache memory',
    detail: 'SwapTotal is 0. When the balloon inflates, the guest cannot page out idle memory and goes straight to the OOM killer. VMware asks for "sufficient swap space" in ballooned guests.',
  }),
  memoryOffline: ({ offline, configured, source }) => ({
    title: `${bytes(offline)} of memory the host gave sits offline`,
    detail: `${bytes(offline)}${ofConfigured(offline, configured)} is in memory blocks whose state is "offline": hot-added by the hypervisor but never onlined, so the kernel does not use it (${source}). ` +
      'Online the blocks (echo online > /sys/devices/system/memory/memoryN/state), and make later hot-adds come online by themselves (a udev rule, or memhp_default_state=online).',
  }),
  balloonPersistent: ({ samples, min, seconds, configured }) => ({
    title: `The balloon stayed inflated in all ${samples} samples (at least ${bytes(min)})`,
    detail: `Over ${Math.round(seconds)} s the balloon never went below ${bytes(min)}${ofConfigured(min, configured)}: the host keeps reclaiming this guest's memory, not only at a peak. ` +
      'A limit, an overcommitted host or pool, or a balloon target the host never lowers keeps it there.',
  }),
  reservationInconsistent: ({ balloon, reserved, configured, max }) => ({
    title: 'The balloon holds more than the reservation leaves reclaimable',
    detail: `Balloon ${bytes(balloon)}, but ${bytes(reserved)} of the ${bytes(configured)} configured is reserved: at most ${bytes(configured - reserved)} can be reclaimed, and the balloon stops at ${bytes(max)} (min of 65% of configured and configured − reservation). ` +
      'These figures cannot all be current: the reservation may have just changed, or one reading is stale. Re-check in a minute and compare with the VM\'s settings in vSphere.',
  }),
  memTotalShrunk: ({ shortfall, usable, total, balloon, explained }) => ({
    title: `MemTotal is ${bytes(shortfall)} below the ${bytes(usable)} of online memory`,
    detail: explained
      ? `The virtio balloon's ${bytes(balloon)} left MemTotal (deflate-on-oom is off), so free and top show a ${bytes(total)} machine. The memory is the host's until it lowers the balloon.`
      : `MemTotal ${bytes(total)} against ${bytes(usable)} of online memory blocks. Without deflate-on-oom the virtio balloon takes its pages out of MemTotal, so most of the gap is probably the balloon${balloon === null ? ', whose size this kernel does not show (Balloon: needs Linux 6.15; balloon_inflate 3.18)' : ` (it reads ${bytes(balloon)})`}. Ask the host: virsh dommemstat shows "actual".`,
  }),
};

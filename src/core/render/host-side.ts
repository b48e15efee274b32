import type { Report } from '../report';
import { formatBytes } from '../units';

const MiB = 1024 * 1024;
const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? null : `${Math.round(bytes / MiB)} MB`);

/**
 * "For the vSphere/KVM admin": what to look at on the host, with this guest's figures to compare.
 * Markdown lines (the caller escapes nothing here: every value is a number or a fixed word).
 */
export function hostSideLines(report: Report): string[] {
  const balloon = report.balloon.currentBytes;
  const target = report.balloon.targetBytes;
  const configured = report.memory.configuredBytes;
  const seen = balloon === null ? 'the balloon size is unknown from inside' : `the guest sees a balloon of ${formatBytes(balloon)} (${mb(balloon)})`;
  const out = ['## For the vSphere/KVM admin', ''];
  switch (report.hypervisor.kind) {
    case 'vmware':
      out.push(
        `On the ESXi host, \`esxtop\` → \`m\` (memory) → \`f\` (add MCTL and SWAP fields), row of this VM; ${seen}${target !== null ? `, target ${mb(target)}` : ''}:`, '',
        `- **MCTLSZ** (balloon now, MB)${balloon !== null ? `: expect about ${mb(balloon)}` : ''}; **MCTLTGT** (what the host wants)${target !== null ? `: expect about ${mb(target)}` : ''}; **MCTLMAX** (cap, 65 % of assigned by default)`,
        '- **SWCUR**, **SWR/s**, **SWW/s** (host swap of this VM), **CACHEUSD**, **ZIP/s** (compression); the header\'s memory state (high, clear, soft, hard, low)',
        `- vCenter: VM › Monitor › Performance › Memory: "Ballooned memory" (\`mem.vmmemctl\`), "Swapped", "Compressed"; VM › Edit Settings › Memory: **Limit** and **Reservation**${configured !== null ? ` (configured ${mb(configured)})` : ''}; the resource pool's memory limit`,
        '- PowerCLI: `Get-VM NAME | Get-VMResourceConfiguration` (`MemLimitMB`, -1 = unlimited; `MemReservationMB`)', '');
      break;
    case 'kvm':
      out.push(
        `On the KVM host, for this domain; ${seen}:`, '',
        `- \`virsh dommemstat DOMAIN\`: \`actual\` is the memory the balloon leaves the guest (KiB)${configured !== null && balloon !== null ? `: expect about ${Math.round((configured - balloon) / 1024)} KiB` : ''}; \`available\`, \`usable\`, \`swap_in\`/\`swap_out\` are the guest's own statistics`,
        '- `virsh dominfo DOMAIN`: **Max memory** against **Used memory**; `virsh dumpxml DOMAIN`: `<memballoon>` and its `deflate-on-oom`, `<currentMemory>` against `<memory>`',
        '- the management layer\'s balloon policy (oVirt/RHV MoM, OpenStack, Proxmox "Minimum memory")', '');
      break;
    case 'hyperv':
      out.push(
        `On the Hyper-V host; ${seen}:`, '',
        '- `Get-VM NAME | Select MemoryAssigned, MemoryDemand, MemoryStatus`',
        '- `Get-VMMemory NAME`: **DynamicMemoryEnabled**, **Minimum**, **Maximum**, **Buffer**, **Priority**', '');
      break;
    case 'xen':
      out.push(
        `On the Xen host; ${seen}:`, '',
        '- `xl list` (**Mem** of this domain) against its `maxmem`; `xl mem-set` sets the balloon target',
        '- `xenstore-read /local/domain/DOMID/memory/target` (KiB)', '');
      break;
    default:
      out.push('No hypervisor was identified: nothing to look at on a host.', '');
  }
  return out;
}

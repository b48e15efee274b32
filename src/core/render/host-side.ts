import type { Report } from '../report';
import { DEFAULT_LANG, type Lang, type PerLang } from '../../shared/i18n';
import { formatBytes } from '../units';

const MiB = 1024 * 1024;

/** This guest's figures, as the host-side lines quote them ("20480 MB", as the host's tools print them). */
interface HostFigures {
  balloon: number | null;
  target: number | null;
  configured: number | null;
  mb: (bytes: number | null | undefined) => string | null;
  /** "the guest sees a balloon of 20.0 GiB (20480 MB)". */
  seen: string;
}

type HypervisorLines = Record<'vmware' | 'kvm' | 'hyperv' | 'xen', (f: HostFigures) => string[]> & { heading: string; none: string };

export const HOST_SIDE_LINES: PerLang<HypervisorLines> = {
  en: {
    heading: '## For the vSphere/KVM admin',
    vmware: ({ balloon, target, configured, mb, seen }) => [
      `On the ESXi host, \`esxtop\` → \`m\` (memory) → \`f\` (add MCTL and SWAP fields), row of this VM; ${seen}${target !== null ? `, target ${mb(target)}` : ''}:`, '',
      `- **MCTLSZ** (balloon now, MB)${balloon !== null ? `: expect about ${mb(balloon)}` : ''}; **MCTLTGT** (what the host wants)${target !== null ? `: expect about ${mb(target)}` : ''}; **MCTLMAX** (cap, 65 % of assigned by default)`,
      '- **SWCUR**, **SWR/s**, **SWW/s** (host swap of this VM), **CACHEUSD**, **ZIP/s** (compression); the header\'s memory state (high, clear, soft, hard, low)',
      `- vCenter: VM › Monitor › Performance › Memory: "Ballooned memory" (\`mem.vmmemctl\`), "Swapped", "Compressed"; VM › Edit Settings › Memory: **Limit** and **Reservation**${configured !== null ? ` (configured ${mb(configured)})` : ''}; the resource pool's memory limit`,
      '- PowerCLI: `Get-VM NAME | Get-VMResourceConfiguration` (`MemLimitMB`, -1 = unlimited; `MemReservationMB`)', ''],
    kvm: ({ balloon, configured, seen }) => [
      `On the KVM host, for this domain; ${seen}:`, '',
      `- \`virsh dommemstat DOMAIN\`: \`actual\` is the memory the balloon leaves the guest (KiB)${configured !== null && balloon !== null ? `: expect about ${Math.round((configured - balloon) / 1024)} KiB` : ''}; \`available\`, \`usable\`, \`swap_in\`/\`swap_out\` are the guest's own statistics`,
      '- `virsh dominfo DOMAIN`: **Max memory** against **Used memory**; `virsh dumpxml DOMAIN`: `<memballoon>` and its `deflate-on-oom`, `<currentMemory>` against `<memory>`',
      '- the management layer\'s balloon policy (oVirt/RHV MoM, OpenStack, Proxmox "Minimum memory")', ''],
    hyperv: ({ seen }) => [
      `On the Hyper-V host; ${seen}:`, '',
      '- `Get-VM NAME | Select MemoryAssigned, MemoryDemand, MemoryStatus`',
      '- `Get-VMMemory NAME`: **DynamicMemoryEnabled**, **Minimum**, **Maximum**, **Buffer**, **Priority**', ''],
    xen: ({ seen }) => [
      `On the Xen host; ${seen}:`, '',
      '- `xl list` (**Mem** of this domain) against its `maxmem`; `xl mem-set` sets the balloon target',
      '- `xenstore-read /local/domain/DOMID/memory/target` (KiB)', ''],
    none: 'No hypervisor was identified: nothing to look at on a host.',
  },
  es: {
    heading: '## Para el administrador de vSphere/KVM',
    vmware: ({ balloon, target, configured, mb, seen }) => [
      `En el host ESXi, \`esxtop\` → \`m\` (memoria) → \`f\` (añadir los campos MCTL y SWAP), fila de esta VM; ${seen}${target !== null ? `, objetivo ${mb(target)}` : ''}:`, '',
      `- **MCTLSZ** (balloon actual, MB)${balloon !== null ? `: debería rondar ${mb(balloon)}` : ''}; **MCTLTGT** (lo que quiere el host)${target !== null ? `: debería rondar ${mb(target)}` : ''}; **MCTLMAX** (tope, por defecto el 65 % de la asignada)`,
      '- **SWCUR**, **SWR/s**, **SWW/s** (swap del host de esta VM), **CACHEUSD**, **ZIP/s** (compresión); el estado de memoria de la cabecera (high, clear, soft, hard, low)',
      `- vCenter: VM › Monitor › Performance › Memory: "Ballooned memory" (\`mem.vmmemctl\`), "Swapped", "Compressed"; VM › Edit Settings › Memory: **Limit** y **Reservation**${configured !== null ? ` (configurada ${mb(configured)})` : ''}; el límite de memoria del resource pool`,
      '- PowerCLI: `Get-VM NAME | Get-VMResourceConfiguration` (`MemLimitMB`, -1 = sin límite; `MemReservationMB`)', ''],
    kvm: ({ balloon, configured, seen }) => [
      `En el host KVM, para este dominio; ${seen}:`, '',
      `- \`virsh dommemstat DOMAIN\`: \`actual\` es la memoria que el balloon le deja a la VM (KiB)${configured !== null && balloon !== null ? `: debería rondar ${Math.round((configured - balloon) / 1024)} KiB` : ''}; \`available\`, \`usable\`, \`swap_in\`/\`swap_out\` son estadísticas de la propia VM`,
      '- `virsh dominfo DOMAIN`: **Max memory** frente a **Used memory**; `virsh dumpxml DOMAIN`: `<memballoon>` y su `deflate-on-oom`, `<currentMemory>` frente a `<memory>`',
      '- la política de balloon de la capa de gestión (oVirt/RHV MoM, OpenStack, "Minimum memory" de Proxmox)', ''],
    hyperv: ({ seen }) => [
      `En el host Hyper-V; ${seen}:`, '',
      '- `Get-VM NAME | Select MemoryAssigned, MemoryDemand, MemoryStatus`',
      '- `Get-VMMemory NAME`: **DynamicMemoryEnabled**, **Minimum**, **Maximum**, **Buffer**, **Priority**', ''],
    xen: ({ seen }) => [
      `En el host Xen; ${seen}:`, '',
      '- `xl list` (**Mem** de este dominio) frente a su `maxmem`; `xl mem-set` fija el objetivo del balloon',
      '- `xenstore-read /local/domain/DOMID/memory/target` (KiB)', ''],
    none: 'No se identificó ningún hipervisor: no hay nada que mirar en un host.',
  },
};

function seenPhrase(balloon: number | null, mb: HostFigures['mb'], lang: Lang): string {
  if (lang === 'es') return balloon === null ? 'desde dentro no se conoce el tamaño del balloon' : `la VM ve un balloon de ${formatBytes(balloon, lang)} (${mb(balloon)})`;
  return balloon === null ? 'the balloon size is unknown from inside' : `the guest sees a balloon of ${formatBytes(balloon)} (${mb(balloon)})`;
}

/**
 * "For the vSphere/KVM admin": what to look at on the host, with this guest's figures to compare.
 * Markdown lines (the caller escapes nothing here: every value is a number or a fixed word).
 */
export function hostSideLines(report: Report, lang: Lang = DEFAULT_LANG): string[] {
  const lines = HOST_SIDE_LINES[lang];
  // Written as esxtop, vCenter and virsh print them (no thousands separator), to compare digit by digit.
  const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? null : `${Math.round(bytes / MiB)} MB`);
  const balloon = report.balloon.currentBytes;
  const figures: HostFigures = { balloon, target: report.balloon.targetBytes, configured: report.memory.configuredBytes, mb, seen: seenPhrase(balloon, mb, lang) };
  const out = [lines.heading, ''];
  const kind = report.hypervisor.kind;
  if (kind === 'vmware' || kind === 'kvm' || kind === 'hyperv' || kind === 'xen') out.push(...lines[kind](figures));
  else out.push(lines.none, '');
  return out;
}

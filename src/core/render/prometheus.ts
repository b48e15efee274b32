import { escapePrometheusLabel } from '../../shared/escape';
import { EXIT_CODES, type Report } from '../report';

/** One report, with the labels that tell hosts apart in fleet output. */
export interface LabelledReport { report: Report; labels?: Record<string, string> }

interface Family { name: string; help: string; type: 'gauge' | 'counter'; samples: string[] }

const labelText = (labels: Record<string, string>) => {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapePrometheusLabel(value)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
};

/**
 * Prometheus text exposition (node_exporter textfile collector): base units (bytes, seconds),
 * `balloon_inspector_` prefix, each family's HELP and TYPE once, whatever the number of hosts.
 */
export function renderPrometheus(items: readonly LabelledReport[]): string {
  const families = new Map<string, Family>();
  const sample = (name: string, help: string, labels: Record<string, string>, value: number | null, type: Family['type'] = 'gauge') => {
    if (value === null || !Number.isFinite(value)) return;
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, help, type, samples: [] }));
    family.samples.push(`${name}${labelText(labels)} ${value}`);
  };
  for (const { report, labels = {} } of items) {
    const r = report;
    sample('balloon_inspector_status', 'Overall verdict: 0 ok, 1 warning, 2 critical, 3 unknown (monitoring-plugin codes).', labels, EXIT_CODES[r.status]);
    sample('balloon_inspector_info', 'Hypervisor and balloon driver of the guest (always 1).', { ...labels, hypervisor: r.hypervisor.kind, driver: r.balloon.driver ?? 'none' }, 1);
    sample('balloon_inspector_balloon_bytes', 'Memory the balloon driver holds now.', labels, r.balloon.currentBytes);
    sample('balloon_inspector_balloon_target_bytes', 'Balloon size the hypervisor asks for.', labels, r.balloon.driver === 'xen_balloon' ? null : r.balloon.targetBytes);
    sample('balloon_inspector_balloon_driver_loaded', 'Whether a balloon driver is loaded (1) or not (0).', labels, r.balloon.loaded ? 1 : 0);
    sample('balloon_inspector_memory_configured_bytes', 'Memory the VM was given (online memory blocks).', labels, r.memory.configuredBytes);
    sample('balloon_inspector_memory_total_bytes', 'MemTotal of the guest.', labels, r.memory.totalBytes);
    sample('balloon_inspector_memory_available_bytes', 'MemAvailable of the guest.', labels, r.memory.availableBytes);
    sample('balloon_inspector_memory_unaccounted_bytes', 'Used memory that no process, cache or kernel structure accounts for.', labels, r.memory.unaccountedBytes);
    sample('balloon_inspector_swap_total_bytes', 'Guest swap space.', labels, r.memory.swapTotalBytes);
    sample('balloon_inspector_memory_limit_bytes', 'Hypervisor memory limit of the VM (absent when unlimited or unknown).', labels, r.limits.memLimitBytes);
    sample('balloon_inspector_memory_reservation_bytes', 'Hypervisor memory reservation of the VM.', labels, r.limits.memReservationBytes);
    sample('balloon_inspector_host_swapped_bytes', 'Memory of the VM swapped out by the hypervisor.', labels, r.limits.hostSwappedBytes);
    for (const finding of r.findings) {
      sample('balloon_inspector_finding', 'A finding of the check (always 1), by id and severity.', { ...labels, id: finding.id, severity: finding.severity }, 1);
    }
    for (const probe of r.probes) {
      sample('balloon_inspector_probe_ok', 'Whether a signal could be read (1), or was absent, denied or in error (0).', { ...labels, probe: probe.id, status: probe.status }, probe.status === 'ok' ? 1 : 0);
    }
    sample('balloon_inspector_last_check_timestamp_seconds', 'When the guest was checked, as a Unix time.', labels, Math.floor(Date.parse(r.collectedAt) / 1000));
  }
  const out: string[] = [];
  for (const family of families.values()) {
    out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    // One push per sample: spreading a family of 10,000 hosts into push() overflows the call stack.
    for (const line of family.samples) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

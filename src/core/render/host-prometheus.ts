import { escapePrometheusLabel } from '../../shared/escape';
import type { HostView } from '../libvirt/model';
import { EXIT_CODES } from '../report';

interface Family { help: string; samples: string[] }

const labelText = (labels: Record<string, string>) => {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapePrometheusLabel(value)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
};

/**
 * The host views in Prometheus text exposition: `balloon_inspector_kvm_` prefix, base units, every domain
 * sample labelled `domain` (its name, or its UUID when the XML was unreadable) and `uuid`; `labels` (e.g.
 * the SSH host) on every sample. Each family's HELP and TYPE once.
 */
export function renderHostPrometheus(items: readonly { view: HostView; labels?: Record<string, string> }[]): string {
  const families = new Map<string, Family>();
  const sample = (name: string, help: string, labels: Record<string, string>, value: number | null | undefined) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    const full = `balloon_inspector_kvm_${name}`;
    let family = families.get(full);
    if (!family) families.set(full, (family = { help, samples: [] }));
    family.samples.push(`${full}${labelText(labels)} ${value}`);
  };
  for (const { view, labels = {} } of items) {
    sample('status', 'Overall verdict of the host view: 0 ok, 1 warning, 2 critical, 3 unknown (monitoring-plugin codes).', labels, EXIT_CODES[view.status]);
    sample('host_memory_bytes', 'Physical memory of the KVM host.', labels, view.host.totalBytes);
    sample('host_available_bytes', 'Available (or free) memory of the KVM host.', labels, view.host.availableBytes ?? view.host.freeBytes);
    sample('host_swap_total_bytes', 'Swap space of the KVM host.', labels, view.host.swapTotalBytes);
    sample('host_swap_free_bytes', 'Free swap of the KVM host.', labels, view.host.swapFreeBytes);
    sample('host_ksm_sharing_bytes', 'Memory saved by KSM (pages_sharing times the page size).', labels, view.host.ksm?.sharingBytes);
    sample('active_domains', 'Active (running or paused) domains.', labels, view.totals.activeDomains);
    sample('configured_bytes', 'Sum of <memory> over active domains.', labels, view.totals.configuredBytes);
    sample('current_bytes', 'Sum of <currentMemory> (balloon targets) over active domains.', labels, view.totals.currentBytes);
    sample('overcommit_ratio', 'Configured memory of the active domains over the host\'s physical memory.', labels, view.totals.overcommitRatio);
    for (const domain of view.domains) {
      const domainLabels = { ...labels, domain: domain.name ?? domain.uuid, uuid: domain.uuid };
      sample('domain_status', 'Verdict of the domain: 0 ok, 1 warning, 2 critical, 3 unknown.', domainLabels, EXIT_CODES[domain.status]);
      sample('domain_active', 'Whether the domain is active (1) or shut off (0).', domainLabels, domain.state === 'shut-off' ? 0 : 1);
      sample('domain_configured_bytes', 'The domain\'s <memory>.', domainLabels, domain.configuredBytes);
      sample('domain_current_bytes', 'The domain\'s <currentMemory> (balloon target).', domainLabels, domain.currentBytes);
      sample('domain_actual_bytes', 'Memory the guest has now (balloon actual).', domainLabels, domain.stats?.actualBytes);
      sample('domain_balloon_bytes', 'Configured memory minus actual: what the balloon holds.', domainLabels, domain.balloonBytes);
      sample('domain_usable_bytes', 'Memory the guest can use without swapping (balloon usable).', domainLabels, domain.stats?.usableBytes);
      sample('domain_rss_bytes', 'Resident memory of the domain\'s process on the host.', domainLabels, domain.stats?.rssBytes);
      sample('domain_deflate_on_oom', 'Whether the balloon device has autodeflate on (1) or not (0).', domainLabels, domain.balloon ? (domain.balloon.deflateOnOom ? 1 : 0) : null);
      sample('domain_stats_period_seconds', 'Balloon statistics period of the domain (0: none).', domainLabels, domain.balloon ? (domain.balloon.statsPeriodSeconds ?? 0) : null);
    }
    for (const finding of view.findings) {
      const domain = finding.domain ? view.domains.find((item) => item.uuid === finding.domain) : undefined;
      const findingLabels = domain ? { ...labels, domain: domain.name ?? domain.uuid, uuid: domain.uuid } : labels;
      sample('finding', 'A finding of the host view (always 1), by id and severity.', { ...findingLabels, id: finding.id, severity: finding.severity }, 1);
    }
    sample('last_check_timestamp_seconds', 'When the host was read, as a Unix time.', labels, Math.floor(Date.parse(view.checkedAt) / 1000));
  }
  const out: string[] = [];
  for (const [name, family] of families) {
    out.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} gauge`);
    for (const line of family.samples) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

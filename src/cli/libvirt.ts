/**
 * `balloon-check --libvirt [--connect URI] [--ssh HOST...]`: the KVM host view, in the CLI's formats.
 * main.ts parses the options and calls runLibvirtCheck; everything else about the host view is here.
 */
import type { HostView } from '../core/libvirt/model';
import type { Lang } from '../shared/i18n';
import { renderHostMarkdown } from '../core/render/host-markdown';
import { renderHostPrometheus } from '../core/render/host-prometheus';
import { renderHostText } from '../core/render/host-text';
import { EXIT_CODES } from '../core/report';
import { readHostView } from '../transport/libvirt';
import type { Prompter } from '../transport/ssh-auth';
import type { SshCliOptions } from './fleet';
import type { Format } from './options';

/** The formats of the host view (ndjson and nagios are the guest check's). */
export const LIBVIRT_FORMATS: readonly Format[] = ['text', 'json', 'markdown', 'prometheus'];

export interface LibvirtCliOptions {
  format: Format;
  /** --connect URI (default: readHostView's, qemu:///system). */
  connect?: string;
  color: boolean;
  ssh: SshCliOptions;
  /** Language of text and Markdown (JSON and Prometheus are English in every language). */
  lang?: Lang;
}

export interface LibvirtIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  prompter?: Prompter;
}

/** Why these options cannot go with --libvirt, or null. */
export function libvirtUsageProblem(format: Format, others: { root?: string; input?: string; sosreport?: string; collect?: string; watch?: string; script?: boolean; sudo?: boolean }): string | null {
  if (!LIBVIRT_FORMATS.includes(format)) return `--libvirt prints ${LIBVIRT_FORMATS.join(', ')}; not --format ${format}`;
  const clash = Object.entries(others).find(([, value]) => value !== undefined && value !== false);
  return clash ? `--libvirt reads a KVM host through virsh; it does not go with --${clash[0]}` : null;
}

/** monitoring-plugins' max_state_alt: CRITICAL > WARNING > UNKNOWN > OK. */
const ORDER = { ok: 0, unknown: 1, warning: 2, critical: 3 } as const;
export const worstView = (views: readonly HostView[]) => views.reduce<HostView['status']>((worst, view) => (ORDER[view.status] > ORDER[worst] ? view.status : worst), 'ok');

/** The views in one format: several hosts are one JSON array, one exposition, texts one after another. */
export function renderHostViews(views: readonly HostView[], format: Format, color: boolean, lang: Lang = 'en'): string {
  switch (format) {
    case 'json': return `${JSON.stringify(views.length === 1 ? views[0] : views, null, 2)}\n`;
    case 'prometheus': return renderHostPrometheus(views.map((view) => ({ view, labels: view.target.kind === 'ssh' ? { host: view.target.name } : {} as Record<string, string> })));
    case 'markdown': {
      // The knowledge base loads only for Markdown output, as for the guest check.
      const { articleMarkdownSection } = require('../knowledge') as typeof import('../knowledge');
      const background = articleMarkdownSection(views.flatMap((view) => view.findings.flatMap((finding) => finding.articles)), { lang });
      return `${views.map((view) => renderHostMarkdown(view, () => null, lang)).join('\n')}${background ? `\n${background}` : ''}`;
    }
    default: return views.map((view) => renderHostText(view, { color, lang })).join('\n');
  }
}

/** Reads every host (this one, or each --ssh destination in turn) and prints the views; resolves with the exit code. */
export async function runLibvirtCheck(options: LibvirtCliOptions, io: LibvirtIo, signal?: AbortSignal): Promise<number> {
  const timeoutSeconds = options.ssh.probeTimeoutSeconds;
  // Findings are worded once, when the view is built: in the reader's language only for text and Markdown.
  const lang: Lang = options.format === 'text' || options.format === 'markdown' ? options.lang ?? 'en' : 'en';
  const views: HostView[] = [];
  if (options.ssh.ssh.length || options.ssh.allSshHosts) {
    // SSH code (ssh2) loads only when --ssh is given.
    const { openSshSession } = require('./fleet') as typeof import('./fleet');
    const opened = openSshSession(options.ssh, io);
    if (typeof opened === 'number') return opened;
    const { session, destinations } = opened;
    for (const destination of destinations) {
      if (signal?.aborted) break;
      views.push(await readHostView({ connect: options.connect, transport: session.transport(destination), signal, timeoutSeconds, lang }));
    }
  } else {
    views.push(await readHostView({ connect: options.connect, signal, timeoutSeconds, lang }));
  }
  for (const view of views) if (view.error) io.stderr(`balloon-check: ${view.target.name}: ${view.uri}: ${view.error.message}\n`);
  io.stdout(renderHostViews(views, options.format, options.color, lang));
  return views.length ? EXIT_CODES[worstView(views)] : EXIT_CODES.unknown;
}

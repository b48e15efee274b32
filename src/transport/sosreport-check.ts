import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { analyzeProbeOutput, type Target } from '../core/report';
import type { ProbeSettings } from '../core/sections';
import { readEvidenceBundle } from './evidence';
import { LocalTransport } from './local';
import { openSosreport, SosreportError, type SosreportLimits } from './sosreport';
import { MAX_OUTPUT_BYTES, ProbeError, type Transport } from './transport';

/**
 * A sos report (directory or archive) or an evidence bundle (--collect) as a transport: runProbe
 * runs the probe over the report's mapped view (a snapshot, so nothing of the report runs) and
 * gives its output in sos's wording; afterwards `target` names the host sos saw and `collectedAt`
 * is when sos (or the bundle's check) collected it. `balloon-check --sosreport` and the VS Code
 * extension's sosreport guests both go through here, so they report the same.
 */
export class SosreportTransport implements Transport {
  private found: { hostname: string | null; collectedAt: Date | null; kind: 'sosreport' | 'evidence' } | null = null;

  constructor(readonly path: string, private readonly limits?: Partial<SosreportLimits>) {}

  get target(): Target {
    const what = this.found?.kind === 'evidence' ? 'evidence' : 'sosreport';
    return { kind: 'snapshot', name: `${this.found?.hostname ?? 'unknown host'} (${what} ${basename(this.path)})` };
  }

  /** When the report was collected (null before runProbe, or when the report says not). */
  get collectedAt(): Date | null {
    return this.found?.collectedAt ?? null;
  }

  get hostname(): string | null {
    return this.found?.hostname ?? null;
  }

  /** Throws ProbeError('config') when the path is no sos report or a hostile one. */
  async runProbe(settings: Pick<ProbeSettings, 'toolTimeoutSeconds'>, signal?: AbortSignal): Promise<string> {
    const bundle = await this.evidence();
    if (bundle) return bundle;
    let sos;
    try {
      sos = await openSosreport(this.path, this.limits, signal);
    } catch (error) {
      throw new ProbeError('config', (error as Error).message);
    }
    try {
      const raw = await new LocalTransport({ root: sos.root }).runProbe({ toolTimeoutSeconds: settings.toolTimeoutSeconds }, signal);
      this.found = { hostname: sos.hostname, collectedAt: sos.collectedAt, kind: 'sosreport' };
      return sos.explain(raw);
    } finally {
      await sos.cleanup();
    }
  }

  /** An evidence bundle (--collect) carries the probe output itself; null when PATH is not one. */
  private async evidence(): Promise<string | null> {
    try {
      const stat = await fs.stat(this.path);
      if (!stat.isFile() || stat.size > MAX_OUTPUT_BYTES) return null;
      const bundle = await readEvidenceBundle(await fs.readFile(this.path));
      if (!bundle) return null;
      const hostname = /\nhostname=([^\n]{1,253})\n/.exec(bundle.output)?.[1] ?? null;
      this.found = { hostname, collectedAt: bundle.collectedAt, kind: 'evidence' };
      return bundle.output;
    } catch (error) {
      if (/more than/.test((error as Error).message)) throw new ProbeError('config', (error as Error).message);
      return null; // not readable here: openSosreport says why
    }
  }
}

export type SosreportAnalysis =
  | { ok: true; analysis: ReturnType<typeof analyzeProbeOutput>; output: string; hostname: string | null; collectedAt: Date | null }
  | { ok: false; reason: string };

/**
 * `--sosreport PATH`: the probe over the sos report's mapped view, its wording made sos's, the
 * report dated when sos collected it (a report without a readable time is dated now, and says so
 * in its source list).
 */
export async function analyzeSosreport(path: string, settings: Pick<ProbeSettings, 'toolTimeoutSeconds'> = {}, signal?: AbortSignal, limits?: Partial<SosreportLimits>): Promise<SosreportAnalysis> {
  const transport = new SosreportTransport(path, limits);
  let output: string;
  try {
    output = await transport.runProbe(settings, signal);
  } catch (error) {
    if (error instanceof ProbeError || error instanceof SosreportError) return { ok: false, reason: error.message };
    return { ok: false, reason: String(error) };
  }
  const analysis = analyzeProbeOutput(output, transport.target, transport.collectedAt ?? new Date());
  return { ok: true, analysis, output, hostname: transport.hostname, collectedAt: transport.collectedAt };
}

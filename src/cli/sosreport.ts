import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { analyzeProbeOutput, type Target } from '../core/report';
import type { ProbeSettings } from '../core/sections';
import { LocalTransport } from '../transport/local';
import { openSosreport, SosreportError, type SosreportLimits } from '../transport/sosreport';
import { MAX_OUTPUT_BYTES, ProbeError } from '../transport/transport';
import { readEvidenceBundle } from './evidence';

export type SosreportAnalysis =
  | { ok: true; analysis: ReturnType<typeof analyzeProbeOutput>; output: string; hostname: string | null; collectedAt: Date | null }
  | { ok: false; reason: string };

/**
 * `--sosreport PATH`: the probe over the sos report's mapped view (a snapshot, so nothing of the
 * report runs), its wording made sos's, the report dated when sos collected it.
 */
export async function analyzeSosreport(path: string, settings: Pick<ProbeSettings, 'toolTimeoutSeconds'> = {}, signal?: AbortSignal, limits?: Partial<SosreportLimits>): Promise<SosreportAnalysis> {
  // An evidence bundle (--collect) carries the probe output itself.
  try {
    const stat = await fs.stat(path);
    if (stat.isFile() && stat.size <= MAX_OUTPUT_BYTES) {
      const bundle = await readEvidenceBundle(await fs.readFile(path));
      if (bundle) {
        const hostName = /\nhostname=([^\n]{1,253})\n/.exec(bundle.output)?.[1] ?? null;
        const target: Target = { kind: 'snapshot', name: `${hostName ?? 'unknown host'} (evidence ${basename(path)})` };
        return { ok: true, analysis: analyzeProbeOutput(bundle.output, target, bundle.collectedAt ?? undefined), output: bundle.output, hostname: hostName, collectedAt: bundle.collectedAt };
      }
    }
  } catch (error) {
    if (/more than/.test((error as Error).message)) return { ok: false, reason: (error as Error).message };
    /* not readable here: openSosreport says why */
  }
  let sos;
  try {
    sos = await openSosreport(path, limits, signal);
  } catch (error) {
    if (error instanceof SosreportError) return { ok: false, reason: error.message };
    return { ok: false, reason: (error as Error).message };
  }
  try {
    const raw = await new LocalTransport({ root: sos.root }).runProbe({ toolTimeoutSeconds: settings.toolTimeoutSeconds }, signal);
    const output = sos.explain(raw);
    const target: Target = { kind: 'snapshot', name: `${sos.hostname ?? 'unknown host'} (sosreport ${basename(path)})` };
    // Dated when sos ran; a report without a readable time is dated now, and says so in its source list.
    const analysis = analyzeProbeOutput(output, target, sos.collectedAt ?? new Date());
    return { ok: true, analysis, output, hostname: sos.hostname, collectedAt: sos.collectedAt };
  } catch (error) {
    return { ok: false, reason: error instanceof ProbeError ? error.message : String(error) };
  } finally {
    await sos.cleanup();
  }
}

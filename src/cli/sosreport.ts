import { basename } from 'node:path';
import { analyzeProbeOutput, type Target } from '../core/report';
import type { ProbeSettings } from '../core/sections';
import { LocalTransport } from '../transport/local';
import { openSosreport, SosreportError, type SosreportLimits } from '../transport/sosreport';
import { ProbeError } from '../transport/transport';

export type SosreportAnalysis =
  | { ok: true; analysis: ReturnType<typeof analyzeProbeOutput>; output: string; hostname: string | null; collectedAt: Date | null }
  | { ok: false; reason: string };

/**
 * `--sosreport PATH`: the probe over the sos report's mapped view (a snapshot, so nothing of the
 * report runs), its wording made sos's, the report dated when sos collected it.
 */
export async function analyzeSosreport(path: string, settings: Pick<ProbeSettings, 'toolTimeoutSeconds'> = {}, signal?: AbortSignal, limits?: Partial<SosreportLimits>): Promise<SosreportAnalysis> {
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

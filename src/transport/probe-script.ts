import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOOL_TIMEOUT_SECONDS, shellQuote, type ProbeSettings } from '../core/sections';

/**
 * The text of src/core/probe.sh, put into every bundle at build time by scripts/build.mjs and scripts/package.mjs
 * (esbuild `define`), so a check reads no file beside the bundle. Undefined when run from the sources (tsx).
 */
declare const __PROBE_SCRIPT__: string | undefined;

let fromSources: string | undefined;

/** The probe script, as `balloon-check --script` prints it and every transport sends it. */
export function probeScript(): string {
  if (typeof __PROBE_SCRIPT__ === 'string') return __PROBE_SCRIPT__;
  fromSources ??= readFileSync(join(__dirname, '..', 'core', 'probe.sh'), 'utf8');
  return fromSources;
}

/** Upper bound of the per-tool time limit; the script clamps BI_TOOL_TIMEOUT to the same. */
const MAX_SCRIPT_TOOL_TIMEOUT_SECONDS = 600;

/**
 * The script with its settings prepended as shell assignments. Every setting the script reads is
 * assigned, also when unset, so a stray BI_* variable of the caller's (or the SSH server's)
 * environment never becomes a setting.
 */
export function scriptWithSettings(settings: ProbeSettings = {}): string {
  const seconds = Number.isFinite(settings.toolTimeoutSeconds) && settings.toolTimeoutSeconds! > 0 ? settings.toolTimeoutSeconds! : DEFAULT_TOOL_TIMEOUT_SECONDS;
  const assignments = [
    `BI_ROOT=${settings.root ? shellQuote(settings.root) : "''"}`,
    `BI_SUDO=${settings.sudo ? 1 : "''"}`,
    `BI_TOOL_TIMEOUT=${Math.min(MAX_SCRIPT_TOOL_TIMEOUT_SECONDS, Math.max(1, Math.round(seconds)))}`,
    `BI_RUN_SNAPSHOT_TOOLS=${settings.root && settings.runSnapshotTools ? 1 : "''"}`,
    "BI_CAP=''",
    "BI_DETECT_VIRT=''",
  ];
  return `${assignments.join('\n')}\n${probeScript()}`;
}

export type ProbeStatus = 'ok' | 'absent' | 'denied' | 'error';
export const PROBE_STATUSES: readonly ProbeStatus[] = ['ok', 'absent', 'denied', 'error'];

/** One signal as the probe script printed it, before any parsing. */
export interface RawSection {
  id: string;
  status: ProbeStatus;
  detail: string;
  text: string;
}

export interface ProbeOutput {
  formatVersion: number;
  sections: Map<string, RawSection>;
  /** The script reached its end marker; false means the output was cut off. */
  complete: boolean;
}

export type SplitResult = { ok: true; output: ProbeOutput } | { ok: false; reason: string };

const HEADER = /^BALLOON-INSPECTOR-PROBE (\d+) (@@BI-[A-Za-z0-9-]{1,64}@@)$/;
/** Saved output larger than this is not the probe's (each section is capped well below). */
export const MAX_PROBE_OUTPUT_CHARS = 8 * 1024 * 1024;

/** Detail of a section that appears more than once in one output. */
export const DUPLICATE_SECTION_DETAIL = 'section printed twice: neither copy is trusted';

/** Splits the probe's output into sections. Never throws: garbage gives a reason instead. */
export function splitProbeOutput(text: string): SplitResult {
  if (text.length > MAX_PROBE_OUTPUT_CHARS) {
    return { ok: false, reason: `output is ${text.length} characters, more than the probe ever prints (${MAX_PROBE_OUTPUT_CHARS})` };
  }
  const start = text.indexOf('BALLOON-INSPECTOR-PROBE ');
  if (start < 0) return { ok: false, reason: 'no probe header: this is not the output of the Balloon Inspector probe script' };
  const headerEnd = text.indexOf('\n', start);
  const header = text.slice(start, headerEnd < 0 ? undefined : headerEnd).replace(/\r$/, '');
  const match = HEADER.exec(header);
  if (!match) return { ok: false, reason: `malformed probe header: ${JSON.stringify(header.slice(0, 80))}` };
  const formatVersion = Number(match[1]);
  if (formatVersion !== 1) return { ok: false, reason: `probe output format ${formatVersion} is not supported (expected 1)` };
  const marker = match[2];
  const body = headerEnd < 0 ? '' : text.slice(headerEnd).replace(/\r\n/g, '\n');
  const chunks = body.split(`\n${marker} `);
  const sections = new Map<string, RawSection>();
  let complete = false;
  let lastId: string | undefined;
  for (const chunk of chunks.slice(1)) {
    const lineEnd = chunk.indexOf('\n');
    const headLine = lineEnd < 0 ? chunk : chunk.slice(0, lineEnd);
    let content = lineEnd < 0 ? '' : chunk.slice(lineEnd + 1);
    const [id = '', status = '', ...rest] = headLine.split(' ');
    if (id === 'end') {
      complete = true;
      continue;
    }
    if (!/^[a-z0-9-]{1,40}$/.test(id) || !(PROBE_STATUSES as readonly string[]).includes(status)) continue;
    // The script puts one newline before each header; a file that ended in a newline leaves an empty last line.
    if (content.endsWith('\n')) content = content.slice(0, -1);
    lastId = id;
    // The script prints each section once: a second copy is not the probe's, and neither copy is trusted.
    if (sections.has(id)) {
      sections.set(id, { id, status: 'error', detail: DUPLICATE_SECTION_DETAIL, text: '' });
      continue;
    }
    sections.set(id, { id, status: status as ProbeStatus, detail: rest.join(' ').trim(), text: content });
  }
  if (sections.size === 0) return { ok: false, reason: 'the probe output has a header but no sections' };
  // Without the end marker the last section may stop inside a number ("blocks=25" of 256): never parse it.
  if (!complete && lastId !== undefined) sections.set(lastId, { id: lastId, status: 'error', detail: 'the probe output was cut off in this section', text: '' });
  return { ok: true, output: { formatVersion, sections, complete } };
}

/** Quotes a value for the shell, so settings travel inside the script on stdin, never on a command line. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface ProbeSettings {
  /** A snapshot root on the machine that runs the script. */
  root?: string;
  /** Read root-only files through `sudo -n`. */
  sudo?: boolean;
  toolTimeoutSeconds?: number;
  /** With `root`: run the snapshot's own tools (--run-snapshot-tools) instead of reading their saved outputs. */
  runSnapshotTools?: boolean;
}

/** Default per-tool time limit (seconds); the script's own default is the same. */
export const DEFAULT_TOOL_TIMEOUT_SECONDS = 5;

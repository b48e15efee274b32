import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { create, Parser, type ReadEntry } from 'tar';
import { renderMarkdown } from '../core/render/markdown';
import type { Report } from '../core/report';
import { MAX_OUTPUT_BYTES } from './transport';

/** The bundle's one top directory and its members. */
export const BUNDLE_DIR = 'balloon-evidence';
const PROBE_OUTPUT = 'probe-output.txt';
/** Most bytes a bundle may unpack to: its members are the probe's output (8 MiB at most) and two reports. */
const MAX_BUNDLE_BYTES = 4 * MAX_OUTPUT_BYTES;

export interface EvidenceInput {
  /** The probe's raw output, exactly as analysed. */
  output: string;
  report: Report;
  version: string;
  /** How the guest was reached ("local", "--root DIR", "--ssh HOST", "--sosreport FILE"). */
  how: string;
}

function readme(input: EvidenceInput): string {
  const { report } = input;
  return [
    `# Balloon Inspector evidence: ${report.target.name}`, '',
    `- Checked: ${report.collectedAt}`,
    `- Host: ${report.guest.hostname ?? report.target.name}`,
    `- Kernel: ${report.guest.kernel ?? 'unknown'}`,
    `- Status: ${report.status.toUpperCase()}`,
    `- Tool: balloon-check ${input.version} (${input.how})`, '',
    'Files:', '',
    `- \`${PROBE_OUTPUT}\`: what the read-only probe script printed, unchanged`,
    '- `report.json`: the report (report.schema.json), `report.md`: the same for people',
    '', `Analyse it again: \`balloon-check --input ${'BUNDLE.tar.gz'}\` (or \`--sosreport\`).`, '',
  ].join('\n');
}

/** Writes FILE (a .tar.gz) atomically: built in a private directory, renamed over FILE. */
export async function writeEvidenceBundle(file: string, input: EvidenceInput): Promise<void> {
  const work = await fs.mkdtemp(join(tmpdir(), 'bi-evidence-'));
  try {
    await fs.chmod(work, 0o700);
    const dir = join(work, BUNDLE_DIR);
    await fs.mkdir(dir);
    await fs.writeFile(join(dir, 'README.md'), readme(input));
    await fs.writeFile(join(dir, PROBE_OUTPUT), input.output);
    await fs.writeFile(join(dir, 'report.json'), `${JSON.stringify(input.report, null, 2)}\n`);
    await fs.writeFile(join(dir, 'report.md'), renderMarkdown(input.report));
    const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
    try {
      await create({ gzip: true, cwd: work, file: partial, portable: true }, [BUNDLE_DIR]);
      await fs.rename(partial, file);
    } catch (error) {
      await fs.rm(partial, { force: true });
      throw error;
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

export interface EvidenceBundle {
  output: string;
  collectedAt: Date | null;
}

/** The probe output of an evidence bundle given as bytes, or null when the bytes are not a bundle. */
export async function readEvidenceBundle(bytes: Buffer): Promise<EvidenceBundle | null> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return null;
  // A bundle's first tar header names balloon-evidence/: anything else (a sos report .tar.gz) is not one.
  let head: Buffer;
  try { head = gunzipSync(bytes.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH }); } catch { return null; }
  if (!head.subarray(0, 100).toString('latin1').startsWith(`${BUNDLE_DIR}/`)) return null;
  const members = new Map<string, Buffer[]>();
  let total = 0;
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      const name = entry.path.replace(/^\.\//, '');
      if (entry.type !== 'File' || (name !== `${BUNDLE_DIR}/${PROBE_OUTPUT}` && name !== `${BUNDLE_DIR}/report.json`)) { entry.resume(); return; }
      const chunks: Buffer[] = [];
      members.set(name, chunks);
      entry.on('data', (chunk: Buffer) => { chunks.push(chunk); });
    },
  });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > MAX_BUNDLE_BYTES) done(new Error(`the bundle unpacks to more than ${MAX_BUNDLE_BYTES} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.from([bytes]), createGunzip({ chunkSize: 256 * 1024 }), meter, parser);
  } catch (error) {
    if (/more than/.test((error as Error).message)) throw error;
    return null;
  }
  const output = members.get(`${BUNDLE_DIR}/${PROBE_OUTPUT}`);
  if (!output) return null;
  let collectedAt: Date | null = null;
  try {
    const report = JSON.parse(Buffer.concat(members.get(`${BUNDLE_DIR}/report.json`) ?? []).toString('utf8')) as { collectedAt?: unknown };
    const at = typeof report.collectedAt === 'string' ? new Date(report.collectedAt) : null;
    collectedAt = at && !Number.isNaN(at.getTime()) ? at : null;
  } catch { /* no report: dated now */ }
  return { output: Buffer.concat(output).toString('utf8'), collectedAt };
}

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Report } from '../../src/core/report';
import { cliBundle, ROOT } from './system';

/** The simulated guests: snapshot roots for `balloon-check --root`. */
export const GUESTS_DIR = join(ROOT, 'test', 'fixtures', 'guests');
export const guestPath = (name: string) => join(GUESTS_DIR, name);
export const committedGuests = () => readdirSync(GUESTS_DIR).filter((name) => lstatSync(join(GUESTS_DIR, name)).isDirectory()).sort();

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export interface CliRun { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/** Runs the built CLI bundle (`dist/cli.js`) to completion. */
export function runCli(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliRun {
  const started = Date.now();
  const result = spawnSync(process.execPath, [cliBundle(), ...args], {
    input: options.input,
    env: { ...process.env, NO_COLOR: '', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 << 20,
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
}

/** Runs the CLI in the background (watch mode), resolving when it exits. */
export function runCliAsync(args: string[]): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** `--format json` of one snapshot root, parsed, with the exit code. */
export function jsonReport(root: string, extra: string[] = [], timeoutMs?: number): { report: Report; run: CliRun } {
  const run = runCli(['--root', root, '--format', 'json', ...extra], { timeoutMs });
  let report: Report;
  try {
    report = JSON.parse(run.stdout) as Report;
  } catch (error) {
    throw new Error(`--root ${root} printed no JSON (exit ${run.status}): ${(error as Error).message}\nstderr: ${run.stderr.slice(0, 2000)}`);
  }
  return { report, run };
}

let validator: ReturnType<Ajv2020['compile']> | undefined;
/** Validates against report.schema.json with a real JSON Schema 2020-12 validator; returns the errors. */
export function schemaErrors(value: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'report.schema.json'), 'utf8')));
  }
  return validator(value) ? [] : (validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

/** A fresh temp dir (mode 0755, so an unprivileged user can enter it); removed by the returned function. */
export function tempDir(prefix = 'bi-guest-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a committed guest (symlinks, modes and all) into `dir`, returning the copy's root. */
export function copyGuest(name: string, dir: string): string {
  const target = join(dir, name);
  cpSync(guestPath(name), target, { recursive: true, verbatimSymlinks: true });
  return target;
}

/** Every path under `root` with its type, size, mode and mtime: equal listings mean nothing was written. */
export function treeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      out.push(`${path.slice(root.length)} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

export const findingIds = (report: Report) => report.findings.map((finding) => finding.id);
export const probe = (report: Report, id: string) => report.probes.find((record) => record.id === id);

/** Pids (other than this process) whose command line contains `marker`: a unique argument a test gives the processes it starts. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch { /* gone */ }
  }
  return found;
}

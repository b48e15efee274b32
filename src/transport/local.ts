import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_TOOL_TIMEOUT_SECONDS, type ProbeSettings } from '../core/sections';
import { scriptWithSettings } from './probe-script';
import type { Target } from '../core/report';
import { MAX_OUTPUT_BYTES, ProbeError, stderrText, type Transport } from './transport';

/**
 * Longest a whole local probe may run: every tool it can start (4 toolbox answers, detect-virt, two
 * `sudo -n cat`) at its full bound, plus 15 s for the files. 50 s with the default 5 s tool bound.
 */
export function localProbeDeadlineSeconds(toolTimeoutSeconds = DEFAULT_TOOL_TIMEOUT_SECONDS): number {
  const tool = Number.isFinite(toolTimeoutSeconds) && toolTimeoutSeconds > 0 ? Math.min(600, Math.max(1, Math.round(toolTimeoutSeconds))) : DEFAULT_TOOL_TIMEOUT_SECONDS;
  return 7 * tool + 15;
}

/** Environment variable whose unique value marks every process of one probe run (see killRun). */
export const RUN_MARKER_VARIABLE = 'BALLOON_INSPECTOR_RUN';

/** The caller's environment without BI_* (the script's settings come only from its prelude). */
function probeEnvironment(marker: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BI_')) env[key] = value;
  return { ...env, LC_ALL: 'C', [RUN_MARKER_VARIABLE]: marker };
}

/** Pids of this user's processes started with `NAME=value` in their environment (/proc/PID/environ). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found: number[] = [];
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return found; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`)]);
      if (environ.includes(needle)) found.push(Number(entry));
    } catch { /* gone, or another user's */ }
  }
  return found;
}

const signalQuietly = (pid: number, signal: NodeJS.Signals | 0) => { try { process.kill(pid, signal); return true; } catch { return false; } };

/**
 * Kills everything one run started: the shell's process group (it is spawned detached, so it leads
 * one), then every process still carrying the run's marker: tool groups of GNU timeout and children
 * that called setsid. Each is stopped before the kill so it cannot fork more. A process that
 * clears its environment and leaves the group escapes (documented in the README).
 */
function killRun(groupLeader: number | undefined, marker: string): void {
  if (groupLeader !== undefined) signalQuietly(-groupLeader, 'SIGKILL');
  for (let round = 0; round < 5; round++) {
    const pids = processesWithEnv(RUN_MARKER_VARIABLE, marker);
    if (!pids.length) return;
    for (const pid of pids) signalQuietly(pid, 'SIGSTOP');
    for (const pid of pids) signalQuietly(pid, 'SIGKILL');
  }
}

/**
 * Runs the probe with this machine's /bin/sh: on this machine, or on a snapshot root (`--root DIR`)
 * where every file comes from DIR (and DIR's tools run only with `runSnapshotTools`). The run has a
 * deadline (localProbeDeadlineSeconds), obeys `signal`, and leaves no process behind.
 */
export class LocalTransport implements Transport {
  readonly target: Target;
  private readonly root?: string;

  constructor(options: { root?: string; shell?: string; deadlineSeconds?: number } = {}) {
    this.root = options.root ? resolve(options.root) : undefined;
    this.shell = options.shell ?? '/bin/sh';
    this.deadlineSeconds = options.deadlineSeconds;
    this.target = this.root ? { kind: 'snapshot', name: this.root } : { kind: 'local', name: hostname() };
  }

  private readonly shell: string;
  private readonly deadlineSeconds?: number;

  runProbe(settings: ProbeSettings = {}, signal?: AbortSignal): Promise<string> {
    const script = scriptWithSettings({ ...settings, root: this.root ?? settings.root });
    const deadlineSeconds = this.deadlineSeconds ?? localProbeDeadlineSeconds(settings.toolTimeoutSeconds);
    const marker = randomUUID();
    return new Promise((resolvePromise, reject) => {
      if (signal?.aborted) { reject(new ProbeError('other', 'interrupted before the probe started')); return; }
      // detached: the shell leads its own process group, which is killed as a whole.
      const child = spawn(this.shell, ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], env: probeEnvironment(marker), detached: true });
      const chunks: Buffer[] = [];
      let size = 0;
      const stderr = stderrText();
      let settled = false;
      const killAll = () => killRun(child.pid, marker);
      const finish = (error: ProbeError | undefined, text?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        process.removeListener('exit', killAll);
        if (error) { killAll(); reject(error); } else resolvePromise(text!);
      };
      const onAbort = () => finish(new ProbeError('other', 'interrupted'));
      const timer = setTimeout(() => finish(new ProbeError('timeout', `the local probe ran past its ${deadlineSeconds} s deadline and was killed`)), deadlineSeconds * 1000);
      signal?.addEventListener('abort', onAbort, { once: true });
      // A CLI that exits (process.exit after SIGTERM) takes the probe's processes with it.
      process.once('exit', killAll);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) { finish(new ProbeError('bad-output', `the probe printed more than ${MAX_OUTPUT_BYTES} bytes`)); return; }
        chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
      child.on('error', (error) => finish(new ProbeError('other', `cannot run ${this.shell}: ${error.message}`)));
      // The shell is done: whatever is left in its group (a tool's stray child holding the pipe) goes.
      child.on('exit', () => { if (child.pid !== undefined && signalQuietly(-child.pid, 0)) killAll(); });
      child.on('close', (code) => {
        if (code !== 0) {
          const why = stderr.text().trim();
          finish(new ProbeError('bad-output', `the probe script exited with ${code}${why ? `: ${why.split('\n')[0]}` : ''}`));
          return;
        }
        finish(undefined, Buffer.concat(chunks).toString('utf8'));
      });
      child.stdin.on('error', () => { /* the shell may exit before reading all input; close reports it */ });
      child.stdin.end(script);
    });
  }
}

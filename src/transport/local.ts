import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { scriptWithSettings, type ProbeSettings } from '../core/sections';
import type { Target } from '../core/report';
import { MAX_OUTPUT_BYTES, ProbeError, type Transport } from './transport';

/**
 * Runs the probe with this machine's /bin/sh: on this machine, or on a snapshot root (`--root DIR`)
 * where every file and tool comes from DIR.
 */
export class LocalTransport implements Transport {
  readonly target: Target;
  private readonly root?: string;

  constructor(options: { root?: string; shell?: string } = {}) {
    this.root = options.root ? resolve(options.root) : undefined;
    this.shell = options.shell ?? '/bin/sh';
    this.target = this.root ? { kind: 'snapshot', name: this.root } : { kind: 'local', name: hostname() };
  }

  private readonly shell: string;

  runProbe(settings: ProbeSettings = {}, signal?: AbortSignal): Promise<string> {
    const script = scriptWithSettings({ ...settings, root: this.root ?? settings.root });
    return new Promise((resolvePromise, reject) => {
      const child = spawn(this.shell, ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, signal });
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT_BYTES) {
          child.kill('SIGKILL');
          reject(new ProbeError('bad-output', `the probe printed more than ${MAX_OUTPUT_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString(); });
      child.on('error', (error) => reject(new ProbeError('other', `cannot run ${this.shell}: ${error.message}`)));
      child.on('close', (code) => {
        if (size > MAX_OUTPUT_BYTES) return;
        if (code !== 0) {
          reject(new ProbeError('bad-output', `the probe script exited with ${code}${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`));
          return;
        }
        resolvePromise(Buffer.concat(chunks).toString('utf8'));
      });
      child.stdin.on('error', () => { /* the shell may exit before reading all input; close reports it */ });
      child.stdin.end(script);
    });
  }
}

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isRoot, requireSystem, ROOT, which } from './system';

/** test/helpers/with-guest.sh: runs a command on a simulated guest in a private mount namespace. */
export const WITH_GUEST = join(ROOT, 'test', 'helpers', 'with-guest.sh');
export const FIXTURE_GUESTS = join(ROOT, 'test', 'fixtures', 'guests');

export interface GuestRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `with-guest.sh FIXTURE -- argv...` and collects its output (killed after timeoutMs). */
export function runOnGuest(fixture: string, argv: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<GuestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(WITH_GUEST, [fixture, '--', ...argv], {
      env: { ...process.env, LC_ALL: 'C', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20000);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

/** Mount namespaces need root and unshare: skip with a message locally, fail in CI. */
export function requireNamespaces(t: { skip: (message: string) => void }): boolean {
  return requireSystem(t, 'root and unshare (private mount namespaces for the simulated guests)', isRoot() && which('unshare') !== null,
    'run the tests as root; apt-get install util-linux');
}

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Project root (tests run from it, but do not rely on the cwd). */
export const ROOT = join(__dirname, '..', '..');
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Where a command is, or null. */
export function which(command: string): string | null {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : null;
}

/**
 * For tests that need a system part (sshd, promtool, chromium...): returns false to skip with a
 * clear message locally, and throws in CI, where a missing part is a failure, never a skip.
 */
export function requireSystem(t: { skip: (message: string) => void }, what: string, present: boolean, hint: string): boolean {
  if (present) return true;
  const message = `${what} is missing (${hint})`;
  if (IN_CI) throw new Error(`CI must have ${message}`);
  t.skip(message);
  return false;
}

export function requireCommand(t: { skip: (message: string) => void }, command: string, aptPackage: string): string | null {
  const path = which(command);
  return requireSystem(t, command, path !== null, `apt-get install ${aptPackage}`) ? path : null;
}

export const isRoot = () => process.getuid?.() === 0;

/** The built CLI bundle; `npm ci` (prepare) builds it. */
export function cliBundle(): string {
  const path = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(path)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  return path;
}

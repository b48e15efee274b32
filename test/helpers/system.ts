import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Project root (tests run from it, but do not rely on the cwd). */
export const ROOT = join(__dirname, '..', '..');
/** Any non-empty CI counts (CI=true, CI=1, CI=yes, GitLab's CI=true...): there a missing part fails, never skips. */
export const IN_CI = isCi(process.env);

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return (env.CI ?? '') !== '';
}

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

/** The newest file under dir (recursive): its path and modification time in ms. */
export function newestFile(dir: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestFile(path) : entry.isFile() ? { path, mtimeMs: statSync(path).mtimeMs } : null;
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

/** What dist/cli.js is built from: every folder of src/ but the extension's (which the CLI never imports). */
export function cliSources(): string[] {
  return readdirSync(join(ROOT, 'src')).filter((name) => name !== 'extension').map((name) => join(ROOT, 'src', name));
}

/** Why a bundle cannot be trusted (missing, or older than a file under sources), or null. */
export function staleBundleReason(bundle: string, sources: string[] = cliSources()): string | null {
  if (!existsSync(bundle)) return `${bundle} is missing: run npm run build`;
  const newest = sources.map((dir) => (statSync(dir).isDirectory() ? newestFile(dir) : { path: dir, mtimeMs: statSync(dir).mtimeMs }))
    .reduce((a, b) => (b && (!a || b.mtimeMs > a.mtimeMs) ? b : a), null);
  const built = statSync(bundle).mtimeMs;
  if (newest && newest.mtimeMs > built) return `${bundle} is older than ${newest.path}: run npm run build (a test of the CLI would run stale code)`;
  return null;
}

/**
 * The built CLI bundle (`npm test` and `npm ci` build it). A test run by hand after editing the CLI's sources
 * (probe.sh included) fails here instead of passing on the old bundle.
 */
export function cliBundle(): string {
  const path = join(ROOT, 'dist', 'cli.js');
  const stale = staleBundleReason(path);
  if (stale) throw new Error(stale);
  return path;
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files for tests and benchmarks, written only when BALLOON_INSPECTOR_LOG_DIR is set:
 * activated.json (activation time) and last-check.json (the last check and its timings).
 */
export function writeHookFile(name: 'activated.json' | 'last-check.json', data: unknown): void {
  const dir = process.env.BALLOON_INSPECTOR_LOG_DIR;
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), `${JSON.stringify(data, null, 2)}\n`);
  } catch {
    // A test hook must never break the extension.
  }
}

// A minimal test runner for code that runs inside the VS Code extension host, where node:test's
// process-level runner is not available. Prints one line per test and the closing `N passed, M failed`.
export interface TestCase { name: string; fn: () => Promise<void> | void; timeoutMs?: number }
export interface TestResult { name: string; ok: boolean; ms: number; error?: string }

export async function runTests(cases: readonly TestCase[], log: (line: string) => void): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const testCase of cases) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const limit = testCase.timeoutMs ?? 30_000;
    try {
      await Promise.race([
        Promise.resolve().then(testCase.fn),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit); }),
      ]);
      results.push({ name: testCase.name, ok: true, ms: Date.now() - started });
      log(`  ✓ ${testCase.name} (${Date.now() - started} ms)`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.push({ name: testCase.name, ok: false, ms: Date.now() - started, error: message });
      log(`  ✗ ${testCase.name} (${Date.now() - started} ms)\n      ${message.split('\n').slice(0, 6).join('\n      ')}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}

/** Polls until `probe` returns a value other than undefined, or throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

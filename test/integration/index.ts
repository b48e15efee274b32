// Extension-host integration suite. `run()` is the entry @vscode/test-electron and VS Code's
// extensionTestsPath expect: it runs inside the real extension host with `require('vscode')`.
// Expectations come from the runner (test/e2e/run-integration.ts) through a JSON file.
import { readFileSync, writeFileSync } from 'node:fs';
import type { IntegrationExpectation, IntegrationResults } from './expectations';
import { runTests } from './harness';
import { extensionTests } from './extension.suite';
import { hostTests } from './host.suite';
import { lensTests } from './lenses.suite';
import { realVmTests } from './realvm.suite';
import { sosreportTests } from './sosreport.suite';

export async function run(): Promise<void> {
  const expectFile = process.env.BALLOON_INSPECTOR_TEST_EXPECT;
  if (!expectFile) throw new Error('BALLOON_INSPECTOR_TEST_EXPECT is not set: start this suite through test/e2e/run-integration.ts');
  const expectation = JSON.parse(readFileSync(expectFile, 'utf8')) as IntegrationExpectation;
  const log = (line: string) => console.log(line);
  log(`Balloon Inspector integration suite (guest: ${expectation.guest.name}, workspace ${expectation.trusted ? 'trusted' : 'untrusted'})`);
  // The sosreport and KVM host tests run once, in the trusted run (last: the host tests change a workspace setting
  // and set it back); BALLOON_INSPECTOR_TEST_SUITE=sosreport or =host runs one of them alone.
  const only = process.env.BALLOON_INSPECTOR_TEST_SUITE;
  const cases = expectation.sshGuest ? realVmTests(expectation)
    : only === 'sosreport' ? sosreportTests()
      : only === 'host' ? hostTests()
        : [...extensionTests(expectation), ...lensTests(expectation), ...(expectation.trusted ? [...sosreportTests(), ...hostTests()] : [])];
  const results = await runTests(cases, log);
  const passed = results.filter((result) => result.ok).length;
  const failed = results.length - passed;
  const summary: IntegrationResults = { passed, failed, tests: results };
  writeFileSync(expectation.resultsFile, JSON.stringify(summary, null, 2));
  log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} integration test(s) failed`);
}

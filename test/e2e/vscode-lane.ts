// `npm run test:vscode`: the extension in a real VS Code. First the extension-host integration suite
// (code-server + payload, simulated VMware guest trusted, this machine's real guest untrusted), then
// the UI suite (packaged VSIX, Chromium). Skips with a message when .e2e/ is not installed locally;
// fails in CI (CI=true). Prints the closing `N passed, M failed` line CI reads.
import { integrationLane } from './run-integration';
import { skipReason, summaryLine } from './code-server';
import { uiLane } from '../ui/run-ui';

async function main(): Promise<number> {
  const started = Date.now();
  const skip = skipReason();
  if (skip) {
    console.log(`VS Code suites skipped: ${skip}`);
    console.log(summaryLine(0, 0));
    return 0;
  }
  console.log('VS Code integration suite (extension host in code-server 4.139.1)');
  const integration = await integrationLane();
  console.log('VS Code UI suite (VSIX in code-server, driven by Chromium)');
  const ui = await uiLane();
  const all = [...integration, ...ui];
  const passed = all.reduce((sum, outcome) => sum + outcome.passed, 0);
  const failed = all.reduce((sum, outcome) => sum + outcome.failed, 0);
  console.log(`VS Code suites done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(summaryLine(passed, failed));
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error);
  console.log(summaryLine(0, 1));
  process.exitCode = 1;
});

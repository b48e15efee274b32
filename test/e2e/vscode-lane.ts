// `npm run test:vscode`: the extension in a real VS Code. First the extension-host integration suite
// (code-server + payload, simulated VMware guest trusted, this machine's real guest untrusted), then
// the UI suite (packaged VSIX, Chromium). Skips with a message when .e2e/ is not installed locally;
// fails in CI (CI=true). Prints the closing `N passed, M failed` line CI reads.
import { integrationLane } from './run-integration';
import { runAsScript, runLaneMain } from './code-server';
import { uiLane } from '../ui/run-ui';

runAsScript(() => {
  const started = Date.now();
  return runLaneMain('VS Code suites', async () => {
    console.log('VS Code integration suite (extension host in code-server 4.139.1)');
    const integration = await integrationLane();
    console.log('VS Code UI suite (VSIX in code-server, driven by Chromium)');
    const ui = await uiLane();
    console.log(`VS Code suites done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return [...integration, ...ui];
  });
});

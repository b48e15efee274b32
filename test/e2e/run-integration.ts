// Runs the extension-host integration suite (dist-test/integration.js) in a real VS Code:
// code-server 4.139.1 with `--vscode-option enable-smoke-test-driver`, the suite loaded through the
// page's payload parameter (extensionDevelopmentPath + extensionTestsPath), driven by Chromium.
// (Not @vscode/test-electron: it downloads a desktop VS Code, which this offline machine cannot; see README.)
// Usage: node --import tsx test/e2e/run-integration.ts [--guest FIXTURE|this-machine] [--untrusted] | --realvm
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/system';
import type { IntegrationExpectation, IntegrationResults, SshGuestExpectation } from '../integration/expectations';
import { E2E_DIR, launchBrowser, runAsScript, runLaneMain, startCodeServer, summaryLine } from './code-server';
import { guestExpectation } from './guests';
import { realVmIntegration } from './realvm-integration';

export const INTEGRATION_BUNDLE = join(ROOT, 'dist-test', 'integration.js');

export interface IntegrationRun {
  /** Fixture directory name under test/fixtures/guests, or "this-machine". */
  guest: string;
  trusted: boolean;
  /** Extension folder (package.json + dist/); default: this project. */
  extensionDir?: string;
  testsFile?: string;
  runbook?: string | null;
  label?: string;
  /** The window's SSH config (default: an empty one), extra guests by alias, and the SSH guest the suite then checks. */
  sshConfig?: string;
  sshHosts?: string[];
  sshGuest?: SshGuestExpectation;
}

export interface SuiteOutcome { label: string; passed: number; failed: number; exitCode: number; ms: number; error?: string }

function firstRunbook(extensionDir: string): string | null {
  const dir = join(extensionDir, 'knowledge', 'runbooks');
  if (!existsSync(dir)) return null;
  const file = readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md').sort()[0];
  return file ? relative(extensionDir, join(dir, file)) : null;
}

function runDirFor(label: string): string {
  const dir = join(E2E_DIR, 'runs', label.replace(/[^\w.-]+/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One suite run in code-server; resolves with counts (never throws for test failures). */
export async function runInCodeServer(run: IntegrationRun, log = (line: string) => console.log(line)): Promise<SuiteOutcome> {
  const started = Date.now();
  const label = run.label ?? `integration ${run.guest} ${run.trusted ? 'trusted' : 'untrusted'}`;
  const extensionDir = run.extensionDir ?? ROOT;
  const testsFile = run.testsFile ?? INTEGRATION_BUNDLE;
  const runDir = runDirFor(label);
  const workspace = join(runDir, 'workspace');
  const logDir = join(runDir, 'extension-log');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(workspace, 'notes.md'), '# Scratch workspace of the integration suite\n');
  const fixture = run.guest === 'this-machine' ? null : join(ROOT, 'test', 'fixtures', 'guests', run.guest);
  const expectation: IntegrationExpectation = {
    trusted: run.trusted,
    guest: guestExpectation(run.guest, fixture),
    ...(run.sshGuest ? { sshGuest: run.sshGuest } : {}),
    runbook: run.runbook === undefined ? firstRunbook(extensionDir) : run.runbook,
    resultsFile: join(runDir, 'results.json'),
    logDir,
  };
  const expectFile = join(runDir, 'expect.json');
  writeFileSync(expectFile, JSON.stringify(expectation, null, 2));

  // No SSH hosts: "Check Ballooning" then checks this window's guest without asking which.
  const sshConfig = run.sshConfig ?? join(runDir, 'ssh_config');
  if (!run.sshConfig) writeFileSync(sshConfig, '');
  if (run.sshHosts) {
    // A remote window ignores machine-scoped user settings: SSH guests go in the (trusted) workspace's settings.
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'balloonInspector.sshConfigFile': sshConfig, 'balloonInspector.sshHosts': run.sshHosts }, null, 2));
  }
  const server = await startCodeServer({
    runDir, workspace, trusted: run.trusted, smokeTestDriver: true, guestFixture: fixture,
    env: { BALLOON_INSPECTOR_LOG_DIR: logDir, BALLOON_INSPECTOR_TEST_EXPECT: expectFile },
    settings: { 'balloonInspector.sshConfigFile': sshConfig },
  });
  const context = await launchBrowser(join(runDir, 'chromium'));
  const hostLog: string[] = [];
  let inSuite = false;
  let exitCode = -1;
  let error: string | undefined;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = (Array.isArray(args) ? args : [args]).map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
      hostLog.push(`[${type}] ${text}`);
      // Echo only the suite's own lines (header to closing count), not the workbench's console noise.
      if (text.startsWith('Balloon Inspector integration suite')) inSuite = true;
      if (inSuite) for (const line of text.split('\n')) log(`  ${line}`);
      if (/^\d+ passed, \d+ failed/.test(text)) inSuite = false;
    });
    const authority = `127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionDir}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsFile}`],
    ];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    exitCode = await Promise.race([
      exited,
      new Promise<number>((_, reject) => { timer = setTimeout(() => reject(new Error('the suite did not finish within 120 s')), 120_000); }),
    ]).finally(() => clearTimeout(timer));
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  } finally {
    writeFileSync(join(runDir, 'extension-host.log'), hostLog.join('\n'));
    await context.close().catch(() => undefined);
    const stopped = await server.stop();
    if (stopped.killed.length) log(`  (code-server stragglers killed by PID: ${stopped.killed.join(' ')})`);
  }
  let results: IntegrationResults | undefined;
  if (existsSync(expectation.resultsFile)) results = JSON.parse(readFileSync(expectation.resultsFile, 'utf8')) as IntegrationResults;
  if (!results) {
    error ??= `the suite wrote no results (exit code ${exitCode}); logs in ${runDir}`;
    return { label, passed: 0, failed: 1, exitCode: exitCode === 0 ? 1 : exitCode, ms: Date.now() - started, error };
  }
  // The exit code VS Code reports and the suite's own counts must agree.
  const consistent = (exitCode === 0) === (results.failed === 0);
  return {
    label, passed: results.passed, failed: results.failed + (consistent ? 0 : 1), exitCode, ms: Date.now() - started,
    error: error ?? (consistent ? undefined : `exit code ${exitCode} disagrees with ${results.failed} failure(s)`),
  };
}

/** The integration lane: the simulated VMware guest (trusted) and this machine's real guest (untrusted). */
export async function integrationLane(log = (line: string) => console.log(line)): Promise<SuiteOutcome[]> {
  const runs: IntegrationRun[] = [
    { guest: 'vmware-limit-12g-of-32g', trusted: true },
    { guest: 'this-machine', trusted: false },
  ];
  const outcomes: SuiteOutcome[] = [];
  for (const run of runs) {
    log(`▶ ${run.guest}, ${run.trusted ? 'trusted' : 'untrusted'} workspace (code-server, extension host)`);
    const outcome = await runInCodeServer(run, log);
    if (outcome.error) log(`  error: ${outcome.error}`);
    log(`  ${summaryLine(outcome.passed, outcome.failed)} in ${(outcome.ms / 1000).toFixed(1)} s`);
    outcomes.push(outcome);
  }
  log('▶ the QEMU guest of test/realvm over SSH, trusted workspace (code-server, extension host)');
  const realVm = await realVmIntegration(log);
  if (realVm) {
    if (realVm.error) log(`  error: ${realVm.error}`);
    log(`  ${summaryLine(realVm.passed, realVm.failed)} in ${(realVm.ms / 1000).toFixed(1)} s`);
    outcomes.push(realVm);
  }
  return outcomes;
}

function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const guestIndex = argv.indexOf('--guest');
  if (argv.includes('--realvm')) return runLaneMain('integration suite', async () => [await realVmIntegration()].filter((outcome): outcome is SuiteOutcome => outcome !== null));
  return runLaneMain('integration suite', async () => (guestIndex >= 0
    ? [await runInCodeServer({ guest: argv[guestIndex + 1]!, trusted: !argv.includes('--untrusted') })]
    : integrationLane()));
}

if (require.main === module) runAsScript(main);

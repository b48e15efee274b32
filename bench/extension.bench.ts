/**
 * `npm run bench:extension`: the VS Code extension in a real VS Code (code-server 4.139.1, Node 24,
 * installed by scripts/e2e-setup.sh), on this machine's own guest.
 * - Activation, measured inside the extension host by the extension (activated.json), against a
 *   baseline extension that does nothing, activated by a command of its own as the first command of a fresh window.
 * - "Check Ballooning" from the palette until the tree shows the verdict: inside the host
 *   (last-check.json commandToTreeMs) and in the browser (Enter → verdict row drawn), against the
 *   engine alone in this process (LocalTransport.runProbe + analyzeProbeOutput).
 * - Bundle and VSIX sizes of `npm run package`.
 * Each round is a fresh window (new extension host): cold activation every time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeProbeOutput } from '../src/core/report';
import { LocalTransport } from '../src/transport/local';
import { E2E_DIR, installExtension, launchBrowser, missingParts, startCodeServer } from '../test/e2e/code-server';
import { ROOT } from '../test/helpers/system';
import { buildVsix } from '../test/ui/run-ui';
import { GUEST_ROWS, runCommand, waitForSideBarRow } from '../test/ui/workbench';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BASELINE_COMMAND = { id: 'bench.activationBaseline', title: 'Bench: Activation Baseline' };
const GOALS = { activationMs: 20, commandToTreeMs: 300, enterToVerdictMs: 600, vsixBytes: 500 * 1000 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
};
const p90 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]! : NaN;
};
const ms = (value: number) => value.toFixed(1);

/**
 * An extension that does nothing: the host's share of "activation". It activates on a command of its own, run
 * as the first command of fresh windows of their own (the same cold start as ours): on our command it would
 * sit on the measured first check's path.
 */
function writeBaselineExtension(extensionsDir: string): void {
  const dir = join(extensionsDir, 'bench.activation-baseline-0.0.1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'activation-baseline', publisher: 'bench', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './extension.js',
    extensionKind: ['workspace'], activationEvents: [`onCommand:${BASELINE_COMMAND.id}`],
    contributes: { commands: [{ command: BASELINE_COMMAND.id, title: BASELINE_COMMAND.title }] },
  }));
  writeFileSync(join(dir, 'extension.js'), `const LOAD_START = performance.now();
exports.activate = () => {
  const dir = process.env.BALLOON_INSPECTOR_LOG_DIR;
  if (dir) require('fs').writeFileSync(require('path').join(dir, 'baseline-activated.json'), JSON.stringify({ activationMs: performance.now() - LOAD_START }));
};
`);
}

function zipEntries(vsix: string): Map<string, number> {
  const listing = spawnSync('unzip', ['-l', vsix], { encoding: 'utf8' });
  const sizes = new Map<string, number>();
  for (const line of listing.stdout.split('\n')) {
    const match = /^\s*(\d+)\s+\S+\s+\S+\s+(extension\/\S+)$/.exec(line);
    if (match) sizes.set(match[2]!.slice('extension/'.length), Number(match[1]));
  }
  return sizes;
}

async function engineMs(runs: number): Promise<number[]> {
  const transport = new LocalTransport();
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const analysis = analyzeProbeOutput(await transport.runProbe({}), transport.target);
    if (!analysis.ok) throw new Error(analysis.reason);
    walls.push(performance.now() - start);
  }
  return walls;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** Waits for last-check.json written after `newerThan` with the tree-filled timing (the extension also writes it when the check ends). */
async function waitForTreeTiming(file: string, newerThan: number, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file) && statSync(file).mtimeMs > newerThan) {
      try {
        const data = readJson(file);
        if (typeof data.commandToTreeMs === 'number') return data;
      } catch { /* being written */ }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} got no commandToTreeMs within ${timeoutMs} ms`);
}

/**
 * Records in the page, on the page's clock, when the palette row was clicked and when our side bar first showed
 * a row, the guest "checking…", and a verdict row (a MutationObserver: no polling delay in the figure).
 */
async function observeFirstCheck(page: import('playwright-core').Page): Promise<void> {
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    const marks = {};
    window.benchMarks = marks;
    document.addEventListener('click', (event) => {
      if (event.target && event.target.closest && event.target.closest('.quick-input-list') && marks.clicked === undefined) marks.clicked = Date.now();
    }, true);
    const observer = new MutationObserver(() => {
      const texts = [...document.querySelectorAll(${JSON.stringify(GUEST_ROWS)})].map((row) => (row.querySelector('.label-name')?.textContent ?? '') + ' ' + (row.querySelector('.label-description')?.textContent ?? ''));
      if (texts.length && marks.firstRow === undefined) marks.firstRow = Date.now();
      if (texts.some((text) => /checking/.test(text)) && marks.checkingRow === undefined) marks.checkingRow = Date.now();
      if (texts.some((text) => /^(KVM|VMware|Hyper-V|Xen) · /.test(text)) && marks.verdictRow === undefined) { marks.verdictRow = Date.now(); observer.disconnect(); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
}

async function main(): Promise<void> {
  const missing = missingParts();
  if (missing) {
    console.error(`bench:extension needs the real VS Code lane: ${missing}`);
    process.exitCode = 1;
    return;
  }
  const vsix = buildVsix();
  const entries = zipEntries(vsix.path);
  console.log(`VSIX ${(vsix.bytes / 1024).toFixed(1)} KiB; bundles: ${['dist/extension.js', 'dist/extension-lazy.js', 'dist/webview.js', 'dist/webview.css'].map((name) => `${name} ${((entries.get(name) ?? 0) / 1024).toFixed(1)} KiB`).join(', ')}`);

  const runDir = join(E2E_DIR, 'runs', 'bench-extension');
  rmSync(runDir, { recursive: true, force: true });
  const workspace = join(runDir, 'workspace');
  const logDir = join(runDir, 'extension-log');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const sshConfig = join(runDir, 'ssh_config');
  writeFileSync(sshConfig, '');
  // The baseline first: installing the VSIX then records both in extensions.json.
  writeBaselineExtension(join(runDir, 'exts'));
  installExtension(runDir, vsix.path);
  const server = await startCodeServer({
    runDir, workspace, trusted: true, env: { BALLOON_INSPECTOR_LOG_DIR: logDir },
    settings: { 'balloonInspector.sshConfigFile': sshConfig },
  });
  const context = await launchBrowser(join(runDir, 'chromium'));
  const rows: { settled: boolean; activation: number; own: number; baseline: number; hostTree: number; coldProbe: number; coldReport: number; browserCold: number; hostWarm: number; browserWarm: number; engine: number }[] = [];
  try {
    let page = context.pages()[0] ?? (await context.newPage());
    for (let round = 0; round < ROUNDS; round++) {
      // A new page per round: a new window, so a new extension host and a cold activation.
      if (round > 0) {
        await page.close();
        page = await context.newPage();
      }
      for (const name of ['activated.json', 'last-check.json']) rmSync(join(logDir, name), { force: true });
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.activitybar .action-item a.action-label[aria-label^="Balloon Inspector"]').waitFor({ timeout: 60_000 });
      // Rounds 1, 3, 5… press at once (the window still starting: the command activates the extension); rounds 2, 4, 6…
      // once the window has settled (the extension activated when startup finished, as in a window opened earlier).
      const settled = round % 2 === 1;
      if (settled) {
        // Until the extension was activated at startup, or 5 s (a build without onStartupFinished).
        const deadline = Date.now() + 5_000;
        while (!existsSync(join(logDir, 'activated.json')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Cold: the command (activating the extension if startup has not), checks, and the tree draws the verdict.
      await observeFirstCheck(page);
      let before = Date.now();
      await runCommand(page, 'Balloon Inspector: Check Ballooning').catch(async (error: unknown) => {
        await page.screenshot({ path: join(runDir, 'failure.png') });
        throw error;
      });
      await waitForSideBarRow(page, /^KVM · |^VMware · |^Hyper-V · |^Xen · /, 30_000);
      // On the page's own clock, from the click on the palette row to the verdict row's insertion.
      const marks = await page.evaluate('window.benchMarks') as Record<string, number>;
      const browserCold = marks.verdictRow! - marks.clicked!;
      const cold = await waitForTreeTiming(join(logDir, 'last-check.json'), before - 1);
      const activated = readJson(join(logDir, 'activated.json'));
      // Warm: the same command again in the activated extension.
      before = Date.now();
      await runCommand(page, 'Balloon Inspector: Check Ballooning');
      const pressed = performance.now();
      const warm = await waitForTreeTiming(join(logDir, 'last-check.json'), before);
      const browserWarm = performance.now() - pressed;
      const [engine] = await engineMs(1);
      await page.screenshot({ path: join(runDir, `round-${round + 1}.png`) });
      rows.push({
        settled, activation: Number(activated.activationMs), own: Number(activated.ownMs ?? NaN), baseline: NaN,
        hostTree: Number(cold.commandToTreeMs), coldProbe: Number(cold.probeMs ?? NaN), coldReport: Number(cold.reportMs ?? NaN), browserCold, hostWarm: Number(warm.commandToTreeMs), browserWarm, engine: engine!,
      });
      const last = rows[rows.length - 1]!;
      console.log(`round ${round + 1} (${settled ? 'settled window' : 'pressed at once'}): activation ${ms(last.activation)} ms (own ${ms(last.own)}), command→tree in host ${ms(last.hostTree)} ms cold (probe ${ms(last.coldProbe)}, report ready ${ms(last.coldReport)}) / ${ms(last.hostWarm)} warm, browser Enter→verdict ${ms(last.browserCold)} ms cold, Enter→tree timing written ${ms(last.browserWarm)} warm, engine alone ${ms(last.engine)} ms`);
    }
    // The empty extension, in fresh windows of its own: its command is the window's first, as ours was.
    for (let round = 0; round < ROUNDS; round++) {
      await page.close();
      page = await context.newPage();
      rmSync(join(logDir, 'baseline-activated.json'), { force: true });
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.activitybar .action-item a.action-label[aria-label^="Balloon Inspector"]').waitFor({ timeout: 60_000 });
      await runCommand(page, BASELINE_COMMAND.title);
      const file = join(logDir, 'baseline-activated.json');
      const deadline = Date.now() + 30_000;
      while (!existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const baseline = Number(readJson(file).activationMs);
      rows[round]!.baseline = baseline;
      console.log(`baseline window ${round + 1}: empty extension activated in ${ms(baseline)} ms`);
    }
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
  }
  const extra = await engineMs(10);
  const engineAll = [...rows.map((row) => row.engine), ...extra];
  type Row = (typeof rows)[number];
  const column = (key: keyof Row, keep: (row: Row) => boolean = () => true) => rows.filter(keep).map((row) => Number(row[key])).filter((value) => Number.isFinite(value));
  const atOnce = (row: Row) => !row.settled;
  const settledRow = (row: Row) => row.settled;
  const stats = (key: keyof Row, keep?: (row: Row) => boolean) => ({ median: median(column(key, keep)), p90: p90(column(key, keep)) });
  const engineMedian = median(engineAll);
  const baselineMedian = median(column('baseline'));
  const result = {
    date: new Date().toISOString().slice(0, 10),
    rounds: rows.length,
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    activation: { median: median(column('activation')), p90: p90(column('activation')) },
    own: { median: median(column('own')), p90: p90(column('own')) },
    baseline: { median: baselineMedian, p90: p90(column('baseline')) },
    hostTreeCold: stats('hostTree', atOnce),
    hostTreeColdSettled: stats('hostTree', settledRow),
    coldProbe: stats('coldProbe'),
    coldReport: stats('coldReport'),
    hostTreeWarm: stats('hostWarm'),
    browserCold: stats('browserCold', atOnce),
    browserColdSettled: stats('browserCold', settledRow),
    browserWarm: stats('browserWarm'),
    engine: { median: engineMedian, p90: p90(engineAll) },
    vsixBytes: vsix.bytes,
    bundles: Object.fromEntries(['dist/extension.js', 'dist/extension-lazy.js', 'dist/webview.js', 'dist/webview.css'].map((name) => [name, entries.get(name) ?? 0])),
  };
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(join(ROOT, '.bench', 'extension.json'), JSON.stringify(result, null, 2));
  console.log('');
  console.log(`| measure | median ms | p90 ms | vs baseline | goal |`);
  console.log(`|---|---|---|---|---|`);
  console.log(`| activation, bundle load → end of activate() (activated.json activationMs) | ${ms(result.activation.median)} | ${ms(result.activation.p90)} | ${(result.activation.median / baselineMedian).toFixed(2)}× empty extension | ≤ ${GOALS.activationMs} |`);
  console.log(`| activation, our own code (bundle evaluation + activate() body, ownMs) | ${ms(result.own.median)} | ${ms(result.own.p90)} | | ≤ ${GOALS.activationMs} |`);
  console.log(`| empty extension, its own command first in a fresh window, same host (baseline) | ${ms(baselineMedian)} | ${ms(result.baseline.p90)} | 1.00× | |`);
  console.log(`| Check Ballooning → tree filled, in the host, first check, pressed at once | ${ms(result.hostTreeCold.median)} | ${ms(result.hostTreeCold.p90)} | ${(result.hostTreeCold.median / engineMedian).toFixed(2)}× engine | ≤ ${GOALS.commandToTreeMs} |`);
  console.log(`| Check Ballooning → tree filled, in the host, first check, settled window | ${ms(result.hostTreeColdSettled.median)} | ${ms(result.hostTreeColdSettled.p90)} | ${(result.hostTreeColdSettled.median / engineMedian).toFixed(2)}× engine | ≤ ${GOALS.commandToTreeMs} |`);
  console.log(`| … of which the probe ran (first check; last-check.json probeMs) | ${ms(result.coldProbe.median)} | ${ms(result.coldProbe.p90)} | | |`);
  console.log(`| … of which request → report ready (first check; reportMs) | ${ms(result.coldReport.median)} | ${ms(result.coldReport.p90)} | | |`);
  console.log(`| Check Ballooning → tree filled, in the host, again | ${ms(result.hostTreeWarm.median)} | ${ms(result.hostTreeWarm.p90)} | ${(result.hostTreeWarm.median / engineMedian).toFixed(2)}× engine | ≤ ${GOALS.commandToTreeMs} |`);
  console.log(`| palette click → verdict row drawn, in the browser, first check, pressed at once | ${ms(result.browserCold.median)} | ${ms(result.browserCold.p90)} | ${(result.browserCold.median / engineMedian).toFixed(2)}× engine | ≤ ${GOALS.enterToVerdictMs} |`);
  console.log(`| palette click → verdict row drawn, in the browser, first check, settled window | ${ms(result.browserColdSettled.median)} | ${ms(result.browserColdSettled.p90)} | ${(result.browserColdSettled.median / engineMedian).toFixed(2)}× engine | ≤ ${GOALS.enterToVerdictMs} |`);
  console.log(`| palette Enter → tree filled (last-check.json), again | ${ms(result.browserWarm.median)} | ${ms(result.browserWarm.p90)} | ${(result.browserWarm.median / engineMedian).toFixed(2)}× engine | |`);
  console.log(`| engine alone in Node 20 (LocalTransport.runProbe + analyzeProbeOutput; baseline) | ${ms(engineMedian)} | ${ms(result.engine.p90)} | 1.00× | |`);
  console.log('');
  console.log(`VSIX ${(vsix.bytes / 1000).toFixed(1)} kB (goal ≤ ${GOALS.vsixBytes / 1000} kB): ${vsix.bytes <= GOALS.vsixBytes ? 'met' : 'missed'}`);
  console.log(`results in .bench/extension.json`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

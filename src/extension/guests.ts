import { existsSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { analyzeProbeOutput, localizeReport, type Report } from '../core/report';
import type { ProbeSettings } from '../core/sections';
import type { Sample } from '../core/trend';
import { LocalTransport } from '../transport/local';
import { ProbeError, type Transport } from '../transport/transport';
import type { SshTransportSettings } from './lazy';
import { displayLang } from './displayLang';
import { loadLazy } from './lazyLoader';
import { log } from './log';
import { mergeSshHosts, SSH_GUEST_PREFIX, WINDOW_GUEST_ID, type GuestError, type GuestState } from './model/tree';
import { describeWindow, windowGuest, type WindowGuest } from './model/window';
import { collectedAtOf, sosPathOf } from './sosreportModel';
import type { TrendPoint } from '../shared/protocol';
import { snapshotRootOverride } from './testHooks';

/** Samples kept per guest in watch mode (auto-refresh); older ones fall off. */
const MAX_HISTORY = 120;

/** The outcome of one check: a report, or the error; the probe's time and the whole check's. */
export interface CheckFinished { id: string; report: Report | null; error: GuestError | null; probeMs: number; totalMs: number }

export interface CheckOptions {
  /** A watch-mode sample: kept for the trend. One-off checks report no trend, like balloon-check without --watch. */
  watch?: boolean;
  /** SSH: add the host's unknown key to known_hosts (the user confirmed its fingerprint). */
  acceptNewHostKey?: boolean;
}

/** Passphrases and passwords for SSH keys, asked in an input box; never stored. */
export const INPUT_BOX_PROMPTER = {
  available: () => true,
  ask: async (question: string, options: { echo: boolean }): Promise<string | null> =>
    (await vscode.window.showInputBox({ title: vscode.l10n.t('Balloon Inspector: SSH'), prompt: question.trim(), password: !options.echo, ignoreFocusOut: true })) ?? null,
};

/** The SSH settings of this window, for a probe or a runbook terminal: assembled here only. */
export function sshSettings(acceptNewHostKey = false): SshTransportSettings {
  const config = settings();
  return { configFile: config.sshConfigFile, prompter: INPUT_BOX_PROMPTER, acceptNewHostKey, probeTimeoutSeconds: config.probeTimeoutSeconds };
}

export function settings() {
  const config = vscode.workspace.getConfiguration('balloonInspector');
  const sshConfigFile = config.get<string>('sshConfigFile', '').trim();
  return {
    autoRefreshSeconds: Math.max(0, config.get<number>('autoRefreshSeconds', 0) || 0),
    sshConfigFile: sshConfigFile || undefined,
    sshHosts: (config.get<unknown[]>('sshHosts', []) ?? []).filter((host): host is string => typeof host === 'string'),
    probeTimeoutSeconds: Math.min(Math.max(config.get<number>('probeTimeoutSeconds', 30) || 30, 2), 600),
    useSudo: config.get<boolean>('useSudo', false) === true,
  };
}

/** The guests of this window, their last reports, and the checks that fill them. */
export class GuestManager implements vscode.Disposable {
  readonly window: WindowGuest;
  private readonly states = new Map<string, GuestState>();
  private readonly history = new Map<string, Sample[]>();
  private readonly running = new Map<string, Promise<Report | null>>();
  /** The probe output behind each guest's last report (an evidence bundle carries it). */
  private readonly outputs = new Map<string, string>();
  /** Each guest's last report as JSON gives it: findings in English whatever the display language (the tree's are in it). */
  private readonly neutral = new Map<string, Report>();
  private hostsLoaded = false;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a guest id, or undefined when the list itself changed. */
  readonly onDidChange = this.changed.event;
  private readonly checkFinished = new vscode.EventEmitter<CheckFinished>();
  /** Fires at the end of each check, with its outcome and timings. */
  readonly onDidFinishCheck = this.checkFinished.event;
  /** Guest the runbook lenses run on: the window's, until the user picks another in the tree. */
  runTargetId = WINDOW_GUEST_ID;

  constructor() {
    // A window whose extension host is not on Linux (a Windows or macOS desktop) is not a guest: no node of its own.
    const own = windowGuest(vscode.env.remoteName, hostname(), process.platform);
    this.window = own ?? describeWindow(vscode.env.remoteName, hostname());
    // The empty view's welcome text tells such a window's user to add an SSH host (package.json viewsWelcome).
    if (!own) void vscode.commands.executeCommand('setContext', 'balloonInspector.windowNotAGuest', true);
    if (own) {
      this.states.set(WINDOW_GUEST_ID, {
        id: WINDOW_GUEST_ID, label: own.label, description: own.description, source: 'window',
        checking: false, report: null, error: null, checkedAt: null,
      });
    }
  }

  dispose(): void {
    this.changed.dispose();
    this.checkFinished.dispose();
  }

  get(id: string): GuestState | undefined {
    return this.states.get(id);
  }

  /** Guests in tree order: this window's first. Hosts are read at first call, not at activation. */
  list(): GuestState[] {
    // The first read is not a change: nothing has shown the list yet (a change event would make the view fetch it again,
    // and VS Code holds a tree refresh that follows another within 200 ms).
    if (!this.hostsLoaded) this.loadHosts();
    return [...this.states.values()];
  }

  /** Re-reads the SSH config and the added hosts; keeps the reports of hosts still listed. */
  reloadHosts(): void {
    this.loadHosts();
    this.changed.fire(undefined);
  }

  private loadHosts(): void {
    this.hostsLoaded = true;
    const config = settings();
    let configHosts: string[] = [];
    const configPath = config.sshConfigFile ?? join(homedir(), '.ssh', 'config');
    if (this.window.listsSshConfigHosts && (config.sshConfigFile !== undefined || existsSync(configPath))) {
      try {
        // The config reader is in this bundle (about 40 KB), evaluated at first use: activation does not run it, and the
        // lazy bundle (1.3 MB, 50-250 ms to load) stays off the first check's path.
        const { SshConfig } = require('../transport/ssh-config') as typeof import('../transport/ssh-config');
        configHosts = SshConfig.load(config.sshConfigFile).concreteHosts();
      } catch (error) {
        log().warn(vscode.l10n.t('SSH config {0} not read: {1}', config.sshConfigFile ?? '~/.ssh/config', (error as Error).message));
      }
    }
    const hosts = mergeSshHosts(configHosts, config.sshHosts);
    const own = this.states.get(WINDOW_GUEST_ID);
    const keep = new Map<string, GuestState>(own ? [[WINDOW_GUEST_ID, own]] : []);
    for (const host of hosts) {
      const id = `${SSH_GUEST_PREFIX}${host.alias}`;
      const old = this.states.get(id);
      keep.set(id, old ? { ...old, source: host.source } : {
        id, label: host.alias, description: host.source === 'added' ? vscode.l10n.t('SSH (added)') : 'SSH', source: host.source,
        checking: false, report: null, error: null, checkedAt: null,
      });
    }
    // Opened sos reports stay, after the SSH hosts.
    for (const [id, state] of this.states) if (state.source === 'sosreport') keep.set(id, state);
    this.states.clear();
    for (const [id, state] of keep) this.states.set(id, state);
  }

  /** Watch-mode samples of a guest as trend points (empty when not watching). */
  trendPoints(id: string): TrendPoint[] {
    return (this.history.get(id) ?? []).map((sample) => ({ at: sample.at.toISOString(), balloonBytes: sample.facts.balloon.currentBytes }));
  }

  clearHistory(): void {
    this.history.clear();
  }

  /** Adds a guest, or replaces it (a sosreport guest once named after its host). */
  putGuest(state: GuestState): void {
    this.states.set(state.id, state);
    this.changed.fire(undefined);
  }

  /** A guest's last report for JSON (Copy Report as JSON, evidence bundles): language-neutral, as balloon-check --format json. */
  jsonReport(id: string): Report | null {
    const shown = this.states.get(id)?.report ?? null;
    return shown ? this.neutral.get(id) ?? shown : null;
  }

  /** Removes a guest other than the window's (a sosreport closed). */
  removeGuest(id: string): void {
    if (id === WINDOW_GUEST_ID || !this.states.delete(id)) return;
    this.outputs.delete(id);
    this.neutral.delete(id);
    this.history.delete(id);
    this.changed.fire(undefined);
  }

  /** The probe output behind a guest's report, exactly as analysed. */
  lastOutput(id: string): string | undefined {
    return this.states.get(id)?.report ? this.outputs.get(id) : undefined;
  }

  private transportFor(guest: GuestState, options: CheckOptions): Transport {
    const sos = guest.source === 'sosreport' ? sosPathOf(guest.id) : undefined;
    if (sos) return loadLazy().createSosreportTransport(sos);
    if (guest.source === 'window') {
      return new LocalTransport({ root: snapshotRootOverride() });
    }
    return loadLazy().createSshTransport(guest.id.slice(SSH_GUEST_PREFIX.length), sshSettings(options.acceptNewHostKey === true));
  }

  /** The check of a guest that is running now (it resolves after the guest's state has its result), if any. */
  runningCheck(id: string): Promise<Report | null> | undefined {
    return this.running.get(id);
  }

  /** Checks one guest; concurrent calls for the same guest share one run. Never throws. */
  check(id: string, options: CheckOptions = {}): Promise<Report | null> {
    const pending = this.running.get(id);
    if (pending) return pending;
    const run = this.runCheck(id, options).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  private async runCheck(id: string, options: CheckOptions): Promise<Report | null> {
    const guest = this.states.get(id);
    if (!guest) return null;
    const started = performance.now();
    const config = settings();
    this.update(id, { checking: true });
    let transport: Transport | undefined;
    let failure: GuestError | null = null;
    let report: Report | null = null;
    let probeMs = 0;
    const probeSettings: ProbeSettings = { sudo: config.useSudo, toolTimeoutSeconds: Math.max(1, Math.min(5, config.probeTimeoutSeconds / 3)) };
    // SSH bounds itself (connect and probe timeouts that pause while a passphrase is asked); the local probe gets a deadline here.
    const controller = new AbortController();
    const timer = guest.source === 'window' ? setTimeout(() => controller.abort(), config.probeTimeoutSeconds * 1000) : undefined;
    const signal = controller.signal;
    try {
      transport = this.transportFor(guest, options);
      const probeStart = performance.now();
      const output = await transport.runProbe(probeSettings, signal);
      probeMs = performance.now() - probeStart;
      const at = collectedAtOf(transport) ?? new Date();
      // A sos report is one moment: no trend.
      const watch = options.watch === true && guest.source !== 'sosreport';
      const history = watch ? this.history.get(id) ?? [] : [];
      const analysis = analyzeProbeOutput(output, transport.target, at, history);
      if (analysis.ok) {
        // The tree, status bar and report page word the findings in the display language; JSON keeps English.
        report = localizeReport(analysis.report, analysis.facts, displayLang());
        this.neutral.set(id, analysis.report);
        this.outputs.set(id, output);
        if (watch) this.history.set(id, [...history, { at, facts: analysis.facts }].slice(-MAX_HISTORY));
      } else failure = { kind: 'bad-output', message: analysis.reason };
    } catch (error) {
      if (signal.aborted) failure = { kind: 'timeout', message: vscode.l10n.t('the check took longer than {0} s (setting balloonInspector.probeTimeoutSeconds)', config.probeTimeoutSeconds) };
      else if (error instanceof ProbeError) failure = { kind: error.kind, message: error.message };
      else failure = { kind: 'other', message: (error as Error)?.message ?? String(error) };
    } finally {
      clearTimeout(timer);
      transport?.dispose?.();
    }
    const totalMs = performance.now() - started;
    if (report) {
      this.update(id, { checking: false, report, error: null, checkedAt: Date.now() });
      log().info(vscode.l10n.t('{0}: {1}, {2} finding(s), probe {3} ms, total {4} ms', guest.label, report.status.toUpperCase(), report.findings.length, probeMs.toFixed(0), totalMs.toFixed(0)));
    } else {
      this.update(id, { checking: false, error: failure, checkedAt: Date.now() });
      log().error(vscode.l10n.t('{0}: could not check ({1}): {2}', guest.label, failure?.kind ?? '', failure?.message ?? ''));
    }
    this.checkFinished.fire({ id, report, error: failure, probeMs, totalMs });
    return report;
  }

  private update(id: string, patch: Partial<GuestState>): void {
    const guest = this.states.get(id);
    if (!guest) return;
    this.states.set(id, { ...guest, ...patch });
    this.changed.fire(id);
  }

  /** All reports in tree order (guests never checked or failing are left out). */
  reports(): Report[] {
    return this.list().map((guest) => guest.report).filter((report): report is Report => report !== null);
  }
}

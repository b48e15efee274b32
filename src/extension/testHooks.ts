import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Report } from '../core/report';
import type { CheckFinished, GuestManager } from './guests';
import type { GuestError, TreeNode } from './model/tree';
import type { GuestTreeProvider } from './treeView';

/**
 * Everything tests and benchmarks read from the extension, in one place. Nothing here runs unless
 * BALLOON_INSPECTOR_LOG_DIR is set (the real-VS-Code lane and bench:extension set it), except the
 * snapshot-root override, which the lane's fixture guests use.
 * - activated.json: activation time, split into the bundle load and our activate() call.
 * - last-check.json: the last check, its timings, and (once the tree drew its verdict) commandToTreeMs.
 */

const logDir = () => process.env.BALLOON_INSPECTOR_LOG_DIR || undefined;

function writeHookFile(name: 'activated.json' | 'last-check.json', data: unknown): void {
  const dir = logDir();
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), `${JSON.stringify(data, null, 2)}\n`);
  } catch {
    // A test hook must never break the extension.
  }
}

/** Tests and demos only: this window's guest probes a snapshot root instead of /. */
export function snapshotRootOverride(): string | undefined {
  return process.env.BALLOON_INSPECTOR_ROOT || undefined;
}

/** last-check.json, one shape whichever moment writes it. */
interface LastCheck {
  guestId: string;
  label: string | undefined;
  ok: boolean;
  status: string;
  error: GuestError | null;
  /** The probe alone, and the request → report ready. */
  probeMs: number;
  reportMs: number;
  finishedAt: string;
  /** Request → the tree served the guest's verdict; present once the tree drew it. */
  commandToTreeMs?: number;
  report: Report | null;
}

/**
 * Times each check from the request to the report and to the tree serving its verdict. Wraps
 * GuestManager.check and GuestTreeProvider.getChildren from outside, only when the log directory is set.
 */
export function instrumentChecks(guests: GuestManager, tree: GuestTreeProvider): { dispose(): void } | undefined {
  if (!logDir()) return undefined;
  const requested = new Map<string, number>();
  const finished = new Map<string, LastCheck>();
  const check = guests.check.bind(guests);
  guests.check = (id, options) => {
    requested.set(id, performance.now());
    // Until this check finishes, a verdict the tree serves is the previous check's (a re-check keeps it while it runs).
    finished.delete(id);
    return check(id, options);
  };
  const subscription = guests.onDidFinishCheck((done: CheckFinished) => {
    const record: LastCheck = {
      guestId: done.id, label: guests.get(done.id)?.label, ok: done.report !== null, status: done.report?.status ?? 'unknown', error: done.error,
      probeMs: done.probeMs, reportMs: done.totalMs, finishedAt: new Date().toISOString(), report: done.report,
    };
    finished.set(done.id, record);
    writeHookFile('last-check.json', record);
  });
  const getChildren = tree.getChildren.bind(tree);
  const served = (element: TreeNode | undefined, children: TreeNode[]) => {
    if (element?.kind === 'guest' && children.some((child) => child.kind === 'verdict')) {
      const start = requested.get(element.guestId);
      const record = finished.get(element.guestId);
      if (start !== undefined && record) {
        requested.delete(element.guestId);
        writeHookFile('last-check.json', { ...record, commandToTreeMs: performance.now() - start });
      }
    }
    return children;
  };
  // A guest being checked answers when its check ends (a promise).
  tree.getChildren = (element) => {
    const children = getChildren(element);
    return Array.isArray(children) ? served(element, children) : children.then((rows) => served(element, rows));
  };
  return subscription;
}

/** Marks phases of activate() and writes activated.json at its end. */
export class ActivationTimer {
  private readonly start = performance.now();
  private readonly phases: Record<string, number> = {};

  /** @param loadStart when the bundle started loading; @param moduleLoaded when it finished; @param vscodeLoaded after require('vscode'). */
  constructor(private readonly loadStart: number, private readonly moduleLoaded: number, private readonly vscodeLoaded: number) {}

  mark(name: string): void {
    if (logDir()) this.phases[name] = performance.now() - this.start;
  }

  /** performance.now() span from bundle load to now (the end of activate()). */
  finish(details: Record<string, unknown>): number {
    const now = performance.now();
    const activationMs = now - this.loadStart;
    writeHookFile('activated.json', {
      activationMs,
      // Ours alone: evaluating the bundle plus the activate() call. activationMs also holds the extension
      // host's own work between the two (it builds the ExtensionContext, storage included).
      ownMs: (this.moduleLoaded - this.loadStart) + (now - this.start),
      moduleLoadMs: this.moduleLoaded - this.loadStart, vscodeRequireMs: this.vscodeLoaded - this.loadStart, activateCallMs: now - this.start, phases: this.phases,
      ...details, at: new Date().toISOString(),
    });
    return activationMs;
  }
}

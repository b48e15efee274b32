import * as vscode from 'vscode';
import { log } from '../log';

export type Handler = (...args: unknown[]) => unknown;

/** A command whose failure is logged and shown, never thrown at VS Code. */
export function guarded(id: string, handler: Handler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      log().error(vscode.l10n.t('{0} failed: {1}', id, (error as Error)?.stack ?? String(error)));
      void vscode.window.showErrorMessage(`Balloon Inspector: ${(error as Error)?.message ?? String(error)}`);
      return undefined;
    }
  });
}

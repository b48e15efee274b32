import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "Balloon Inspector" log channel, made at first use so activation stays cheap. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Balloon Inspector', { log: true });
  return channel;
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}

import 'vscode';

/** Imported second by extension.ts: the extension host builds this extension's API object on first require. */
export const VSCODE_LOADED = performance.now();

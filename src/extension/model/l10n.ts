/**
 * vscode-free: the translator of the extension's plain models (tree, quick pick, runbook lenses, window label).
 *
 * `l10n.t` has the shape of `vscode.l10n.t` (message with `{0}`, `{1}`… placeholders, then their values). activate()
 * hands it `vscode.l10n.t`, which looks the message up in l10n/bundle.l10n.<language>.json; until then, and in
 * the unit tests (plain Node), it fills the placeholders of the English message. scripts/l10n-export.mjs extracts
 * the messages of these calls with @vscode/l10n-dev, the same as the `vscode.l10n.t` calls of the other files.
 */

export type L10nArg = string | number | boolean;
export type Translate = (message: string, ...args: L10nArg[]) => string;

/** `{0}`, `{1}`… replaced by the arguments, as vscode.l10n.t does for a message with no translation. */
export function formatMessage(message: string, args: readonly L10nArg[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole));
}

let translate: Translate = (message, ...args) => formatMessage(message, args);

export const l10n = {
  t: (message: string, ...args: L10nArg[]): string => translate(message, ...args),
};

/** activate(): `vscode.l10n.t`. Tests: a fake translator (and `undefined` to go back to English). */
export function setTranslator(translator: Translate | undefined): void {
  translate = translator ?? ((message, ...args) => formatMessage(message, args));
}

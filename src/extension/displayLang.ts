import * as vscode from 'vscode';
import { langFromLocale, type Lang } from '../shared/i18n';

/**
 * The language of VS Code's display ('es' for a Spanish window: `vscode.env.language`), as the product speaks it.
 * The tree, the status bar and the report page's figures and findings follow it; our own strings follow it too,
 * through vscode.l10n (l10n/bundle.l10n.<language>.json). English for any language the product does not speak.
 */
export function displayLang(): Lang {
  return langFromLocale(vscode.env.language);
}

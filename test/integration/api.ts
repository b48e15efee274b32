// The test API the extension's activate() returns (src/extension/extension.ts BalloonInspectorApi), and
// helpers to read it. Only types come from src/; the suite checks the running extension's behaviour.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Report } from '../../src/core/report';

/** A tree item as plain data. */
export interface PlainTreeItem {
  id?: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconId?: string;
  children?: PlainTreeItem[];
}

export interface BalloonInspectorApi {
  checkNow(which?: 'current' | 'all'): Promise<Report[]>;
  guests(): PlainTreeItem[] | Promise<PlainTreeItem[]>;
  rowsOf(guestId: string): Promise<PlainTreeItem[]>;
  version: string;
}

export const EXTENSION_ID = 'balloon-inspector.balloon-inspector';

/** What a user reads on one row: label and description. */
export const rowText = (item: PlainTreeItem) => [item.label, item.description].filter(Boolean).join(' ');

export function isApi(value: unknown): value is BalloonInspectorApi {
  const api = value as Partial<BalloonInspectorApi> | undefined;
  return typeof api?.checkNow === 'function' && typeof api.guests === 'function' && typeof api.version === 'string';
}

/** Activates the installed extension and returns it with its test API (every suite starts here). */
export async function activatedApi(): Promise<{ extension: vscode.Extension<unknown>; api: BalloonInspectorApi }> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  const exported: unknown = await extension.activate();
  assert.ok(isApi(exported), 'activate() returned no test API');
  return { extension, api: exported };
}

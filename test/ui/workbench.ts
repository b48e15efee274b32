// Playwright helpers for the VS Code 1.139 web workbench (code-server). Selectors verified against
// code-server 4.139.1 as scripts/e2e-setup.sh installs it; every wait is on a DOM state, never a fixed sleep.
import type { FrameLocator, Page } from 'playwright-core';

export const TIMEOUT = 20_000;

/**
 * Runs a palette command by its full title ("Balloon Inspector: Check Ballooning"). The palette lists
 * the commands known when it opens, and an extension's contributions arrive after the workbench is
 * drawn (the activity bar may already show a container remembered from an earlier window), so it
 * reopens the palette until the command is listed.
 */
export async function runCommand(page: Page, title: string, timeout = TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  const input = page.locator('.quick-input-widget input.input');
  // The row whose label is exactly the title ("View: Close All Editors", not "... in Group").
  const exactly = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly }) }).first();
  for (;;) {
    await openPalette(page);
    await input.fill(`>${title}`);
    const listed = await row.waitFor({ timeout: 1_500 }).then(() => true, () => false);
    if (listed) break;
    if (Date.now() > deadline) throw new Error(`the command palette does not list "${title}" after ${timeout} ms`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
  // Other commands match the same words (Open Report, Open KVM Host Report) and may rank first: pick
  // our row by its own label rather than pressing Enter on whatever the list put on top.
  await row.click();
}

/** Quick-opens a workspace file by name. */
/**
 * Opens the command palette. F1 goes to whatever has focus: inside a webview or a Markdown preview (the
 * report page's article link leaves focus there) the workbench may not see it, so focus the side bar's
 * title and press again.
 */
export async function openPalette(page: Page, timeout = TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  const input = page.locator('.quick-input-widget input.input');
  for (;;) {
    await page.keyboard.press('F1');
    if (await input.waitFor({ timeout: 1_500 }).then(() => true, () => false)) return;
    if (Date.now() > deadline) throw new Error(`the command palette did not open after ${timeout} ms`);
    await page.locator('.part.sidebar .composite.title').first().click({ position: { x: 4, y: 4 } }).catch(() => undefined);
  }
}

export async function openFile(page: Page, name: string): Promise<void> {
  await openPalette(page);
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: TIMEOUT });
}

/** The rows of the Guests view: label and description as one line each. */
/** Rows of our Guests view (scoped to its view container, so no other side-bar tree can match). */
export const GUEST_ROWS = '.part.sidebar [id="workbench.view.extension.balloonInspector"] .monaco-list-row';

export async function sideBarRows(page: Page): Promise<string[]> {
  return page.locator(GUEST_ROWS).evaluateAll((rows) => rows.map((row) => {
    const label = row.querySelector('.label-name')?.textContent ?? '';
    const description = row.querySelector('.label-description')?.textContent ?? '';
    return `${label} ${description}`.trim();
  }));
}

export async function waitForSideBarRow(page: Page, pattern: RegExp, timeout = TIMEOUT): Promise<string> {
  const deadline = Date.now() + timeout;
  let rows: string[] = [];
  while (Date.now() < deadline) {
    rows = await sideBarRows(page);
    const found = rows.find((row) => pattern.test(row));
    if (found) return found;
    await page.waitForTimeout(100);
  }
  throw new Error(`no side-bar row matches ${pattern}; rows: ${JSON.stringify(rows)}`);
}

/** The content frame of the active webview (two nested iframes). */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Code-lens texts shown in the active editor. */
export async function codeLensTitles(page: Page): Promise<string[]> {
  return page.locator('.monaco-editor .codelens-decoration a').evaluateAll((links) => links.map((link) => link.textContent?.trim() ?? ''));
}

/** The integrated terminal's visible text (DOM renderer rows, or the accessibility tree). */
export async function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    for (const rows of Array.from(document.querySelectorAll('.terminal-wrapper .xterm-rows, .terminal-wrapper .xterm-accessibility-tree'))) {
      parts.push(Array.from(rows.children).map((row) => row.textContent ?? '').join('\n'));
    }
    return parts.join('\n');
  });
}

export async function waitForTerminalText(page: Page, pattern: RegExp, timeout = TIMEOUT): Promise<string> {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(150);
  }
  throw new Error(`terminal never showed ${pattern}; it shows:\n${text.slice(-1500)}`);
}

/** Drags the side bar's edge so tree rows are not cut off (for screenshots). */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/** Scrolls the active editor until its first code lens sits near the top (for screenshots). */
export async function scrollFirstLensToTop(page: Page): Promise<void> {
  const editor = await page.locator('.part.editor .monaco-editor').first().boundingBox();
  if (!editor) return;
  await page.mouse.move(editor.x + editor.width / 2, editor.y + editor.height / 2);
  for (let step = 0; step < 40; step++) {
    const lens = await page.locator('.monaco-editor .codelens-decoration').first().boundingBox();
    if (lens && lens.y < editor.y + 140) return;
    // No box: the lens is below the fold, where Monaco does not draw it yet.
    await page.mouse.wheel(0, lens ? Math.min(lens.y - editor.y - 100, 200) : 200);
    await page.waitForTimeout(50);
  }
}

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { build } from 'esbuild';
import { analyzeProbeOutput } from '../../src/core/report';
import { articlesFor, knowledgeBase, runbooksForFinding } from '../../src/extension/lazy';
import { reportPageHtml } from '../../src/extension/reportPage';
import type { ReportViewModel, ToExtension } from '../../src/shared/protocol';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';
import { requireCommand, ROOT } from '../helpers/system';

// The report page's own script (webview/main.ts, bundled as for the VSIX) in real Chromium, inside the HTML
// and CSP the extension ships (reportPageHtml): drawing, messages both ways, state kept with setState, and
// the policy itself: nonce-only scripts, an injected inline script or eval refused.

/** The CSP of a page's meta tag, directive name -> its sources. */
function metaPolicy(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, 'the page declares its CSP in a meta tag');
  return new Map(content.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

test('the shipped CSP: nothing by default, scripts only by the nonce the page script carries, resources only from the webview', () => {
  const origin = 'https://file+.vscode-resource.vscode-cdn.net';
  const html = reportPageHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/dist/webview.css`, guestId: 'this', label: 'x" onload="alert(1)' });
  const nonce = /<script nonce="([^"]+)" src=/.exec(html)?.[1];
  assert.ok(nonce && nonce.length >= 16, 'the page script carries a nonce of at least 128 bits');
  assert.deepEqual(Object.fromEntries(metaPolicy(html)), {
    'default-src': ["'none'"],
    'img-src': [origin],
    'style-src': [origin, `'nonce-${nonce}'`],
    'font-src': [origin],
    'script-src': [`'nonce-${nonce}'`],
  });
  assert.equal(html.match(/<script\b/g)?.length, 1, 'one script element: the bundled page script');
  assert.notEqual(reportPageHtml({ cspSource: origin, scriptUri: 's', styleUri: 'c', guestId: 'g', label: 'l' }).match(/nonce-([^']+)/)?.[1], nonce, 'a fresh nonce per page');
  assert.ok(!html.includes('onload="alert'), 'the label cannot add an attribute');
});

function seedModel(): ReportViewModel {
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'local', name: 'db-prod-07' }, new Date('2025-01-02T03:04:05Z'));
  assert.ok(analysis.ok);
  const kb = knowledgeBase(ROOT);
  const runbooks: ReportViewModel['runbooks'] = {};
  for (const finding of analysis.report.findings) runbooks[finding.id] = runbooksForFinding(kb, finding, 'vmware');
  return { guestId: 'this', guestLabel: 'This machine', report: analysis.report, articles: articlesFor(kb, analysis.report), runbooks, trend: [] };
}

async function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const name = (request.url ?? '/').split('?')[0] === '/' ? 'index.html' : (request.url ?? '').slice(1);
    try {
      const body = readFileSync(join(dir, name.replace(/[^\w.-]/g, '')));
      response.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

test('the report page in Chromium: draws from messages, posts typed messages, survives a reload from its state, no CSP violation', async (t) => {
  const chromium = requireCommand(t, 'chromium', 'chromium');
  if (!chromium) return;
  const dir = mkdtempSync(join(tmpdir(), 'bi-webview-'));
  await build({ entryPoints: [join(ROOT, 'webview/main.ts')], outfile: join(dir, 'webview.js'), bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'error' });
  writeFileSync(join(dir, 'webview.css'), readFileSync(join(ROOT, 'webview/main.css')));
  const { server, origin } = await serve(dir);
  // The extension's page exactly as reportPanel.ts builds it; only acquireVsCodeApi (which VS Code's webview host
  // defines) is stood in for, through an init script that no page CSP applies to.
  const html = reportPageHtml({ cspSource: origin, scriptUri: `${origin}/webview.js`, styleUri: `${origin}/webview.css`, guestId: 'this', label: 'This machine' });
  writeFileSync(join(dir, 'index.html'), html);

  const { chromium: playwright } = await import('playwright-core');
  const browser = await playwright.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    // A string, not a function: tsx's compiled functions may call helpers that do not exist in the page.
    await page.addInitScript(`
window.__posted = []; window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));
window.acquireVsCodeApi = () => ({
  postMessage: (message) => window.__posted.push(message),
  getState: () => JSON.parse(sessionStorage.getItem('state') || 'null') || undefined,
  setState: (state) => sessionStorage.setItem('state', JSON.stringify(state)),
});`);
    await page.goto(`${origin}/`);
    const posted = () => page.evaluate(() => (window as unknown as { __posted: ToExtension[] }).__posted);
    assert.deepEqual(await posted(), [{ type: 'ready', guestId: 'this' }], 'the page says it is ready');

    const model = seedModel();
    await page.evaluate((message) => window.postMessage(message, '*'), { type: 'show', model, focusFindingId: 'limit-below-configured' });
    await page.locator('svg#memory-chart').waitFor();
    assert.equal(await page.locator('h1').first().textContent(), 'This machine');
    assert.deepEqual(await page.locator('section.finding').evaluateAll((sections) => sections.map((section) => section.getAttribute('data-finding-id'))),
      model.report.findings.map((finding) => finding.id));
    assert.equal(await page.locator('section.finding.focused').getAttribute('data-finding-id'), 'limit-below-configured');
    assert.equal(await page.evaluate(() => customElements.get('vscode-button') !== undefined && customElements.get('vscode-collapsible') !== undefined), true, 'vscode-elements are defined');

    // Messages the page posts, each one the extension's guard accepts.
    await page.locator('vscode-button[data-action="check"]').click();
    await page.locator('vscode-button[data-action="copy-json"]').click();
    await page.locator('section.finding a[data-runbook]').first().click();
    const messages = (await posted()).slice(1);
    assert.deepEqual(messages.slice(0, 2), [{ type: 'checkAgain', guestId: 'this' }, { type: 'copy', guestId: 'this', format: 'json' }]);
    assert.equal(messages[2]?.type, 'openRunbook');

    // Foreign or malformed messages are ignored; "checking" shows the banner.
    await page.evaluate(() => { window.postMessage({ type: 'eval', code: 'document.body.remove()' }, '*'); window.postMessage({ type: 'checking', guestId: 'this' }, '*'); });
    await page.locator('.checking:not([hidden])').waitFor();
    assert.equal(await page.locator('svg#memory-chart').count(), 1);

    // A hidden-then-shown webview starts from scratch: it redraws from getState before any message.
    await page.reload();
    await page.locator('svg#memory-chart').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('section.finding').count(), model.report.findings.length);

    const violations = () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(await violations(), [], 'no CSP violation by the page itself');

    // What the policy is for: an inline script that got into the page (an escaping bug) does not run, nor eval.
    await page.evaluate(() => {
      const injected = document.createElement('script');
      injected.textContent = 'window.__injectedRan = true';
      document.body.append(injected);
    });
    await page.waitForFunction('window.__violations.length > 0', undefined, { timeout: 5_000 });
    assert.deepEqual(await violations(), ['script-src-elem inline'], 'the injected script is reported as a script-src violation');
    assert.equal(await page.evaluate('window.__injectedRan'), undefined, 'the injected script did not run');
    // A string timer is eval; it runs outside devtools' evaluate (which CSP exempts), so the page's policy decides.
    await page.evaluate('setTimeout("window.__timerRan = true", 0)');
    await page.waitForFunction('window.__violations.length > 1', undefined, { timeout: 5_000 });
    assert.deepEqual((await violations()).slice(1), ['script-src eval'], 'a string timer is reported as an eval violation');
    assert.equal(await page.evaluate('window.__timerRan'), undefined, 'the string timer did not run');
    assert.equal(await page.locator('section.finding').count(), model.report.findings.length, 'the page still draws');
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The report page. Runs in the webview under a strict CSP (nonce script, no inline styles).
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import { fillText, PAGE_TEXT_EN, type PageText } from '../src/shared/pageText';
import { isToWebview, type ToExtension, type ToWebview, type WebviewState } from '../src/shared/protocol';
import { renderEmptyPage, renderReportPage } from './render';

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
const initialGuest = app.dataset.guestId ?? null;
const initialLabel = app.dataset.guestLabel ?? '';

/** The shell's words (reportPage.ts writes them in the display language), for the page before a model arrives. */
function shellText(): PageText {
  try {
    const parsed: unknown = JSON.parse(app.dataset.text ?? '');
    return parsed && typeof parsed === 'object' ? { ...PAGE_TEXT_EN, ...(parsed as Partial<PageText>) } : PAGE_TEXT_EN;
  } catch {
    return PAGE_TEXT_EN;
  }
}
const initialText = shellText();
/** The words of the last model, else the shell's. */
const text = (): PageText => state.model?.text ?? initialText;

let state: WebviewState = vscode.getState() ?? { guestId: initialGuest ?? '', model: null };
const post = (message: ToExtension) => vscode.postMessage(message);

function setChecking(checking: boolean): void {
  for (const element of document.querySelectorAll<HTMLElement>('.checking')) element.hidden = !checking;
  document.body.classList.toggle('is-checking', checking);
}

function draw(focusFindingId?: string): void {
  if (state.model) app.innerHTML = renderReportPage(state.model).html;
  else app.innerHTML = renderEmptyPage(initialLabel, text().notChecked, text()).html;
  if (focusFindingId) {
    const section = document.querySelector<HTMLElement>(`section.finding[data-finding-id="${CSS.escape(focusFindingId)}"]`);
    section?.querySelector('vscode-collapsible')?.setAttribute('open', '');
    section?.scrollIntoView({ block: 'start' });
    section?.classList.add('focused');
  }
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'show':
      state = { guestId: message.model.guestId, model: message.model };
      vscode.setState(state);
      draw(message.focusFindingId);
      setChecking(false);
      break;
    case 'checking':
      if (message.guestId === state.guestId) setChecking(true);
      break;
    case 'error':
      if (message.guestId !== state.guestId) break;
      setChecking(false);
      if (!state.model) app.innerHTML = renderEmptyPage(initialLabel, fillText(text().couldNotCheck, message.message), text()).html;
      break;
    default: {
      const unreachable: never = message;
      void unreachable;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebview(event.data)) handle(event.data);
});

document.addEventListener('click', (event) => {
  const target = event.target as Element | null;
  const guestId = state.guestId;
  const action = target?.closest<HTMLElement>('[data-action]')?.dataset.action;
  if (action) {
    if (action === 'check') post({ type: 'checkAgain', guestId });
    else if (action === 'copy-markdown') post({ type: 'copy', guestId, format: 'markdown' });
    else if (action === 'copy-json') post({ type: 'copy', guestId, format: 'json' });
    return;
  }
  const link = target?.closest<HTMLAnchorElement>('a');
  if (!link) return;
  // Knowledge links are `runbook:ID` / `article:ID` with data-kb-kind and data-kb-id (src/knowledge/render.ts).
  const runbookId = link.dataset.runbook ?? (link.dataset.kbKind === 'runbook' ? link.dataset.kbId : undefined);
  if (runbookId) {
    event.preventDefault();
    post({ type: 'openRunbook', guestId, runbookId });
    return;
  }
  const href = link.getAttribute('href') ?? '';
  const articleId = link.dataset.article ?? (link.dataset.kbKind === 'article' ? link.dataset.kbId : undefined) ?? (/^#article-([a-z0-9-]+)$/.exec(href)?.[1]);
  if (articleId) {
    event.preventDefault();
    const block = document.querySelector(`[data-article-id="${CSS.escape(articleId)}"]`);
    if (block) {
      block.setAttribute('open', '');
      block.scrollIntoView({ block: 'start' });
    } else post({ type: 'openArticle', articleId });
  }
});

draw();
post({ type: 'ready', guestId: state.guestId || initialGuest });

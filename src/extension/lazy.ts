/**
 * Everything heavy the extension needs (markdown-it, highlight.js, ssh-config, ssh2, tar), as its
 * own bundle dist/extension-lazy.js: loaded at first use, never at activation. vscode-free.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../core/report';
import type { Finding } from '../core/rules';
import { getKnowledgeBase, isEnglishOnly, parseRunbookBlocks, renderArticleHtml, translationDir, type KnowledgeBase, type KnowledgeDoc } from '../knowledge';
import { unpackArticles } from '../knowledge/pack';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { sshTransport, type SshSettings } from '../transport/ssh-factory';
import { SshCredentials } from '../transport/ssh-auth';
import { SshConfig } from '../transport/ssh-config';
import { SosreportTransport } from '../transport/sosreport-check';
import { ProbeError, type Transport } from '../transport/transport';
import type { RunnableBlock } from './model/runbook';
import { l10n } from './model/l10n';
import type { ArticleView, RunbookLink } from '../shared/protocol';
import type { Lang } from '../shared/i18n';

/** This bundle's own copy of the models' translator, set by lazyLoader.ts to the main bundle's (vscode.l10n.t). */
export { setTranslator } from './model/l10n';

/** The KVM host view through virsh (the Host node of the Guests tree): here, with ssh2, because it can run over SSH. */
export { readHostView } from '../transport/libvirt';

/** The shipped knowledge base in `lang` (knowledge/es/ for Spanish; a document without a translation stays English). */
export function knowledgeBase(extensionPath: string, lang: Lang = 'en'): KnowledgeBase {
  return getKnowledgeBase(join(extensionPath, 'knowledge'), lang);
}

let unpackedCopy: string | undefined;

/**
 * The .md file of an article, to open in the editor. The VSIX ships its articles packed (knowledge/pack.ts):
 * they are written back into the extension's knowledge/ folder at first need, as shipped, so the file's
 * links to other articles and to runbooks/ work; a read-only install gets a private copy of the articles
 * in a temporary folder instead (its runbooks/ links then lead nowhere).
 */
export function articleFile(extensionPath: string, lang: Lang, id: string): string | null {
  const kb = knowledgeBase(extensionPath, lang);
  const doc = kb.articles.get(id);
  if (!doc) return null;
  if (doc.path) return doc.path;
  const root = join(extensionPath, 'knowledge');
  const translated = lang !== 'en' && !isEnglishOnly(kb, 'article', id);
  let base = root;
  try {
    unpackArticles(root);
    if (translated) unpackArticles(translationDir(root, lang));
  } catch {
    unpackedCopy ??= mkdtempSync(join(tmpdir(), 'balloon-inspector-knowledge-'));
    base = unpackedCopy;
    unpackArticles(root, base);
    if (translated) unpackArticles(translationDir(root, lang), translationDir(base, lang));
  }
  const file = join(translated ? translationDir(base, lang) : base, `${id}.md`);
  return existsSync(file) ? file : null;
}

/** The runnable blocks of a Markdown text, as the code lenses need them. */
export function runnableBlocks(text: string): RunnableBlock[] {
  return parseRunbookBlocks(text).map((block) => ({
    line: block.startLine,
    code: block.command,
    root: block.attributes.root,
    mutates: block.attributes.mutates,
    name: block.attributes.name ? l10n.t('step "{0}"', block.attributes.name) : l10n.t('step {0}', block.index + 1),
  }));
}

export function articleView(kb: KnowledgeBase, id: string): ArticleView | null {
  const doc = kb.articles.get(id);
  if (!doc) return null;
  // Title at h4: the report page puts articles under its h3 finding titles.
  const view: ArticleView = { id: doc.id, title: doc.title, summary: doc.summary, html: renderArticleHtml(doc, kb, 4), sources: doc.sources };
  // A knowledge base in another language without this article's translation shows the English one, and says so.
  if (isEnglishOnly(kb, 'article', id)) view.englishOnly = true;
  return view;
}

/** Article views for every article a report's findings cite. */
export function articlesFor(kb: KnowledgeBase, report: Report): Record<string, ArticleView> {
  const out: Record<string, ArticleView> = {};
  for (const id of new Set(report.findings.flatMap((finding) => finding.articles))) {
    const view = articleView(kb, id);
    if (view) out[id] = view;
  }
  return out;
}

const RUNBOOK_LINK = /(?:\]\(\s*(?:runbook:|(?:\.\.\/|\.\/)?runbooks\/)([a-z0-9][a-z0-9-]*)(?:\.md)?)/g;

/** Runbook ids an article's body links to, in order. */
function linkedRunbooks(doc: KnowledgeDoc): string[] {
  return [...doc.body.matchAll(RUNBOOK_LINK)].map((match) => match[1]);
}

/**
 * Runbooks that fit a finding, best first: runbooks naming the finding, runbooks its articles
 * link to, then runbooks for the guest's hypervisor (hypervisor-specific before "any").
 */
export function runbooksForFinding(kb: KnowledgeBase, finding: Pick<Finding, 'id' | 'articles'> | null, hypervisor: string): RunbookLink[] {
  const linked = new Set<string>();
  if (finding) {
    for (const articleId of finding.articles) {
      const article = kb.articles.get(articleId);
      if (article) for (const id of linkedRunbooks(article)) linked.add(id);
    }
  }
  const specific = (doc: KnowledgeDoc) => doc.appliesTo.includes(hypervisor as never);
  const rank = (doc: KnowledgeDoc) => (finding && doc.findings.includes(finding.id) ? 0 : linked.has(doc.id) ? 2 : 4) + (specific(doc) ? 0 : 1);
  // Only runbooks for this guest's hypervisor (or for any): a Hyper-V procedure never fits a VMware guest.
  const fitting = [...kb.runbooks.values()].filter((doc) => specific(doc) || doc.appliesTo.includes('any'));
  const named = finding ? fitting.filter((doc) => doc.findings.includes(finding.id) || linked.has(doc.id)) : [];
  const chosen = named.length ? named : fitting;
  return chosen.map((doc, index) => ({ doc, index })).sort((a, b) => rank(a.doc) - rank(b.doc) || a.index - b.index)
    .map(({ doc }) => ({ id: doc.id, title: doc.title }));
}

export function allRunbooks(kb: KnowledgeBase): { id: string; title: string; summary: string; path: string | null }[] {
  return [...kb.runbooks.values()].map((doc) => ({ id: doc.id, title: doc.title, summary: doc.summary, path: doc.path }));
}

/** Concrete Host names of the SSH config (undefined → ~/.ssh/config, absent is fine). */
export function sshConfigHosts(configFile: string | undefined): string[] {
  return SshConfig.load(configFile).concreteHosts();
}

/** Asks the user for passphrases and passwords (the extension passes an input box). */
export interface PrompterLike {
  available(): boolean;
  ask(question: string, options: { echo: boolean }): Promise<string | null>;
}

// One credential cache per window: a key's passphrase is asked once and kept in memory only (like
// ssh-agent), so watch-mode re-checks of a host need no second prompt.
let credentials: SshCredentials | undefined;

export interface SshTransportSettings {
  configFile: string | undefined;
  prompter: PrompterLike;
  /** Add an unknown host key to known_hosts: only after the user confirmed its fingerprint. */
  acceptNewHostKey: boolean;
  probeTimeoutSeconds: number;
}

/** The window's settings as the transport factory takes them: the SSH config read now, the window's credentials. */
function sshSettings(settings: SshTransportSettings): SshSettings {
  credentials ??= new SshCredentials(settings.prompter);
  return { configFile: settings.configFile, credentials, acceptNewHostKey: settings.acceptNewHostKey, probeTimeoutSeconds: settings.probeTimeoutSeconds };
}

/** A sos report or evidence bundle as a guest's transport (src/transport/sosreport-check.ts, as balloon-check --sosreport). */
export function createSosreportTransport(path: string): Transport {
  return new SosreportTransport(path);
}

/** The bundle balloon-check --collect writes (src/transport/evidence.ts). */
export { writeEvidenceBundle } from '../transport/evidence';

/** The SSH transport (src/transport/ssh.ts) for one host, with the SSH config read now. */
export function createSshTransport(alias: string, settings: SshTransportSettings): Transport {
  return sshTransport(alias, sshSettings(settings));
}

/** What vscode.Pseudoterminal needs, without importing vscode here. */
export interface PseudoterminalLike {
  onDidWrite: (listener: (data: string) => void) => { dispose(): void };
  onDidClose?: (listener: (code: number | void) => void) => { dispose(): void };
  open(initialDimensions: { columns: number; rows: number } | undefined): void;
  close(): void;
  handleInput?(data: string): void;
  setDimensions?(dimensions: { columns: number; rows: number }): void;
}

/** A tiny event, shaped like vscode.Event (this module stays vscode-free). */
function emitter<T>() {
  const listeners = new Set<(value: T) => void>();
  return {
    event: (listener: (value: T) => void) => { listeners.add(listener); return { dispose: () => { listeners.delete(listener); } }; },
    fire: (value: T) => { for (const listener of [...listeners]) listener(value); },
  };
}

const RED = '\x1b[31m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/**
 * An interactive shell on an SSH host, for running runbook steps where the user sees them (sudo
 * asks for its password right there). The connection is the SSH transport's own: same config,
 * ProxyJump hops, known_hosts checks and authentication. Input typed or sent before the shell is
 * up is kept and sent once it is.
 */
export function sshPseudoterminal(alias: string, settings: SshTransportSettings): PseudoterminalLike {
  const write = emitter<string>();
  const closed = emitter<number | void>();
  const pending: string[] = [];
  let stream: ClientChannel | undefined;
  let failed = false;
  let size = { columns: 80, rows: 24 };
  const decoder = new StringDecoder('utf8');
  const errDecoder = new StringDecoder('utf8');

  let done = false;
  let closeConnection: (() => void) | undefined;
  const finish = (code: number | void) => {
    closeConnection?.();
    if (!done) { done = true; closed.fire(code); }
  };

  const connect = async () => {
    const transport = sshTransport(alias, { ...sshSettings(settings), acceptNewHostKey: false });
    // The transport's own connection: ProxyJump hops, host-key checks and authentication exactly as for the probe.
    const connection = await transport.open();
    closeConnection = connection.close;
    if (done) { connection.close(); return; }
    stream = await new Promise<ClientChannel>((resolve, reject) => {
      connection.client.shell({ term: 'xterm-256color', cols: size.columns, rows: size.rows }, (error, channel) => (error ? reject(error) : resolve(channel)));
    });
    stream.on('data', (chunk: Buffer) => write.fire(decoder.write(chunk)));
    stream.stderr.on('data', (chunk: Buffer) => write.fire(errDecoder.write(chunk)));
    let exitCode: number | undefined;
    stream.on('exit', (code: number | null) => { exitCode = code ?? undefined; });
    stream.on('close', () => finish(exitCode));
    connection.client.on('close', () => finish(exitCode));
    for (const data of pending.splice(0)) stream.write(data);
  };

  return {
    onDidWrite: write.event,
    onDidClose: closed.event,
    open(initial) {
      if (initial) size = initial;
      write.fire(`${DIM}${l10n.t('Connecting to {0} over SSH…', alias)}${RESET}\r\n`);
      connect().catch((error: unknown) => {
        failed = true;
        const message = error instanceof ProbeError ? error.message : (error as Error)?.message ?? String(error);
        write.fire(`${RED}${message.replace(/\n/g, '\r\n')}${RESET}\r\n${DIM}${l10n.t('Nothing was run. Press any key to close this terminal.')}${RESET}\r\n`);
      });
    },
    close() {
      done = true; // closed by the user: no close event back
      closeConnection?.();
    },
    handleInput(data) {
      if (failed) { finish(1); return; }
      if (stream) stream.write(data);
      else pending.push(data);
    },
    setDimensions(dimensions) {
      size = dimensions;
      stream?.setWindow(dimensions.rows, dimensions.columns, 0, 0);
    },
  };
}

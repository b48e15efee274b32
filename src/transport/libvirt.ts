/**
 * The KVM host view through libvirt's own client, `virsh` — on this machine or on an SSH host.
 *
 * Contract (stable; the CLI and the VS Code "Host" node call only this):
 *
 *   readHostView({ connect?, transport?, signal?, timeoutSeconds?, lang?, now? }): Promise<HostView>
 *
 * - `connect`: the libvirt URI, as `virsh --connect` takes it (default `qemu:///system`; any URI,
 *   `test:///abs/node.xml` and `qemu+ssh://` included). It is passed to virsh as one shell-quoted word.
 * - `transport`: where virsh runs. Absent or a LocalTransport: this machine. An SshTransport: the SSH host
 *   (one connection, one exec channel `sh -s`, reached exactly as for the guest probe).
 * - `signal` cancels; `timeoutSeconds` (default 30) bounds the whole read. Either kills the virsh process.
 * - `lang` ('en' default, or 'es') words the findings' titles and details; ids, severities and figures are the same.
 * - Never rejects for a host that cannot be read: the view then has `error` (no virsh, no connection,
 *   timeout, SSH failure, unreadable output), `status: 'unknown'` and no domains. A domain that cannot be
 *   read has `status: 'unknown'` and its reason in `unknown`; the others are still reported.
 * - Read-only: virsh runs with `-r` (a read-only connection) and only list/dumpxml/domstats/dommemstat/
 *   nodeinfo/nodememstats/uri are sent. One virsh process, one libvirt connection per view.
 *
 * Renderers: `renderHostText`, `renderHostMarkdown`, `renderHostPrometheus` in src/core/render/host-*.ts;
 * JSON is the HostView itself (host-view.schema.json, `$defs/hostView`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { HostView, HostViewError } from '../core/libvirt/model';
import type { Lang } from '../shared/i18n';
import { buildHostView, hostFilesApply, type HostRead } from '../core/libvirt/view';
import { commandLines, phaseTwo, PHASE_ONE, preambleSections, PROMPT, sessionPreamble, splitAnswers } from '../core/libvirt/session';
import { parseDomstats, parseUuidList } from '../core/libvirt/parsers';
import { SshTransport } from './ssh';
import { MAX_OUTPUT_BYTES, ProbeError, type Transport } from './transport';

export const DEFAULT_LIBVIRT_URI = 'qemu:///system';
export const DEFAULT_HOST_VIEW_TIMEOUT_SECONDS = 30;

export interface HostViewOptions {
  connect?: string;
  /** Language of the findings' titles and details (default English, the JSON contract's words). */
  lang?: Lang;
  transport?: Transport;
  signal?: AbortSignal;
  timeoutSeconds?: number;
  now?: () => Date;
}

/** One running `sh -s`: its pipes and how to end it. */
interface Channel {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves when the process (or channel) is gone. */
  closed: Promise<void>;
  kill(): void;
}

function localChannel(): Channel {
  // detached: the shell (then virsh, which it execs) leads its own process group, killed as a whole.
  const child: ChildProcess = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
  const closed = new Promise<void>((resolve) => { child.once('close', () => resolve()); child.once('error', () => resolve()); });
  child.stdin!.on('error', () => { /* virsh gone: the close tells */ });
  const kill = () => { try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  return { stdin: child.stdin!, stdout: child.stdout!, stderr: child.stderr!, closed, kill };
}

async function sshChannel(transport: SshTransport, signal: AbortSignal): Promise<Channel> {
  const connection = await transport.open(signal);
  return new Promise<Channel>((resolve, reject) => {
    connection.client.exec('sh -s', (error, stream) => {
      if (error) { connection.close(); reject(new ProbeError('other', `${transport.destination}: the server refused to run a command: ${error.message}`)); return; }
      const closed = new Promise<void>((done) => { stream.once('close', () => { connection.close(); done(); }); connection.client.once('close', () => done()); });
      stream.on('error', () => { /* close follows */ });
      resolve({ stdin: stream, stdout: stream, stderr: stream.stderr, closed, kill: () => { stream.destroy(); connection.client.destroy(); } });
    });
  });
}

/**
 * Collects a channel's output and lets the caller wait for a pattern in it. Chunks are kept apart and
 * only the newest text is searched: appending to one big string and searching it would copy all of it
 * per chunk (500 domains' XML comes in thousands of chunks).
 */
class Conversation {
  stderr = '';
  private pending: string[] = [];
  private size = 0;
  /** The last WINDOW characters before the newest chunk, so a marker split across chunks is seen. */
  private window = '';
  private waiter: ((recent: string) => void) | null = null;
  private ended = false;
  private overflow = false;

  constructor(private readonly channel: Channel) {
    // Decoded by the streams, so a character split across two chunks (a domain name in UTF-8) stays whole.
    channel.stdout.setEncoding('utf8');
    channel.stderr.setEncoding('utf8');
    channel.stdout.on('data', (chunk: string) => this.add(chunk));
    channel.stderr.on('data', (chunk: string) => { if (this.stderr.length < 65536) this.stderr += chunk; });
    void channel.closed.then(() => { this.ended = true; this.waiter?.(''); });
  }

  private add(text: string) {
    this.pending.push(text);
    this.size += text.length;
    if (this.size > MAX_OUTPUT_BYTES * 4) { this.overflow = true; this.channel.kill(); }
    const recent = this.window + text;
    this.window = recent.slice(-WINDOW);
    this.waiter?.(recent);
  }

  /** Everything that came since the last take. */
  take(): string {
    const text = this.pending.join('');
    this.pending = [];
    return text;
  }

  /** Resolves true once `done(recent)` holds for the newest text, false when the channel closed first. */
  until(done: (recent: string) => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const test = (recent: string) => {
        if (done(recent)) { this.waiter = null; resolve(true); } else if (this.ended || this.overflow) { this.waiter = null; resolve(false); }
      };
      this.waiter = test;
      test(this.window);
    });
  }

  get tooLong() { return this.overflow; }
}

const WINDOW = 256;
const atPrompt = (text: string) => PROMPT.test(text.slice(-10));

/** Sends one round of commands and waits for the last marker; returns the answers. */
async function round(talk: Conversation, channel: Channel, nonce: string, commands: readonly string[], first: number): Promise<(string | null)[]> {
  if (!commands.length) return [];
  talk.take();
  channel.stdin.write(`${commandLines(nonce, commands, first).join('\n')}\n`);
  const last = `BI${nonce}=${first + commands.length - 1}=`;
  let found = false;
  await talk.until((recent) => {
    found ||= recent.includes(last);
    return found && atPrompt(recent);
  });
  return splitAnswers(talk.take(), nonce, commands, first);
}

/** The whole conversation, filling `read` as the answers come (the caller bounds it in time and kills the channel). */
async function converse(channel: Channel, nonce: string, uri: string, read: HostRead): Promise<void> {
  const talk = new Conversation(channel);
  channel.stdin.write(sessionPreamble(nonce, uri, hostFilesApply(uri)));
  const started = await talk.until(atPrompt);
  const pre = preambleSections(talk.take(), nonce);
  read.meminfo = pre.meminfo;
  read.ksm = pre.ksm;
  if (!started) {
    read.error = pre.noVirsh ? { kind: 'no-virsh', message: 'virsh is not installed on the host (Debian/Ubuntu: libvirt-clients, RHEL: libvirt-client)' }
      : { kind: pre.started ? 'connect' : 'transport', message: firstError(talk.stderr) ?? 'virsh ended before its prompt' };
    read.stderr = talk.stderr;
    return;
  }
  const one = await round(talk, channel, nonce, PHASE_ONE, 0);
  PHASE_ONE.forEach((command, index) => read.answers.push({ command, output: one[index] }));
  const active = parseUuidList(one[1] ?? '');
  const known = new Set(active);
  const all = [...active, ...parseUuidList(one[4] ?? '').filter((uuid) => !known.has(uuid))];
  const domstats = parseDomstats(one[PHASE_ONE.indexOf('domstats --balloon --list-active')] ?? '').some((block) => block.fields.has('balloon.current'));
  const two = phaseTwo(active, all, domstats);
  const twoAnswers = await round(talk, channel, nonce, two, PHASE_ONE.length);
  two.forEach((command, index) => read.answers.push({ command, output: twoAnswers[index] }));
  channel.stdin.end('quit\n');
  await channel.closed;
  read.stderr = talk.stderr;
  if (talk.tooLong) read.error = { kind: 'bad-output', message: `virsh printed more than ${MAX_OUTPUT_BYTES * 4} bytes` };
}

/** virsh's messages, up to three lines joined ("failed to connect" comes first, the reason after it). */
const firstError = (stderr: string) => stderr.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 3).join('; ').slice(0, 600) || null;

function transportError(error: unknown): HostViewError {
  if (error instanceof ProbeError) return { kind: error.kind === 'timeout' ? 'timeout' : 'transport', message: error.message };
  return { kind: 'transport', message: error instanceof Error ? error.message : String(error) };
}

/** Reads the host view; see the contract at the top of this file. Never rejects for the host's failures. */
export async function readHostView(options: HostViewOptions = {}): Promise<HostView> {
  const uri = options.connect ?? DEFAULT_LIBVIRT_URI;
  const seconds = Number.isFinite(options.timeoutSeconds) && options.timeoutSeconds! > 0 ? Math.min(options.timeoutSeconds!, 3600) : DEFAULT_HOST_VIEW_TIMEOUT_SECONDS;
  const ssh = options.transport instanceof SshTransport ? options.transport : null;
  const target = ssh ? ssh.target : { kind: 'local' as const, name: hostname() };
  const now = options.now ?? (() => new Date());
  const read: HostRead = { uri, target, checkedAt: now(), meminfo: null, ksm: null, answers: [], stderr: '', error: null };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeError('timeout', `virsh did not answer within ${seconds} s`)), seconds * 1000);
  const onAbort = () => controller.abort(new ProbeError('other', 'cancelled'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let channel: Channel | null = null;
  try {
    channel = ssh ? await sshChannel(ssh, controller.signal) : localChannel();
    const opened = channel;
    const aborted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => { opened.kill(); resolve(); }, { once: true }));
    if (controller.signal.aborted) opened.kill();
    await Promise.race([converse(opened, randomBytes(8).toString('hex'), uri, read), aborted]);
    if (controller.signal.aborted) read.error = transportError(controller.signal.reason);
  } catch (error) {
    read.error = transportError(controller.signal.aborted ? controller.signal.reason : error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    channel?.kill();
  }
  read.checkedAt = now();
  return buildHostView(read, options.lang);
}

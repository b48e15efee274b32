import { existsSync } from 'node:fs';
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, ParsedKey, SignCallback, SigningRequestOptions } from 'ssh2';

// Only the parts of ssh2 the client uses (see ssh.ts): its index loads much more.
const { BaseAgent, OpenSSHAgent } = require('ssh2/lib/agent.js') as typeof import('ssh2');
const utils = require('ssh2/lib/protocol/keyParser.js') as Pick<typeof import('ssh2').utils, 'parseKey'>;
type OpenSSHAgent = InstanceType<typeof OpenSSHAgent>;
import { readRegularFileBytes, type SshHostConfig } from './ssh-config';

/**
 * Asks the user something on the terminal. `available()` is false when no terminal can ask
 * (no controlling TTY, BatchMode, --batch): then nothing prompts, as with `ssh -o BatchMode=yes`.
 */
export interface Prompter {
  available(): boolean;
  /** The answer, or null when the user gave none (Ctrl-D, Ctrl-C, no terminal). */
  ask(question: string, options: { echo: boolean }): Promise<string | null>;
}

export const NO_PROMPTER: Prompter = { available: () => false, ask: async () => null };

type LoadedIdentity =
  | { kind: 'key'; key: ParsedKey }
  | { kind: 'encrypted'; reason: 'no-terminal' | 'declined' | 'wrong-passphrase' }
  | { kind: 'unusable'; reason: string };

const MAX_PASSPHRASE_TRIES = 3;
/** OpenSSH's MAX_KEY_FILE_SIZE (authfile.c): a key file is never bigger; /dev/zero as IdentityFile is refused. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/**
 * What one run knows about the user's credentials: the prompter, the keys it already decrypted
 * (in memory only, like an agent, so a fleet asks each passphrase once) and ssh-agent's keys.
 * Prompts are serialised: concurrent hosts never ask at the same time.
 */
export class SshCredentials {
  private readonly identities = new Map<string, Promise<LoadedIdentity>>();
  private readonly agentKeys = new Map<string, Promise<ParsedKey[] | Error>>();
  private promptChain: Promise<unknown> = Promise.resolve();

  constructor(readonly prompter: Prompter = NO_PROMPTER) {}

  /** Runs `ask` after every earlier prompt finished; `suspend` stops the caller's timers meanwhile. */
  ask(question: string, echo: boolean, suspend: <T>(work: () => Promise<T>) => Promise<T>): Promise<string | null> {
    const run = () => suspend(() => this.prompter.ask(question, { echo }));
    const answer = this.promptChain.then(run, run);
    this.promptChain = answer.catch(() => undefined);
    return answer;
  }

  agentIdentities(socket: string): Promise<ParsedKey[] | Error> {
    let keys = this.agentKeys.get(socket);
    if (!keys) {
      keys = new Promise((resolve) => {
        new OpenSSHAgent(socket).getIdentities((error, found) => resolve(error ?? (found as ParsedKey[] | undefined) ?? []));
      });
      this.agentKeys.set(socket, keys);
    }
    return keys;
  }

  /** The private key in `path`, decrypted with a passphrase asked on the terminal when it has one. */
  loadIdentity(path: string, suspend: <T>(work: () => Promise<T>) => Promise<T>): Promise<LoadedIdentity> {
    let loaded = this.identities.get(path);
    if (!loaded) {
      loaded = this.readIdentity(path, suspend);
      this.identities.set(path, loaded);
    }
    return loaded;
  }

  private async readIdentity(path: string, suspend: <T>(work: () => Promise<T>) => Promise<T>): Promise<LoadedIdentity> {
    const read = readRegularFileBytes(path, MAX_KEY_FILE_BYTES);
    if ('problem' in read) return { kind: 'unusable', reason: `cannot read it (${read.message})` };
    const data = read.data;
    const plain = utils.parseKey(data);
    if (!(plain instanceof Error)) return plain.isPrivateKey() ? { kind: 'key', key: plain } : { kind: 'unusable', reason: 'it is not a private key' };
    if (!/encrypted/i.test(plain.message)) return { kind: 'unusable', reason: plain.message };
    if (!this.prompter.available()) return { kind: 'encrypted', reason: 'no-terminal' };
    // Asking and decrypting (bcrypt, ~1 s in JS) are the user's time, not the server's: timers stop.
    return suspend(async (): Promise<LoadedIdentity> => {
      for (let attempt = 0; attempt < MAX_PASSPHRASE_TRIES; attempt++) {
        const passphrase = await this.ask(`Enter passphrase for key '${path}': `, false, suspend);
        if (passphrase === null || passphrase === '') return { kind: 'encrypted', reason: 'declined' };
        const key = utils.parseKey(data, passphrase);
        if (!(key instanceof Error)) return { kind: 'key', key };
      }
      return { kind: 'encrypted', reason: 'wrong-passphrase' };
    });
  }
}

/** An agent that offers only the keys it was given (IdentitiesOnly) and signs through the real one. */
class SelectedAgentKeys extends BaseAgent<ParsedKey> {
  constructor(private readonly agent: OpenSSHAgent, private readonly keys: ParsedKey[]) { super(); }
  getIdentities(callback: (error: Error | undefined, keys?: ParsedKey[]) => void): void { callback(undefined, this.keys); }
  sign(pubKey: ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, callback?: SignCallback): void {
    if (typeof options === 'function') this.agent.sign(pubKey, data, options);
    else this.agent.sign(pubKey, data, options, callback);
  }
}

/** What authentication tried, for a message that says what to do when it fails. */
export class AuthAttempts {
  readonly tried: string[] = [];
  readonly problems: string[] = [];
  serverMethods: string[] | null = null;

  describe(host: SshHostConfig): string {
    const parts = [`authentication as ${host.user} failed`];
    if (this.serverMethods) parts[0] += ` (the server accepts: ${this.serverMethods.join(', ')})`;
    parts.push(this.tried.length ? `tried ${this.tried.join(', ')}` : 'no key or agent to try');
    for (const problem of this.problems) parts.push(problem); // no spread: the list follows the config
    return parts.join('; ');
  }
}

function publicKeyOf(path: string): Buffer | null {
  for (const candidate of [`${path}.pub`, path]) {
    if (!existsSync(candidate)) continue;
    const read = readRegularFileBytes(candidate, MAX_KEY_FILE_BYTES);
    if (!('data' in read)) continue;
    try {
      const key = utils.parseKey(read.data);
      if (!(key instanceof Error)) return key.getPublicSSH();
    } catch { /* unreadable: no public key */ }
  }
  return null;
}

/** What one connection's authentication methods share. */
interface AuthContext {
  host: SshHostConfig;
  username: string;
  credentials: SshCredentials;
  attempts: AuthAttempts;
  suspend: <T>(work: () => Promise<T>) => Promise<T>;
  /** Public keys offered so far: a key is offered once, whether from the agent or a file. */
  offeredKeys: Buffer[];
}

const offered = (context: AuthContext, key: Buffer) => context.offeredKeys.some((known) => known.equals(key));

/** ssh-agent's keys (with IdentitiesOnly, those of the identity files only), as one method. */
async function* agentMethod(context: AuthContext, socket: string): AsyncGenerator<AnyAuthMethod> {
  const { host, attempts } = context;
  const identityPublicKeys = host.identityFiles.map(publicKeyOf).filter((key): key is Buffer => key !== null);
  const keys = await context.credentials.agentIdentities(socket);
  if (keys instanceof Error) {
    attempts.problems.push(`ssh-agent at ${socket} did not answer (${keys.message})`);
    return;
  }
  const usable = host.identitiesOnly ? keys.filter((key) => identityPublicKeys.some((pub) => pub.equals(key.getPublicSSH()))) : keys;
  if (!usable.length) return;
  usable.forEach((key) => context.offeredKeys.push(key.getPublicSSH()));
  attempts.tried.push(`ssh-agent (${usable.length} key${usable.length === 1 ? '' : 's'})`);
  yield { type: 'agent', username: context.username, agent: new SelectedAgentKeys(new OpenSSHAgent(socket), usable) };
}

function encryptedKeyProblem(path: string, reason: 'no-terminal' | 'declined' | 'wrong-passphrase'): string {
  if (reason === 'no-terminal') return `key ${path} is passphrase-protected and no terminal can ask for its passphrase: load it into ssh-agent (ssh-add ${path}) or run on a terminal`;
  return reason === 'declined' ? `no passphrase given for key ${path}` : `wrong passphrase for key ${path}`;
}

/** Each identity file's key not offered yet (through the agent or an earlier file). */
async function* identityFileMethods(context: AuthContext): AsyncGenerator<AnyAuthMethod> {
  for (const path of context.host.identityFiles) {
    if (!existsSync(path)) continue;
    const pub = publicKeyOf(path);
    if (pub && offered(context, pub)) continue;
    const loaded = await context.credentials.loadIdentity(path, context.suspend);
    if (loaded.kind === 'key') {
      if (offered(context, loaded.key.getPublicSSH())) continue;
      context.offeredKeys.push(loaded.key.getPublicSSH());
      context.attempts.tried.push(path);
      yield { type: 'publickey', username: context.username, key: loaded.key };
    } else if (loaded.kind === 'encrypted') {
      context.attempts.problems.push(encryptedKeyProblem(path, loaded.reason));
    } else {
      context.attempts.problems.push(`key ${path} skipped: ${loaded.reason}`);
    }
  }
}

/** keyboard-interactive: each of the server's prompts asked on the terminal. */
function keyboardInteractiveMethod(context: AuthContext): AnyAuthMethod {
  const { username, host, credentials, suspend } = context;
  return {
    type: 'keyboard-interactive',
    username,
    prompt: (_name, instructions, _lang, prompts, finish) => {
      void (async () => {
        const answers: string[] = [];
        for (const prompt of prompts) {
          const answer = await credentials.ask(`${instructions ? `${instructions}\n` : ''}(${username}@${host.hostName}) ${prompt.prompt}`, prompt.echo ?? false, suspend);
          if (answer === null) break;
          answers.push(answer);
        }
        finish(answers);
      })();
    },
  };
}

/** Up to three passwords asked on the terminal. */
async function* passwordMethods(context: AuthContext): AsyncGenerator<AnyAuthMethod> {
  const { username, host, credentials, attempts, suspend } = context;
  for (let attempt = 0; attempt < MAX_PASSPHRASE_TRIES; attempt++) {
    const password = await credentials.ask(`${username}@${host.hostName}'s password: `, false, suspend);
    if (password === null) break;
    if (attempt === 0) attempts.tried.push('password');
    yield { type: 'password', username, password };
  }
}

/** The methods in OpenSSH's order; those that ask only when a terminal can, and only what the server takes. */
async function* authMethods(context: AuthContext): AsyncGenerator<AnyAuthMethod> {
  const { host, attempts, username } = context;
  if (host.pubkeyAuthentication) {
    if (host.agentSocket) yield* agentMethod(context, host.agentSocket);
    yield* identityFileMethods(context);
  }
  const canAsk = context.credentials.prompter.available() && !host.batchMode;
  // Like OpenSSH, learn the server's methods (a "none" request) before asking anything.
  if (canAsk && attempts.serverMethods === null) yield { type: 'none', username };
  const serverOffers = (method: string) => attempts.serverMethods === null || attempts.serverMethods.includes(method);
  if (host.kbdInteractiveAuthentication && serverOffers('keyboard-interactive')) {
    if (canAsk) {
      attempts.tried.push('keyboard-interactive');
      yield keyboardInteractiveMethod(context);
    } else if (attempts.serverMethods?.includes('keyboard-interactive')) {
      attempts.problems.push('the server would take keyboard-interactive, but no terminal can ask');
    }
  }
  if (host.passwordAuthentication && serverOffers('password')) {
    if (canAsk) yield* passwordMethods(context);
    else if (attempts.serverMethods?.includes('password')) attempts.problems.push('the server would take a password, but no terminal can ask for it');
  }
}

/**
 * OpenSSH's order: ssh-agent keys, identity files (passphrase asked on a terminal), then
 * keyboard-interactive and password, those two only when a terminal can ask.
 */
export function createAuthHandler(host: SshHostConfig, credentials: SshCredentials, attempts: AuthAttempts, suspend: <T>(work: () => Promise<T>) => Promise<T>): AuthHandlerMiddleware {
  const queue = authMethods({ host, username: host.user, credentials, attempts, suspend, offeredKeys: [] });
  const allowed = (method: AnyAuthMethod) => {
    if (attempts.serverMethods === null) return true;
    const needed: AuthenticationType = method.type === 'agent' ? 'publickey' : method.type;
    return attempts.serverMethods.includes(needed);
  };
  return (methodsLeft, _partialSuccess, next) => {
    if (methodsLeft) attempts.serverMethods = methodsLeft;
    void (async () => {
      for (;;) {
        const step = await queue.next();
        if (step.done) { next(false as unknown as AnyAuthMethod); return; }
        if (allowed(step.value)) { next(step.value); return; }
      }
    })().catch(() => next(false as unknown as AnyAuthMethod));
  };
}

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { analyzeProbeOutput } from '../../src/core/report';
import { createSshTransport, sshConfigHosts, sshPseudoterminal, type PseudoterminalLike, type SshTransportSettings } from '../../src/extension/lazy';
import { requireSshLab, SshLab, TEST_USER, userExists, type Sshd } from '../helpers/sshd';
import { ROOT, which } from '../helpers/system';

// Real sshd on loopback (test/helpers/sshd.ts): the extension's SSH half against a real server.
const canRun = which('sshd') !== null && process.getuid?.() === 0 && userExists(TEST_USER);
const lab = canRun ? new SshLab() : null;
let server: Sshd;
test.before(async () => { if (lab) server = await lab.startSshd(); });
test.after(async () => { await lab?.cleanup(); });

const NO_PROMPTS = { available: () => false, ask: async () => null };

function configFile(name: string, knownHosts: boolean): string {
  if (knownHosts) lab!.knownHosts(`${name}.known_hosts`, [server]);
  return lab!.write(`${name}.conf`, [
    'Host guest-a guest-b', `  Port ${server.port}`,
    'Host web-*', '  Port 1',
    'Host *', '  HostName 127.0.0.1', `  User ${TEST_USER}`, `  IdentityFile ${lab!.userKey.path}`, '  IdentitiesOnly yes', '  IdentityAgent none',
    `  UserKnownHostsFile ${lab!.path(`${name}.known_hosts`)}`, '  GlobalKnownHostsFile none', '',
  ].join('\n'));
}

const settingsFor = (file: string): SshTransportSettings => ({ configFile: file, prompter: NO_PROMPTS, acceptNewHostKey: false, probeTimeoutSeconds: 20 });

/** Opens a pseudoterminal, sends input at once (before it is connected), and collects everything until it closes. */
function runTerminal(pty: PseudoterminalLike, inputs: string[], timeoutMs = 20_000): Promise<{ output: string; code: number | void }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`terminal did not close; output so far:\n${output}`)), timeoutMs);
    pty.onDidWrite((data) => {
      output += data;
      if (/Press any key to close/.test(output)) pty.handleInput?.('x');
    });
    pty.onDidClose?.((code) => { clearTimeout(timer); resolve({ output, code }); });
    pty.open({ columns: 100, rows: 30 });
    for (const input of inputs) pty.handleInput?.(input);
  });
}

test('SSH config hosts for the tree: concrete Host names only, no patterns', (t) => {
  if (!requireSshLab(t)) return;
  assert.deepEqual(sshConfigHosts(configFile('hosts', false)), ['guest-a', 'guest-b']);
});

test('the probe over the extension\'s SSH transport reaches the guest and the engine reads it', async (t) => {
  if (!requireSshLab(t)) return;
  const transport = createSshTransport('guest-a', settingsFor(configFile('probe', true)));
  const analysis = analyzeProbeOutput(await transport.runProbe({}), transport.target);
  assert.ok(analysis.ok, analysis.ok ? '' : analysis.reason);
  assert.deepEqual(analysis.report.target, { kind: 'ssh', name: 'guest-a' });
});

test('the runbook terminal on an SSH host: input sent before the connection is up runs once the shell is there', async (t) => {
  if (!requireSshLab(t)) return;
  const pty = sshPseudoterminal('guest-b', settingsFor(configFile('shell', true)));
  const { output, code } = await runTerminal(pty, ['echo bi-$((6*7)) as $(id -un)\r', 'exit 3\r']);
  assert.match(output, /Connecting to guest-b over SSH/);
  assert.match(output, new RegExp(`bi-42 as ${TEST_USER}`), output);
  assert.equal(code, 3, 'the shell\'s exit status is the terminal\'s');
});

test('the runbook terminal refuses an unknown host key, says why, and runs nothing', async (t) => {
  if (!requireSshLab(t)) return;
  const pty = sshPseudoterminal('guest-a', settingsFor(configFile('unknown', false)));
  const { output } = await runTerminal(pty, ['touch /tmp/bi-should-not-exist\r']);
  assert.match(output, /host key .* is not in/);
  assert.match(output, /Nothing was run/);
});

test('the extension reads hostile SSH configs through the same capped SshConfig.load: Include /dev/zero or a FIFO fails fast with a config error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bi-ext-sshcfg-'));
  try {
    const fifo = join(dir, 'include.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [included, kind] of [['/dev/zero', 'character device'], [fifo, 'FIFO']] as const) {
      const config = join(dir, `config-${kind.replace(/ /g, '-')}`);
      writeFileSync(config, `Host guest-a\n  Port 2222\nInclude ${included}\n`);
      // In a child node: before the fix /dev/zero was read until memory ran out and a FIFO blocked forever.
      const script = `const lazy = require('./src/extension/lazy.ts');
        const settings = { configFile: ${JSON.stringify(config)}, prompter: { available: () => false, ask: async () => null }, acceptNewHostKey: false, probeTimeoutSeconds: 5 };
        const out = [];
        for (const load of [() => lazy.sshConfigHosts(settings.configFile), () => lazy.createSshTransport('guest-a', settings)]) {
          try { load(); out.push('loaded'); } catch (error) { out.push(error.kind + ': ' + error.message); }
        }
        process.stdout.write(JSON.stringify(out));`;
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=512', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
      assert.equal(result.signal, null, `${included}: the config read did not finish (${result.signal})`);
      const messages = JSON.parse(result.stdout) as string[];
      assert.equal(messages.length, 2);
      for (const message of messages) {
        assert.match(message, /^config: /, message);
        assert.ok(message.includes(JSON.stringify(included)) && message.includes(kind), message);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

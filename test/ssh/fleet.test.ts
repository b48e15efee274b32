import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { checkMany, fleetExitCode, fleetPrometheus, hostErrorRecord, worstStatus, type HostResult } from '../../src/cli/fleet';
import { runCli } from '../../src/cli/main';
import { analyzeProbeOutput, EXIT_CODES, type Report, type ReportStatus } from '../../src/core/report';
import { LocalTransport } from '../../src/transport/local';
import { ProbeError, type Transport } from '../../src/transport/transport';
import { probeOutput, SEED_SECTIONS } from '../helpers/samples';
import { freePort, keygen, requireSshLab, silentServer, SshLab, TEST_USER, userExists } from '../helpers/sshd';
import { requireCommand, ROOT, which } from '../helpers/system';

const canRun = which('sshd') !== null && process.getuid?.() === 0 && userExists(TEST_USER);
const lab = canRun ? new SshLab() : null;
const stops: (() => Promise<void>)[] = [];
test.after(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await lab?.cleanup();
});

const schema = JSON.parse(readFileSync(join(ROOT, 'report.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const validateReport = ajv.compile(schema);
const validateHostError = ajv.compile({ $ref: `${schema.$id}#/$defs/hostError` });

/** Guests of the fleet that answer: each sshd runs the probe on a simulated guest (BI_ROOT) or on this machine. */
const GUESTS = ['vmware-limit-12g-of-32g', 'kvm-virtio-inflated-no-deflate', 'hyperv-dynamic-memory', 'xen-ballooned', 'vmware-old-kernel-rhel7',
  'container-in-kvm', 'vmware-no-tools', 'vmware-legacy-vmmemctl', 'kvm-virtio-inflated-deflate-on-oom', 'bare-metal', 'vmware-idle-nolimit', 'hostile-garbage'];
const guestRoot = (name: string) => join(ROOT, 'test/fixtures/guests', name);

interface Fleet {
  config: string;
  home: string;
  /** Host alias → the status a check of it must give (from the same guest checked locally), any report ('*'), or the error kind. */
  expected: Map<string, ReportStatus | '*' | { error: string }>;
  /** The Host aliases in the order the config lists them (the order --all-ssh-hosts gives them). */
  order: string[];
}

let fleetPromise: Promise<Fleet> | undefined;
/** 21 sshd instances and 2 dead ports, healthy and broken, in one SSH config. */
function buildFleet(): Promise<Fleet> {
  fleetPromise ??= (async () => {
    const l = lab!;
    const expected: Fleet['expected'] = new Map();
    const hosts: string[] = [];
    const known: string[] = [];
    const order: string[] = [];
    const add = (alias: string, port: number, extra: string[] = []) => {
      order.push(alias);
      hosts.push([`Host ${alias}`, `  Port ${port}`, ...extra.map((line) => `  ${line}`)].join('\n'));
    };
    const start = async (alias: string, options: Parameters<SshLab['startSshd']>[0], outcome: ReportStatus | '*' | { error: string }, trust = true) => {
      const server = await l.startSshd(options);
      if (trust) known.push(server.knownHostsLine());
      add(alias, server.port);
      expected.set(alias, outcome);
      return server;
    };
    for (const name of GUESTS) assert.ok(existsSync(guestRoot(name)), `fixture guest ${name} is missing`);
    const healthy = GUESTS;
    await Promise.all([
      ...healthy.map(async (name) => {
        const local = analyzeProbeOutput(await new LocalTransport({ root: guestRoot(name) }).runProbe({}), { kind: 'snapshot', name });
        assert.ok(local.ok, `${name}: ${local.ok ? '' : local.reason}`);
        // The client's prelude assigns every setting (an environment BI_ROOT never counts), so the
        // server side rewrites the prelude's BI_ROOT line to make this host the simulated guest.
        await start(`guest-${name}`, { extraConfig: [`ForceCommand sed 's|^BI_ROOT=.*|BI_ROOT=${guestRoot(name)}|' | sh -s`] }, local.report.status);
      }),
      // This machine itself, as the test user: a real report whatever its verdict.
      ...Array.from({ length: 2 }, (_, index) => start(`plain-${index}`, {}, '*')),
      start('broken-unknown-key', {}, { error: 'host-key-unknown' }, false),
      (async () => {
        // known_hosts holds the lab's usual key for this port; the server now presents another one.
        const server = await start('broken-changed-key', { hostKey: keygen(l.path('fleet-host-other')) }, { error: 'host-key-changed' }, false);
        known.push(`[127.0.0.1]:${server.port} ${l.hostKey.publicLine.split(' ').slice(0, 2).join(' ')}`);
      })(),
      start('broken-auth', { authorizedKeys: [keygen(l.path('fleet-nobody')).publicLine] }, { error: 'auth' }),
      start('broken-garbage', { extraConfig: ['ForceCommand echo "Welcome! This is not a shell."'] }, { error: 'bad-output' }),
      start('broken-huge', { extraConfig: ['ForceCommand head -c 12000000 /dev/zero'] }, { error: 'bad-output' }),
      start('broken-dropped', { extraConfig: ['ForceCommand kill -9 $PPID'] }, { error: 'dropped' }),
      start('broken-slow', { extraConfig: ['ForceCommand sleep 4'] }, { error: 'timeout' }),
    ]);
    const refusedPort = await freePort();
    add('broken-refused', refusedPort);
    expected.set('broken-refused', { error: 'refused' });
    const silent = await silentServer();
    stops.push(silent.close);
    add('broken-silent', silent.port);
    expected.set('broken-silent', { error: 'timeout' });

    const knownHosts = l.write('fleet.known_hosts', `${known.join('\n')}\n`);
    const config = l.write('fleet.conf', [...hosts, 'Host *', '  HostName 127.0.0.1', `  User ${TEST_USER}`, `  IdentityFile ${l.userKey.path}`,
      `  UserKnownHostsFile ${knownHosts}`, '  GlobalKnownHostsFile none', ''].join('\n'));
    return { config, home: l.path('home'), expected, order };
  })();
  return fleetPromise;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    isTty: false,
    env,
    prompter: { available: () => false, ask: async () => null },
  });
  return { code, stdout, stderr };
}

const fleetArgs = (fleet: Fleet, format: string) => ['--ssh-config', fleet.config, '--all-ssh-hosts', '--format', format, '--connect-timeout', '2', '--probe-timeout', '2', '--jobs', '32'];

function expectMatches(fleet: Fleet, items: (Report | { target: { name: string }; error: { kind: string; message: string } })[]) {
  assert.equal(items.length, fleet.expected.size);
  for (const item of items) {
    const want = fleet.expected.get(item.target.name);
    assert.ok(want !== undefined, `unexpected host ${item.target.name}`);
    if (typeof want === 'string') {
      assert.ok('status' in item, `${item.target.name}: ${JSON.stringify('error' in item ? item.error : item)}`);
      if (want !== '*') assert.equal(item.status, want, item.target.name);
      assert.equal(validateReport(item), true, `${item.target.name}: ${JSON.stringify(validateReport.errors)}`);
    } else {
      assert.ok('error' in item, `${item.target.name} should have failed with ${want.error}`);
      assert.equal(item.error.kind, want.error, `${item.target.name}: ${item.error.message}`);
      assert.ok(item.error.message.length > 20, item.error.message);
      assert.equal(validateHostError(item), true, `${item.target.name}: ${JSON.stringify(validateHostError.errors)}`);
      assert.equal(validateReport(item), false);
    }
  }
}

test('fleet of 23 hosts (21 sshd): JSON array of schema-valid reports and hostError records, one per host, exit = worst', async (t) => {
  if (!requireSshLab(t)) return;
  const fleet = await buildFleet();
  assert.ok(fleet.expected.size >= 23);
  assert.ok([...fleet.expected.values()].filter((want) => typeof want === 'string').length >= 14);
  const started = Date.now();
  const run = await cli(fleetArgs(fleet, 'json'), { HOME: fleet.home });
  const items = JSON.parse(run.stdout);
  assert.ok(Array.isArray(items));
  expectMatches(fleet, items);
  // The order given: the config's Host order, as written into the file (not derived from the output).
  assert.deepEqual(items.map((item: Report) => item.target.name), fleet.order);
  const statuses: ReportStatus[] = items.map((item: Report) => item.status ?? 'unknown');
  assert.equal(run.code, EXIT_CODES[worstStatus(statuses)]);
  if (statuses.includes('critical')) assert.equal(run.code, 2, 'a critical host makes the fleet critical even with unreachable ones');
  // Slow hosts run side by side: the whole fleet takes about one timeout, not the sum.
  assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
});

test('fleet as NDJSON: one line per host, each a report or a hostError record', async (t) => {
  if (!requireSshLab(t)) return;
  const fleet = await buildFleet();
  const run = await cli(fleetArgs(fleet, 'ndjson'), { HOME: fleet.home });
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines.length, fleet.expected.size);
  expectMatches(fleet, lines.map((line) => JSON.parse(line)));
});

test('fleet as Prometheus: host label on every series, up/error for unreachable hosts; promtool accepts it', async (t) => {
  if (!requireSshLab(t)) return;
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  const fleet = await buildFleet();
  const run = await cli(fleetArgs(fleet, 'prometheus'), { HOME: fleet.home });
  const check = spawnSync(promtool, ['check', 'metrics'], { input: run.stdout, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  for (const [host, want] of fleet.expected) {
    assert.ok(run.stdout.includes(`balloon_inspector_host_up{host="${host}"} ${typeof want === 'string' ? 1 : 0}`), host);
    if (typeof want === 'string') assert.ok(run.stdout.includes(`balloon_inspector_status{host="${host}"}`), host);
    else assert.ok(run.stdout.includes(`balloon_inspector_host_error{host="${host}",kind="${want.error}"} 1`), host);
  }
  for (const line of run.stdout.split('\n').filter((l) => l && !l.startsWith('#'))) assert.match(line, /\{host="[^"]+"/, line);
});

test('fleet as text: a line per host as it arrives (stderr), then a table worst first (stdout)', async (t) => {
  if (!requireSshLab(t)) return;
  const fleet = await buildFleet();
  const run = await cli(fleetArgs(fleet, 'text'), { HOME: fleet.home });
  const progress = run.stderr.trimEnd().split('\n');
  assert.equal(progress.length, fleet.expected.size);
  assert.match(progress[0]!, /^\[ ?1\/\d+\] (OK|WARNING|CRITICAL|UNKNOWN) /);
  const rows = run.stdout.split('\n').slice(1).filter((line) => /^(OK|WARNING|CRITICAL|UNKNOWN) /.test(line));
  assert.equal(rows.length, fleet.expected.size);
  const rank: Record<string, number> = { CRITICAL: 3, WARNING: 2, UNKNOWN: 1, OK: 0 };
  const ranks = rows.map((row) => rank[row.split(' ')[0]!]!);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => b - a), 'sorted by severity');
  assert.match(run.stdout, /host-key-changed: .*HOST KEY HAS CHANGED/);
  const failures = [...fleet.expected.values()].filter((want) => typeof want !== 'string').length;
  assert.match(run.stdout, new RegExp(`\\n${fleet.expected.size} hosts: \\d+ critical, \\d+ warning, \\d+ unknown \\(${failures} could not be checked\\), \\d+ ok\\n$`));
});

test('--ssh several times checks just those hosts; a failing one does not stop the others', async (t) => {
  if (!requireSshLab(t)) return;
  const fleet = await buildFleet();
  const run = await cli(['--ssh-config', fleet.config, '--ssh', 'broken-refused', '--ssh', 'guest-bare-metal', '--ssh', 'plain-0', '--format', 'json', '--connect-timeout', '2'], { HOME: fleet.home });
  const items = JSON.parse(run.stdout);
  assert.deepEqual(items.map((item: Report) => item.target.name), ['broken-refused', 'guest-bare-metal', 'plain-0']);
  assert.equal(items[0].error.kind, 'refused');
  assert.equal(run.code, EXIT_CODES[worstStatus(items.map((item: Report) => item.status ?? 'unknown'))]);
  const markdown = await cli(['--ssh-config', fleet.config, '--ssh', 'broken-refused', '--ssh', 'plain-0', '--format', 'markdown', '--connect-timeout', '2'], { HOME: fleet.home });
  assert.match(markdown.stdout, /^# Balloon Inspector — fleet\n\n\| status \| host \| finding \|\n\|---\|---\|---\|\n/);
  assert.match(markdown.stdout, /\| UNKNOWN \| broken-refused \| refused: .*connection refused/);
  assert.match(markdown.stdout, /\| (OK|WARNING|CRITICAL|UNKNOWN) \| plain-0 \|/);
});

test('SSH usage errors: --watch with several hosts, --input with --ssh, an empty --all-ssh-hosts, a bad destination', async (t) => {
  if (!requireSshLab(t)) return;
  const empty = lab!.write('empty.conf', 'Host *\n  User nobody\n');
  const cases: [string[], RegExp][] = [
    [['--ssh', 'a', '--ssh', 'b', '--watch', '5'], /--watch follows one host/],
    [['--ssh', 'a', '--input', '-'], /does not go with --ssh/],
    [['--ssh-config', empty, '--all-ssh-hosts'], /no concrete Host/],
    [['--ssh-config', empty, '--ssh', 'host:99999'], /not a TCP port/],
    [['--ssh-config', lab!.path('missing.conf'), '--ssh', 'x'], /cannot read SSH config/],
    [['--ssh', 'a', '--jobs', '0'], /--jobs needs a positive whole number/],
  ];
  for (const [args, message] of cases) {
    const run = await cli(args, { HOME: lab!.path('home') });
    assert.equal(run.code, 3, args.join(' '));
    assert.match(run.stderr, message, args.join(' '));
  }
});

test('one --ssh: the single-report contract; a failure is a hostError record on stdout and the reason on stderr', async (t) => {
  if (!requireSshLab(t)) return;
  const fleet = await buildFleet();
  const ok = await cli(['--ssh-config', fleet.config, '--ssh', 'guest-vmware-limit-12g-of-32g', '--format', 'json'], { HOME: fleet.home });
  const report = JSON.parse(ok.stdout);
  assert.equal(validateReport(report), true);
  assert.deepEqual(report.target, { kind: 'ssh', name: 'guest-vmware-limit-12g-of-32g' });
  assert.equal(ok.code, 2);
  const failed = await cli(['--ssh-config', fleet.config, '--ssh', 'broken-auth', '--format', 'json'], { HOME: fleet.home });
  assert.equal(failed.code, 3);
  const record = JSON.parse(failed.stdout);
  assert.equal(validateHostError(record), true);
  assert.equal(record.error.kind, 'auth');
  assert.match(failed.stderr, /broken-auth: .*authentication as bi-test failed/);
});

test('the CLI without a terminal never prompts: an encrypted key gives an auth error and exit 3', async (t) => {
  if (!requireSshLab(t)) return;
  const l = lab!;
  const encrypted = keygen(l.path('cli-encrypted'), { passphrase: 'secret words' });
  const server = await l.startSshd({ authorizedKeys: [encrypted.publicLine] });
  const knownHosts = l.knownHosts('cli.known_hosts', [server]);
  const config = l.write('cli.conf', ['Host enc', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${TEST_USER}`, `  IdentityFile ${encrypted.path}`, `  UserKnownHostsFile ${knownHosts}`, ''].join('\n'));
  // detached: a new session without a controlling terminal, as under cron or CI.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--ssh-config', config, '--ssh', 'enc'], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: l.path('home') },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, 20_000);
    child.once('exit', (exitCode) => { clearTimeout(timer); resolve(exitCode); });
  });
  assert.equal(code, 3, stderr);
  assert.match(stderr, /passphrase-protected and no terminal can ask/);
  assert.ok(stderr.includes(encrypted.path));
});

test('on a terminal the CLI asks the passphrase on /dev/tty, hidden, and checks the guest', async (t) => {
  if (!requireSshLab(t)) return;
  const scriptCommand = requireCommand(t, 'script', 'bsdutils');
  if (!scriptCommand) return;
  const l = lab!;
  const encrypted = keygen(l.path('tty-encrypted'), { passphrase: 'typed on a tty' });
  const server = await l.startSshd({ authorizedKeys: [encrypted.publicLine] });
  const knownHosts = l.knownHosts('tty.known_hosts', [server]);
  const config = l.write('tty.conf', ['Host enc', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${TEST_USER}`, `  IdentityFile ${encrypted.path}`, `  UserKnownHostsFile ${knownHosts}`, ''].join('\n'));
  // script(1) runs the CLI on a new pseudo-terminal: its /dev/tty is that terminal, fed from our pipe.
  const command = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--ssh-config', config, '--ssh', 'enc', '--format', 'json'].map((arg) => `'${arg}'`).join(' ');
  const child = spawn(scriptCommand, ['-qec', command, '/dev/null'], { cwd: ROOT, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: l.path('home'), TERM: 'dumb' } });
  let output = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!answered && output.includes(`Enter passphrase for key '${encrypted.path}': `)) {
      answered = true;
      child.stdin.write('typed on a tty\r');
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } resolve(null); }, 30_000);
    child.once('exit', (exitCode) => { clearTimeout(timer); resolve(exitCode); });
  });
  assert.ok(answered, `no passphrase prompt on the terminal:\n${output}`);
  assert.ok(!output.includes('typed on a tty'), 'the passphrase must not be echoed');
  assert.ok(code !== null && code <= 2, `exit ${code}:\n${output}`);
  const report = JSON.parse(output.slice(output.indexOf('{')).replace(/\r\n/g, '\n'));
  assert.equal(validateReport(report), true);
  assert.deepEqual(report.target, { kind: 'ssh', name: 'enc' });
});

test('worst status over hosts: CRITICAL > WARNING > UNKNOWN > OK (monitoring-plugins max_state_alt)', () => {
  const report = (status: ReportStatus) => ({ report: { status } as Report });
  const failed: HostResult = { hostError: hostErrorRecord({ kind: 'ssh', name: 'x' }, new ProbeError('refused', 'x: connection refused')) };
  assert.equal(fleetExitCode([report('ok'), failed]), 3);
  assert.equal(fleetExitCode([report('critical'), failed]), 2);
  assert.equal(fleetExitCode([report('warning'), failed, report('ok')]), 1);
  assert.equal(fleetExitCode([report('ok'), report('ok')]), 0);
  assert.equal(fleetExitCode([report('warning'), report('critical'), report('unknown')]), 2);
  assert.equal(fleetExitCode([]), 3);
});

test('checkMany: never more than --jobs hosts at once, all of them checked, results in the order given', async () => {
  let running = 0;
  let peak = 0;
  const transports: Transport[] = Array.from({ length: 30 }, (_, index) => ({
    target: { kind: 'ssh', name: `h${index}` },
    runProbe: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (index % 7)));
      running--;
      if (index % 5 === 0) throw new ProbeError('timeout', `h${index}: no answer`);
      return 'not probe output';
    },
  }));
  const arrived: number[] = [];
  const results = await checkMany(transports, {}, { jobs: 4, onResult: (_, index) => arrived.push(index) });
  assert.equal(peak, 4);
  assert.equal(results.length, 30);
  assert.deepEqual(results.map((result) => ('hostError' in result ? result.hostError.target.name : '')), transports.map((item) => item.target.name));
  assert.deepEqual(results.map((result) => ('hostError' in result ? result.hostError.error.kind : '')), transports.map((_, index) => (index % 5 === 0 ? 'timeout' : 'bad-output')));
  assert.equal(new Set(arrived).size, 30);
});

test('fleet Prometheus: host names with a double quote, a backslash and a newline are escaped label values promtool accepts', (t) => {
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  // Names a host alias, an --ssh destination or a Remote-SSH label could carry into the host label.
  const checked = 'db "prod" \\ rack\n7';
  const failed = 'edge\\"b\n';
  const analysis = analyzeProbeOutput(probeOutput(SEED_SECTIONS), { kind: 'ssh', name: checked });
  assert.ok(analysis.ok);
  const results: HostResult[] = [
    { report: analysis.report },
    { hostError: hostErrorRecord({ kind: 'ssh', name: failed }, new ProbeError('refused', `${failed}: connection refused`)) },
  ];
  const text = fleetPrometheus(results);
  const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}\n${text}`);
  assert.ok(text.includes('balloon_inspector_host_up{host="db \\"prod\\" \\\\ rack\\n7"} 1'), text);
  assert.ok(text.includes('balloon_inspector_host_up{host="edge\\\\\\"b\\n"} 0'), text);
  assert.ok(text.includes('balloon_inspector_host_error{host="edge\\\\\\"b\\n",kind="refused"} 1'), text);
  // Every sample line is one whole series: the names' newlines did not split a line.
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) assert.match(line, /^\w+\{host="(?:[^"\\\n]|\\.)*"(?:,\w+="(?:[^"\\]|\\.)*")*\} \S+$/, line);
});

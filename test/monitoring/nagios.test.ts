import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { parseRange, rangeAlerts, renderNagiosFleet } from '../../src/core/render/nagios';
import { committedGuests, guestPath, jsonReport, runCli, tempDir } from '../helpers/guests';
import { requireSshLab, SshLab } from '../helpers/sshd';
import { cliBundle, requireCommand } from '../helpers/system';
import { parsePluginOutput, STATE_CODES, stateOf } from './plugin-output';
import { sshFleet } from './ssh-fleet';

const SEED = guestPath('vmware-limit-12g-of-32g');

test('threshold ranges follow the monitoring-plugins guidelines table', () => {
  // [range, values that alert, values that do not]
  const table: [string, number[], number[]][] = [
    ['10', [-1, 10.5, 11], [0, 5, 10]],
    ['10:', [-1, 9.99], [10, 11, 1000]],
    ['~:10', [10.5, 11], [-1000, 0, 10]],
    ['10:20', [9, 21], [10, 15, 20]],
    ['@10:20', [10, 15, 20], [9, 21]],
    ['@~:0', [-5, 0], [0.1]],
  ];
  for (const [text, alert, quiet] of table) {
    const range = parseRange(text);
    for (const value of alert) assert.equal(rangeAlerts(range, value), true, `${text} must alert at ${value}`);
    for (const value of quiet) assert.equal(rangeAlerts(range, value), false, `${text} must not alert at ${value}`);
  }
  for (const bad of ['', '@', 'abc', '20:10', '1e3', '10:x', ':10:', '~']) assert.throws(() => parseRange(bad), Error, bad);
});

test('--format nagios: every committed guest prints strict plugin output whose state word matches the exit code', () => {
  for (const name of committedGuests()) {
    const extra = name === 'hostile-hanging-tool' ? ['--tool-timeout', '1'] : [];
    const run = runCli(['--root', guestPath(name), '--format', 'nagios', ...extra]);
    const output = parsePluginOutput(run.stdout);
    assert.equal(STATE_CODES[stateOf(output.text)], run.status, `${name}: ${output.text}`);
    const json = jsonReport(guestPath(name), extra).report;
    assert.equal(run.status, { ok: 0, warning: 1, critical: 2, unknown: 3 }[json.status], `${name}: no thresholds, so the check's own verdict`);
    // An unknown check never reports a balloon size it did not measure.
    if (json.status === 'unknown' && json.balloon.currentBytes === null) assert.ok(!output.perfdata.some((datum) => datum.label === 'balloon'), `${name}: balloon perfdata of an unknown check`);
  }
});

test('--format nagios: seed figures and thresholds in the perfdata, findings as long output', () => {
  const run = runCli(['--root', SEED, '--format', 'nagios', '--warning', '30', '--critical', '50']);
  assert.equal(run.status, 2);
  const output = parsePluginOutput(run.stdout);
  assert.match(output.text, /^BALLOON CRITICAL - balloon 20\.0 GiB of 32\.0 GiB configured \(62\.5%\), limit 12\.0 GiB/);
  const perf = new Map(output.perfdata.map((datum) => [datum.label, datum]));
  // 30 % and 50 % of 32 GB are 9.6 GB and 16 GB: thresholds in the value's own unit.
  assert.deepEqual(perf.get('balloon'), { label: 'balloon', value: 20, uom: 'GB', warn: '9.6', crit: '16', min: '0', max: '32' });
  assert.deepEqual(perf.get('balloon_share'), { label: 'balloon_share', value: 62.5, uom: '%', warn: '30', crit: '50', min: '0', max: '100' });
  assert.equal(perf.get('limit')?.value, 12);
  assert.equal(perf.get('configured')?.value, 32);
  assert.ok(output.longText.some((line) => line.includes('limit-below-configured')), output.longText.join('\n'));
});

test('--warning/--critical make an OK guest WARNING or CRITICAL, never a bad one better', () => {
  const classic = guestPath('xen-classic-2.6.18'); // OK by its own verdict, balloon 50.7 % of configured
  const state = (args: string[]) => {
    const run = runCli(['--root', classic, '--format', 'nagios', ...args]);
    return [run.status, stateOf(parsePluginOutput(run.stdout).text)];
  };
  assert.deepEqual(state([]), [0, 'OK']);
  assert.deepEqual(state(['-w', '40', '-c', '60']), [1, 'WARNING']);
  assert.deepEqual(state(['-w', '40', '-c', '50']), [2, 'CRITICAL']);
  assert.deepEqual(state(['-w', '@50:60']), [1, 'WARNING']);
  assert.deepEqual(state(['-w', '60:']), [1, 'WARNING'], 'alert below 60 %');
  assert.deepEqual(state(['-w', '90', '-c', '95']), [0, 'OK']);
  // The seed is CRITICAL by its own verdict: generous thresholds do not hide it.
  assert.equal(runCli(['--root', SEED, '--format', 'nagios', '-w', '99', '-c', '100']).status, 2);
  // Thresholds on a check that cannot judge the share: UNKNOWN, not OK.
  assert.equal(runCli(['--root', guestPath('hostile-garbage'), '--format', 'nagios', '-w', '10']).status, 3);
});

test('--warning/--critical usage errors', () => {
  for (const args of [['--format', 'nagios', '--warning', '20:10'], ['--format', 'nagios', '--critical', 'ten'], ['--warning', '10']]) {
    const run = runCli(['--root', SEED, ...args]);
    assert.equal(run.status, 3, args.join(' '));
    assert.match(run.stderr, /threshold range|--format nagios/, args.join(' '));
  }
});

test('nagios fleet output: the worst host decides, perfdata per host, one long-output line per host worst first', () => {
  const hosts = [
    { name: 'calm', report: jsonReport(guestPath('vmware-idle-nolimit')).report },
    { name: 'seed', report: jsonReport(SEED).report },
    { name: 'gone', error: 'refused: connection refused' },
  ];
  const rendered = renderNagiosFleet(hosts, { warning: parseRange('30'), critical: parseRange('50') });
  assert.equal(rendered.state, 'critical');
  const output = parsePluginOutput(rendered.text);
  assert.match(output.text, /^BALLOON CRITICAL - 3 hosts: 1 critical, 0 warning, 1 unknown, 1 ok; worst seed: /);
  const labels = output.perfdata.map((datum) => datum.label);
  assert.ok(labels.includes('seed balloon') && labels.includes('calm balloon') && !labels.some((label) => label.startsWith('gone')), labels.join(','));
  assert.deepEqual(output.longText.map((line) => line.split(':')[0]), ['CRITICAL seed', 'UNKNOWN gone', 'OK calm']);
  assert.equal(renderNagiosFleet([]).state, 'unknown');
});

test('--format nagios over an SSH fleet (loopback sshd): one plugin result for every host', async (t) => {
  if (!requireSshLab(t)) return;
  const lab = new SshLab();
  t.after(() => lab.cleanup());
  const fleet = await sshFleet(lab);
  const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [cliBundle(), '--ssh-config', fleet.config, '--all-ssh-hosts', '--format', 'nagios', '-w', '30', '-c', '50', '--connect-timeout', '2', '--batch'], { env: { ...process.env, HOME: fleet.home } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.on('close', (code) => resolve({ code, stdout }));
  });
  const output = parsePluginOutput(run.stdout);
  assert.equal(run.code, 2);
  assert.match(output.text, /^BALLOON CRITICAL - 3 hosts: 1 critical, 0 warning, 1 unknown, 1 ok; worst guest-seed/);
  assert.equal(output.perfdata.find((datum) => datum.label === 'guest-seed balloon')?.value, 20);
  assert.equal(output.perfdata.find((datum) => datum.label === 'guest-idle balloon')?.value, 0);
  assert.match(output.longText.join('\n'), /^UNKNOWN guest-down: cannot be checked: /m);
});

/** The `key=value` fields of each servicestatus block of a Nagios status.dat, by service description. */
function serviceStatus(statusDat: string): Map<string, Record<string, string>> {
  const services = new Map<string, Record<string, string>>();
  for (const block of statusDat.split(/\n(?=servicestatus \{)/).filter((part) => part.startsWith('servicestatus {'))) {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n').slice(1)) {
      const match = /^\t([a-z_]+)=(.*)$/.exec(line);
      if (match) fields[match[1]!] = match[2]!;
    }
    services.set(fields.service_description ?? '', fields);
  }
  return services;
}

test('a real Nagios 4 runs balloon-check --format nagios: state, output, long output and perfdata arrive as written', { timeout: 60_000 }, async (t) => {
  const nagios = requireCommand(t, 'nagios4', 'nagios4-core');
  if (!nagios) return;
  const temp = tempDir('bi-nagios-');
  t.after(temp.remove);
  const dir = temp.dir;
  mkdirSync(join(dir, 'checkresults'));
  const services: [string, string, string][] = [
    ['seed', SEED, '-w 30 -c 50'],
    ['classic-warning', guestPath('xen-classic-2.6.18'), '-w 40 -c 60'],
    ['idle', guestPath('vmware-idle-nolimit'), ''],
    ['garbage', guestPath('hostile-garbage'), ''],
  ];
  writeFileSync(join(dir, 'nagios.cfg'), [
    `log_file=${dir}/nagios.log`, `cfg_file=${dir}/objects.cfg`, `object_cache_file=${dir}/objects.cache`, `precached_object_file=${dir}/objects.precache`,
    `status_file=${dir}/status.dat`, 'status_update_interval=1', `temp_file=${dir}/nagios.tmp`, `temp_path=${dir}`, `lock_file=${dir}/nagios.lock`,
    `command_file=${dir}/nagios.cmd`, 'check_external_commands=0', `check_result_path=${dir}/checkresults`, 'check_result_reaper_frequency=1',
    `nagios_user=${process.getuid?.() === 0 ? 'root' : process.env.USER}`, `nagios_group=${process.getuid?.() === 0 ? 'root' : process.env.USER}`,
    // Seconds, not minutes, so every service is checked at once at start.
    'interval_length=1', 'max_service_check_spread=1', 'max_host_check_spread=1', 'service_inter_check_delay_method=n', 'host_inter_check_delay_method=n',
    'retain_state_information=0', 'use_syslog=0', 'log_rotation_method=n', 'enable_notifications=0', 'illegal_macro_output_chars=`', 'check_workers=1',
    `query_socket=${dir}/query.sock`, '',
  ].join('\n'));
  const always = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((day) => `  ${day} 00:00-24:00`).join('\n');
  writeFileSync(join(dir, 'objects.cfg'), `define timeperiod {\n  timeperiod_name always\n  alias always\n${always}\n}
define command {\n  command_name noop\n  command_line /bin/true\n}
define command {\n  command_name check_balloon\n  command_line ${process.execPath} ${cliBundle()} --root $ARG1$ --format nagios $ARG2$\n}
define contact {\n  contact_name nobody\n  host_notifications_enabled 0\n  service_notifications_enabled 0\n  host_notification_period always\n  service_notification_period always
  host_notification_options n\n  service_notification_options n\n  host_notification_commands noop\n  service_notification_commands noop\n}
define host {\n  host_name guest\n  address 127.0.0.1\n  check_command noop\n  max_check_attempts 1\n  check_period always\n  notification_period always\n  contacts nobody\n}
${services.map(([name, root, args]) => `define service {\n  host_name guest\n  service_description ${name}\n  check_command check_balloon!${root}!${args}\n  max_check_attempts 1
  check_interval 600\n  retry_interval 600\n  notification_interval 0\n  check_period always\n  notification_period always\n  contacts nobody\n}`).join('\n')}\n`);
  const verify = await runCliAsyncCommand(nagios, ['-v', join(dir, 'nagios.cfg')]);
  assert.match(verify, /Total Errors:\s+0/, verify);
  const daemon = spawn(nagios, [join(dir, 'nagios.cfg')], { stdio: 'ignore', cwd: dir });
  t.after(() => new Promise<void>((resolve) => { if (daemon.exitCode !== null) resolve(); else { daemon.once('exit', () => resolve()); daemon.kill('SIGTERM'); } }));
  const statusPath = join(dir, 'status.dat');
  let status = new Map<string, Record<string, string>>();
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (existsSync(statusPath)) {
      status = serviceStatus(readFileSync(statusPath, 'utf8'));
      if (services.every(([name]) => status.get(name)?.has_been_checked === '1')) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (const [name, root, args] of services) {
    const seen = status.get(name);
    assert.equal(seen?.has_been_checked, '1', `${name} not checked by Nagios within 30 s: ${readFileSync(join(dir, 'nagios.log'), 'utf8').slice(-2000)}`);
    // The same command run here: Nagios must have read exactly this.
    const direct = runCli(['--root', root, '--format', 'nagios', ...args.split(' ').filter(Boolean)]);
    const [first = '', ...long] = direct.stdout.slice(0, -1).split('\n');
    const [text = '', perf = ''] = first.split('|');
    assert.equal(Number(seen!.current_state), direct.status, `${name}: state`);
    assert.equal(seen!.plugin_output, text, `${name}: output`);
    assert.equal(seen!.performance_data, perf, `${name}: perfdata`);
    assert.equal(seen!.long_plugin_output, long.join('\\n'), `${name}: long output`);
  }
  assert.deepEqual(services.map(([name]) => Number(status.get(name)!.current_state)), [2, 1, 0, 3]);
});

/** Runs a command, resolving with stdout and stderr together. */
function runCliAsyncCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.on('close', () => resolve(out));
  });
}



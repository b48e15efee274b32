import assert from 'node:assert/strict';
import test from 'node:test';
import { CHECK_COMMAND, COMMANDS, optionLabel, parseArgsConfig, parseOptions, renderHelp, SERVE_COMMAND, wrap } from '../../src/cli/options';
import { parseCliArgs, USAGE } from '../../src/cli/main';
import { SERVE_USAGE } from '../../src/cli/serve';

// The option table is the one source of the parser, the help, the man page and the completions.

test('every option of every command is in its help, under a section the command has, with text', () => {
  for (const command of COMMANDS) {
    const help = renderHelp(command);
    const names = command.options.map((option) => option.name);
    assert.equal(new Set(names).size, names.length, `${command.words.join(' ')}: an option twice`);
    const shorts = command.options.flatMap((option) => (option.short === undefined ? [] : [option.short]));
    assert.equal(new Set(shorts).size, shorts.length, `${command.words.join(' ')}: a short option twice`);
    for (const option of command.options) {
      assert.ok(help.includes(`  ${optionLabel(option)} `), `${option.name} in the help of ${command.words.join(' ')}`);
      assert.ok(command.sections.some((section) => section.id === option.section), `${option.name}: section ${option.section}`);
      assert.ok(option.help.trim().length > 0 && !option.help.includes('\n'), `${option.name}: one paragraph of help`);
      assert.equal(option.arg !== undefined, option.type === 'string', `${option.name}: an argument name exactly when it takes a value`);
    }
    for (const line of help.split('\n')) assert.ok(line.length <= 100, `help line too long: ${line}`);
  }
  assert.equal(USAGE, renderHelp(CHECK_COMMAND));
  assert.equal(SERVE_USAGE, renderHelp(SERVE_COMMAND));
});

test('the help says what the options do, as before the table', () => {
  for (const text of ['Usage: balloon-check [options]', '--format FORMAT', 'text (default), json, ndjson, markdown, prometheus or nagios', '--ssh DEST',
    'SSH guests and fleets:', '-h, --help', '-V, --version', 'Exit codes (monitoring-plugin convention): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN or usage error.',
    'balloon-check serve [options]: Prometheus exporter']) {
    assert.ok(USAGE.includes(text), text);
  }
  assert.match(SERVE_USAGE, /--listen HOST:PORT +address to listen on \(default 127\.0\.0\.1:10118\)/);
  assert.doesNotMatch(SERVE_USAGE, /--batch +never/, 'serve has no --batch option');
});

test('the parser takes the table: types, short names, repeatable options; unknown options refused', () => {
  const config = parseArgsConfig(CHECK_COMMAND.options);
  assert.deepEqual(config.ssh, { type: 'string', multiple: true });
  assert.deepEqual(config.format, { type: 'string', short: 'f' });
  assert.deepEqual(config.sudo, { type: 'boolean' });
  const values = parseOptions(['-f', 'json', '--ssh', 'a', '--ssh', 'b', '--sudo'], CHECK_COMMAND.options);
  assert.deepEqual({ ...values }, { format: 'json', ssh: ['a', 'b'], sudo: true });
  assert.throws(() => parseOptions(['--nope'], CHECK_COMMAND.options), /Unknown option '--nope'/);
  assert.throws(() => parseOptions(['--batch'], SERVE_COMMAND.options), /Unknown option '--batch'/);
  const options = parseCliArgs(['-f', 'nagios', '-w', '10', '-c', '20', '--ssh', 'h', '--jobs', '3'], { isTty: false, env: {} });
  assert.ok(typeof options === 'object');
  assert.equal(options.format, 'nagios');
  assert.deepEqual(options.ssh.ssh, ['h']);
  assert.equal(options.jobs, 3);
  assert.ok(options.thresholds.warning && options.thresholds.critical);
});

test('wrap: words in lines of at most the width; a longer word alone on its line', () => {
  assert.deepEqual(wrap('aa bb cc', 5), ['aa bb', 'cc']);
  assert.deepEqual(wrap('aa bb', 5), ['aa bb']);
  assert.deepEqual(wrap('  aaaaaaa b  ', 5), ['aaaaaaa', 'b']);
  assert.deepEqual(wrap('', 5), []);
});

// The man page and shell completions come from the CLI's option table (scripts/gen-man.ts), like
// `--help`: the rendered man page says what the built CLI's --help says, and the bash completion,
// driven in a real bash, offers the options, the --format values and the SSH config's Host aliases.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/options';
import { renderBashCompletion, renderManPage, renderZshCompletion } from '../../scripts/gen-man';
import { cliBundle, requireCommand, requireSystem, ROOT } from '../helpers/system';
import { complete, disagreements, helpEntries, manSections, renderMan } from './shell';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bi-dist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function cliHelp(...args: string[]): string {
  const run = spawnSync(process.execPath, [cliBundle(), ...args, '--help'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

/** A home whose ~/.ssh/config has concrete hosts, patterns, negations and an Include, and another config file. */
function sshHome(dir: string): { home: string; other: string } {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'config'), 'Include conf.d/*.conf\nHost web1 web2 *.prod !bad db?\n  User admin\nHost bastion\nhost lower-case\nMatch host web1\n  Port 2222\nHost *\n  ServerAliveInterval 30\n');
  mkdirSync(join(home, '.ssh', 'conf.d'));
  writeFileSync(join(home, '.ssh', 'conf.d', 'lab.conf'), 'Host included-guest lab-?\n');
  const other = join(dir, 'other_config');
  writeFileSync(other, 'Host lab-guest\nHost lab-*\n');
  return { home, other };
}

test('the man page from the option table says what --help says, for balloon-check and serve; man renders it', (t) => {
  const man = requireCommand(t, 'man', 'man-db');
  if (!man) return;
  const file = join(tempDir(t), 'balloon-check.1');
  writeFileSync(file, renderManPage(COMMANDS, version, '2026-01-01'));
  const rendered = renderMan(man, file);
  assert.match(rendered, /^BALLOON-CHECK\(1\)\s+User Commands/m);
  assert.match(rendered, /balloon-inspector 0\.\d+\.\d+\s+2026-01-01/);
  const sections = manSections(rendered);
  assert.deepEqual(disagreements(cliHelp(), sections.get('OPTIONS') ?? ''), []);
  assert.deepEqual(disagreements(cliHelp('serve'), sections.get('SERVE') ?? ''), []);
  // The comparison catches a difference: a help line the man page does not have.
  const edited = cliHelp().replace('plain text even on a terminal', 'plain text everywhere');
  assert.equal(disagreements(edited, sections.get('OPTIONS') ?? '').length, 1);
});

test('bash completion (sourced in a real bash) offers every --help option, the formats and concrete SSH Host aliases', (t) => {
  const bash = requireCommand(t, 'bash', 'bash');
  if (!bash) return;
  const dir = tempDir(t);
  const file = join(dir, 'balloon-check.bash');
  writeFileSync(file, renderBashCompletion(COMMANDS));
  const { home, other } = sshHome(dir);
  const env = { PATH: process.env.PATH, HOME: home };
  const run = (...words: string[]) => complete(bash, `source '${file}'`, ['balloon-check', ...words], env);

  const formats = run('--format', '');
  assert.equal(formats.spec, 'complete -F _balloon_check balloon-check', formats.stderr);
  assert.deepEqual(formats.replies, ['json', 'markdown', 'nagios', 'ndjson', 'prometheus', 'text']);
  assert.deepEqual(run('-f', 'n').replies, ['nagios', 'ndjson']);
  assert.deepEqual(run('--format', '=', 'j').replies, ['json']); // --format=j: bash splits at '='
  assert.deepEqual(run('--ssh', '').replies, ['bastion', 'included-guest', 'lower-case', 'web1', 'web2']);
  assert.deepEqual(run('--ssh', 'root@w').replies, ['root@web1', 'root@web2']);
  assert.deepEqual(run('--ssh-config', other, '--ssh', '').replies, ['lab-guest']);
  assert.deepEqual(run('--all').replies, ['--all-ssh-hosts']);
  assert.deepEqual(run('se').replies, ['serve']);
  assert.deepEqual(run('serve', '--min').replies, ['--min-interval']);
  assert.deepEqual(run('serve', '--form').replies, []);

  const longOptions = (help: string) => helpEntries(help).flatMap((entry) => entry.label.match(/--[a-z-]+/g) ?? []).sort();
  assert.deepEqual(run('--').replies, longOptions(cliHelp()));
  assert.deepEqual(run('serve', '--').replies, longOptions(cliHelp('serve')));
});

test('bash-completion loads the completion on demand from a completions/ directory by the command name', (t) => {
  const bash = requireCommand(t, 'bash', 'bash');
  if (!bash || !requireSystem(t, BASH_COMPLETION, existsSync(BASH_COMPLETION), 'apt-get install bash-completion')) return;
  const dir = tempDir(t);
  mkdirSync(join(dir, 'user', 'completions'), { recursive: true });
  writeFileSync(join(dir, 'user', 'completions', 'balloon-check'), renderBashCompletion(COMMANDS));
  const { home } = sshHome(dir);
  const env = { PATH: process.env.PATH, HOME: home, BASH_COMPLETION_USER_DIR: join(dir, 'user') };
  const result = complete(bash, `source ${BASH_COMPLETION}; __load_completion balloon-check`, ['balloon-check', '--format', 'p'], env);
  assert.equal(result.spec, 'complete -F _balloon_check balloon-check', result.stderr);
  assert.deepEqual(result.replies, ['prometheus']);
});

test('zsh completion parses in a real zsh, is a #compdef for balloon-check, and finds the same Host aliases', (t) => {
  const zsh = requireCommand(t, 'zsh', 'zsh');
  if (!zsh) return;
  const dir = tempDir(t);
  writeFileSync(join(dir, '_balloon-check'), renderZshCompletion(COMMANDS));
  const text = readFileSync(join(dir, '_balloon-check'), 'utf8');
  assert.match(text, /^#compdef balloon-check\n/);
  assert.match(text, /:FORMAT:\(text json ndjson markdown prometheus nagios\)/);
  const check = spawnSync(zsh, ['-n', join(dir, '_balloon-check')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  // compinit finds it on $fpath and binds it to the command.
  const bound = spawnSync(zsh, ['-f', '-c', `fpath=(${dir} $fpath); autoload -Uz compinit; compinit -u -d ${dir}/zcompdump; print -r -- $_comps[balloon-check]`], { encoding: 'utf8' });
  assert.equal(bound.stdout.trim(), '_balloon-check', bound.stderr);
  // Its Host aliases: the same concrete names as bash's, Includes followed.
  const { home } = sshHome(dir);
  const hosts = spawnSync(zsh, ['-f', '-c', `source ${dir}/_balloon-check 2>/dev/null; _balloon_check_config_hosts $HOME/.ssh/config 0`], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home } });
  assert.deepEqual(hosts.stdout.split('\n').filter(Boolean).sort(), ['bastion', 'included-guest', 'lower-case', 'web1', 'web2']);
});

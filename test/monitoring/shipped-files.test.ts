import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { parse as parseYaml } from 'yaml';
import { fleetPrometheus } from '../../src/cli/fleet';
import { committedGuests, guestPath, runCli, tempDir } from '../helpers/guests';
import { cliBundle, requireCommand, ROOT } from '../helpers/system';
import { scrape, startServe } from './exporter';

// The files under monitoring/: Prometheus alert rules (promtool), the Grafana dashboard, systemd units.

const MONITORING = join(ROOT, 'monitoring');
const RULES = join(MONITORING, 'prometheus', 'balloon-inspector.rules.yml');
const RULE_TESTS = join(MONITORING, 'prometheus', 'balloon-inspector.rules.test.yml');
const DASHBOARD = join(MONITORING, 'grafana', 'balloon-inspector.dashboard.json');

interface Rule { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }
const rules = (): Rule[] => (parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);

test('alert rules pass promtool check rules and their unit tests; the unit tests fail on a broken copy', (t) => {
  const promtool = requireCommand(t, 'promtool', 'prometheus');
  if (!promtool) return;
  const check = spawnSync(promtool, ['check', 'rules', RULES], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const unit = spawnSync(promtool, ['test', 'rules', RULE_TESTS], { encoding: 'utf8', cwd: join(MONITORING, 'prometheus') });
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
  // The same tests against rules that would miss the seed (limit compared the wrong way round) must fail.
  const temp = tempDir('bi-rules-');
  t.after(temp.remove);
  cpSync(RULE_TESTS, join(temp.dir, 'balloon-inspector.rules.test.yml'));
  const broken = readFileSync(RULES, 'utf8').replace('balloon_inspector_memory_limit_bytes < balloon_inspector_memory_configured_bytes', 'balloon_inspector_memory_limit_bytes > balloon_inspector_memory_configured_bytes');
  writeFileSync(join(temp.dir, 'balloon-inspector.rules.yml'), broken);
  const failing = spawnSync(promtool, ['test', 'rules', 'balloon-inspector.rules.test.yml'], { encoding: 'utf8', cwd: temp.dir });
  assert.notEqual(failing.status, 0, 'unit tests passed against broken rules');
  assert.match(failing.stdout + failing.stderr, /BalloonInspectorLimitBelowConfigured/);
});

test('every alert has severity, summary, description and a runbook_url to an article or README section that exists', () => {
  const names = new Set<string>();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const rule of rules()) {
    assert.ok(!names.has(rule.alert), `${rule.alert} twice`);
    names.add(rule.alert);
    assert.match(rule.alert, /^BalloonInspector[A-Z][A-Za-z]+$/);
    assert.ok(['warning', 'critical'].includes(rule.labels.severity ?? ''), `${rule.alert}: severity`);
    for (const key of ['summary', 'description', 'runbook_url']) assert.ok(rule.annotations[key]?.trim(), `${rule.alert}: no ${key}`);
    const url = /^https:\/\/github\.com\/balloon-inspector\/balloon-inspector\/blob\/main\/(.+?)(?:#(.+))?$/.exec(rule.annotations.runbook_url!);
    assert.ok(url, `${rule.alert}: runbook_url ${rule.annotations.runbook_url}`);
    assert.ok(existsSync(join(ROOT, url[1]!)), `${rule.alert}: ${url[1]} does not exist`);
    if (url[2]) assert.ok(readme.split('\n').some((line) => /^#+ /.test(line) && githubAnchor(line) === url[2]), `${rule.alert}: no README heading for #${url[2]}`);
  }
  for (const expected of ['BalloonInspectorBalloonLarge', 'BalloonInspectorLimitBelowConfigured', 'BalloonInspectorBalloonInflatingFast', 'BalloonInspectorHostSwapping', 'BalloonInspectorGuestNotChecked']) {
    assert.ok(names.has(expected), `no ${expected}`);
  }
  // Each alert has a unit test that makes it fire.
  const unit = readFileSync(RULE_TESTS, 'utf8');
  for (const name of names) assert.match(unit, new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `${name} never fires in the unit tests`);
});

/** GitHub's anchor for a Markdown heading. */
function githubAnchor(heading: string): string {
  return heading.replace(/^#+\s*/, '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

/** Metric names a PromQL expression reads (identifiers that are not functions, keywords, labels or durations). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(match.index! + match[0].length).trimStart();
    if (after.startsWith('(') || keywords.has(match[0].toLowerCase())) continue;
    names.push(match[0]);
  }
  return names;
}

/** Every metric name the project exports: textfile output of every guest, fleet and exporter health series, seen for real. */
async function exportedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const collect = (text: string) => { for (const line of text.split('\n')) if (line.startsWith('# TYPE ')) names.add(line.split(' ')[2]!); };
  for (const name of committedGuests()) collect(runCli(['--root', guestPath(name), '--format', 'prometheus', ...(name === 'hostile-hanging-tool' ? ['--tool-timeout', '1'] : [])]).stdout);
  // A failing probe shows the last-error families; fleet families come from fleet.ts's renderer.
  const failing = await startServe(['--root', guestPath('hostile-hanging-tool'), '--run-snapshot-tools', '--tool-timeout', '30', '--probe-timeout', '1']);
  try { collect((await scrape(`${failing.url}/metrics`)).body); } finally { await failing.stop(); }
  collect(fleetPrometheus([{ hostError: { target: { kind: 'ssh', name: 'x' }, collectedAt: new Date().toISOString(), error: { kind: 'refused', message: 'm' } } }]));
  return names;
}

test('Grafana dashboard: valid structure, and every query names only metrics we export', async () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string; title: string; schemaVersion: number; panels: { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets: { refId: string; expr: string }[] }[];
    templating: { list: { name: string; type: string; query: unknown }[] };
  };
  assert.equal(typeof dashboard.uid, 'string');
  assert.ok(dashboard.title);
  assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 30);
  const ids = new Set<number>();
  const exported = await exportedNames();
  assert.ok(exported.has('balloon_inspector_balloon_bytes') && exported.has('balloon_inspector_probe_success') && exported.has('balloon_inspector_host_up'), [...exported].join(' '));
  const queries: string[] = [];
  for (const panel of dashboard.panels) {
    assert.ok(!ids.has(panel.id), `panel id ${panel.id} twice`);
    ids.add(panel.id);
    assert.ok(['timeseries', 'stat', 'bargauge', 'table', 'gauge'].includes(panel.type), `${panel.title}: type ${panel.type}`);
    const { x, y, w, h } = panel.gridPos;
    assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${panel.title}: gridPos`);
    assert.ok(panel.targets.length > 0, `${panel.title}: no query`);
    const refIds = panel.targets.map((target) => target.refId);
    assert.equal(new Set(refIds).size, refIds.length, `${panel.title}: refId twice`);
    for (const target of panel.targets) queries.push(target.expr);
  }
  for (const variable of dashboard.templating.list) if (variable.type === 'query') queries.push(String((variable.query as { query: string }).query ?? variable.query).replace(/^label_values\(([^,]+),.*\)$/, '$1'));
  // The dashboard covers what the issue asks: balloon vs configured, limit, trend, top guests.
  const all = queries.join('\n');
  for (const wanted of ['balloon_inspector_balloon_bytes', 'balloon_inspector_memory_configured_bytes', 'balloon_inspector_memory_limit_bytes', 'deriv(', 'topk(']) assert.ok(all.includes(wanted), `dashboard lacks ${wanted}`);
  for (const query of queries) {
    const names = promqlMetricNames(query);
    assert.ok(names.length > 0, `no metric in ${query}`);
    for (const name of names) assert.ok(exported.has(name), `dashboard query names ${name}, which we do not export: ${query}`);
  }
  // The alert rules too.
  for (const rule of rules()) for (const name of promqlMetricNames(rule.expr)) if (name !== 'time') assert.ok(exported.has(name), `${rule.alert} reads ${name}, which we do not export`);
  // The checker itself catches a misspelt metric.
  assert.deepEqual(promqlMetricNames('topk(10, balloon_inspector_ballon_bytes{job=~"$job"}) / on(host) x[5m]'), ['balloon_inspector_ballon_bytes', 'x']);
});

test('systemd units pass systemd-analyze verify (warnings count as failures)', (t) => {
  const analyze = requireCommand(t, 'systemd-analyze', 'systemd');
  if (!analyze) return;
  const temp = tempDir('bi-units-');
  t.after(temp.remove);
  const units = readdirSync(join(MONITORING, 'systemd')).filter((name) => /\.(service|timer)$/.test(name)).sort();
  assert.deepEqual(units, ['balloon-inspector-exporter.service', 'balloon-inspector.service', 'balloon-inspector.timer']);
  for (const unit of units) {
    const text = readFileSync(join(MONITORING, 'systemd', unit), 'utf8');
    // verify checks that ExecStart exists: point it at the built CLI, and the textfile directory at a temp one.
    writeFileSync(join(temp.dir, unit), text.replaceAll('/usr/local/bin/balloon-check', cliBundle()).replaceAll('/var/lib/prometheus/node-exporter', temp.dir));
  }
  const run = spawnSync(analyze, ['verify', ...units.map((unit) => join(temp.dir, unit))], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(run.stderr.trim(), '', `systemd-analyze warns:\n${run.stderr}`);
  // The timer's service writes the textfile atomically, and WARNING/CRITICAL/UNKNOWN verdicts do not fail the unit.
  const service = readFileSync(join(MONITORING, 'systemd', 'balloon-inspector.service'), 'utf8');
  assert.match(service, /^ExecStart=\/usr\/local\/bin\/balloon-check --format prometheus --output \/var\/lib\/prometheus\/node-exporter\/balloon_inspector\.prom$/m);
  assert.match(service, /^SuccessExitStatus=1 2 3$/m);
  // A broken copy must be caught: an unknown key is reported.
  writeFileSync(join(temp.dir, 'balloon-inspector.service'), service.replaceAll('/usr/local/bin/balloon-check', cliBundle()).replace('Nice=10', 'Nicee=10'));
  const broken = spawnSync(analyze, ['verify', join(temp.dir, 'balloon-inspector.service')], { encoding: 'utf8' });
  assert.match(broken.stderr, /Unknown key 'Nicee'/);
});

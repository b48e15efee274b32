import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { guestPath, tempDir } from '../helpers/guests';
import { freePort, requireSshLab, SshLab } from '../helpers/sshd';
import { requireCommand, ROOT } from '../helpers/system';
import { scrape, startServe, type Exporter } from './exporter';
import { sshFleet } from './ssh-fleet';

// A real Prometheus server (Debian's prometheus package) on loopback, with temp config and storage,
// scraping `balloon-check serve`: a simulated guest, a small SSH fleet on loopback sshd (one host
// down) as /metrics and as /probe?target= with blackbox-style relabelling. It evaluates the shipped
// alert rules, with every `for:` shortened to 2 s.

const SEED = guestPath('vmware-limit-12g-of-32g');
const RULES = join(ROOT, 'monitoring', 'prometheus', 'balloon-inspector.rules.yml');

interface PromSeries { metric: Record<string, string>; value: [number, string] }
interface PromAlert { labels: Record<string, string>; annotations: Record<string, string>; state: string }

async function api<T>(base: string, path: string): Promise<T> {
  const response = await scrape(`${base}${path}`);
  assert.equal(response.status, 200, `${path}: ${response.body}`);
  const parsed = JSON.parse(response.body) as { status: string; data: T };
  assert.equal(parsed.status, 'success');
  return parsed.data;
}

/** Polls `check` until it returns a value (not undefined) or `ms` pass. */
async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms${last ? ` (${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('a real Prometheus scrapes serve (guest, SSH fleet, /probe) and the shipped limit alert fires', { timeout: 90_000 }, async (t) => {
  const prometheusBin = requireCommand(t, 'prometheus', 'prometheus');
  if (!prometheusBin) return;
  const temp = tempDir('bi-prom-');
  const cleanups: (() => Promise<void> | void)[] = [temp.remove];
  t.after(async () => { for (const cleanup of cleanups.reverse()) await cleanup(); });

  const exporters: Exporter[] = [];
  const local = await startServe(['--root', SEED, '--min-interval', '1']);
  exporters.push(local);
  cleanups.push(local.stop);
  let fleet: Exporter | undefined;
  if (requireSshLab(t)) {
    const lab = new SshLab();
    cleanups.push(() => lab.cleanup());
    const ssh = await sshFleet(lab);
    fleet = await startServe(['--ssh-config', ssh.config, '--all-ssh-hosts', '--connect-timeout', '2', '--probe-timeout', '5', '--min-interval', '1'], { ...process.env, HOME: ssh.home });
    cleanups.push(fleet.stop);
  }

  // The shipped rules, `for:` shortened so pending turns firing within the test.
  const rules = readFileSync(RULES, 'utf8').replace(/^(\s+for: )\d+[smh]$/gm, '$12s');
  assert.notEqual(rules, readFileSync(RULES, 'utf8'));
  writeFileSync(join(temp.dir, 'rules.yml'), rules);
  const hostOf = (exporter: Exporter) => new URL(exporter.url).host;
  const scrapeConfigs = [
    `  - job_name: balloon-local\n    static_configs:\n      - targets: ['${hostOf(local)}']`,
    ...(fleet ? [
      `  - job_name: balloon-fleet\n    static_configs:\n      - targets: ['${hostOf(fleet)}']`,
      // blackbox_exporter style: the target becomes ?target=, the exporter the address.
      `  - job_name: balloon-probe\n    metrics_path: /probe\n    static_configs:\n      - targets: ['guest-seed', 'guest-idle']\n    relabel_configs:\n` +
      `      - source_labels: [__address__]\n        target_label: __param_target\n      - source_labels: [__param_target]\n        target_label: instance\n` +
      `      - target_label: __address__\n        replacement: '${hostOf(fleet)}'`,
    ] : []),
  ];
  writeFileSync(join(temp.dir, 'prometheus.yml'), [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s',
    'rule_files:', `  - ${join(temp.dir, 'rules.yml')}`, 'scrape_configs:', ...scrapeConfigs, ''].join('\n'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(prometheusBin, [`--config.file=${join(temp.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(temp.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => { log += chunk.slice(0, 20_000); });
  cleanups.push(() => new Promise<void>((resolve) => { if (server.exitCode !== null) resolve(); else { server.once('exit', () => resolve()); server.kill('SIGTERM'); } }));
  await eventually(`Prometheus ready (log: ${log.slice(-500)})`, 20_000, async () => ((await scrape(`${base}/-/ready`)).status === 200 ? true : undefined));

  // Every target up: each scrape parsed (Prometheus 2.42 asks for OpenMetrics first).
  const targets = await eventually('every target up', 20_000, async () => {
    const data = await api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>(base, '/api/v1/targets');
    return data.activeTargets.length === scrapeConfigs.length + (fleet ? 1 : 0) && data.activeTargets.every((target) => target.health === 'up') ? data.activeTargets : undefined;
  });
  t.diagnostic(`targets: ${targets.map((target) => `${target.labels.job}/${target.labels.instance}`).join(', ')}`);

  const query = (promql: string) => api<{ result: PromSeries[] }>(base, `/api/v1/query?query=${encodeURIComponent(promql)}`).then((data) => data.result);
  const seedBalloon = await eventually('balloon series of the local guest', 15_000, async () => {
    const result = await query('balloon_inspector_balloon_bytes{job="balloon-local"}');
    return result.length ? result : undefined;
  });
  assert.equal(seedBalloon.length, 1);
  assert.equal(Number(seedBalloon[0]!.value[1]), 21474836480);
  assert.equal(Number((await query('balloon_inspector_memory_limit_bytes{job="balloon-local"}'))[0]?.value[1]), 12884901888);
  assert.equal(Number((await query('balloon_inspector_probe_success{job="balloon-local"}'))[0]?.value[1]), 1);
  // Prometheus asked for OpenMetrics and parsed it: its metadata has the OpenMetrics family names
  // (counter `balloon_inspector_probes`, info `balloon_inspector`), which the text format does not have.
  const metadata = await api<{ metric: string; type: string }[]>(base, `/api/v1/targets/metadata?match_target=${encodeURIComponent('{job="balloon-local"}')}`);
  const types = new Map(metadata.map((entry) => [entry.metric, entry.type]));
  assert.equal(types.get('balloon_inspector_probes'), 'counter', JSON.stringify(metadata.slice(0, 5)));
  assert.equal(types.get('balloon_inspector'), 'info');

  if (fleet) {
    // Fleet: every series labelled with the SSH host; the dead host is down with its reason.
    const byHost = await eventually('fleet balloon series', 20_000, async () => {
      const result = await query('balloon_inspector_balloon_bytes{job="balloon-fleet"}');
      return result.length === 2 ? new Map(result.map((series) => [series.metric.host, Number(series.value[1])])) : undefined;
    });
    assert.equal(byHost.get('guest-seed'), 21474836480);
    assert.equal(byHost.get('guest-idle'), 0);
    const up = new Map((await query('balloon_inspector_host_up{job="balloon-fleet"}')).map((series) => [series.metric.host, Number(series.value[1])]));
    assert.deepEqual(Object.fromEntries(up), { 'guest-seed': 1, 'guest-idle': 1, 'guest-down': 0 });
    const failed = await query('balloon_inspector_probe_success{job="balloon-fleet"} == 0');
    assert.deepEqual(failed.map((series) => series.metric.host), ['guest-down']);
    // /probe: one host per target, told apart by the relabelled instance.
    const probed = await eventually('/probe series', 15_000, async () => {
      const result = await query('balloon_inspector_balloon_bytes{job="balloon-probe"}');
      return result.length === 2 ? new Map(result.map((series) => [series.metric.instance, Number(series.value[1])])) : undefined;
    });
    assert.equal(probed.get('guest-seed'), 21474836480);
    assert.equal(probed.get('guest-idle'), 0);
    // Only the exporter's own hosts: /probe is not a way to make it connect anywhere.
    assert.equal((await scrape(`${fleet.url}/probe?target=${encodeURIComponent('evil.example:22')}`)).status, 400);
    assert.equal((await scrape(`${fleet.url}/probe`)).status, 400);
  }

  // The shipped rule, pending then firing, for the seed's limit (and for the fleet's seed host only).
  const firing = await eventually('BalloonInspectorLimitBelowConfigured firing', 20_000, async () => {
    const data = await api<{ alerts: PromAlert[] }>(base, '/api/v1/alerts');
    const alerts = data.alerts.filter((alert) => alert.labels.alertname === 'BalloonInspectorLimitBelowConfigured' && alert.state === 'firing');
    return alerts.length === (fleet ? 3 : 1) ? alerts : undefined;
  });
  const local0 = firing.find((alert) => alert.labels.job === 'balloon-local')!;
  assert.equal(local0.labels.severity, 'critical');
  assert.match(local0.annotations.summary ?? '', new RegExp(`Memory limit of ${hostOf(local).replace(/\./g, '\\.')} is below`));
  assert.match(local0.annotations.description ?? '', /limits .* to 12GiB/);
  assert.match(local0.annotations.runbook_url ?? '', /knowledge\/limit-below-configured\.md$/);
  if (fleet) {
    assert.deepEqual(firing.filter((alert) => alert.labels.job === 'balloon-fleet').map((alert) => alert.labels.host), ['guest-seed']);
    assert.match(firing.find((alert) => alert.labels.host === 'guest-seed')!.annotations.summary ?? '', /Memory limit of guest-seed is below/);
    // The unreachable host: the "cannot be checked" rule.
    await eventually('BalloonInspectorGuestNotChecked for guest-down', 15_000, async () => {
      const data = await api<{ alerts: PromAlert[] }>(base, '/api/v1/alerts');
      const hosts = data.alerts.filter((alert) => alert.labels.alertname === 'BalloonInspectorGuestNotChecked' && alert.state === 'firing').map((alert) => alert.labels.host);
      return hosts.length && hosts.every((host) => host === 'guest-down') ? hosts : undefined;
    });
  }
  // A healthy figure never fires: the idle guest has no balloon, the local seed no host swapping.
  const quiet = await api<{ alerts: PromAlert[] }>(base, '/api/v1/alerts');
  assert.ok(!quiet.alerts.some((alert) => alert.labels.host === 'guest-idle' || alert.labels.instance === 'guest-idle'), 'an alert for the idle guest');
  assert.ok(!quiet.alerts.some((alert) => alert.labels.alertname === 'BalloonInspectorHostSwapping'), 'host swapping alert without host swapping');
  assert.doesNotMatch(log, /level=error/, log);
});

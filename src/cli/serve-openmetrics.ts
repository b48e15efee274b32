// Content negotiation and the OpenMetrics 1.0 form of the exporter's Prometheus text.

export const PROMETHEUS_TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Whether the Accept header prefers OpenMetrics (by q-value) over the Prometheus text format. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetrics = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text;
}

/**
 * Prometheus text → OpenMetrics: a counter's family drops `_total` (its sample keeps it), a gauge
 * named `*_info` becomes an info family, and the exposition ends with `# EOF`. Samples are unchanged,
 * so Prometheus stores the same series whichever format it scraped.
 */
export function toOpenMetrics(text: string): string {
  const lines = text.split('\n').filter((line) => line !== '');
  const rename = new Map<string, { family: string; type: string }>();
  for (const line of lines) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (!match) continue;
    const [, name = '', type = ''] = match;
    if (type === 'counter' && name.endsWith('_total')) rename.set(name, { family: name.slice(0, -'_total'.length), type });
    else if (type === 'gauge' && name.endsWith('_info')) rename.set(name, { family: name.slice(0, -'_info'.length), type: 'info' });
  }
  const out = lines.map((line) => {
    const match = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    const renamed = match && rename.get(match[2]!);
    if (!match || !renamed) return line;
    return match[1] === 'TYPE' ? `# TYPE ${renamed.family} ${renamed.type}` : `# HELP ${renamed.family} ${match[3]}`;
  });
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

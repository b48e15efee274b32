// A strict reader of monitoring-plugin output, written from the monitoring-plugins development
// guidelines (https://www.monitoring-plugins.org/doc/guidelines.html, "Plugin Output" and
// "Performance data"), independent of src/core/render/nagios.ts: it is the consumer the tests
// hold our output against.

export interface PerfDatum { label: string; value: number; uom: string; warn: string; crit: string; min: string; max: string }
export interface PluginOutput { text: string; longText: string[]; perfdata: PerfDatum[] }

/** Units of measure: the guidelines' s/ms/us, %, B/KB/MB/TB, c, and GB, which every consumer (Nagios graphers, Icinga 2) reads. */
const UOMS = new Set(['', 's', 'ms', 'us', '%', 'B', 'KB', 'MB', 'GB', 'TB', 'c']);
const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/;
/** A threshold range: [@][start:]end, start a number or ~, end a number or empty after a colon. */
const RANGE = /^@?((-?(\d+(\.\d+)?|\.\d+)|~):)?(-?(\d+(\.\d+)?|\.\d+))?$/;

function parseDatum(token: string): PerfDatum {
  let label: string;
  let rest: string;
  if (token.startsWith("'")) {
    const close = token.indexOf("'=", 1);
    if (close < 0) throw new Error(`perfdata ${JSON.stringify(token)}: quoted label without closing quote before =`);
    label = token.slice(1, close);
    rest = token.slice(close + 2);
  } else {
    const equals = token.indexOf('=');
    if (equals <= 0) throw new Error(`perfdata ${JSON.stringify(token)}: no label=value`);
    label = token.slice(0, equals);
    rest = token.slice(equals + 1);
  }
  if (!label || /[=']/.test(label)) throw new Error(`perfdata label ${JSON.stringify(label)}: empty or holds = or '`);
  const fields = rest.split(';');
  if (fields.length > 5) throw new Error(`perfdata ${JSON.stringify(token)}: more than 5 fields`);
  const [valueField = '', warn = '', crit = '', min = '', max = ''] = fields;
  const match = /^(-?[0-9.]+)([a-zA-Z%]*)$/.exec(valueField);
  if (!match || !NUMBER.test(match[1]!)) throw new Error(`perfdata ${JSON.stringify(token)}: value ${JSON.stringify(valueField)} is not a number`);
  const uom = match[2]!;
  if (!UOMS.has(uom)) throw new Error(`perfdata ${JSON.stringify(token)}: unit ${JSON.stringify(uom)} is not one of the guidelines'`);
  for (const [name, range] of [['warn', warn], ['crit', crit]] as const) {
    if (range && !RANGE.test(range)) throw new Error(`perfdata ${JSON.stringify(token)}: ${name} ${JSON.stringify(range)} is not a range`);
  }
  for (const [name, bound] of [['min', min], ['max', max]] as const) {
    if (bound && !NUMBER.test(bound)) throw new Error(`perfdata ${JSON.stringify(token)}: ${name} ${JSON.stringify(bound)} is not a number (same unit as the value, no unit written)`);
  }
  return { label, value: Number(match[1]), uom, warn, crit, min, max };
}

/** Perfdata is space-separated; a quoted label may hold spaces. */
function parsePerfdata(text: string): PerfDatum[] {
  const tokens: string[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] === ' ') { index++; continue; }
    let end = index;
    if (text[index] === "'") {
      const close = text.indexOf("'=", index + 1);
      if (close < 0) throw new Error(`perfdata: unterminated quoted label at ${JSON.stringify(text.slice(index, index + 40))}`);
      end = close + 2;
    }
    while (end < text.length && text[end] !== ' ') end++;
    tokens.push(text.slice(index, end));
    index = end;
  }
  return tokens.map(parseDatum);
}

/** Parses plugin stdout; throws on anything the guidelines do not allow. */
export function parsePluginOutput(stdout: string): PluginOutput {
  if (!stdout.endsWith('\n')) throw new Error('output does not end with a newline');
  const lines = stdout.slice(0, -1).split('\n');
  const [first = '', ...rest] = lines;
  if (!first.trim()) throw new Error('empty first line');
  const firstParts = first.split('|');
  if (firstParts.length > 2) throw new Error('more than one | on the first line');
  const perfdata = firstParts[1] !== undefined ? parsePerfdata(firstParts[1]) : [];
  const longText: string[] = [];
  let inPerf = false;
  for (const line of rest) {
    if (inPerf) { perfdata.push(...parsePerfdata(line)); continue; }
    const bar = line.indexOf('|');
    if (bar < 0) { longText.push(line); continue; }
    if (line.indexOf('|', bar + 1) >= 0) throw new Error('more than one | in a long-output line');
    longText.push(line.slice(0, bar));
    perfdata.push(...parsePerfdata(line.slice(bar + 1)));
    inPerf = true;
  }
  const labels = new Set<string>();
  for (const datum of perfdata) {
    if (labels.has(datum.label)) throw new Error(`perfdata label ${JSON.stringify(datum.label)} twice`);
    labels.add(datum.label);
  }
  return { text: firstParts[0]!.trimEnd(), longText, perfdata };
}

/** The state word a plugin's first line carries (`BALLOON CRITICAL - ...`) and the exit code it must go with. */
export const STATE_CODES: Record<string, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };
export function stateOf(text: string): string {
  const match = /^BALLOON (OK|WARNING|CRITICAL|UNKNOWN) - \S/.exec(text);
  if (!match) throw new Error(`first line is not "BALLOON STATE - text": ${JSON.stringify(text.slice(0, 80))}`);
  return match[1]!;
}

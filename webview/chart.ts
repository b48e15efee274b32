import type { Report } from '../src/core/report';
import { formatBytes } from '../src/shared/units';
import type { Lang } from '../src/shared/i18n';
import { fillText, PAGE_TEXT_EN, type PageText } from '../src/shared/pageText';
import type { TrendPoint } from '../src/shared/protocol';
import { memorySplit } from '../src/shared/presentation';
import { html, type Raw } from './html';

/** DOM-free SVG for the report page. Colours come from CSS classes (theme variables), never inline styles: the CSP forbids them. */

const WIDTH = 640;
const BAR_TOP = 28;
const BAR_HEIGHT = 36;

/** `text` and `lang`: the model's (the display language); English by default. */
export function memoryChartSvg(report: Report, text: PageText = PAGE_TEXT_EN, lang: Lang = 'en'): Raw {
  const segments = memorySplit(report);
  if (!segments) {
    return html`<svg id="memory-chart" class="memory-chart" viewBox="0 0 ${WIDTH} 40" role="img" aria-label="${text.chartUnknown}"><text class="chart-label" x="0" y="24">${text.chartUnknownLong}</text></svg>`;
  }
  const bytes = (value: number) => formatBytes(value, lang);
  const scale = (bytes: number) => Math.max(0, (bytes / segments.configured) * WIDTH);
  const parts: { key: 'used' | 'balloon' | 'available'; bytes: number; label: string }[] = [
    { key: 'used', bytes: segments.used, label: text.used },
    { key: 'balloon', bytes: segments.balloon, label: text.balloon },
    { key: 'available', bytes: segments.available, label: text.available },
  ];
  let x = 0;
  const rects = parts.map((part) => {
    const width = Math.min(scale(part.bytes), WIDTH - x);
    const rect = html`<rect class="seg seg-${part.key}" data-part="${part.key}" data-bytes="${part.bytes}" x="${x.toFixed(1)}" y="${BAR_TOP}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}"><title>${part.label} ${bytes(part.bytes)}</title></rect>`;
    x += width;
    return rect;
  });
  const limit = segments.limit;
  const limitMark = limit !== null && limit < segments.configured
    ? html`<g class="limit" data-part="limit" data-bytes="${limit}"><line class="limit-line" x1="${scale(limit).toFixed(1)}" x2="${scale(limit).toFixed(1)}" y1="${BAR_TOP - 10}" y2="${BAR_TOP + BAR_HEIGHT + 6}"/><text class="chart-label limit-label" x="${Math.min(scale(limit) + 4, WIDTH - 150).toFixed(1)}" y="${BAR_TOP - 12}">${fillText(text.limit, bytes(limit))}</text></g>`
    : '';
  const legendY = BAR_TOP + BAR_HEIGHT + 26;
  const legend = [
    ...parts.map((part) => ({ key: part.key, text: `${part.label} ${bytes(part.bytes)}` })),
    { key: 'configured', text: `${text.configured} ${bytes(segments.configured)}` },
  ];
  const legendItems = legend.map((item, index) => html`<g class="legend-item" transform="translate(${index * 160}, ${legendY})"><rect class="swatch seg-${item.key}" x="0" y="-10" width="12" height="12"/><text class="chart-label" x="18" y="0">${item.text}</text></g>`);
  const aria = fillText(text.chartAria, `${legend.map((item) => item.text).join(', ')}${limit !== null ? `, ${fillText(text.limit, bytes(limit))}` : ''}`);
  return html`<svg id="memory-chart" class="memory-chart" viewBox="0 0 ${WIDTH} ${legendY + 10}" role="img" aria-label="${aria}"><rect class="frame" x="0" y="${BAR_TOP}" width="${WIDTH}" height="${BAR_HEIGHT}"/>${rects}${limitMark}${legendItems}</svg>`;
}

/** A sparkline of the balloon size over the watch samples, or nothing with fewer than two known points. */
export function balloonTrendSvg(points: readonly TrendPoint[], text: PageText = PAGE_TEXT_EN, lang: Lang = 'en'): Raw | null {
  const known = points.filter((point): point is { at: string; balloonBytes: number } => point.balloonBytes !== null && Number.isFinite(Date.parse(point.at)));
  if (known.length < 2) return null;
  const width = 320;
  const height = 60;
  const times = known.map((point) => Date.parse(point.at));
  const values = known.map((point) => point.balloonBytes);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const spanT = t1 - t0 || 1;
  const spanV = high - low || 1;
  const coords = known.map((point, index) => {
    const px = ((times[index] - t0) / spanT) * (width - 8) + 4;
    const py = high === low ? height / 2 : height - 6 - ((point.balloonBytes - low) / spanV) * (height - 12);
    return `${px.toFixed(1)},${py.toFixed(1)}`;
  });
  const first = values[0];
  const last = values[values.length - 1];
  const delta = last - first;
  const bytes = (value: number) => formatBytes(value, lang);
  const label = fillText(text.trendAria, bytes(first), bytes(last), `${delta >= 0 ? '+' : ''}${bytes(delta)}`, known.length);
  return html`<svg id="balloon-trend" class="balloon-trend" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}"><polyline class="trend-line" points="${coords.join(' ')}"/><text class="chart-label" x="4" y="12">${fillText(text.trendMax, bytes(high))}</text><text class="chart-label" x="4" y="${height - 2}">${fillText(text.trendMin, bytes(low))}</text></svg>`;
}

/**
 * Line charts as SVG markup, drawn with the conventions of report.html (its Vega-Lite charts):
 * Vega's "tableau10" colours assigned to the series names in sorted order, a line with points
 * for the mean, a min-max band over seeds at 0.18 opacity, log scales where the report uses
 * them, a gap for every missing or non-finite value, the legend below. Pure: runs in the page
 * and in Node's tests alike. Presentation attributes only (the page's CSP allows no inline style).
 */

/** Vega's default categorical scheme (tableau10), which report.html's charts use. */
export const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

export interface Point {
  x: number;
  /** null or non-finite: a gap. */
  y: number | null;
  min?: number | null;
  max?: number | null;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface ChartOptions {
  xLabel: string;
  yLabel: string;
  log?: boolean;
  /** Every series name that may appear, for colours that do not move as series arrive. */
  domain?: string[];
  width?: number;
  height?: number;
  /** x axis ticks at whole numbers only (epochs, layers). */
  integerX?: boolean;
}

const MARGIN = { left: 58, right: 14, top: 10, bottom: 38 };

/** Colour of a series: its rank in the sorted domain, as Vega-Lite does for a nominal field. */
export function colourOf(name: string, domain: string[]): string {
  const sorted = [...new Set(domain)].sort();
  const k = sorted.indexOf(name);
  return TABLEAU10[(k < 0 ? sorted.length : k) % TABLEAU10.length];
}

export function lineChart(series: Series[], opts: ChartOptions): string {
  const width = opts.width ?? 460;
  const height = opts.height ?? 260;
  const usable = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && (!opts.log || v > 0);
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.min, p.max])).filter(usable);
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).filter(Number.isFinite);
  if (!ys.length || !xs.length) return '';
  const tf = opts.log ? Math.log10 : (v: number) => v;
  const yTicks = opts.log ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(Math.min(...ys), Math.max(...ys));
  const [y0, y1] = [tf(yTicks[0]), tf(yTicks[yTicks.length - 1])];
  const xTicks = opts.integerX ? integerTicks(Math.min(...xs), Math.max(...xs)) : niceTicks(Math.min(...xs), Math.max(...xs));
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + (x1 === x0 ? plotW / 2 : ((x - x0) / (x1 - x0)) * plotW);
  const py = (y: number) => MARGIN.top + plotH - (y1 === y0 ? plotH / 2 : ((tf(y) - y0) / (y1 - y0)) * plotH);
  const domain = opts.domain ?? series.map((s) => s.name);
  const legendRows = Math.ceil(series.length / 2);
  const total = height + 8 + legendRows * 18;

  const grid = yTicks.map((t) => `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${r(py(t))}" y2="${r(py(t))}" stroke="#ddd" stroke-width="1"/><text x="${MARGIN.left - 6}" y="${r(py(t)) + 4}" text-anchor="end" font-size="10" fill="#333">${esc(tickLabel(t))}</text>`);
  const xaxis = xTicks.map((t) => `<line x1="${r(px(t))}" x2="${r(px(t))}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#888"/><text x="${r(px(t))}" y="${MARGIN.top + plotH + 17}" text-anchor="middle" font-size="10" fill="#333">${esc(tickLabel(t))}</text>`);
  const marks = series.map((s) => {
    const colour = colourOf(s.name, domain);
    const bands = runs(s.points, (p) => usable(p.min) && usable(p.max)).filter((run) => run.some((p) => p.min !== p.max));
    const band = bands.map((run) => `<path d="${[...run.map((p) => [px(p.x), py(p.max!)]), ...[...run].reverse().map((p) => [px(p.x), py(p.min!)])].map(([x, y], i) => `${i ? 'L' : 'M'}${r(x)},${r(y)}`).join('')}Z" fill="${colour}" fill-opacity="0.18" stroke="none"/>`);
    const lines = runs(s.points, (p) => usable(p.y)).map((run) => `<path d="${run.map((p, i) => `${i ? 'L' : 'M'}${r(px(p.x))},${r(py(p.y!))}`).join('')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const dots = s.points.filter((p) => usable(p.y)).map((p) => `<circle cx="${r(px(p.x))}" cy="${r(py(p.y!))}" r="3" fill="${colour}"/>`);
    return `<g class="series" data-series="${esc(s.name)}">${band.join('')}${lines.join('')}${dots.join('')}</g>`;
  });
  // The legend lists the names in sorted order, as Vega-Lite's does.
  const legend = [...series].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((s, i) => {
    const x = MARGIN.left + (i % 2) * (plotW / 2);
    const y = height + 8 + Math.floor(i / 2) * 18;
    return `<circle cx="${x + 5}" cy="${y}" r="5" fill="${colourOf(s.name, domain)}"/><text x="${x + 15}" y="${y + 4}" font-size="11" fill="#222">${esc(s.name)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${total}" width="${width}" height="${total}" role="img">
<rect x="0" y="0" width="${width}" height="${total}" fill="#fff"/>
${grid.join('')}
<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#888"/>
${xaxis.join('')}
<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 32}" text-anchor="middle" font-size="11" font-weight="bold" fill="#222">${esc(opts.xLabel)}</text>
<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" font-weight="bold" fill="#222">${esc(opts.yLabel)}${opts.log ? ' (log)' : ''}</text>
${marks.join('\n')}
${legend.join('')}
</svg>`;
}

/** Maximal runs of consecutive points that pass `ok`: a failing point breaks the line (a gap). */
function runs(points: Point[], ok: (p: Point) => boolean): Point[][] {
  const out: Point[][] = [];
  let current: Point[] = [];
  for (const p of [...points].sort((a, b) => a.x - b.x)) {
    if (ok(p)) current.push(p);
    else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

/** About five round ticks covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number): number[] {
  if (hi - lo < 1e-12) [lo, hi] = [lo - Math.max(Math.abs(lo) * 0.1, 0.05), hi + Math.max(Math.abs(hi) * 0.1, 0.05)];
  const raw = (hi - lo) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

/** Powers of ten covering [lo, hi]; within one decade, also 2x and 5x. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(Math.ceil(Math.log10(hi)), a + 1);
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) ticks.push(10 ** e);
  if (b - a <= 1) return [10 ** a, 2 * 10 ** a, 5 * 10 ** a, 10 ** b];
  // Many decades: every other one keeps the labels apart.
  return b - a > 8 ? ticks.filter((_, i) => i % 2 === 0 || i === ticks.length - 1) : ticks;
}

function integerTicks(lo: number, hi: number): number[] {
  const span = Math.max(1, hi - lo);
  const step = Math.max(1, Math.ceil(span / 10));
  const ticks: number[] = [];
  for (let t = lo; t <= hi; t += step) ticks.push(t);
  if (ticks[ticks.length - 1] !== hi) ticks.push(hi);
  return ticks.length === 1 ? [lo - 1, lo, lo + 1].filter((t) => t >= 0) : ticks;
}

function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

const r = (v: number) => Math.round(v * 10) / 10;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

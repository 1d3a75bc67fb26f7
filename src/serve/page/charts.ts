/**
 * Line charts as SVG markup, drawn with the conventions of report.html (its Vega-Lite charts):
 * one colour per initializer, by its position in the config (report/series.ts's palette), a grid
 * point's series told apart by the dashes of its line; a line with points
 * for the mean, a min-max band over seeds at 0.18 opacity, log scales where the report uses
 * them, a gap for every missing or non-finite value, the legend below. Pure: runs in the page
 * and in Node's tests alike. Presentation attributes only (the page's CSP allows no inline style).
 */

/**
 * report.html's palette (report/series.ts's PALETTE, which a test keeps equal to this copy: the
 * page's modules load nothing of the report): tableau10, then ten darker tones.
 */
export const PALETTE = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
  '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363',
];

/** Dash patterns for the grid points of one initializer: solid first. */
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2'];

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
  /** The initializer's label, which picks the colour (the name when absent). */
  init?: string;
  /** The grid point's position in numeric order, which picks the dashes (0: solid). */
  pointOrder?: number;
}

export interface ChartOptions {
  xLabel: string;
  yLabel: string;
  log?: boolean;
  /** Every initializer label, in config order, for colours that do not move as series arrive (report.html's colours). */
  domain?: string[];
  width?: number;
  height?: number;
  /** x axis ticks at whole numbers only (epochs, layers). */
  integerX?: boolean;
}

const MARGIN = { left: 58, right: 14, top: 10, bottom: 38 };

/** Colour of an initializer: its position in the domain (config order), as report.html colours it. */
export function colourOf(init: string, domain: string[]): string {
  const order = [...new Set(domain)];
  const k = order.indexOf(init);
  return PALETTE[(k < 0 ? order.length : k) % PALETTE.length];
}

const dashOf = (s: Series) => DASHES[(s.pointOrder ?? 0) % DASHES.length];

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
  const domain = opts.domain ?? series.map((s) => s.init ?? s.name);
  const colour = (s: Series) => colourOf(s.init ?? s.name, domain);
  const legendRows = Math.ceil(series.length / 2);
  const total = height + 8 + legendRows * 18;

  const grid = yTicks.map((t) => `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${r(py(t))}" y2="${r(py(t))}" stroke="#ddd" stroke-width="1"/><text x="${MARGIN.left - 6}" y="${r(py(t)) + 4}" text-anchor="end" font-size="10" fill="#333">${esc(tickLabel(t))}</text>`);
  const xaxis = xTicks.map((t) => `<line x1="${r(px(t))}" x2="${r(px(t))}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#888"/><text x="${r(px(t))}" y="${MARGIN.top + plotH + 17}" text-anchor="middle" font-size="10" fill="#333">${esc(tickLabel(t))}</text>`);
  const marks = series.map((s) => {
    const stroke = colour(s);
    const dash = dashOf(s) ? ` stroke-dasharray="${dashOf(s)}"` : '';
    const bands = runs(s.points, (p) => usable(p.min) && usable(p.max)).filter((run) => run.some((p) => p.min !== p.max));
    const band = bands.map((run) => `<path d="${[...run.map((p) => [px(p.x), py(p.max!)]), ...[...run].reverse().map((p) => [px(p.x), py(p.min!)])].map(([x, y], i) => `${i ? 'L' : 'M'}${r(x)},${r(y)}`).join('')}Z" fill="${stroke}" fill-opacity="0.18" stroke="none"/>`);
    const lines = runs(s.points, (p) => usable(p.y)).map((run) => `<path d="${run.map((p, i) => `${i ? 'L' : 'M'}${r(px(p.x))},${r(py(p.y!))}`).join('')}" fill="none" stroke="${stroke}" stroke-width="2"${dash}/>`);
    const dots = s.points.filter((p) => usable(p.y)).map((p) => `<circle cx="${r(px(p.x))}" cy="${r(py(p.y!))}" r="3" fill="${stroke}"/>`);
    return `<g class="series" data-series="${esc(s.name)}">${band.join('')}${lines.join('')}${dots.join('')}</g>`;
  });
  // The legend lists the series in config order, then grid point, as report.html's does; a grid's show their dashes.
  const rank = (s: Series) => [domain.indexOf(s.init ?? s.name), s.pointOrder ?? 0];
  const dashed = series.some((s) => (s.pointOrder ?? 0) > 0);
  const legend = [...series].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]).map((s, i) => {
    const x = MARGIN.left + (i % 2) * (plotW / 2);
    const y = height + 8 + Math.floor(i / 2) * 18;
    const key = dashed ? `<line x1="${x}" x2="${x + 12}" y1="${y}" y2="${y}" stroke="${colour(s)}" stroke-width="2"${dashOf(s) ? ` stroke-dasharray="${dashOf(s)}"` : ''}/>` : `<circle cx="${x + 5}" cy="${y}" r="5" fill="${colour(s)}"/>`;
    return `${key}<text x="${x + 15}" y="${y + 4}" font-size="11" fill="#222">${esc(s.name)}</text>`;
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

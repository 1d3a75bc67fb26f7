/**
 * Small terminal charts: up to four series on one grid, each with its own symbol (and colour when
 * colour is on), a labelled y axis and a legend; more as small multiples, one panel per series. Non-finite points are gaps, not crashes. Markers
 * that land in one cell are drawn side by side, so no series disappears behind another.
 */
import chalk from 'chalk';
import { visible, wrapText } from './fit.js';

const SYMBOLS = ['*', 'o', '+', 'x', '#', '@', '%', '&'];
/** Drawn where more series meet in one cell than there are columns to put them side by side. */
const OVERLAP = '=';
const COLOURS = [chalk.green, chalk.red, chalk.blue, chalk.yellow, chalk.magenta, chalk.cyan, chalk.white, chalk.gray];

export interface Series {
  name: string;
  values: number[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  /** Plot log10 of the values (they must be > 0; others are gaps). */
  log?: boolean;
  height?: number;
  /** Columns per x step. */
  step?: number;
  /** Terminal columns the legend wraps to (Infinity: one line). */
  width?: number;
  /** Formats a y-axis value. */
  format?: (y: number) => string;
}

/** More series than this on one grid become clumps of glyphs: one small panel per series instead. */
export const MAX_OVERLAID = 4;

export function lineChart(series: Series[], opts: ChartOptions): string {
  return series.length > MAX_OVERLAID ? smallMultiples(series, opts) : overlaid(series, opts);
}

/** Internal: a shared y range, and no title, x label or legend (a panel of smallMultiples). */
interface PanelOptions extends ChartOptions {
  range?: [number, number];
  bare?: boolean;
}

/**
 * One small chart per series, on the same y scale, side by side as the width allows: each
 * titled with its series' name, so no glyph needs decoding.
 */
function smallMultiples(series: Series[], opts: ChartOptions): string {
  const toY = (v: number) => (opts.log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const finite = series.flatMap((s) => s.values.map(toY)).filter(Number.isFinite);
  if (!finite.length) return `${opts.title}: nothing finite to plot`;
  const range: [number, number] = [Math.min(...finite), Math.max(...finite)];
  const points = Math.max(...series.map((s) => s.values.length));
  const step = Math.max(1, Math.min(opts.step ?? 3, Math.floor(24 / Math.max(1, points - 1))));
  const panels = series.map((s) => {
    const body = overlaid([s], { ...opts, range, bare: true, height: 6, step }).split('\n');
    return [`${' '.repeat(10)}${s.name}`, ...body];
  });
  const panelWidth = Math.max(...panels.flat().map(visible)) + 3;
  const perRow = Math.max(1, Math.floor(((opts.width ?? Infinity) === Infinity ? 4 * panelWidth : opts.width!) / panelWidth));
  const rows: string[] = [];
  for (let i = 0; i < panels.length; i += perRow) {
    const group = panels.slice(i, i + perRow);
    const height = Math.max(...group.map((p) => p.length));
    for (let r = 0; r < height; r++) rows.push(group.map((p, k) => (k < group.length - 1 ? padVisible(p[r] ?? '', panelWidth) : (p[r] ?? ''))).join('').trimEnd());
    rows.push('');
  }
  const title = wrapText(`${opts.title}${opts.log ? ' (log scale)' : ''}; one panel per series, same y scale`, opts.width ?? Infinity);
  return [title, ...rows, `${' '.repeat(10)}x: ${opts.xLabel}`].join('\n');
}

const padVisible = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - visible(text)));

function overlaid(series: Series[], opts: PanelOptions): string {
  const height = opts.height ?? 10;
  const step = opts.step ?? 3;
  const toY = (v: number) => (opts.log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const ys = series.map((s) => s.values.map(toY));
  const finite = ys.flat().filter(Number.isFinite);
  if (!finite.length) return opts.bare ? `${' '.repeat(10)}(no value to plot${opts.log ? ' above 0' : ''})` : `${opts.title}: nothing finite to plot`;
  let [lo, hi] = opts.range ?? [Math.min(...finite), Math.max(...finite)];
  if (hi - lo < 1e-9) {
    lo -= opts.log ? 0.5 : Math.abs(lo) * 0.1 + 0.05;
    hi += opts.log ? 0.5 : Math.abs(hi) * 0.1 + 0.05;
  }
  const points = Math.max(...series.map((s) => s.values.length));
  // Room after the last point for markers moved aside (see below).
  const width = (points - 1) * step + Math.min(step, series.length);
  const grid: string[][] = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  let crowded = false;
  ys.forEach((values, k) => {
    const mark = paint(SYMBOLS[k % SYMBOLS.length], k);
    values.forEach((y, i) => {
      if (!Number.isFinite(y)) return;
      const row = height - 1 - Math.round(((y - lo) / (hi - lo)) * (height - 1));
      // A marker never hides another: it goes beside it, in the columns up to the next x step;
      // when they are full too, the last one shows OVERLAP (several series in this cell).
      const free = Array.from({ length: step }, (_, d) => i * step + d).find((c) => c < width && grid[row][c] === ' ');
      if (free !== undefined) grid[row][free] = mark;
      else {
        grid[row][Math.min(width - 1, i * step + step - 1)] = OVERLAP;
        crowded = true;
      }
    });
  });
  const label = (y: number) => {
    const v = opts.log ? 10 ** y : y;
    return (opts.format ?? defaultFormat)(v).padStart(8);
  };
  const lines = grid.map((row, r) => {
    const y = hi - (r / (height - 1)) * (hi - lo);
    const tick = r % 3 === 0 || r === height - 1 ? label(y) : ' '.repeat(8);
    return `${tick} ┤${row.join('')}`;
  });
  const axis = `${' '.repeat(9)}└${'─'.repeat(width)}`;
  const ticks = `${' '.repeat(10)}${xTicks(points, step)}`;
  const entries = [...series.map((s, k) => `${paint(SYMBOLS[k % SYMBOLS.length], k)} ${s.name}`), ...(crowded ? [`${OVERLAP} several series`] : [])];
  if (opts.bare) return [...lines, axis, ticks].join('\n');
  return [`${opts.title}${opts.log ? ' (log scale)' : ''}`, ...lines, axis, ticks, `${' '.repeat(10)}${opts.xLabel}`, ...legendLines(entries, (opts.width ?? Infinity) - 10).map((l) => `${' '.repeat(10)}${l}`)].join('\n');
}

/** Legend entries three spaces apart, on as many lines as the width needs (never cut). */
function legendLines(entries: string[], width: number): string[] {
  const lines: string[] = [];
  for (const e of entries) {
    const last = lines.length ? lines[lines.length - 1] : undefined;
    if (last !== undefined && visible(`${last}   ${e}`) <= width) lines[lines.length - 1] = `${last}   ${e}`;
    else lines.push(e);
  }
  return lines;
}

function paint(symbol: string, k: number): string {
  return chalk.level > 0 ? COLOURS[k % COLOURS.length](symbol) : symbol;
}

function defaultFormat(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-2 || a >= 1e4) ? v.toExponential(0) : Number(v.toPrecision(3)).toString();
}

/** x positions 1..points, labelled every few steps. */
function xTicks(points: number, step: number): string {
  const every = Math.max(1, Math.ceil(4 / step));
  let out = '';
  for (let i = 0; i < points; i++) {
    const text = i % every === 0 || i === points - 1 ? String(i + 1) : '';
    const at = i * step;
    if (text && (out.length < at || at === 0)) out = out.padEnd(at) + text;
  }
  return out;
}

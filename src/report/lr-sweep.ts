/**
 * Final loss against the learning rate, for a grid whose `lr` axis varies: one line per value of
 * the other varied axes (e.g. one per width) and initializer, one panel per parametrization when
 * that axis varies. The optimum of each line is what "Tensor Programs V" (Yang et al. 2022,
 * Figure 1) shows moving with width under the standard parametrization and staying under muP.
 */
import type { ResultsDocument } from '../results/schema.js';
import { render } from './chart-spec.js';
import type { Chart } from './charts.js';

export interface LrOptimum {
  /** The panel's parametrization ('' when it does not vary). */
  panel: string;
  /** The line: initializer and the other varied axes, e.g. "heNormal, width 256". */
  line: string;
  lr: number;
  /** Mean final test loss over seeds at that lr. */
  testLoss: number;
}

interface Row {
  panel: string;
  line: string;
  lr: number;
  testLoss: number | null;
}

/** Per panel, line and lr: the mean final test loss over seeds (null where a seed diverged or failed). */
export function lrSweepRows(doc: ResultsDocument): Row[] {
  const groups = new Map<string, { panel: string; line: string; lr: number; losses: (number | null)[] }>();
  for (const t of doc.trials) {
    const point = (t.point ?? {}) as Record<string, string | number | boolean>;
    if (typeof point.lr !== 'number') continue;
    const others = Object.entries(point).filter(([k]) => k !== 'lr' && k !== 'parametrization');
    const line = [t.init, ...others.map(([k, v]) => `${k} ${v}`)].join(', ');
    const panel = String(point.parametrization ?? '');
    const key = JSON.stringify([panel, line, point.lr]);
    const g = groups.get(key) ?? { panel, line, lr: point.lr, losses: [] };
    groups.set(key, g);
    const loss = t.final?.testLoss;
    g.losses.push(t.status === 'ok' && typeof loss === 'number' && Number.isFinite(loss) ? loss : null);
  }
  return [...groups.values()].map((g) => ({ panel: g.panel, line: g.line, lr: g.lr, testLoss: g.losses.includes(null) ? null : g.losses.reduce((a, b) => a! + b!, 0)! / g.losses.length }));
}

/** The lr of lowest mean final test loss, per panel and line. */
export function lrOptima(doc: ResultsDocument): LrOptimum[] {
  const best = new Map<string, LrOptimum>();
  for (const r of lrSweepRows(doc)) {
    if (r.testLoss === null) continue;
    const key = JSON.stringify([r.panel, r.line]);
    const b = best.get(key);
    if (!b || r.testLoss < b.testLoss) best.set(key, { panel: r.panel, line: r.line, lr: r.lr, testLoss: r.testLoss });
  }
  return [...best.values()];
}

/** The chart, or null unless the grid varies `lr` over at least 3 values. */
export async function lrSweepChart(doc: ResultsDocument): Promise<Chart | null> {
  const rows = lrSweepRows(doc);
  if (new Set(rows.map((r) => r.lr)).size < 3) return null;
  const panels = [...new Set(rows.map((r) => r.panel))];
  const lines = [...new Set(rows.map((r) => r.line))];
  const log = { type: 'log' };
  const layer = {
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'lr', type: 'quantitative', scale: log, title: 'learning rate', axis: { format: '~g' } },
      y: { field: 'testLoss', type: 'quantitative', scale: log, title: 'final test loss' },
      color: { field: 'line', type: 'nominal', title: null, sort: lines },
    },
  };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values: rows }, config: { font: 'sans-serif', legend: { orient: 'bottom', columns: 3, labelLimit: 360 } } };
  const spec = panels.length > 1 ? { ...base, facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels } }, spec: { width: 300, height: 240, ...layer }, resolve: { scale: { y: 'shared' } } } : { ...base, width: 460, height: 260, ...layer };
  const optima = lrOptima(doc).map((o) => `${o.panel ? `${o.panel}, ` : ''}${o.line}: ${o.lr}`).join('; ');
  return {
    id: 'lr-sweep',
    title: 'Final test loss against the learning rate',
    caption: `Mean over seeds of the test loss after the last epoch; a gap is a diverged run. One line per ${lines.length > 1 ? 'value of the other varied axes' : 'run'}${panels.length > 1 ? ', one panel per parametrization' : ''}. Under the standard parametrization the best learning rate moves as the width grows; under muP it stays (Yang et al. 2022). Best lr per line: ${optima}.`,
    svg: await render(spec),
  };
}

/** The run's terminal chart: mean test accuracy per epoch, one series per initializer (and grid point). */
import { describePoint } from '../results/point.js';
import type { ResultsDocument } from '../results/schema.js';
import { lineChart } from './chart.js';
import { terminalWidth } from './fit.js';

/** At most this many series: a big grid is for report.html. */
const MAX_SERIES = 8;

export function accuracyChart(doc: ResultsDocument): string {
  const series = new Map<string, Map<number, number[]>>();
  for (const t of doc.trials) {
    const name = t.point && Object.keys(t.point).length ? `${t.init} (${describePoint(t.point)})` : t.init;
    const byEpoch = series.get(name) ?? new Map<number, number[]>();
    series.set(name, byEpoch);
    for (const e of t.epochs) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), e.testAccuracy]);
  }
  const epochs = Math.max(0, ...doc.trials.map((t) => t.epochs.length));
  if (epochs < 2) return '';
  const lines = [...series].slice(0, MAX_SERIES).map(([name, byEpoch]) => ({
    name,
    values: Array.from({ length: epochs }, (_, i) => {
      const v = byEpoch.get(i + 1);
      return v ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
    }),
  }));
  const more = series.size > MAX_SERIES ? `\n          (${series.size - MAX_SERIES} more series in report.html)` : '';
  return lineChart(lines, { title: 'Test accuracy per epoch (mean over seeds)', xLabel: 'epoch', width: terminalWidth(), step: Math.max(3, Math.floor(48 / epochs)), format: (y) => `${(100 * y).toFixed(1)}%` }) + more;
}

/**
 * The report's charts as Vega-Lite specs, rendered to SVG in Node (vega's headless View, no
 * canvas): test accuracy and train loss per epoch (mean over seeds, with the min-max band), and
 * at initialization the activation std and the kernel gradient norm per hidden layer. Non-finite
 * values become nulls, which Vega-Lite draws as gaps.
 *
 * Colour is the initializer, the same on every chart (series.ts). In a grid each chart is a
 * column of small multiples, one row per grid point in numeric order, all rows on shared scales;
 * the at-init charts have a row per model only, since the optimizer and the learning rate do not
 * change the initial state.
 */
import type { ResultsDocument } from '../results/schema.js';
import { lineSpec, render, type Row } from './chart-spec.js';
import { colourScale, initPoint, orderPoints } from './series.js';
import { lrSweepChart } from './lr-sweep.js';

export interface Chart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

const finite = (x: number | undefined | null): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const positive = (x: number | undefined | null): number | null => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null);

/** Per initializer, grid point and epoch: mean, min and max over seeds of one metric. */
function perEpoch(doc: ResultsDocument, metric: 'testAccuracy' | 'trainEvalAccuracy' | 'trainLoss', keep: (x: number | null) => number | null): Row[] {
  const points = orderPoints(doc.trials.map((t) => t.point ?? {}));
  const groups = new Map<string, { init: string; point: string; values: Map<number, number[]> }>();
  for (const t of doc.trials) {
    const key = JSON.stringify([t.init, t.point ?? {}]);
    const group = groups.get(key) ?? { init: t.init, point: JSON.stringify(t.point ?? {}), values: new Map<number, number[]>() };
    groups.set(key, group);
    for (const e of t.epochs) {
      const v = keep(e[metric] ?? null);
      if (v !== null) group.values.set(e.epoch, [...(group.values.get(e.epoch) ?? []), v]);
    }
  }
  return [...groups.values()].flatMap(({ init, point, values }) =>
    [...values].map(([epoch, v]) => ({ init, ...pointFields(points.get(point)!), epoch, mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) })),
  );
}

/**
 * Per initializer and model at init, from its first trial (seed): one value per hidden layer. The
 * output layer is left out: its softmax output is a probability, not a signal to keep at scale.
 */
function perLayer(doc: ResultsDocument, metric: 'activationStd' | 'gradNorm'): Row[] {
  const points = orderPoints(doc.trials.map(initPoint));
  const seen = new Set<string>();
  return doc.trials.flatMap((t) => {
    const point = JSON.stringify(initPoint(t));
    const key = JSON.stringify([t.init, point]);
    if (seen.has(key) || !t.diagnostics) return [];
    seen.add(key);
    return t.diagnostics.atInit.filter((l) => l.layer !== 'output').map((l, i) => ({ init: t.init, ...pointFields(points.get(point)!), layer: i + 1, name: l.layer, value: positive(l[metric]) }));
  });
}

const pointFields = (p: { label: string; order: number }) => ({ point: p.label, pointOrder: p.order });

export async function renderCharts(doc: ResultsDocument): Promise<Chart[]> {
  const seeds = new Set(doc.trials.map((t) => t.seed)).size;
  const colour = colourScale(doc);
  const axes = Object.keys(doc.trials.find((t) => t.point)?.point ?? {});
  const initAxes = Object.keys(doc.trials.length ? initPoint(doc.trials[0]) : {});
  const band = seeds > 1 ? `Line: mean over ${seeds} seeds; band: min to max.` : 'One seed.';
  const dropped = axes.filter((a) => !initAxes.includes(a));
  const epochRows = axes.length ? ` One row per grid point (${axes.join(', ')}), in numeric order, all on the same scales.` : '';
  const initRows =
    (initAxes.length ? ` One row per model (${initAxes.join(', ')}), in numeric order, all on the same scales.` : dropped.length ? ' One chart for every grid point:' : '') +
    (dropped.length ? ` ${dropped.join(' and ')} ${dropped.length > 1 ? 'do' : 'does'} not change the initial state.` : '');
  const specs = [
    { id: 'accuracy', title: 'Test accuracy per epoch', caption: `${band} Higher is better.${epochRows}`, values: perEpoch(doc, 'testAccuracy', finite), x: 'epoch', y: { title: 'test accuracy' } },
    {
      id: 'train-accuracy',
      title: 'Training accuracy per epoch, evaluated as the test set',
      caption: `A fixed sample of the training examples (as many as the test set) in inference mode, as the test set is evaluated: far above the test accuracy is overfitting; with batch norm, far below the training steps' own accuracy is running statistics that lag. ${band}${epochRows}`,
      values: perEpoch(doc, 'trainEvalAccuracy', finite),
      x: 'epoch',
      y: { title: 'train accuracy (inference mode)' },
    },
    { id: 'loss', title: 'Training loss per epoch', caption: `${band} Log scale; a gap is a non-finite loss (divergence).${epochRows}`, values: perEpoch(doc, 'trainLoss', positive), x: 'epoch', y: { title: 'train loss (cross-entropy)', log: true } },
    {
      id: 'signal',
      title: 'Signal propagation at initialization',
      caption: `Activation std per hidden layer before training, on a batch of training digits (first seed); the output layer is left out. Flat is healthy; a falling line is a vanishing signal, a rising one an exploding signal. Log scale; a gap is a dead (zero) signal.${initRows}`,
      values: perLayer(doc, 'activationStd'),
      x: 'layer',
      y: { title: 'activation std', log: true },
    },
    {
      id: 'gradients',
      title: 'Gradient norm per layer at initialization',
      caption: `L2 norm of each hidden layer's kernel gradient on the same batch (first seed). Log scale; a gap is an exactly zero gradient (no learning signal).${initRows}`,
      values: perLayer(doc, 'gradNorm'),
      x: 'layer',
      y: { title: 'gradient norm', log: true },
    },
  ];
  const charts: Chart[] = [];
  // Results recorded before training examples were evaluated as the test set have no such chart.
  const hasTrainEval = doc.trials.some((t) => t.epochs.some((e) => e.trainEvalAccuracy !== undefined));
  for (const s of specs.filter((x) => x.id !== 'train-accuracy' || hasTrainEval)) {
    const hasData = s.values.some((r) => typeof (r.mean ?? r.value) === 'number');
    const svg = hasData ? await render(lineSpec(s.values, { field: s.x, title: s.x === 'epoch' ? 'epoch' : 'hidden layer' }, s.y, s.x === 'epoch', colour)) : '';
    charts.push({ id: s.id, title: s.title, caption: s.caption, svg });
  }
  const sweep = await lrSweepChart(doc);
  if (sweep) charts.push(sweep);
  return charts;
}

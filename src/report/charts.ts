/**
 * The report's charts as Vega-Lite specs, rendered to SVG in Node (vega's headless View, no
 * canvas): test accuracy and train loss per epoch (mean over seeds, with the min-max band), and
 * at initialization the activation std and the kernel gradient norm per layer. Non-finite values
 * become nulls, which Vega-Lite draws as gaps.
 */
import { describePoint } from '../results/point.js';
import type { ResultsDocument, TrialResult } from '../results/schema.js';

export interface Chart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

type Row = Record<string, string | number | null>;

const finite = (x: number | undefined | null): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const positive = (x: number | undefined | null): number | null => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null);

/** The series name of a trial: its initializer, and its grid point when there is a grid. */
function seriesOf(t: TrialResult): string {
  return t.point && Object.keys(t.point).length ? `${t.init} · ${describePoint(t.point)}` : t.init;
}

/** Per series and epoch: mean, min and max over seeds of one metric. */
function perEpoch(doc: ResultsDocument, metric: 'testAccuracy' | 'trainLoss', keep: (x: number | null) => number | null): Row[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const t of doc.trials) {
    const byEpoch = groups.get(seriesOf(t)) ?? new Map<number, number[]>();
    groups.set(seriesOf(t), byEpoch);
    for (const e of t.epochs) {
      const v = keep(e[metric]);
      if (v !== null) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), v]);
    }
  }
  return [...groups].flatMap(([series, byEpoch]) =>
    [...byEpoch].map(([epoch, values]) => ({ series, epoch, mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) })),
  );
}

/** Per series and layer at init, from the first trial (seed) of each series. */
function perLayer(doc: ResultsDocument, metric: 'activationStd' | 'gradNorm'): Row[] {
  const seen = new Set<string>();
  return doc.trials.flatMap((t) => {
    const series = seriesOf(t);
    if (seen.has(series) || !t.diagnostics) return [];
    seen.add(series);
    return t.diagnostics.atInit.map((l, i) => ({ series, layer: i + 1, name: l.layer, value: positive(l[metric]) }));
  });
}

const WIDTH = 460;
const HEIGHT = 260;

function lineSpec(values: Row[], x: { field: string; title: string }, y: { title: string; log?: boolean; domain?: [number, number] }, band: boolean): object {
  const scale = { ...(y.log ? { type: 'log' } : { zero: false }), ...(y.domain ? { domain: y.domain } : {}) };
  const color = { field: 'series', type: 'nominal', title: 'initializer' };
  const layers: object[] = [];
  if (band) layers.push({ mark: { type: 'area', opacity: 0.18 }, encoding: { x: { field: x.field, type: 'quantitative', title: x.title }, y: { field: 'min', type: 'quantitative', scale }, y2: { field: 'max' }, color } });
  layers.push({
    mark: { type: 'line', point: true },
    encoding: { x: { field: x.field, type: 'quantitative', title: x.title, axis: { tickMinStep: 1 } }, y: { field: band ? 'mean' : 'value', type: 'quantitative', title: y.title, scale }, color },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: layers,
    config: { font: 'sans-serif', legend: { orient: 'bottom', columns: 2, labelLimit: 360 } },
  };
}

async function render(spec: object): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderCharts(doc: ResultsDocument): Promise<Chart[]> {
  const seeds = new Set(doc.trials.map((t) => t.seed)).size;
  const band = seeds > 1 ? `Line: mean over ${seeds} seeds; band: min to max.` : 'One seed.';
  const specs: { id: string; title: string; caption: string; values: Row[]; spec: (v: Row[]) => object }[] = [
    {
      id: 'accuracy',
      title: 'Test accuracy per epoch',
      caption: `${band} Higher is better.`,
      values: perEpoch(doc, 'testAccuracy', finite),
      spec: (v) => lineSpec(v, { field: 'epoch', title: 'epoch' }, { title: 'test accuracy' }, true),
    },
    {
      id: 'loss',
      title: 'Training loss per epoch',
      caption: `${band} Log scale; a gap is a non-finite loss (divergence).`,
      values: perEpoch(doc, 'trainLoss', positive),
      spec: (v) => lineSpec(v, { field: 'epoch', title: 'epoch' }, { title: 'train loss (cross-entropy)', log: true }, true),
    },
    {
      id: 'signal',
      title: 'Signal propagation at initialization',
      caption: 'Activation std per layer before training, on a batch of training digits (first seed). Flat is healthy; a falling line is a vanishing signal, a rising one an exploding signal. Log scale; a gap is a dead (zero) signal.',
      values: perLayer(doc, 'activationStd'),
      spec: (v) => lineSpec(v, { field: 'layer', title: 'layer' }, { title: 'activation std', log: true }, false),
    },
    {
      id: 'gradients',
      title: 'Gradient norm per layer at initialization',
      caption: "L2 norm of each kernel's gradient on the same batch (first seed). Log scale; a gap is an exactly zero gradient (no learning signal).",
      values: perLayer(doc, 'gradNorm'),
      spec: (v) => lineSpec(v, { field: 'layer', title: 'layer' }, { title: 'gradient norm', log: true }, false),
    },
  ];
  const charts: Chart[] = [];
  for (const s of specs) {
    const hasData = s.values.some((r) => Object.entries(r).some(([k, v]) => k !== 'epoch' && k !== 'layer' && typeof v === 'number'));
    charts.push({ id: s.id, title: s.title, caption: s.caption, svg: hasData ? await render(s.spec(s.values)) : '' });
  }
  return charts;
}

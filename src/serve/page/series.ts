/**
 * What the page knows of one run, built from a snapshot and the events that follow it, and the
 * chart series derived from it with report.html's conventions (charts.ts in report/): per epoch
 * the mean over seeds with its min-max band; per layer the first seed's trial. Pure: no DOM.
 */
import type { EpochMetrics, InitSummary, ResultsDocument, RunEvent, TrialResult } from '../engine.js';
import type { Snapshot, Stamped } from '../runs.js';
import type { Series } from './charts.js';

type PointValues = Record<string, string | number | boolean>;

export interface TrialView {
  init: string;
  seed: number;
  point?: PointValues;
  epochs: EpochMetrics[];
  /** Set when the trial has finished (its diagnostics at init, its status). */
  result?: TrialResult;
}

export interface RunView {
  /** The run's config as saved (config.json), when known. */
  config: Record<string, unknown> | null;
  trials: Map<string, TrialView>;
  summary: InitSummary[];
  total: number | null;
  backend: string | null;
  ended: boolean;
}

/** A trial's identity across the events and the files: initializer label, seed, grid point. */
export function trialKey(t: { init: string; seed: number; point?: PointValues }): string {
  return JSON.stringify([t.init, t.seed, t.point ?? {}]);
}

export function fromSnapshot(s: Snapshot): RunView {
  const view: RunView = { config: s.config ?? s.doc?.config ?? null, trials: new Map(), summary: s.doc?.summary ?? [], total: s.run.total, backend: s.doc?.backend ?? null, ended: !s.run.live };
  for (const t of s.doc?.trials ?? []) view.trials.set(trialKey(t), { init: t.init, seed: t.seed, point: t.point, epochs: t.epochs, result: t });
  for (const e of s.inFlight) apply(view, e.event);
  return view;
}

/** Applies one event; returns true when it changed what is drawn. */
export function apply(view: RunView, e: RunEvent): boolean {
  if (e.type === 'start') {
    view.total = e.total;
    return true;
  }
  if (e.type === 'backend') {
    view.backend = e.backend;
    return true;
  }
  if (e.type === 'retry') return false;
  if (e.type === 'end') {
    view.ended = true;
    return true;
  }
  if (e.type === 'trialEnd') {
    const t = e.trial;
    view.trials.set(trialKey(t), { init: t.init, seed: t.seed, point: t.point, epochs: t.epochs, result: t });
    view.summary = e.summary;
    return true;
  }
  const key = trialKey(e);
  const existing = view.trials.get(key);
  if (existing?.result) return false; // already finished (read from disk): the file is the record
  if (e.type === 'trialStart') {
    view.trials.set(key, { init: e.init, seed: e.seed, point: e.point, epochs: [] });
    return true;
  }
  const trial = existing ?? { init: e.init, seed: e.seed, point: e.point, epochs: [] };
  view.trials.set(key, trial);
  if (!trial.epochs.some((m) => m.epoch === e.metrics.epoch)) trial.epochs.push(e.metrics);
  return true;
}

/** The series name of a trial, as report.html names it. */
export function seriesOf(t: { init: string; point?: PointValues }): string {
  return t.point && Object.keys(t.point).length ? `${t.init} · ${Object.entries(t.point).map(([k, v]) => `${k} ${v}`).join(', ')}` : t.init;
}

/**
 * The initializers' labels in config order, then any only the trials know: what picks a colour,
 * as report.html's initializerOrder does, so a run has the same colours on the page and in the report.
 */
export function seriesDomain(view: RunView): string[] {
  const labels = ((view.config?.initializers ?? []) as { label?: string; name?: string }[]).map((i) => String(i.label ?? i.name ?? ''));
  return [...new Set([...labels, ...[...view.trials.values()].map((t) => t.init)])];
}

/** Each grid point's position in numeric order (axis by axis, as report.html orders its rows). */
function pointOrders(view: RunView): Map<string, number> {
  const points = [...new Map([...view.trials.values()].map((t) => [JSON.stringify(t.point ?? {}), t.point ?? {}])).values()];
  points.sort((a, b) => {
    for (const k of Object.keys(a)) {
      const [x, y] = [a[k], b[k]];
      if (x === y) continue;
      return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    }
    return 0;
  });
  return new Map(points.map((p, i) => [JSON.stringify(p), i]));
}

/** What a series of trial `t` is drawn with: its initializer (the colour) and its grid point (the dashes). */
function styleOf(t: TrialView, orders: Map<string, number>): { init: string; pointOrder: number } {
  return { init: t.init, pointOrder: orders.get(JSON.stringify(t.point ?? {})) ?? 0 };
}

/** Per series and epoch: mean, min and max over the seeds that have reached it. */
export function epochSeries(view: RunView, metric: 'testAccuracy' | 'trainLoss'): Series[] {
  const groups = new Map<string, Map<number, number[]>>();
  const orders = pointOrders(view);
  const styles = new Map<string, { init: string; pointOrder: number }>();
  for (const t of view.trials.values()) {
    const byEpoch = groups.get(seriesOf(t)) ?? new Map<number, number[]>();
    groups.set(seriesOf(t), byEpoch);
    styles.set(seriesOf(t), styleOf(t, orders));
    for (const e of t.epochs) {
      const v = e[metric];
      if (Number.isFinite(v) && (metric !== 'trainLoss' || v > 0)) byEpoch.set(e.epoch, [...(byEpoch.get(e.epoch) ?? []), v]);
    }
  }
  return [...groups]
    .filter(([, byEpoch]) => byEpoch.size > 0)
    .map(([name, byEpoch]) => ({
      name,
      ...styles.get(name),
      points: [...byEpoch].map(([x, values]) => ({ x, y: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) })),
    }));
}

export type LayerMetric = 'activationStd' | 'gradNorm';

/**
 * Per series, one value per hidden layer at `epoch` (0: at initialization), from the trial of the
 * first seed that has it; the output layer is left out, as report.html leaves it out (its softmax
 * input is not a signal to keep at scale). Epoch k's gradient norm is measured on its first batch,
 * its activation std after its last one (train/loop.ts). A zero value is kept as 0 (the chart
 * cannot draw it on a log scale, and says so).
 */
export function layerSeries(view: RunView, metric: LayerMetric, epoch: number): Series[] {
  const bySeries = new Map<string, TrialView[]>();
  const orders = pointOrders(view);
  for (const t of view.trials.values()) bySeries.set(seriesOf(t), [...(bySeries.get(seriesOf(t)) ?? []), t]);
  return [...bySeries].flatMap(([name, trials]) => {
    const sorted = trials.sort((a, b) => a.seed - b.seed);
    const values = sorted.map((t) => layerValues(t, metric, epoch)).find((v) => v !== null);
    return values ? [{ name, ...styleOf(sorted[0], orders), points: values.map((y, i) => ({ x: i + 1, y: Number.isFinite(y) && y >= 0 ? y : null })) }] : [];
  });
}

/** A trial's values per hidden layer: the per-layer lists end with the output layer (the model's plan, input side first). */
function layerValues(t: TrialView, metric: LayerMetric, epoch: number): number[] | null {
  if (epoch === 0) return t.result?.diagnostics?.atInit.filter((l) => l.layer !== 'output').map((l) => l[metric]) ?? null;
  const e = t.epochs.find((m) => m.epoch === epoch);
  const all = e ? (metric === 'activationStd' ? e.activationStds : e.gradNorms) : undefined;
  return all ? all.slice(0, -1) : null;
}

/** The series of a per-layer chart whose every value is exactly 0: a log scale has no place for them. */
export function allZero(series: Series[]): string[] {
  return series.filter((s) => s.points.length > 0 && s.points.every((p) => p.y === 0)).map((s) => s.name);
}

/** The last epoch any trial has reached (0 before the first one ends). */
export function lastEpoch(view: RunView): number {
  return Math.max(0, ...[...view.trials.values()].flatMap((t) => t.epochs.map((e) => e.epoch)));
}

export type { ResultsDocument, Stamped };

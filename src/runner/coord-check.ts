/**
 * The coordinate check (Yang et al. 2022, "Tensor Programs V", section 4 and Figure 5; the check
 * microsoft/mup ships): for each parametrization and each width, train the same network a few
 * steps and record, before each step, the mean absolute coordinate of every layer's activations
 * and of the logits on a fixed batch. Under a parametrization that is right for the optimizer the
 * curves are flat in width; a layer whose scale grows (or shrinks) as a power of the width will
 * blow up (or freeze) in a wide enough net. The verdict fits that power: the least-squares slope of
 * log(mean |x|) against log(width).
 *
 * One width at a time, one seed at a time; every tensor of a model is freed before the next, so
 * memory is bounded by the largest model (checked before any work: MAX_WEIGHTS).
 */
import { startBackend, type BackendLabel } from '../backend/select.js';
import type { Tf } from '../backend/tf.js';
import type { ExperimentConfig } from '../config/load.js';
import { LIMITS } from '../config/schema.js';
import { BatchReader, disposeBatch, probeBatch } from '../data/batches.js';
import { loadDataset } from '../data/load.js';
import { stratifiedSplit } from '../data/split.js';
import { UserError } from '../errors.js';
import type { InitSpec } from '../initializers/registry.js';
import { sampleKernels } from '../model/init.js';
import { architectureOf, buildModel, disposeModel, forward, type Model, type ModelSettings } from '../model/network.js';
import { layerPlan } from '../model/plan.js';
import { trainStep } from '../train/loop.js';
import { makeTrainOptimizer } from '../train/optimizers.js';
import { deriveSeed, Rng } from '../util/random.js';
import type { OptimizerName, Parametrization } from '../vocabulary.js';

/** Bounds checked before any work: each is what memory or time allows on a laptop. */
export const COORD_LIMITS = { widths: 12, minWidth: 1, maxWidth: 8192, steps: 100, batch: 1024, maxWeights: LIMITS.parameters, cnnMaxWidth: 512 };

/** |slope| of log(mean |x|) on log(width) beyond which a layer's scale is said to grow or shrink: a factor 2 over a 32-fold range of widths. */
export const SLOPE_THRESHOLD = 0.2;

export interface CoordCheckSettings {
  widths: number[];
  /** Steps of training; steps 0..steps are measured (0: at initialization). */
  steps: number;
  parametrizations: Parametrization[];
  batch: number;
  seeds: number[];
  init: InitSpec;
  model: ModelSettings;
  optimizer: OptimizerName;
  lr: number;
}

export interface CoordPoint {
  parametrization: Parametrization;
  width: number;
  step: number;
  layer: string;
  /** Mean over the batch, the units and the seeds of |x|. */
  meanAbs: number;
}

export interface CoordSlope {
  parametrization: Parametrization;
  step: number;
  layer: string;
  /** d log(mean |x|) / d log(width); null when a value is zero or not finite. */
  slope: number | null;
}

export interface CoordVerdict {
  parametrization: Parametrization;
  step: number;
  grows: { layer: string; slope: number }[];
  shrinks: { layer: string; slope: number }[];
  /** Layers whose slope could not be fitted (a zero or non-finite value). */
  unfitted: string[];
}

export interface CoordCheckResult {
  backend: BackendLabel;
  settings: Omit<CoordCheckSettings, 'init' | 'model'> & { init: string; model: string };
  layers: string[];
  points: CoordPoint[];
  slopes: CoordSlope[];
  /** At the last step, and at step 0. */
  verdicts: CoordVerdict[];
  threshold: number;
}

/** The network at one width: an MLP's hidden layers, or a CNN's convs and dense head, all of `width`. */
export function atWidth(model: ModelSettings, width: number): ModelSettings {
  if (model.kind === 'cnn') return { ...model, filters: model.filters.map(() => width), head: model.head.map(() => width) };
  return { ...model, hidden: model.hidden.map(() => width) };
}

/** Every problem with the settings, before any work (one line each). */
export function checkCoordSettings(s: CoordCheckSettings): string[] {
  const problems: string[] = [];
  const L = COORD_LIMITS;
  if (s.widths.length < 2) problems.push(`--widths has ${s.widths.length} value(s); give at least 2 to fit a slope`);
  if (s.widths.length > L.widths) problems.push(`--widths has ${s.widths.length} values; at most ${L.widths}`);
  for (const w of s.widths) if (!Number.isInteger(w) || w < L.minWidth || w > L.maxWidth) problems.push(`--widths has ${w}; each must be a whole number from ${L.minWidth} to ${L.maxWidth}`);
  if (new Set(s.widths).size !== s.widths.length) problems.push('--widths lists a width more than once');
  if (!Number.isInteger(s.steps) || s.steps < 0 || s.steps > L.steps) problems.push(`--steps is ${s.steps}; it must be a whole number from 0 to ${L.steps}`);
  if (!Number.isInteger(s.batch) || s.batch < 1 || s.batch > L.batch) problems.push(`--batch is ${s.batch}; it must be a whole number from 1 to ${L.batch}`);
  if (s.model.kind === 'cnn' && Math.max(...s.widths) > L.cnnMaxWidth) problems.push(`--widths reaches ${Math.max(...s.widths)} channels; a CNN's coordinate check allows at most ${L.cnnMaxWidth}`);
  if (problems.length) return problems;
  const widest = Math.max(...s.widths);
  try {
    const arch = architectureOf(atWidth(s.model, widest), { height: 28, width: 28, classes: 10 });
    const weights = layerPlan(arch).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1) + p.shape[p.shape.length - 1], 0);
    if (weights > L.maxWeights) problems.push(`the widest network (width ${widest}) has ${weights.toLocaleString('en-US')} weights and biases; at most ${L.maxWeights.toLocaleString('en-US')} (memory): give smaller --widths or fewer layers`);
  } catch (err) {
    problems.push(`\`model\`: ${(err as Error).message}`);
  }
  return problems;
}

export async function coordCheck(config: Pick<ExperimentConfig, 'backend' | 'blas' | 'data'>, s: CoordCheckSettings, log: (line: string) => void = () => {}): Promise<CoordCheckResult> {
  const problems = checkCoordSettings(s);
  if (problems.length) throw new UserError(problems.join('; '));
  const { label: backend, tf } = await startBackend(config.backend, { blas: config.blas });
  const data = loadDataset(config.data);
  const sums = new Map<string, number>();
  let layers: string[] = [];
  for (const seed of s.seeds) {
    const split = stratifiedSplit(data, config.data.trainSize, config.data.testSize, seed);
    const probe = probeBatch(tf, data, split.train, seed, s.batch);
    const order = new Rng(deriveSeed(seed, 'batches', 1)).shuffle(Int32Array.from(split.train));
    const reader = new BatchReader(data, s.batch);
    try {
      for (const parametrization of s.parametrizations) {
        for (const width of s.widths) {
          log(`${parametrization}, width ${width}, seed ${seed}`);
          const arch = architectureOf({ ...atWidth(s.model, width), parametrization }, data);
          const { kernels, biases } = await sampleKernels(arch, s.init, seed);
          const model = buildModel(tf, arch, kernels, biases);
          const optimizer = makeTrainOptimizer(tf, s.optimizer, s.lr, model);
          try {
            for (let step = 0; step <= s.steps; step++) {
              const measured = measure(tf, model, probe.x);
              layers = measured.map((m) => m.layer);
              for (const m of measured) add(sums, key(parametrization, width, step, m.layer), m.meanAbs);
              if (step === s.steps) break;
              // Step t trains on the t-th batch of the seeded order (wrapping around a small set).
              const start = (step * s.batch) % Math.max(1, order.length - s.batch + 1);
              trainStep(tf, model, optimizer, reader.read(tf, order.subarray(start, start + s.batch)), false, deriveSeed(seed, 'dropout', step));
              await new Promise((r) => setImmediate(r));
            }
          } finally {
            optimizer.dispose();
            disposeModel(model);
          }
        }
      }
    } finally {
      disposeBatch(tf, probe);
    }
  }
  const points: CoordPoint[] = [];
  for (const parametrization of s.parametrizations)
    for (const width of s.widths)
      for (let step = 0; step <= s.steps; step++)
        for (const layer of layers) points.push({ parametrization, width, step, layer, meanAbs: (sums.get(key(parametrization, width, step, layer)) ?? NaN) / s.seeds.length });
  const slopes = fitSlopes(points);
  const verdicts = s.parametrizations.flatMap((p) => [...new Set([s.steps, 0])].map((step) => verdictOf(slopes, p, step)));
  const { init, model, ...rest } = s;
  return { backend, settings: { ...rest, init: init.label, model: describeModel(model) }, layers, points, slopes, verdicts, threshold: SLOPE_THRESHOLD };
}

const key = (p: string, w: number, step: number, layer: string) => `${p}|${w}|${step}|${layer}`;
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

/** Mean |x| of each hidden layer's activation (its output after the nonlinearity) and of the logits, on one batch. */
function measure(tf: Tf, model: Model, x: Parameters<typeof forward>[2]): { layer: string; meanAbs: number }[] {
  return tf.tidy(() => {
    const trace = forward(tf, model, x, 'probe');
    const hidden = model.layers.slice(0, -1).map((l, i) => ({ layer: l.name, t: trace.activations[i] }));
    const all = [...hidden, { layer: 'logits', t: trace.logits }];
    const values = tf.stack(all.map((a) => tf.mean(tf.abs(a.t)))).dataSync();
    return all.map((a, i) => ({ layer: a.layer, meanAbs: values[i] }));
  });
}

/** Least-squares slope of log(meanAbs) on log(width), per parametrization, step and layer. */
export function fitSlopes(points: CoordPoint[]): CoordSlope[] {
  const groups = new Map<string, CoordPoint[]>();
  for (const p of points) {
    const k = `${p.parametrization}|${p.step}|${p.layer}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return [...groups.values()].map((g) => ({ parametrization: g[0].parametrization, step: g[0].step, layer: g[0].layer, slope: logLogSlope(g.map((p) => p.width), g.map((p) => p.meanAbs)) }));
}

export function logLogSlope(xs: number[], ys: number[]): number | null {
  if (ys.some((y) => !(y > 0) || !Number.isFinite(y))) return null;
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return den > 0 ? num / den : null;
}

export function verdictOf(slopes: CoordSlope[], parametrization: Parametrization, step: number, threshold = SLOPE_THRESHOLD): CoordVerdict {
  const mine = slopes.filter((s) => s.parametrization === parametrization && s.step === step);
  return {
    parametrization,
    step,
    grows: mine.filter((s) => s.slope !== null && s.slope > threshold).map((s) => ({ layer: s.layer, slope: s.slope! })),
    shrinks: mine.filter((s) => s.slope !== null && s.slope < -threshold).map((s) => ({ layer: s.layer, slope: s.slope! })),
    unfitted: mine.filter((s) => s.slope === null).map((s) => s.layer),
  };
}

/** One line for the verdict of a parametrization at a step. */
export function verdictLine(v: CoordVerdict): string {
  const fmt = (xs: { layer: string; slope: number }[]) => xs.map((x) => `${x.layer} (width^${x.slope.toFixed(2)})`).join(', ');
  const parts = [
    ...(v.grows.length ? [`grows with width: ${fmt(v.grows)}`] : []),
    ...(v.shrinks.length ? [`shrinks with width: ${fmt(v.shrinks)}`] : []),
    ...(v.unfitted.length ? [`no fit (a zero or non-finite value): ${v.unfitted.join(', ')}`] : []),
  ];
  const where = v.step === 0 ? 'at initialization' : `after ${v.step} step(s)`;
  return `${v.parametrization}, ${where}: ${parts.length ? parts.join('; ') : `every layer's scale is stable in width (|slope| <= ${SLOPE_THRESHOLD})`}`;
}

function describeModel(m: ModelSettings): string {
  const depth = m.kind === 'cnn' ? `${m.filters.length} convs${m.head.length ? ` + ${m.head.length} dense` : ''}` : `${m.hidden.length} hidden layers`;
  return `${m.kind.toUpperCase()}, ${depth}, ${m.activation}${m.batchNorm ? ', batch norm' : ''}${m.residual ? ', residual' : ''}`;
}

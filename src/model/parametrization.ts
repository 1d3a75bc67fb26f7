/**
 * Parametrizations: how each layer's initial variance, forward multiplier and learning rate scale
 * with the network's width. The initializer chosen for a layer supplies the distribution (and its
 * variance at the base width); the parametrization supplies the width scaling.
 *
 * - standard: the initializer as it is, one learning rate for every weight (what PyTorch and Keras
 *   do by default). Nothing here runs for it.
 * - ntk: the neural tangent parametrization (Jacot, Gabriel & Hongler 2018, "Neural Tangent
 *   Kernel"; the abc-parametrization of Yang & Hu 2021, "Tensor Programs IV", Table 1): weights of
 *   width-independent variance, the product multiplied by 1/sqrt(fan_in) in the forward pass, one
 *   learning rate.
 * - mup: the maximal-update parametrization (Yang et al. 2022, "Tensor Programs V: Tuning Large
 *   Neural Networks via Zero-Shot Hyperparameter Transfer", Table 3, written in the multiplier form
 *   of its Table 8 that microsoft/mup's MuReadout, MuSGD and MuAdam use): hidden and input layers as
 *   the initializer gives them at the base width times 1/width_mult in variance for hidden layers,
 *   the readout multiplied by 1/width_mult, and per-layer learning rates.
 *
 * Width multipliers: a dimension that grows with the width (hidden units, or channels) of n units
 * has multiplier m = n / baseWidth; the input pixels, a first conv's single channel and the
 * classes do not grow (m = 1). At n = baseWidth muP is the standard parametrization; NTK starts from the same function.
 * A layer's m_in is its fan-in dimension's multiplier, m_out its fan-out dimension's. This module
 * holds plain numbers and text (no tfjs): `list --parametrizations` and the docs read the table.
 */
import type { OptimizerName, Parametrization } from '../vocabulary.js';
import { computeFans } from '../initializers/fans.js';
import type { Architecture, LayerPlan } from './plan.js';

/** The width of muP's base shapes when `model.baseWidth` is not given. */
export const DEFAULT_BASE_WIDTH = 64;

/** TP5 Table 3's classes of weights: which of a tensor's dimensions grow with width. */
export type Role = 'input' | 'hidden' | 'output' | 'vector';
/** SGD-like (the update is the gradient times lr) or Adam-like (the gradient normalized entrywise). */
export type Family = 'sgd' | 'adam';

export const FAMILY: Record<OptimizerName, Family> = { sgd: 'sgd', momentum: 'sgd', adam: 'adam', rmsprop: 'adam' };

/** What a rule is computed from: a layer's width multipliers and its fan-in. */
export interface Dims {
  mIn: number;
  mOut: number;
  fanIn: number;
}

interface Scaled {
  text: string;
  of(d: Dims): number;
}

export interface Rule {
  parametrization: Exclude<Parametrization, 'standard'>;
  role: Role;
  /** The effective weights' variance as a multiple of the initializer's variance at the base shape (vectors: their initializer's, unchanged). */
  variance: Scaled;
  /** Multiplies the product x W in the forward pass (not the bias). */
  multiplier: Scaled;
  /** Multiplies the learning rate of this role's variables, per optimizer family. */
  lr: Record<Family, Scaled>;
  source: string;
}

const one: Scaled = { text: '1', of: () => 1 };
const s = (text: string, of: (d: Dims) => number): Scaled => ({ text, of });
const TP5 = 'Yang et al. 2022 (Tensor Programs V), Table 3; multiplier form of Table 8 (microsoft/mup MuReadout, MuSGD, MuAdam)';
const NTK = 'Jacot et al. 2018; Yang & Hu 2021 (Tensor Programs IV), Table 1: multiplier n^-1/2, one learning rate';

/** The table, defined once: `list --parametrizations`, docs/parametrizations.md and the model read it. */
export const RULES: readonly Rule[] = [
  { parametrization: 'mup', role: 'input', variance: one, multiplier: one, lr: { sgd: s('m_out', (d) => d.mOut), adam: one }, source: TP5 },
  { parametrization: 'mup', role: 'hidden', variance: s('1/m_in', (d) => 1 / d.mIn), multiplier: one, lr: { sgd: s('m_out/m_in', (d) => d.mOut / d.mIn), adam: s('1/m_in', (d) => 1 / d.mIn) }, source: TP5 },
  { parametrization: 'mup', role: 'output', variance: s('1/m_in^2', (d) => 1 / d.mIn ** 2), multiplier: s('1/m_in', (d) => 1 / d.mIn), lr: { sgd: s('m_in', (d) => d.mIn), adam: one }, source: TP5 },
  { parametrization: 'mup', role: 'vector', variance: one, multiplier: one, lr: { sgd: s('m (its dimension)', (d) => d.mOut), adam: one }, source: TP5 },
  { parametrization: 'ntk', role: 'input', variance: one, multiplier: s('1/sqrt(fan_in)', (d) => 1 / Math.sqrt(d.fanIn)), lr: { sgd: one, adam: one }, source: NTK },
  { parametrization: 'ntk', role: 'hidden', variance: s('1/m_in', (d) => 1 / d.mIn), multiplier: s('1/sqrt(fan_in)', (d) => 1 / Math.sqrt(d.fanIn)), lr: { sgd: one, adam: one }, source: NTK },
  { parametrization: 'ntk', role: 'output', variance: s('1/m_in', (d) => 1 / d.mIn), multiplier: s('1/sqrt(fan_in)', (d) => 1 / Math.sqrt(d.fanIn)), lr: { sgd: one, adam: one }, source: NTK },
  { parametrization: 'ntk', role: 'vector', variance: one, multiplier: one, lr: { sgd: one, adam: one }, source: NTK },
];

export function ruleOf(p: Exclude<Parametrization, 'standard'>, role: Role): Rule {
  return RULES.find((r) => r.parametrization === p && r.role === role)!;
}

/** One layer under a parametrization: what sampling, the forward pass and the optimizer apply. */
export interface LayerScaling {
  role: Exclude<Role, 'vector'>;
  dims: Dims;
  /** The kernel's shape at the base width: the initializer's variance there is the reference. */
  baseShape: number[];
  /** Effective variance / the initializer's variance at baseShape. */
  variance: number;
  /** Multiplies x W in the forward pass. */
  multiplier: number;
  /** Learning-rate factors per optimizer family, of the kernel and of the layer's vectors (bias, batch-norm scale and shift). */
  lrKernel: Record<Family, number>;
  lrVector: Record<Family, number>;
}

/** Per layer, input side first; null for the standard parametrization (nothing to do). */
export function layerScalings(arch: Architecture, plans: LayerPlan[]): LayerScaling[] | null {
  const p = arch.parametrization ?? 'standard';
  if (p === 'standard') return null;
  const base = arch.baseWidth ?? DEFAULT_BASE_WIDTH;
  const lastConv = plans.filter((l) => l.op === 'conv').at(-1);
  return plans.map((plan, i) => {
    const role: LayerScaling['role'] = i === 0 ? 'input' : plan.kind === 'output' ? 'output' : 'hidden';
    const units = plan.shape[plan.shape.length - 1];
    // The fan-in dimension: a conv's input channels; a dense layer's inputs, or after the convs'
    // flattening, the last conv's channels (the spatial positions do not grow with width).
    const flattened = plan.op === 'dense' && lastConv !== undefined && plans[i - 1]?.op === 'conv';
    const inUnits = plan.op === 'conv' ? plan.shape[2] : flattened ? lastConv.shape[3] : plan.shape[0];
    const mIn = role === 'input' ? 1 : inUnits / base;
    const mOut = role === 'output' ? 1 : units / base;
    const spatial = plan.op === 'conv' ? plan.shape[0] * plan.shape[1] : flattened ? plan.shape[0] / inUnits : 1;
    const baseIn = role === 'input' ? plan.shape[plan.shape.length - 2] : base;
    const baseOut = role === 'output' ? units : base;
    const baseShape = plan.op === 'conv' ? [plan.shape[0], plan.shape[1], baseIn, baseOut] : [spatial * baseIn, baseOut];
    const dims: Dims = { mIn, mOut, fanIn: computeFans(plan.shape).fanIn };
    const rule = ruleOf(p, role);
    const vector = ruleOf(p, 'vector');
    return {
      role,
      dims,
      baseShape,
      variance: rule.variance.of(dims),
      multiplier: rule.multiplier.of(dims),
      lrKernel: { sgd: rule.lr.sgd.of(dims), adam: rule.lr.adam.of(dims) },
      // A vector's one dimension is the layer's output units: its multiplier is m_out.
      lrVector: { sgd: vector.lr.sgd.of({ mIn: mOut, mOut, fanIn: 1 }), adam: vector.lr.adam.of({ mIn: mOut, mOut, fanIn: 1 }) },
    };
  });
}

/**
 * The factor a kernel sampled at its own shape is multiplied by: from the initializer's std there
 * (stdActual) to its std at the base shape times sqrt(variance), divided by the forward multiplier
 * so that multiplier x W has that std. A zero or unknown std (zeros, data-dependent) keeps the
 * sample and divides by the multiplier only: the layer starts computing what it would without it.
 */
export function kernelFactor(scaling: LayerScaling, stdActual: number | null, stdBase: number | null): number {
  if (!stdActual || !stdBase) return 1 / scaling.multiplier;
  return (stdBase * Math.sqrt(scaling.variance)) / stdActual / scaling.multiplier;
}

/** What the table's m_in, m_out and variance mean. */
export const BASE_WIDTH_NOTE =
  'm = units / model.baseWidth (default 64) for a dimension that grows with width (hidden units, channels); 1 for the input pixels, a first conv\'s single channel and the classes. m_in: the fan-in dimension\'s, m_out: the fan-out\'s. variance x: the effective weights\' (multiplier x W) variance as a multiple of the initializer\'s at the base width. At width = baseWidth muP is the standard parametrization (init, forward pass and learning rates); NTK starts from the same function, but its multipliers shrink every update of the effective weights by 1/fan_in under SGD (it wants a learning rate about fan_in times larger). SGD-like: sgd, momentum; Adam-like (entrywise-normalized updates): adam, rmsprop.';

export const roleName = (role: Role) => (role === 'vector' ? 'biases, batch-norm scale and shift' : `${role} weights`);

/** The table as Markdown (docs/parametrizations.md holds it; a test says when it is stale). */
export function rulesMarkdown(): string {
  const head = '| parametrization | weights | variance (x the initializer\'s at the base width) | forward multiplier | lr x (SGD, momentum) | lr x (Adam, RMSprop) | source |';
  const rows = RULES.map((r) => `| ${r.parametrization} | ${roleName(r.role)} | ${r.variance.text} | ${r.multiplier.text} | ${r.lr.sgd.text} | ${r.lr.adam.text} | ${r.source} |`);
  return [head, '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

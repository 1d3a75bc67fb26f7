/**
 * The optimizers a trial can use. Stated in every result: Adam rescales each weight's update and
 * can rescue a badly scaled init that plain SGD cannot (docs/science.md), so a fair comparison names it.
 */
import type { NamedTensorMap, Optimizer } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import type { Layer, Model } from '../model/network.js';
import { FAMILY, type Family } from '../model/parametrization.js';

import type { OptimizerName } from '../vocabulary.js';
export type { OptimizerName } from '../vocabulary.js';

/** Momentum of the `momentum` optimizer (heavy ball, as in PyTorch's SGD(momentum=0.9)). */
export const MOMENTUM = 0.9;

/**
 * Adam's constants (Kingma & Ba 2015): tfjs's defaults, epsilon being its float32 backends'
 * epsilon() (1e-7; Keras's default too, PyTorch's is 1e-8). Spelled out so that the fused dense
 * step (fused-step.ts) uses the very numbers tfjs does.
 */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/** RMSprop's constants (Tieleman & Hinton 2012): tfjs's defaults (decay 0.9, no momentum, epsilon 1e-7, not centered). */
export const RMSPROP = { decay: 0.9, momentum: 0, epsilon: 1e-7 } as const;

export function makeOptimizer(tf: Tf, name: OptimizerName, lr: number): Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, MOMENTUM);
    case 'adam':
      return tf.train.adam(lr, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(lr, RMSPROP.decay, RMSPROP.momentum, RMSPROP.epsilon, false);
  }
}

/**
 * Frees an optimizer's tensors. tfjs 4.22's MomentumOptimizer.dispose() does not call its parent
 * SGD's, which holds the scalar -lr as `c` (one tensor leaked per trial), so we free it here too.
 */
export function disposeOptimizer(optimizer: Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: { isDisposed: boolean; dispose(): void } }).c;
  if (c && !c.isDisposed) c.dispose();
}

/** Makes optimizers on demand, for a refinement outside the training loop (layer-wise pretraining). */
export function optimizerFactory(tf: Tf): (name: OptimizerName, lr: number) => { optimizer: Optimizer; dispose(): void } {
  return (name, lr) => {
    const optimizer = makeOptimizer(tf, name, lr);
    return { optimizer, dispose: () => disposeOptimizer(optimizer) };
  };
}

/** What the training loop steps: one optimizer, or one per learning-rate group. */
export interface TrainOptimizer {
  /** Which optimizer, at which base learning rate (per-layer factors come from the model: `layerLrFactors`). */
  spec: { name: OptimizerName; lr: number };
  applyGradients(grads: NamedTensorMap): void;
  dispose(): void;
}

/**
 * The trial's optimizer. Under a parametrization with per-layer learning rates (muP), one tfjs
 * optimizer per distinct factor, each stepping its own variables: for Adam and RMSprop scaling
 * the gradient would not scale the update (they normalize it entrywise), so the learning rate
 * itself must differ. Without factors (standard, NTK) it is the one optimizer, as before.
 */
export function makeTrainOptimizer(tf: Tf, name: OptimizerName, lr: number, model: Model): TrainOptimizer {
  const groups = lrGroups(model, FAMILY[name]);
  const spec = { name, lr };
  if (groups.size <= 1) {
    const factor = groups.size ? [...groups.keys()][0] : 1;
    const optimizer = makeOptimizer(tf, name, lr * factor);
    return { spec, applyGradients: (g) => optimizer.applyGradients(g), dispose: () => disposeOptimizer(optimizer) };
  }
  const parts = [...groups].map(([factor, names]) => ({ optimizer: makeOptimizer(tf, name, lr * factor), names }));
  return {
    spec,
    applyGradients(grads) {
      for (const p of parts) {
        const mine: NamedTensorMap = {};
        for (const n of p.names) if (grads[n]) mine[n] = grads[n];
        p.optimizer.applyGradients(mine);
      }
    },
    dispose: () => parts.forEach((p) => disposeOptimizer(p.optimizer)),
  };
}

/** A layer's learning-rate factors under the parametrization: of its kernel, and of its vectors (bias, batch norm's gamma and beta). */
export function layerLrFactors(layer: Pick<Layer, 'lrScale'>, family: Family): { kernel: number; vector: number } {
  return { kernel: layer.lrScale?.lrKernel[family] ?? 1, vector: layer.lrScale?.lrVector[family] ?? 1 };
}

/** Trainable variable names by learning-rate factor (one factor, 1, for a standard model). */
export function lrGroups(model: Model, family: Family): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  const add = (factor: number, v: { name: string; trainable: boolean }) => {
    if (v.trainable) groups.set(factor, [...(groups.get(factor) ?? []), v.name]);
  };
  const claimed = new Set<string>();
  for (const l of model.layers) {
    const { kernel: k, vector: v } = layerLrFactors(l, family);
    add(k, l.kernel);
    add(v, l.bias);
    if (l.bn) [l.bn.gamma, l.bn.beta].forEach((x) => add(v, x));
    for (const x of [l.kernel, l.bias, ...(l.bn ? [l.bn.gamma, l.bn.beta] : [])]) claimed.add(x.name);
  }
  // Variables outside the layers (learnable branch scalars) keep the base learning rate.
  for (const x of model.variables) if (!claimed.has(x.name)) add(1, x);
  return groups;
}

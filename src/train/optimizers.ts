/**
 * The optimizers a trial can use. Stated in every result: Adam rescales each weight's update and
 * can rescue a badly scaled init that plain SGD cannot (docs/science.md), so a fair comparison names it.
 */
import type { Optimizer } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';

import type { OptimizerName } from '../vocabulary.js';
export type { OptimizerName } from '../vocabulary.js';

/** Momentum of the `momentum` optimizer (heavy ball, as in PyTorch's SGD(momentum=0.9)). */
export const MOMENTUM = 0.9;

export function makeOptimizer(tf: Tf, name: OptimizerName, lr: number): Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, MOMENTUM);
    case 'adam':
      return tf.train.adam(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
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

/**
 * The optimizers a trial can use. Stated in every result: Adam rescales each weight's update and
 * can rescue a badly scaled init that plain SGD cannot (docs/science.md), so a fair comparison names it.
 */
import type { Optimizer } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';

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

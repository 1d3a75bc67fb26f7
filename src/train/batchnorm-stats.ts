/**
 * Precise batch norm (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm", section 3): before an
 * evaluation, replace the running averages, which lag behind weights that moved since their early
 * values (with momentum 0.99 the starting value still weighs 0.99^n after n steps: 8% after 250),
 * by the statistics of the training set under the current weights. One pass over the examples in
 * batches of the training batch size, in training mode (each layer normalised by its batch's
 * statistics, as in training, no dropout, weights untouched); per layer and unit:
 *   mean = sum_b n_b mu_b / N,   var = sum_b n_b (sigma_b^2 + mu_b^2) / N - mean^2
 * (the population mean and biased variance over the pass, as the paper's "population statistics").
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import { imageBatches } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { forward, setMovingMoments, type Model } from '../model/network.js';

/** Recomputes every batch-norm layer's moving statistics over `indices`; a no-op without batch norm. */
export function recomputeBatchNormStats(tf: Tf, model: Model, data: Dataset, indices: Int32Array, batchSize: number, seed: number): void {
  if (!model.layers.some((l) => l.bn)) return;
  // Per batch-norm layer: running sums of n mu and n (sigma^2 + mu^2).
  const sums = new Map<number, { first: Tensor; second: Tensor }>();
  let count = 0;
  for (const x of imageBatches(tf, data, indices, batchSize, seed)) {
    const n = x.shape[0];
    tf.tidy(() => {
      for (const m of forward(tf, model, x, 'probe').batchMoments) {
        const first = tf.mul(m.mean, n);
        const second = tf.mul(tf.add(m.variance, tf.square(m.mean)), n);
        const old = sums.get(m.layer);
        sums.set(m.layer, { first: tf.keep(old ? tf.add(old.first, first) : first), second: tf.keep(old ? tf.add(old.second, second) : second) });
        if (old) tf.dispose([old.first, old.second]);
      }
    });
    x.dispose();
    count += n;
  }
  tf.tidy(() => {
    const moments = [...sums].map(([layer, s]) => {
      const mean = tf.div(s.first, count);
      return { layer, mean, variance: tf.relu(tf.sub(tf.div(s.second, count), tf.square(mean))) };
    });
    setMovingMoments(tf, model, moments);
  });
  for (const s of sums.values()) tf.dispose([s.first, s.second]);
}

/**
 * LSUV, the data-dependent part (Mishkin & Matas 2016, "All you need is a good init"): after an
 * orthogonal pre-init, walk the layers from the input; forward a training batch, measure the
 * variance of the layer's output before its activation (one scalar over batch and units), and
 * divide the kernel by its square root, until |variance - 1| < tol or maxIterations. Biases are
 * left alone. In a residual block the variance is the branch's own output's, before the skip is
 * added (scaling the kernel cannot change the skip's share of the sum).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/select.js';
import { forward, type Model } from '../model/network.js';

export interface LsuvReport {
  /** Rescaling iterations per layer (0: the variance was already within tol). */
  iterations: number[];
  /** Pre-activation variance per layer after LSUV. */
  finalVariance: number[];
}

export function applyLsuv(tf: Tf, model: Model, batch: Tensor2D, tol: number, maxIterations: number): LsuvReport {
  const iterations: number[] = [];
  const finalVariance: number[] = [];
  model.layers.forEach((layer, l) => {
    let done = 0;
    let variance = preActivationVariance(tf, model, batch, l);
    while (Math.abs(variance - 1) >= tol && done < maxIterations && Number.isFinite(variance) && variance > 0) {
      const scale = 1 / Math.sqrt(variance);
      tf.tidy(() => layer.kernel.assign(tf.mul(layer.kernel, scale)));
      done++;
      variance = preActivationVariance(tf, model, batch, l);
    }
    iterations.push(done);
    finalVariance.push(variance);
  });
  return { iterations, finalVariance };
}

function preActivationVariance(tf: Tf, model: Model, batch: Tensor2D, layer: number): number {
  return tf.tidy(() => {
    // The layer's own output: at the end of a residual block, before the skip is added.
    const z = forward(tf, model, batch, 'probe', layer + 1).outputs[layer];
    return tf.moments(z).variance.dataSync()[0];
  });
}

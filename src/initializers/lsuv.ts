/**
 * LSUV, the data-dependent part (Mishkin & Matas 2016, "All you need is a good init"): after an
 * orthogonal pre-init, walk the layers from the input; forward a training batch, measure the
 * variance of the layer's output before its activation (one scalar over batch and units), and
 * divide the kernel by its square root, until |variance - 1| < tol or maxIterations. Biases are
 * left alone. In a residual block the variance is the branch's own output's, before the skip is
 * added (scaling the kernel cannot change the skip's share of the sum).
 */
import type { DataDependentContext } from './types.js';

/** Rescaling iterations and the final pre-activation variance, per layer. */
export interface LsuvReport {
  iterations: number[];
  finalVariance: number[];
}


export function applyLsuv(ctx: DataDependentContext, tol: number, maxIterations: number): LsuvReport {
  const { tf } = ctx;
  const iterations: number[] = [];
  const finalVariance: number[] = [];
  const varianceAt = (l: number) =>
    tf.tidy(() => tf.moments(ctx.forward(ctx.batch, l + 1).outputs[l]).variance.dataSync()[0]);
  ctx.layers.forEach((layer, l) => {
    let done = 0;
    let variance = varianceAt(l);
    while (Math.abs(variance - 1) >= tol && done < maxIterations && Number.isFinite(variance) && variance > 0) {
      const scale = 1 / Math.sqrt(variance);
      tf.tidy(() => layer.kernel.assign(tf.mul(layer.kernel, scale)));
      done++;
      variance = varianceAt(l);
    }
    iterations.push(done);
    finalVariance.push(variance);
  });
  return { iterations, finalVariance };
}

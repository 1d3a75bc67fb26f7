/**
 * Per-layer statistics of one forward and one backward pass on a batch: what the signal and the
 * gradients look like inside the network (signal propagation plots after Brock et al.; the
 * coordinate check of microsoft/mup).
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { tidyValue, type Tf } from '../backend/tf.js';
import type { LayerStats } from '../results/schema.js';

export type { LayerStats } from '../results/schema.js';
import type { Activation } from '../initializers/gain.js';
import { forward, type Model } from '../model/network.js';
import { matrixShape } from '../initializers/fans.js';


const RELU_FAMILY: Activation[] = ['relu', 'leakyRelu', 'elu', 'selu'];

export function layerStats(tf: Tf, model: Model, x: Tensor2D, oneHot: Tensor2D): LayerStats[] {
  const forwardStats = tidyValue(tf, () => {
    const trace = forward(tf, model, x, 'probe');
    return model.layers.map((layer, i) => {
      const z = trace.preActivations[i];
      const a = trace.activations[i];
      const zm = tf.moments(z);
      const am = tf.moments(a);
      const values = [zm.mean, tf.sqrt(zm.variance), tf.mean(tf.square(z)), am.mean, tf.sqrt(am.variance)];
      // A unit (a dense unit, or a conv channel at every position) is dead when its
      // pre-activation is <= 0 for the whole batch.
      const perUnit = tf.reshape(z, [-1, z.shape[z.rank - 1]]);
      const dead = RELU_FAMILY.includes(layer.activation) ? tf.mean(tf.cast(tf.lessEqual(tf.max(perUnit, 0), 0), 'float32')) : null;
      const saturated = saturation(tf, a, layer.activation);
      return { values: values.map(scalarOf), dead: dead ? scalarOf(dead) : null, saturated: saturated ? scalarOf(saturated) : null };
    });
  });
  const gradStats = tidyValue(tf, () => {
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(oneHot, forward(tf, model, x, 'probe').logits) as Scalar, model.variables);
    return model.layers.map((l) => [scalarOf(tf.norm(grads[l.kernel.name])), scalarOf(tf.norm(l.kernel))]);
  });
  return model.layers.map((layer, i) => {
    const [preMean, preStd, q, actMean, actStd] = forwardStats[i].values;
    const [gradNorm, weightNorm] = gradStats[i];
    return {
      layer: layer.name,
      units: layer.shape[layer.shape.length - 1],
      activation: layer.activation,
      preActivationMean: preMean,
      preActivationStd: preStd,
      preActivationMeanSquare: q,
      activationMean: actMean,
      activationStd: actStd,
      deadFraction: forwardStats[i].dead,
      saturatedFraction: forwardStats[i].saturated,
      gradNorm,
      weightNorm,
      gradToWeightRatio: weightNorm > 0 ? gradNorm / weightNorm : gradNorm > 0 ? Infinity : 0,
    };
  });
}

/**
 * Per layer, the std of the activations on a fixed batch (probe mode: batch statistics, no
 * dropout, as \`layerStats\` measures at init). One forward pass, no gradient: cheap enough to
 * repeat after every epoch, so the signal's spread can be followed as the network trains.
 */
export function activationStds(tf: Tf, model: Model, x: Tensor2D): number[] {
  return tidyValue(tf, () => {
    const trace = forward(tf, model, x, 'probe');
    return trace.activations.map((a) => scalarOf(tf.sqrt(tf.moments(a).variance)));
  });
}

function saturation(tf: Tf, a: Tensor, activation: Activation): Tensor | null {
  if (activation === 'tanh') return tf.mean(tf.cast(tf.greater(tf.abs(a), 0.99), 'float32'));
  if (activation === 'sigmoid') return tf.mean(tf.cast(tf.logicalOr(tf.less(a, 0.01), tf.greater(a, 0.99)), 'float32'));
  return null;
}

function scalarOf(t: Tensor): number {
  return t.dataSync()[0];
}

/**
 * Units per layer that are really different: two units whose incoming weights and bias agree
 * within `tol` (relative to the layer's largest weight) count once. Zero or constant init leaves
 * exactly one distinct unit per layer for ever.
 */
export function distinctUnits(tf: Tf, model: Model, tol = 1e-6): number[] {
  return model.layers.slice(0, -1).map((layer) => {
    const [fanIn, units] = matrixShape(layer.shape);
    // Each unit of a residual block's last layer or projection is added to its own unit of the
    // other term (skip or branch), so equal incoming weights do not make two units
    // interchangeable: a symmetry there shows in the layers that feed the skip.
    if (layer.kind === 'residualOut' || layer.residual?.role === 'projection') return units;
    const w = layer.kernel.dataSync();
    const b = layer.bias.dataSync();
    let scale = 0;
    for (const v of w) scale = Math.max(scale, Math.abs(v));
    const limit = tol * Math.max(scale, 1e-12);
    const representatives: number[] = [];
    for (let u = 0; u < units; u++) {
      const same = representatives.some((r) => {
        if (Math.abs(b[u] - b[r]) > limit) return false;
        for (let i = 0; i < fanIn; i++) if (Math.abs(w[i * units + u] - w[i * units + r]) > limit) return false;
        return true;
      });
      if (!same) representatives.push(u);
    }
    return representatives.length;
  });
}

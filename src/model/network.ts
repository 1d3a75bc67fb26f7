/**
 * The networks: an MLP (dense layers) or a small CNN (conv layers with max pooling, then an
 * optional dense head), plain or residual (see plan.ts), each hidden layer optionally with batch
 * norm and dropout, and a dense output layer whose logits go through softmax inside the loss. Written as plain tfjs ops over
 * our own variables rather than a tfjs-layers model, so that each layer's pre-activation is at
 * hand for diagnostics and LSUV, and no tfjs layer initializes weights behind our back.
 */
import type { Tensor, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { tidyValue, type Tf } from '../backend/tf.js';
import type { Activation } from '../initializers/gain.js';
import { forwardGraph } from './graph.js';
import { layerPlan, type Architecture, type LayerPlan } from './plan.js';

// The plan moved to plan.ts; callers that import it from here keep working.
export { architectureOf, layerPlan, type Architecture, type LayerPlan, type ModelSettings } from './plan.js';

export interface Layer extends LayerPlan {
  kernel: Variable;
  bias: Variable;
  bn?: { gamma: Variable; beta: Variable; movingMean: Variable; movingVariance: Variable };
}

export interface Model {
  arch: Architecture;
  layers: Layer[];
  /** Every trainable variable, in a fixed order. */
  variables: Variable[];
}

/** Momentum of batch norm's moving statistics (Keras's default) and its epsilon. */
export const BN_MOMENTUM = 0.99;
const BN_EPSILON = 1e-3;

/** Builds the model from kernel values (one per layer) and biases (null: zeros). */
export function buildModel(tf: Tf, arch: Architecture, kernels: Float32Array[], biases: (Float32Array | null)[] = []): Model {
  // Variables survive tidy; the tensors they are made from do not linger. tfjs names them
  // uniquely (two models may exist at once), and gradients are looked up by that name.
  const layers: Layer[] = tidyValue(tf, () =>
    layerPlan(arch).map((plan, i) => {
      const units = plan.shape[plan.shape.length - 1];
      const layer: Layer = {
        ...plan,
        kernel: tf.variable(tf.tensor(kernels[i], plan.shape)),
        bias: tf.variable(biases[i] ? tf.tensor1d(biases[i]!) : tf.zeros([units])),
      };
      if (plan.batchNorm) {
        layer.bn = {
          gamma: tf.variable(tf.ones([units])),
          beta: tf.variable(tf.zeros([units])),
          movingMean: tf.variable(tf.zeros([units]), false),
          movingVariance: tf.variable(tf.ones([units]), false),
        };
      }
      return layer;
    }),
  );
  // A model file's layer without a bias (`use_bias: false`) keeps its zero bias untrained.
  const variables = layers.flatMap((l) => [l.kernel, ...(l.file?.useBias === false ? [] : [l.bias]), ...(l.bn ? [l.bn.gamma, l.bn.beta] : [])]);
  return { arch, layers, variables };
}

export function disposeModel(model: Model): void {
  for (const l of model.layers) {
    l.kernel.dispose();
    l.bias.dispose();
    if (l.bn) for (const v of Object.values(l.bn)) v.dispose();
  }
}

export function activate(tf: Tf, x: Tensor, activation: Activation, leakySlope: number): Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, leakySlope);
    case 'linear':
      return x;
  }
}

/**
 * train: batch statistics for batch norm (returned, for the moving averages) and dropout;
 * probe: batch statistics, no dropout (the network as training first sees it);
 * eval: moving statistics, no dropout.
 */
export type Mode = 'train' | 'probe' | 'eval';

export interface ForwardTrace {
  logits: Tensor2D;
  /** Per layer: the input of the nonlinearity (after batch norm, and after the skip is added at the end of a residual block); the output layer's are the logits. */
  preActivations: Tensor[];
  /** Per layer: the layer's own output (product, bias, batch norm) before any skip is added; LSUV scales this. */
  outputs: Tensor[];
  /** Per layer: after the activation (before pooling and dropout); a projection's is its output. */
  activations: Tensor[];
  /** Per batch-norm layer (train mode): the batch's mean and variance. */
  batchMoments: { layer: number; mean: Tensor; variance: Tensor }[];
}

/**
 * Forward pass; `upTo` stops after that many layers; `dropoutSeed` seeds train-mode dropout.
 * Probe mode records every layer in the trace; train and eval modes record only what they need.
 */
export function forward(tf: Tf, model: Model, x: Tensor2D, mode: Mode = 'eval', upTo = model.layers.length, dropoutSeed = 0): ForwardTrace {
  const trace: ForwardTrace = { logits: x, preActivations: [], outputs: [], activations: [], batchMoments: [] };
  if (model.arch.file) {
    // A model file's network runs its own program (graph.ts), whole: `upTo` only trims the trace's use.
    forwardGraph(tf, model.arch.file, model.layers, x, mode, dropoutSeed, trace, {
      activate: (t, a) => activate(tf, t, a, model.arch.leakySlope),
      batchNorm: (layer, z, i) => batchNorm(tf, layer, z, mode, i, trace),
    });
    return trace;
  }
  let h: Tensor = model.arch.conv.filters.length ? tf.reshape(x, [-1, model.arch.height, model.arch.width, 1]) : x;
  // The skip of the residual block being computed: its input, or the input's projection.
  let skip: Tensor | null = null;
  model.layers.slice(0, upTo).forEach((layer, i) => {
    if (layer.op === 'dense' && h.rank > 2) h = tf.reshape(h, [h.shape[0], -1]);
    const place = layer.residual;
    if (place?.role === 'projection') {
      skip = product(tf, layer, h);
      if (mode === 'probe') record(trace, skip, skip, skip);
      return;
    }
    if (place?.position === 0 && skip === null) skip = h;
    const sumsSkip = layer.kind === 'residualOut';
    if (mode !== 'probe' && !layer.bn && !sumsSkip && FUSABLE.has(layer.activation)) {
      // Product, bias and activation in one kernel (XNNPACK on wasm): fewer passes and kernel
      // calls per step. Only probe mode needs the pre-activation itself.
      h = fusedLayer(tf, layer, h);
    } else {
      let z = product(tf, layer, h);
      if (layer.bn) z = batchNorm(tf, layer, z, mode, i, trace);
      // End of a residual block: out = act(skip + branch), as in He et al. (2016).
      const s = sumsSkip ? tf.add(skip!, z) : z;
      if (sumsSkip) skip = null;
      h = activate(tf, s, layer.activation, model.arch.leakySlope);
      if (mode === 'probe') record(trace, s, z, h);
    }
    if (layer.pool > 1) h = tf.maxPool(h as Tensor4D, layer.pool, layer.pool, 'valid');
    if (layer.dropout > 0 && mode === 'train') h = tf.dropout(h, layer.dropout, undefined, dropoutSeed * 131 + i);
  });
  trace.logits = h as Tensor2D;
  return trace;
}

function record(trace: ForwardTrace, preActivation: Tensor, output: Tensor, activation: Tensor): void {
  trace.preActivations.push(preActivation);
  trace.outputs.push(output);
  trace.activations.push(activation);
}

function product(tf: Tf, layer: Layer, h: Tensor): Tensor {
  if (layer.op === 'conv') return tf.add(tf.conv2d(h as Tensor4D, layer.kernel as unknown as Tensor4D, 1, layer.padding), layer.bias);
  return tf.add(tf.matMul(h as Tensor2D, layer.kernel as unknown as Tensor2D), layer.bias);
}

/** Activations whose fused kernels tfjs can differentiate. */
const FUSABLE = new Set<Activation>(['relu', 'linear']);

function fusedLayer(tf: Tf, layer: Layer, h: Tensor): Tensor {
  const activation = layer.activation === 'relu' ? 'relu' : 'linear';
  if (layer.op === 'conv') {
    return tf.fused.conv2d({ x: h as Tensor4D, filter: layer.kernel as unknown as Tensor4D, strides: 1, pad: layer.padding, bias: layer.bias, activation });
  }
  return tf.fused.matMul({ a: h as Tensor2D, b: layer.kernel as unknown as Tensor2D, bias: layer.bias, activation });
}

function batchNorm(tf: Tf, layer: Layer, z: Tensor, mode: Mode, index: number, trace: ForwardTrace): Tensor {
  const bn = layer.bn!;
  const axes = z.rank === 4 ? [0, 1, 2] : [0];
  let mean: Tensor = bn.movingMean;
  let variance: Tensor = bn.movingVariance;
  if (mode !== 'eval') {
    ({ mean, variance } = tf.moments(z, axes));
    if (mode === 'train') trace.batchMoments.push({ layer: index, mean, variance });
  }
  return tf.batchNorm(z, mean, variance, bn.beta, bn.gamma, BN_EPSILON);
}

/** After a step: moving = momentum * moving + (1 - momentum) * batch, for each batch-norm layer. */
export function updateMovingMoments(tf: Tf, model: Model, moments: { layer: number; mean: Tensor; variance: Tensor }[]): void {
  tf.tidy(() => {
    for (const m of moments) {
      const bn = model.layers[m.layer].bn!;
      bn.movingMean.assign(tf.add(tf.mul(bn.movingMean, BN_MOMENTUM), tf.mul(m.mean, 1 - BN_MOMENTUM)));
      bn.movingVariance.assign(tf.add(tf.mul(bn.movingVariance, BN_MOMENTUM), tf.mul(m.variance, 1 - BN_MOMENTUM)));
    }
  });
}

/**
 * The networks: an MLP (dense layers) or a small CNN (conv layers with max pooling, then an
 * optional dense head), each hidden layer optionally with batch norm and dropout, and a dense
 * output layer whose logits go through softmax inside the loss. Written as plain tfjs ops over
 * our own variables rather than a tfjs-layers model, so that each layer's pre-activation is at
 * hand for diagnostics and LSUV, and no tfjs layer initializes weights behind our back.
 */
import type { Tensor, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { tidyValue, type Tf } from '../backend/tf.js';
import type { Dataset } from '../data/dataset.js';
import type { Activation } from '../initializers/gain.js';
import type { LayerKind } from '../initializers/types.js';

export interface Architecture {
  kind: 'mlp' | 'cnn';
  height: number;
  width: number;
  classes: number;
  /** MLP: hidden widths. CNN: widths of the dense head between the convs and the output. */
  hidden: number[];
  conv: { filters: number[]; kernelSize: number; pool: number; padding: 'valid' | 'same' };
  activation: Activation;
  leakySlope: number;
  batchNorm: boolean;
  /** Dropout rate after each hidden layer's activation (0: none). */
  dropout: number;
}

/** One weight layer as planned: its kernel shape and what follows the product. */
export interface LayerPlan {
  name: string;
  kind: LayerKind;
  /** tfjs layout: dense [in, out], conv [kh, kw, in, out]. */
  shape: number[];
  activation: Activation;
  /** Max pooling window after the activation (conv layers). */
  pool: number;
  padding: 'valid' | 'same';
  batchNorm: boolean;
  dropout: number;
}

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

export interface ModelSettings {
  kind: 'mlp' | 'cnn';
  hidden: number[];
  head: number[];
  filters: number[];
  kernelSize: number;
  pool: number;
  padding: 'valid' | 'same';
  activation: Activation;
  leakySlope: number;
  batchNorm: boolean;
  dropout: number;
}

/** The network a config asks for, on this dataset's image size and classes. */
export function architectureOf(m: ModelSettings, data: Pick<Dataset, 'height' | 'width' | 'classes'>): Architecture {
  return {
    kind: m.kind,
    height: data.height,
    width: data.width,
    classes: data.classes,
    hidden: m.kind === 'cnn' ? m.head : m.hidden,
    conv: { filters: m.kind === 'cnn' ? m.filters : [], kernelSize: m.kernelSize, pool: m.pool, padding: m.padding },
    activation: m.activation,
    leakySlope: m.leakySlope,
    batchNorm: m.batchNorm,
    dropout: m.dropout,
  };
}

/** Layer shapes and kinds, input side first. Throws (with the sizes) when the image runs out. */
export function layerPlan(arch: Architecture): LayerPlan[] {
  const plans: LayerPlan[] = [];
  const hidden = { activation: arch.activation, batchNorm: arch.batchNorm, dropout: arch.dropout, padding: arch.conv.padding };
  let size = arch.height;
  let channels = 1;
  arch.conv.filters.forEach((filters, i) => {
    const k = arch.conv.kernelSize;
    const afterConv = arch.conv.padding === 'same' ? size : size - k + 1;
    const afterPool = Math.floor(afterConv / arch.conv.pool);
    if (afterConv < 1 || afterPool < 1) throw new Error(`conv layer ${i + 1} has a ${size}x${size} input: too small for a ${k}x${k} kernel and ${arch.conv.pool}x${arch.conv.pool} pooling`);
    plans.push({ name: `conv${i + 1}`, kind: 'conv', shape: [k, k, channels, filters], pool: arch.conv.pool, ...hidden });
    size = afterPool;
    channels = filters;
  });
  let inputs = arch.conv.filters.length ? size * size * channels : arch.height * arch.width;
  arch.hidden.forEach((units, i) => {
    plans.push({ name: `dense${i + 1}`, kind: 'dense', shape: [inputs, units], pool: 1, ...hidden });
    inputs = units;
  });
  plans.push({ name: 'output', kind: 'output', shape: [inputs, arch.classes], activation: 'linear', pool: 1, padding: 'valid', batchNorm: false, dropout: 0 });
  return plans;
}

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
  const variables = layers.flatMap((l) => [l.kernel, l.bias, ...(l.bn ? [l.bn.gamma, l.bn.beta] : [])]);
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
  /** Per layer: the input of the nonlinearity (after batch norm); the output layer's are the logits. */
  preActivations: Tensor[];
  /** Per layer: after the activation (before pooling and dropout). */
  activations: Tensor[];
  /** Per batch-norm layer (train mode): the batch's mean and variance. */
  batchMoments: { layer: number; mean: Tensor; variance: Tensor }[];
}

/** Forward pass; `upTo` stops after that many layers; `dropoutSeed` seeds train-mode dropout. */
export function forward(tf: Tf, model: Model, x: Tensor2D, mode: Mode = 'eval', upTo = model.layers.length, dropoutSeed = 0): ForwardTrace {
  const trace: ForwardTrace = { logits: x, preActivations: [], activations: [], batchMoments: [] };
  let h: Tensor = model.arch.conv.filters.length ? tf.reshape(x, [-1, model.arch.height, model.arch.width, 1]) : x;
  model.layers.slice(0, upTo).forEach((layer, i) => {
    if (layer.kind !== 'conv' && h.rank > 2) h = tf.reshape(h, [h.shape[0], -1]);
    if (mode !== 'probe' && !layer.bn && FUSABLE.has(layer.activation)) {
      // Product, bias and activation in one kernel (XNNPACK on wasm): fewer passes and kernel
      // calls per step. Only probe mode needs the pre-activation itself.
      h = fusedLayer(tf, layer, h);
      if (layer.pool > 1) h = tf.maxPool(h as Tensor4D, layer.pool, layer.pool, 'valid');
      if (layer.dropout > 0 && mode === 'train') h = tf.dropout(h, layer.dropout, undefined, dropoutSeed * 131 + i);
      return;
    }
    let z: Tensor;
    if (layer.kind === 'conv') z = tf.add(tf.conv2d(h as Tensor4D, layer.kernel as unknown as Tensor4D, 1, layer.padding), layer.bias);
    else z = tf.add(tf.matMul(h as Tensor2D, layer.kernel as unknown as Tensor2D), layer.bias);
    if (layer.bn) z = batchNorm(tf, layer, z, mode, i, trace);
    let a = activate(tf, z, layer.activation, model.arch.leakySlope);
    trace.preActivations.push(z);
    trace.activations.push(a);
    if (layer.pool > 1) a = tf.maxPool(a as Tensor4D, layer.pool, layer.pool, 'valid');
    if (layer.dropout > 0 && mode === 'train') a = tf.dropout(a, layer.dropout, undefined, dropoutSeed * 131 + i);
    h = a;
  });
  trace.logits = h as Tensor2D;
  return trace;
}

/** Activations whose fused kernels tfjs can differentiate. */
const FUSABLE = new Set<Activation>(['relu', 'linear']);

function fusedLayer(tf: Tf, layer: Layer, h: Tensor): Tensor {
  const activation = layer.activation === 'relu' ? 'relu' : 'linear';
  if (layer.kind === 'conv') {
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

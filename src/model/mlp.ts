/**
 * The MLP: dense layers with the chosen activation, then a dense output layer whose logits go
 * through softmax (inside the loss, for numerical stability). Written as plain tfjs ops over our
 * own variables rather than a tfjs-layers model, so that each layer's pre-activation is at hand
 * for diagnostics and LSUV, and no layer initializes weights behind our back.
 */
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../backend/select.js';
import type { Dataset } from '../data/dataset.js';
import type { Activation } from '../initializers/gain.js';
import type { LayerKind } from '../initializers/types.js';

export interface DenseLayer {
  name: string;
  kind: LayerKind;
  /** [in, out] (tfjs layout). */
  shape: [number, number];
  kernel: Variable;
  bias: Variable;
  /** Activation after this layer; `linear` for the output layer (softmax is in the loss). */
  activation: Activation;
}

export interface Model {
  layers: DenseLayer[];
  /** Every trainable variable, in a fixed order. */
  variables: Variable[];
  leakySlope: number;
}

export interface Architecture {
  inputSize: number;
  hidden: number[];
  classes: number;
  activation: Activation;
  leakySlope: number;
}

/** The MLP an experiment asks for, on this dataset's image size and classes. */
export function architectureOf(model: { hidden: number[]; activation: Activation; leakySlope: number }, data: Dataset): Architecture {
  return { inputSize: data.height * data.width, hidden: model.hidden, classes: data.classes, activation: model.activation, leakySlope: model.leakySlope };
}

/** Layer shapes and kinds of an architecture, input side first. */
export function layerPlan(arch: Architecture): { name: string; kind: LayerKind; shape: [number, number]; activation: Activation }[] {
  const widths = [arch.inputSize, ...arch.hidden, arch.classes];
  return widths.slice(1).map((out, i) => {
    const isOutput = i === widths.length - 2;
    return {
      name: isOutput ? 'output' : `dense${i + 1}`,
      kind: isOutput ? ('output' as const) : ('dense' as const),
      shape: [widths[i], out] as [number, number],
      activation: isOutput ? ('linear' as const) : arch.activation,
    };
  });
}

/** Builds the model from kernel values (one Float32Array per layer) and biases (null: zeros). */
export function buildMlp(tf: Tf, arch: Architecture, kernels: Float32Array[], biases: (Float32Array | null)[] = []): Model {
  // Variables survive tidy; the tensors they are made from do not linger. tfjs names them
  // uniquely (two models may exist at once), and gradients are looked up by that name.
  const layers = tf.tidy(() =>
    layerPlan(arch).map((plan, i) => ({
      ...plan,
      kernel: tf.variable(tf.tensor2d(kernels[i], plan.shape)),
      bias: tf.variable(biases[i] ? tf.tensor1d(biases[i]!) : tf.zeros([plan.shape[1]])),
    })),
  );
  return { layers, variables: layers.flatMap((l) => [l.kernel, l.bias]), leakySlope: arch.leakySlope };
}

export function disposeModel(model: Model): void {
  for (const v of model.variables) v.dispose();
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

export interface ForwardTrace {
  logits: Tensor2D;
  /** Per layer: x W + b before the activation (the output layer's are the logits). */
  preActivations: Tensor2D[];
  /** Per layer: after the activation. */
  activations: Tensor2D[];
}

/** Forward pass, returning every layer's pre- and post-activation beside the logits. */
export function forward(tf: Tf, model: Model, x: Tensor2D, upTo = model.layers.length): ForwardTrace {
  const preActivations: Tensor2D[] = [];
  const activations: Tensor2D[] = [];
  let h = x;
  for (const layer of model.layers.slice(0, upTo)) {
    const z = tf.add(tf.matMul(h, layer.kernel), layer.bias) as Tensor2D;
    h = activate(tf, z, layer.activation, model.leakySlope) as Tensor2D;
    preActivations.push(z);
    activations.push(h);
  }
  return { logits: h, preActivations, activations };
}

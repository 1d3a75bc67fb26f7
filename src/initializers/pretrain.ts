/**
 * Greedy layer-wise pretraining, the data-dependent part (Bengio, Lamblin, Popovici & Larochelle
 * 2007, "Greedy Layer-Wise Training of Deep Networks"; Vincent, Larochelle, Bengio & Manzagol
 * 2008, "Extracting and Composing Robust Features with Denoising Autoencoders"; after Hinton,
 * Osindero & Teh 2006, "A fast learning algorithm for deep belief nets", which used RBMs).
 *
 * From the input side, each hidden dense layer in turn is the encoder h = act(x W + b) of an
 * autoencoder trained, without labels, to reconstruct its input x, the previous (already
 * pretrained) layer's output on the training images. The decoder is x_hat = dec(h W' + c) with
 * W' = W^T (tied, as in Vincent 2008) or its own Glorot-uniform matrix (untied). Denoising
 * zeroes each input with probability `corruption` before encoding and reconstructs the clean x
 * (masking noise, Vincent 2008). The encoder's W and b are kept in the model's own variables;
 * the decoder is thrown away.
 *
 * Reconstruction loss, summed over the input's units and averaged over images:
 *   sigmoid decoder: cross-entropy  sum_i softplus(r_i) - x_i r_i  (r = h W' + c; Bengio 2007,
 *     Vincent 2008: for inputs in [0, 1], i.e. pixels or sigmoid outputs);
 *   tanh or linear decoder: squared error  sum_i (dec(r_i) - x_i)^2.
 * `auto` picks sigmoid where the input lies in [0, 1] (the pixels, sigmoid outputs), tanh after
 * tanh, linear otherwise.
 *
 * Every random draw (batch order, masks, untied decoders) comes from seeds derived from the
 * trial seed, so a trial is reproducible. Batch norm and dropout are not part of the
 * autoencoders: the encoder is the layer's product, bias and activation alone.
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import { Interrupted } from '../errors.js';
import type { Activation, OptimizerName } from '../vocabulary.js';
import type { DataDependentContext, InitLayer } from './types.js';
import { deriveSeed, Rng } from '../util/random.js';

export type DecoderActivation = 'auto' | 'sigmoid' | 'tanh' | 'linear';

export interface PretrainSettings {
  /** Passes over the images per layer. */
  epochs: number;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  /** Fraction of each input zeroed before encoding (0: a plain autoencoder). */
  corruption: number;
  /** Decoder W' = W^T (true) or its own matrix. */
  tied: boolean;
  decoder: DecoderActivation;
  /** The trial seed: batch orders, masks and untied decoders derive from it. */
  seed: number;
}

export interface LayerPretrain {
  layer: string;
  decoder: Exclude<DecoderActivation, 'auto'>;
  /** Mean reconstruction loss over the images, per pretraining epoch. */
  loss: number[];
  /** Wall-clock seconds this layer's pretraining took (not part of any training epoch). */
  seconds: number;
}

export interface PretrainReport {
  /** Images the autoencoders saw per epoch. */
  images: number;
  layers: LayerPretrain[];
}

/**
 * Pretrains `layers` (consecutive hidden dense layers, the first one reading `images`) in place.
 * `images` stays the caller's.
 */
/** What pretraining borrows from the model and the trainer, handed over by the data-dependent context. */
export type PretrainOps = Pick<DataDependentContext, 'activate' | 'optimizer' | 'signal'>;

export async function pretrainLayers(tf: Tf, layers: InitLayer[], images: Tensor2D, s: PretrainSettings, ops: PretrainOps): Promise<PretrainReport> {
  const report: PretrainReport = { images: images.shape[0], layers: [] };
  let input: Tensor2D = images;
  try {
    for (const [l, layer] of layers.entries()) {
      if (layer.kind !== 'dense') throw new Error(`layerwisePretrain pretrains dense layers; ${layer.name} is a ${layer.kind} layer`);
      if (layer.shape[0] !== input.shape[1]) throw new Error(`${layer.name} reads ${layer.shape[0]} values but its input has ${input.shape[1]}`);
      const started = performance.now();
      const decoder = decoderFor(s.decoder, l === 0 ? 'pixels' : layers[l - 1].activation);
      const loss = await trainAutoencoder(tf, layer, input, decoder, l, s, ops);
      report.layers.push({ layer: layer.name, decoder, loss, seconds: (performance.now() - started) / 1000 });
      // The next layer's input: this (pretrained) encoder applied to the clean input.
      const from = input;
      input = tf.tidy(() => ops.activate(tf.add(tf.matMul(from, layer.kernel as unknown as Tensor2D), layer.bias), layer.activation)) as Tensor2D;
      if (from !== images) from.dispose();
    }
  } finally {
    if (input !== images) input.dispose();
  }
  return report;
}

/** The decoder's output nonlinearity, given what produced the input: pixels (in [0, 1]) or an activation. */
export function decoderFor(requested: DecoderActivation, inputFrom: Activation | 'pixels'): Exclude<DecoderActivation, 'auto'> {
  if (requested !== 'auto') return requested;
  if (inputFrom === 'pixels' || inputFrom === 'sigmoid') return 'sigmoid';
  return inputFrom === 'tanh' ? 'tanh' : 'linear';
}

async function trainAutoencoder(
  tf: Tf,
  layer: InitLayer,
  input: Tensor2D,
  decoder: Exclude<DecoderActivation, 'auto'>,
  index: number,
  s: PretrainSettings,
  ops: PretrainOps,
): Promise<number[]> {
  const [n, width] = input.shape;
  const [fanIn, fanOut] = layer.shape;
  // Inside tidy: the tensors the variables are made from do not linger.
  const c = tf.tidy(() => tf.variable(tf.zeros([fanIn])));
  const untied = s.tied ? null : tf.tidy(() => tf.variable(tf.tensor2d(glorotUniform(fanOut, fanIn, new Rng(deriveSeed(s.seed, 'pretrain-decoder', index))), [fanOut, fanIn])));
  const vars: Variable[] = [layer.kernel, layer.bias, c, ...(untied ? [untied] : [])];
  const { optimizer, dispose: disposeOptimizer } = ops.optimizer(s.optimizer, s.lr);
  const losses: number[] = [];
  try {
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const order = new Rng(deriveSeed(s.seed, 'pretrain-batches', index, epoch)).shuffle(Int32Array.from({ length: n }, (_, i) => i));
      const masks = new Rng(deriveSeed(s.seed, 'pretrain-masks', index, epoch));
      let sum = 0;
      for (let start = 0; start < n; start += s.batchSize) {
        if (ops.signal?.aborted) throw new Interrupted(String(ops.signal.reason ?? 'signal'));
        const idx = order.subarray(start, start + s.batchSize);
        const mask = s.corruption > 0 ? maskOf(idx.length * width, s.corruption, masks) : null;
        const cost = tf.tidy(() => {
          const x = tf.gather(input, tf.tensor1d(idx, 'int32')) as Tensor2D;
          const noisy = mask ? tf.mul(x, tf.tensor2d(mask, [idx.length, width])) : x;
          return optimizer.minimize(() => reconstructionLoss(tf, layer, x, noisy as Tensor2D, c, untied, decoder, ops.activate), true, vars)!;
        });
        sum += cost.dataSync()[0] * idx.length;
        cost.dispose();
        if ((start / s.batchSize) % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      losses.push(sum / n);
    }
  } finally {
    disposeOptimizer();
    c.dispose();
    untied?.dispose();
  }
  return losses;
}

/** Mean over the batch of the reconstruction loss summed over units (see the module comment). */
function reconstructionLoss(
  tf: Tf,
  layer: InitLayer,
  clean: Tensor2D,
  noisy: Tensor2D,
  c: Variable,
  untied: Variable | null,
  decoder: Exclude<DecoderActivation, 'auto'>,
  activate: PretrainOps['activate'],
): Scalar {
  const kernel = layer.kernel as unknown as Tensor2D;
  const h = activate(tf.add(tf.matMul(noisy, kernel), layer.bias), layer.activation) as Tensor2D;
  const r = tf.add(untied ? tf.matMul(h, untied as unknown as Tensor2D) : tf.matMul(h, kernel, false, true), c);
  const n = clean.shape[0];
  let perUnit: Tensor;
  if (decoder === 'sigmoid') perUnit = tf.sub(tf.softplus(r), tf.mul(clean, r)); // cross-entropy from logits, stable form
  else perUnit = tf.square(tf.sub(activate(r, decoder), clean));
  return tf.div(tf.sum(perUnit), n) as Scalar;
}

/** 1 with probability 1 - p, else 0 (masking noise, Vincent et al. 2008). */
function maskOf(size: number, p: number, rng: Rng): Float32Array {
  const mask = new Float32Array(size);
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < p ? 0 : 1;
  return mask;
}

/** U(-a, a), a = sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio 2010), for an untied decoder [rows, cols]. */
function glorotUniform(rows: number, cols: number, rng: Rng): Float32Array {
  const a = Math.sqrt(6 / (rows + cols));
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * a;
  return out;
}

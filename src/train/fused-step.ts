/**
 * The fused training step of plain dense networks (MLPs) and plain CNNs on the system BLAS:
 * forward pass, softmax cross-entropy, backward pass and the optimizer's update written directly
 * on Float32Arrays, every matrix product one cblas_sgemm (a convolution: the products of its
 * lowering, src/backend/conv-patches.ts, through the same functions as the BLAS conv kernels,
 * src/backend/blas-conv.ts), no tfjs op in the step.
 *
 * Why: on the wasm+BLAS path the products of an MLP step were a third of its time, and of a CNN
 * step a fifth; the rest was tfjs's per-op machinery around ~25-70 ops per step (tape, tidy
 * scopes, kernel lookup, tensor objects) and the garbage it leaves. Here a step is a few dozen
 * BLAS calls and a few loops over buffers allocated once per batch shape (no allocation per step).
 *
 * The maths is the tfjs path's (src/train/loop.ts `trainStep` over model/network.ts `forward`),
 * in float32 storage, with float64 arithmetic in the JavaScript loops and float32 in the BLAS and
 * in Adam's and RMSprop's updates (update-kernels.ts), so results agree to float32 rounding, not
 * bit for bit (test/train/fused-step.test.ts states the tolerances):
 * - dense layer l: Z = c H W + b, H' = act(Z), c the parametrization's forward multiplier (1 when
 *   standard); the output layer is linear (its Z are the logits);
 * - conv layer: Z = c conv(H, W) + b (NHWC, stride 1, tfjs's 'same' or 'valid' padding), H' =
 *   act(Z), then max pooling with window = stride = p and 'valid' padding (tf.maxPool: an odd
 *   row or column left over is dropped), each pooled value's position in H' recorded (the first
 *   maximum of its window in scan order, as tfjs's MaxPoolGrad routes the gradient); a dense
 *   layer after the convolutions reads the pooled map flattened in NHWC order (tf.reshape);
 * - loss: mean over the batch of logsumexp(z) - z_label (tf.losses.softmaxCrossEntropy with
 *   one-hot labels); dZ_out = (softmax(z) - onehot) / n;
 * - backward: dense: dW = c H^T dZ, db = column sums of dZ, dH = c dZ W^T; conv: dW = c
 *   conv_filter_grad(H, dZ), db = dZ summed over images and positions, dH = c conv_input_grad(dZ,
 *   W); through a pooling the gradient goes to the recorded positions (windows do not overlap),
 *   zero elsewhere; dZ = dH * act'(.), with the derivatives tfjs's gradients use (relu: x > 0;
 *   tanh: 1 - y^2; sigmoid: y (1 - y); elu: 1 where y >= 0 else y + 1; selu: scale where x > 0
 *   else scale alpha e^x; leakyRelu: 1 where x > 0 else the slope);
 * - updates: tfjs's optimizers' formulas (tfjs-core's sgd/momentum/adam/rmsprop optimizers, with
 *   optimizers.ts's constants), learning rate times the layer's factor (`layerLrFactors`, muP):
 *   sgd w -= lr g; momentum v = m v + g, w -= lr v; Adam m = b1 m + (1 - b1) g,
 *   v = b2 v + (1 - b2) g^2, w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps); RMSprop
 *   s = d s + (1 - d) g^2, u = mu u + lr g / sqrt(s + eps), w -= u.
 * Momentum's dense kernel update folds the gradient into the velocity in the product itself
 * (v = m v + c H^T dZ is one sgemm with beta = m); plain SGD's is one sgemm into W.
 * With more than one thread allowed, a CNN's batches are shared among step partners, threads
 * that each compute the gradient of a part (step-partners.ts, `sharedPass`).
 *
 * The weights live in this module's arrays (the update kernels' arena) while an epoch trains and
 * are written back into the model's tfjs variables (`store`) before anything else reads them:
 * evaluation, the diagnostics at the epoch's end, the probe, the results. The optimizer's state (velocities, moments) lives
 * here too, kept per TrainOptimizer across `train` calls; the tfjs optimizer object is not
 * stepped, so a TrainOptimizer trains through one path only.
 */
import type { Blas } from '../backend/blas.js';
import { CONV_ON_BLAS, convBackwardArrays, convForwardArrays, convInfo, fillRows, keptPatchesLength, type ConvInfo } from '../backend/blas-conv.js';
import { activeBlas } from '../backend/select.js';
import { filledTensor, type Tf } from '../backend/tf.js';
import { gatherBatch, pixelsPerImage, type Dataset } from '../data/dataset.js';
import type { Model } from '../model/network.js';
import { FAMILY } from '../model/parametrization.js';
import type { Activation, OptimizerName } from '../vocabulary.js';
import type { StepResult } from './loop.js';
import { ADAM, layerLrFactors, MOMENTUM, RMSPROP, type TrainOptimizer } from './optimizers.js';
import { acquirePartners, partsOf, PARTNER_MIN_WORK_PER_WEIGHT, type StepPartners } from './step-partners.js';
import { padded, updateKernels, updateKernelsAvailable, type PoolShape, type UpdateKernels } from './update-kernels.js';

/** The activations the fused step computes (every hidden activation of the vocabulary). */
const SUPPORTED = new Set<Activation>(['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leakyRelu', 'linear']);

/** Max pooling after a conv layer's activation: window = stride = `size`, 'valid' padding, on an [inH, inW, channels] map. */
interface Pooling {
  size: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

/** One layer's geometry in the fused step. */
type Geometry = { op: 'dense'; fanIn: number; units: number } | { op: 'conv'; conv: ConvInfo; units: number; pool: Pooling | null };

/**
 * What a fused step is built from, as plain data (a step partner thread, step-partners.ts,
 * receives it as a message): each layer's geometry, kernel shape, activation, forward multiplier
 * and learning-rate factors, the optimizer, and leaky ReLU's slope.
 */
export interface FusedPlan {
  layers: { geometry: Geometry; shape: number[]; activation: Activation; c: number; lr: { kernel: number; vector: number } }[];
  spec: TrainOptimizer['spec'];
  leakySlope: number;
}

function fusedPlan(model: Model, geometry: Geometry[], spec: TrainOptimizer['spec']): FusedPlan {
  const family = FAMILY[spec.name];
  return {
    layers: model.layers.map((l, i) => ({ geometry: geometry[i], shape: l.shape, activation: l.activation, c: l.multiplier ?? 1, lr: layerLrFactors(l, family) })),
    spec,
    leakySlope: model.arch.leakySlope,
  };
}

/**
 * The layers' geometry, or why the model is not a plain stack the fused step computes: the one
 * place that decides (`fusedIneligibility` adds the backend and the optimizer). Plain: conv
 * layers (stride 1, any kernel, tfjs's 'same' or 'valid' padding, max pooling or none) on the
 * one-channel image, then dense layers, each with a bias and a supported activation, no batch
 * norm, dropout, residual block, branch scale or model file, and a linear last layer to the classes.
 */
function plainStack(tf: Tf, model: Model): Geometry[] | string {
  if (model.arch.file) return "a model file's network";
  if (model.arch.residual) return 'residual blocks';
  // What the next layer reads, per image: a map [h, w, channels] until the first dense layer.
  let map: [number, number, number] | null = [model.arch.height, model.arch.width, 1];
  let from = model.arch.height * model.arch.width;
  const geometry: Geometry[] = [];
  for (const l of model.layers) {
    if (l.bn || l.batchNorm) return `${l.name} has batch norm`;
    if (l.dropout > 0) return `${l.name} has dropout`;
    if (l.residual) return `${l.name} is part of a residual block`;
    if (l.branch) return `${l.name} has branch scalars`;
    if (!SUPPORTED.has(l.activation)) return `${l.name}'s activation ${l.activation}`;
    if (l.op === 'conv') {
      if (!map) return `${l.name} is a convolution after a dense layer`;
      if (l.shape.length !== 4 || l.shape[2] !== map[2]) return `${l.name}'s shape [${l.shape}] does not follow its input ([${map}])`;
      const conv = convInfo(tf, [1, ...map], l.shape, { strides: 1, pad: l.padding });
      let pool: Pooling | null = null;
      map = [conv.outHeight, conv.outWidth, conv.outChannels];
      if (l.pool > 1) {
        // tf.maxPool(h, p, p, 'valid') as network.ts calls it: its output size, as tfjs computes it.
        const p = tf.backend_util.computePool2DInfo([1, ...map], l.pool, l.pool, 1, 'valid');
        if (p.outHeight < 1 || p.outWidth < 1) return `${l.name}'s ${l.pool}x${l.pool} pooling has a ${map[0]}x${map[1]} input`;
        pool = { size: l.pool, inH: map[0], inW: map[1], outH: p.outHeight, outW: p.outWidth };
        map = [p.outHeight, p.outWidth, map[2]];
      }
      geometry.push({ op: 'conv', conv, units: conv.outChannels, pool });
      from = map[0] * map[1] * map[2];
      continue;
    }
    if (l.pool > 1) return `${l.name} pools`;
    // Flattened in NHWC order, as tf.reshape does.
    map = null;
    if (l.shape.length !== 2 || l.shape[0] !== from) return `${l.name}'s shape [${l.shape}] does not follow its input (${from})`;
    geometry.push({ op: 'dense', fanIn: from, units: l.shape[1] });
    from = l.shape[1];
  }
  if (map || from !== model.arch.classes || model.layers[model.layers.length - 1].activation !== 'linear') return 'the last layer is not a linear layer to the classes';
  if (model.variables.length !== 2 * model.layers.length) return 'variables other than kernels and biases';
  return geometry;
}

/**
 * Why `model` trains on the tfjs path rather than the fused step, or null when the fused step
 * applies: a plain stack (`plainStack`: dense layers, or conv layers with max pooling then dense
 * layers); an optimizer from makeTrainOptimizer; the wasm backend with a system BLAS.
 */
export function fusedIneligibility(tf: Tf, model: Model, optimizer: Partial<Pick<TrainOptimizer, 'spec'>>): string | null {
  if (!activeBlas(tf)) return 'no system BLAS under the wasm backend';
  if (!optimizer.spec) return 'an optimizer without its spec (not from makeTrainOptimizer)';
  if (!updateKernelsAvailable()) return 'no WebAssembly SIMD in this engine';
  const stack = plainStack(tf, model);
  return typeof stack === 'string' ? stack : null;
}

/** One trainable tensor's values, gradient, learning rate and optimizer state (arrays of one size, in the kernels' arena). */
interface Param {
  w: Float32Array;
  /** The gradient, when the update needs it by itself (Adam, RMSprop, the epoch's norms, biases, conv kernels). */
  g: Float32Array;
  lr: number;
  /** momentum: [v]; adam: [m, v]; rmsprop: [mean square, moment]; sgd: []. */
  state: Float32Array[];
}

/** A layer's per-batch values, row-major [rows, units] (rows: examples, or examples x output positions of a conv). */
interface Units {
  activation: Activation;
  /** Pre-activation, activation (the same array when linear), gradient of the pre-activation. */
  z: Float32Array;
  h: Float32Array;
  dz: Float32Array;
  /** The same three as int32 views of their bits (ReLU and leaky ReLU work on the sign bit). */
  zBits: Int32Array;
  hBits: Int32Array;
  dzBits: Int32Array;
}

/**
 * Max pooling before the activation where that is exact: max and ReLU (or the identity) commute,
 * relu(max z) = max relu(z), and the gradient goes where tfjs sends it: to the first maximum of
 * z, which is the first maximum of relu(z) when that is positive; when it is 0 (every z <= 0)
 * ReLU's derivative sends nothing either way. The activation and its derivative then run over
 * the pooled map (p^2 times fewer values). Other activations can map distinct values to one
 * (tanh and sigmoid saturating, rounding), where the first maximum of act(z) may lie elsewhere:
 * they are pooled after the activation, as tfjs does.
 */
const POOL_FIRST = new Set<Activation>(['relu', 'linear']);

interface FusedLayer {
  geometry: Geometry;
  units: number;
  /** Rows of the product per example: 1 (dense), outH x outW (conv). */
  positions: number;
  /** Values per example of what the next layer reads (`out`). */
  outPerExample: number;
  /** The parametrization's forward multiplier (1: standard). */
  c: number;
  kernel: Param;
  bias: Param;
  /** The product plus bias [n * positions, units] and its gradient (what the kernel's and bias's gradients read). */
  y: Float32Array;
  dy: Float32Array;
  /** The activation: over y (`act.z` is y, `act.dz` is dy), or over the pooled y when pooling comes first. */
  act: Units;
  /** A conv's pooling, or null; `poolFirst`: before the activation (POOL_FIRST), else after it. */
  pool: (Pooling & PoolShape) | null;
  poolFirst: boolean;
  /** 2x2 pooling of a multiple of 4 channels: by the wasm SIMD kernel (update-kernels.ts), its arrays in the batch arena. */
  simdPool: boolean;
  /** ReLU pooled first by that kernel: the kernel applies ReLU and, in the backward pass, its derivative (the pooled map is `act.h`). */
  simdRelu: boolean;
  /** Pooling: the pooled map (of the activation, or of y when first), each pooled value's index in the map pooled, the pooled map's gradient. */
  pooled: Float32Array;
  argmax: Int32Array;
  dPooled: Float32Array;
  /** What the next layer reads and where it writes its input gradient. */
  out: Float32Array;
  dOut: Float32Array;
  /** A conv lowered by im2col: its patches of the batch, kept from the forward pass for the filter's gradient (blas-conv.ts keptPatchesLength), when `reserve` keeps them. */
  patches: Float32Array | undefined;
}

/** The fused step of one model and optimizer: its weights, state and buffers. */
export class FusedStep {
  private readonly layers: FusedLayer[];
  private readonly optimizer: OptimizerName;
  private capacity = 0;
  private x = new Float32Array(0);
  private labels = new Int32Array(0);
  /** Ones, for a conv bias's gradient as the product 1^T dZ (what tfjs's Sum runs on the BLAS). */
  private ones = new Float32Array(0);
  private readonly kernels: UpdateKernels;
  /** The arena of the SIMD-pooled layers' batch arrays (the map pooled, the pooled map, the indices), made by `reserve`. */
  private batchKernels: UpdateKernels | null = null;
  /** Adam's b1^t and b2^t, in float32 as tfjs keeps them (its accBeta1/accBeta2 variables). */
  private accBeta1: number = Math.fround(ADAM.beta1);
  private accBeta2: number = Math.fround(ADAM.beta2);
  /** Steps taken since the weights were last written into the model's variables. */
  private unstored = false;
  /** The threads that share each batch's gradient while a `train` call runs (step-partners.ts), or null: this thread alone. */
  private partners: StepPartners | null = null;
  /** Every kernel and bias, layer by layer (kernel first): the order of a `flat` array. */
  private readonly all: Param[];
  /** Leaky ReLU's factor by `nonPositive` of the input: 1, or the slope. */
  private readonly leaky: Float64Array;

  /**
   * `model`: the model whose variables `load` and `store` read and write; null in a step partner
   * thread, whose replica only computes gradients on the weights it is given.
   */
  constructor(
    private readonly blas: Blas,
    readonly plan: FusedPlan,
    private readonly data: Dataset,
    private readonly model: Model | null,
  ) {
    const { spec } = plan;
    this.optimizer = spec.name;
    this.leaky = Float64Array.of(1, plan.leakySlope);
    const slots = { sgd: 0, momentum: 1, adam: 2, rmsprop: 2 }[spec.name];
    const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
    // Weights, gradient and state of every tensor: (2 + slots) arrays of its padded size.
    const floats = plan.layers.reduce((sum, l) => sum + (2 + slots) * (padded(size(l.shape)) + padded(l.shape[l.shape.length - 1])), 0);
    const kernels = updateKernels(floats);
    if (!kernels) throw new Error('the fused step needs WebAssembly SIMD');
    this.kernels = kernels;
    const param = (n: number, factor: number): Param => ({ w: kernels.alloc(n), g: kernels.alloc(n), lr: spec.lr * factor, state: Array.from({ length: slots }, () => kernels.alloc(n)) });
    this.layers = plan.layers.map((l) => {
      const g = l.geometry;
      const none = new Float32Array(0);
      const noBits = new Int32Array(0);
      const positions = g.op === 'conv' ? g.conv.outHeight * g.conv.outWidth : 1;
      const outPerExample = g.op === 'dense' ? g.units : g.pool ? g.pool.outH * g.pool.outW * g.units : positions * g.units;
      const pool = g.op === 'conv' && g.pool ? { ...g.pool, channels: g.units } : null;
      const simdPool = pool !== null && pool.size === 2 && g.units % 4 === 0;
      return {
        geometry: g,
        units: g.units,
        positions,
        outPerExample,
        c: l.c,
        kernel: param(size(l.shape), l.lr.kernel),
        bias: param(g.units, l.lr.vector),
        y: none,
        dy: none,
        act: { activation: l.activation, z: none, h: none, dz: none, zBits: noBits, hBits: noBits, dzBits: noBits },
        pool,
        poolFirst: pool !== null && POOL_FIRST.has(l.activation),
        simdPool,
        simdRelu: simdPool && l.activation === 'relu',
        pooled: none,
        argmax: noBits,
        dPooled: none,
        out: none,
        dOut: none,
        patches: undefined,
      };
    });
    this.all = this.layers.flatMap((l) => [l.kernel, l.bias]);
  }

  /** The weights' total size: the length of a `flat` array. */
  get size(): number {
    return this.all.reduce((sum, p) => sum + p.w.length, 0);
  }

  /**
   * Copies between this step's tensors and a flat array of every tensor one after the other
   * (`all`'s order), as the step partners share them: the weights out or in, the gradients
   * out, or added in (g += the flat array's).
   */
  flat(direction: 'weightsOut' | 'weightsIn' | 'gradientsOut' | 'gradientsAdd', flat: Float32Array): void {
    let offset = 0;
    for (const { w, g } of this.all) {
      const part = flat.subarray(offset, offset + w.length);
      if (direction === 'weightsOut') part.set(w);
      else if (direction === 'weightsIn') w.set(part);
      else if (direction === 'gradientsOut') part.set(g);
      else for (let i = 0; i < g.length; i++) g[i] += part[i];
      offset += w.length;
    }
  }

  /**
   * Takes step partners for the `train` call starting, when the threads allowed (the BLAS's
   * blasThreads) are more than one and a step's work is large for its weights (step-partners.ts
   * `PARTNER_MIN_WORK_PER_WEIGHT`: a CNN's, not an MLP's); batches of `batchSize` examples.
   */
  async share(batchSize: number): Promise<void> {
    this.release();
    const ways = partsOf(batchSize, this.blas.mostThreads());
    const weights = this.size;
    // A step's forward multiply-adds: each kernel weight once per output position per example.
    const work = batchSize * this.layers.reduce((sum, l) => sum + l.positions * l.kernel.w.length, 0);
    if (ways < 2 || work < PARTNER_MIN_WORK_PER_WEIGHT * weights) return;
    this.partners = await acquirePartners(ways - 1, this.plan, weights, this.data, batchSize, this.blas.path);
  }

  /** The threads computing each full batch's gradient in this `train` call: 1, or 1 + its step partners. */
  get threads(): number {
    return this.partners ? this.partners.count + 1 : 1;
  }

  /** Hands the step partners back at the end of a `train` call. */
  release(): void {
    this.partners?.release();
    this.partners = null;
  }

  trains(model: Model, data: Dataset): boolean {
    return this.model === model && this.data === data;
  }

  /** Reads the weights from the model's variables (at the start of training: they may have changed since). */
  load(): void {
    this.model!.layers.forEach((l, i) => {
      this.layers[i].kernel.w.set(l.kernel.dataSync() as Float32Array);
      this.layers[i].bias.w.set(l.bias.dataSync() as Float32Array);
    });
    this.unstored = false;
  }

  /** Writes the weights into the model's variables, when steps ran since the last write. */
  store(tf: Tf): void {
    if (!this.unstored) return;
    this.model!.layers.forEach((l, i) => {
      const { kernel, bias } = this.layers[i];
      const k = filledTensor(tf, l.kernel.shape, 'float32', (v) => v.set(kernel.w));
      const b = filledTensor(tf, l.bias.shape, 'float32', (v) => v.set(bias.w));
      l.kernel.assign(k);
      l.bias.assign(b);
      tf.dispose([k, b]);
    });
    this.unstored = false;
  }

  /**
   * One optimizer step on the examples `indices`; `withNorms`: also each kernel's gradient norm.
   * With step partners (more than one thread allowed, a CNN: `share`), each thread
   * computes the gradient of a part of the batch (`sharedPass`); else this thread alone.
   */
  step(indices: Int32Array, withNorms: boolean): StepResult {
    const n = indices.length;
    const ways = this.partners ? partsOf(n, this.partners.count + 1) : 1;
    const { lossSum, correct, norms } = ways > 1 ? this.sharedPass(indices, ways, withNorms) : this.pass(indices, n, true, withNorms);
    if (this.optimizer === 'adam') {
      this.accBeta1 = Math.fround(this.accBeta1 * ADAM.beta1);
      this.accBeta2 = Math.fround(this.accBeta2 * ADAM.beta2);
    }
    this.unstored = true;
    return { loss: Math.fround(lossSum / n), correct, ...(withNorms ? { gradNorms: norms } : {}) };
  }

  /**
   * A shared step's pass and updates: the batch cut into `ways` parts, this thread computing the gradient of the first,
   * each partner thread of one more, on the same weights (written to the partners' shared
   * weights first). Every part's loss is divided by the whole batch's size, so the batch's
   * gradient is the parts' sum, taken in part order (the result does not depend on which
   * thread finishes first; it differs from a one-thread step's in the last bits, the sums being
   * grouped otherwise). Then the optimizer's update, as a one-thread step makes it.
   */
  private sharedPass(indices: Int32Array, ways: number, withNorms: boolean): ReturnType<FusedStep['pass']> {
    const partners = this.partners!;
    const n = indices.length;
    const bound = (p: number) => Math.floor((p * n) / ways);
    // Each thread's products on one thread of the library: the threads allowed are the partners.
    const most = this.blas.mostThreads();
    this.blas.setThreads(1);
    try {
      this.flat('weightsOut', partners.weights);
      for (let p = 1; p < ways; p++) partners.start(p - 1, indices.subarray(bound(p), bound(p + 1)), n);
      let { lossSum, correct } = this.pass(indices.subarray(0, bound(1)), n, false, false);
      for (let p = 1; p < ways; p++) {
        const part = partners.finish(p - 1);
        lossSum += part.lossSum;
        correct += part.correct;
        this.flat('gradientsAdd', part.gradients);
      }
      const norms: number[] = [];
      this.layers.forEach((l, i) => {
        if (withNorms) norms[i] = gradientNorm(l.kernel);
        this.update(l.bias);
        this.update(l.kernel);
      });
      return { lossSum, correct, norms };
    } finally {
      this.blas.setThreads(most);
    }
  }

  /**
   * Forward and backward over the examples `indices`, the loss divided by `divisor` (the whole
   * batch's size: a part's gradient is then its share of the batch's). `apply`: each tensor is
   * updated as soon as its gradient is known (a one-thread step); else every gradient is left in
   * its `g` and nothing is updated (a part of a shared step). Returns the loss summed over the
   * examples, the count classified right, and (`withNorms`, with `apply`) the kernels' gradient norms.
   */
  pass(indices: Int32Array, divisor: number, apply: boolean, withNorms: boolean): { lossSum: number; correct: number; norms: number[] } {
    const n = indices.length;
    this.reserve(n);
    gatherBatch(this.data, indices, this.x, this.labels);
    const layers = this.layers;
    // Forward: Z = b + c H W (sgemm adds the product to the bias rows), the activation, the pooling.
    let input: Float32Array = this.x;
    for (const l of layers) {
      const g = l.geometry;
      if (g.op === 'dense') {
        fillRows(l.y.subarray(0, n * l.units), l.bias.w, l.units);
        this.blas.sgemm(false, false, n, l.units, g.fanIn, input, l.kernel.w, 1, l.y, l.c);
      } else {
        convForwardArrays(this.blas, g.conv, n, input, l.kernel.w, l.y, l.bias.w, CONV_ON_BLAS, l.c, l.patches);
      }
      if (l.pool && l.poolFirst) this.maxPool(l, l.y, n);
      if (!l.simdRelu) activate(l.act, n * (l.poolFirst ? l.outPerExample : l.positions * l.units), this.leaky);
      if (l.pool && !l.poolFirst) this.maxPool(l, l.act.h, n);
      input = l.out;
    }
    const out = layers[layers.length - 1];
    const { lossSum, correct } = softmaxCrossEntropy(out.y, out.dy, this.labels, n, out.units, divisor);
    // Backward, output side first: a layer's input gradient uses its weights before their update.
    const norms: number[] = [];
    const normsHere = apply && withNorms;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const g = l.geometry;
      const below = i > 0 ? layers[i - 1] : null;
      const h = below ? below.out : this.x;
      // A conv's input gradient (below's dOut) and its filter's (kernel.g), in one pass.
      if (g.op === 'conv') convBackwardArrays(this.blas, g.conv, n, h, l.dy, l.kernel.w, l.kernel.g, below ? below.dOut : null, CONV_ON_BLAS, l.c, l.patches);
      if (below) {
        if (g.op === 'dense') this.blas.sgemm(false, true, n, g.fanIn, l.units, l.dy, l.kernel.w, 0, below.dOut, l.c);
        const full = n * below.positions * below.units;
        if (!below.pool) activationGrad(below.act, full, this.leaky);
        else if (below.poolFirst) {
          if (!below.simdRelu) activationGrad(below.act, n * below.outPerExample, this.leaky);
          this.unpool(below, n);
        } else {
          this.unpool(below, n);
          activationGrad(below.act, full, this.leaky);
        }
      }
      const size = l.kernel.w.length;
      if (g.op === 'conv') {
        const rows = n * l.positions;
        this.blas.sgemm(false, false, 1, l.units, rows, this.ones.subarray(0, rows), l.dy, 0, l.bias.g);
        if (apply) this.update(l.bias);
        if (normsHere) norms[i] = gradientNorm(l.kernel);
        if (apply) this.update(l.kernel);
        continue;
      }
      columnSums(l.dy, n, l.units, l.bias.g);
      if (apply) this.update(l.bias);
      if (apply && !withNorms && this.optimizer === 'momentum') {
        // v = m v + c H^T dZ in the product itself, then w -= lr v.
        this.blas.sgemm(true, false, g.fanIn, l.units, n, h, l.dy, MOMENTUM, l.kernel.state[0], l.c);
        this.blas.saxpy(size, -l.kernel.lr, l.kernel.state[0], l.kernel.w);
      } else if (apply && !withNorms && this.optimizer === 'sgd') {
        this.blas.sgemm(true, false, g.fanIn, l.units, n, h, l.dy, 1, l.kernel.w, -l.kernel.lr * l.c);
      } else {
        this.blas.sgemm(true, false, g.fanIn, l.units, n, h, l.dy, 0, l.kernel.g, l.c);
        if (normsHere) norms[i] = gradientNorm(l.kernel);
        if (apply) this.update(l.kernel);
      }
    }
    return { lossSum, correct, norms };
  }

  /** Max pooling of `x` (y, or the activation) into the layer's pooled map and indices. */
  private maxPool(l: FusedLayer, x: Float32Array, n: number): void {
    const pool = l.pool!;
    if (l.simdPool) this.batchKernels!.maxPool2(x, l.pooled, l.argmax, n, pool, l.simdRelu);
    else maxPool(x, pool, l.units, n, l.pooled, l.argmax);
  }

  /** The pooling's adjoint: dy from the pooled map's gradient. */
  private unpool(l: FusedLayer, n: number): void {
    if (l.simdPool) this.batchKernels!.unpool2(l.dPooled, l.argmax, l.dy, n, l.pool!, l.simdRelu ? l.act.h : undefined);
    else unpool(l.dPooled, l.argmax, n * l.outPerExample, l.dy, n * l.positions * l.units);
  }

  /** The optimizer's update of `p` by its gradient. */
  private update(p: Param): void {
    const { w, g, lr, state } = p;
    switch (this.optimizer) {
      case 'sgd':
        this.blas.saxpy(w.length, -lr, g, w);
        return;
      case 'momentum': {
        const v = state[0];
        const m = Math.fround(MOMENTUM);
        for (let i = 0; i < v.length; i++) v[i] = m * v[i] + g[i];
        this.blas.saxpy(w.length, -lr, v, w);
        return;
      }
      case 'adam':
        this.kernels.adam(w, state[0], state[1], g, { ...ADAM, step: lr / (1 - this.accBeta1), r2: 1 / (1 - this.accBeta2) });
        return;
      case 'rmsprop':
        this.kernels.rmsprop(w, state[0], state[1], g, { ...RMSPROP, lr });
        return;
    }
  }

  /** Batch buffers for up to `n` examples, allocated when a larger batch first comes. */
  private reserve(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.x = new Float32Array(n * pixelsPerImage(this.data));
    this.labels = new Int32Array(n);
    this.ones = new Float32Array(n * Math.max(...this.layers.map((l) => l.positions))).fill(1);
    // The SIMD-pooled layers' map pooled (y, or the activation when pooling follows it) and its
    // gradient dy, the pooled map, its gradient and the indices.
    const simd = this.layers.filter((l) => l.simdPool);
    const floats = simd.reduce((sum, l) => sum + 2 * padded(n * l.positions * l.units) + 3 * padded(n * l.outPerExample), 0);
    this.batchKernels = simd.length ? updateKernels(floats) : null;
    const arena = this.batchKernels;
    for (const l of this.layers) {
      const full = n * l.positions * l.units;
      const pooled = n * l.outPerExample;
      const inArena = l.simdPool && arena !== null;
      l.y = inArena && l.poolFirst ? arena.alloc(full) : new Float32Array(full);
      l.dy = inArena ? arena.alloc(full) : new Float32Array(full);
      l.pooled = !l.pool ? l.y : inArena ? arena.alloc(pooled) : new Float32Array(pooled);
      if (inArena) {
        const indices = arena.alloc(pooled);
        l.argmax = new Int32Array(indices.buffer, indices.byteOffset, pooled);
      } else l.argmax = new Int32Array(l.pool ? pooled : 0);
      l.dPooled = !l.pool ? l.dy : inArena ? arena.alloc(pooled) : new Float32Array(pooled);
      const a = l.act;
      // The activation's input and gradient: the pooled map when pooling comes first, else y itself.
      [a.z, a.dz] = l.poolFirst ? [l.pooled, l.dPooled] : [l.y, l.dy];
      a.h = a.activation === 'linear' || l.simdRelu ? a.z : inArena && !l.poolFirst ? arena.alloc(full) : new Float32Array(a.z.length);
      [a.zBits, a.hBits, a.dzBits] = [a.z, a.h, a.dz].map((x) => new Int32Array(x.buffer, x.byteOffset, x.length));
      l.out = l.pool && !l.poolFirst ? l.pooled : a.h;
      l.dOut = l.pool ? l.dPooled : l.dy;
      // Kept only when they take no more room than the layer's output (which the activations
      // limit bounds): else the filter's gradient lowers the input again, as the tfjs kernels do.
      const kept = l.geometry.op === 'conv' ? keptPatchesLength(l.geometry.conv, n, CONV_ON_BLAS) : null;
      l.patches = kept !== null && kept <= full ? new Float32Array(kept) : undefined;
    }
  }
}

/** Each TrainOptimizer's fused step: its state carries over from one `train` call to the next, as a tfjs optimizer's does. */
const steps = new WeakMap<object, FusedStep>();

/**
 * The fused step for a `train` call of `model` with `optimizer` on batches of `batchSize`, its
 * weights read from the model and its step partners taken (`share`; the caller calls `release`
 * when the call ends); null for the tfjs path (`fusedIneligibility` says why).
 */
export async function fusedStepFor(tf: Tf, model: Model, optimizer: Partial<Pick<TrainOptimizer, 'spec'>>, data: Dataset, batchSize: number): Promise<FusedStep | null> {
  if (fusedIneligibility(tf, model, optimizer) !== null) return null;
  let step = steps.get(optimizer);
  if (!step || !step.trains(model, data)) {
    step = new FusedStep(activeBlas(tf)!, fusedPlan(model, plainStack(tf, model) as Geometry[], optimizer.spec!), data, model);
    steps.set(optimizer, step);
  }
  step.load();
  await step.share(batchSize);
  return step;
}

/*
 * ReLU and leaky ReLU on the floats' bits: which side of zero a value is on decides the sign
 * bit, and a branch on it would be mispredicted for half the units (measured: ~6x slower on a
 * 64 x 384 batch of random signs). For an int32 `b`, the bits of a float32 x:
 * x > 0 <=> b > 0; `b & ~(b >> 31)` keeps b when b >= 0 and gives 0 (+0.0) otherwise;
 * `nonPositive(b)` is 0 when x > 0 and 1 otherwise (-0.0, whose b is -2^31, included).
 */

const nonPositive = (b: number): number => ((b - 1) >>> 31) | (b >>> 31);

/** h = max(z, 0) (tfjs: z > 0 ? z : 0), on the bits. */
function reluForward(zb: Int32Array, hb: Int32Array, size: number): void {
  for (let i = 0; i < size; i++) {
    const b = zb[i];
    hb[i] = b & ~(b >> 31);
  }
}

/** dz = h > 0 ? dz : 0, from the ReLU's output h (>= 0): the mask `(b | -b) >> 31` is all ones when b != 0. */
function reluBackward(hb: Int32Array, db: Int32Array, size: number): void {
  for (let i = 0; i < size; i++) {
    const b = hb[i];
    db[i] &= (b | -b) >> 31;
  }
}

/** tfjs's SELU constants (tfjs-core ops/selu_util), from Klambauer et al. (2017). */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALEALPHA = 1.7580993408473768599402175208123;

/** H = act(Z) over the first `size` values (network.ts `activate`: tfjs's definitions). */
function activate(l: Units, size: number, leaky: Float64Array): void {
  const { z, h, zBits } = l;
  switch (l.activation) {
    case 'linear':
      return;
    case 'relu':
      reluForward(l.zBits, l.hBits, size);
      return;
    case 'tanh':
      for (let i = 0; i < size; i++) h[i] = Math.tanh(z[i]);
      return;
    case 'sigmoid':
      for (let i = 0; i < size; i++) h[i] = 1 / (1 + Math.exp(-z[i]));
      return;
    case 'elu':
      for (let i = 0; i < size; i++) h[i] = z[i] >= 0 ? z[i] : Math.exp(z[i]) - 1;
      return;
    case 'selu':
      for (let i = 0; i < size; i++) h[i] = z[i] > 0 ? SELU_SCALE * z[i] : SELU_SCALEALPHA * (Math.exp(z[i]) - 1);
      return;
    case 'leakyRelu':
      for (let i = 0; i < size; i++) h[i] = z[i] * leaky[nonPositive(zBits[i])];
      return;
  }
}

/** dZ = dH * act'(.) in place (dz holds dH on entry), with tfjs's gradient of each activation. */
function activationGrad(l: Units, size: number, leaky: Float64Array): void {
  const { z, h, dz, zBits } = l;
  switch (l.activation) {
    case 'linear':
      return;
    case 'relu':
      reluBackward(l.hBits, l.dzBits, size);
      return;
    case 'tanh':
      for (let i = 0; i < size; i++) dz[i] *= 1 - h[i] * h[i];
      return;
    case 'sigmoid':
      for (let i = 0; i < size; i++) dz[i] *= h[i] * (1 - h[i]);
      return;
    case 'elu':
      for (let i = 0; i < size; i++) if (!(h[i] >= 0)) dz[i] *= h[i] + 1;
      return;
    case 'selu':
      for (let i = 0; i < size; i++) dz[i] = z[i] > 0 ? dz[i] * SELU_SCALE : dz[i] * SELU_SCALEALPHA * Math.exp(z[i]);
      return;
    case 'leakyRelu':
      for (let i = 0; i < size; i++) dz[i] *= leaky[nonPositive(zBits[i])];
      return;
  }
}

/**
 * Softmax cross-entropy of the logits `z` [n, k] against `labels`, summed over the rows, the
 * count of rows whose first largest logit is the label, and dZ = (softmax(z) - onehot) / divisor
 * into `dz` (the divisor: the whole batch's size, of which these rows may be a part).
 */
function softmaxCrossEntropy(z: Float32Array, dz: Float32Array, labels: Int32Array, n: number, k: number, divisor: number): { lossSum: number; correct: number } {
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let max = z[o];
    let arg = 0;
    for (let j = 1; j < k; j++) {
      if (z[o + j] > max) {
        max = z[o + j];
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(z[o + j] - max);
      dz[o + j] = e;
      sum += e;
    }
    const label = labels[r];
    loss += max + Math.log(sum) - z[o + label];
    if (arg === label) correct++;
    for (let j = 0; j < k; j++) dz[o + j] = (dz[o + j] / sum - (j === label ? 1 : 0)) / divisor;
  }
  // A NaN or infinite logit makes the loss non-finite, as on the tfjs path (the loop's divergence).
  return { lossSum: loss, correct };
}

/**
 * Max pooling of `x` ([n, inH, inW, channels]) with window = stride = p, 'valid' padding, into
 * `pooled` ([n, outH, outW, channels]), and each pooled value's index in `x` into `argmax`: the
 * first maximum of its window in scan order (rows, then columns), the input tfjs's MaxPoolGrad
 * routes the gradient to (src/backend/wasm-kernels.ts, as the cpu backend does). Without a
 * branch on the comparison (it would be mispredicted on every other value of a random sign):
 * the index moves by `gt * (candidate - at)`, gt 0 or 1.
 */
function maxPool(x: Float32Array, pool: Pooling, channels: number, n: number, pooled: Float32Array, argmax: Int32Array): void {
  const { size: p, inH, inW, outH, outW } = pool;
  const row = inW * channels;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      for (let q = 0; q < outW; q++, o += channels) {
        const first = ((b * inH + r * p) * inW + q * p) * channels;
        for (let k = 0; k < channels; k++) {
          let at = first + k;
          let best = x[at];
          for (let dr = 0; dr < p; dr++) {
            for (let dc = dr === 0 ? 1 : 0; dc < p; dc++) {
              const i = first + dr * row + dc * channels + k;
              const v = x[i];
              at += +(v > best) * (i - at);
              best = x[at];
            }
          }
          pooled[o + k] = best;
          argmax[o + k] = at;
        }
      }
    }
  }
}

/** Max pooling's adjoint: dz zero (`size` values) but at the recorded positions, which get the pooled map's gradient (windows do not overlap). */
function unpool(dPooled: Float32Array, argmax: Int32Array, count: number, dz: Float32Array, size: number): void {
  dz.fill(0, 0, size);
  for (let i = 0; i < count; i++) dz[argmax[i]] = dPooled[i];
}

function columnSums(dz: Float32Array, n: number, units: number, out: Float32Array): void {
  out.fill(0, 0, units);
  for (let r = 0; r < n; r++) {
    const o = r * units;
    for (let j = 0; j < units; j++) out[j] += dz[o + j];
  }
}

/** A tensor's gradient norm, in float32 as tfjs reports it. */
function gradientNorm(p: Param): number {
  let s = 0;
  for (const x of p.g) s += x * x;
  return Math.fround(Math.sqrt(s));
}

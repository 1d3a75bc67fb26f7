/**
 * The network as a list of weight layers, input side first: what network.ts builds and runs,
 * what the initializers fill, what the diagnostics measure.
 *
 * Plain nets: MLP hidden layers, or conv layers (each followed by max pooling) then a dense head;
 * then the output layer. Residual nets (`residual: true`), after He et al. (2016), "Deep Residual
 * Learning for Image Recognition": the first hidden layer is a plain stem; the others form blocks
 * of `blockDepth` layers with a skip around each, out = act(skip + branch(x)), where skip is x
 * itself, or a learned linear projection (dense, or a 1x1 conv) where the block changes the
 * width. The last layer of each branch has kind `residualOut`: zero there makes the block start
 * as the identity (for ReLU, whose input x is already >= 0). CNN blocks use same padding and
 * pool once, after the block.
 */
import type { Dataset } from '../data/dataset.js';
import type { Activation } from '../initializers/gain.js';
import type { LayerKind, ResidualPlace } from '../initializers/types.js';
import { compileFileModel, type FileLayer, type FileNetwork } from './file.js';
import type { FileModel } from './keras.js';

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
  /** Residual blocks of `blockDepth` layers after a plain stem (MLP: the hidden layers; CNN: the convs). */
  residual: boolean;
  blockDepth: number;
  /** A model file's network (file.ts): its plan and forward program replace the built-in ones. */
  file?: FileNetwork;
}

/** One weight layer as planned: its kernel shape and what follows the product. */
export interface LayerPlan {
  name: string;
  /** What the initializer is told (and which per-kind initializer it gets). */
  kind: LayerKind;
  /** The product: a matrix product or a 2-D convolution. */
  op: 'dense' | 'conv';
  /** tfjs layout: dense [in, out], conv [kh, kw, in, out]. */
  shape: number[];
  activation: Activation;
  /** Max pooling window after the activation (conv layers). */
  pool: number;
  padding: 'valid' | 'same';
  batchNorm: boolean;
  dropout: number;
  /** Residual nets: the layer's block (1-based) and place in it; absent for the stem, the head and the output. */
  residual?: ResidualPlace & { block: number };
  /** Layers of a model file: what the file says of the layer (its bias, its author's initializers). */
  file?: FileLayer;
}

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
  /** Off unless given. */
  residual?: boolean;
  /** Layers per residual block: 2 unless given (the basic block of He et al. 2016). */
  blockDepth?: number;
  /** A model file's network (keras.ts), read when the config was resolved: it replaces the built-in network. */
  network?: FileModel;
}

export const DEFAULT_BLOCK_DEPTH = 2;

/** The network a config asks for, on this dataset's image size and classes. */
export function architectureOf(m: ModelSettings, data: Pick<Dataset, 'height' | 'width' | 'classes'>): Architecture {
  const file = m.network ? compileFileModel(m.network, data) : undefined;
  return {
    ...(file ? { file } : {}),
    kind: file ? (file.plans.some((p) => p.op === 'conv') ? 'cnn' : 'mlp') : m.kind,
    height: data.height,
    width: data.width,
    classes: data.classes,
    hidden: m.kind === 'cnn' ? m.head : m.hidden,
    conv: { filters: m.kind === 'cnn' ? m.filters : [], kernelSize: m.kernelSize, pool: m.pool, padding: m.padding },
    activation: m.activation,
    leakySlope: m.leakySlope,
    batchNorm: m.batchNorm,
    dropout: m.dropout,
    residual: m.residual ?? false,
    blockDepth: m.blockDepth ?? DEFAULT_BLOCK_DEPTH,
  };
}

type Hidden = Pick<LayerPlan, 'activation' | 'batchNorm' | 'dropout'>;

/** Layer shapes and kinds, input side first. Throws (with the sizes) when the image runs out or the blocks do not fit. */
export function layerPlan(arch: Architecture): LayerPlan[] {
  if (arch.file) return arch.file.plans;
  const hidden: Hidden = { activation: arch.activation, batchNorm: arch.batchNorm, dropout: arch.dropout };
  const plans: LayerPlan[] = [];
  let inputs = arch.height * arch.width;
  if (arch.conv.filters.length) {
    const convs = convPlan(arch, hidden);
    plans.push(...convs.plans);
    inputs = convs.outputs;
  }
  const dense = arch.hidden.map((units, i) => ({ name: `dense${i + 1}`, units }));
  if (arch.residual && !arch.conv.filters.length) {
    plans.push(...residualStack(arch, dense, inputs, 'dense', (units, from) => ({ op: 'dense', shape: [from, units], pool: 1, padding: 'valid', ...hidden })));
  } else {
    let from = inputs;
    for (const d of dense) {
      plans.push({ name: d.name, kind: 'dense', op: 'dense', shape: [from, d.units], pool: 1, padding: 'valid', ...hidden });
      from = d.units;
    }
  }
  if (dense.length) inputs = dense[dense.length - 1].units;
  plans.push({ name: 'output', kind: 'output', op: 'dense', shape: [inputs, arch.classes], activation: 'linear', pool: 1, padding: 'valid', batchNorm: false, dropout: 0 });
  return plans;
}

/** The conv layers (plain, or stem plus residual blocks) and the number of values they output. */
function convPlan(arch: Architecture, hidden: Hidden): { plans: LayerPlan[]; outputs: number } {
  const { kernelSize: k, pool, padding } = arch.conv;
  let size = arch.height;
  const shrink = (what: string, pad: 'valid' | 'same') => {
    const afterConv = pad === 'same' ? size : size - k + 1;
    const afterPool = Math.floor(afterConv / pool);
    if (afterConv < 1 || afterPool < 1) throw new Error(`${what} has a ${size}x${size} input: too small for a ${k}x${k} kernel and ${pool}x${pool} pooling`);
    size = afterPool;
  };
  const convs = arch.conv.filters.map((filters, i) => ({ name: `conv${i + 1}`, units: filters }));
  const channels = convs[convs.length - 1].units;
  if (!arch.residual) {
    const plans = convs.map((c, i): LayerPlan => {
      shrink(`conv layer ${i + 1}`, padding);
      return { name: c.name, kind: 'conv', op: 'conv', shape: [k, k, i ? convs[i - 1].units : 1, c.units], pool, padding, ...hidden };
    });
    return { plans, outputs: size * size * channels };
  }
  // Residual: the stem keeps the configured padding; convs in a block keep the size (same
  // padding) so that the skip can be added, and the block pools once, after the sum.
  const plans = residualStack(arch, convs, 1, 'conv', (units, from, stem) => ({ op: 'conv', shape: [k, k, from, units], pool: 1, padding: stem ? padding : 'same', ...hidden }));
  for (const p of plans) {
    // Pooling follows the stem and the last layer of each block (after the sum).
    if (p.residual && p.kind !== 'residualOut') continue;
    shrink(p.residual ? `residual block ${p.residual.block}` : 'conv1 (the stem)', p.padding);
    p.pool = pool;
  }
  return { plans, outputs: size * size * channels };
}

type Build = (units: number, from: number, stem: boolean) => Omit<LayerPlan, 'name' | 'kind' | 'residual'>;

/**
 * A plain stem then blocks of arch.blockDepth layers, with a projection (dense, or a 1x1 conv)
 * first in each block whose output width differs from its input width.
 */
function residualStack(arch: Architecture, layers: { name: string; units: number }[], inputs: number, op: 'dense' | 'conv', build: Build): LayerPlan[] {
  const m = arch.blockDepth;
  const rest = layers.length - 1;
  if (layers.length < 2 || rest % m !== 0) {
    const what = op === 'dense' ? 'hidden layers' : 'conv layers';
    throw new Error(`residual blocks of ${m} need 1 + a multiple of ${m} ${what} (a plain stem, then the blocks); there are ${layers.length}`);
  }
  const branches = rest / m;
  const plans: LayerPlan[] = [{ name: layers[0].name, kind: op, ...build(layers[0].units, inputs, true) }];
  let width = layers[0].units;
  for (let b = 0; b < branches; b++) {
    const block = layers.slice(1 + b * m, 1 + (b + 1) * m);
    const out = block[block.length - 1].units;
    const place = { branches, branchDepth: m, block: b + 1 };
    if (out !== width) {
      const proj = build(out, width, false);
      const shape = op === 'conv' ? [1, 1, width, out] : [width, out];
      plans.push({ ...proj, name: `proj${b + 1}`, kind: op, shape, activation: 'linear', batchNorm: false, dropout: 0, residual: { ...place, role: 'projection', position: 0 } });
    }
    let from = width;
    block.forEach((layer, position) => {
      const kind: LayerKind = position === m - 1 ? 'residualOut' : op;
      plans.push({ name: layer.name, kind, ...build(layer.units, from, false), residual: { ...place, role: 'branch', position } });
      from = layer.units;
    });
    width = out;
  }
  return plans;
}

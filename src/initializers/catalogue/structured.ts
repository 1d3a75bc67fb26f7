/**
 * Initializers defined by a structure rather than a variance: orthogonal, identity/dirac,
 * delta-orthogonal, sparse, ZerO, and the data-dependent LSUV (whose pre-init is orthogonal).
 */
import { z } from 'zod';
import { gainFor } from '../gain.js';
import { matrixShape, sizeOf } from '../fans.js';
import { haarOrthogonal, hadamardSign } from '../linalg.js';
import { applyLsuv } from '../lsuv.js';
import { define, FILL } from './define.js';
import type { KernelRequest } from '../types.js';

const SAXE = 'Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks"';

/** `gain: auto` picks the gain of the activation that follows the layer (see ../gain.ts). */
export const gainParam = z
  .union([z.literal('auto'), z.number().positive()])
  .default(1)
  .describe('Multiplier of the kernel: a number > 0, or auto for the gain of the activation that follows (relu sqrt(2), tanh 5/3, ...).');

/** The parameters of an entry scaled by a gain. */
export type Gained = { gain: z.output<typeof gainParam> };

export function resolveGain(p: Gained, req: Omit<KernelRequest, 'rng'>): number {
  return p.gain === 'auto' ? gainFor(req.activation, req.leakySlope) : p.gain;
}

function scaleInto(values: Float64Array, gain: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = gain * values[i];
  return out;
}

export function sampleOrthogonal(p: Gained, req: KernelRequest): Float32Array {
  const [rows, cols] = matrixShape(req.shape);
  return scaleInto(haarOrthogonal(rows, cols, req.rng), resolveGain(p, req));
}

/** Entry std of a gain-scaled matrix with orthonormal rows or columns: each has norm gain. */
export function orthogonalStd(p: Gained, req: Omit<KernelRequest, 'rng'>): number {
  const [rows, cols] = matrixShape(req.shape);
  return resolveGain(p, req) / Math.sqrt(Math.max(rows, cols));
}

export const orthogonal = define({
  name: 'orthogonal',
  aliases: ['orth'],
  summary: 'A random (Haar) orthogonal matrix times gain.',
  distribution: 'orthogonal',
  formula: 'W = gain * Q, Q from the QR of an N(0,1) [prod(shape[:-1]), shape[-1]] matrix with sign(diag(R)) fixed; W^T W = gain^2 I (or W W^T)',
  reference: SAXE,
  lesson: {
    why: 'Every singular value of W equals gain. When in <= out (W has orthonormal rows, W W^T = gain^2 I) a linear layer x -> xW scales the norm of every input by exactly gain, not just on average; when in > out (orthonormal columns) it first projects onto out of the in directions, so norms can only shrink. Deep linear nets with orthogonal layers learn in depth-independent time (Saxe et al. 2014).',
    suits: 'Deep linear and tanh nets, RNNs; with `gain: auto` ReLU nets too.',
    pitfalls: 'Orthogonality is lost once the nonlinearity is applied (ReLU is not an isometry); for conv kernels use deltaOrthogonal. Naive QR implementations are slow for large kernels.',
  },
  tradeoffs: {
    cost: 'a Householder QR of each kernel seen as a [rows, cols] matrix: O(rows * cols^2) per layer',
    shownBy: [
      { preset: 'deep-tanh.yaml', shows: 'gain 5/3 on 10 tanh layers: trains' },
    ],
  },
  params: z.object({ gain: gainParam }).strict(),
  sample: sampleOrthogonal,
  expectedStd: orthogonalStd,
  gain: resolveGain,
  orthogonal: true,
});

/**
 * Offset of the centre tap's [in, out] block in a kernel [k1, ..., kd, in, out] (row-major):
 * tap floor(k/2) along every spatial axis. A dense kernel [in, out] is its own centre tap.
 */
export function centreTapOffset(shape: readonly number[]): number {
  const taps = shape.slice(0, -2);
  const block = (shape[shape.length - 2] ?? 1) * (shape[shape.length - 1] ?? 1);
  return taps.reduce((index, k) => index * k + Math.floor(k / 2), 0) * block;
}

/** A kernel that is zero except at the centre tap, where `value(i, o)` fills [in, out]. */
function centreTap(shape: readonly number[], value: (i: number, o: number) => number): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  const cin = shape[shape.length - 2];
  const cout = shape[shape.length - 1];
  const base = centreTapOffset(shape);
  for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[base + i * cout + o] = value(i, o);
  return out;
}

export const identity = define({
  name: 'identity',
  aliases: ['eye'],
  summary: 'gain on the diagonal (dense) or at the kernel centre per channel (conv: dirac), 0 elsewhere.',
  distribution: 'constant',
  formula: 'W[i][i] = gain for i < min(in, out), else 0; conv kernels: dirac',
  reference: 'Le, Jaitly & Hinton (2015), "A Simple Way to Initialize Recurrent Networks of Rectified Linear Units"',
  lesson: {
    why: 'Each layer starts as (a multiple of) the identity map, so the input passes through a deep net unchanged and gradients flow as through a shallow one.',
    suits: 'Square layers in residual-like or recurrent nets (IRNN).',
    pitfalls: 'Deterministic: units that start as copies of the same input stay symmetric where in != out; layers wider than their input get zero columns, and a layer narrower than its input keeps only the first inputs (784 -> 256 on MNIST: the first 256 pixels, about the top 9 rows).',
  },
  tradeoffs: {
    cost: FILL,
    shownBy: [{ preset: 'signal-tour.yaml', shows: 'a 784 -> 256 first layer keeps the first 256 pixels, and at init no hidden layer gets a gradient (probe)' }],
  },
  params: z.object({ gain: gainParam }).strict(),
  sample: (p, req) => {
    const g = resolveGain(p, req);
    return centreTap(req.shape, (i, o) => (i === o ? g : 0));
  },
  expectedStd: () => null,
  gain: resolveGain,
});

export const dirac = define({
  ...identity,
  name: 'dirac',
  aliases: [],
  summary: 'Conv kernel that passes channel i to output i unchanged (identity at the centre tap).',
  formula: 'W[kh/2][kw/2][i][i] = gain for i < min(in, out), 0 at every other tap',
  tradeoffs: { cost: FILL, shownBy: [] },
  reference: 'Zagoruyko & Komodakis (2017), "DiracNets: Training Very Deep Neural Networks Without Skip-Connections"',
});

export const deltaOrthogonal = define({
  name: 'deltaOrthogonal',
  aliases: ['delta'],
  summary: 'Conv kernel: an orthogonal [in, out] matrix times gain at the centre tap, zeros elsewhere (dense kernels: orthogonal).',
  distribution: 'orthogonal',
  formula: 'W[kh/2][kw/2] = gain * Q, Q an [in, out] matrix with orthonormal rows (Q Q^T = I_in, needs in <= out), W = 0 at other taps; a dense kernel (a 1x1 conv) is gain * Q',
  reference: 'Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington (2018), "Dynamical Isometry and a Mean Field Theory of CNNs: How to Train 10,000-Layer Vanilla Convolutional Neural Networks"',
  lesson: {
    why: 'A conv layer whose kernel is orthogonal at one tap and zero elsewhere is an isometry of the channels at every position: the conv analogue of orthogonal init, which made 10,000-layer CNNs trainable.',
    suits: 'Very deep CNNs with tanh (or ReLU with gain auto).',
    pitfalls: 'Needs in <= out channels; starts with a 1x1 receptive field that training must widen.',
  },
  tradeoffs: {
    cost: 'a Householder QR of an [in, out] matrix per conv layer',
    shownBy: [],
  },
  params: z.object({ gain: gainParam }).strict(),
  sample: (p, req) => {
    // A dense kernel is a 1x1 convolution: its delta-orthogonal kernel is just orthogonal.
    if (req.shape.length === 2) return sampleOrthogonal(p, req);
    const cin = req.shape[req.shape.length - 2];
    const cout = req.shape[req.shape.length - 1];
    if (cin > cout) throw new Error(`deltaOrthogonal needs in <= out channels; kernel ${req.shape.join('x')} has ${cin} > ${cout}`);
    const q = haarOrthogonal(cin, cout, req.rng);
    const g = resolveGain(p, req);
    return centreTap(req.shape, (i, o) => g * q[i * cout + o]);
  },
  expectedStd: (p, req) => {
    const cin = req.shape[req.shape.length - 2];
    const cout = req.shape[req.shape.length - 1];
    const taps = sizeOf(req.shape) / (cin * cout);
    return resolveGain(p, req) / Math.sqrt(cout * taps);
  },
  gain: resolveGain,
  orthogonal: true,
  // Only the centre tap is orthogonal: the flattened [kh*kw*in, out] kernel has rank in < out,
  // so its W^T W cannot be the identity; the tap's Q Q^T = gain^2 I_in can.
  orthogonalBlock: (shape) => {
    const [rows, cols] = shape.slice(-2);
    return { offset: centreTapOffset(shape), rows, cols, where: shape.length > 2 ? `centre tap [${rows}, ${cols}]` : `kernel [${rows}, ${cols}]` };
    },
  fits: (shape) => {
    const [cin, cout] = shape.slice(-2);
    return shape.length > 2 && cin > cout ? `needs in <= out channels; kernel ${shape.join('x')} has ${cin} > ${cout}` : null;
  },
});

/** sparse's parameters once parsed: a fraction or a count, never both. */
type Sparsity = { sparsity: number } | { nonZero: number };

/** Incoming weights kept per unit (column of the [rows, cols] kernel): a count, or 1 - sparsity of rows. */
function keptPerUnit(p: Sparsity, rows: number): number {
  if ('nonZero' in p) return Math.min(rows, p.nonZero);
  return rows - Math.ceil(p.sparsity * rows);
}

const MARTENS = 'Martens (2010), "Deep learning via Hessian-free optimization", section 5 (sparse initialization: 15 non-zero incoming weights per unit)';

/**
 * sparse: N(0, stddev^2), then per unit (a column of the kernel in tfjs layout [in, out], or
 * [kh*kw*in, out] for conv) all but `kept` incoming weights set to 0. `kept` is a fraction
 * 1 - sparsity of the fan-in, or a fixed count `nonZero` as in Martens (2010), who kept 15.
 * PyTorch's `sparse_` also zeroes "in each column", but of its [out, in] weight: per input.
 */
export const sparse = define({
  name: 'sparse',
  aliases: [],
  summary: 'N(0, stddev^2), then in each unit\'s incoming weights (a column of the [in, out] kernel) a fraction `sparsity`, or all but `nonZero`, set to 0.',
  distribution: 'sparse normal',
  formula: 'W ~ N(0, stddev^2); per column of the [fanIn, units] kernel (one unit\'s incoming weights) ceil(sparsity * fanIn) random entries set to 0, or all but nonZero of them; variance = stddev^2 * kept / fanIn',
  reference: MARTENS,
  lesson: {
    why: 'Each unit sees only some of its inputs, so units differ strongly from the start. With a fixed count of non-zero incoming weights (Martens kept 15: `nonZero: 15`) a unit\'s summed input has variance nonZero * stddev^2 * E[x^2] whatever the fan-in: `init-bench inspect --init sparse(nonZero=15) --shape 784,256` prints std 0.00138 (expected 0.00138) and `init-bench inspect --init sparse(nonZero=15) --shape 256,256` prints std 0.00248 (expected 0.00242), so fanIn x variance is 0.0015 and 0.0016, against 15 x 0.01^2 = 0.0015 for any fan-in. With a fraction (the default, sparsity 0.1) it grows with the fan-in as a dense draw\'s does, times 1 - sparsity: `init-bench inspect --init sparse --shape 784,256` prints std 0.00949 and `init-bench inspect --init sparse --shape 256,256` prints std 0.00950, so fanIn x variance is 0.071 and 0.023.',
    suits: 'Deep and recurrent nets trained with second-order methods (Martens 2010); a contrast to dense schemes.',
    pitfalls: 'The std is fixed, not fan-scaled: the default 0.01 is too small for deep nets with SGD. init-bench zeroes per unit (a column of its [in, out] kernel), as Martens; PyTorch\'s sparse_ zeroes a fraction of each column of its [out, in] weight, i.e. per input (each input\'s outgoing weights).',
  },
  tradeoffs: {
    cost: 'one random draw per weight and a shuffle of each unit\'s inputs',
    shownBy: [{ preset: 'signal-tour.yaml', shows: 'std 0.01 on 20 ReLU layers: the signal vanishes (probe)' }],
  },
  params: z
    .object({
      sparsity: z.number().min(0).max(1).optional().describe("Fraction of each unit's incoming weights set to 0 (0.1 when nonZero is not given)."),
      nonZero: z.number().int().min(1).max(1_000_000).optional().describe('Incoming weights kept per unit, instead of a sparsity (Martens kept 15).'),
      stddev: z.number().positive().default(0.01).describe('Std of the normal the weights are drawn from before zeroing.'),
    })
    .strict()
    .refine((p) => p.sparsity === undefined || p.nonZero === undefined, { path: ['nonZero'], message: 'give sparsity (a fraction of each unit\'s incoming weights set to 0) or nonZero (a count kept), not both' })
    // sparsity 0.1 unless a count is given: shown as the default, and the one key that applies.
    .transform((p) => (p.nonZero === undefined ? { sparsity: p.sparsity ?? 0.1, stddev: p.stddev } : { nonZero: p.nonZero, stddev: p.stddev })),
  sample: (p, req) => {
    const [rows, cols] = matrixShape(req.shape);
    const out = new Float32Array(rows * cols);
    const std = p.stddev;
    for (let i = 0; i < out.length; i++) out[i] = std * req.rng.normal();
    const zeros = rows - keptPerUnit(p, rows);
    const order = new Int32Array(rows);
    for (let c = 0; c < cols; c++) {
      for (let r = 0; r < rows; r++) order[r] = r;
      req.rng.shuffle(order);
      for (let k = 0; k < zeros; k++) out[order[k] * cols + c] = 0;
    }
    return out;
  },
  expectedStd: (p, req) => {
    const [rows] = matrixShape(req.shape);
    return p.stddev * Math.sqrt(keptPerUnit(p, rows) / rows);
  },
});

export const zerO = define({
  name: 'zerO',
  aliases: ['zero-hadamard'],
  summary: 'Deterministic: partial identity, or a scaled Hadamard transform where a layer widens; 0 at the end of each residual branch.',
  distribution: 'constant (Hadamard)',
  formula: 'out <= in: W = I (partial identity); out > in: W = I_{out x p} (H_p / 2^(k/2)) I_{p x in}, p = 2^k, k = ceil(log2 out); last layer of a residual branch (residualOut): W = 0',
  reference: 'Zhao, Schaefer & Anandkumar (2022), "ZerO Initialization: Initializing Neural Networks with only Zeros and Ones"',
  lesson: {
    why: 'No randomness at all: identity maps keep the signal, and where a layer gets wider the Hadamard matrix spreads each input over all new units with +-1 entries, which breaks the symmetry that plain identity padding would leave.',
    suits: 'Deep nets whose widths change; reproducible training without a seed.',
    pitfalls: 'The identity part keeps units that see the same input identical if widths shrink then grow; conv kernels get it at the centre tap only. A layer narrower than its input keeps only the first inputs (784 -> 256 on MNIST: the top 9 pixel rows). On residual nets the paper zeroes every branch layer and puts a skip around each (blockDepth 1); with longer branches the layers before the last are identities.',
  },
  tradeoffs: {
    cost: 'none: a fill with Hadamard signs',
    shownBy: [
      { preset: 'residual.yaml', shows: 'a 21-layer residual net trains from zeros and ones alone' },
    ],
  },
  params: z.object({}).strict(),
  sample: (_p, req) => {
    // Residual nets (Zhao et al. 2022, sec. 4): the branches start at 0 and the skips carry the
    // identity, so every block starts as the identity map.
    if (req.kind === 'residualOut') return new Float32Array(sizeOf(req.shape));
    const cin = req.shape[req.shape.length - 2];
    const cout = req.shape[req.shape.length - 1];
    if (cout <= cin) return centreTap(req.shape, (i, o) => (i === o ? 1 : 0));
    const k = Math.ceil(Math.log2(cout));
    const norm = 1 / Math.sqrt(2 ** k);
    // Kernel entry [i][o] is W[o][i] of the paper's y = W x layout.
    return centreTap(req.shape, (i, o) => hadamardSign(o, i) * norm);
  },
  expectedStd: () => null,
});

export const lsuv = define({
  name: 'lsuv',
  aliases: ['LSUV'],
  summary: 'Orthogonal pre-init, then each layer rescaled on a data batch until its output variance is 1.',
  distribution: 'orthogonal, data-rescaled',
  formula: 'W = Q; per layer from the input: W <- W / sqrt(Var(x W)) until |Var - 1| < tol or maxIterations',
  reference: 'Mishkin & Matas (2016), "All you need is a good init"',
  lesson: {
    why: 'Instead of deriving the scale from the activation function, measure it: forward a real batch and normalize each layer\'s pre-activation variance to 1. Works for any activation and any architecture, including ones no formula covers.',
    suits: 'Any activation; nets where the theory is unclear (maxout, unusual activations).',
    pitfalls: 'Needs data at init time; a small batch gives a noisy variance; it fixes the scale of the forward signal only, not the gradients.',
  },
  tradeoffs: {
    cost: 'an orthogonal init, then per layer up to maxIterations forward passes of a training batch (recorded per layer in the trial)',
    shownBy: [{ preset: 'signal-tour.yaml', shows: '20 ReLU layers: signal and gradients in range after its rescaling (probe)' }],
  },
  params: z
    .object({
      tol: z.number().positive().default(0.1).describe("A layer is done once its output variance is within tol of 1."),
      maxIterations: z.number().int().min(1).max(100).default(10).describe('Rescalings per layer at most (each one forward pass of the batch).'),
    })
    .strict(),
  sample: (_p, req) => sampleOrthogonal({ gain: 1 }, req),
  expectedStd: () => null,
  dataDependent: {
    reportKey: 'lsuv',
    run: (p, ctx) => ({ ...applyLsuv(ctx, p.tol, p.maxIterations) }),
  },
});

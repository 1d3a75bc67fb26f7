/**
 * Initializers defined by a structure rather than a variance: orthogonal, identity/dirac,
 * delta-orthogonal, sparse, ZerO, and the data-dependent LSUV (whose pre-init is orthogonal).
 */
import { z } from 'zod';
import { gainFor } from '../gain.js';
import { matrixShape, sizeOf } from '../fans.js';
import { haarOrthogonal, hadamardSign } from '../linalg.js';
import { applyLsuv } from '../lsuv.js';
import { define } from './define.js';
import type { InitializerEntry, KernelRequest, Params } from '../types.js';

const SAXE = 'Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks"';

/** `gain: auto` picks the gain of the activation that follows the layer (see ../gain.ts). */
export const gainParam = z.union([z.literal('auto'), z.number().positive()]).default(1);

export function resolveGain(p: Params, req: Omit<KernelRequest, 'rng'>): number {
  return p.gain === 'auto' ? gainFor(req.activation, req.leakySlope) : (p.gain as number);
}

function scaleInto(values: Float64Array, gain: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = gain * values[i];
  return out;
}

export function sampleOrthogonal(p: Params, req: KernelRequest): Float32Array {
  const [rows, cols] = matrixShape(req.shape);
  return scaleInto(haarOrthogonal(rows, cols, req.rng), resolveGain(p, req));
}

/** Entry std of a gain-scaled matrix with orthonormal rows or columns: each has norm gain. */
function orthogonalStd(p: Params, req: Omit<KernelRequest, 'rng'>): number {
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
    why: 'All singular values equal gain, so a linear layer preserves the norm of every input exactly, not just on average: deep linear nets then learn in depth-independent time (dynamical isometry).',
    suits: 'Deep linear and tanh nets, RNNs; with `gain: auto` ReLU nets too.',
    pitfalls: 'Orthogonality is lost once the nonlinearity is applied (ReLU is not an isometry); for conv kernels use deltaOrthogonal. Naive QR implementations are slow for large kernels.',
  },
  params: z.object({ gain: gainParam }).strict(),
  sample: sampleOrthogonal,
  expectedStd: orthogonalStd,
  gain: resolveGain,
  orthogonal: true,
});

/** Gain at the centre tap of a conv kernel; `value(i, o)` fills [in, out] there. */
function centreTap(shape: readonly number[], value: (i: number, o: number) => number): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  const [kh, kw, cin, cout] = shape.length === 4 ? shape : [1, 1, shape[0], shape[1]];
  const base = (Math.floor(kh / 2) * kw + Math.floor(kw / 2)) * cin * cout;
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
    pitfalls: 'Deterministic: units that start as copies of the same input stay symmetric where in != out; layers wider than their input get zero columns.',
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
  reference: 'Zagoruyko & Komodakis (2017), "DiracNets: Training Very Deep Neural Networks Without Skip-Connections"',
});

export const deltaOrthogonal = define({
  name: 'deltaOrthogonal',
  aliases: ['delta'],
  summary: 'Conv kernel: an orthogonal [in, out] matrix times gain at the centre tap, zeros elsewhere (dense kernels: orthogonal).',
  distribution: 'orthogonal',
  formula: 'W[kh/2][kw/2] = gain * Q (Q^T Q = I, needs in <= out), W = 0 at other taps; a dense kernel (a 1x1 conv) is gain * Q',
  reference: 'Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington (2018), "Dynamical Isometry and a Mean Field Theory of CNNs: How to Train 10,000-Layer Vanilla Convolutional Neural Networks"',
  lesson: {
    why: 'A conv layer whose kernel is orthogonal at one tap and zero elsewhere is an isometry of the channels at every position: the conv analogue of orthogonal init, which made 10,000-layer CNNs trainable.',
    suits: 'Very deep CNNs with tanh (or ReLU with gain auto).',
    pitfalls: 'Needs in <= out channels; starts with a 1x1 receptive field that training must widen.',
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
});

export const sparse = define({
  name: 'sparse',
  aliases: [],
  summary: 'N(0, stddev^2) with a fraction `sparsity` of each unit\'s incoming weights set to 0.',
  distribution: 'sparse normal',
  formula: 'W ~ N(0, stddev^2); in each column, ceil(sparsity * rows) entries chosen at random set to 0',
  reference: 'Martens (2010), "Deep learning via Hessian-free optimization"',
  lesson: {
    why: 'Each unit sees only some of its inputs, so units differ strongly from the start, and the total input of a unit does not grow with the fan-in as fast as for a dense draw.',
    suits: 'Deep and recurrent nets trained with second-order methods; a contrast to dense schemes.',
    pitfalls: 'The std is fixed, not fan-scaled: too small for deep nets with SGD.',
  },
  params: z
    .object({ sparsity: z.number().min(0).max(1).default(0.1), stddev: z.number().positive().default(0.01) })
    .strict(),
  sample: (p, req) => {
    const [rows, cols] = matrixShape(req.shape);
    const out = new Float32Array(rows * cols);
    const std = p.stddev as number;
    for (let i = 0; i < out.length; i++) out[i] = std * req.rng.normal();
    const zeros = Math.ceil((p.sparsity as number) * rows);
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
    const kept = rows - Math.ceil((p.sparsity as number) * rows);
    return (p.stddev as number) * Math.sqrt(kept / rows);
  },
});

export const zerO = define({
  name: 'zerO',
  aliases: ['zero-hadamard'],
  summary: 'Deterministic: partial identity, or a scaled Hadamard transform where a layer widens.',
  distribution: 'constant (Hadamard)',
  formula: 'out <= in: W = I (partial identity); out > in: W = I_{out x p} (H_p / 2^(k/2)) I_{p x in}, p = 2^k, k = ceil(log2 out)',
  reference: 'Zhao, Schaefer & Anandkumar (2022), "ZerO Initialization: Initializing Neural Networks with only Zeros and Ones"',
  lesson: {
    why: 'No randomness at all: identity maps keep the signal, and where a layer gets wider the Hadamard matrix spreads each input over all new units with +-1 entries, which breaks the symmetry that plain identity padding would leave.',
    suits: 'Deep nets whose widths change; reproducible training without a seed.',
    pitfalls: 'The identity part keeps units that see the same input identical if widths shrink then grow; conv kernels get it at the centre tap only.',
  },
  params: z.object({}).strict(),
  sample: (_p, req) => {
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
  params: z
    .object({
      tol: z.number().positive().default(0.1),
      maxIterations: z.number().int().min(1).default(10),
    })
    .strict(),
  sample: (_p, req) => sampleOrthogonal({ gain: 1 }, req),
  expectedStd: () => null,
  dataDependent: {
    reportKey: 'lsuv',
    run: (p, ctx) => ({ ...applyLsuv(ctx, p.tol as number, p.maxIterations as number) }),
  },
});

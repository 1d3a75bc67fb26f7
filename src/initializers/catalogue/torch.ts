/**
 * PyTorch's own initializers, as `torch.nn.init` (PyTorch 1.13 to 2.x, `torch/nn/init.py`) and the
 * layers' `reset_parameters` define them, under a `torch:` prefix: with PyTorch's parameter names
 * and defaults, so a PyTorch user can name what their code does. Sampled by init-bench's own
 * random generator (the same distributions, not PyTorch's random streams); crosscheck/torch-init.py
 * prints PyTorch's statistics for the same shapes.
 *
 * Layout: PyTorch's weight is [out, in, kh, kw] and its fans are fan_in = in * kh * kw, fan_out =
 * out * kh * kw: the same numbers init-bench computes from the tfjs kernel [kh, kw, in, out]
 * (fans.ts). Where PyTorch acts on an axis of its weight (sparse_), the entry says which axis that is
 * in the tfjs layout.
 *
 * Where PyTorch differs from the Keras-named entries of the same idea:
 * - kaiming_normal_ and xavier_normal_ are untruncated normals (Keras's heNormal and glorotNormal,
 *   init-bench's too, are truncated at 2 sigma with the variance corrected).
 * - trunc_normal_'s cut points a, b are absolute values (default -2, 2), not 2 std: with std=0.05 it
 *   cuts at 40 std, so it is a plain normal.
 * - nn.Linear and nn.Conv2d default to kaiming_uniform_(a=sqrt(5)), U(+-1/sqrt(fanIn)), for the
 *   weight and the same bound for the bias: variance 1 / (3 fanIn), a third of LeCun's and a sixth
 *   of He's (`torch:default`).
 */
import { z } from 'zod';
import { define as register, DRAW } from './define.js';
import { fanFor, fansOf, matrixShape } from '../fans.js';
import { normalQuantile, normalCdf, truncatedMoments } from '../normal.js';
import { sampleNormal, sampleUniform } from '../variance.js';
import { haarOrthogonal } from '../linalg.js';
import type { InitializerEntry, KernelRequest, Params } from '../types.js';

/** Every entry here is PyTorch's: `--init all` and `list --compare` leave them out. */
const define = (entry: InitializerEntry): InitializerEntry => register({ ...entry, framework: 'PyTorch' });

type Req = Omit<KernelRequest, 'rng'>;
const TORCH = 'PyTorch `torch/nn/init.py` (1.13 to 2.x)';
const HE = 'He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification"';
const GLOROT = 'Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural networks"';
const num = (p: Params, key: string) => p[key] as number;

/** PyTorch's nonlinearity names, as `calculate_gain` takes them. */
const NONLINEARITIES = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'] as const;
type Nonlinearity = (typeof NONLINEARITIES)[number];

/**
 * `torch.nn.init.calculate_gain(nonlinearity, param)`: 1 for linear, convs and sigmoid, 5/3 tanh,
 * sqrt(2) relu, sqrt(2 / (1 + slope^2)) leaky_relu, 3/4 selu.
 */
export function torchGain(nonlinearity: Nonlinearity, slope: number): number {
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + slope * slope));
    case 'selu':
      return 3 / 4;
    default:
      return 1;
  }
}

const kaimingParams = z
  .object({
    a: z.number().min(0).default(0).describe('negative slope of the leaky ReLU that follows (used only with nonlinearity leaky_relu); 0 is a ReLU'),
    mode: z.enum(['fan_in', 'fan_out']).default('fan_in').describe('fan_in keeps the forward signal\'s variance, fan_out the backward gradient\'s'),
    nonlinearity: z.enum(NONLINEARITIES).default('leaky_relu').describe('the nonlinearity whose calculate_gain scales the std (PyTorch\'s names)'),
  })
  .strict();

/** kaiming_*_: std = gain / sqrt(fan), gain = calculate_gain(nonlinearity, a). */
function kaimingStd(p: Params, req: Req): number {
  const fans = fansOf(req);
  return torchGain(p.nonlinearity as Nonlinearity, num(p, 'a')) / Math.sqrt(fanFor(fans, p.mode === 'fan_out' ? 'fanOut' : 'fanIn'));
}

function xavierStd(p: Params, req: Req): number {
  const { fanIn, fanOut } = fansOf(req);
  return num(p, 'gain') * Math.sqrt(2 / (fanIn + fanOut));
}

const gainParam = z.number().positive().default(1).describe('factor on the std (e.g. calculate_gain of the nonlinearity; PyTorch takes a number)');
const symmetric = (std: number, req: KernelRequest) => sampleUniform(req.shape, -Math.sqrt(3) * std, Math.sqrt(3) * std, req.rng);

/** torch:default: U(+-1/sqrt(fanIn)) for the weight and, with the layer's fan-in, for the bias. */
export const torchDefault = define({
  name: 'torch:default',
  aliases: ['torch:linear', 'torch:conv2d'],
  summary: 'What nn.Linear and nn.Conv2d start from: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for the weight, and for the bias with the layer\'s fanIn.',
  distribution: 'uniform',
  formula: 'W ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)) = kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + 5)) = 1/sqrt(3), bound sqrt(3) gain / sqrt(fanIn); Var = 1 / (3 fanIn) (He\'s 2 / fanIn over 6, LeCun\'s 1 / fanIn over 3). Bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with its layer\'s fanIn',
  reference: `${TORCH}: nn.Linear.reset_parameters and nn.modules.conv._ConvNd.reset_parameters (read there: what PyTorch does)`,
  lesson: {
    why: 'PyTorch\'s layers initialize themselves in reset_parameters with kaiming_uniform_(a=sqrt(5)): the He uniform formula with the gain of a leaky ReLU of slope sqrt(5), which works out to U(+-1/sqrt(fanIn)), the uniform default of early nets (LeCun et al. 1998), and the same bound for the bias. Its variance 1 / (3 fanIn) is a third of LeCun\'s 1 / fanIn and a sixth of He\'s 2 / fanIn, so a ReLU layer multiplies the second moment of the signal by fanIn x Var(W) / 2 = 1/6 (its std by 0.41), and the bias adds variance 1 / (3 fanIn) at every layer.',
    suits: 'Shallow nets, and nets whose normalization layers (batch norm) undo the weights\' scale: most PyTorch code trains this way. What a PyTorch user compares against without writing any init.',
    pitfalls: 'Deep plain ReLU nets: the input\'s signal shrinks by a factor 0.41 per layer until the biases, the same for every input, are most of what a layer passes on. When the config names no bias initializer this entry fills the biases too (as PyTorch does); `bias: zeros` gives the weight alone.',
  },
  tradeoffs: {
    cost: `${DRAW}, and one per bias`,
    shownBy: [{ preset: 'torch-defaults.yaml', shows: 'beside the Keras default (glorotUniform) and He on the default MLP and on 20 ReLU layers' }],
  },
  params: z.object({}).strict(),
  sample: (_p, req) => {
    const bound = 1 / Math.sqrt(fansOf(req).fanIn);
    return sampleUniform(req.shape, -bound, bound, req.rng);
  },
  expectedStd: (_p, req) => 1 / Math.sqrt(3 * fansOf(req).fanIn),
  ownsBias: true,
});

export const torchKaimingUniform = define({
  name: 'torch:kaimingUniform',
  aliases: ['torch:kaiming_uniform_'],
  summary: 'PyTorch\'s kaiming_uniform_: U(-bound, bound), bound = gain sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).',
  distribution: 'uniform',
  formula: 'W ~ U(-b, b), b = sqrt(3) gain / sqrt(fan), fan = fanIn (mode fan_in) or fanOut; gain = calculate_gain(nonlinearity, a): sqrt(2 / (1 + a^2)) for leaky_relu (the default, with a = 0: sqrt(2)); Var = gain^2 / fan',
  reference: `${HE}; ${TORCH}: kaiming_uniform_`,
  lesson: {
    why: 'The He uniform draw with PyTorch\'s parameters: with the defaults (a = 0, fan_in, leaky_relu) it is heUniform exactly, Var = 2 / fanIn. PyTorch\'s default nonlinearity is leaky_relu, so `a` is both the slope and what sets the gain; nonlinearity relu ignores `a`.',
    suits: 'As heUniform: ReLU and leaky ReLU layers, dense and conv.',
    pitfalls: 'The default nonlinearity is leaky_relu, not relu: with a = sqrt(5) it is PyTorch\'s layer default (torch:default), variance 1 / (3 fanIn), not He\'s.',
  },
  tradeoffs: { cost: DRAW, shownBy: [] },
  params: kaimingParams,
  sample: (p, req) => symmetric(kaimingStd(p, req), req),
  expectedStd: kaimingStd,
  gain: (p) => torchGain(p.nonlinearity as Nonlinearity, num(p, 'a')),
});

export const torchKaimingNormal = define({
  name: 'torch:kaimingNormal',
  aliases: ['torch:kaiming_normal_'],
  summary: 'PyTorch\'s kaiming_normal_: N(0, gain^2 / fan), untruncated.',
  distribution: 'normal',
  formula: 'W ~ N(0, std^2), std = gain / sqrt(fan), fan = fanIn (mode fan_in) or fanOut; gain = calculate_gain(nonlinearity, a); no truncation',
  reference: `${HE}; ${TORCH}: kaiming_normal_`,
  lesson: {
    why: 'He\'s variance 2 / fanIn (with the defaults) drawn from a plain normal: PyTorch does not truncate, where Keras, tfjs and init-bench\'s heNormal draw a normal truncated at 2 sigma with the variance corrected. Same variance, so the same signal propagation on average; the untruncated draw has tails (about 4.6% of weights beyond 2 std).',
    suits: 'As heNormal: ReLU layers; what `nn.init.kaiming_normal_(w, nonlinearity="relu")` does in PyTorch code.',
    pitfalls: 'The default nonlinearity is leaky_relu (with a = 0 the same gain sqrt(2) as relu); `mode` spells fan_in / fan_out as PyTorch does.',
  },
  tradeoffs: { cost: DRAW, shownBy: [] },
  params: kaimingParams,
  sample: (p, req) => sampleNormal(req.shape, 0, kaimingStd(p, req), req.rng),
  expectedStd: kaimingStd,
  gain: (p) => torchGain(p.nonlinearity as Nonlinearity, num(p, 'a')),
});

export const torchXavierUniform = define({
  name: 'torch:xavierUniform',
  aliases: ['torch:xavier_uniform_'],
  summary: 'PyTorch\'s xavier_uniform_: U(-b, b), b = gain sqrt(6 / (fanIn + fanOut)).',
  distribution: 'uniform',
  formula: 'W ~ U(-b, b), b = gain sqrt(6 / (fanIn + fanOut)); Var = gain^2 2 / (fanIn + fanOut)',
  reference: `${GLOROT}; ${TORCH}: xavier_uniform_`,
  lesson: {
    why: 'glorotUniform with a gain: with gain 1 (the default) the same distribution as Keras\'s default.',
    suits: 'As glorotUniform; with gain = calculate_gain(\'tanh\') = 5/3 for tanh layers, as PyTorch\'s docs suggest.',
    pitfalls: 'The gain multiplies the std (a variance factor of gain^2).',
  },
  tradeoffs: { cost: DRAW, shownBy: [] },
  params: z.object({ gain: gainParam }).strict(),
  sample: (p, req) => symmetric(xavierStd(p, req), req),
  expectedStd: xavierStd,
  gain: (p) => num(p, 'gain'),
});

export const torchXavierNormal = define({
  name: 'torch:xavierNormal',
  aliases: ['torch:xavier_normal_'],
  summary: 'PyTorch\'s xavier_normal_: N(0, gain^2 2 / (fanIn + fanOut)), untruncated.',
  distribution: 'normal',
  formula: 'W ~ N(0, std^2), std = gain sqrt(2 / (fanIn + fanOut)); no truncation',
  reference: `${GLOROT}; ${TORCH}: xavier_normal_`,
  lesson: {
    why: 'Glorot\'s variance drawn from a plain normal; Keras\'s (and init-bench\'s) glorotNormal truncates at 2 sigma and corrects the variance: same variance, different tails.',
    suits: 'As glorotNormal.',
    pitfalls: 'The gain multiplies the std.',
  },
  tradeoffs: { cost: DRAW, shownBy: [] },
  params: z.object({ gain: gainParam }).strict(),
  sample: (p, req) => sampleNormal(req.shape, 0, xavierStd(p, req), req.rng),
  expectedStd: xavierStd,
  gain: (p) => num(p, 'gain'),
});

/** Below this kept mass the rejection sampler would loop too long: the inverse CDF instead. */
const REJECTION_MASS = 0.25;

export const torchTruncNormal = define({
  name: 'torch:truncNormal',
  aliases: ['torch:trunc_normal_'],
  summary: 'PyTorch\'s trunc_normal_: N(mean, std^2) kept within the ABSOLUTE values [a, b] (default -2, 2), not within 2 std.',
  distribution: 'truncatedNormal (absolute cut points)',
  formula: 'W ~ N(mean, std^2) conditioned on a <= W <= b; with alpha = (a - mean)/std, beta = (b - mean)/std, Z = Phi(beta) - Phi(alpha): Var = std^2 [1 + (alpha phi(alpha) - beta phi(beta))/Z - ((phi(alpha) - phi(beta))/Z)^2]',
  reference: `${TORCH}: trunc_normal_ (inverse-CDF sampling, then clamp to [a, b])`,
  lesson: {
    why: 'PyTorch\'s cut points are values, not multiples of the std: trunc_normal_(std=0.05) keeps [-2, 2], which is 40 std, so it cuts nothing and its std is 0.05: `init-bench inspect --init torch:truncNormal(std=0.05) --shape 1000,1000` prints std 0.05002 (expected 0.05000), where Keras\'s, tfjs\'s and init-bench\'s truncatedNormal(stddev=0.05) cut at 2 std (0.1) and have std 0.04397. With the default std 1 the cut is at 2 std after all: `init-bench inspect --init torch:truncNormal --shape 1000,1000` prints std 0.87941 (expected 0.87963).',
    suits: 'What ViT-style PyTorch code means by trunc_normal_(std=0.02): a normal of std 0.02 whose extreme draws are clipped only in principle. To cut at 2 std, pass a = -2 std, b = 2 std.',
    pitfalls: 'Copying `trunc_normal_(std=s)` into Keras as TruncatedNormal(stddev=s) gives 0.88 s, and the reverse gives s / 0.88 in PyTorch.',
  },
  tradeoffs: { cost: 'one random draw per weight (rejection when most of the mass is kept, else the inverse CDF)', shownBy: [] },
  params: z
    .object({
      mean: z.number().default(0).describe('mean of the normal before truncation'),
      std: z.number().positive().default(1).describe('std of the normal before truncation (the samples\' std is smaller only where [a, b] cuts into it)'),
      a: z.number().default(-2).describe('lower cut point, an absolute value (not a multiple of std)'),
      b: z.number().default(2).describe('upper cut point, an absolute value'),
    })
    .strict()
    .refine((p) => p.b > p.a, { path: ['b'], message: 'b must be greater than a' })
    .refine((p) => truncatedMoments(p).mass > 1e-6, { path: ['a'], message: '[a, b] holds less than 1e-6 of N(mean, std^2)' }),
  sample: (p, req) => {
    const t = { mean: num(p, 'mean'), std: num(p, 'std'), a: num(p, 'a'), b: num(p, 'b') };
    const { mass } = truncatedMoments(t);
    const out = new Float32Array(req.shape.reduce((x, y) => x * y, 1));
    const lo = normalCdf((t.a - t.mean) / t.std);
    for (let i = 0; i < out.length; i++) {
      let x: number;
      if (mass >= REJECTION_MASS) {
        do x = t.mean + t.std * req.rng.normal();
        while (x < t.a || x > t.b);
      } else {
        x = Math.min(t.b, Math.max(t.a, t.mean + t.std * normalQuantile(lo + mass * req.rng.uniform())));
      }
      out[i] = x;
    }
    return out;
  },
  expectedStd: (p) => truncatedMoments({ mean: num(p, 'mean'), std: num(p, 'std'), a: num(p, 'a'), b: num(p, 'b') }).std,
});

export const torchOrthogonal = define({
  name: 'torch:orthogonal',
  aliases: ['torch:orthogonal_'],
  summary: 'PyTorch\'s orthogonal_: a random (Haar) orthogonal matrix times gain.',
  distribution: 'orthogonal',
  formula: 'W = gain * Q from the QR of an N(0, 1) matrix with sign(diag(R)) fixed; PyTorch flattens its weight to [out, in*kh*kw], the transpose of the tfjs kernel seen as [kh*kw*in, out]: the same set of matrices, so the same distribution',
  reference: `Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks"; ${TORCH}: orthogonal_`,
  lesson: {
    why: 'The same construction as init-bench\'s orthogonal: a Haar orthogonal matrix and its transpose are both Haar, so flattening PyTorch\'s [out, in, kh, kw] weight instead of the tfjs kernel changes nothing in distribution. PyTorch takes a numeric gain only.',
    suits: 'As orthogonal: deep linear and tanh nets (gain 5/3 for tanh).',
    pitfalls: 'gain is a number here; init-bench\'s orthogonal also takes `gain: auto`.',
  },
  tradeoffs: { cost: 'a Householder QR of each kernel seen as a matrix', shownBy: [] },
  params: z.object({ gain: gainParam }).strict(),
  sample: (p, req) => {
    const [rows, cols] = matrixShape(req.shape);
    const q = haarOrthogonal(rows, cols, req.rng);
    return Float32Array.from(q, (v) => num(p, 'gain') * v);
  },
  expectedStd: (p, req) => {
    const [rows, cols] = matrixShape(req.shape);
    return num(p, 'gain') / Math.sqrt(Math.max(rows, cols));
  },
  gain: (p) => num(p, 'gain'),
  orthogonal: true,
});

/** sparse_ zeroes ceil(sparsity * out) of each input's `out` weights (a column of PyTorch's [out, in], a row of the tfjs [in, out]). */
const zerosPerInput = (p: Params, outputs: number) => Math.ceil(num(p, 'sparsity') * outputs);

export const torchSparse = define({
  name: 'torch:sparse',
  aliases: ['torch:sparse_'],
  summary: 'PyTorch\'s sparse_: N(0, std^2), then in each INPUT\'s outgoing weights (a column of PyTorch\'s [out, in] weight, a row of the tfjs [in, out] kernel) ceil(sparsity * out) set to 0.',
  distribution: 'sparse normal',
  formula: 'W ~ N(0, std^2); for each input i, ceil(sparsity * out) of W[i, :] (tfjs layout) set to 0; variance = std^2 (1 - ceil(sparsity * out) / out)',
  reference: `Martens (2010), "Deep learning via Hessian-free optimization"; ${TORCH}: sparse_ (2-D tensors only)`,
  lesson: {
    why: 'PyTorch\'s sparse_ zeroes "the non-zero elements of each column" of its [out, in] weight, that is per input, across the units it feeds: each unit keeps a random number of inputs, about (1 - sparsity) fanIn. Martens (2010), whom it cites, fixed the count per unit instead (15 incoming weights, unit Gaussian); init-bench\'s sparse zeroes per unit.',
    suits: 'Reproducing PyTorch code that calls sparse_; dense layers only.',
    pitfalls: 'The default std 0.01 is not fan-scaled; PyTorch has no default sparsity (0.1 here). Conv kernels are refused, as PyTorch refuses tensors of more than 2 dimensions.',
  },
  tradeoffs: { cost: 'one random draw per weight and a shuffle per input', shownBy: [] },
  params: z
    .object({
      sparsity: z.number().min(0).max(1).default(0.1).describe('fraction of each input\'s outgoing weights set to 0 (PyTorch requires it; 0.1 here)'),
      std: z.number().positive().default(0.01).describe('std of the normal the non-zero weights come from'),
    })
    .strict(),
  sample: (p, req) => {
    const [inputs, outputs] = req.shape;
    const out = sampleNormal(req.shape, 0, num(p, 'std'), req.rng);
    const zeros = zerosPerInput(p, outputs);
    const order = new Int32Array(outputs);
    for (let i = 0; i < inputs; i++) {
      for (let o = 0; o < outputs; o++) order[o] = o;
      req.rng.shuffle(order);
      for (let k = 0; k < zeros; k++) out[i * outputs + order[k]] = 0;
    }
    return out;
  },
  expectedStd: (p, req) => {
    const outputs = req.shape[req.shape.length - 1];
    return num(p, 'std') * Math.sqrt(1 - zerosPerInput(p, outputs) / outputs);
  },
  fits: (shape) => (shape.length === 2 ? null : `PyTorch's sparse_ takes 2-D weights only; this kernel is ${shape.join('x')}`),
});

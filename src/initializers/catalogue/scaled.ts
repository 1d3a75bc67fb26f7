/**
 * Constants, fixed-scale random draws, and the variance-scaling family (Glorot, He, LeCun).
 * Each fan-scaled entry is data handed to the one sampler in ../variance.ts.
 */
import { z } from 'zod';
import { define } from './define.js';
import type { InitializerEntry, Params } from '../types.js';
import {
  constant,
  sampleNormal,
  sampleTruncatedNormal,
  sampleUniform,
  sampleVarianceScaling,
  TRUNCATED_NORMAL_STD,
  varianceScalingStd,
  type VarianceScaling,
} from '../variance.js';

const GLOROT = 'Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural networks"';
const HE = 'He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification"';
const LECUN = 'LeCun, Bottou, Orr & Mueller (1998), "Efficient BackProp"';

const none = z.object({}).strict();
const num = (p: Params, key: string) => p[key] as number;

/** zeros: every weight 0. Every unit computes the same thing and gets the same gradient. */
export const zeros = define({
  name: 'zeros',
  aliases: ['zero'],
  summary: 'All weights 0.',
  distribution: 'constant',
  formula: 'W = 0',
  reference: null,
  lesson: {
    why: 'The natural first guess, and the classic counter-example: with every weight equal, every unit in a layer computes the same output and receives the same gradient, so the units stay identical for ever (symmetry is never broken).',
    suits: 'Biases, and the last layer of residual branches. Never the kernels of hidden layers.',
    pitfalls: 'With ReLU or tanh the hidden outputs are exactly 0, no gradient reaches the hidden kernels, and only the output bias learns: accuracy stays near the majority-class rate.',
  },
  params: none,
  sample: (_p, req) => constant(req.shape, 0),
  expectedStd: () => null,
});

export const ones = define({
  name: 'ones',
  aliases: ['one'],
  summary: 'All weights 1.',
  distribution: 'constant',
  formula: 'W = 1',
  reference: null,
  lesson: {
    why: 'A constant other than zero: shows that symmetry, not the value 0, is the problem.',
    suits: 'Batch-norm scales (gamma). Not kernels.',
    pitfalls: 'Symmetric units as with zeros, and on top the signal grows with the fan-in at every layer: sums of 784 pixels overflow a deep net quickly.',
  },
  params: none,
  sample: (_p, req) => constant(req.shape, 1),
  expectedStd: () => null,
});

export const constantEntry = define({
  name: 'constant',
  aliases: [],
  summary: 'All weights equal to `value`.',
  distribution: 'constant',
  formula: 'W = value',
  reference: null,
  lesson: {
    why: 'Generalizes zeros and ones; any constant leaves the units of a layer identical.',
    suits: 'Biases (e.g. a small positive bias for ReLU units).',
    pitfalls: 'Symmetric units: a layer of width n behaves like a layer of width 1.',
  },
  params: z.object({ value: z.number().default(0) }).strict(),
  sample: (p, req) => constant(req.shape, num(p, 'value')),
  expectedStd: () => null,
});

export const randomNormal = define({
  name: 'randomNormal',
  aliases: ['random', 'normal'],
  summary: 'Normal with a fixed mean and std, whatever the layer size.',
  distribution: 'normal',
  formula: 'W ~ N(mean, stddev^2)',
  reference: null,
  lesson: {
    why: 'Breaks symmetry, but its scale ignores the fan-in: each layer multiplies the signal variance by about fanIn * stddev^2 (times 1/2 for ReLU).',
    suits: 'Shallow nets where stddev happens to be near 1/sqrt(fanIn); teaching.',
    pitfalls: 'Too small and the signal vanishes with depth, too large and it explodes or saturates tanh/sigmoid. The default 0.05 is about right for fanIn 400 only.',
  },
  params: z.object({ mean: z.number().default(0), stddev: z.number().positive().default(0.05) }).strict(),
  sample: (p, req) => sampleNormal(req.shape, num(p, 'mean'), num(p, 'stddev'), req.rng),
  expectedStd: (p) => num(p, 'stddev'),
});

export const randomUniform = define({
  name: 'randomUniform',
  aliases: ['uniform'],
  summary: 'Uniform on [minval, maxval], whatever the layer size.',
  distribution: 'uniform',
  formula: 'W ~ U(minval, maxval), std = (maxval - minval) / sqrt(12)',
  reference: null,
  lesson: {
    why: 'The uniform counterpart of randomNormal; the old default U(-1/sqrt(n), 1/sqrt(n)) of early nets is this with a fan-dependent range.',
    suits: 'Shallow nets; teaching.',
    pitfalls: 'Fixed scale: vanishing or exploding signal with depth, as randomNormal.',
  },
  params: z
    .object({ minval: z.number().default(-0.05), maxval: z.number().default(0.05) })
    .strict()
    .refine((p) => p.maxval > p.minval, { message: 'maxval must be greater than minval' }),
  sample: (p, req) => sampleUniform(req.shape, num(p, 'minval'), num(p, 'maxval'), req.rng),
  expectedStd: (p) => (num(p, 'maxval') - num(p, 'minval')) / Math.sqrt(12),
});

export const truncatedNormal = define({
  name: 'truncatedNormal',
  aliases: [],
  summary: 'Normal cut at 2 std, rescaled so the std is the one asked for.',
  distribution: 'truncatedNormal',
  formula: `W ~ N(mean, (stddev / ${TRUNCATED_NORMAL_STD.toFixed(4)})^2) redrawn outside +-2 sigma; std = stddev`,
  reference: null,
  lesson: {
    why: 'No weight lands far out in the tails, where a single large weight could dominate a unit. Cutting at 2 sigma shrinks the std to 0.88 sigma, so the sampler widens sigma by 1/0.8796 first.',
    suits: 'As randomNormal; it is the distribution under heNormal, glorotNormal and leCunNormal here.',
    pitfalls: 'Without the correction (tfjs-layers 4.x) every layer gets 0.774x the intended variance.',
  },
  params: z.object({ mean: z.number().default(0), stddev: z.number().positive().default(0.05) }).strict(),
  sample: (p, req) => sampleTruncatedNormal(req.shape, num(p, 'mean'), num(p, 'stddev') / TRUNCATED_NORMAL_STD, req.rng),
  expectedStd: (p) => num(p, 'stddev'),
});

interface ScaledDoc {
  name: string;
  aliases: string[];
  summary: string;
  formula: string;
  reference: string;
  lesson: InitializerEntry['lesson'];
  /** Fixed settings; `mode` may be overridden by a `mode` parameter where one is declared. */
  fixed: VarianceScaling;
  modeParam?: boolean;
}

/** One variance-scaling entry from its documentation and fixed (scale, mode, distribution). */
function scaled(doc: ScaledDoc): InitializerEntry {
  const settings = (p: Params): VarianceScaling => ({ ...doc.fixed, ...(doc.modeParam ? { mode: p.mode as VarianceScaling['mode'] } : {}) });
  return define({
    name: doc.name,
    aliases: doc.aliases,
    summary: doc.summary,
    distribution: doc.fixed.distribution === 'uniform' ? 'uniform' : 'truncatedNormal',
    formula: doc.formula,
    reference: doc.reference,
    lesson: doc.lesson,
    params: doc.modeParam ? z.object({ mode: z.enum(['fanIn', 'fanOut']).default('fanIn') }).strict() : none,
    sample: (p, req) => sampleVarianceScaling(settings(p), req.shape, req.rng),
    expectedStd: (p, req) => varianceScalingStd(settings(p), req.shape),
  });
}

export const glorotUniform = scaled({
  name: 'glorotUniform',
  aliases: ['xavier', 'glorot', 'xavierUniform'],
  summary: 'Uniform with variance 2 / (fanIn + fanOut).',
  formula: 'W ~ U(-a, a), a = sqrt(6 / (fanIn + fanOut)); Var = 2 / (fanIn + fanOut)',
  reference: GLOROT,
  lesson: {
    why: 'Keeps the variance of activations (forward, needs Var = 1/fanIn) and of gradients (backward, needs 1/fanOut) roughly constant across layers of a linear or tanh net; the harmonic compromise is 2 / (fanIn + fanOut).',
    suits: 'tanh, sigmoid, linear and softmax layers; the Keras default.',
    pitfalls: 'Derived for activations symmetric around 0 with slope 1: with ReLU, which zeroes half its input, the signal variance halves at every layer and deep ReLU nets stall (He et al. 2015, 30 layers).',
  },
  fixed: { scale: 1, mode: 'fanAvg', distribution: 'uniform' },
});

export const glorotNormal = scaled({
  name: 'glorotNormal',
  aliases: ['xavierNormal'],
  summary: 'Truncated normal with variance 2 / (fanIn + fanOut).',
  formula: 'W ~ truncated N(0, 2 / (fanIn + fanOut)), variance-corrected',
  reference: GLOROT,
  lesson: glorotUniform.lesson,
  fixed: { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' },
});

export const heNormal = scaled({
  name: 'heNormal',
  aliases: ['he', 'kaiming', 'kaimingNormal'],
  summary: 'Truncated normal with variance 2 / fanIn (also known as Kaiming normal).',
  formula: 'W ~ truncated N(0, 2 / fanIn), variance-corrected (mode fanOut: 2 / fanOut)',
  reference: HE,
  lesson: {
    why: 'A ReLU passes half of a symmetric input, so E[relu(x)^2] = Var(x) / 2; doubling the LeCun variance (gain sqrt(2)) keeps the pre-activation variance constant through any number of ReLU layers. Mode fanOut keeps the gradient variance constant instead.',
    suits: 'ReLU and its relatives (leaky ReLU, ELU, GELU), dense and conv.',
    pitfalls: 'Too large for tanh/sigmoid (saturation). The truncated normal must be variance-corrected: tfjs-layers 4.x is not, and its heNormal shrinks the signal 0.774x per layer.',
  },
  fixed: { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' },
  modeParam: true,
});

export const heUniform = scaled({
  name: 'heUniform',
  aliases: ['kaimingUniform'],
  summary: 'Uniform with variance 2 / fanIn.',
  formula: 'W ~ U(-a, a), a = sqrt(6 / fanIn); Var = 2 / fanIn (mode fanOut: 6 / fanOut)',
  reference: HE,
  lesson: heNormal.lesson,
  fixed: { scale: 2, mode: 'fanIn', distribution: 'uniform' },
  modeParam: true,
});

export const leCunNormal = scaled({
  name: 'leCunNormal',
  aliases: ['lecun'],
  summary: 'Truncated normal with variance 1 / fanIn.',
  formula: 'W ~ truncated N(0, 1 / fanIn), variance-corrected',
  reference: LECUN,
  lesson: {
    why: 'Makes each pre-activation a sum of fanIn terms with total variance equal to the input variance: the scale for units with slope 1 at the origin. With SELU, mean 0 and variance 1 become a stable fixed point (Klambauer et al. 2017, self-normalizing networks).',
    suits: 'SELU (the required init), linear and tanh nets.',
    pitfalls: 'Halves the signal per layer under ReLU, like Xavier on square layers.',
  },
  fixed: { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' },
});

export const leCunUniform = scaled({
  name: 'leCunUniform',
  aliases: [],
  summary: 'Uniform with variance 1 / fanIn.',
  formula: 'W ~ U(-a, a), a = sqrt(3 / fanIn); Var = 1 / fanIn',
  reference: LECUN,
  lesson: leCunNormal.lesson,
  fixed: { scale: 1, mode: 'fanIn', distribution: 'uniform' },
});

export const varianceScaling = define({
  name: 'varianceScaling',
  aliases: [],
  summary: 'The general family: variance scale / fan(mode), any distribution.',
  distribution: 'truncatedNormal | untruncatedNormal | uniform',
  formula: 'Var(W) = scale / fan, fan = fanIn | fanOut | (fanIn + fanOut) / 2',
  reference: HE,
  lesson: {
    why: 'Glorot, He and LeCun are all this formula with a particular scale and fan: scale = gain^2 of the activation, fan chosen to preserve the forward signal (fanIn), the backward gradient (fanOut) or a compromise (fanAvg).',
    suits: 'Any layer, once you know the gain of its activation.',
    pitfalls: 'scale is a variance factor, not a std: gain sqrt(2) is scale 2.',
  },
  params: z
    .object({
      scale: z.number().positive().default(1),
      mode: z.enum(['fanIn', 'fanOut', 'fanAvg']).default('fanIn'),
      distribution: z.enum(['truncatedNormal', 'untruncatedNormal', 'uniform']).default('truncatedNormal'),
    })
    .strict(),
  sample: (p, req) => sampleVarianceScaling(p as unknown as VarianceScaling, req.shape, req.rng),
  expectedStd: (p, req) => varianceScalingStd(p as unknown as VarianceScaling, req.shape),
});

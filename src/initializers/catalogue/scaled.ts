/**
 * Constants, fixed-scale random draws, and the variance-scaling family (Glorot, He, LeCun).
 * Each fan-scaled entry is data handed to the one sampler in ../variance.ts.
 */
import { z } from 'zod';
import { define, DRAW, FILL } from './define.js';
import type { InitializerEntry } from '../types.js';
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
  tradeoffs: {
    cost: FILL,
    shownBy: [
      { preset: 'symmetry.yaml', shows: 'every unit of a layer identical ("symmetric: 1 distinct unit/layer"), accuracy at chance' },
      { preset: 'residual.yaml', shows: 'as every kernel, skip connections do not break the symmetry: still chance' },
      { preset: 'residual.yaml', shows: 'as the last layer of each residual branch (he+zero-branch): every block starts as the identity, and it trains fastest there' },
    ],
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
  tradeoffs: {
    cost: FILL,
    shownBy: [{ preset: 'signal-tour.yaml', shows: 'symmetric units, and activations that overflow to non-finite values by layer 20 (probe)' }],
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
  tradeoffs: {
    cost: FILL,
    shownBy: [
      { preset: 'symmetry.yaml', shows: 'constant(0.01): one distinct unit per layer, learning as a net one unit wide' },
    ],
  },
  params: z.object({ value: z.number().default(0).describe('The value of every weight.') }).strict(),
  sample: (p, req) => constant(req.shape, p.value),
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
  tradeoffs: {
    cost: DRAW,
    shownBy: [
      { preset: 'default.yaml', shows: 'std 0.05 on a shallow net: trains, a little behind He and Xavier' },
      { preset: 'exploding.yaml', shows: 'std 1: an exploding signal and a huge first loss' },
      { preset: 'deep-tanh.yaml', shows: 'std 0.01 on 10 tanh layers: a vanishing signal, stuck near chance' },
    ],
  },
  params: z
    .object({
      mean: z.number().default(0).describe('Mean of the normal.'),
      stddev: z.number().positive().default(0.05).describe('Std of the normal, the same for every layer whatever its fan-in.'),
    })
    .strict(),
  sample: (p, req) => sampleNormal(req.shape, p.mean, p.stddev, req.rng),
  expectedStd: (p) => p.stddev,
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
  tradeoffs: {
    cost: DRAW,
    shownBy: [{ preset: 'signal-tour.yaml', shows: '20 ReLU layers: the signal vanishes (probe)' }],
  },
  params: z
    .object({
      minval: z.number().default(-0.05).describe('Lower end of the interval.'),
      maxval: z.number().default(0.05).describe('Upper end of the interval, greater than minval.'),
    })
    .strict()
    .refine((p) => p.maxval > p.minval, { message: 'maxval must be greater than minval' }),
  sample: (p, req) => sampleUniform(req.shape, p.minval, p.maxval, req.rng),
  expectedStd: (p) => (p.maxval - p.minval) / Math.sqrt(12),
});

/**
 * truncatedNormal(mean, stddev): `stddev` is the sigma of the normal before truncation, cut at
 * 2 stddev, as in Keras and tfjs (`TruncatedNormal`: "values more than two standard deviations
 * from the mean are discarded and re-drawn"). The samples' std is therefore 0.8796 * stddev. The
 * variance correction belongs to the variance-scaling family only. PyTorch's `trunc_normal_(mean,
 * std, a, b)` cuts at the absolute values a, b (default -2, 2), not at 2 std: torch:truncNormal.
 */
export const truncatedNormal = define({
  name: 'truncatedNormal',
  aliases: [],
  summary: 'Normal N(mean, stddev^2) cut at 2 stddev: the samples\' std is 0.88 stddev.',
  distribution: 'truncatedNormal',
  formula: `W ~ N(mean, stddev^2) redrawn outside mean +- 2 stddev; std = ${TRUNCATED_NORMAL_STD.toFixed(4)} stddev, variance = ${(TRUNCATED_NORMAL_STD ** 2).toFixed(4)} stddev^2`,
  reference: null,
  lesson: {
    why: `No weight lands far out in the tails, where a single large weight could dominate a unit: every |W - mean| is at most 2 stddev. Cutting at 2 sigma leaves a std of ${TRUNCATED_NORMAL_STD.toFixed(4)} stddev (variance ${(TRUNCATED_NORMAL_STD ** 2).toFixed(4)} stddev^2): \`init-bench inspect --init truncatedNormal --shape 1000,1000\` prints std 0.04397 (max 0.10000) for stddev 0.05.`,
    suits: 'As randomNormal, with bounded weights. heNormal, glorotNormal and leCunNormal use this distribution with sigma widened by 1/0.8796, so that their variance is the formula\'s.',
    pitfalls: `\`stddev\` is the std before truncation, as in Keras and tfjs: for a target std s, pass stddev = s / ${TRUNCATED_NORMAL_STD.toFixed(4)}. PyTorch's trunc_normal_ is not this: its cut points are the absolute values a, b (default -2, 2), so trunc_normal_(std=0.05) cuts at 40 std and has std 0.05, not 0.044 (\`init-bench list torch:truncNormal\`). The fixed scale ignores the fan-in, as randomNormal's does.`,
  },
  tradeoffs: {
    cost: 'one random draw per weight, redrawn when beyond 2 sigma (about 4.6% of draws)',
    shownBy: [{ preset: 'signal-tour.yaml', shows: 'std 0.05 on 20 ReLU layers: the signal vanishes (probe)' }],
  },
  params: z
    .object({
      mean: z.number().default(0).describe('Mean of the normal, and the centre of the cut.'),
      stddev: z.number().positive().default(0.05).describe(`Std (sigma) of the normal before truncation; the samples' std is ${TRUNCATED_NORMAL_STD.toFixed(4)} times it.`),
    })
    .strict(),
  sample: (p, req) => sampleTruncatedNormal(req.shape, p.mean, p.stddev, req.rng),
  expectedStd: (p) => TRUNCATED_NORMAL_STD * p.stddev,
});

interface ScaledDoc {
  name: string;
  aliases: string[];
  summary: string;
  formula: string;
  reference: string;
  lesson: InitializerEntry['lesson'];
  tradeoffs: InitializerEntry['tradeoffs'];
  /** Fixed settings; `mode` may be overridden by a `mode` parameter where one is declared. */
  fixed: VarianceScaling;
  modeParam?: boolean;
}

/** The fan that He's entries divide by, where the entry lets the user choose it. */
const modeParams = z
  .object({ mode: z.enum(['fanIn', 'fanOut']).default('fanIn').describe("The fan divided by: fanIn keeps the forward signal's variance, fanOut the backward gradient's.") })
  .strict();

/** One variance-scaling entry from its documentation and fixed (scale, mode, distribution). */
function scaled(doc: ScaledDoc): InitializerEntry {
  // Without a mode parameter the schema is `none`, which parses to {}: the fixed mode stays.
  const params: z.ZodType<{ mode?: VarianceScaling['mode'] }> = doc.modeParam ? modeParams : none;
  const settings = (p: { mode?: VarianceScaling['mode'] }): VarianceScaling => ({ ...doc.fixed, ...(p.mode ? { mode: p.mode } : {}) });
  return define({
    name: doc.name,
    aliases: doc.aliases,
    summary: doc.summary,
    distribution: doc.fixed.distribution === 'uniform' ? 'uniform' : 'truncatedNormal',
    formula: doc.formula,
    reference: doc.reference,
    lesson: doc.lesson,
    tradeoffs: doc.tradeoffs,
    params,
    sample: (p, req) => sampleVarianceScaling(settings(p), req, req.rng),
    expectedStd: (p, req) => varianceScalingStd(settings(p), req),
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
    suits: 'tanh, linear and softmax layers, where it was derived (slope 1 at 0); the Keras default. Deep tanh nets train from it (deep-tanh.yaml: 10 tanh layers). Not deep sigmoid nets: the sigmoid\'s slope is at most 1/4, so the gradient shrinks about 4x per layer whatever the weights\' variance, and 5 sigmoid layers stay at chance from it with momentum SGD in pretrain.yaml, in init-bench and in PyTorch.',
    pitfalls: 'Derived for activations symmetric around 0 with slope 1: with ReLU, which zeroes half its input, the signal variance halves at every layer and deep ReLU nets stall (He et al. 2015, 30 layers).',
  },
  tradeoffs: {
    cost: DRAW,
    shownBy: [
      { preset: 'deep-tanh.yaml', shows: '10 tanh layers: trains from the first epoch' },
      { preset: 'deep-relu.yaml', shows: '20 ReLU layers: the signal vanishes and training is slow (at chance after epoch 1, rising after)' },
      { preset: 'grid-depth.yaml', shows: 'falls behind He as ReLU nets get deeper' },
    ],
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
  tradeoffs: {
    cost: DRAW,
    shownBy: [{ preset: 'signal-tour.yaml', shows: '20 ReLU layers: the signal vanishes, as with glorotUniform (probe)' }],
  },
  fixed: { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' },
});

/**
 * What the probe measures for He off ReLU (20 hidden layers of 256, seed 0; PyTorch agrees over
 * seeds 0-9: 0.10% and 1.50% saturated, He's tanh pre-activation std 0.78 at layer 20).
 */
const HE_OFF_RELU =
  'Not made for tanh or sigmoid, but saturation is not what goes wrong at 20 layers of 256: `init-bench probe --init heNormal,orthogonal(gain=auto),glorotUniform --activation tanh --depth 20` measures at most 0.13% of He\'s tanh outputs saturated (|tanh| > 0.99; orthogonal with the recommended gain 5/3: 1.53%, Xavier 0.00%), while He\'s pre-activation std grows from 0.47 at layer 1 to 0.79 at layer 20 and Xavier\'s shrinks from 0.41 to 0.15. On sigmoid `init-bench probe --init heNormal,glorotUniform --activation sigmoid --depth 20` measures 0.00% saturated (outside 0.01..0.99) and a vanishing gradient under both (layer 1\'s kernel gradient norm 1e-10 under He, 8e-13 under Xavier): both inits show it, so it comes from the sigmoid\'s slope (at most 1/4), not from saturation. ' +
  'Nor for ELU: `init-bench probe --init heNormal,orthogonal(gain=auto),leCunNormal --activation elu --depth 20` measures He\'s pre-activation std growing from 0.47 to 2.61 (activation std x4.56, flagged as exploding), gain 1 (LeCun) letting it decay from 0.33 to 0.096, and `gain: auto` (1.2452, the gain that makes variance 1 a fixed point for ELU) bringing it from 0.42 towards 1 (0.83 at layer 20).';

export const heNormal = scaled({
  name: 'heNormal',
  aliases: ['he', 'kaiming', 'kaimingNormal'],
  summary: 'Truncated normal with variance 2 / fanIn (also known as Kaiming normal; PyTorch\'s kaiming_normal_ draws the same variance untruncated: torch:kaimingNormal).',
  formula: 'W ~ truncated N(0, 2 / fanIn), variance-corrected (mode fanOut: 2 / fanOut)',
  reference: HE,
  lesson: {
    why: 'A ReLU passes half of a symmetric input, so E[relu(x)^2] = Var(x) / 2; doubling the LeCun variance (gain sqrt(2)) keeps the pre-activation variance constant through any number of ReLU layers on average over draws of the weights. One draw wanders: a layer of finite width multiplies it by a random factor near 1, so over 20 layers of 256 the signal drifts (`init-bench probe --init heNormal --depth 20` measures activation std 0.280 at layer 1 and 0.194 at layer 20 on seed 0; over seeds 0-9, `init-bench probe --init heNormal --depth 20 --seed S`, layer 20\'s ranges from 0.148 to 0.555 while layer 1\'s stays within 0.266-0.297: the spread grows with depth over width, Hanin & Rolnick 2018, "How to Start Training"). Mode fanOut keeps the gradient variance constant instead.',
    suits: 'ReLU, and leaky ReLU with a small slope (its own gain is sqrt(2 / (1 + slope^2))), dense and conv. For ELU use a gain of 1.2452 (`orthogonal(gain=auto)`, or varianceScaling with scale 1.5505).',
    pitfalls: `${HE_OFF_RELU} The truncated normal must be variance-corrected: tfjs-layers 4.x's is not (\`init-bench list tfjs:heNormal\`).`,
  },
  tradeoffs: {
    cost: DRAW,
    shownBy: [
      { preset: 'deep-relu.yaml', shows: '20 ReLU layers: trains from epoch 1' },
      { preset: 'he-vs-xavier.yaml', shows: '4 ReLU layers: starts faster than Xavier' },
      { preset: 'residual.yaml', shows: 'in every residual branch: the signal grows with each block and training diverges' },
    ],
  },
  fixed: { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' },
  modeParam: true,
});

export const heUniform = scaled({
  name: 'heUniform',
  aliases: ['kaimingUniform'],
  summary: 'Uniform with variance 2 / fanIn.',
  formula: 'W ~ U(-a, a), a = sqrt(6 / fanIn); Var = 2 / fanIn (mode fanOut: a = sqrt(6 / fanOut), Var = 2 / fanOut)',
  reference: HE,
  lesson: {
    why: `${heNormal.lesson.why} A uniform on [-a, a] has variance a^2 / 3, so a = sqrt(6 / fanIn).`,
    suits: heNormal.lesson.suits,
    pitfalls: HE_OFF_RELU,
    },
  tradeoffs: {
    cost: DRAW,
    shownBy: [{ preset: 'signal-tour.yaml', shows: '20 ReLU layers: signal and gradients stay in range (probe)' }],
  },
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
  tradeoffs: {
    cost: DRAW,
    shownBy: [
      { preset: 'selu.yaml', shows: 'SELU: the activation std stays near 1 through 20 layers' },
    ],
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
  tradeoffs: {
    cost: DRAW,
    shownBy: [{ preset: 'signal-tour.yaml', shows: '20 ReLU layers: the signal vanishes (probe)' }],
  },
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
  tradeoffs: {
    cost: DRAW,
    shownBy: [{ preset: 'signal-tour.yaml', shows: 'scale 2 (He) on 20 ReLU layers: signal and gradients stay in range (probe)' }],
  },
  params: z
    .object({
      scale: z.number().positive().default(1).describe('Variance factor, Var(W) = scale / fan: the square of a gain (He: 2).'),
      mode: z.enum(['fanIn', 'fanOut', 'fanAvg']).default('fanIn').describe('The fan divided by: fanIn, fanOut, or their mean fanAvg.'),
      distribution: z
        .enum(['truncatedNormal', 'untruncatedNormal', 'uniform'])
        .default('truncatedNormal')
        .describe('truncatedNormal (cut at 2 sigma, sigma widened so the variance is the formula\'s), untruncatedNormal or uniform.'),
    })
    .strict(),
  sample: (p, req) => sampleVarianceScaling(p, req, req.rng),
  expectedStd: (p, req) => varianceScalingStd(p, req),
});

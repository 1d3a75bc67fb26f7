/**
 * tfjs's own initializers, exactly as @tensorflow/tfjs-layers 4.22 ships them, under a `tfjs:`
 * prefix, so users can see the difference. Each mirror has its own text, the parameters tfjs
 * really reads, and an expected std that says what tfjs does (read from tfjs-layers 4.22
 * `dist/initializers.js`); `promisedStd` is the std the name promises by docs/science.md, which
 * `inspect` prints beside it.
 *
 * Where tfjs differs from its name:
 * - heNormal, glorotNormal, leCunNormal: VarianceScaling with distribution 'normal', sampled as a
 *   normal truncated at 2 sigma with sigma = sqrt(scale / fan) and no correction, so the std is
 *   0.8796 sqrt(scale / fan) (variance 0.7737 scale / fan). That is the older Keras definition
 *   ("truncated normal ... with stddev = sqrt(scale / n)"); Keras now divides sigma by 0.8796 so
 *   the std "after truncation" is sqrt(scale / n) (keras `random_initializers.py`).
 * - They and the other VarianceScaling helpers take only a seed: no mode, no scale.
 * - randomUniform, randomNormal, truncatedNormal read their parameters with `||`, so 0 means
 *   "the default": randomUniform(minval=0, maxval=1) samples U(-0.05, 1).
 * - identity fills only square 2-D kernels; orthogonal needs tensor methods that only the
 *   umbrella @tensorflow/tfjs registers (see `registerTensorMethods`).
 */
import { z } from 'zod';
import { requireTfjs, withoutConsoleNoise } from '../../backend/tf.js';
import { deriveSeed } from '../../util/random.js';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { InitializerEntry, KernelRequest, Lesson, Params, ParamsSchema } from '../types.js';
import { TRUNCATED_NORMAL_STD, varianceScalingStd, type VarianceScaling } from '../variance.js';
import { gainParam, orthogonalStd, resolveGain } from './structured.js';

type Req = Omit<KernelRequest, 'rng'>;

/** One mirrored tfjs initializer: its name in `tf.initializers`, what tfjs reads, what it does. */
interface Mirror<S extends ParamsSchema = ParamsSchema> {
  name: string;
  summary: string;
  distribution: string;
  formula: string;
  lesson: Lesson;
  params: S;
  expectedStd(p: z.output<S>, req: Req): number | null;
  promisedStd?(p: z.output<S>, req: Req): number | null;
  gain?(p: z.output<S>, req: Req): number;
  orthogonal?: boolean;
}

/** A mirror with its parameters' types inferred from its schema (as `define` does for ours). */
const mirror = <S extends ParamsSchema>(m: Mirror<S>): Mirror => m;

const SOURCE = 'tfjs-layers 4.22 `dist/initializers.js`';
const none = z.object({}).strict();

/** The VarianceScaling helpers read only a seed: refuse, by name, what tfjs would silently ignore. */
const seedOnly = (name: string, ours: string): z.ZodType<Params> =>
  z
    .object({})
    .passthrough()
    .superRefine((p, ctx) => {
      for (const key of Object.keys(p)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `tfjs-layers' ${name} reads only a seed, so it would ignore it; init-bench's ${ours} takes mode` });
      }
    });

const C = TRUNCATED_NORMAL_STD.toFixed(4);
const C2 = (TRUNCATED_NORMAL_STD ** 2).toFixed(4);

/** tfjs reads these parameters as `args.x || default`: 0 (and only 0, here) becomes the default. */
const orDefault = (value: number, fallback: number) => value || fallback;

const SAME = (ours: string): string => `Same definition as init-bench's ${ours} (\`init-bench list ${ours}\`), sampled by tfjs's own random generator.`;

/** heNormal, glorotNormal, leCunNormal as tfjs samples them: truncated at 2 sigma, uncorrected. */
function uncorrected(name: string, ours: string, v: VarianceScaling, variance: string, measured: string, depth = ''): Mirror {
  return {
    name,
    summary: `tfjs-layers' ${name}: a normal truncated at 2 sigma with sigma^2 = ${variance} and no correction, so the std is ${C} of what ${ours} promises.`,
    distribution: 'truncatedNormal (uncorrected)',
    formula: `W ~ N(0, ${variance}) redrawn outside +-2 sigma; std = ${C} sqrt(${variance}), variance = ${C2} x ${variance} (${SOURCE}: VarianceScaling, distribution 'normal')`,
    lesson: {
      why: `tfjs-layers' ${name} is VarianceScaling with distribution 'normal', which tfjs samples as a truncated normal whose sigma is sqrt(${variance}) before truncation. Cutting at 2 sigma leaves a std of ${C} sigma, so the variance is ${C2} x ${variance}: the older Keras definition; Keras now widens sigma by 1/${C} so the std after truncation is the formula's. ${measured}`,
      suits: `Seeing what a model built with tfjs-layers' default ${name} starts from. For the variance the name promises, use init-bench's ${ours}.`,
      pitfalls: `Every layer gets ${C2}x the variance ${ours} gives it, so the signal's std shrinks by up to ${C} per layer where ${ours} would keep it.${depth} tfjs's ${name} reads only a seed: init-bench rejects a mode rather than let tfjs ignore it.`,
    },
    params: seedOnly(name, ours),
    expectedStd: (_p, req) => TRUNCATED_NORMAL_STD * varianceScalingStd(v, { shape: req.shape }),
    promisedStd: (_p, req) => varianceScalingStd(v, { shape: req.shape }),
  };
}

/** glorotUniform, heUniform, leCunUniform: tfjs samples U(-a, a), a = sqrt(3 scale / fan), as promised. */
function uniform(name: string, ours: string, v: VarianceScaling, variance: string): Mirror {
  return {
    name,
    summary: `tfjs-layers' ${name}: U(-a, a) with variance ${variance}, as the name promises.`,
    distribution: 'uniform',
    formula: `W ~ U(-a, a), a = sqrt(3 x ${variance}); Var = ${variance} (${SOURCE}: VarianceScaling, distribution 'uniform')`,
    lesson: {
      why: `${SAME(ours)} Uniform draws need no truncation, so tfjs's variance is the formula's.`,
      suits: `As ${ours}.`,
      pitfalls: `tfjs's ${name} reads only a seed: init-bench rejects a mode rather than let tfjs ignore it.`,
    },
    params: seedOnly(name, ours),
    expectedStd: (_p, req) => varianceScalingStd(v, { shape: req.shape }),
  };
}

const MIRRORS: Mirror[] = [
  mirror({
    name: 'zeros', summary: "tfjs-layers' zeros: all weights 0.", distribution: 'constant', formula: 'W = 0',
    lesson: { why: SAME('zeros'), suits: 'As zeros.', pitfalls: 'As zeros: symmetric units.' },
    params: none, expectedStd: () => null,
  }),
  mirror({
    name: 'ones', summary: "tfjs-layers' ones: all weights 1.", distribution: 'constant', formula: 'W = 1',
    lesson: { why: SAME('ones'), suits: 'As ones.', pitfalls: 'As ones: symmetric units.' },
    params: none, expectedStd: () => null,
  }),
  mirror({
    name: 'constant', summary: "tfjs-layers' constant: all weights equal to `value`.", distribution: 'constant', formula: 'W = value',
    lesson: { why: SAME('constant'), suits: 'As constant.', pitfalls: 'tfjs requires `value`; init-bench passes 0 when none is given.' },
    params: z.object({ value: z.number().default(0).describe('The value of every weight (tfjs requires one; 0 when none is given).') }).strict(), expectedStd: () => null,
  }),
  mirror({
    name: 'randomNormal',
    summary: "tfjs-layers' randomNormal: N(mean, stddev^2).",
    distribution: 'normal',
    formula: `W ~ N(mean, stddev^2) (${SOURCE}: RandomNormal; mean 0 or stddev 0 mean the defaults 0 and 0.05)`,
    lesson: { why: SAME('randomNormal'), suits: 'As randomNormal.', pitfalls: 'tfjs reads stddev as `args.stddev || 0.05`: stddev 0 gives 0.05 (init-bench accepts only stddev > 0 anyway).' },
    params: z
      .object({
        mean: z.number().default(0).describe('Mean of the normal.'),
        stddev: z.number().positive().default(0.05).describe('Std of the normal (tfjs reads `stddev || 0.05`).'),
      })
      .strict(),
    expectedStd: (p) => orDefault(p.stddev, 0.05),
  }),
  mirror({
    name: 'randomUniform',
    summary: "tfjs-layers' randomUniform: U(minval, maxval), where 0 means the default (-0.05 or 0.05).",
    distribution: 'uniform',
    formula: `W ~ U(minval || -0.05, maxval || 0.05) (${SOURCE}: RandomUniform reads its bounds with \`||\`)`,
    lesson: {
      why: `${SAME('randomUniform')} Except for one thing: tfjs reads the bounds as \`args.minval || -0.05\` and \`args.maxval || 0.05\`, so a bound of 0 becomes the default.`,
      suits: 'As randomUniform, with bounds other than 0.',
      pitfalls: 'randomUniform(minval=0, maxval=1) samples U(-0.05, 1), not U(0, 1): `init-bench inspect --init tfjs:randomUniform(minval=0,maxval=1) --shape 1000,1000` prints min -0.05000, std 0.30297, promised 0.28868 for the interval asked and expected 0.30311 for the one tfjs samples.',
    },
    params: z
      .object({
        minval: z.number().default(-0.05).describe('Lower end of the interval; tfjs reads 0 as -0.05.'),
        maxval: z.number().default(0.05).describe('Upper end of the interval; tfjs reads 0 as 0.05.'),
      })
      .strict()
      .refine((p) => orDefault(p.maxval, 0.05) > orDefault(p.minval, -0.05), { message: 'maxval must be greater than minval (tfjs reads a bound of 0 as -0.05 or 0.05)' }),
    expectedStd: (p) => (orDefault(p.maxval, 0.05) - orDefault(p.minval, -0.05)) / Math.sqrt(12),
    promisedStd: (p) => (p.maxval - p.minval) / Math.sqrt(12),
  }),
  mirror({
    name: 'truncatedNormal',
    summary: "tfjs-layers' truncatedNormal: N(mean, stddev^2) cut at 2 stddev.",
    distribution: 'truncatedNormal',
    formula: `W ~ N(mean, stddev^2) redrawn outside mean +- 2 stddev; std = ${C} stddev (${SOURCE}: TruncatedNormal)`,
    lesson: {
      why: `${SAME('truncatedNormal')} stddev is the sigma before truncation in both, cut at 2 stddev as in Keras, so the std is ${C} stddev. PyTorch's trunc_normal_ cuts at absolute values instead (\`init-bench list torch:truncNormal\`).`,
      suits: 'As truncatedNormal.',
      pitfalls: 'tfjs reads stddev as `args.stddev || 0.05`: stddev 0 gives 0.05 (init-bench accepts only stddev > 0 anyway).',
    },
    params: z
      .object({
        mean: z.number().default(0).describe('Mean of the normal, and the centre of the cut.'),
        stddev: z.number().positive().default(0.05).describe(`Std (sigma) of the normal before truncation; the samples' std is ${C} times it.`),
      })
      .strict(),
    expectedStd: (p) => TRUNCATED_NORMAL_STD * orDefault(p.stddev, 0.05),
  }),
  uncorrected('glorotNormal', 'glorotNormal', { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' }, '2 / (fanIn + fanOut)',
    '`init-bench inspect --init tfjs:glorotNormal --shape 1000,500` prints std 0.03213 (expected 0.03212 by tfjs\'s formula, promised 0.03651 by glorotNormal\'s).'),
  uniform('glorotUniform', 'glorotUniform', { scale: 1, mode: 'fanAvg', distribution: 'uniform' }, '2 / (fanIn + fanOut)'),
  uncorrected('heNormal', 'heNormal', { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' }, '2 / fanIn',
    '`init-bench inspect --init tfjs:heNormal --shape 1000,1000` prints std 0.03938 (expected 0.03934 by tfjs\'s formula, promised 0.04472 by heNormal\'s).',
    ' On 20 ReLU layers of 256, `init-bench probe --init heNormal,tfjs:heNormal --depth 20` measures an activation std of 0.194 for heNormal and 0.027 for tfjs:heNormal at layer 20, 7.2 times smaller.'),
  uniform('heUniform', 'heUniform', { scale: 2, mode: 'fanIn', distribution: 'uniform' }, '2 / fanIn'),
  uncorrected('leCunNormal', 'leCunNormal', { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' }, '1 / fanIn',
    '`init-bench inspect --init tfjs:leCunNormal --shape 1000,1000` prints std 0.02784 (expected 0.02782 by tfjs\'s formula, promised 0.03162 by leCunNormal\'s).'),
  uniform('leCunUniform', 'leCunUniform', { scale: 1, mode: 'fanIn', distribution: 'uniform' }, '1 / fanIn'),
  mirror({
    name: 'orthogonal',
    summary: "tfjs-layers' orthogonal: a random orthogonal matrix times gain, by tfjs's own QR.",
    distribution: 'orthogonal',
    formula: `W = gain * Q, Q from the QR of an N(0,1) matrix, kernel seen as [prod(shape[:-1]), shape[-1]] (${SOURCE}: Orthogonal)`,
    lesson: {
      why: `${SAME('orthogonal')} \`gain: auto\` is init-bench's addition (the activation's gain); tfjs takes a number.`,
      suits: 'As orthogonal.',
      pitfalls: 'tfjs warns that it is slow above 2000 entries: its QR runs as tfjs ops, where init-bench\'s runs in Float64Array.',
    },
    params: z.object({ gain: gainParam }).strict(),
    expectedStd: orthogonalStd,
    gain: resolveGain,
    orthogonal: true,
  }),
  mirror({
    name: 'identity',
    summary: "tfjs-layers' identity: gain times the identity, square 2-D kernels only.",
    distribution: 'constant',
    formula: `W = gain * I; square 2-D kernels only (${SOURCE}: Identity)`,
    lesson: {
      why: `${SAME('identity')} On square dense kernels only.`,
      suits: 'As identity, where every layer is square.',
      pitfalls: 'tfjs refuses non-square and conv kernels, which init-bench\'s identity (and dirac) fill.',
    },
    params: z.object({ gain: gainParam }).strict(),
    expectedStd: () => null,
    gain: resolveGain,
  }),
];

/**
 * tfjs-layers' Orthogonal calls tensor methods (`t.flatten()`, ...) that tfjs-core's Node bundle
 * leaves unregistered: the umbrella @tensorflow/tfjs registers them all, and init-bench depends on
 * the parts instead. Each is defined here through the functional op of the same name.
 */
function registerTensorMethods(tf: typeof import('@tensorflow/tfjs-core')): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const methods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
    flatten() { return tf.reshape(this, [this.size]); },
    reshape(shape: number[]) { return tf.reshape(this, shape); },
    sign() { return tf.sign(this); },
    transpose(perm?: number[]) { return tf.transpose(this, perm); },
    stridedSlice(begin: number[], end: number[], strides: number[]) { return tf.stridedSlice(this, begin, end, strides); },
  };
  for (const [name, fn] of Object.entries(methods)) if (typeof proto[name] !== 'function') proto[name] = fn;
}

function mirrorEntry(m: Mirror): InitializerEntry {
  return {
    name: `tfjs:${m.name}`,
    aliases: [],
    summary: m.summary,
    distribution: m.distribution,
    formula: m.formula,
    reference: `${SOURCE} (read there: what tfjs does, not what the paper says)`,
    lesson: m.lesson,
    tradeoffs: {
      cost: m.name === 'orthogonal' ? "tfjs's own QR per layer (it warns that large kernels are slow)" : 'one draw per weight by tfjs-layers',
      shownBy: m.name === 'heNormal' ? [{ preset: 'deep-relu.yaml', shows: "tfjs's heNormal beside ours on 20 ReLU layers" }] : [],
    },
    params: m.params,
    async sample(params, req) {
      // tfjs-layers' initializers are used only here (backend/select.ts loads the package for its gradients).
      const tf = requireTfjs<typeof import('@tensorflow/tfjs-core')>('@tensorflow/tfjs-core');
      const layers = requireTfjs<typeof import('@tensorflow/tfjs-layers')>('@tensorflow/tfjs-layers');
      registerTensorMethods(tf);
      // tfjs treats seed 0 as "no seed": derive a non-zero one from our stream.
      const seed = (deriveSeed(req.rng.nextUint32(), 'tfjs') % 2147483646) + 1;
      const config: Record<string, unknown> = { ...params, seed };
      if (m.gain) config.gain = m.gain(params, req);
      const make = (layers.initializers as unknown as Record<string, (c: unknown) => { apply(shape: number[]): Tensor }>)[m.name];
      // tfjs warns on stderr that its orthogonal is slow for large kernels; we know.
      const tensor = await withoutConsoleNoise(async () => make(config).apply(req.shape));
      const values = (await tensor.data()) as Float32Array;
      tensor.dispose();
      return values;
    },
    expectedStd: m.expectedStd,
    ...(m.promisedStd ? { promisedStd: m.promisedStd } : {}),
    ...(m.gain ? { gain: m.gain } : {}),
    ...(m.orthogonal ? { orthogonal: true } : {}),
    tfjs: true,
    framework: 'tfjs',
    dataDependent: undefined,
  };
}

/** The `tfjs:` entries. `_ours` (our entry by name) is kept for the registry's call. */
export function tfjsEntries(_ours?: (name: string) => InitializerEntry): InitializerEntry[] {
  return MIRRORS.map(mirrorEntry);
}

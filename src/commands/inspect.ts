/**
 * `init-bench inspect --init NAME --shape A,B[,C,D]`: sample one kernel and compare its
 * statistics with the entry's formula.
 */
import { numberList } from '../config/flags.js';
import { ConfigError, UserError } from '../errors.js';
import { ACTIVATIONS, type Activation } from '../initializers/gain.js';
import { computeFans } from '../initializers/fans.js';
import { orthogonalityError, orthogonalityProduct } from '../initializers/linalg.js';
import { entryOf, resolveInit } from '../initializers/registry.js';
import { matrixShape } from '../initializers/fans.js';
import type { InitializerEntry, KernelRequest, OrthogonalBlock } from '../initializers/types.js';
import { num } from '../report/format.js';
import { deriveSeed, Rng } from '../util/random.js';
import { parseInitFlag } from '../config/flags.js';

export interface InspectOptions {
  init?: string;
  shape?: string;
  seed?: string;
  gain?: string;
  activation?: string;
  json?: boolean;
}

export interface KernelStats {
  init: string;
  shape: number[];
  seed: number;
  fanIn: number;
  fanOut: number;
  mean: number;
  std: number;
  expectedStd: number | null;
  stdRatio: number | null;
  /** tfjs: mirrors that differ from their name: the std the name promises, and std over it. */
  promisedStd: number | null;
  promisedRatio: number | null;
  min: number;
  max: number;
  zeroFraction: number;
  gain: number | null;
  /** max |M - gain^2 I| over the orthogonal part, M its W^T W or W W^T (see `orthogonalityOf`). */
  orthogonalityError: number | null;
  /** What orthogonalityError measured, e.g. "W W^T of the centre tap [16, 32]". */
  orthogonalityOf: string | null;
  histogram: { edges: number[]; counts: number[] };
}

export async function inspectCommand(opts: InspectOptions): Promise<number> {
  const { spec, shape, seed, activation } = parseOptions(opts);
  const entry = entryOf(spec);
  if (entry.dataDependent) {
    throw new UserError(`${entry.name} is data-dependent: its weights depend on a training batch, so it cannot be sampled alone; see it at work with \`init-bench probe --init ${entry.name}\` or \`init-bench run --init ${entry.name}\``);
  }
  if (entry.tfjs) await (await import('../backend/select.js')).startBackend('auto');
  const req: KernelRequest = { shape, rng: new Rng(deriveSeed(seed, 'weights', 0)), activation, leakySlope: 0.01, kind: 'dense' };
  let values: Float32Array;
  try {
    values = await entry.sample(spec.params, req);
  } catch (err) {
    throw new UserError(`${entry.name} cannot fill a ${shape.join('x')} kernel: ${(err as Error).message}`);
  }
  const stats = kernelStats(values, shape, seed, spec.label, entry.expectedStd(spec.params, req), entry.gain?.(spec.params, req) ?? null, orthogonalPart(entry, shape), entry.promisedStd?.(spec.params, req) ?? null);
  process.stdout.write(opts.json ? `${JSON.stringify(stats, null, 2)}\n` : `${render(stats)}\n`);
  return 0;
}

function parseOptions(opts: InspectOptions) {
  const problems: string[] = [];
  if (!opts.init) problems.push('--init NAME is required');
  const shape = numberList(opts.shape ?? '');
  if (!opts.shape) problems.push('--shape is required, e.g. --shape 784,256 (dense) or 3,3,16,32 (conv)');
  else if (shape.length < 2 || shape.length > 4 || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)) {
    problems.push(`--shape ${opts.shape} must be 2 to 4 whole numbers >= 1, e.g. 784,256 or 3,3,16,32`);
  }
  const seed = opts.seed === undefined ? 0 : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0) problems.push(`--seed ${opts.seed} must be a whole number >= 0`);
  const activation = (opts.activation ?? 'relu') as Activation;
  if (!ACTIVATIONS.includes(activation)) problems.push(`--activation ${opts.activation} must be one of ${ACTIVATIONS.join(', ')}`);
  let spec = null;
  if (opts.init) {
    const input = parseInitFlag(opts.init);
    const withGain = opts.gain === undefined ? input : { ...(typeof input === 'string' ? { name: input } : input), gain: opts.gain === 'auto' ? 'auto' : Number(opts.gain) };
    const r = resolveInit(withGain, '--init');
    if (Array.isArray(r)) problems.push(...r);
    else spec = r;
  }
  if (problems.length || !spec) throw new ConfigError(problems, 'cannot inspect');
  return { spec, shape: shape as number[], seed, activation };
}

/** The block whose orthogonality an orthogonal-type entry promises; null for other entries. */
function orthogonalPart(entry: InitializerEntry, shape: number[]): OrthogonalBlock | null {
  if (!entry.orthogonal) return null;
  if (entry.orthogonalBlock) return entry.orthogonalBlock(shape);
  const [rows, cols] = matrixShape(shape);
  return { offset: 0, rows, cols, where: `kernel as [${rows}, ${cols}]` };
}

export function kernelStats(
  values: Float32Array,
  shape: number[],
  seed: number,
  init: string,
  expectedStd: number | null,
  gain: number | null,
  orthogonal: OrthogonalBlock | null,
  promisedStd: number | null = null,
): KernelStats {
  let sum = 0;
  let sum2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (const v of values) {
    sum += v;
    sum2 += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  const mean = sum / values.length;
  const std = Math.sqrt(Math.max(0, sum2 / values.length - mean * mean));
  const { fanIn, fanOut } = computeFans(shape);
  return {
    init,
    shape,
    seed,
    fanIn,
    fanOut,
    mean,
    std,
    expectedStd,
    stdRatio: expectedStd ? std / expectedStd : null,
    promisedStd,
    promisedRatio: promisedStd ? std / promisedStd : null,
    min,
    max,
    zeroFraction: zeros / values.length,
    gain,
    orthogonalityError: orthogonal
      ? orthogonalityError(values.subarray(orthogonal.offset, orthogonal.offset + orthogonal.rows * orthogonal.cols), orthogonal.rows, orthogonal.cols, gain ?? 1)
      : null,
    orthogonalityOf: orthogonal ? `${orthogonalityProduct(orthogonal.rows, orthogonal.cols)} of the ${orthogonal.where}` : null,
    histogram: histogram(values, min, max, 15),
  };
}

function histogram(values: Float32Array, min: number, max: number, bins: number): { edges: number[]; counts: number[] } {
  const width = max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => min + i * width), counts };
}

function render(s: KernelStats): string {
  const peak = Math.max(...s.histogram.counts);
  const bars = s.histogram.counts.map((c, i) => {
    const lo = s.histogram.edges[i];
    const bar = '#'.repeat(Math.round((40 * c) / peak));
    return `  ${num(lo, 4).padStart(9)} | ${bar}${c && !bar ? '.' : ''} ${c}`;
  });
  const lines = [
    `${s.init} on a ${s.shape.join('x')} kernel (seed ${s.seed})`,
    `  fanIn ${s.fanIn}, fanOut ${s.fanOut}${s.gain !== null ? `, gain ${num(s.gain, 4)}` : ''}`,
    `  mean      ${num(s.mean, 5)}`,
    `  std       ${num(s.std, 5)}${s.expectedStd !== null ? `   expected ${num(s.expectedStd, 5)}   ratio ${num(s.stdRatio, 4)}` : ''}`,
    ...(s.promisedStd !== null ? [`  the name promises std ${num(s.promisedStd, 5)}: ratio ${num(s.promisedRatio, 4)} (\`init-bench list ${s.init.replace(/\(.*$/, '')}\` says why)`] : []),
    `  min, max  ${num(s.min, 5)}, ${num(s.max, 5)}`,
    `  zeros     ${(100 * s.zeroFraction).toFixed(2)}%`,
  ];
  if (s.orthogonalityError !== null) lines.push(`  max |M - gain^2 I| = ${s.orthogonalityError.toExponential(2)}, M = ${s.orthogonalityOf}`);
  return [...lines, '', ...bars].join('\n');
}

/**
 * The variance-scaling sampler that every fan-scaled initializer is data over (as in Keras's
 * `VarianceScaling`): variance = scale / fan(mode), drawn from one of three distributions.
 */
import type { Rng } from '../util/random.js';
import { fanFor, fansOf, sizeOf, type FanMode, type Fans } from './fans.js';

export type ScaledDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

export interface VarianceScaling {
  scale: number;
  mode: FanMode;
  distribution: ScaledDistribution;
}

/**
 * Std of a standard normal truncated to [-2, 2]. A normal truncated at 2 sigma has this std
 * times sigma, so to keep the requested variance we sample with sigma / this constant
 * (Keras `random_initializers.py`; tfjs-layers 4.x omits the correction, see docs/science.md).
 */
export const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/** What the sampler needs of a kernel request: the shape to fill, and the layer's fans where they are not the shape's (a bias). */
export interface Target {
  shape: readonly number[];
  fans?: Fans;
}

export function varianceScalingStd(v: VarianceScaling, target: Target): number {
  return Math.sqrt(v.scale / fanFor(fansOf(target), v.mode));
}

export function sampleVarianceScaling(v: VarianceScaling, target: Target, rng: Rng): Float32Array {
  const std = varianceScalingStd(v, target);
  const shape = target.shape;
  if (v.distribution === 'uniform') return sampleUniform(shape, -std * Math.sqrt(3), std * Math.sqrt(3), rng);
  if (v.distribution === 'untruncatedNormal') return sampleNormal(shape, 0, std, rng);
  return sampleTruncatedNormal(shape, 0, std / TRUNCATED_NORMAL_STD, rng);
}

export function sampleNormal(shape: readonly number[], mean: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** Normal with the given sigma, redrawn outside +-2 sigma (the result's std is 0.88 sigma). */
export function sampleTruncatedNormal(shape: readonly number[], mean: number, sigma: number, rng: Rng): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = mean + sigma * rng.truncatedNormal(2);
  return out;
}

export function sampleUniform(shape: readonly number[], min: number, max: number, rng: Rng): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = min + (max - min) * rng.uniform();
  return out;
}

export function constant(shape: readonly number[], value: number): Float32Array {
  return new Float32Array(sizeOf(shape)).fill(value);
}

/**
 * Fills a model's kernels from an initializer: each layer draws from its own seed derived from
 * the trial seed and the layer index, so two same-shaped layers get different weights and the
 * same trial always gets the same ones.
 */
import { deriveSeed, Rng } from '../util/random.js';
import { entryOf, type InitSpec } from '../initializers/registry.js';
import type { KernelRequest } from '../initializers/types.js';
import { layerPlan, type Architecture } from './mlp.js';

export interface SampledKernels {
  kernels: Float32Array[];
  /** The gain applied per layer, where the initializer has one. */
  gains: (number | null)[];
}

export async function sampleKernels(arch: Architecture, spec: InitSpec, seed: number): Promise<SampledKernels> {
  const entry = entryOf(spec);
  const kernels: Float32Array[] = [];
  const gains: (number | null)[] = [];
  for (const [i, plan] of layerPlan(arch).entries()) {
    const req: KernelRequest = {
      shape: plan.shape,
      rng: new Rng(deriveSeed(seed, 'weights', i)),
      activation: plan.activation,
      leakySlope: arch.leakySlope,
      kind: plan.kind,
    };
    kernels.push(await entry.sample(spec.params, req));
    gains.push(entry.gain ? entry.gain(spec.params, req) : null);
  }
  return { kernels, gains };
}

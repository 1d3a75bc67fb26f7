/**
 * Fills a model's kernels from an initializer: each layer draws from its own seed derived from
 * the trial seed and the layer index, so two same-shaped layers get different weights and the
 * same trial always gets the same ones.
 */
import { deriveSeed, Rng } from '../util/random.js';
import { entryOf, kernelFor, type InitSpec, type KernelSpec } from '../initializers/registry.js';
import type { KernelRequest } from '../initializers/types.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import type { DataDependentContext } from '../initializers/types.js';
import { activate, forward, type Model } from './network.js';
import { layerPlan, type Architecture, type LayerPlan } from './plan.js';

export interface SampledKernels {
  kernels: Float32Array[];
  /** Per layer; null where the bias initializer is zeros (the default). */
  biases: (Float32Array | null)[];
  /** The gain applied per layer, where the initializer has one. */
  gains: (number | null)[];
}

export async function sampleKernels(arch: Architecture, spec: InitSpec, seed: number): Promise<SampledKernels> {
  const kernels: Float32Array[] = [];
  const biases: (Float32Array | null)[] = [];
  const gains: (number | null)[] = [];
  for (const [i, plan] of layerPlan(arch).entries()) {
    const authored = plan.file && !('unsupported' in plan.file.init.kernel) ? authoredSpec(plan, 'kernel') : undefined;
    const req: KernelRequest = {
      shape: plan.shape,
      rng: new Rng(deriveSeed(seed, 'weights', i)),
      activation: plan.activation,
      leakySlope: arch.leakySlope,
      kind: plan.kind,
      ...(plan.residual ? { residual: plan.residual } : {}),
      ...(authored ? { authored } : {}),
    };
    const kernel = kernelOf(spec, plan);
    const entry = entryOf(kernel);
    kernels.push(await entry.sample(kernel.params, req));
    gains.push(entry.gain ? entry.gain(kernel.params, req) : null);
    // A model file's layer without a bias keeps 0; under `file`, biases follow the file's bias_initializer.
    const bias = plan.file?.useBias === false ? undefined : (spec.bias ?? (spec.name === FILE_ENTRY && plan.file ? authoredSpec(plan, 'bias') : undefined));
    const biasReq = { ...req, shape: [plan.shape[plan.shape.length - 1]], rng: new Rng(deriveSeed(seed, 'bias', i)) };
    biases.push(bias ? await entryOf(bias).sample(bias.params, biasReq) : null);
  }
  return { kernels, biases, gains };
}

/** The catalogue entry that stands for a model file's own initializers. */
export const FILE_ENTRY = 'file';

/**
 * The initializer a model file's author gave a layer's kernel or bias, its parameters completed
 * with the entry's defaults; an Error (config validation refuses it first) where it has no
 * catalogue counterpart or its parameters are out of range.
 */
export function authoredSpec(plan: Pick<LayerPlan, 'name' | 'file'>, what: 'kernel' | 'bias'): KernelSpec {
  const init = plan.file!.init[what];
  if ('unsupported' in init) throw new Error(`layer ${plan.name}: the file's ${what} initializer (${init.unsupported}) has no counterpart in the catalogue`);
  const parsed = entryOf(init).params.safeParse(init.params);
  if (!parsed.success) throw new Error(`layer ${plan.name}: the file's ${what} initializer ${init.name} has parameters out of range (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return { name: init.name, params: parsed.data };
}

/**
 * The kernel initializer of one layer: its kind's, and for the last layer of a residual branch
 * without a `residualOut` initializer, that of its op (dense or conv), then the main one.
 */
export function kernelOf(spec: InitSpec, plan: Pick<LayerPlan, 'kind' | 'op'>): KernelSpec {
  if (plan.kind === 'residualOut') return spec.layers?.residualOut ?? kernelFor(spec, plan.op);
  return kernelFor(spec, plan.kind);
}

/** What a data-dependent initializer recorded, under its report key (e.g. `lsuv`). */
export interface DataDependentReport {
  key: string;
  report: Record<string, unknown>;
}

/**
 * The one hook for data-dependent initializers (LSUV, ...): once the model is built from the
 * sampled kernels, the initializer's own step refines them on training images. Undefined when
 * the initializer needs no data.
 */
export async function refineWithData(
  tf: Tf,
  model: Model,
  spec: InitSpec,
  data: Pick<DataDependentContext, 'batch' | 'trainingImages' | 'optimizer'>,
  seed: number,
  signal?: AbortSignal,
): Promise<DataDependentReport | undefined> {
  const hook = entryOf(spec).dataDependent;
  if (!hook) return undefined;
  const report = await hook.run(spec.params, {
    tf,
    layers: model.layers,
    batch: data.batch,
    trainingImages: data.trainingImages,
    optimizer: data.optimizer,
    activate: (x, activation) => activate(tf, x, activation, model.arch.leakySlope),
    forward: (x, upTo) => forward(tf, model, x, 'probe', upTo),
    seed,
    leakySlope: model.arch.leakySlope,
    ...(signal ? { signal } : {}),
  });
  return { key: hook.reportKey, report };
}

/**
 * What the first layer's initializers promise about its pre-activation, before any data-dependent
 * step: for z = x W + b with zero-mean weights independent of the input,
 *   E[z^2] = fanIn E[x^2] Var(W) + E[b^2]
 * (each unit sums fanIn products x_i W_i; docs/science.md, "Signal propagation"), where Var(W) is
 * the kernel initializer's expected std squared and E[b^2] the bias initializer's (its expected std
 * squared plus its mean squared; a constant bias, its value squared). For a conv layer E[x^2] is
 * that of the image's pixels, which valid patches only approximate. The probe compares this with
 * the measured first-layer pre-activation: a scale far from the promise is a bias or a kernel
 * filled at a scale its formula does not give (as a bias sampled with fan-in 1 was).
 */
import { computeFans } from '../initializers/fans.js';
import { entryOf, type InitSpec } from '../initializers/registry.js';
import { kernelOf } from '../model/init.js';
import { layerPlan, type Architecture } from '../model/plan.js';

export interface PreActivationPromise {
  /** sqrt(fanIn E[x^2] Var(W) + E[b^2]). */
  std: number;
  /** The terms, for the message. */
  fanIn: number;
  inputMeanSquare: number;
  weightStd: number;
  biasMeanSquare: number;
}

/**
 * The promise for layer 1, or null where there is none to check: batch norm after the product
 * (it rescales z), a data-dependent initializer (it rescales W after sampling), a kernel whose
 * entry has no expected std (constants, identities) or a non-zero weight mean.
 * `sampledBias`: the bias the layer got, for a constant bias initializer (no expected std).
 */
export function firstLayerPromise(spec: InitSpec, arch: Architecture, inputMeanSquare: number, sampledBias: Float32Array | null): PreActivationPromise | null {
  const plan = layerPlan(arch)[0];
  if (!plan || plan.batchNorm) return null;
  const kernel = kernelOf(spec, plan);
  const entry = entryOf(kernel);
  if (entry.dataDependent || entryOf(spec).dataDependent) return null;
  const req = { shape: plan.shape, activation: plan.activation, leakySlope: arch.leakySlope, kind: plan.kind };
  const weightStd = entry.expectedStd(kernel.params, req);
  const weightMean = typeof kernel.params.mean === 'number' ? kernel.params.mean : 0;
  if (weightStd === null || weightMean !== 0) return null;
  const biasSpec = spec.bias ?? (entry.ownsBias ? kernel : undefined);
  let biasMeanSquare = 0;
  if (biasSpec) {
    const biasEntry = entryOf(biasSpec);
    const biasStd = biasEntry.expectedStd(biasSpec.params, { ...req, shape: [plan.shape[plan.shape.length - 1]], fans: computeFans(plan.shape) });
    const biasMean = typeof biasSpec.params.mean === 'number' ? biasSpec.params.mean : 0;
    if (biasStd !== null) biasMeanSquare = biasStd * biasStd + biasMean * biasMean;
    else if (sampledBias) biasMeanSquare = sampledBias.reduce((a, v) => a + v * v, 0) / Math.max(1, sampledBias.length);
  }
  const fanIn = computeFans(plan.shape).fanIn;
  return { std: Math.sqrt(fanIn * inputMeanSquare * weightStd * weightStd + biasMeanSquare), fanIn, inputMeanSquare, weightStd, biasMeanSquare };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assess } from '../../src/diagnostics/assess.js';
import type { LayerStats } from '../../src/diagnostics/layers.js';
import { firstLayerPromise } from '../../src/diagnostics/promise.js';
import { resolveInit, type InitSpec } from '../../src/initializers/registry.js';
import type { Architecture } from '../../src/model/plan.js';

const spec = (input: Parameters<typeof resolveInit>[0]) => resolveInit(input, 'test') as InitSpec;
const arch: Architecture = {
  kind: 'mlp', height: 28, width: 28, classes: 10, hidden: [256, 128], conv: { filters: [], kernelSize: 3, pool: 2, padding: 'valid' },
  activation: 'relu', leakySlope: 0.01, batchNorm: false, batchNormMomentum: 0.99, dropout: 0, residual: false, blockDepth: 2,
};
const MS = 0.1; // E[x^2] of the input

test('the promise is sqrt(fanIn E[x^2] Var(W) + E[b^2]), the bias with its layer\'s fans', () => {
  const he = firstLayerPromise(spec('heNormal'), arch, MS, null)!;
  assert.ok(Math.abs(he.std - Math.sqrt(784 * MS * (2 / 784))) < 1e-12);
  // heUniform bias on fan-in 784: Var = 2 / 784, not 2 (fan-in 1 of the shape [256]).
  const withBias = firstLayerPromise(spec({ name: 'heNormal', bias: 'heUniform' }), arch, MS, null)!;
  assert.ok(Math.abs(withBias.std - Math.sqrt(2 * MS + 2 / 784)) < 1e-12);
  // torch:default fills its own bias: Var(W) = Var(b) = 1 / (3 fanIn).
  const torch = firstLayerPromise(spec('torch:default'), arch, MS, null)!;
  assert.ok(Math.abs(torch.std - Math.sqrt(MS / 3 + 1 / (3 * 784))) < 1e-12);
  // A constant bias has no expected std: its sampled values are its promise.
  const constant = firstLayerPromise(spec({ name: 'heNormal', bias: { name: 'constant', value: 1 } }), arch, MS, new Float32Array(256).fill(1))!;
  assert.ok(Math.abs(constant.std - Math.sqrt(2 * MS + 1)) < 1e-12);
  // Nothing to promise: batch norm, data-dependent inits, constants, a non-zero weight mean.
  assert.equal(firstLayerPromise(spec('heNormal'), { ...arch, batchNorm: true }, MS, null), null);
  assert.equal(firstLayerPromise(spec('lsuv'), arch, MS, null), null);
  assert.equal(firstLayerPromise(spec('zeros'), arch, MS, null), null);
  assert.equal(firstLayerPromise(spec({ name: 'randomNormal', mean: 0.1 }), arch, MS, null), null);
});

const layer = (preStd: number): LayerStats => ({
  layer: 'dense1', units: 256, activation: 'relu', preActivationMean: 0, preActivationStd: preStd, preActivationMeanSquare: preStd * preStd,
  activationMean: 0.2, activationStd: 0.3, deadFraction: 0, saturatedFraction: null, gradNorm: 0.1, weightNorm: 10, gradToWeightRatio: 0.01,
});
const output: LayerStats = { ...layer(1), layer: 'output', units: 10, activation: 'linear', deadFraction: null };

test('a first-layer pre-activation far from the promise is a problem: the 1.51 a fan-in-1 heUniform bias gave, against 0.47', () => {
  const off = assess([layer(1.51), output], undefined, 0.47);
  assert.equal(off.healthy, false);
  assert.match(off.problems.join('; '), /first-layer pre-activation scale off its initializers' promise \(root mean square 1\.51, x3\.21 the 0\.47/);
  assert.equal(assess([layer(0.49), output], undefined, 0.47).healthy, true);
  assert.equal(assess([layer(1.51), output]).healthy, true, 'no promise, no verdict');
});

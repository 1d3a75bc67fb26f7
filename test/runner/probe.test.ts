import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { assess, diagnoseTrial, recommend } from '../../src/diagnostics/assess.js';
import { probe } from '../../src/runner/probe.js';
import { runCli } from '../helpers.js';

/**
 * Mean-field theory (docs/science.md): with zero biases and weight variance sigma_w^2 / fanIn, a ReLU
 * layer multiplies the pre-activation second moment q by sigma_w^2 / 2. He: 1; Xavier on square
 * layers: 1/2; tfjs's uncorrected He: 0.774. Finite width (256) makes log q a random walk with a
 * step of about sqrt(2/256) = 0.09, so a single network's per-layer ratio over 18 layers wanders
 * by ~0.02-0.04 (measured over seeds 0-3: He 0.96-1.03). The geometric mean over four seeds has a
 * standard error near 0.015; the tolerance 0.05 is over three of those, and the seeds are fixed.
 */
test('probe reproduces the mean-field q ratios on a 20-layer ReLU MLP: He 1, Xavier 1/2, tfjs:heNormal 0.774', async () => {
  const config = resolveConfig({ initializers: ['heNormal', 'glorotUniform', 'tfjs:heNormal'], model: { depth: 20, width: 256 } }, {});
  const logRatios = new Map<string, number[]>();
  for (const seed of [0, 1, 2, 3]) {
    const { results } = await probe(config, 256, seed);
    for (const r of results) {
      const q = r.layers.map((l) => l.preActivationMeanSquare);
      // Layers 2..20 are all 256 -> 256; layer 1 sees the raw pixels.
      logRatios.set(r.init, [...(logRatios.get(r.init) ?? []), Math.log(q[19] / q[1]) / 18]);
    }
  }
  const perLayer = (init: string) => Math.exp(logRatios.get(init)!.reduce((a, b) => a + b, 0) / 4);
  assert.ok(Math.abs(perLayer('heNormal') - 1) < 0.05, `He ${perLayer('heNormal')}`);
  assert.ok(Math.abs(perLayer('glorotUniform') - 0.5) < 0.05, `Xavier ${perLayer('glorotUniform')}`);
  assert.ok(Math.abs(perLayer('tfjs:heNormal') - 0.774) < 0.05, `tfjs:heNormal ${perLayer('tfjs:heNormal')}`);
});

test('layer 1 sees the pixels: q1 is about E[x^2] * fanIn * Var(W) = 0.11 * 2 for He', async () => {
  const config = resolveConfig({ initializers: ['heNormal'], model: { hidden: [256] } }, {});
  const { results } = await probe(config, 256, 0);
  const q1 = results[0].layers[0].preActivationMeanSquare;
  // E[x^2] over the embedded digits is 0.112; a batch of 256 and 256 units varies it by ~10%.
  assert.ok(q1 > 0.17 && q1 < 0.28, `q1 ${q1}`);
});

test('SELU with LeCun normal settles at mean 0, variance 1 (self-normalizing)', async () => {
  const config = resolveConfig({ initializers: ['leCunNormal'], model: { depth: 20, width: 256, activation: 'selu' } }, {});
  const { results } = await probe(config, 256, 0);
  // The input's q is 0.11; the fixed point pulls it to 1 within a few layers. Width-256 noise
  // moves the std by a few percent, hence 0.85-1.15 and |mean| < 0.1.
  for (const l of results[0].layers.slice(10, 20)) {
    assert.ok(Math.abs(l.activationMean) < 0.1, `${l.layer} mean ${l.activationMean}`);
    assert.ok(l.activationStd > 0.85 && l.activationStd < 1.15, `${l.layer} std ${l.activationStd}`);
  }
});

test('the recommendation comes from the numbers: He for deep ReLU, not Xavier', async () => {
  const config = resolveConfig({ initializers: ['glorotUniform', 'heNormal'], model: { depth: 20, width: 128 } }, {});
  const { results } = await probe(config, 128, 0);
  const advice = recommend(results.map((r) => ({ init: r.init, assessment: r.assessment })));
  assert.equal(advice[0], 'Recommended: heNormal');
  assert.match(advice.join('\n'), /not glorotUniform: vanishing signal/);
});

test('zero init: symmetric, no signal past layer 1, zero gradients to hidden layers', async () => {
  const config = resolveConfig({ initializers: ['zeros'], model: { hidden: [64, 64] } }, {});
  const { results } = await probe(config, 64, 0);
  const a = assess(results[0].layers);
  assert.ok(!a.healthy);
  assert.equal(results[0].layers[0].gradNorm, 0);
  const diagnosis = diagnoseTrial({ atInit: results[0].layers, distinctUnits: [1, 1], deadFraction: [1, 1], saturatedFraction: [null, null] });
  assert.equal(diagnosis[0], 'symmetric: 1 distinct unit/layer');
});

test('probe --json prints per initializer { init, layers: [...] } with the documented fields', async () => {
  const r = await runCli(['probe', '--init', 'he,xavier', '--depth', '3', '--width', '32', '--batch', '64', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.map((o: { init: string }) => o.init), ['heNormal', 'glorotUniform']);
  const fields = ['layer', 'units', 'preActivationMean', 'preActivationStd', 'activationMean', 'activationStd', 'deadFraction', 'saturatedFraction', 'gradNorm', 'gradToWeightRatio'];
  for (const f of fields) assert.ok(f in out[0].layers[0], f);
  assert.equal(out[0].layers.length, 4);
  const text = await runCli(['probe', '--init', 'he,xavier', '--depth', '12', '--width', '64', '--batch', '64']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Activation std per hidden layer/);
  assert.match(text.stdout, /Recommended: heNormal/);
});

test('probe reports an initializer that cannot fill the network, and measures the others', async () => {
  const r = await runCli(['probe', '--model', 'cnn', '--filters', '8,4', '--init', 'deltaOrthogonal,he', '--batch', '32', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out[0].error, /cannot initialize this network: deltaOrthogonal needs in <= out/);
  assert.equal(out[1].layers.length, 3, 'conv1, conv2, output');
});

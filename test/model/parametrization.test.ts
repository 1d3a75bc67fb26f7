import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveInit, type InitSpec } from '../../src/initializers/registry.js';
import { sampleKernels } from '../../src/model/init.js';
import { buildModel, disposeModel, forward } from '../../src/model/network.js';
import { kernelFactor, layerScalings, rulesMarkdown } from '../../src/model/parametrization.js';
import { layerPlan, type Architecture } from '../../src/model/plan.js';
import { lrGroups } from '../../src/train/optimizers.js';
import { ROOT, wasmTf } from '../helpers.js';

const mlp = (width: number, over: Partial<Architecture> = {}): Architecture => ({
  kind: 'mlp',
  height: 28,
  width: 28,
  classes: 10,
  hidden: [width, width],
  conv: { filters: [], kernelSize: 3, pool: 2, padding: 'valid' },
  activation: 'relu',
  leakySlope: 0.01,
  batchNorm: false,
  batchNormMomentum: 0.99,
  dropout: 0,
  residual: false,
  blockDepth: 2,
  ...over,
});
const spec = (name: string) => resolveInit(name, 'test') as InitSpec;
const he = spec('heNormal');
const glorot = spec('glorotUniform');
const std = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

test('standard: no scalings at all (nothing runs for it)', () => {
  assert.equal(layerScalings(mlp(256), layerPlan(mlp(256))), null);
});

test('muP at 4x the base width: TP5 Table 3 in the multiplier form, per layer and optimizer family', () => {
  const arch = mlp(256, { parametrization: 'mup', baseWidth: 64 });
  const s = layerScalings(arch, layerPlan(arch))!;
  assert.deepEqual(s.map((l) => [l.role, l.dims.mIn, l.dims.mOut]), [['input', 1, 4], ['hidden', 4, 4], ['output', 4, 1]]);
  assert.deepEqual(s.map((l) => l.multiplier), [1, 1, 1 / 4]);
  assert.deepEqual(s.map((l) => l.lrKernel.adam), [1, 1 / 4, 1]);
  assert.deepEqual(s.map((l) => l.lrKernel.sgd), [4, 1, 4]);
  assert.deepEqual(s.map((l) => l.lrVector.sgd), [4, 4, 1]);
  assert.deepEqual(s.map((l) => l.variance), [1, 1 / 4, 1 / 16]);
  assert.deepEqual(s.map((l) => l.baseShape), [[784, 64], [64, 64], [64, 10]]);
});

test('muP and NTK at the base width sample exactly the standard kernels (same forward function)', async () => {
  for (const p of ['mup', 'ntk'] as const) {
    for (const init of [he, glorot]) {
      const standard = await sampleKernels(mlp(64), init, 3);
      const arch = mlp(64, { parametrization: p, baseWidth: 64 });
      const scaled = await sampleKernels(arch, init, 3);
      const s = layerScalings(arch, layerPlan(arch))!;
      scaled.kernels.forEach((k, i) => k.forEach((x, j) => assert.ok(Math.abs(x * s[i].multiplier - standard.kernels[i][j]) < 1e-6 * (1 + Math.abs(standard.kernels[i][j])), `${p} ${init.name} layer ${i}`)));
    }
  }
});

test('muP at 16x: hidden std sqrt(2 / fanIn) for He; effective output std the base std / 16; Glorot keeps its base-width variance law', async () => {
  const arch = mlp(1024, { parametrization: 'mup', baseWidth: 64 });
  const { kernels } = await sampleKernels(arch, he, 1);
  // Sample stds of 1024x1024 and 1024x10 draws: relative error ~ 1/sqrt(2n), under 3% here.
  assert.ok(Math.abs(std(kernels[1]) / Math.sqrt(2 / 1024) - 1) < 0.03);
  // Stored output kernel: the base width's std (multiplier 1/16 then makes it 1/16 of that).
  // 10,240 draws: relative error of the std ~ 1/sqrt(2 x 10240) = 0.7%, so 3% is > 4 sigma.
  assert.ok(Math.abs(std(kernels[2]) / Math.sqrt(2 / 64) - 1) < 0.03);
  assert.ok(Math.abs(std(kernels[0]) / Math.sqrt(2 / 784) - 1) < 0.03);
  const g = await sampleKernels(arch, glorot, 1);
  // Glorot's input layer at the base shape [784, 64]: var 2 / (784 + 64), whatever the width.
  assert.ok(Math.abs(std(g.kernels[0]) / Math.sqrt(2 / (784 + 64)) - 1) < 0.03);
  assert.equal(kernelFactor({ ...layerScalings(arch, layerPlan(arch))![1] }, null, null), 1);
});

test('the forward pass applies the multiplier; lr groups: one per distinct factor, standard has one', async () => {
  const tf = await wasmTf();
  const arch = mlp(128, { parametrization: 'mup', baseWidth: 64 });
  const { kernels, biases } = await sampleKernels(arch, he, 0);
  const model = buildModel(tf, arch, kernels, biases);
  const plain = buildModel(tf, { ...mlp(128) }, kernels, biases);
  try {
    const x = tf.randomNormal([4, 784], 0, 1, 'float32', 5) as never;
    const a = tf.tidy(() => Array.from(forward(tf, model, x).logits.dataSync()));
    const b = tf.tidy(() => Array.from(forward(tf, plain, x).logits.dataSync()));
    // Output layer: (x W) / 2 at width 128 with base 64 (biases are 0).
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i] / 2) < 1e-4 * (1 + Math.abs(b[i]))));
    const adam = lrGroups(model, 'adam');
    assert.deepEqual([...adam.keys()].sort(), [0.5, 1]);
    assert.deepEqual(adam.get(0.5), [model.layers[1].kernel.name]);
    assert.deepEqual([...lrGroups(plain, 'adam').keys()], [1]);
    tf.dispose(x);
  } finally {
    disposeModel(model);
    disposeModel(plain);
  }
});

test('docs/parametrizations.md holds the rule table as the code defines it', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'parametrizations.md'), 'utf8');
  assert.ok(doc.includes(rulesMarkdown()), 'docs/parametrizations.md is stale: paste rulesMarkdown() (node -e "import(\'./dist/src/model/parametrization.js\').then(m => console.log(m.rulesMarkdown()))")');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assess } from '../../src/diagnostics/assess.js';
import { distinctUnits, layerStats } from '../../src/diagnostics/layers.js';
import type { LsuvReport } from '../../src/initializers/lsuv.js';
import type { InitSpec } from '../../src/initializers/registry.js';
import { refineWithData, sampleKernels } from '../../src/model/init.js';
import { optimizerFactory } from '../../src/train/optimizers.js';
import { buildModel, disposeModel, forward, type Model } from '../../src/model/network.js';
import { layerPlan, type Architecture } from '../../src/model/plan.js';
import { Rng } from '../../src/util/random.js';
import { wasmTf } from '../helpers.js';

const mlp = (hidden: number[], over: Partial<Architecture> = {}): Architecture => ({
  kind: 'mlp',
  height: 4,
  width: 5,
  classes: 3,
  hidden,
  conv: { filters: [], kernelSize: 3, pool: 2, padding: 'valid' },
  activation: 'relu',
  leakySlope: 0.01,
  batchNorm: false,
  dropout: 0,
  residual: true,
  blockDepth: 2,
  ...over,
});

const spec = (name: string, layers: InitSpec['layers'] = undefined): InitSpec => ({ name, params: {}, label: name, ...(layers ? { layers } : {}) });
const heZeroBranch = spec('heNormal', { residualOut: { name: 'zeros', params: {} } });

test('a residual MLP: a plain stem, blocks of blockDepth layers, a projection where the width changes', () => {
  const plan = layerPlan(mlp([8, 8, 8, 6, 6]));
  assert.deepEqual(
    plan.map((p) => [p.name, p.kind, p.shape, p.activation, p.residual?.role ?? '-', p.residual?.position ?? '-']),
    [
      ['dense1', 'dense', [20, 8], 'relu', '-', '-'],
      ['dense2', 'dense', [8, 8], 'relu', 'branch', 0],
      ['dense3', 'residualOut', [8, 8], 'relu', 'branch', 1],
      ['proj2', 'dense', [8, 6], 'linear', 'projection', 0],
      ['dense4', 'dense', [8, 6], 'relu', 'branch', 0],
      ['dense5', 'residualOut', [6, 6], 'relu', 'branch', 1],
      ['output', 'output', [6, 3], 'linear', '-', '-'],
    ],
  );
  assert.ok(plan.every((p) => !p.residual || (p.residual.branches === 2 && p.residual.branchDepth === 2)), 'Fixup\'s L = 2 branches of m = 2');
  assert.throws(() => layerPlan(mlp([8, 8, 8, 8])), /residual blocks of 2 need 1 \+ a multiple of 2 hidden layers .* there are 4/);
  assert.equal(layerPlan(mlp([8, 8, 8, 8], { blockDepth: 3 })).filter((p) => p.kind === 'residualOut').length, 1);
});

test('a residual CNN: same-padding blocks that pool once, a 1x1 projection where the channels change', () => {
  const arch = mlp([], { kind: 'cnn', height: 28, width: 28, conv: { filters: [4, 4, 4, 8, 8], kernelSize: 3, pool: 2, padding: 'valid' } });
  assert.deepEqual(
    layerPlan(arch).map((p) => [p.name, p.kind, p.shape, p.padding, p.pool]),
    [
      ['conv1', 'conv', [3, 3, 1, 4], 'valid', 2], // 28 -> 26 -> 13
      ['conv2', 'conv', [3, 3, 4, 4], 'same', 1],
      ['conv3', 'residualOut', [3, 3, 4, 4], 'same', 2], // 13 -> 6
      ['proj2', 'conv', [1, 1, 4, 8], 'same', 1],
      ['conv4', 'conv', [3, 3, 4, 8], 'same', 1],
      ['conv5', 'residualOut', [3, 3, 8, 8], 'same', 2], // 6 -> 3
      ['output', 'output', [3 * 3 * 8, 3], 'valid', 1],
    ],
  );
  const tooDeep = { ...arch, conv: { ...arch.conv, filters: [4, 4, 4, 4, 4, 4, 4, 4, 4] } };
  assert.throws(() => layerPlan(tooDeep), /residual block 4 has a 1x1 input/);
});

/** A batch of 16 random "images" in [0, 1]. */
function batch(tf: Awaited<ReturnType<typeof wasmTf>>, pixels: number, seed = 1): Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Float32Array.from({ length: 16 * pixels }, () => rng.uniform()), [16, pixels]);
}

async function model(tf: Awaited<ReturnType<typeof wasmTf>>, arch: Architecture, init: InitSpec): Promise<Model> {
  const { kernels, biases } = await sampleKernels(arch, init, 0);
  return buildModel(tf, arch, kernels, biases);
}

test('with the branches at zero every block is the identity (ReLU), and the projection is x P + b', async () => {
  const tf = await wasmTf();
  const arch = mlp([8, 8, 8, 6, 6]);
  const m = await model(tf, arch, heZeroBranch);
  const x = batch(tf, 20);
  const trace = forward(tf, m, x, 'probe');
  const act = (i: number) => trace.activations[i].arraySync() as number[][];
  assert.deepEqual(act(2), act(0), 'block 1 (dense2, dense3) passes the stem\'s output unchanged');
  // Block 2 changes the width: its output is relu(x P + b_P + 0).
  const expected = tf.relu(tf.add(tf.matMul(trace.activations[2] as Tensor2D, m.layers[3].kernel as unknown as Tensor2D), m.layers[3].bias)).arraySync() as number[][];
  const got = act(5);
  got.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - expected[r][c]) < 1e-5, `row ${r} col ${c}: ${v} vs ${expected[r][c]}`)));
  // The branch is not dead: its last layer has a gradient (the skip carries the error back).
  const stats = layerStats(tf, m, x, tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3) as Tensor2D);
  assert.equal(stats.length, m.layers.length, 'diagnostics measure every layer, the projection too');
  assert.ok(stats[2].weightNorm === 0 && stats[2].gradNorm > 1e-4, `residualOut grad ${stats[2].gradNorm}`);
  assert.equal(stats[1].gradNorm, 0, 'the branch\'s first layer waits for the last to move');
  assert.ok(stats[0].gradNorm > 1e-4, 'the stem gets its gradient through the skips');
  // ...which the assessment knows is how the scheme starts, not a vanishing gradient; nor are the
  // zero kernels a broken symmetry, since each unit is added to its own skip unit.
  const verdict = assess(stats, distinctUnits(tf, m));
  assert.deepEqual(verdict.problems.filter((p) => /gradient|symmetric/.test(p)), []);
  disposeModel(m);
});

test('all-zero kernels stay symmetric with skips too: no signal, no gradient but the output bias\'s', async () => {
  const tf = await wasmTf();
  const m = await model(tf, mlp([8, 8, 8]), spec('zeros'));
  const x = batch(tf, 20);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3) as Tensor2D;
  const stats = layerStats(tf, m, x, y);
  assert.ok(stats.every((l) => l.gradNorm === 0), 'every kernel gradient is exactly 0');
  const verdict = assess(stats, distinctUnits(tf, m));
  assert.ok(verdict.problems.some((p) => p.startsWith('symmetric: 1 distinct unit')), verdict.problems.join('; '));
  disposeModel(m);
});

test('LSUV scales a residual branch by its own output, before the skip is added', async () => {
  const tf = await wasmTf();
  const arch = mlp([8, 8, 8]);
  const m = await model(tf, arch, { ...spec('lsuv'), params: { tol: 0.1, maxIterations: 10 } });
  const x = batch(tf, 20);
  const refined = await refineWithData(tf, m, { ...spec('lsuv'), params: { tol: 0.1, maxIterations: 10 } }, { batch: x, *trainingImages() {}, optimizer: optimizerFactory(tf) }, 0);
  const report = refined!.report as unknown as LsuvReport;
  const trace = forward(tf, m, x, 'probe');
  // Var(z) of each layer's own output is within tol of 1 (8 units x 16 examples: LSUV's tolerance
  // is exact on the batch it measured, so no sampling slack is needed).
  trace.outputs.forEach((z, i) => assert.ok(Math.abs(tf.moments(z).variance.dataSync()[0] - 1) < 0.1, `layer ${i}: ${report.finalVariance[i]}`));
  disposeModel(m);
});

test('a residual CNN trains its blocks and projection (gradients reach every kernel)', async () => {
  const tf = await wasmTf();
  const arch = mlp([], { kind: 'cnn', height: 12, width: 12, conv: { filters: [2, 2, 2, 4, 4], kernelSize: 3, pool: 1, padding: 'same' } });
  const m = await model(tf, arch, heZeroBranch);
  const x = batch(tf, 144);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 3), 'int32'), 3) as Tensor2D;
  const stats = layerStats(tf, m, x, y);
  const names = (f: (s: (typeof stats)[number]) => boolean) => stats.filter(f).map((s) => s.layer);
  assert.deepEqual(names((s) => s.gradNorm === 0), ['conv2', 'conv4'], 'only the layers before a zero residualOut wait');
  assert.ok(stats.every((s) => Number.isFinite(s.activationStd)));
  disposeModel(m);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig, type ExperimentConfig } from '../../src/config/load.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { runTrial } from '../../src/runner/trial.js';
import { wasmTf } from '../helpers.js';
import { untimed } from '../fixtures.js';

const data = loadEmbeddedMnist();

function smallConfig(over: Record<string, unknown> = {}): ExperimentConfig {
  return resolveConfig(
    {
      initializers: ['heNormal'],
      data: { trainSize: 1000, testSize: 500 },
      model: { hidden: [32] },
      train: { optimizer: 'momentum', lr: 0.05, batchSize: 50, epochs: 2 },
      ...over,
    },
    {},
  );
}

test('same config + seed + backend gives identical metrics; another seed differs', async () => {
  const tf = await wasmTf();
  const config = smallConfig();
  const split = stratifiedSplit(data, 1000, 500, 0);
  const a = await runTrial(tf, config, config.initializers[0], 0, data, split);
  const b = await runTrial(tf, config, config.initializers[0], 0, data, split);
  const c = await runTrial(tf, config, config.initializers[0], 1, data, stratifiedSplit(data, 1000, 500, 1));
  assert.deepEqual(untimed(a.epochs), untimed(b.epochs));
  assert.equal(a.id, b.id);
  assert.notDeepEqual(untimed(a.epochs), untimed(c.epochs));
  assert.notEqual(a.id, c.id);
});

test('the tensor count stays flat across epochs and trials (no leaks)', async () => {
  const tf = await wasmTf();
  const config = smallConfig({ train: { optimizer: 'momentum', lr: 0.01, batchSize: 64, epochs: 3 } });
  const split = stratifiedSplit(data, 1000, 500, 0);
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  await runTrial(tf, config, config.initializers[0], 0, data, split, { onEpoch: () => counts.push(tf.memory().numTensors) });
  assert.equal(new Set(counts).size, 1, `tensors per epoch: ${counts}`);
  assert.equal(tf.memory().numTensors, before, 'all tensors released after the trial');
});

test('a NaN/Infinity loss stops the trial as diverged, with its epoch', async () => {
  const tf = await wasmTf();
  const config = smallConfig({
    initializers: [{ name: 'randomNormal', stddev: 10 }],
    model: { hidden: [64, 64, 64], activation: 'relu' },
    train: { optimizer: 'sgd', lr: 10, batchSize: 50, epochs: 3 },
  });
  const split = stratifiedSplit(data, 1000, 500, 0);
  const t = await runTrial(tf, config, config.initializers[0], 0, data, split);
  assert.equal(t.status, 'diverged');
  assert.equal(t.divergedAtEpoch, 1);
  assert.equal(t.epochs.length, 0);
});

test('on small data, He learns and zero init stays at chance (symmetric units)', async () => {
  const tf = await wasmTf();
  const config = smallConfig({ initializers: ['heNormal', 'glorotUniform', 'zeros'], data: { trainSize: 2000, testSize: 500 }, model: { hidden: [64] }, train: { optimizer: 'momentum', lr: 0.02, batchSize: 32, epochs: 3 } });
  const split = stratifiedSplit(data, 2000, 500, 0);
  const [he, xavier, zeros] = await Promise.all(config.initializers.map((s) => runTrial(tf, config, s, 0, data, split)));
  // He and Xavier reach ~0.9 here; 0.85 leaves room for another backend's float rounding.
  assert.ok(he.final!.testAccuracy >= 0.85, `he ${he.final!.testAccuracy}`);
  assert.ok(xavier.final!.testAccuracy >= 0.85, `xavier ${xavier.final!.testAccuracy}`);
  // Zero init: only the output bias learns; the best it can do is the majority class (~11%).
  assert.ok(zeros.final!.testAccuracy < 0.15, `zeros ${zeros.final!.testAccuracy}`);
});

test('LSUV rescales each layer to unit pre-activation variance and records its iterations', async () => {
  const tf = await wasmTf();
  const config = smallConfig({ initializers: ['lsuv'], model: { hidden: [64, 64], activation: 'tanh' }, train: { optimizer: 'sgd', lr: 0.05, batchSize: 50, epochs: 1 } });
  const split = stratifiedSplit(data, 1000, 500, 0);
  const t = await runTrial(tf, config, config.initializers[0], 0, data, split);
  assert.ok(t.lsuv, 'lsuv report recorded');
  assert.equal(t.lsuv!.iterations.length, 3);
  for (const v of t.lsuv!.finalVariance) assert.ok(Math.abs(v - 1) < 0.1, `variance ${v}`);
  assert.ok(t.lsuv!.iterations[0] >= 1, 'the first layer needed rescaling (pixels are not unit-variance)');
});

test('after training, zero init still has one distinct unit per layer and is diagnosed symmetric; He is not', async () => {
  const tf = await wasmTf();
  const config = smallConfig({ initializers: ['zeros', 'heNormal'], model: { hidden: [32, 16], activation: 'tanh' }, train: { optimizer: 'sgd', lr: 0.1, batchSize: 50, epochs: 1 } });
  const split = stratifiedSplit(data, 1000, 500, 0);
  const zeros = await runTrial(tf, config, config.initializers[0], 0, data, split);
  const he = await runTrial(tf, config, config.initializers[1], 0, data, split);
  assert.deepEqual(zeros.diagnostics!.distinctUnits, [1, 1]);
  assert.equal(zeros.diagnosis![0], 'symmetric: 1 distinct unit/layer');
  assert.deepEqual(he.diagnostics!.distinctUnits, [32, 16]);
  assert.ok(!he.diagnosis!.some((d) => d.startsWith('symmetric')));
  assert.equal(he.diagnostics!.atInit.length, 3);
  assert.equal(he.epochs[0].gradNorms.length, 3);
  assert.equal(he.epochs[0].weightNorms.length, 3);
});

test('every epoch records per-layer activation std on the probe batch: zero init leaves no spread in the hidden layers, He keeps one', async () => {
  const tf = await wasmTf();
  const config = smallConfig({ initializers: ['heNormal', 'zeros'], model: { hidden: [32, 16] }, train: { optimizer: 'momentum', lr: 0.05, batchSize: 50, epochs: 2 } });
  const split = stratifiedSplit(data, 1000, 500, 0);
  const [he, zeros] = [await runTrial(tf, config, config.initializers[0], 0, data, split), await runTrial(tf, config, config.initializers[1], 0, data, split)];
  for (const t of [he, zeros]) {
    assert.equal(t.epochs.length, 2);
    for (const e of t.epochs) assert.equal(e.activationStds?.length, 3, 'two hidden layers and the output');
  }
  // Zero weights: every hidden unit outputs relu(0) = 0 whatever the digit and never gets a
  // gradient, so the spread over batch and units is exactly 0 in both hidden layers at every
  // epoch. (The output's biases learn the class frequencies, so the logits do spread over units.)
  for (const e of zeros.epochs) assert.deepEqual(e.activationStds!.slice(0, 2), [0, 0]);
  for (const e of he.epochs) for (const s of e.activationStds!) assert.ok(s > 0.05 && Number.isFinite(s), `He activation std ${s}`);
});

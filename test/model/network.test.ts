import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { resolveInit, type InitSpec } from '../../src/initializers/registry.js';
import { sampleKernels } from '../../src/model/init.js';
import { architectureOf, layerPlan } from '../../src/model/network.js';
import { runTrial } from '../../src/runner/trial.js';
import { wasmTf } from '../helpers.js';
import { untimed } from '../fixtures.js';

const data = loadEmbeddedMnist();

test('the default CNN is LeNet-style and its conv kernels get He std from their own fans', async () => {
  const config = resolveConfig({ model: { kind: 'cnn' } }, {});
  const arch = architectureOf(config.model, data);
  assert.deepEqual(layerPlan(arch).map((p) => [p.name, p.shape]), [['conv1', [3, 3, 1, 16]], ['conv2', [3, 3, 16, 32]], ['output', [800, 10]]]);
  const { kernels } = await sampleKernels(arch, resolveInit('heNormal', 't') as InitSpec, 0);
  const std = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
  // fanIn 9 and 144: small kernels, so a loose 15% (conv1 has 144 weights: std error ~6%).
  assert.ok(Math.abs(std(kernels[0]) / Math.sqrt(2 / 9) - 1) < 0.15, `conv1 ${std(kernels[0])}`);
  assert.ok(Math.abs(std(kernels[1]) / Math.sqrt(2 / 144) - 1) < 0.05, `conv2 ${std(kernels[1])}`);
});

test('a conv stack too deep for 28x28 digits is a config error with the sizes', () => {
  assert.throws(() => resolveConfig({ model: { kind: 'cnn', filters: [8, 8, 8, 8], kernelSize: 5 } }, {}), /conv layer 3 has a 4x4 input: too small for a 5x5 kernel/);
});

test('the CNN trains on wasm (Conv2DBackpropFilter), with batch norm and seeded dropout', async () => {
  const tf = await wasmTf();
  const config = resolveConfig(
    { initializers: ['heNormal'], data: { trainSize: 1000, testSize: 300 }, model: { kind: 'cnn', filters: [8, 16], batchNorm: true, dropout: 0.2 }, train: { optimizer: 'adam', lr: 0.003, batchSize: 50, epochs: 2 } },
    {},
  );
  const split = stratifiedSplit(data, 1000, 300, 0);
  const before = tf.memory().numTensors;
  const a = await runTrial(tf, config, config.initializers[0], 0, data, split);
  const b = await runTrial(tf, config, config.initializers[0], 0, data, split);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks with batch norm and dropout');
  assert.equal(a.status, 'ok');
  // 1,000 digits, 2 epochs: a small CNN is well past chance (measured ~0.85).
  assert.ok(a.final!.testAccuracy > 0.6, `accuracy ${a.final!.testAccuracy}`);
  assert.deepEqual(untimed(a.epochs), untimed(b.epochs), 'dropout masks are seeded: same seed, same metrics');
});

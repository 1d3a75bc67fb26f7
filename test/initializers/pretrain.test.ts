import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../../src/backend/select.js';
import { resolveConfig } from '../../src/config/load.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { trialSchema } from '../../src/results/schema.js';
import { runTrial } from '../../src/runner/trial.js';
import { decoderFor, pretrainLayers, type PretrainOps, type PretrainSettings } from '../../src/initializers/pretrain.js';
import { activate, architectureOf, buildModel, disposeModel, layerPlan, type Model, type ModelSettings } from '../../src/model/network.js';
import { optimizerFactory } from '../../src/train/optimizers.js';
import { Rng } from '../../src/util/random.js';
import { wasmTf } from '../helpers.js';

const data = loadEmbeddedMnist();

const MLP: ModelSettings = {
  kind: 'mlp', hidden: [48, 24], head: [], filters: [], kernelSize: 3, pool: 2, padding: 'valid',
  activation: 'sigmoid', leakySlope: 0.01, batchNorm: false, dropout: 0,
};

const SETTINGS: PretrainSettings = {
  epochs: 3, optimizer: 'adam', lr: 0.01, batchSize: 50, corruption: 0.25, tied: true, decoder: 'auto', seed: 7,
};

/** What the data-dependent context hands pretraining in a trial: the model's activations and the trainer's optimizers. */
const ops = (tf: Tf, signal?: AbortSignal): PretrainOps => ({ activate: (x, a) => activate(tf, x, a, 0.01), optimizer: optimizerFactory(tf), ...(signal ? { signal } : {}) });

/** An MLP with Glorot-uniform-like kernels from a fixed seed (the same model every call). */
function model(tf: Tf, settings: ModelSettings = MLP): Model {
  const arch = architectureOf(settings, data);
  const rng = new Rng(1);
  const kernels = layerPlan(arch).map((p) => {
    const a = Math.sqrt(6 / (p.shape[0] + p.shape[1]));
    return Float32Array.from({ length: p.shape.reduce((n, d) => n * d, 1) }, () => (2 * rng.uniform() - 1) * a);
  });
  return buildModel(tf, arch, kernels);
}

/** The first `n` embedded digits, pixels in [0, 1]. */
function images(tf: Tf, n: number): Tensor2D {
  return tf.tensor2d(data.images.slice(0, n * 784) as Float32Array, [n, 784]);
}

const hidden = (m: Model) => m.layers.filter((l) => l.kind === 'dense');

test('the reconstruction loss of every layer decreases over its pretraining epochs', async () => {
  const tf = await wasmTf();
  const m = model(tf);
  const x = images(tf, 400);
  const started = performance.now();
  const report = await pretrainLayers(tf, hidden(m), x, SETTINGS, ops(tf));
  const whole = (performance.now() - started) / 1000;
  assert.equal(report.images, 400);
  assert.deepEqual(report.layers.map((l) => [l.layer, l.decoder, l.loss.length]), [['dense1', 'sigmoid', 3], ['dense2', 'sigmoid', 3]]);
  // Deterministic (fixed seeds): Adam at lr 0.01 on 400 digits lowers a sigmoid autoencoder's
  // cross-entropy from epoch 1 to epoch 3 by far more than the masking noise moves it.
  for (const l of report.layers) assert.ok(l.loss[2] < l.loss[0], `${l.layer}: ${l.loss.join(' -> ')}`);
  // Each layer's time is measured (three epochs of work take some time: > 0), and the layers'
  // times are parts of the whole call, measured around it with the same clock (no threshold).
  for (const l of report.layers) assert.ok(Number.isFinite(l.seconds) && l.seconds > 0, `${l.layer}: ${l.seconds} s`);
  const sum = report.layers.reduce((s, l) => s + l.seconds, 0);
  assert.ok(sum <= whole, `layers ${sum} s within the call's ${whole} s`);
  x.dispose();
  disposeModel(m);
});

test('the kept kernel and bias are the encoder\'s after its update (one full-batch SGD step, computed independently)', async () => {
  const tf = await wasmTf();
  const m = model(tf);
  const x = images(tf, 64);
  const [layer] = hidden(m);
  const w0 = layer.kernel.clone() as Tensor2D;
  const lr = 0.05;
  // Tied sigmoid autoencoder, no noise, decoder bias c = 0 at the start:
  // L(W, b) = mean over images of sum_i softplus(r_i) - x_i r_i, r = sigmoid(x W + b) W^T.
  const loss = (...[w, b]: Tensor[]) => {
    const h = tf.sigmoid(tf.add(tf.matMul(x, w as Tensor2D), b));
    const r = tf.matMul(h, w as Tensor2D, false, true);
    return tf.div(tf.sum(tf.sub(tf.softplus(r), tf.mul(x, r))), 64) as Scalar;
  };
  const b0 = tf.zeros([1, layer.shape[1]]) as Tensor2D;
  const [gw, gb] = tf.grads(loss)([w0, b0]);
  const expectedW = tf.sub(w0, tf.mul(gw, lr));
  const expectedB = tf.reshape(tf.sub(b0, tf.mul(gb, lr)), [-1]);
  await pretrainLayers(tf, [layer], x, { ...SETTINGS, epochs: 1, optimizer: 'sgd', lr, batchSize: 64, corruption: 0 }, ops(tf));
  const maxDiff = (a: Tensor, b: Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  assert.ok(tf.max(tf.abs(tf.sub(layer.kernel, w0))).dataSync()[0] > 1e-4, 'the kernel moved');
  // float32 rounding of a 64 x 784 x 48 product: 1e-5 is far below the update itself (> 1e-4).
  assert.ok(maxDiff(layer.kernel, expectedW) < 1e-5, `kernel off by ${maxDiff(layer.kernel, expectedW)}`);
  assert.ok(maxDiff(layer.bias, expectedB) < 1e-5, `bias off by ${maxDiff(layer.bias, expectedB)}`);
  tf.dispose([w0, b0, gw, gb, expectedW, expectedB, x]);
  disposeModel(m);
});

test('pretraining is deterministic for a seed, differs across seeds and tied/untied, and leaks no tensor', async () => {
  const tf = await wasmTf();
  const x = images(tf, 200);
  const run = async (s: Partial<PretrainSettings>) => {
    const m = model(tf);
    const report = await pretrainLayers(tf, hidden(m), x, { ...SETTINGS, epochs: 2, ...s }, ops(tf));
    const kernels = m.layers.map((l) => Array.from(l.kernel.dataSync()));
    disposeModel(m);
    return { report, kernels };
  };
  const before = tf.memory().numTensors;
  const a = await run({});
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  const b = await run({});
  const other = await run({ seed: 8 });
  const untied = await run({ tied: false });
  const strip = (r: typeof a) => r.report.layers.map((l) => l.loss);
  assert.deepEqual(a.kernels, b.kernels);
  assert.deepEqual(strip(a), strip(b));
  assert.notDeepEqual(a.kernels[0], other.kernels[0], 'another seed: other batch orders and masks');
  assert.notDeepEqual(a.kernels[0], untied.kernels[0]);
  assert.deepEqual(a.kernels[2], untied.kernels[2], 'the output layer is never pretrained');
  x.dispose();
});

test('auto decoders: sigmoid for pixels and sigmoid outputs, tanh after tanh, linear otherwise', async () => {
  assert.equal(decoderFor('auto', 'pixels'), 'sigmoid');
  assert.equal(decoderFor('auto', 'sigmoid'), 'sigmoid');
  assert.equal(decoderFor('auto', 'tanh'), 'tanh');
  assert.equal(decoderFor('auto', 'relu'), 'linear');
  assert.equal(decoderFor('linear', 'pixels'), 'linear');
  const tf = await wasmTf();
  const m = model(tf, { ...MLP, activation: 'tanh' });
  const x = images(tf, 100);
  const report = await pretrainLayers(tf, hidden(m), x, { ...SETTINGS, epochs: 1 }, ops(tf));
  assert.deepEqual(report.layers.map((l) => l.decoder), ['sigmoid', 'tanh']);
  x.dispose();
  disposeModel(m);
});

test('a conv layer is refused with its name', async () => {
  const tf = await wasmTf();
  const m = model(tf, { ...MLP, kind: 'cnn', filters: [4], head: [] });
  const x = images(tf, 10);
  await assert.rejects(pretrainLayers(tf, [m.layers[0]], x, SETTINGS, ops(tf)), /layerwisePretrain pretrains dense layers; conv1 is a conv layer/);
  x.dispose();
  disposeModel(m);
});

test('a trial with layerwisePretrain records the pretraining per hidden layer; training sees the labeled part only', async () => {
  const tf = await wasmTf();
  const config = resolveConfig(
    { initializers: [{ name: 'layerwisePretrain', epochs: 2 }, 'glorotUniform'], data: { trainSize: 600, testSize: 200, labeledSize: 97 }, model: { depth: 2, width: 32, activation: 'sigmoid' }, train: { lr: 0.1, epochs: 1, batchSize: 50 } },
    {},
  );
  const split = stratifiedSplit(data, 600, 200, 0);
  const [pre, xavier] = [await runTrial(tf, config, config.initializers[0], 0, data, split), await runTrial(tf, config, config.initializers[1], 0, data, split)];
  assert.equal(pre.status, 'ok');
  assert.equal(pre.pretrain!.images, 600, 'pretraining sees every training image');
  assert.deepEqual(pre.pretrain!.layers.map((l) => [l.layer, l.loss.length]), [['dense1', 2], ['dense2', 2]]);
  assert.equal(xavier.pretrain, undefined);
  assert.ok(trialSchema.safeParse(JSON.parse(JSON.stringify(pre))).success, 'the record fits the results schema');
  // Training on 97 labeled examples: the train accuracy is k / 97. Over all 600 it would be
  // j / 600, and since 97 and 600 are coprime both hold only at 0 and 1.
  const acc = pre.epochs[0].trainAccuracy;
  assert.ok(acc > 0 && acc < 1 && Math.abs(acc * 97 - Math.round(acc * 97)) < 1e-9, `train accuracy ${acc}`);
  const again = await runTrial(tf, config, config.initializers[0], 0, data, split);
  assert.deepEqual(again.pretrain!.layers.map((l) => l.loss), pre.pretrain!.layers.map((l) => l.loss), 'same seed, same pretraining');
  assert.equal(again.final!.testAccuracy, pre.final!.testAccuracy);
});

test('an aborted run stops pretraining at its next step, without leaking tensors', async () => {
  const tf = await wasmTf();
  const m = model(tf);
  const x = images(tf, 100);
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  controller.abort('SIGINT');
  await assert.rejects(pretrainLayers(tf, hidden(m), x, SETTINGS, ops(tf, controller.signal)), (err: Error) => err.name === 'Interrupted' && /SIGINT/.test(err.message));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  disposeModel(m);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../../src/errors.js';
import { compileFileModel } from '../../src/model/file.js';
import { sampleKernels } from '../../src/model/init.js';
import { FILE_LIMITS, nestingDepth, parseModelText, parseTopology } from '../../src/model/keras.js';
import { buildModel, disposeModel, forward } from '../../src/model/network.js';
import { architectureOf, layerPlan, type ModelSettings } from '../../src/model/plan.js';
import type { InitSpec } from '../../src/initializers/registry.js';
import { Rng } from '../../src/util/random.js';
import { conv, dense, kerasCnn, keras3Mlp, oldKerasMlp, residualCnn, tfjsModelJson } from '../fixtures/models.js';
import { wasmTf } from '../helpers.js';

const MNIST = { height: 28, width: 28, classes: 10 };
const settings = (network: ReturnType<typeof parseTopology>) => ({ network, leakySlope: 0.01 }) as unknown as ModelSettings;
const planOf = (json: unknown, data = MNIST) => layerPlan(architectureOf(settings(parseTopology(json)), data));
const spec = (name: string, layers: InitSpec['layers'] = undefined): InitSpec => ({ name, params: {}, label: name, ...(layers ? { layers } : {}) });

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message), `expected a UserError matching ${pattern}`);
}

test('every format reads: Keras 2.0 list, Keras 2.2 Sequential, functional, Keras 3, tfjs model.json', () => {
  assert.deepEqual(planOf(oldKerasMlp()).map((p) => [p.name, p.kind, p.shape, p.activation]), [
    ['dense_1', 'dense', [784, 32], 'tanh'],
    ['dense_2', 'output', [32, 10], 'linear'],
  ]);
  assert.deepEqual(planOf(kerasCnn()).map((p) => [p.name, p.kind, p.shape, p.activation]), [
    ['conv2d_1', 'conv', [3, 3, 1, 4], 'relu'],
    ['conv2d_2', 'conv', [3, 3, 4, 8], 'relu'],
    // 28 -3+1 = 26, /2 = 13, -3+1 = 11, /2 = 5 (floor): 5 * 5 * 8
    ['dense_1', 'output', [200, 10], 'linear'],
  ]);
  assert.deepEqual(planOf(keras3Mlp()).map((p) => [p.name, p.shape, p.file?.init.kernel]), [
    ['hidden', [784, 16], { name: 'heUniform', params: {} }],
    ['out', [16, 10], { name: 'glorotUniform', params: {} }],
  ]);
  const fromTfjs = parseTopology(tfjsModelJson());
  assert.match(fromTfjs.format, /tfjs model\.json, functional/);
  assert.deepEqual(fromTfjs.nodes, parseTopology(residualCnn()).nodes);
});

test('roles from the graph: output, residual branches and their ends, projections, each layer\'s nonlinearity and batch norm', () => {
  const plan = planOf(residualCnn());
  assert.deepEqual(
    plan.map((p) => [p.name, p.kind, p.activation, p.batchNorm, p.residual ? `${p.residual.block}:${p.residual.role}:${p.residual.position}/${p.residual.branchDepth}` : '-', p.file?.useBias]),
    [
      ['stem', 'conv', 'relu', true, '-', true],
      ['b1_conv1', 'conv', 'relu', false, '1:branch:0/2', true],
      ['b1_conv2', 'residualOut', 'relu', false, '1:branch:1/2', true],
      ['b2_proj', 'conv', 'linear', false, '2:projection:0/2', false],
      ['b2_conv1', 'conv', 'relu', false, '2:branch:0/2', true],
      ['b2_conv2', 'residualOut', 'relu', false, '2:branch:1/2', true],
      ['logits', 'output', 'linear', false, '-', true],
    ],
  );
  assert.deepEqual(plan[3].shape, [1, 1, 4, 8]);
  assert.ok(plan.every((p) => p.residual === undefined || p.residual.branches === 2));
});

test('the forward pass is the one tfjs-layers builds from the same JSON (same weights, eval mode)', async () => {
  const tf = await wasmTf();
  for (const json of [residualCnn(), kerasCnn(), oldKerasMlp()]) {
    const arch = architectureOf(settings(parseTopology(json)), MNIST);
    const { kernels } = await sampleKernels(arch, spec('heNormal'), 3);
    const rng = new Rng(9);
    const biases = layerPlan(arch).map((p) => (p.file?.useBias === false ? null : Float32Array.from({ length: p.shape[p.shape.length - 1] }, () => rng.normal() * 0.1)));
    const model = buildModel(tf, arch, kernels, biases);
    const reference = await tfl.models.modelFromJSON({ modelTopology: json } as never);
    for (const layer of model.layers) {
      const weights: Tensor[] = [layer.kernel, ...(layer.file?.useBias === false ? [] : [layer.bias])];
      reference.getLayer(layer.name).setWeights(weights);
    }
    // residualCnn's one batch norm (the stem's): Keras's weight order gamma, beta, moving mean, moving variance.
    const owner = model.layers.find((l) => l.bn);
    if (owner) reference.getLayer('stem_bn').setWeights([owner.bn!.gamma, owner.bn!.beta, owner.bn!.movingMean, owner.bn!.movingVariance]);
    const x = tf.tensor2d(Float32Array.from({ length: 6 * 784 }, () => rng.uniform()), [6, 784]);
    const shaped = tf.reshape(x, [6, ...arch.file!.inputShape]);
    const ours = tf.tidy(() => tf.softmax(forward(tf, model, x, 'eval').logits).arraySync() as number[][]);
    const theirs = (reference.predict(shaped) as Tensor2D).arraySync();
    for (let i = 0; i < 6; i++) for (let k = 0; k < 10; k++) assert.ok(Math.abs(ours[i][k] - theirs[i][k]) < 1e-4, `${arch.file!.plans[0].name}: row ${i} class ${k}: ${ours[i][k]} vs ${theirs[i][k]}`);
    tf.dispose([x, shaped]);
    reference.dispose();
    disposeModel(model);
  }
});

test('a zero branch end makes its block the identity: the pre-activation at the Add is the skip itself', async () => {
  const tf = await wasmTf();
  const arch = architectureOf(settings(parseTopology(residualCnn())), MNIST);
  const { kernels } = await sampleKernels(arch, spec('heNormal', { residualOut: { name: 'zeros', params: {} } }), 0);
  const model = buildModel(tf, arch, kernels);
  const x = tf.randomUniform([4, 784]) as Tensor2D;
  const [skip, sum, branchOut] = tf.tidy(() => {
    const trace = forward(tf, model, x, 'probe');
    return [trace.activations[0], trace.preActivations[2], trace.outputs[2]].map((t) => t.arraySync());
  });
  assert.deepEqual(sum, skip, 'stem relu output + 0 = the sum at b1_add');
  assert.ok((branchOut as number[][][][]).flat(3).every((v) => v === 0));
  // Fixup fills the same roles: zero at both branch ends and the output, He times L^(-1/2) in the branches.
  const fixup = await sampleKernels(arch, spec('fixup'), 0);
  const zeroAt = fixup.kernels.map((k) => k.every((v) => v === 0));
  assert.deepEqual(zeroAt, [false, false, true, false, false, true, true]);
  x.dispose();
  disposeModel(model);
});

test('the file entry samples what the author chose, layer by layer; biases follow the bias initializer', async () => {
  const json = kerasCnn();
  ((json.config as { layers: { config: Record<string, unknown> }[] }).layers[5].config).bias_initializer = { class_name: 'Constant', config: { value: 0.5 } };
  const arch = architectureOf(settings(parseTopology(json)), MNIST);
  const { kernels, biases } = await sampleKernels(arch, spec('file'), 1);
  const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  // conv2d_1: Keras 2.2's glorot, U(+-sqrt(6 / (fanIn + fanOut))) with fans 9 and 36: std sqrt(2 / 45) = 0.211 (36 weights: +-35%).
  assert.ok(Math.abs(std(kernels[0]) / Math.sqrt(2 / 45) - 1) < 0.35, `conv2d_1 std ${std(kernels[0])}`);
  // conv2d_2: He normal, std sqrt(2 / 36) = 0.236 over 288 weights (+-15%).
  assert.ok(Math.abs(std(kernels[1]) / Math.sqrt(2 / 36) - 1) < 0.15, `conv2d_2 std ${std(kernels[1])}`);
  assert.ok(biases[0]!.every((b) => b === 0), 'Zeros, as the file says');
  assert.ok(biases[2]!.every((b) => b === 0.5));
});

test('what cannot run is refused before anything is built, naming the layer, its class and what runs', () => {
  const lstm = kerasCnn();
  (lstm.config as { layers: unknown[] }).layers.splice(4, 0, { class_name: 'LSTM', config: { name: 'lstm_1', units: 8 } });
  refused(() => parseTopology(lstm), /layer lstm_1 \(LSTM\): init-bench does not run LSTM layers; it runs InputLayer, Dense, Conv2D, .*Add/);
  refused(() => planOf(kerasCnn(26)), /the model outputs 26 values \(layer dense_1\) but the data have 10 classes/);
  refused(() => planOf(kerasCnn(10, [32, 32, 3])), /the model's input is \[32,32,3\]; the data are 28x28 grey images \(784 values each\)/);
  refused(() => planOf(oldKerasMlp(), { height: 32, width: 32, classes: 10 }), /input is \[784\]; the data are 32x32/);
  const flat = { class_name: 'Sequential', config: { layers: [conv('c', 4, 'relu', { batch_input_shape: [null, 28, 28, 1] }), dense('d', 10)] } };
  refused(() => planOf(flat), /layer d \(Dense\) reads a \[28,28,4\] tensor; .* Flatten before it/);
  const huge = { class_name: 'Sequential', config: [dense('d', FILE_LIMITS.units + 1, 'relu', { batch_input_shape: [null, 784] }), dense('o', 10)] };
  refused(() => parseTopology(huge), /units is 8193; it must be a whole number from 1 to 8192/);
  const wide = { class_name: 'Sequential', config: [conv('wide', 2048, 'relu', { batch_input_shape: [null, 28, 28, 1] }), { class_name: 'Flatten', config: { name: 'f' } }, dense('o', 10)] };
  refused(() => planOf(wide), /layer wide outputs \[28,28,2048\] \(1605632 values per example\) on 28x28 images; a layer may output at most 1000000/);
  refused(() => parseModelText('['.repeat(100) + ']'.repeat(100)), /nests 100 levels deep/);
  assert.equal(nestingDepth('{"a": "[[[[", "b": [1, {"c": 2}]}'), 3);
  refused(() => parseTopology({ class_name: 'Sequential', config: Array.from({ length: 201 }, (_, i) => dense(`d${i}`, 4)) }), /201 layers; at most 200/);
  refused(() => parseModelText('{"class_name": "Sequential", '), /not valid JSON/);
  refused(() => parseTopology({ foo: 1 }), /not a Keras or tfjs model topology/);
  const softmaxInside = oldKerasMlp();
  ((softmaxInside.config as { config: Record<string, unknown> }[])[0].config).activation = 'softmax';
  refused(() => planOf(softmaxInside), /layer dense_1 applies softmax inside the network/);
  const swish = oldKerasMlp();
  ((swish.config as { config: Record<string, unknown> }[])[0].config).activation = 'swish';
  refused(() => parseTopology(swish), /layer dense_1 \(Dense\): activation "swish"; init-bench runs relu, tanh/);
});

test('an Add whose paths cannot be told apart, or whose skip is deep, is refused', () => {
  const both = residualCnn();
  const layers = (both.config as { layers: { name: string; inbound_nodes: unknown }[] }).layers;
  // b1_add reads b1_conv2 and b1_conv1: both paths from stem_relu hold weight layers, 2 and 1... then 1 and 1:
  layers.find((l) => l.name === 'b1_add')!.inbound_nodes = [[['b1_conv1', 0, 0, {}], ['b1_conv1', 0, 0, {}]]];
  refused(() => planOf(both), /b1_add \(Add\): both paths from b1_conv1 have 0 weight layers/);
  assert.ok(compileFileModel(parseTopology(residualCnn()), MNIST).weights > 0);
});

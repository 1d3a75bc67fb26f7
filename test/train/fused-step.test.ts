import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBackend, type Tf } from '../../src/backend/select.js';
import { resolveConfig } from '../../src/config/load.js';
import { BatchReader } from '../../src/data/batches.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { sampleKernels } from '../../src/model/init.js';
import { architectureOf, buildModel, disposeModel, layerPlan, type Model } from '../../src/model/network.js';
import { fusedStepFor, fusedIneligibility } from '../../src/train/fused-step.js';
import { activeBlas } from '../../src/backend/select.js';
import { train, trainStep, type StepResult } from '../../src/train/loop.js';
import { makeTrainOptimizer, type TrainOptimizer } from '../../src/train/optimizers.js';
import { Rng } from '../../src/util/random.js';

/**
 * The fused step (src/train/fused-step.ts) against the tfjs path it replaces (loop.ts
 * `trainStep`): the same model (same kernels and biases), the same batches, a few steps, per
 * activation and per optimizer. It needs a system BLAS (CI installs libopenblas0); without one
 * the tests are skipped, saying so.
 */
const started = await startBackend('wasm', { blas: 'auto' });
const tf: Tf = started.tf;
const skip = started.label === 'wasm' ? `no system BLAS here (${started.hint})` : false;
const data = loadEmbeddedMnist();
const split = stratifiedSplit(data, 1000, 200, 0);

const BATCH = 32;
const STEPS = 6;
/** The last step's batch is smaller, as an epoch's last batch may be. */
const LAST_BATCH = 20;

function config(model: Record<string, unknown>, optimizer: string, lr: number) {
  return resolveConfig({ initializers: ['heNormal'], data: { trainSize: 1000, testSize: 200 }, model: { ...(model.kind === 'cnn' ? {} : { hidden: [32, 16] }), ...model }, train: { optimizer, lr, batchSize: BATCH, epochs: 1 } }, {});
}

/** Two models with the same kernels and the same nonzero biases (so that the bias path counts), and an optimizer each. */
async function twins(c: ReturnType<typeof config>): Promise<[{ model: Model; optimizer: TrainOptimizer }, { model: Model; optimizer: TrainOptimizer }]> {
  const arch = architectureOf(c.model, data);
  const { kernels } = await sampleKernels(arch, c.initializers[0], 0);
  const rng = new Rng(7);
  const biases = layerPlan(arch).map((p) => Float32Array.from({ length: p.shape[p.shape.length - 1] }, () => 0.1 * rng.normal()));
  const make = () => {
    const model = buildModel(tf, arch, kernels, biases);
    return { model, optimizer: makeTrainOptimizer(tf, c.train.optimizer, c.train.lr, model) };
  };
  return [make(), make()];
}

const values = (model: Model) => model.layers.flatMap((l) => [Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())]);

/** Largest |a - b| / (scale + max |a|) over every value: relative to the tensor's own size. */
function worst(a: number[][], b: number[][]): number {
  let w = 0;
  a.forEach((xs, t) => {
    const size = Math.max(...xs.map(Math.abs));
    xs.forEach((x, i) => (w = Math.max(w, Math.abs(x - b[t][i]) / (1e-3 + size))));
  });
  return w;
}

/**
 * Tolerances. Both paths compute in float32 (unit roundoff 2^-24 ~ 6e-8), with sums of up to 784
 * terms in different orders (tfjs's kernels against OpenBLAS on other operand layouts) and
 * exp/log/tanh from different libraries. Measured on these 6 steps: losses within 5e-7 (relative),
 * gradient norms within 4e-6 (the first layer's: 784-term sums, many of them cancelling), weights
 * within 4e-7 of the tensor's largest value, and 2e-5 under Adam: its step
 * lr m / (sqrt(v) + 1e-7) turns a rounding difference of a gradient near 1e-7 into a difference
 * of the step itself. The bounds are ~10x those; a wrong formula (a missing factor or bias
 * correction, a dropped bias update, another momentum, a wrong activation derivative) moves
 * them by 1e-3 or more.
 */
const LOSS_TOL = 5e-6;
const NORM_TOL = 5e-5;
const WEIGHT_TOL = 2e-4;

/**
 * `threads`: the BLAS's blasThreads for the fused step; more than one gives a CNN step partners
 * (step-partners.ts), each computing a part of a batch, when the batch has `MIN_PART` examples
 * per part (`batch`: the batches' size, `last` the last batch's).
 */
async function compare(name: string, c: ReturnType<typeof config>, threads = 1, batch = BATCH, last = LAST_BATCH): Promise<void> {
  const [a, b] = await twins(c);
  const blas = activeBlas(tf)!;
  blas.setThreads(threads);
  const fused = await fusedStepFor(tf, b.model, b.optimizer, data, batch).finally(() => blas.setThreads(1));
  assert.ok(fused, `${name}: not eligible: ${fusedIneligibility(tf, b.model, b.optimizer)}`);
  assert.equal(fused.threads, c.model.kind === 'cnn' ? threads : 1, `${name}: threads sharing a batch`);
  const reader = new BatchReader(data, batch);
  try {
    for (let s = 0; s < STEPS; s++) {
      const idx = split.train.subarray(s * batch, s * batch + (s === STEPS - 1 ? last : batch));
      const withNorms = s === 0 || s === STEPS - 1;
      const ref = trainStep(tf, a.model, a.optimizer, reader.read(tf, idx), withNorms, 0);
      const got: StepResult = fused.step(idx, withNorms);
      if (process.env.DEBUG_DENSE) console.log(name, s, Math.abs(got.loss - ref.loss) / Math.abs(ref.loss), ref.gradNorms?.map((g, i) => Math.abs(got.gradNorms![i] - g) / g));
      assert.ok(Math.abs(got.loss - ref.loss) <= LOSS_TOL * Math.abs(ref.loss), `${name} step ${s + 1}: loss ${got.loss} against tfjs's ${ref.loss}`);
      assert.equal(got.correct, ref.correct, `${name} step ${s + 1}: correct`);
      assert.equal(got.gradNorms === undefined, ref.gradNorms === undefined);
      ref.gradNorms?.forEach((g, i) => assert.ok(Math.abs(got.gradNorms![i] - g) <= NORM_TOL * g, `${name} step ${s + 1}: layer ${i + 1}'s gradient norm ${got.gradNorms![i]} against ${g}`));
    }
    fused.store(tf);
    const w = worst(values(b.model), values(a.model));
    if (process.env.DEBUG_DENSE) console.log(name, 'weights', w);
    assert.ok(w <= WEIGHT_TOL, `${name}: weights differ by ${w.toExponential(2)} (relative) after ${STEPS} steps`);
    // And they moved: the comparison is not between two untouched models.
    const [c0] = await twins(c);
    assert.ok(worst(values(a.model), values(c0.model)) > 100 * WEIGHT_TOL, `${name}: the weights did not move`);
    for (const t of [c0]) {
      t.optimizer.dispose();
      disposeModel(t.model);
    }
  } finally {
    fused.release();
    for (const t of [a, b]) {
      t.optimizer.dispose();
      disposeModel(t.model);
    }
  }
}

test('fused step equals the tfjs step for every optimizer (ReLU MLP)', { skip }, async () => {
  for (const [optimizer, lr] of [['sgd', 0.1], ['momentum', 0.05], ['adam', 0.003], ['rmsprop', 0.003]] as const) {
    await compare(optimizer, config({}, optimizer, lr));
  }
});

test('fused step equals the tfjs step for every activation (momentum)', { skip }, async () => {
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leakyRelu', 'linear']) {
    await compare(activation, config({ activation, ...(activation === 'leakyRelu' ? { leakySlope: 0.2 } : {}) }, 'momentum', 0.05));
  }
});

test("fused step equals the tfjs step under muP and NTK (forward multipliers, per-layer learning rates)", { skip }, async () => {
  for (const [parametrization, optimizer] of [['mup', 'adam'], ['mup', 'momentum'], ['ntk', 'sgd']] as const) {
    await compare(`${parametrization} ${optimizer}`, config({ parametrization, baseWidth: 8 }, optimizer, optimizer === 'adam' ? 0.003 : 0.05));
  }
});

/**
 * Plain CNNs (conv, activation, max pooling, flattened into the dense layers): few filters, so
 * that the test stays small. The same tolerances hold: a conv's sums have 9 x cin terms (its
 * filter gradient's, batch x positions: up to 32 x 676 here, summed by OpenBLAS against tfjs's
 * kernels in other orders), the first dense layer's 125-392. Measured on these 6 steps: losses
 * within 3e-7 (relative), gradient norms within 8e-7, weights within 7e-7 of the tensor's largest
 * value, 3e-6 under Adam (muP), the bounds ~10x those, as for the MLPs. Pooling routes each
 * gradient to one input, and a wrong choice (another window position, another channel order,
 * a missing ReLU mask) moves the loss or a gradient norm by 1e-2 or more. The geometries: 28 ->
 * valid 3x3 conv 26 -> pool 13 -> 11 -> pool 5 (odd maps: the last row and column dropped);
 * same padding with 3x3 pooling 28 -> 9 (one row and column dropped) -> 3; a 5x5 kernel without
 * pooling. 4 and 8 filters take the SIMD pooling kernel (2x2, a multiple of 4 channels), 3 and 5
 * the JavaScript loop; ReLU layers are pooled before the activation, tanh after it.
 */
const CNN = { kind: 'cnn', filters: [4, 8], head: [] };

test('fused step equals the tfjs step on a CNN for every optimizer (ReLU, valid padding, pool 2 on odd maps)', { skip }, async () => {
  for (const [optimizer, lr] of [['sgd', 0.1], ['momentum', 0.05], ['adam', 0.003], ['rmsprop', 0.003]] as const) {
    await compare(`cnn ${optimizer}`, config(CNN, optimizer, lr));
  }
});

test('fused step equals the tfjs step on CNNs of other activations, paddings, pools and heads', { skip }, async () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['channels not a multiple of 4 (pooled in JavaScript, not SIMD)', { ...CNN, filters: [3, 5] }, 'momentum'],
    ['tanh (pooled after the activation)', { ...CNN, activation: 'tanh' }, 'rmsprop'],
    ['tanh, same padding, pool 3, a head', { ...CNN, filters: [3, 5], activation: 'tanh', padding: 'same', pool: 3, head: [12] }, 'momentum'],
    ['leakyRelu, pool 2', { ...CNN, activation: 'leakyRelu', leakySlope: 0.2 }, 'adam'],
    ['elu, 5x5 kernels, no pooling', { ...CNN, filters: [2, 3], activation: 'elu', kernelSize: 5, pool: 1 }, 'sgd'],
    ['muP', { ...CNN, parametrization: 'mup', baseWidth: 2 }, 'adam'],
    ['muP', { ...CNN, parametrization: 'mup', baseWidth: 2, head: [8] }, 'momentum'],
    ['NTK', { ...CNN, parametrization: 'ntk', baseWidth: 2 }, 'sgd'],
  ];
  for (const [name, model, optimizer] of cases) {
    await compare(`cnn ${name} ${optimizer}`, config(model, optimizer, optimizer === 'adam' || optimizer === 'rmsprop' ? 0.003 : optimizer === 'sgd' && model.parametrization === 'ntk' ? 1 : 0.05));
  }
});

/**
 * Step partners: the batch cut into 2 or 3 parts, each part's gradient computed by its own
 * thread (step-partners.ts), summed, then one update. The batches (53-101 examples) are large
 * enough for these small CNNs' steps to pass PARTNER_MIN_WORK_PER_WEIGHT (the test checks that
 * the partners were taken). The tolerances are the one-thread step's:
 * the parts' sums are grouped otherwise (float32 roundoff), nothing else differs. A part's loss
 * divided by its own size instead of the batch's, a part's gradient dropped or added twice, or
 * stale weights in a partner move a loss, a gradient norm or a weight by far more.
 */
test('fused step with step partners (2 and 3 threads) equals the tfjs step on CNNs; an MLP takes none', { skip }, async () => {
  // [name, model, optimizer, threads, batch]; every last batch has 40 examples: 2 parts of 20,
  // larger than a part of a full batch of 53 on 3 threads (17-18).
  const cases: [string, Record<string, unknown>, string, number, number][] = [
    ['relu', CNN, 'momentum', 2, 69],
    ['relu', CNN, 'adam', 3, 53],
    ['tanh, same padding, pool 3, a head', { ...CNN, filters: [3, 5], activation: 'tanh', padding: 'same', pool: 3, head: [12] }, 'sgd', 2, 69],
    ['muP', { ...CNN, parametrization: 'mup', baseWidth: 2, head: [8] }, 'rmsprop', 3, 101],
    // An MLP's step is too little work for its weights: no partners, one thread (compare checks).
    ['an MLP', { hidden: [32, 16] }, 'momentum', 2, 69],
  ];
  for (const [name, model, optimizer, threads, batch] of cases) {
    await compare(`shared ${threads} ${name} ${optimizer}`, config(model, optimizer, optimizer === 'adam' || optimizer === 'rmsprop' ? 0.003 : 0.05), threads, batch, 40);
  }
});

test('eligibility: plain dense stacks and plain CNNs are fused; batch norm, dropout and residual blocks are not', { skip }, async () => {
  const reason = async (model: Record<string, unknown>) => {
    const c = config(model, 'momentum', 0.05);
    const [a, b] = await twins(c);
    const r = fusedIneligibility(tf, a.model, a.optimizer);
    for (const t of [a, b]) {
      t.optimizer.dispose();
      disposeModel(t.model);
    }
    return r;
  };
  assert.equal(await reason({}), null);
  assert.equal(await reason({ activation: 'tanh', hidden: [8] }), null);
  assert.match((await reason({ batchNorm: true }))!, /batch norm/);
  assert.match((await reason({ dropout: 0.2 }))!, /dropout/);
  assert.match((await reason({ residual: true, hidden: [16, 16, 16] }))!, /residual/);
  assert.equal(await reason({ kind: 'cnn', filters: [4], head: [] }), null);
  assert.equal(await reason({ kind: 'cnn', filters: [4, 8], head: [16], padding: 'same', pool: 1 }), null);
  assert.match((await reason({ kind: 'cnn', filters: [4], head: [], batchNorm: true }))!, /conv1 has batch norm/);
  assert.match((await reason({ kind: 'cnn', filters: [4], head: [8], dropout: 0.2 }))!, /conv1 has dropout/);
  assert.match((await reason({ kind: 'cnn', filters: [4, 4, 4], head: [], residual: true, padding: 'same' }))!, /residual/);
});

test('train() runs a plain MLP and a plain CNN fused and a batch-norm MLP on tfjs, both learning, no tensor left behind', { skip }, async () => {
  for (const [model, path] of [[{}, 'fused'], [{ batchNorm: true }, 'tfjs'], [{ kind: 'cnn', filters: [4, 8], head: [] }, 'fused']] as const) {
    const c = config(model, 'momentum', 0.05);
    const before = tf.memory().numTensors;
    const [a, b] = await twins(c);
    const outcome = await train(tf, a.model, a.optimizer, data, split.train, split.test, { ...c.train, epochs: 2, seed: 0 });
    assert.equal(outcome.path, path, JSON.stringify(model));
    assert.ok(outcome.epochs[1].testAccuracy > 0.6, `${path}: test accuracy ${outcome.epochs[1].testAccuracy}`);
    for (const t of [a, b]) {
      t.optimizer.dispose();
      disposeModel(t.model);
    }
    assert.equal(tf.memory().numTensors, before, `${path}: tensors left behind`);
  }
});

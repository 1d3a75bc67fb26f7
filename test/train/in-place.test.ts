import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Optimizer, Scalar, Tensor } from '@tensorflow/tfjs-core';
import { inPlaceAdam, inPlaceMomentum, inPlaceSgd, updatesInPlace } from '../../src/train/in-place.js';
import { disposeOptimizer } from '../../src/train/optimizers.js';
import { Rng } from '../../src/util/random.js';
import { wasmTf } from '../helpers.js';

// The XNNPACK path: it caches packed weights by tensor id, so a weight changed in place would
// be multiplied stale there; comparing with tfjs's optimizers on this path catches that.
const tf = await wasmTf({ blas: 'off' });

const values = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

/** Ten steps of a small softmax regression from the same start; the final weights. */
function train(optimizer: Optimizer, steps = 10): { weights: Float32Array[]; inPlace: boolean | null } {
  const w = tf.tidy(() => tf.variable(tf.tensor2d(values(20 * 5, 1), [20, 5])));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(values(5, 2))));
  const counts: number[] = [];
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const x = tf.tensor2d(values(16 * 20, 10 + s), [16, 20]);
      const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 16 }, (_, i) => (i * 7 + s) % 5), 'int32'), 5);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, tf.add(tf.matMul(x, w), b)) as Scalar, [w, b]);
      optimizer.applyGradients(grads);
    });
    if (s > 0) counts.push(tf.memory().numTensors);
  }
  assert.equal(new Set(counts).size, 1, `tensors per step: ${counts}`);
  const out = { weights: [w, b].map((v) => v.dataSync() as Float32Array), inPlace: updatesInPlace(optimizer) };
  disposeOptimizer(optimizer);
  tf.dispose([w, b]);
  return out;
}

test('in-place SGD, momentum and Adam give tfjs\'s numbers bit for bit, and free their state', () => {
  const cases: [string, () => Optimizer, () => Optimizer][] = [
    ['sgd', () => tf.train.sgd(0.1), () => inPlaceSgd(tf, 0.1)],
    ['momentum', () => tf.train.momentum(0.05, 0.9), () => inPlaceMomentum(tf, 0.05, 0.9)],
    ['adam', () => tf.train.adam(0.01), () => inPlaceAdam(tf, 0.01)],
  ];
  for (const [name, tfjs, ours] of cases) {
    const expected = train(tfjs());
    const before = tf.memory().numTensors;
    const got = train(ours());
    assert.equal(tf.memory().numTensors, before, `${name}: tensors left behind`);
    assert.equal(got.inPlace, true, `${name}: the in-place path ran`);
    assert.deepEqual(got.weights, expected.weights, name);
    assert.notDeepEqual(got.weights[0], values(100, 1), `${name}: the weights moved`);
  }
});

test('a tensor sharing a weight\'s memory keeps its values (weights get new buffers)', () => {
  const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));
  const alias = tf.reshape(w as Tensor, [3, 1]); // shares w's memory (refCount 2)
  const optimizer = inPlaceSgd(tf, 0.5);
  tf.tidy(() => optimizer.applyGradients({ [w.name]: tf.tensor1d([1, 1, 1]) }));
  assert.equal(updatesInPlace(optimizer), true);
  assert.deepEqual(Array.from(w.dataSync()), [0.5, 1.5, 2.5]);
  assert.deepEqual(Array.from(alias.dataSync()), [1, 2, 3], 'the alias kept its values');
  tf.dispose([w, alias]);
  disposeOptimizer(optimizer);
});

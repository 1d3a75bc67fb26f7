import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '@tensorflow/tfjs-core';
import { wasmTf } from '../helpers.js';
import { CONV_CASES, MATMUL_CASES, expectSameAsCpu, randomValues, type ConvCase } from './against-cpu.js';

/** The XNNPACK path's kernels: the system BLAS is off here (its kernels: blas-kernels.test.ts). */
const wasm = () => wasmTf({ blas: 'off' });

test('transposed matMul on wasm equals cpu, every transpose combination, odd sizes, batched', async () => {
  const tf = await wasm();
  for (const [aShape, bShape, ta, tb] of MATMUL_CASES) {
    const av = randomValues(aShape.reduce((x, y) => x * y), 1);
    const bv = randomValues(bShape.reduce((x, y) => x * y), 2);
    const compute = () => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb);
    await expectSameAsCpu(tf, `${aShape} x ${bShape} (${ta}, ${tb})`, () => tf.tidy(compute));
  }
});

test('Conv2DBackpropFilter on wasm equals cpu over strides, paddings, kernel sizes and odd shapes', async () => {
  const tf = await wasm();
  const cases: ConvCase[] = [...CONV_CASES, { x: [4, 28, 28, 1], f: [3, 3, 1, 16], stride: 1, pad: 'valid' }];
  for (const c of cases) {
    const xv = randomValues(c.x.reduce((a, b) => a * b), 3);
    const fv = randomValues(c.f.reduce((a, b) => a * b), 4);
    // d/dW of sum(conv2d(x, W) * g) is Conv2DBackpropFilter(x, g): the kernel under test.
    const compute = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x);
        const y = tf.conv2d(x, tf.tensor4d(fv, c.f), c.stride, c.pad);
        const g = tf.tensor(randomValues(y.size, 5), y.shape);
        return tf.grad((w: Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as never, c.stride, c.pad), g)))(tf.tensor4d(fv, c.f));
      });
    await expectSameAsCpu(tf, JSON.stringify(c), compute);
  }
});

test('Conv2DBackpropInput on wasm equals cpu (stride 1 runs as a flipped forward conv; others fall back)', async () => {
  const tf = await wasm();
  const cases: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'valid' | 'same' | number }[] = [
    { x: [2, 9, 8, 3], f: [3, 3, 3, 5], stride: 1, pad: 'valid' },
    { x: [2, 9, 8, 3], f: [3, 3, 3, 5], stride: 1, pad: 'same' },
    { x: [1, 7, 6, 2], f: [5, 3, 2, 4], stride: 1, pad: 'same' },
    { x: [1, 6, 5, 3], f: [3, 3, 3, 2], stride: 1, pad: 1 },
    { x: [2, 13, 11, 16], f: [3, 3, 16, 32], stride: 1, pad: 'valid' },
    { x: [2, 11, 13, 2], f: [3, 3, 2, 3], stride: 2, pad: 'same' },
  ];
  for (const c of cases) {
    const xv = randomValues(c.x.reduce((a, b) => a * b), 6);
    const fv = randomValues(c.f.reduce((a, b) => a * b), 7);
    const compute = () =>
      tf.tidy(() => {
        const w = tf.tensor4d(fv, c.f);
        const y = tf.conv2d(tf.tensor4d(xv, c.x), w, c.stride, c.pad);
        const g = tf.tensor(randomValues(y.size, 8), y.shape);
        return tf.grad((x: Tensor) => tf.sum(tf.mul(tf.conv2d(x as never, w, c.stride, c.pad), g)))(tf.tensor4d(xv, c.x));
      });
    await expectSameAsCpu(tf, JSON.stringify(c), compute);
  }
});

test('MaxPoolGrad on wasm equals cpu over windows, strides (overlapping too), paddings and odd sizes', async () => {
  const tf = await wasm();
  const cases: { x: [number, number, number, number]; size: number; stride: number; pad: 'valid' | 'same' }[] = [
    { x: [2, 26, 26, 16], size: 2, stride: 2, pad: 'valid' },
    { x: [2, 11, 11, 3], size: 2, stride: 2, pad: 'valid' },
    { x: [1, 9, 7, 2], size: 3, stride: 2, pad: 'same' },
    { x: [2, 8, 8, 1], size: 3, stride: 1, pad: 'valid' },
  ];
  for (const c of cases) {
    const xv = randomValues(c.x.reduce((a, b) => a * b), 9);
    const compute = () =>
      tf.tidy(() => {
        const y = tf.maxPool(tf.tensor4d(xv, c.x), c.size, c.stride, c.pad);
        const g = tf.tensor(randomValues(y.size, 10), y.shape);
        return tf.grad((x: Tensor) => tf.sum(tf.mul(tf.maxPool(x as never, c.size, c.stride, c.pad), g)))(tf.tensor4d(xv, c.x));
      });
    await expectSameAsCpu(tf, JSON.stringify(c), compute);
  }
});

test('the wasm kernels leak no tensors', async () => {
  const tf = await wasm();
  const before = tf.memory().numTensors;
  const bytes = (tf.memory() as { numBytes: number }).numBytes;
  tf.tidy(() => {
    const x = tf.randomNormal([2, 8, 8, 3]) as import("@tensorflow/tfjs-core").Tensor4D;
    tf.grad((w: Tensor) => tf.sum(tf.conv2d(x, w as never, 1, 'same')))(tf.randomNormal([3, 3, 3, 4]));
    tf.grad((h: Tensor) => tf.sum(tf.maxPool(tf.conv2d(h as never, tf.randomNormal([3, 3, 3, 4]) as never, 1, 'valid'), 2, 2, 'valid')))(x);
    tf.matMul(tf.randomNormal([5, 6]), tf.randomNormal([7, 6]), false, true);
  });
  assert.equal(tf.memory().numTensors, before);
  assert.equal((tf.memory() as { numBytes: number }).numBytes, bytes);
});

test('Identity and same-dtype Cast on wasm share the data; the share outlives its source; other casts convert', async () => {
  const tf = await wasm();
  const before = tf.memory().numTensors;
  const bytes = (tf.memory() as { numBytes: number }).numBytes;
  const x = tf.tensor2d([1.5, -2, 3, 4.25], [2, 2]);
  const clone = tf.clone(x);
  const same = tf.cast(x, 'float32');
  // One buffer for the three: the engine counts data buffers by dataId.
  assert.equal(clone.dataId, x.dataId);
  assert.equal(same.dataId, x.dataId);
  x.dispose();
  assert.deepEqual(Array.from(clone.dataSync()), [1.5, -2, 3, 4.25]);
  clone.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2, 3, 4.25]);
  const ints = tf.cast(same, 'int32');
  assert.notEqual(ints.dataId, same.dataId);
  assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 3, 4]);
  const back = tf.cast(ints, 'float32');
  assert.equal(back.dtype, 'float32');
  assert.deepEqual(Array.from(back.dataSync()), [1, -2, 3, 4]);
  tf.dispose([same, ints, back]);
  assert.equal(tf.memory().numTensors, before);
  assert.equal((tf.memory() as { numBytes: number }).numBytes, bytes);
  // Gradients keep clones of their inputs (ReLU: its input; MaxPool: input and output): they are right.
  await expectSameAsCpu(tf, 'relu and max-pool gradient', () =>
    tf.tidy(() => tf.grad((h: Tensor) => tf.sum(tf.mul(tf.maxPool(tf.relu(h) as never, 2, 2, 'valid'), tf.tensor(randomValues(2 * 3 * 3 * 4, 12), [2, 3, 3, 4]))))(tf.tensor(randomValues(2 * 6 * 6 * 4, 11), [2, 6, 6, 4]))),
  );
});

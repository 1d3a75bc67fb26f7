import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { loadBlas } from '../../src/backend/blas.js';
import { convBackwardArrays, convFilterGradArrays, convForwardArrays, convInfo, convInputGradArrays, keptPatchesLength } from '../../src/backend/blas-conv.js';
import { registerBlasKernels } from '../../src/backend/blas-kernels.js';
import { startBackend, type Tf } from '../../src/backend/select.js';
import { CONV_CASES, MATMUL_CASES, expectSameAsCpu, randomValues, type ConvCase, type MatMulCase } from './against-cpu.js';

/**
 * The BLAS path's kernels (src/backend/blas-kernels.ts) against the cpu backend. They need a
 * system BLAS (CI installs libopenblas0); without one the tests are skipped, saying so.
 */
const started = await startBackend('wasm', { blas: 'auto' });
const tf: Tf = started.tf;
const skip = started.label === 'wasm' ? `no system BLAS here (${started.hint})` : false;

const tensor = (shape: number[], seed: number) => tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed), shape);

test('the BLAS reads inputs and writes its output after the output grew the wasm heap', { skip }, async () => {
  // Runs first in a fresh process: a 4096 x 4096 outer product (64 MB) is the largest
  // allocation so far, so making its output grows wasm memory and detaches older views.
  const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
  const before = heap();
  const a = randomValues(4096, 1);
  const b = randomValues(4096, 2);
  await expectSameAsCpu(tf, 'outer product', () => tf.tidy(() => tf.matMul(tf.tensor2d(a, [4096, 1]), tf.tensor2d(b, [1, 4096]))));
  assert.notEqual(heap(), before, 'the heap did not grow: this test did not exercise growth');
});

test('BLAS matMul equals cpu: every transpose combination, odd and empty sizes, batched, broadcast batches', { skip }, async () => {
  // The shared cases, then what only the BLAS path handles itself: rank 4, broadcast batches, empty and large products.
  const cases: MatMulCase[] = [
    ...MATMUL_CASES,
    [[2, 3, 4, 5], [2, 3, 5, 6], false, false],
    [[1, 6, 5], [4, 5, 3], false, false],
    [[4, 6, 5], [1, 3, 5], false, true],
    [[0, 5], [5, 3], false, false],
    [[3, 0], [0, 4], false, false],
    [[128, 784], [784, 256], false, false],
  ];
  for (const [aShape, bShape, ta, tb] of cases) {
    await expectSameAsCpu(tf, `${aShape} x ${bShape} (${ta}, ${tb})`, () => tf.tidy(() => tf.matMul(tensor(aShape, 1), tensor(bShape, 2), ta, tb)));
  }
});

test('BLAS matMul broadcasts batch axes as numpy does ([2,1] with [3] makes [2,3])', { skip }, async () => {
  // The cpu backend pairs batches by index modulo each side's batch count, right only when one
  // side has a single batch; the reference here broadcasts both operands explicitly first.
  await expectSameAsCpu(tf, '[2,1,6,5] x [3,5,2]', () =>
    tf.tidy(() => {
      const a = tensor([2, 1, 6, 5], 1);
      const b = tensor([3, 5, 2], 2);
      return tf.getBackend() === 'cpu' ? tf.matMul(tf.broadcastTo(a, [2, 3, 6, 5]), tf.broadcastTo(b, [2, 3, 5, 2])) : tf.matMul(a, b);
    }),
  );
});

test('BLAS fused matMul equals cpu for every activation, bias shape and transpose', { skip }, async () => {
  const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid', 'prelu'] as const;
  const biases: (number[] | null)[] = [null, [23], [1], [1, 23], [19, 23], [19, 1]];
  for (const activation of activations) {
    for (const bias of biases) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const label = `${activation}, bias ${bias}, (${ta}, ${tb})`;
        await expectSameAsCpu(tf, label, () =>
          tf.tidy(() =>
            tf.fused.matMul({
              a: tensor(ta ? [31, 19] : [19, 31], 3) as Tensor2D,
              b: tensor(tb ? [23, 31] : [31, 23], 4) as Tensor2D,
              transposeA: ta,
              transposeB: tb,
              bias: bias ? tensor(bias, 5) : undefined,
              activation,
              preluActivationWeights: activation === 'prelu' ? tensor([23], 6) : undefined,
              leakyreluAlpha: 0.3,
            }),
          ),
        );
      }
    }
  }
  // Batched: [2, 7, 9] x [2, 9, 5] with a bias row.
  await expectSameAsCpu(tf, 'batched fused', () => tf.tidy(() => tf.fused.matMul({ a: tensor([2, 7, 9], 7), b: tensor([2, 9, 5], 8), bias: tensor([5], 9), activation: 'relu' })));
});

test('BLAS gradients of a fused dense layer equal cpu (what training runs)', { skip }, async () => {
  const x = randomValues(64 * 50, 10);
  const w = randomValues(50 * 30, 11);
  const bias = randomValues(30, 12);
  const g = randomValues(64 * 30, 13);
  for (const which of [0, 1, 2]) {
    await expectSameAsCpu(tf, `gradient ${['x', 'w', 'bias'][which]}`, () =>
      tf.tidy(() => {
        const f = (xs: Tensor, ws: Tensor, bs: Tensor) => tf.sum(tf.mul(tf.fused.matMul({ a: xs as Tensor2D, b: ws as Tensor2D, bias: bs, activation: 'relu' }), tf.tensor2d(g, [64, 30])));
        return tf.grads(f)([tf.tensor2d(x, [64, 50]), tf.tensor2d(w, [50, 30]), tf.tensor1d(bias)])[which];
      }),
    );
  }
});

test('BLAS Sum over leading axes equals cpu (keepDims too); other axes, all axes, int32 and empty tensors as before', { skip }, async () => {
  const cases: [number[], number | number[], boolean][] = [
    [[5, 7, 3, 4], [0, 1, 2], false],
    [[5, 7, 3, 4], [2, 0, 1], true],
    [[33, 17], 0, false],
    [[6, 5, 4], [0, 1], true],
    [[6, 5, 4], [1, 2], false],
    [[6, 5, 4], [0, 2], false],
    [[6, 5, 4], [0, 1, 2], false],
    [[0, 5], 0, false],
    [[4, 0], 0, false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    await expectSameAsCpu(tf, `sum ${shape} over ${axis} keepDims ${keepDims}`, () =>
      tf.tidy(() => {
        const y = tf.sum(tensor(shape, 24), axis, keepDims);
        assert.equal(y.rank, keepDims ? shape.length : shape.length - tf.util.parseAxisParam(axis, shape).length);
        return y;
      }),
    );
  }
  const ints = tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0);
  assert.equal(ints.dtype, 'int32');
  assert.deepEqual(Array.from(ints.dataSync()), [9, 12]);
  ints.dispose();
});

test('BLAS Add of a bias row equals cpu, either operand the row; other broadcasts and int32 as before', { skip }, async () => {
  const cases: [number[], number[]][] = [
    [[6, 5, 4, 3], [3]],
    [[3], [6, 5, 4, 3]],
    [[7, 3], [1, 3]],
    [[2, 1, 3], [1, 1, 3]],
    [[1, 3], [1, 1, 3]],
    [[5, 1], [1]],
    [[0, 4], [4]],
    [[4, 3], [4, 3]],
    [[4, 1], [1, 3]],
    [[2, 5, 3], [5, 1]],
    [[4], [4]],
  ];
  for (const [aShape, bShape] of cases) {
    await expectSameAsCpu(tf, `add ${aShape} + ${bShape}`, () => tf.tidy(() => tf.add(tensor(aShape, 25), tensor(bShape, 26))));
  }
  const ints = tf.add(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor1d([10, 20], 'int32'));
  assert.equal(ints.dtype, 'int32');
  assert.deepEqual(Array.from(ints.dataSync()), [11, 22, 13, 24]);
  ints.dispose();
});

test('BLAS products and convolutions are deterministic and leak no tensors', { skip }, async () => {
  const tensors = tf.memory().numTensors;
  const bytes = (tf.memory() as { numBytes: number }).numBytes;
  const run = () =>
    tf.tidy(() => {
      const a = tensor([65, 47], 14) as Tensor2D;
      const b = tensor([47, 33], 15) as Tensor2D;
      const x = tensor([2, 9, 9, 8], 19) as Tensor4D;
      const conv = tf.grad((w: Tensor) => tf.sum(tf.fused.conv2d({ x, filter: w as Tensor4D, strides: 1, pad: 'same', bias: tensor([16], 20), activation: 'relu' })))(tensor([3, 3, 8, 16], 21));
      return [conv, tf.fused.matMul({ a, b, bias: tensor([33], 16), activation: 'relu' }), tf.fused.matMul({ a, b, bias: tensor([65, 1], 17), activation: 'sigmoid' }), tf.matMul(a, tensor([65, 33], 18), true, false)].map((t) => Array.from(t.dataSync()));
    });
  assert.deepEqual(run(), run());
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal((tf.memory() as { numBytes: number }).numBytes, bytes);
});

test('BLAS convolutions equal cpu: forward (plain and fused), backprop input and filter, over strides, paddings, kernel sizes, odd shapes, both lowerings, in chunks', { skip }, async () => {
  const blas = (await loadBlas('auto')).blas!;
  const cases: ConvCase[] = [
    ...CONV_CASES,
    { x: [2, 13, 11, 16], f: [3, 3, 16, 32], stride: 1, pad: 'valid' },
    { x: [3, 8, 9, 1], f: [3, 2, 1, 5], stride: 1, pad: 'same' },
    { x: [2, 7, 7, 2], f: [3, 3, 2, 3], stride: 2, pad: 1 },
    { x: [2, 9, 8, 1], f: [3, 2, 1, 4], stride: [2, 3], pad: 'same' },
  ];
  // Every convolution on the BLAS here, whatever its channel count (in runs, thin layers may keep
  // XNNPACK): every stride-1 case by shifted views, then every case by im2col; each with chunks
  // as large as the default and of one image.
  for (const shifted of [1, Infinity]) {
    for (const chunkFloats of [1 << 18, 1]) {
      registerBlasKernels(tf, blas, { forward: 1, backpropInput: 1, backpropFilter: 1, shifted, chunkFloats });
      for (const c of cases) {
        const label = `${JSON.stringify(c)} shifted from ${shifted} channels, chunks of ${chunkFloats} floats`;
        const x = () => tensor(c.x, 20) as Tensor4D;
        const w = () => tensor(c.f, 21) as Tensor4D;
        await expectSameAsCpu(tf, `forward ${label}`, () => tf.tidy(() => tf.conv2d(x(), w(), c.stride, c.pad)));
        for (const activation of ['relu', 'sigmoid'] as const) {
          await expectSameAsCpu(tf, `fused ${activation} ${label}`, () => tf.tidy(() => tf.fused.conv2d({ x: x(), filter: w(), strides: c.stride, pad: c.pad, bias: tensor([c.f[3]], 22), activation })));
        }
        // d/dW and d/dx of sum(conv2d(x, W) * g): the backprop kernels under test.
        const loss = (xs: Tensor, ws: Tensor) => {
          const y = tf.conv2d(xs as Tensor4D, ws as Tensor4D, c.stride, c.pad);
          return tf.sum(tf.mul(y, tensor(y.shape, 23)));
        };
        await expectSameAsCpu(tf, `backprop filter ${label}`, () => tf.tidy(() => tf.grad((ws: Tensor) => loss(x(), ws))(w())));
        await expectSameAsCpu(tf, `backprop input ${label}`, () => tf.tidy(() => tf.grad((xs: Tensor) => loss(xs, w()))(x())));
      }
    }
  }
  registerBlasKernels(tf, blas);
});

test('both gradients of a convolution in one pass, from the patches its forward pass kept, equal each gradient alone bit for bit', { skip }, async () => {
  // What the fused training step runs (one pass, kept patches) against what the tfjs kernels run
  // (each gradient alone, its patches lowered again; checked against cpu above). A scratch buffer
  // shared by the two gradients, or a kept patch in the wrong place, changes values here. (Bit
  // for bit: OpenBLAS packs its operands, so where they lie in memory does not change its sums.)
  const blas = (await loadBlas('auto')).blas!;
  const cases: ConvCase[] = [
    ...CONV_CASES,
    { x: [5, 13, 11, 16], f: [3, 3, 16, 8], stride: 1, pad: 'valid' },
    { x: [7, 12, 12, 1], f: [3, 3, 1, 4], stride: 1, pad: 'valid' },
    { x: [5, 9, 8, 1], f: [3, 2, 1, 4], stride: 1, pad: 'same' },
    { x: [4, 11, 10, 1], f: [3, 3, 1, 2], stride: 2, pad: 'valid' },
  ];
  let keptSome = false;
  for (const shifted of [1, Infinity]) {
    // Chunks of one image, of several with a partial last one (2000 floats: 2, 2, 2, 1 of the
    // 12x12 single-channel case), and of the whole batch.
    for (const chunkFloats of [1 << 16, 2000, 300, 1]) {
      const choice = { forward: 1, backpropInput: 1, backpropFilter: 1, shifted, chunkFloats };
      for (const k of cases) {
        const c = convInfo(tf, k.x, k.f, { strides: k.stride, pad: k.pad });
        const n = k.x[0];
        const x = randomValues(k.x.reduce((a, b) => a * b, 1), 30);
        const w = randomValues(k.f.reduce((a, b) => a * b, 1), 31);
        const dy = randomValues(n * c.outHeight * c.outWidth * c.outChannels, 32);
        const label = `${JSON.stringify(k)} shifted from ${shifted} channels, chunks of ${chunkFloats} floats`;
        const yAlone = new Float32Array(dy.length);
        const dwAlone = new Float32Array(w.length);
        const dxAlone = new Float32Array(x.length);
        convForwardArrays(blas, c, n, x, w, yAlone, null, choice, 0.5);
        convFilterGradArrays(blas, c, n, x, dy, dwAlone, choice, 0.5);
        convInputGradArrays(blas, c, n, dy, w, dxAlone, choice, 0.5);
        const length = keptPatchesLength(c, n, choice);
        // Sized for a larger batch than this one, as the training step's buffers are.
        const kept = length === null ? undefined : new Float32Array(keptPatchesLength(c, n + 3, choice)!).fill(NaN);
        keptSome ||= kept !== undefined;
        const y = new Float32Array(dy.length);
        convForwardArrays(blas, c, n, x, w, y, null, choice, 0.5, kept);
        assert.deepEqual(y, yAlone, `forward pass keeping its patches: ${label}`);
        for (const keep of kept ? [kept, undefined] : [undefined]) {
          const dw = new Float32Array(w.length).fill(NaN);
          const dx = new Float32Array(x.length).fill(NaN);
          convBackwardArrays(blas, c, n, x, dy, w, dw, dx, choice, 0.5, keep);
          assert.deepEqual(dw, dwAlone, `filter gradient, ${keep ? 'kept patches' : 'patches lowered again'}: ${label}`);
          assert.deepEqual(dx, dxAlone, `input gradient, ${keep ? 'kept patches' : 'patches lowered again'}: ${label}`);
        }
        if (kept) assert.throws(() => convBackwardArrays(blas, c, n + 4, x, dy, w, null, null, choice, 0.5, kept), /kept patches: \d+ floats for \d+ images/);
      }
    }
  }
  assert.ok(keptSome, 'no case kept patches: the kept path went untested');
});

test('the backend label names the BLAS and its version', { skip }, () => {
  assert.match(started.label, /^wasm\+(openblas|mkl|blis|accelerate|blas)( [\d.]+)?$/);
  assert.equal(started.hint, null);
});

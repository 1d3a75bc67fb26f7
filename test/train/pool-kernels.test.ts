import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateKernels, updateKernelsAvailable, type PoolShape } from '../../src/train/update-kernels.js';
import { Rng } from '../../src/util/random.js';

/**
 * The wasm SIMD 2x2 max pooling and its adjoint (src/train/update-kernels.ts) against a plain
 * loop of the rule they implement: the first maximum of each window in scan order (tfjs's
 * MaxPoolGrad routes the gradient there), on values drawn from a few levels so that ties are
 * common, on odd map sizes (the last row and column in no window), with and without ReLU. The
 * comparisons are exact: no arithmetic, only choices and copies.
 */
const skip = updateKernelsAvailable() ? false : 'no WebAssembly SIMD in this engine';

function arena(shape: PoolShape, n: number) {
  const full = n * shape.inH * shape.inW * shape.channels;
  const pooled = n * shape.outH * shape.outW * shape.channels;
  const k = updateKernels(2 * full + 4 * pooled + 64)!;
  const indices = k.alloc(pooled);
  return { k, x: k.alloc(full), dx: k.alloc(full), pooled: k.alloc(pooled), dPooled: k.alloc(pooled), h: k.alloc(pooled), argmax: new Int32Array(indices.buffer, indices.byteOffset, pooled) };
}

/** The first maximum of each window in scan order, and its index. */
function reference(x: Float32Array, n: number, { inH, inW, channels, outH, outW }: PoolShape): { max: number[]; at: number[] } {
  const max: number[] = [];
  const at: number[] = [];
  for (let b = 0; b < n; b++)
    for (let r = 0; r < outH; r++)
      for (let q = 0; q < outW; q++)
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let where = -1;
          for (let dr = 0; dr < 2; dr++)
            for (let dc = 0; dc < 2; dc++) {
              const i = ((b * inH + 2 * r + dr) * inW + 2 * q + dc) * channels + c;
              if (where < 0 || x[i] > best) [best, where] = [x[i], i];
            }
          max.push(best);
          at.push(where);
        }
  return { max, at };
}

const shapes: [number, PoolShape][] = [
  [3, { inH: 6, inW: 8, channels: 4, outH: 3, outW: 4 }],
  [2, { inH: 11, inW: 11, channels: 8, outH: 5, outW: 5 }],
  [1, { inH: 5, inW: 7, channels: 12, outH: 2, outW: 3 }],
];

test('2x2 max pooling: the first maximum of each window in scan order, ties included; its adjoint writes every position', { skip }, () => {
  const rng = new Rng(3);
  for (const [n, shape] of shapes) {
    for (const relu of [false, true]) {
      const a = arena(shape, n);
      // Four levels (ties in most windows), -0 among them.
      a.x.forEach((_, i) => (a.x[i] = [-1, -0, 0, 0.5][Math.floor(rng.uniform() * 4)]));
      a.k.maxPool2(a.x, a.pooled, a.argmax, n, shape, relu);
      const ref = reference(a.x, n, shape);
      ref.max.forEach((m, o) => {
        assert.equal(a.argmax[o], ref.at[o], `${JSON.stringify(shape)} relu ${relu}: index of window ${o}`);
        // ReLU on the bits gives +0 for every value <= 0 (-0 included).
        assert.ok(Object.is(a.pooled[o], relu && m <= 0 ? 0 : m), `${JSON.stringify(shape)} relu ${relu}: max of window ${o}: ${a.pooled[o]} against ${m}`);
      });
      // The adjoint: stale values in dx first, to see that every position is written.
      a.dx.fill(7);
      a.dPooled.forEach((_, i) => (a.dPooled[i] = 1 + i));
      if (relu) a.h.set(a.pooled);
      a.k.unpool2(a.dPooled, a.argmax, a.dx, n, shape, relu ? a.h : undefined);
      const expected = new Float32Array(a.dx.length);
      ref.at.forEach((i, o) => (expected[i] = relu && a.pooled[o] === 0 ? 0 : a.dPooled[o]));
      assert.deepEqual(Array.from(a.dx), Array.from(expected), `${JSON.stringify(shape)} relu ${relu}: the adjoint`);
    }
  }
});

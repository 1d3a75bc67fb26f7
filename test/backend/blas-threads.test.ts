import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBlas, productThreads, SPLIT_MIN_MULTIPLY_ADDS, SPLIT_MIN_SIDE } from '../../src/backend/blas.js';

/**
 * More BLAS threads (--blas-threads) split only the products large enough to gain: the rule
 * (productThreads), and the library's own thread count around each product (OpenBLAS tells it:
 * openblas_get_num_threads; without a library that tells, those tests are skipped, saying so).
 */

test('a product is split only when every side is at least 64 and it has at least 2^24 multiply-adds', () => {
  assert.equal(SPLIT_MIN_SIDE, 64);
  assert.equal(SPLIT_MIN_MULTIPLY_ADDS, 2 ** 24);
  // The CNN's thin products (slower split) and the default MLP's (no gain in a whole trial): one thread.
  assert.equal(productThreads(2000, 32, 16, 2), 1);
  assert.equal(productThreads(16, 32, 2000, 2), 1);
  assert.equal(productThreads(64, 256, 784, 2), 1);
  // A 1024-wide layer at batch 256, and a huge product with one thin side.
  assert.equal(productThreads(256, 1024, 784, 2), 2);
  assert.equal(productThreads(256, 1024, 784, 4), 4);
  assert.equal(productThreads(1 << 20, 63, 1024, 2), 1);
  // The boundary: 256 x 256 x 256 is exactly 2^24.
  assert.equal(productThreads(256, 256, 256, 2), 2);
  assert.equal(productThreads(256, 256, 255, 2), 1);
  // One thread allowed: one thread.
  assert.equal(productThreads(1024, 1024, 1024, 1), 1);
});

const found = await loadBlas('auto');
const blas = found.blas;
const skip = !blas ? `no system BLAS here (${found.reasons.join('; ')})` : blas.threads() === null ? `${blas.name} does not tell its thread count` : false;

/** Runs an m x n x k product on `handle` and returns the library's thread count just after it. */
function threadsAfter(handle: NonNullable<typeof blas>, m: number, n: number, k: number): number | null {
  handle.sgemm(false, false, m, n, k, new Float32Array(m * k).fill(0.5), new Float32Array(k * n).fill(0.25), 0, new Float32Array(m * n));
  return handle.threads();
}

test('with 2 threads allowed, the library runs thin products on 1 and large ones on 2; allowing 1 ends it', { skip }, () => {
  const b = blas!;
  b.setThreads(2);
  try {
    assert.equal(threadsAfter(b, 2000, 32, 16), 1);
    assert.equal(threadsAfter(b, 256, 256, 256), 2);
    assert.equal(threadsAfter(b, 64, 256, 784), 1);
    assert.equal(threadsAfter(b, 512, 512, 64), 2);
  } finally {
    b.setThreads(1);
  }
  assert.equal(threadsAfter(b, 512, 512, 64), 1);
});

test('two handles on one library share its setting: a split product on one does not leave the other split', { skip }, async () => {
  const other = (await loadBlas(blas!.path)).blas!;
  assert.equal(other.path, blas!.path);
  other.setThreads(2);
  try {
    assert.equal(threadsAfter(other, 256, 256, 256), 2);
    // This handle allows 1 thread: its product runs on 1, though the other handle left the library on 2.
    assert.equal(threadsAfter(blas!, 256, 256, 256), 1);
  } finally {
    other.setThreads(1);
  }
});

import assert from 'node:assert/strict';
// The reference backend: registered by its package (init-bench loads it only when asked for).
import '@tensorflow/tfjs-backend-cpu';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../../src/backend/select.js';
import { Rng } from '../../src/util/random.js';

/**
 * Kernels init-bench adds to the wasm backend are checked against the cpu backend (pure JS,
 * tfjs's reference) on the same inputs: relative error (max |a - b| / max |b|) <= 1e-4. Float32
 * sums of a few thousand terms in a different order differ by ~1e-6 relative; a wrong index
 * (a shifted tap, a swapped axis) gives errors of order 1.
 */
export const TOLERANCE = 1e-4;

export function randomValues(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

async function onBackend(tf: Tf, name: 'cpu' | 'wasm', fn: () => Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  try {
    const t = fn();
    const values = (await t.data()) as Float32Array;
    t.dispose();
    return values;
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Runs `compute` on wasm and on cpu and asserts the results agree within TOLERANCE. */
export async function expectSameAsCpu(tf: Tf, label: string, compute: () => Tensor): Promise<void> {
  const err = relativeError(await onBackend(tf, 'wasm', compute), await onBackend(tf, 'cpu', compute));
  assert.ok(err <= TOLERANCE, `${label}: ${err}`);
}

function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

/** A matMul case: the shapes of a and b, and whether each is transposed. */
export type MatMulCase = [number[], number[], boolean, boolean];

/** Awkward products every matMul kernel is checked on: every transpose combination, odd sizes, batched. */
export const MATMUL_CASES: MatMulCase[] = [
  [[37, 53], [53, 29], false, false],
  [[53, 37], [53, 29], true, false],
  [[37, 53], [29, 53], false, true],
  [[53, 37], [29, 53], true, true],
  [[3, 17, 5], [3, 17, 7], true, false],
  [[2, 9, 11], [2, 13, 11], false, true],
  [[1, 1], [1, 1], true, true],
];

export interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: 'valid' | 'same' | number;
}

/** Awkward convolutions every conv kernel is checked on: odd sizes, strides per axis, explicit and same padding, 1x1 taps. */
export const CONV_CASES: ConvCase[] = [
    { x: [2, 7, 7, 1], f: [3, 3, 1, 4], stride: 1, pad: 'valid' },
    { x: [3, 9, 8, 3], f: [3, 3, 3, 5], stride: 1, pad: 'same' },
    { x: [2, 11, 13, 2], f: [5, 3, 2, 3], stride: 2, pad: 'same' },
    { x: [2, 10, 10, 4], f: [2, 2, 4, 6], stride: [2, 1], pad: 'valid' },
    { x: [1, 6, 5, 3], f: [3, 3, 3, 2], stride: 1, pad: 1 },
    { x: [1, 5, 5, 2], f: [1, 1, 2, 3], stride: 3, pad: 'valid' },
];

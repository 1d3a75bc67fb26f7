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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBlas } from '../../src/backend/blas.js';
import type { Dataset } from '../../src/data/dataset.js';
import { FusedStep, type FusedPlan } from '../../src/train/fused-step.js';
import { acquirePartners, MAX_PARTS, MIN_PART, partsOf } from '../../src/train/step-partners.js';
import { Rng } from '../../src/util/random.js';

/**
 * The step partners' protocol (step-partners.ts), without tfjs: a partner thread's part equals
 * the same part computed in this thread by a fused step of the same plan, bit for bit (the same
 * code on the same BLAS with one thread), on the weights this thread shares; a released thread
 * serves the next plan; a thread that cannot start says why. It needs a system BLAS.
 */
const found = await loadBlas('auto');
const skip = found.blas ? false : `no system BLAS here (${found.reasons.join('; ')})`;

/** 200 random 4 x 4 "images" of 3 classes. */
function dataset(): Dataset {
  const rng = new Rng(3);
  const count = 200;
  return { images: Float32Array.from({ length: count * 16 }, () => rng.uniform()), pixelScale: 1, labels: Uint8Array.from({ length: count }, (_, i) => i % 3), count, height: 4, width: 4, classes: 3, source: 'test' };
}

/** A dense net 16 -> hidden -> 3 (the protocol does not depend on the layers' kind). */
function plan(hidden: number): FusedPlan {
  const layer = (fanIn: number, units: number, activation: 'relu' | 'linear') => ({ geometry: { op: 'dense' as const, fanIn, units }, shape: [fanIn, units], activation, c: 1, lr: { kernel: 1, vector: 1 } });
  return { layers: [layer(16, hidden, 'relu'), layer(hidden, 3, 'linear')], spec: { name: 'sgd', lr: 0.1 }, leakySlope: 0.2 };
}

test("a partner's part equals this thread's computation of it; a released thread serves the next plan", { skip }, async () => {
  const blas = found.blas!;
  const data = dataset();
  for (const hidden of [8, 5]) {
    const here = new FusedStep(blas, plan(hidden), data, null);
    const rng = new Rng(hidden);
    here.flat('weightsIn', Float32Array.from({ length: here.size }, () => rng.normal() * 0.3));
    const partners = await acquirePartners(1, plan(hidden), here.size, data, 64, blas.path);
    try {
      here.flat('weightsOut', partners.weights);
      const part = Int32Array.from({ length: 30 }, (_, i) => (i * 7) % 200);
      partners.start(0, part, 60);
      const theirs = partners.finish(0);
      const mine = here.pass(part, 60, false, false);
      assert.equal(theirs.lossSum, mine.lossSum, `hidden ${hidden}: loss sum`);
      assert.equal(theirs.correct, mine.correct);
      const mineFlat = new Float32Array(here.size);
      here.flat('gradientsOut', mineFlat);
      assert.deepEqual(Array.from(theirs.gradients), Array.from(mineFlat), `hidden ${hidden}: gradient`);
      // The gradient is not zero: the comparison is of something.
      assert.ok(mineFlat.some((g) => g !== 0));
    } finally {
      partners.release();
    }
  }
});

test('a partner thread that cannot start says why', { skip }, async () => {
  await assert.rejects(acquirePartners(1, plan(4), 16 * 4 + 4 + 4 * 3 + 3, dataset(), 64, '/nonexistent/libblas.so.0'), { message: /^a step partner thread could not start: the BLAS at \/nonexistent\/libblas.so.0 cannot load here: .*; run with --blas-threads 1 to train on one thread$/ });
});

test('a batch is cut into parts of at least MIN_PART examples, at most one per thread and at most MAX_PARTS', () => {
  assert.equal(partsOf(128, 1), 1);
  assert.equal(partsOf(128, 2), 2);
  assert.equal(partsOf(2 * MIN_PART - 1, 4), 1);
  assert.equal(partsOf(3 * MIN_PART, 4), 3);
  // --blas-threads goes to 1,024: the threads of one trial stay bounded (memory).
  assert.equal(partsOf(60_000, 1024), MAX_PARTS);
});

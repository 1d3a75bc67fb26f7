import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { labeledSubset, quotas, stratifiedSplit } from '../../src/data/split.js';
import { UserError } from '../../src/errors.js';

const mnist = loadEmbeddedMnist();

function classCounts(d: Dataset, idx: Int32Array): number[] {
  const counts = new Array(d.classes).fill(0);
  for (const i of idx) counts[d.labels[i]]++;
  return counts;
}

test('the embedded MNIST has 10,000 digits of every class, pixels in [0, 1]', () => {
  assert.equal(mnist.count, 10000);
  assert.equal(mnist.images.length, 10000 * 784);
  const counts = classCounts(mnist, Int32Array.from({ length: mnist.count }, (_, i) => i));
  for (const c of counts) assert.ok(c > 800 && c < 1200, `class count ${c}`);
  let min = Infinity;
  let max = -Infinity;
  for (const v of mnist.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, 0);
  assert.ok(max <= 1 && max > 0.99);
});

test('the split is stratified: each class keeps its share on both sides (within one example)', () => {
  const { train, test: testIdx } = stratifiedSplit(mnist, 8000, 2000, 0);
  assert.equal(train.length, 8000);
  assert.equal(testIdx.length, 2000);
  const all = classCounts(mnist, Int32Array.from({ length: mnist.count }, (_, i) => i));
  const tr = classCounts(mnist, train);
  const te = classCounts(mnist, testIdx);
  all.forEach((n, c) => {
    assert.ok(Math.abs(tr[c] - (n * 8000) / 10000) <= 1, `train class ${c}: ${tr[c]} of ${n}`);
    assert.ok(Math.abs(te[c] - (n * 2000) / 10000) <= 1, `test class ${c}: ${te[c]} of ${n}`);
  });
});

test('train and test are disjoint and not a tail of the class-sorted data', () => {
  const { train, test: testIdx } = stratifiedSplit(mnist, 6000, 1000, 3);
  const seen = new Set(train);
  for (const i of testIdx) assert.ok(!seen.has(i));
  assert.equal(seen.size, train.length);
  // The test set's labels are interleaved, not in class blocks.
  let changes = 0;
  for (let i = 1; i < testIdx.length; i++) if (mnist.labels[testIdx[i]] !== mnist.labels[testIdx[i - 1]]) changes++;
  assert.ok(changes > testIdx.length / 2, `only ${changes} label changes`);
});

test('the split is seeded: same seed same split, another seed another split', () => {
  const a = stratifiedSplit(mnist, 1000, 500, 7);
  const b = stratifiedSplit(mnist, 1000, 500, 7);
  const c = stratifiedSplit(mnist, 1000, 500, 8);
  assert.deepEqual(a.train, b.train);
  assert.deepEqual(a.test, b.test);
  assert.notDeepEqual(a.train, c.train);
});

test('asking for more examples than exist is a user error', () => {
  assert.throws(() => stratifiedSplit(mnist, 9000, 2000, 0), (e: unknown) => e instanceof UserError && /exceeds the 10000 examples/.test(e.message));
});

test('quotas add up and never exceed a class', () => {
  assert.deepEqual(quotas([5, 5], 3).reduce((a, b) => a + b, 0), 3);
  assert.deepEqual(quotas([1, 9], 10), [1, 9]);
  const q = quotas([3, 3, 4], 7);
  assert.equal(q.reduce((a, b) => a + b, 0), 7);
  q.forEach((v, i) => assert.ok(v <= [3, 3, 4][i]));
});

test('labeledSubset: the first examples of each class in the training order, in proportion, order kept', () => {
  const split = stratifiedSplit(mnist, 8000, 2000, 0);
  const labeled = labeledSubset(mnist, split.train, 1000);
  assert.equal(labeled.length, 1000);
  assert.deepEqual(classCounts(mnist, labeled), quotas(classCounts(mnist, split.train), 1000));
  const position = new Map(Array.from(split.train, (v, i) => [v, i]));
  const at = Array.from(labeled, (v) => position.get(v)!);
  assert.ok(at.every((p, i) => i === 0 || p > at[i - 1]), 'a subsequence of the training order');
  // Every class's examples are its first ones in the training order: none skipped before the last kept.
  for (let c = 0; c < 10; c++) {
    const kept = at.filter((p) => mnist.labels[split.train[p]] === c);
    const last = kept[kept.length - 1];
    const before = Array.from(split.train.subarray(0, last + 1)).filter((v) => mnist.labels[v] === c).length;
    assert.equal(before, kept.length, `class ${c}`);
  }
  assert.equal(labeledSubset(mnist, split.train, 8000), split.train, 'all of them: the training set itself');
});

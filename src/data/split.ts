/**
 * A seeded, stratified train/test split: each class contributes to both sides in proportion to
 * its share of the data, and the examples of a class are drawn in a seeded random order (never
 * the tail of class-sorted data).
 */
import { UserError } from '../errors.js';
import { deriveSeed, Rng } from '../util/random.js';
import type { Dataset } from './dataset.js';

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

export function stratifiedSplit(data: Dataset, trainSize: number, testSize: number, seed: number): Split {
  if (trainSize + testSize > data.count) {
    throw new UserError(`train size ${trainSize} + test size ${testSize} = ${trainSize + testSize} exceeds the ${data.count} examples of ${data.source}`);
  }
  const rng = new Rng(deriveSeed(seed, 'split'));
  const byClass: number[][] = Array.from({ length: data.classes }, () => []);
  for (let i = 0; i < data.count; i++) byClass[data.labels[i]].push(i);
  for (const members of byClass) rng.shuffle(members);
  const trainQuota = quotas(byClass.map((m) => m.length), trainSize);
  const left = byClass.map((m, c) => m.length - trainQuota[c]);
  const testQuota = quotas(left, testSize);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((members, c) => {
    train.push(...members.slice(0, trainQuota[c]));
    test.push(...members.slice(trainQuota[c], trainQuota[c] + testQuota[c]));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

/**
 * Splits `total` over classes in proportion to `sizes` (largest remainder), never taking more
 * than a class has.
 */
export function quotas(sizes: number[], total: number): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (sum ? (s * total) / sum : 0));
  const out = exact.map((e, i) => Math.min(sizes[i], Math.floor(e)));
  let missing = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  while (missing > 0) {
    let progressed = false;
    for (const { i } of order) {
      if (missing > 0 && out[i] < sizes[i]) {
        out[i]++;
        missing--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return out;
}

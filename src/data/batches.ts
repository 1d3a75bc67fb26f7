/**
 * Batches of examples as tensors the caller disposes, gathered straight into them (on wasm: into
 * its heap; no staging copy and no per-step garbage). Used by training, the diagnostics and
 * data-dependent initializers.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { filledTensor, type Tf } from '../backend/tf.js';
import { deriveSeed, Rng } from '../util/random.js';
import { gatherBatch, pixelsPerImage, type Dataset } from './dataset.js';

export interface Batch {
  x: Tensor2D;
  labels: Tensor;
  oneHot: Tensor2D;
}

export function disposeBatch(tf: Tf, batch: Batch): void {
  tf.dispose([batch.x, batch.labels, batch.oneHot]);
}

export class BatchReader {
  private readonly labels: Int32Array;

  constructor(private readonly data: Dataset, maxBatch: number) {
    this.labels = new Int32Array(maxBatch);
  }

  read(tf: Tf, indices: Int32Array): Batch {
    const n = indices.length;
    const classes = this.data.classes;
    const x = filledTensor(tf, [n, pixelsPerImage(this.data)], 'float32', (pixels) => gatherBatch(this.data, indices, pixels, this.labels)) as Tensor2D;
    const labels = filledTensor(tf, [n], 'int32', (v) => v.set(this.labels.subarray(0, n)));
    const oneHot = filledTensor(tf, [n, classes], 'float32', (v) => {
      v.fill(0);
      for (let b = 0; b < n; b++) v[b * classes + this.labels[b]] = 1;
    }) as Tensor2D;
    return { x, labels, oneHot };
  }
}

/** A batch of `size` training examples drawn with the seed (the same for every initializer). */
export function probeBatch(tf: Tf, data: Dataset, trainIdx: Int32Array, seed: number, size: number): Batch {
  const n = Math.min(size, trainIdx.length);
  const idx = new Rng(deriveSeed(seed, 'probe')).shuffle(Int32Array.from(trainIdx)).subarray(0, n);
  return new BatchReader(data, n).read(tf, idx);
}

/** Every example of `indices` in a seeded order, `batchSize` at a time, images only; the caller disposes each. */
export function* imageBatches(tf: Tf, data: Dataset, indices: Int32Array, batchSize: number, seed: number): Generator<Tensor2D> {
  const order = new Rng(seed).shuffle(Int32Array.from(indices));
  const reader = new BatchReader(data, batchSize);
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = reader.read(tf, order.subarray(start, start + batchSize));
    tf.dispose([batch.labels, batch.oneHot]);
    yield batch.x;
  }
}

/**
 * A dataset in memory: images as one flat typed array (never one JS array per sample) and labels
 * as bytes. Pixels are scaled into [0, 1] when a batch is gathered, so byte images (IDX files)
 * stay bytes until they are used.
 */
export interface Dataset {
  /** n * height * width pixels, row-major per image. */
  images: Float32Array | Uint8Array;
  /** Factor that brings a stored pixel into [0, 1]: 1 for floats, 1/255 for bytes. */
  pixelScale: number;
  labels: Uint8Array;
  count: number;
  /**
   * Set when the dataset comes with its own split (IDX files): examples [0, trainCount) are
   * the training set and the rest the test set. Unset: one pool, split by us.
   */
  trainCount?: number;
  height: number;
  width: number;
  classes: number;
  /** Where it came from, for messages and results. */
  source: string;
}

export const pixelsPerImage = (d: Dataset) => d.height * d.width;

/** Copies the images at `indices` into `out` (scaled to [0, 1]) and their labels into `labelsOut`. */
export function gatherBatch(d: Dataset, indices: ArrayLike<number>, out: Float32Array, labelsOut: Int32Array): void {
  const size = pixelsPerImage(d);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * size;
    const dst = b * size;
    if (d.pixelScale === 1) out.set(d.images.subarray(src, src + size), dst);
    else for (let p = 0; p < size; p++) out[dst + p] = d.images[src + p] * d.pixelScale;
    labelsOut[b] = d.labels[indices[b]];
  }
}

/**
 * Convolutions of the wasm backend on the system's BLAS, lowered to matrix products by im2col
 * (its transpose, one plane per tap, for one input channel) or, at stride 1 with enough input
 * channels, by shifted views of the input (the maths: src/backend/conv-patches.ts). NHWC, no dilation; anything else runs the kernel registered
 * before, as do layers with fewer input channels than the kernel's threshold in ConvChoice.
 * Checked against the cpu backend in test/backend/blas-kernels.test.ts.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { Blas } from './blas.js';
import { addTapPlanes, copyFrame, cropFrame, frameImages, frameOf, gridRows, im2col, col2im, pickOutputs, spreadOutputs, tapOffset, tapPlanes, type Frame } from './conv-patches.js';
import type { Tf } from './tf.js';

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

type Kernel = NonNullable<ReturnType<Tf['getKernel']>>;
type Pad = 'valid' | 'same' | number | { type: string };
export type ConvInfo = ReturnType<Tf['backend_util']['computeConv2DInfo']>;

export interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Per convolution kernel, the fewest input channels at which it runs on the BLAS (below: the kernel registered before). */
export interface ConvChoice {
  forward: number;
  backpropInput: number;
  backpropFilter: number;
  /** The fewest input channels at which a stride-1 convolution is lowered by shifted views (below: im2col). */
  shifted: number;
  /** Floats of scratch a chunk of images may take (at least one image per chunk). */
  chunkFloats: number;
}

/**
 * Measured per kernel alone on 3x3 convolutions of a batch of 128 (28x28x1 -> 16 channels,
 * valid and same padding; 13x13xC -> 32, C = 2, 4, 8, 16; 14x14x16 -> 32 same; CPU time, median
 * of 7-15 alternating rounds on the busy 2-vCPU Zen 4 machine). The BLAS wins every backprop
 * (1 channel, one plane per tap: filter 0.35x, input 0.4-0.5x of the XNNPACK path's time; 2
 * channels, im2col: 0.3-0.4x) and the forward pass from 4 channels. Below, XNNPACK's forward
 * pass ties or wins: 1 channel, 0.9-1.2x the BLAS's time without activation but 0.8x with a
 * fused relu (which it applies in the same pass), in batches of 128 and of 1000 (evaluation);
 * 2 channels, 0.8x (im2col). Shifted views beat im2col from 4 channels (16 channels: forward
 * 0.5x, filter 0.5x, input 0.4x of im2col's time) and lose below (2 channels: 1.3-2x). The
 * chunk size barely matters (64k to 8M floats within 10%; 64k the fastest forward).
 */
export const CONV_ON_BLAS: ConvChoice = { forward: 4, backpropInput: 1, backpropFilter: 1, shifted: 4, chunkFloats: 1 << 16 };

/**
 * JS scratch buffers reused across calls, one per role (the BLAS reads JS typed arrays as well
 * as the heap): 0 the input's frame, 1 the patch matrix or output grid, 2 the gradient of the
 * input's frame, 3 the gradient of the patch matrix. Both gradients are computed in one pass
 * (convBackwardArrays): each role its own slot, so that neither depends on the other's order.
 */
type Slot = 0 | 1 | 2 | 3;
const scratchBuffers: Float32Array[] = [0, 1, 2, 3].map(() => new Float32Array(0));
function scratch(slot: Slot, n: number): Float32Array {
  if (scratchBuffers[slot].length < n) scratchBuffers[slot] = new Float32Array(n);
  return scratchBuffers[slot].subarray(0, n);
}
const frameScratch = (n: number) => scratch(0, n);

const plain = (a: ConvAttrs) => (a.dataFormat ?? 'NHWC') === 'NHWC' && [a.dilations ?? 1].flat().every((d) => d === 1) && typeof a.pad !== 'object';

/** tfjs's geometry of a convolution (its output size and padding for `pad`), as its kernels compute it. */
export function convInfo(tf: Tf, xShape: number[], filterShape: number[], a: ConvAttrs): ConvInfo {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, 1, a.pad as 'valid', a.dimRoundingMode, false, 'channelsLast');
}

const shifted = (c: ConvInfo, choice: ConvChoice) => c.strideHeight === 1 && c.strideWidth === 1 && c.inChannels >= choice.shifted;

/**
 * One input channel: the planes Q (`size` values) of images b0..b1, after a copy of their frame
 * at the start of `buf`, from `at` in it (by default scratch, right after the frame).
 */
function planes(x: Float32Array, f: Frame, b0: number, b1: number, size: number, into?: { buf: Float32Array; at: number }): Float32Array {
  const frameLength = (b1 - b0) * f.hp * f.wp;
  const { buf, at } = into ?? { buf: scratch(1, frameLength + size), at: frameLength };
  copyFrame(x, f, b0, b1, buf);
  tapPlanes(buf, at, f, b1 - b0);
  return buf.subarray(at, at + size);
}

/** The im2col lowering's patches are one plane per tap ([k, rows], multiplied transposed) with one input channel, else im2col's rows ([rows, k]). */
const byTap = (c: ConvInfo) => c.inChannels === 1;

/**
 * Patches kept from a forward pass for the filter's gradient of the same x and n (the im2col
 * lowering), so that the gradient does not lower the same input again. With one input channel
 * the buffer first has room for one chunk's frame (tapPlanes copies the planes out of it); then
 * each image's patches in turn, `perImage` floats each.
 */
interface KeptPatches {
  buf: Float32Array;
  start: number;
  perImage: number;
}

/** The layout of a kept-patches buffer for `c`; null when nothing is kept (shifted views copy no patches). */
function keptLayout(c: ConvInfo, choice: ConvChoice): { start: number; perImage: number } | null {
  if (shifted(c, choice)) return null;
  const f = frameOf(c);
  return { start: byTap(c) ? chunkOf(f, false, choice.chunkFloats) * f.hp * f.wp : 0, perImage: c.outHeight * c.outWidth * c.filterHeight * c.filterWidth * c.inChannels };
}

/** Floats a kept-patches buffer (convForwardArrays' `keep`) takes for `n` images; null when nothing is kept. */
export function keptPatchesLength(c: ConvInfo, n: number, choice: ConvChoice): number | null {
  const layout = keptLayout(c, choice);
  return layout && layout.start + n * layout.perImage;
}

/** `buf` as the kept patches of `n` images; a buffer too small, or one given where nothing is kept, is a bug of the caller. */
function keptPatches(c: ConvInfo, n: number, choice: ConvChoice, buf: Float32Array | undefined): KeptPatches | null {
  if (!buf) return null;
  const layout = keptLayout(c, choice);
  if (!layout || buf.length < layout.start + n * layout.perImage) throw new Error(`kept patches: ${layout ? `${buf.length} floats for ${n} images, which need ${layout.start + n * layout.perImage}` : 'this convolution is lowered by shifted views and keeps none'}`);
  return { buf, ...layout };
}

/**
 * The patches of images b0..b1-1 for the im2col lowering (byTap says how they are stored); the
 * forward pass and the filter gradient multiply by them. With `kept`, they are written into it.
 */
function patches(xv: Float32Array, f: Frame, b0: number, b1: number, rows: number, k: number, kept: KeptPatches | null): Float32Array {
  const at = kept ? kept.start + b0 * kept.perImage : 0;
  if (byTap(f.c)) return planes(xv, f, b0, b1, rows * k, kept ? { buf: kept.buf, at } : undefined);
  const p = kept ? kept.buf.subarray(at, at + rows * k) : scratch(1, rows * k);
  im2col(frameImages(xv, f, b0, b1, frameScratch), f, b1 - b0, p);
  return p;
}

/** The patches of images b0..b1-1 as `patches` wrote them into `kept`. */
function patchesKept(kept: KeptPatches, b0: number, rows: number, k: number): Float32Array {
  const at = kept.start + b0 * kept.perImage;
  return kept.buf.subarray(at, at + rows * k);
}

/** Images per chunk: as many as fit `chunkFloats` of scratch (at least one). */
function chunkOf(f: Frame, useShifted: boolean, chunkFloats: number): number {
  const c = f.c;
  const frame = f.bare ? 0 : f.hp * f.wp * c.inChannels;
  const lowered = useShifted ? f.hp * f.wp * c.outChannels : c.outHeight * c.outWidth * c.filterHeight * c.filterWidth * c.inChannels;
  return Math.max(1, Math.floor(chunkFloats / Math.max(1, frame + lowered)));
}

/** Calls `each(b0, b1)` over the batch in chunks of `size` images. */
function chunks(batch: number, size: number, each: (b0: number, b1: number) => void): void {
  for (let b0 = 0; b0 < batch; b0 += size) each(b0, Math.min(batch, b0 + size));
}

/**
 * Copies `row` (n values) into every row of `c`, doubling the copied block each time: the bias
 * rows sgemm adds a product to (beta = 1), for the BLAS kernels and the fused training step.
 */
export function fillRows(c: Float32Array, row: Float32Array, n: number): void {
  if (c.length === 0) return;
  c.set(row.subarray(0, n));
  for (let filled = n; filled < c.length; filled *= 2) c.copyWithin(filled, 0, Math.min(filled, c.length - filled));
}

/**
 * Y = alpha conv(x, w) (+ the bias in every row, which sgemm adds the product to: beta = 1) for
 * images 0..n-1, on plain arrays: x [n, inH, inW, cin], w [kh, kw, cin, cout], y [n, outH, outW,
 * cout]. The tfjs kernels (heap views) and the fused training step (src/train/fused-step.ts, its
 * own arrays) both call it. Geometry from `c`; its batchSize is not read. `keep` (at least
 * keptPatchesLength floats, given only where that is not null): the patches are kept in it for
 * convBackwardArrays on the same x and n.
 */
export function convForwardArrays(blas: Blas, c: ConvInfo, n: number, xv: Float32Array, wv: Float32Array, yv: Float32Array, bias: Float32Array | null, choice: ConvChoice, alpha = 1, keep?: Float32Array): void {
  const { filterHeight: kh, filterWidth: kw, inChannels: cin, outChannels: cout } = c;
  if (n === 0) return;
  const f = frameOf(c);
  const perImage = c.outHeight * c.outWidth * cout;
  const useShifted = shifted(c, choice);
  const kept = keptPatches(c, n, choice, keep);
  chunks(n, chunkOf(f, useShifted, choice.chunkFloats), (b0, b1) => {
    if (!useShifted) {
      const rows = (b1 - b0) * c.outHeight * c.outWidth;
      const k = kh * kw * cin;
      const y = yv.subarray(b0 * perImage, b1 * perImage);
      if (bias) fillRows(y, bias, cout);
      blas.sgemm(byTap(c), false, rows, cout, k, patches(xv, f, b0, b1, rows, k, kept), wv, bias ? 1 : 0, y, alpha);
      return;
    }
    const xp = frameImages(xv, f, b0, b1, frameScratch);
    const rows = gridRows(f, b1 - b0);
    const grid = scratch(1, rows * cout);
    if (bias) fillRows(grid, bias, cout);
    for (let t = 0; t < kh * kw; t++) {
      blas.sgemm(false, false, rows, cout, cin, xp.subarray(tapOffset(f, t) * cin), wv.subarray(t * cin * cout, (t + 1) * cin * cout), t === 0 && !bias ? 0 : 1, grid, alpha);
    }
    pickOutputs(grid, f, b0, b1, yv);
  });
}

/**
 * Both gradients of a convolution in one pass over images 0..n-1, chunk by chunk:
 * - `dw` (null: not wanted): dW = alpha P^T dY (im2col), or dW_t = alpha X[off_t:]^T G_dY per
 *   tap (shifted views), summed over the chunks into dw [kh, kw, cin, cout] (overwritten);
 * - `dx` (null: not wanted): dX = alpha col2im(dY W^T) (im2col), or dX[off_t:] += alpha G_dY W_t^T
 *   per tap (shifted views), into dx [n, inH, inW, cin] (overwritten).
 * Shifted views spread each chunk's dY onto its grid once for both. `kept`: the buffer
 * convForwardArrays kept the patches in, for this same x and n (they are not lowered again). Each
 * gradient's sums run in the same order as when it is asked for alone. `xv` is read only for dw,
 * `wv` only for dx.
 */
export function convBackwardArrays(blas: Blas, c: ConvInfo, n: number, xv: Float32Array, dyv: Float32Array, wv: Float32Array, dw: Float32Array | null, dx: Float32Array | null, choice: ConvChoice, alpha = 1, kept?: Float32Array): void {
  const { filterHeight: kh, filterWidth: kw, inChannels: cin, outChannels: cout } = c;
  const inImage = c.inHeight * c.inWidth * cin;
  dw?.fill(0, 0, kh * kw * cin * cout);
  dx?.fill(0, 0, n * inImage);
  if (n === 0) return;
  const f = frameOf(c);
  const perImage = c.outHeight * c.outWidth * cout;
  const useShifted = shifted(c, choice);
  const keptHere = keptPatches(c, n, choice, kept);
  chunks(n, chunkOf(f, useShifted, choice.chunkFloats), (b0, b1) => {
    const dy = dyv.subarray(b0 * perImage, b1 * perImage);
    // The gradient of the images' frame: dx itself when bare (zero already), else scratch.
    const framed = !dx ? null : f.bare ? dx.subarray(b0 * inImage, b1 * inImage) : scratch(2, (b1 - b0) * f.hp * f.wp * cin).fill(0);
    if (!useShifted) {
      const rows = (b1 - b0) * c.outHeight * c.outWidth;
      const k = kh * kw * cin;
      if (dw) {
        const p = keptHere ? patchesKept(keptHere, b0, rows, k) : patches(xv, f, b0, b1, rows, k, null);
        blas.sgemm(!byTap(c), false, k, cout, rows, p, dy, 1, dw, alpha);
      }
      if (framed) {
        const dp = scratch(3, rows * k);
        if (byTap(c)) {
          blas.sgemm(false, true, k, rows, cout, wv, dy, 0, dp, alpha);
          addTapPlanes(dp, f, b1 - b0, framed);
        } else {
          blas.sgemm(false, true, rows, k, cout, dy, wv, 0, dp, alpha);
          col2im(dp, f, b1 - b0, framed);
        }
      }
    } else {
      const rows = gridRows(f, b1 - b0);
      const grid = scratch(1, (b1 - b0) * f.hp * f.wp * cout);
      spreadOutputs(dyv, f, b0, b1, grid);
      if (dw) {
        const xp = frameImages(xv, f, b0, b1, frameScratch);
        for (let t = 0; t < kh * kw; t++) {
          blas.sgemm(true, false, cin, cout, rows, xp.subarray(tapOffset(f, t) * cin), grid, 1, dw.subarray(t * cin * cout, (t + 1) * cin * cout), alpha);
        }
      }
      if (framed) {
        for (let t = 0; t < kh * kw; t++) {
          blas.sgemm(false, true, rows, cin, cout, grid, wv.subarray(t * cin * cout, (t + 1) * cin * cout), 1, framed.subarray(tapOffset(f, t) * cin), alpha);
        }
      }
    }
    if (framed && !f.bare) cropFrame(framed, f, b0, b1, dx!);
  });
}

const unread = new Float32Array(0);

/** The filter's gradient alone (convBackwardArrays; the filter is not read). */
export function convFilterGradArrays(blas: Blas, c: ConvInfo, n: number, xv: Float32Array, dyv: Float32Array, dw: Float32Array, choice: ConvChoice, alpha = 1): void {
  convBackwardArrays(blas, c, n, xv, dyv, unread, dw, null, choice, alpha);
}

/** The input's gradient alone (convBackwardArrays; the input is not read). */
export function convInputGradArrays(blas: Blas, c: ConvInfo, n: number, dyv: Float32Array, wv: Float32Array, dx: Float32Array, choice: ConvChoice, alpha = 1): void {
  convBackwardArrays(blas, c, n, unread, dyv, wv, null, dx, choice, alpha);
}

/**
 * Y = the convolution of x with the filter, into a new output [n, outH, outW, cout]; with
 * `biasRow`, Y starts as the bias in every row (sgemm adds to it: beta = 1).
 */
export function convForward(tf: Tf, blas: Blas, backend: WasmBackend, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs, choice: ConvChoice, biasRow?: TensorInfo): TensorInfo {
  const c = convInfo(tf, x.shape, filter.shape, attrs);
  const out = backend.makeOutput([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32');
  // Views of the heap, taken after the allocation (which may have moved it).
  const bias = biasRow ? backend.typedArrayFromHeap(biasRow) : null;
  convForwardArrays(blas, c, c.batchSize, backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(filter), backend.typedArrayFromHeap(out), bias, choice);
  return out;
}

/** Conv2D, and FusedConv2D's product and bias (its activation is applied by the caller). */
export function makeConv2D(tf: Tf, blas: Blas, original: Kernel, choice: ConvChoice): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo; filter: TensorInfo }; backend: WasmBackend; attrs: ConvAttrs };
    if (!plain(attrs) || inputs.x.dtype !== 'float32' || inputs.filter.shape[2] < choice.forward) return original.kernelFunc(args);
    return convForward(tf, blas, backend, inputs.x, inputs.filter, attrs, choice);
  };
}

/** The filter's gradient (convFilterGradArrays) into a new output [kh, kw, cin, cout]. */
export function makeConv2DBackpropFilter(tf: Tf, blas: Blas, original: Kernel, choice: ConvChoice): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackend; attrs: ConvAttrs & { filterShape: [number, number, number, number] } };
    if (!plain(attrs) || attrs.filterShape[2] < choice.backpropFilter) return original.kernelFunc(args);
    const c = convInfo(tf, inputs.x.shape, attrs.filterShape, attrs);
    const out = backend.makeOutput([...attrs.filterShape], 'float32');
    convFilterGradArrays(blas, c, c.batchSize, backend.typedArrayFromHeap(inputs.x), backend.typedArrayFromHeap(inputs.dy), backend.typedArrayFromHeap(out), choice);
    return out;
  };
}

/** The input's gradient (convInputGradArrays) into a new output of the input's shape. */
export function makeConv2DBackpropInput(tf: Tf, blas: Blas, original: Kernel, choice: ConvChoice): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackend; attrs: ConvAttrs & { inputShape: [number, number, number, number] } };
    if (!plain(attrs) || inputs.filter.shape[2] < choice.backpropInput) return original.kernelFunc(args);
    const c = convInfo(tf, attrs.inputShape, inputs.filter.shape, attrs);
    const out = backend.makeOutput([...attrs.inputShape], 'float32');
    convInputGradArrays(blas, c, c.batchSize, backend.typedArrayFromHeap(inputs.dy), backend.typedArrayFromHeap(inputs.filter), backend.typedArrayFromHeap(out), choice);
    return out;
  };
}

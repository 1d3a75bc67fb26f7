/**
 * Convolutions of the wasm backend on the system's BLAS, one sgemm per kernel tap
 * (src/backend/conv-patches.ts has the maths). NHWC, no dilation; anything else runs the kernel
 * registered before, as do layers with fewer input channels than `minChannels` (where the
 * per-tap products are too thin to beat XNNPACK: measured, see registerBlasKernels). Checked against the cpu backend in
 * test/backend/blas-kernels.test.ts.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { Blas } from './blas.js';
import { gatherTap, scatterAddTap } from './conv-patches.js';
import type { Tf } from './tf.js';

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

type Kernel = NonNullable<ReturnType<Tf['getKernel']>>;
type Pad = 'valid' | 'same' | number | { type: string };
type ConvInfo = ReturnType<Tf['backend_util']['computeConv2DInfo']>;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A JS scratch buffer reused across calls (the BLAS reads JS typed arrays as well as the heap). */
let scratchBuffer = new Float32Array(0);
function scratch(n: number): Float32Array {
  if (scratchBuffer.length < n) scratchBuffer = new Float32Array(n);
  return scratchBuffer.subarray(0, n);
}

const plain = (a: ConvAttrs) => (a.dataFormat ?? 'NHWC') === 'NHWC' && [a.dilations ?? 1].flat().every((d) => d === 1) && typeof a.pad !== 'object';

function convInfo(tf: Tf, xShape: number[], filterShape: number[], a: ConvAttrs): ConvInfo {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, 1, a.pad as 'valid', a.dimRoundingMode, false, 'channelsLast');
}

const rowsOf = (c: ConvInfo) => c.batchSize * c.outHeight * c.outWidth;

/**
 * Y = sum over taps of P_tap W_tap into a new output [n, outH, outW, cout]; with `biasRow`, Y
 * starts as the bias in every row (sgemm adds to it: beta = 1).
 */
export function convForward(tf: Tf, blas: Blas, backend: WasmBackend, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs, biasRow?: TensorInfo): TensorInfo {
  const c = convInfo(tf, x.shape, filter.shape, attrs);
  const [kh, kw, cin, cout] = filter.shape;
  const rows = rowsOf(c);
  const out = backend.makeOutput([c.batchSize, c.outHeight, c.outWidth, cout], 'float32');
  // Views of the heap, taken after the allocation (which may have moved it).
  const xv = backend.typedArrayFromHeap(x);
  const wv = backend.typedArrayFromHeap(filter);
  const yv = backend.typedArrayFromHeap(out);
  if (biasRow) {
    yv.set(backend.typedArrayFromHeap(biasRow).subarray(0, cout));
    for (let filled = cout; filled < yv.length; filled *= 2) yv.copyWithin(filled, 0, Math.min(filled, yv.length - filled));
  }
  const patch = scratch(rows * cin);
  for (let t = 0; t < kh * kw; t++) {
    gatherTap(xv, c, Math.floor(t / kw), t % kw, patch);
    blas.sgemm(false, false, rows, cout, cin, patch, wv.subarray(t * cin * cout, (t + 1) * cin * cout), t === 0 && !biasRow ? 0 : 1, yv);
  }
  return out;
}

/** Conv2D, and FusedConv2D's product and bias (its activation is applied by the caller). */
export function makeConv2D(tf: Tf, blas: Blas, original: Kernel, minChannels = 1): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo; filter: TensorInfo }; backend: WasmBackend; attrs: ConvAttrs };
    if (!plain(attrs) || inputs.x.dtype !== 'float32' || inputs.filter.shape[2] < minChannels) return original.kernelFunc(args);
    return convForward(tf, blas, backend, inputs.x, inputs.filter, attrs);
  };
}

/** dW_tap = P_tap^T dY, written straight into the tap's [cin, cout] block of dW. */
export function makeConv2DBackpropFilter(tf: Tf, blas: Blas, original: Kernel, minChannels = 1): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackend; attrs: ConvAttrs & { filterShape: [number, number, number, number] } };
    if (!plain(attrs) || attrs.filterShape[2] < minChannels) return original.kernelFunc(args);
    const c = convInfo(tf, inputs.x.shape, attrs.filterShape, attrs);
    const [kh, kw, cin, cout] = attrs.filterShape;
    const rows = rowsOf(c);
    const out = backend.makeOutput([kh, kw, cin, cout], 'float32');
    const xv = backend.typedArrayFromHeap(inputs.x);
    const dy = backend.typedArrayFromHeap(inputs.dy);
    const dw = backend.typedArrayFromHeap(out);
    const patch = scratch(rows * cin);
    for (let t = 0; t < kh * kw; t++) {
      gatherTap(xv, c, Math.floor(t / kw), t % kw, patch);
      blas.sgemm(true, false, cin, cout, rows, patch, dy, 0, dw.subarray(t * cin * cout, (t + 1) * cin * cout));
    }
    return out;
  };
}

/** dX = sum over taps of the scatter of dY W_tap^T. */
export function makeConv2DBackpropInput(tf: Tf, blas: Blas, original: Kernel, minChannels = 1): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackend; attrs: ConvAttrs & { inputShape: [number, number, number, number] } };
    if (!plain(attrs) || inputs.filter.shape[2] < minChannels) return original.kernelFunc(args);
    const c = convInfo(tf, attrs.inputShape, inputs.filter.shape, attrs);
    const [kh, kw, cin, cout] = inputs.filter.shape;
    const rows = rowsOf(c);
    const out = backend.makeOutput([...attrs.inputShape], 'float32');
    const dy = backend.typedArrayFromHeap(inputs.dy);
    const wv = backend.typedArrayFromHeap(inputs.filter);
    const dx = backend.typedArrayFromHeap(out);
    dx.fill(0);
    const patch = scratch(rows * cin);
    for (let t = 0; t < kh * kw; t++) {
      blas.sgemm(false, true, rows, cin, cout, dy, wv.subarray(t * cin * cout, (t + 1) * cin * cout), 0, patch);
      scatterAddTap(patch, c, Math.floor(t / kw), t % kw, dx);
    }
    return out;
  };
}

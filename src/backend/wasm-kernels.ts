/**
 * Two gaps of the wasm backend (tfjs 4.22) that training falls into, filled through tfjs's
 * kernel registry so that the rest of tfjs is untouched:
 *
 * 1. BatchMatMul with a transposed operand (every dense layer's backward pass) leaves XNNPACK
 *    for a naive loop, about 12x slower than the plain product (measured here: 3 GFLOP/s against
 *    37 for a 128x784x256 product). We transpose the operand with wasm's own Transpose kernel
 *    (memory-bound, a fraction of the product's time) and call the original kernel untransposed.
 * 2. Conv2DBackpropFilter is not registered at all, so CNNs cannot train. We compute it as one
 *    matrix product: dW = im2col(x)^T dy, with the patches gathered in JS (contiguous copies of
 *    the channel vector of each tap) and the product done by (1).
 *
 * Both are checked against the cpu backend in test/backend/wasm-kernels.test.ts.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './select.js';

/** The parts of the wasm backend object we use (its class is not exported as a type). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  readSync(dataId: object): Float32Array;
  disposeData(dataId: object): boolean;
}

type Args = Parameters<KernelFunc>[0];

let registered = false;

export function registerWasmKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!matMul || !transpose) throw new Error('the wasm backend lacks BatchMatMul or Transpose');

  /** Swaps the last two axes with wasm's Transpose kernel; the caller disposes the result. */
  const swapLastTwo = (x: TensorInfo, backend: unknown): TensorInfo => {
    const rank = x.shape.length;
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as unknown as Args) as TensorInfo;
  };

  const fastMatMul: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: WasmBackend; attrs: { transposeA: boolean; transposeB: boolean } };
    if (!attrs.transposeA && !attrs.transposeB) return matMul.kernelFunc(args);
    const a = attrs.transposeA ? swapLastTwo(inputs.a, backend) : inputs.a;
    const b = attrs.transposeB ? swapLastTwo(inputs.b, backend) : inputs.b;
    try {
      return matMul.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as unknown as Args);
    } finally {
      if (a !== inputs.a) backend.disposeData(a.dataId);
      if (b !== inputs.b) backend.disposeData(b.dataId);
    }
  };

  const conv2DBackpropFilter: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { x: TensorInfo; dy: TensorInfo };
      backend: WasmBackend;
      attrs: { strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
    };
    if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(
      inputs.x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const cols = im2col(backend, inputs.x, info);
    const rows = info.batchSize * info.outHeight * info.outWidth;
    // dy [n, oh, ow, cout] is already [rows, cout] in memory: a reshape is a new view.
    const dy2d = { ...inputs.dy, shape: [rows, info.outChannels] };
    try {
      const out = fastMatMul({ inputs: { a: cols, b: dy2d }, backend, attrs: { transposeA: true, transposeB: false } } as unknown as Args) as TensorInfo;
      out.shape = [...attrs.filterShape];
      return out;
    } finally {
      backend.disposeData(cols.dataId);
    }
  };

  const kernels: KernelConfig[] = [
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: fastMatMul },
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
  ];
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
}

/**
 * Patches of x (NHWC) as a [n * outH * outW, kh * kw * cin] matrix: row (b, oh, ow) holds, tap by
 * tap, the channel vector under that tap (zeros where the tap falls in the padding).
 */
function im2col(backend: WasmBackend, xInfo: TensorInfo, c: ReturnType<Tf['backend_util']['computeConv2DInfo']>): TensorInfo {
  const x = backend.readSync(xInfo.dataId);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = c;
  const rowLength = filterHeight * filterWidth * inChannels;
  const out = backend.makeOutput([batchSize * outHeight * outWidth, rowLength], 'float32');
  const cols = backend.typedArrayFromHeap(out);
  cols.fill(0);
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, row++) {
        const base = row * rowLength;
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight - c.padInfo.top + fh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth - c.padInfo.left + fw;
            if (iw < 0 || iw >= inWidth) continue;
            const src = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const dst = base + (fh * filterWidth + fw) * inChannels;
            if (inChannels === 1) cols[dst] = x[src];
            else cols.set(x.subarray(src, src + inChannels), dst);
          }
        }
      }
    }
  }
  return out;
}

/**
 * Gaps of the wasm backend (tfjs 4.22) that training falls into, filled through tfjs's
 * kernel registry so that the rest of tfjs is untouched:
 *
 * 1. BatchMatMul with a transposed operand (every dense layer's backward pass) leaves XNNPACK
 *    for a naive loop, about 12x slower than the plain product (measured here: 3 GFLOP/s against
 *    37 for a 128x784x256 product). We transpose the operand with wasm's own Transpose kernel
 *    (memory-bound, a fraction of the product's time) and call the original kernel untransposed.
 * 2. Conv2DBackpropFilter is not registered at all, so CNNs cannot train. We compute it as one
 *    matrix product per tap of the kernel: dW[tap] = X_tap^T dy, where X_tap holds the input
 *    under that tap at every output position (gathered in JS, conv-patches.ts).
 * 3. Conv2DBackpropInput exists but is a plain loop (23 ms against 2 ms for the forward conv of
 *    a LeNet layer). With stride 1 it is a forward convolution of dy with the kernel flipped in
 *    space and its channel axes swapped, padded by k - 1 - pad: we run wasm's XNNPACK Conv2D.
 *    Other strides keep the original kernel.
 * 4. MaxPoolGrad is a plain loop too (14 ms): one pass in JS that routes each dy to the first
 *    maximum of its window, as the cpu backend does.
 * 5. Identity, and Cast to the dtype a tensor already has, copy the tensor's memory. tfjs runs
 *    Identity on every tensor a gradient keeps for the backward pass (Engine.clone) and Cast in
 *    gradients such as ReLU's: a copy per saved tensor per step. Here they share the data and
 *    count one more reference, as the cpu backend's kernels do (and the wasm backend's own
 *    Reshape): tfjs tensors are immutable, and no kernel writes into its inputs.
 *
 * Each is checked against the cpu backend in test/backend/wasm-kernels.test.ts.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { gatherTap } from './conv-patches.js';
import type { Tf } from './tf.js';

/** The parts of the wasm backend object we use (its class is not exported as a type). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  readSync(dataId: object): Float32Array;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

type Args = Parameters<KernelFunc>[0];

type Kernel = NonNullable<ReturnType<Tf['getKernel']>>;

let registered = false;

export function registerWasmKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  const kernel = (name: string): Kernel => {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`the wasm backend lacks ${name}`);
    return k;
  };
  const fastMatMul = makeFastMatMul(kernel('BatchMatMul'), kernel('Transpose'));
  const kernels: KernelConfig[] = [
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: fastMatMul },
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: makeConv2DBackpropFilter(tf, fastMatMul) },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: makeConv2DBackpropInput(tf, kernel('Conv2D'), kernel('Conv2DBackpropInput')) },
    { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: makeMaxPoolGrad(tf) },
    { kernelName: 'Identity', backendName: 'wasm', kernelFunc: makeShare(kernel('Identity'), () => true) },
    { kernelName: 'Cast', backendName: 'wasm', kernelFunc: makeShare(kernel('Cast'), (x, attrs) => attrs.dtype === x.dtype) },
  ];
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
}

/** Shares x's data (one more reference) when `same` says the result is x itself; else the original kernel. */
function makeShare(original: Kernel, same: (x: TensorInfo, attrs: { dtype?: string }) => boolean): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: { dtype?: string } };
    const { x } = inputs;
    if (x.dtype === 'string' || !same(x, attrs)) return original.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** BatchMatMul that transposes a transposed operand first, then runs the fast untransposed product. */
function makeFastMatMul(matMul: Kernel, transpose: Kernel): KernelFunc {
  /** Swaps the last two axes with wasm's Transpose kernel; the caller disposes the result. */
  const swapLastTwo = (x: TensorInfo, backend: unknown): TensorInfo => {
    const rank = x.shape.length;
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as unknown as Args) as TensorInfo;
  };

  return (args) => {
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
}

/** dW[tap] = X_tap^T dy for each tap of the kernel: one product per tap. */
function makeConv2DBackpropFilter(tf: Tf, fastMatMul: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { x: TensorInfo; dy: TensorInfo };
      backend: WasmBackend;
      attrs: { strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
    };
    if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(
      inputs.x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const [kh, kw, cin, cout] = attrs.filterShape;
    const rows = info.batchSize * info.outHeight * info.outWidth;
    // dy [n, oh, ow, cout] is already [rows, cout] in memory: a reshape is a new view.
    const dy = { ...inputs.dy, shape: [rows, cout] };
    const out = backend.makeOutput([kh, kw, cin, cout], 'float32');
    for (let tap = 0; tap < kh * kw; tap++) {
      const patch = tapPatch(backend, inputs.x, info, Math.floor(tap / kw), tap % kw);
      try {
        // dW[tap] = X_tap^T dy: [cin, cout], stored at the tap's place in [kh, kw, cin, cout].
        const part = fastMatMul({ inputs: { a: patch, b: dy }, backend, attrs: { transposeA: true, transposeB: false } } as unknown as Args) as TensorInfo;
        backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(part), tap * cin * cout);
        backend.disposeData(part.dataId);
      } finally {
        backend.disposeData(patch.dataId);
      }
    }
    return out;
  };
}

/** Stride 1: a forward conv of dy with the flipped, channel-swapped kernel; other strides: the original kernel. */
function makeConv2DBackpropInput(tf: Tf, conv2D: Kernel, originalBackpropInput: Kernel): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { dy: TensorInfo; filter: TensorInfo };
      backend: WasmBackend;
      attrs: { strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
    };
    const filterShape = inputs.filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const [kh, kw, cin, cout] = filterShape;
    const pads = [kh - 1 - info.padInfo.top, kh - 1 - info.padInfo.bottom, kw - 1 - info.padInfo.left, kw - 1 - info.padInfo.right];
    if (attrs.dataFormat === 'NCHW' || info.strideHeight !== 1 || info.strideWidth !== 1 || pads.some((p) => p < 0)) {
      return originalBackpropInput.kernelFunc(args);
    }
    // W'[i][j][o][c] = W[kh-1-i][kw-1-j][c][o]: flipped in space, channel axes swapped.
    const w = backend.readSync(inputs.filter.dataId);
    const flipped = backend.makeOutput([kh, kw, cout, cin], 'float32');
    const f = backend.typedArrayFromHeap(flipped);
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++)
        for (let c = 0; c < cin; c++)
          for (let o = 0; o < cout; o++) f[((i * kw + j) * cout + o) * cin + c] = w[(((kh - 1 - i) * kw + (kw - 1 - j)) * cin + c) * cout + o];
    try {
      const pad = [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]];
      return conv2D.kernelFunc({ inputs: { x: inputs.dy, filter: flipped }, backend, attrs: { strides: 1, pad, dataFormat: 'NHWC', dilations: 1 } } as unknown as Args);
    } finally {
      backend.disposeData(flipped.dataId);
    }
  };
}

/** One pass in JS routing each dy to the first maximum of its window, as the cpu backend does. */
function makeMaxPoolGrad(tf: Tf): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { dy: TensorInfo; input: TensorInfo };
      backend: WasmBackend;
      attrs: { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    };
    const info = tf.backend_util.computePool2DInfo(inputs.input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const out = backend.makeOutput([...inputs.input.shape], 'float32');
    // Views of the heap, taken after the allocation (which may move it).
    const dx = backend.typedArrayFromHeap(out);
    const x = backend.typedArrayFromHeap(inputs.input);
    const dy = backend.typedArrayFromHeap(inputs.dy);
    dx.fill(0);
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    if (filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && info.padInfo.top === 0 && info.padInfo.left === 0) {
      pool2x2Grad(x, dy, dx, batchSize, inHeight, inWidth, channels, outHeight, outWidth);
      return out;
    }
    // Window by window; inside a window the channel vectors are contiguous, so the running
    // maximum of every channel is kept in two small arrays and updated with sequential reads.
    const best = new Float32Array(channels);
    const at = new Int32Array(channels);
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const r0 = oh * strideHeight - info.padInfo.top;
        const rFrom = Math.max(0, r0);
        const rTo = Math.min(inHeight, r0 + filterHeight);
        for (let ow = 0; ow < outWidth; ow++, o += channels) {
          const c0 = ow * strideWidth - info.padInfo.left;
          const cFrom = Math.max(0, c0);
          const cTo = Math.min(inWidth, c0 + filterWidth);
          best.fill(-Infinity);
          at.fill(-1);
          for (let r = rFrom; r < rTo; r++) {
            for (let c = cFrom; c < cTo; c++) {
              const base = ((b * inHeight + r) * inWidth + c) * channels;
              for (let ch = 0; ch < channels; ch++) {
                const v = x[base + ch];
                if (v > best[ch]) {
                  best[ch] = v;
                  at[ch] = base + ch;
                }
              }
            }
          }
          // The first maximum in scan order wins, as in the cpu backend.
          for (let ch = 0; ch < channels; ch++) if (at[ch] >= 0) dx[at[ch]] += dy[o + ch];
        }
      }
    }
    return out;
  };
}

/**
 * MaxPoolGrad for the common 2x2 window with stride 2 and no padding: windows do not overlap, so
 * each dy goes to exactly one input; the four candidates of a channel are compared directly
 * (first maximum in scan order wins, as in the cpu backend).
 */
function pool2x2Grad(x: Float32Array, dy: Float32Array, dx: Float32Array, batch: number, h: number, w: number, ch: number, oh: number, ow: number): void {
  const row = w * ch;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++, o += ch) {
        const p0 = ((b * h + 2 * r) * w + 2 * c) * ch;
        const p1 = p0 + ch;
        const p2 = p0 + row;
        const p3 = p2 + ch;
        for (let k = 0; k < ch; k++) {
          let at = p0 + k;
          let best = x[at];
          if (x[p1 + k] > best) {
            best = x[p1 + k];
            at = p1 + k;
          }
          if (x[p2 + k] > best) {
            best = x[p2 + k];
            at = p2 + k;
          }
          if (x[p3 + k] > best) at = p3 + k;
          dx[at] = dy[o + k];
        }
      }
    }
  }
}

/**
 * The input under one tap (fh, fw) of the kernel at every output position, [n * outH * outW, cin]
 * (conv-patches.ts gathers it). The view of the wasm heap is taken after the allocation, which
 * may move the heap.
 */
function tapPatch(backend: WasmBackend, xInfo: TensorInfo, c: ReturnType<Tf['backend_util']['computeConv2DInfo']>, fh: number, fw: number): TensorInfo {
  const out = backend.makeOutput([c.batchSize * c.outHeight * c.outWidth, c.inChannels], 'float32');
  gatherTap(backend.typedArrayFromHeap(xInfo), c, fh, fw, backend.typedArrayFromHeap(out));
  return out;
}


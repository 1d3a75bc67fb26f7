/**
 * Dense products of the wasm backend on the system's BLAS (src/backend/blas.ts), registered
 * through tfjs's kernel registry like src/backend/wasm-kernels.ts, so the rest of tfjs is
 * untouched:
 *
 * - BatchMatMul: C[i] = op(A[i]) op(B[i]) for every batch index i, op = identity or transpose,
 *   one cblas_sgemm per batch index. Batch dimensions broadcast as in numpy.
 * - _FusedMatMul: act(op(A) op(B) + bias). A bias of one value per column is copied into C
 *   first and the product added to it by sgemm itself (beta = 1); other bias shapes go through
 *   wasm's broadcasting Add. The activations tfjs fuses (relu, relu6, leakyrelu, elu, sigmoid,
 *   prelu) run as the wasm backend's own kernels (its SIMD relu: 0.04x the time of a JS loop
 *   in place, whose branch mispredicts on every other value of a random sign).
 * - Sum over leading axes (every bias gradient: dy summed over batch and positions) as the
 *   product 1^T X, X viewed as [rows, columns]. The wasm kernel first transposes the reduced
 *   axes innermost, a pass over the whole tensor; other reductions still run there.
 * - Add of a bias row (X [..., c] + b [c], what tfjs runs for a layer's bias while training)
 *   as a copy of X and the rank-1 product 1 b^T added to it: 0.4x the time of wasm's
 *   broadcasting Add on a conv layer's output (measured on [128, 26, 26, 16]); other shapes
 *   still run there.
 *
 * The BLAS reads and writes the wasm heap through views taken after every allocation: growing
 * the heap detaches views taken before it. Checked against the cpu backend in
 * test/backend/blas-kernels.test.ts.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { Blas } from './blas.js';
import { CONV_ON_BLAS, convForward, fillRows, makeConv2D, makeConv2DBackpropFilter, makeConv2DBackpropInput, type ConvAttrs, type ConvChoice } from './blas-conv.js';
import type { Tf } from './tf.js';

/** The parts of the wasm backend object we use (its class is not exported as a type). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

type Args = Parameters<KernelFunc>[0];
type Kernel = NonNullable<ReturnType<Tf['getKernel']>>;

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface FusedAttrs extends MatMulAttrs {
  activation?: 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid' | 'prelu';
  leakyreluAlpha?: number;
}

export type { ConvChoice } from './blas-conv.js';

/** Registers the BLAS kernels on the wasm backend (replacing any registered before). */
export function registerBlasKernels(tf: Tf, blas: Blas, conv: ConvChoice = CONV_ON_BLAS): void {
  const kernel = (name: string): Kernel => {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`the wasm backend lacks ${name}`);
    return k;
  };
  const product = makeProduct(tf, blas);
  const originalMatMul = kernel('BatchMatMul');
  const kernels: KernelConfig[] = [
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: makeBatchMatMul(product, originalMatMul) },
    { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: makeFusedMatMul(product, kernel('_FusedMatMul'), kernel) },
    { kernelName: 'Sum', backendName: 'wasm', kernelFunc: makeSum(tf, blas, kernel('Sum')) },
    { kernelName: 'Add', backendName: 'wasm', kernelFunc: makeAddRow(tf, blas, kernel('Add')) },
  ];
  kernels.push(
    { kernelName: 'Conv2D', backendName: 'wasm', kernelFunc: makeConv2D(tf, blas, kernel('Conv2D'), conv) },
    { kernelName: 'FusedConv2D', backendName: 'wasm', kernelFunc: makeFusedConv2D(tf, blas, kernel('FusedConv2D'), kernel, conv) },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: makeConv2DBackpropInput(tf, blas, kernel('Conv2DBackpropInput'), conv) },
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: makeConv2DBackpropFilter(tf, blas, kernel('Conv2DBackpropFilter'), conv) },
  );
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
}

/** op(A) op(B) (+ a bias row in C when `biasRow` is given) into a new float32 output. */
type Product = (a: TensorInfo, b: TensorInfo, attrs: MatMulAttrs, backend: WasmBackend, biasRow?: TensorInfo) => TensorInfo;

function makeProduct(tf: Tf, blas: Blas): Product {
  return (a, b, { transposeA, transposeB }, backend, biasRow) => {
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
    const batchDims = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = tf.util.sizeFromShape(batchDims);
    const out = backend.makeOutput([...batchDims, m, n], 'float32');
    // Views of the heap, taken after the allocation (which may have grown and moved it).
    const av = backend.typedArrayFromHeap(a);
    const bv = backend.typedArrayFromHeap(b);
    const cv = backend.typedArrayFromHeap(out);
    if (biasRow) fillRows(cv, backend.typedArrayFromHeap(biasRow), n);
    const beta = biasRow ? 1 : 0;
    if (batch === 1) {
      blas.sgemm(transposeA, transposeB, m, n, k, av, bv, beta, cv);
      return out;
    }
    const [indexA, indexB] = broadcastIndices(tf, a.shape.slice(0, -2), b.shape.slice(0, -2), batchDims);
    for (let i = 0; i < batch; i++) {
      const ai = indexA[i] * m * k;
      const bi = indexB[i] * k * n;
      blas.sgemm(transposeA, transposeB, m, n, k, av.subarray(ai, ai + m * k), bv.subarray(bi, bi + k * n), beta, cv.subarray(i * m * n, (i + 1) * m * n));
    }
    return out;
  };
}

/**
 * For each output batch index, the batch index of A and of B that it reads: numpy broadcasting
 * (batch shapes aligned on the right; an axis of size 1, or missing, repeats).
 */
function broadcastIndices(tf: Tf, shapeA: number[], shapeB: number[], out: number[]): [Int32Array, Int32Array] {
  const size = tf.util.sizeFromShape(out);
  const index = (shape: number[]) => {
    const idx = new Int32Array(size);
    const strides = tf.util.computeStrides(shape);
    const offset = out.length - shape.length;
    for (let i = 0; i < size; i++) {
      let rest = i;
      let at = 0;
      for (let axis = out.length - 1; axis >= 0; axis--) {
        const coord = rest % out[axis];
        rest = Math.floor(rest / out[axis]);
        const own = axis - offset;
        if (own >= 0 && shape[own] !== 1) at += coord * (own === shape.length - 1 ? 1 : strides[own]);
      }
      idx[i] = at;
    }
    return idx;
  };
  return [index(shapeA), index(shapeB)];
}

/** A vector of ones, reused across calls (grown when a longer one is needed). */
let onesBuffer = new Float32Array(0);
function ones(n: number): Float32Array {
  if (onesBuffer.length < n) onesBuffer = new Float32Array(n).fill(1);
  return onesBuffer.subarray(0, n);
}

/** Sum of a float32 tensor over its leading axes 0..k-1 (0 < k < rank) as 1^T X; anything else: the original kernel. */
function makeSum(tf: Tf, blas: Blas, original: Kernel): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: { axis: number | number[]; keepDims: boolean } };
    const { x } = inputs;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
    const k = axes.length;
    if (x.dtype !== 'float32' || k === 0 || k === x.shape.length || axes.some((axis, i) => axis !== i)) return original.kernelFunc(args);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
    const kept = x.shape.slice(k);
    const out = backend.makeOutput(attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    blas.sgemm(false, false, 1, tf.util.sizeFromShape(kept), rows, ones(rows), backend.typedArrayFromHeap(x), 0, backend.typedArrayFromHeap(out));
    return out;
  };
}

/** X + b for float32 X [..., c] and b of c values on its last axis (either operand): X copied, then 1 b^T added by sgemm. */
function makeAddRow(tf: Tf, blas: Blas, original: Kernel): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: WasmBackend };
    const { a, b } = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
    const [x, row] = a.shape.length >= b.shape.length ? [a, b] : [b, a];
    const c = x.shape[x.shape.length - 1];
    if (x.shape.length < 2 || row.shape.length > x.shape.length || !isRow(row, c)) return original.kernelFunc(args);
    const out = backend.makeOutput([...x.shape], 'float32');
    const ov = backend.typedArrayFromHeap(out);
    ov.set(backend.typedArrayFromHeap(x));
    const rows = ov.length / Math.max(1, c);
    blas.sgemm(false, false, rows, c, 1, ones(rows), backend.typedArrayFromHeap(row), 1, ov);
    return out;
  };
}

function makeBatchMatMul(product: Product, original: Kernel): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: WasmBackend; attrs: MatMulAttrs };
    if (inputs.a.dtype !== 'float32' || inputs.b.dtype !== 'float32') return original.kernelFunc(args);
    return product(inputs.a, inputs.b, attrs, backend);
  };
}

/** wasm kernels for the activations tfjs fuses, applied to the biased product. */
const ACTIVATION_KERNELS = { relu: 'Relu', relu6: 'Relu6', leakyrelu: 'LeakyRelu', elu: 'Elu', sigmoid: 'Sigmoid', prelu: 'Prelu' } as const;

function makeFusedMatMul(product: Product, original: Kernel, kernel: (name: string) => Kernel): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
      backend: WasmBackend;
      attrs: FusedAttrs;
    };
    const { a, b, bias } = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return original.kernelFunc(args);
    const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const row = isRow(bias, n);
    const out = product(a, b, attrs, backend, row ? bias : undefined);
    return epilogue(backend, out, row ? undefined : bias, inputs.preluActivationWeights, attrs, kernel);
  };
}

/** A bias of n values on the last axis is one row, which sgemm adds itself (beta = 1). */
function isRow(bias: TensorInfo | undefined, n: number): bias is TensorInfo {
  return bias !== undefined && bias.shape.length > 0 && bias.shape[bias.shape.length - 1] === n && bias.shape.every((d, i) => d === 1 || i === bias.shape.length - 1);
}

/** The rest of a fused kernel: a bias that is not a row (wasm's broadcasting Add), then the activation. */
function epilogue(backend: WasmBackend, product: TensorInfo, bias: TensorInfo | undefined, prelu: TensorInfo | undefined, attrs: Omit<FusedAttrs, keyof MatMulAttrs>, kernel: (name: string) => Kernel): TensorInfo {
  let out = product;
  if (bias) out = replace(backend, out, kernel('Add').kernelFunc({ inputs: { a: out, b: bias }, backend, attrs: {} } as unknown as Args) as TensorInfo);
  const activation = attrs.activation ?? 'linear';
  if (activation === 'linear') return out;
  const name = ACTIVATION_KERNELS[activation];
  if (!name) throw new Error(`fused kernel: activation ${activation} is not supported`);
  const activationInputs = activation === 'prelu' ? { x: out, alpha: prelu } : { x: out };
  const activated = kernel(name).kernelFunc({ inputs: activationInputs, backend, attrs: { alpha: attrs.leakyreluAlpha } } as unknown as Args) as TensorInfo;
  return replace(backend, out, activated);
}

/** FusedConv2D: the BLAS convolution, its bias row added by sgemm, then the epilogue. */
function makeFusedConv2D(tf: Tf, blas: Blas, original: Kernel, kernel: (name: string) => Kernel, choice: ConvChoice): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
      backend: WasmBackend;
      attrs: ConvAttrs & Omit<FusedAttrs, keyof MatMulAttrs>;
    };
    const { x, filter, bias } = inputs;
    const dilated = [attrs.dilations ?? 1].flat().some((d) => d !== 1);
    if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || dilated || typeof attrs.pad === 'object' || filter.shape[2] < choice.forward || x.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return original.kernelFunc(args);
    const row = isRow(bias, filter.shape[3]);
    const out = convForward(tf, blas, backend, x, filter, attrs, choice, row ? bias : undefined);
    return epilogue(backend, out, row ? undefined : bias, inputs.preluActivationWeights, attrs, kernel);
  };
}

/** Frees the intermediate `old` and returns `next`. */
function replace(backend: WasmBackend, old: TensorInfo, next: TensorInfo): TensorInfo {
  backend.disposeData(old.dataId);
  return next;
}

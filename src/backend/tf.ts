/**
 * The tfjs type every layer works with, and helpers around it. A leaf: imports types only (and
 * node's createRequire), so that select.ts (which starts a backend) and the kernels it registers
 * do not import each other.
 */
import { createRequire } from 'node:module';

export type Tf = typeof import('@tensorflow/tfjs-core');

const requireHere = createRequire(import.meta.url);

/**
 * A tfjs package (CommonJS bundles of several MB) loaded with require, not import(): node then
 * skips scanning the whole bundle for its export names (its CommonJS lexer and module-format
 * detection), which cost every process that starts tfjs about 3x the CPU of the load itself
 * (measured: ~115 against ~360 ms of CPU for tfjs-core, -layers and -backend-wasm). The module
 * is the same one an import() would give (one module cache).
 */
export function requireTfjs<T = unknown>(name: string): T {
  return requireHere(name) as T;
}

/** tf.tidy for callers that return plain values (numbers, nulls, objects of them). */
export function tidyValue<T>(tf: Tf, fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out as T;
}

/**
 * Runs `fn` with console.warn/error silenced: tfjs logs backend-init failures and slowness notices
 * itself; init-bench reports what matters its own way.
 */
export async function withoutConsoleNoise<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, error } = console;
  console.warn = () => {};
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type TensorInfo = import('@tensorflow/tfjs-core').TensorInfo;

/**
 * A new tensor filled in place by `fill`: on wasm straight into the heap (no staging array, no
 * second copy), elsewhere from a JS array. For data that arrives every step (batches).
 */
export function filledTensor<D extends 'float32' | 'int32'>(tf: Tf, shape: number[], dtype: D, fill: (values: D extends 'float32' ? Float32Array : Int32Array) => void): Tensor {
  type Values = D extends 'float32' ? Float32Array : Int32Array;
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as { makeOutput(shape: number[], dtype: D): TensorInfo; typedArrayFromHeap(t: TensorInfo): Values };
    const info = backend.makeOutput(shape, dtype);
    fill(backend.typedArrayFromHeap(info));
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const values = (dtype === 'float32' ? new Float32Array(size) : new Int32Array(size)) as Values;
  fill(values);
  return tf.tensor(values, shape, dtype);
}

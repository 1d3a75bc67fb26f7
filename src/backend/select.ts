/**
 * Picks and starts the tfjs backend: `tensorflow` (native libtensorflow through the optional
 * @tensorflow/tfjs-node) when it loads, else `wasm` (XNNPACK, shipped inside its npm package),
 * else `cpu` (pure JS). On wasm the dense products go to the system's BLAS when one is found
 * (src/backend/blas.ts). tfjs is imported here, lazily, so that `--help` and `list` start fast.
 */
import { UserError } from '../errors.js';
import { blasHint, blasLabel, loadBlas, type BlasChoice } from './blas.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';
/** What ran, in results and the run header: a BackendName, on wasm with `+library version` when a system BLAS does the products (`wasm+openblas 0.3.21`). */
export type BackendLabel = string;
export type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type TensorInfo = import('@tensorflow/tfjs-core').TensorInfo;

const HOW_TO_GET: Record<BackendName, string> = {
  tensorflow:
    'install the optional native backend with `npm install @tensorflow/tfjs-node@4.22.0` on a machine that can download libtensorflow (its install step fetches it), or use --backend wasm',
  wasm: 'reinstall the dependencies (`npm install`); @tensorflow/tfjs-backend-wasm ships its .wasm files inside the package',
  cpu: 'reinstall the dependencies (`npm install`)',
};

/** A variable, so that TypeScript does not require the optional package to be installed. */
const NATIVE_PACKAGE: string = '@tensorflow/tfjs-node';

export interface BackendOptions {
  /** wasm only: `auto` (the first system BLAS found), `off` (XNNPACK only) or a library's path. */
  blas?: BlasChoice;
}

export interface ActiveBackend {
  name: BackendName;
  /** What ran, for results and the run header: `wasm+openblas 0.3.21`, `wasm`, `tensorflow`, `cpu`. */
  label: BackendLabel;
  /** Said once in the run header: how to get a faster path (wasm without a BLAS), else null. */
  hint: string | null;
  tf: Tf;
}

let active: (ActiveBackend & { blas: BlasChoice }) | null = null;

/**
 * Starts the requested backend once per process and returns tfjs bound to it. `options.blas`
 * left out means: whatever this process already chose, else INIT_BENCH_BLAS, else `auto`.
 */
export async function startBackend(request: BackendRequest, options: BackendOptions = {}): Promise<ActiveBackend> {
  if (active && (request === 'auto' || request === active.name)) {
    if (options.blas !== undefined && options.blas !== active.blas && active.name === 'wasm') {
      throw new Error(`the wasm backend already runs with blas ${active.blas}; a process has one (asked for ${options.blas})`);
    }
    return active;
  }
  const order: BackendName[] = request === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [request];
  const blas = options.blas ?? blasFromEnvironment();
  const reasons: string[] = [];
  for (const name of order) {
    try {
      const tf = await load(name);
      active = { name, label: name, hint: null, tf, blas, ...(name === 'wasm' ? await accelerate(tf, blas) : {}) };
      return active;
    } catch (err) {
      if (err instanceof UserError) throw err;
      reasons.push(`${name}: ${firstLine(err)}`);
    }
  }
  if (request !== 'auto') {
    throw new UserError(`backend "${request}" cannot be loaded (${reasons.join('; ')}); ${HOW_TO_GET[request]}`);
  }
  throw new Error(`no tfjs backend could be loaded: ${reasons.join('; ')}`);
}

async function load(name: BackendName): Promise<Tf> {
  // Quiet: no "install tfjs-node" banner from the cpu backend, no oneDNN notice from libtensorflow.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core's Node bundle registers no gradient functions (the umbrella @tensorflow/tfjs took
  // them from tfjs-layers' bundle, which registers all of core's in the shared global registry).
  // Importing tfjs-layers is the one way to get them without a bundler: ~150 ms, once per process.
  await import('@tensorflow/tfjs-layers');
  tf.env().set('PROD', true);
  if (name === 'tensorflow') await import(NATIVE_PACKAGE);
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  const ok = await withoutConsoleNoise(() => tf.setBackend(name));
  if (!ok || tf.getBackend() !== name) throw new Error('tf.setBackend refused it');
  await tf.ready();
  if (name === 'wasm') (await import('./wasm-kernels.js')).registerWasmKernels(tf);
  return tf;
}

/** The run header's backend line: what runs, and once, how to get a faster path. */
export function backendLine(label: BackendLabel, hint: string | null): string {
  return `backend: ${label}${hint ? `\n  ${hint}` : ''}`;
}

/**
 * INIT_BENCH_BLAS (auto, off or a library's path), the one place the environment is read for it.
 * Interim: when the config refactor (issue 11) lands, the `blas` config key and `--blas` flag
 * carry it and this moves to the CLI's edge.
 */
function blasFromEnvironment(): BlasChoice {
  return process.env.INIT_BENCH_BLAS?.trim() || 'auto';
}

/** Routes wasm's dense products to the system's BLAS when `choice` finds one; the label says so. */
async function accelerate(tf: Tf, choice: BlasChoice): Promise<{ label: string; hint: string | null }> {
  const found = await loadBlas(choice);
  if (!found.blas) {
    if (choice !== 'auto' && choice !== 'off') throw new UserError(`--blas ${choice}: cannot use it as a BLAS (${found.reasons.join('; ')}); give the path of a library with cblas_sgemm (OpenBLAS, MKL, BLIS), or auto, or off`);
    return { label: 'wasm', hint: choice === 'auto' ? blasHint() : null };
  }
  (await import('./blas-kernels.js')).registerBlasKernels(tf, found.blas);
  return { label: blasLabel(found.blas), hint: null };
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

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].replace(/^Cannot find (package|module) '([^']+)'.*/, 'package $2 is not installed');
}

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

/** tf.tidy for callers that return plain values (numbers, nulls, objects of them). */
export function tidyValue<T>(tf: Tf, fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out as T;
}

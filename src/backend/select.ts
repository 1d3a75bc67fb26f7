/**
 * Picks and starts the tfjs backend: `tensorflow` (native libtensorflow through the optional
 * @tensorflow/tfjs-node) when it loads, else `wasm` (XNNPACK, shipped inside its npm package),
 * else `cpu` (pure JS). On wasm the dense products and most convolutions go to the system's
 * BLAS when one is found (src/backend/blas.ts). tfjs is imported here, lazily, so that `--help`
 * and `list` start fast.
 */
import { UserError } from '../errors.js';
import { blasHint, blasLabel, loadBlas, type Blas, type BlasChoice } from './blas.js';
import { requireTfjs, withoutConsoleNoise, type Tf } from './tf.js';

export type { Tf } from './tf.js';
export type { BlasChoice } from './blas.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';
/** What ran, in results and the run header: a BackendName, on wasm with `+library version` when a system BLAS does the products (`wasm+openblas 0.3.21`). */
export type BackendLabel = string;

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
  /** wasm with a system BLAS: its thread count from now on (left out: as it is, 1 at the start). */
  blasThreads?: number;
}

export interface ActiveBackend {
  name: BackendName;
  /** What ran, for results and the run header: `wasm+openblas 0.3.21`, `wasm`, `tensorflow`, `cpu`. */
  label: BackendLabel;
  /** Said once in the run header: how to get a faster path (wasm without a BLAS), else null. */
  hint: string | null;
  tf: Tf;
}

let active: (ActiveBackend & { blas: BlasChoice; library: Blas | null }) | null = null;

/**
 * Starts the requested backend once per process and returns tfjs bound to it. `options.blas`
 * left out means: whatever this process already chose, else `auto`.
 */
export async function startBackend(request: BackendRequest, options: BackendOptions = {}): Promise<ActiveBackend> {
  if (active && (request === 'auto' || request === active.name)) {
    if (options.blas !== undefined && options.blas !== active.blas && active.name === 'wasm') {
      throw new Error(`the wasm backend already runs with blas ${active.blas}; a process has one (asked for ${options.blas})`);
    }
    if (options.blasThreads !== undefined) active.library?.setThreads(options.blasThreads);
    return active;
  }
  const order: BackendName[] = request === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [request];
  const blas = options.blas ?? 'auto';
  const reasons: string[] = [];
  for (const name of order) {
    try {
      const tf = await load(name);
      active = { name, label: name, hint: null, tf, blas, library: null, ...(name === 'wasm' ? await accelerate(tf, blas) : {}) };
      if (options.blasThreads !== undefined) active.library?.setThreads(options.blasThreads);
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

/**
 * The system BLAS the running wasm backend does its products on, or null (no BLAS, another
 * backend, or tfjs switched away from wasm since): what the fused trainer runs on
 * (src/train/fused-step.ts).
 */
export function activeBlas(tf: Tf): Blas | null {
  return active?.name === 'wasm' && active.tf === tf && tf.getBackend() === 'wasm' ? active.library : null;
}

async function load(name: BackendName): Promise<Tf> {
  // Quiet: no "install tfjs-node" banner from the cpu backend, no oneDNN notice from libtensorflow.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const tf = requireTfjs<Tf>('@tensorflow/tfjs-core');
  // tfjs-core's Node bundle registers no gradient functions (the umbrella @tensorflow/tfjs took
  // them from tfjs-layers' bundle, which registers all of core's in the shared global registry).
  // Importing tfjs-layers is the one way to get them without a bundler: ~150 ms, once per process.
  requireTfjs('@tensorflow/tfjs-layers');
  tf.env().set('PROD', true);
  if (name === 'tensorflow') requireTfjs(NATIVE_PACKAGE);
  if (name === 'cpu') requireTfjs('@tensorflow/tfjs-backend-cpu');
  if (name === 'wasm') requireTfjs('@tensorflow/tfjs-backend-wasm');
  const ok = await withoutConsoleNoise(() => tf.setBackend(name));
  if (!ok || tf.getBackend() !== name) throw new Error('tf.setBackend refused it');
  await tf.ready();
  if (name === 'wasm') (await import('./wasm-kernels.js')).registerWasmKernels(tf);
  return tf;
}

/** Routes wasm's products to the system's BLAS when `choice` finds one; the label says so. */
async function accelerate(tf: Tf, choice: BlasChoice): Promise<{ label: string; hint: string | null; library: Blas | null }> {
  const found = await loadBlas(choice);
  if (!found.blas) {
    if (choice !== 'auto' && choice !== 'off') throw new UserError(`blas ${choice}: cannot use it as a BLAS (${found.reasons.join('; ')}); give the path of a library with cblas_sgemm (OpenBLAS, MKL, BLIS), or auto, or off`);
    return { label: 'wasm', hint: choice === 'auto' ? blasHint() : null, library: null };
  }
  (await import('./blas-kernels.js')).registerBlasKernels(tf, found.blas);
  return { label: blasLabel(found.blas), hint: null, library: found.blas };
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].replace(/^Cannot find (package|module) '([^']+)'.*/, 'package $2 is not installed');
}

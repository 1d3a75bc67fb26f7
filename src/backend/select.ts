/**
 * Picks and starts the tfjs backend: `tensorflow` (native libtensorflow through the optional
 * @tensorflow/tfjs-node) when it loads, else `wasm` (XNNPACK, shipped inside its npm package),
 * else `cpu` (pure JS). tfjs is imported here, lazily, so that `--help` and `list` start fast.
 */
import { UserError } from '../errors.js';
import { withoutConsoleNoise, type Tf } from './tf.js';

export type { Tf } from './tf.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';

const HOW_TO_GET: Record<BackendName, string> = {
  tensorflow:
    'install the optional native backend with `npm install @tensorflow/tfjs-node@4.22.0` on a machine that can download libtensorflow (its install step fetches it), or use --backend wasm',
  wasm: 'reinstall the dependencies (`npm install`); @tensorflow/tfjs-backend-wasm ships its .wasm files inside the package',
  cpu: 'reinstall the dependencies (`npm install`)',
};

/** A variable, so that TypeScript does not require the optional package to be installed. */
const NATIVE_PACKAGE: string = '@tensorflow/tfjs-node';

let active: { name: BackendName; tf: Tf } | null = null;

/** Starts the requested backend once per process and returns tfjs bound to it. */
export async function startBackend(request: BackendRequest): Promise<{ name: BackendName; tf: Tf }> {
  if (active && (request === 'auto' || request === active.name)) return active;
  const order: BackendName[] = request === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [request];
  const reasons: string[] = [];
  for (const name of order) {
    try {
      const tf = await load(name);
      active = { name, tf };
      return active;
    } catch (err) {
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

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].replace(/^Cannot find (package|module) '([^']+)'.*/, 'package $2 is not installed');
}

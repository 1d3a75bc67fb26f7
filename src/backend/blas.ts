/**
 * The system's BLAS, found at run time and called through koffi (an FFI whose npm package ships
 * prebuilt binaries: no compiler, no download). `cblas_sgemm` runs on Float32Array views into the
 * wasm backend's heap (the library reads and writes tfjs's tensors in place, no copy) and, with
 * `cblas_saxpy`, on the fused trainer's own arrays (src/train/fused-step.ts).
 *
 * Why: XNNPACK under 128-bit wasm SIMD reaches 35-42 GFLOP/s on the MLP's products; OpenBLAS on
 * the same core 80-100 (a 2-vCPU Zen 4, measured). One BLAS thread per process unless the config's
 * blasThreads asks for more (setThreads), so that `--jobs` owns the cores; even then a product
 * runs on more than one thread only when it is large enough to gain (`productThreads`).
 */
import { existsSync } from 'node:fs';

/** `auto`: the first library found; `off`: none (XNNPACK only); anything else: a library's path. */
export type BlasChoice = 'auto' | 'off' | string;

export interface Blas {
  /** openblas, mkl, blis, accelerate or blas (a library named by path that we cannot identify). */
  name: string;
  /** The library's own version string, when it reports one. */
  version: string | null;
  /** Where it was loaded from. */
  path: string;
  /**
   * Row-major C = alpha A B + beta C on float32 views (A [m, k], or [k, m] when `transA`; B [k, n],
   * or [n, k] when `transB`; C [m, n]); alpha is 1 when left out.
   */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array, alpha?: number): void;
  /** y = alpha x + y over the first n values (cblas_saxpy). */
  saxpy(n: number, alpha: number, x: Float32Array, y: Float32Array): void;
  /**
   * The most threads a product may use (OpenBLAS, MKL, BLIS): each product then runs on
   * `productThreads` of them; lowering it takes effect at once (a library running more threads is
   * set to one before this returns). False where the library offers no such call.
   */
  setThreads(n: number): boolean;
  /** What setThreads last allowed (1 until it is called): the threads a trial may use. */
  mostThreads(): number;
  /** The library's thread count now (what the last product ran with), where it tells; else null. */
  threads(): number | null;
}

/**
 * Splitting a product over threads pays only when it is large and no side of it is thin.
 * Measured on 2 vCPUs that are SMT siblings (OpenBLAS 0.3.21, one product in a loop, best of 3):
 * the CNN's 2,000 x 32 x 16 products and their gradients ran at 0.15-0.59x their 1-thread speed
 * when split over 2 threads; the MLP's 64 x 256 x 784 gained 1.53x alone, yet whole default-MLP
 * trials ran 7% slower with every product above 2M multiply-adds split (the hand-offs), while
 * 1024-wide layers at batch 256 (256 x 1024 x 1024 and up: 1.79-1.95x alone) ran whole trials
 * 1.58x faster. Hence: every side at least 64, and at least 2^24 multiply-adds, else one thread.
 * A product's numbers depend on its thread count, so the same setting and shapes give the same
 * numbers.
 */
export const SPLIT_MIN_SIDE = 64;
export const SPLIT_MIN_MULTIPLY_ADDS = 2 ** 24;

/** The threads an m x n x k product runs on when `most` are allowed. */
export function productThreads(m: number, n: number, k: number, most: number): number {
  return most > 1 && Math.min(m, n, k) >= SPLIT_MIN_SIDE && m * n * k >= SPLIT_MIN_MULTIPLY_ADDS ? most : 1;
}

/** What `loadBlas` found: the library, or why not (one reason per candidate tried). */
export type BlasFound = { blas: Blas; reasons: string[] } | { blas: null; reasons: string[] };

/** Library file names tried by `auto`, most common first, per platform. */
const CANDIDATES: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['libopenblas.so.0', 'libopenblas.so', 'libmkl_rt.so.2', 'libmkl_rt.so', 'libblis.so.4', 'libblis.so.3', 'libblis.so'],
  // Accelerate is part of macOS; Homebrew's OpenBLAS is keg-only, so its paths are spelled out.
  darwin: ['/System/Library/Frameworks/Accelerate.framework/Accelerate', '/opt/homebrew/opt/openblas/lib/libopenblas.dylib', '/usr/local/opt/openblas/lib/libopenblas.dylib'],
  win32: ['libopenblas.dll', 'openblas.dll', 'mkl_rt.2.dll', 'mkl_rt.dll'],
  freebsd: ['libopenblas.so.0', 'libopenblas.so'],
};

/** CBLAS enums (cblas.h): row-major order, no transpose, transpose. */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type Koffi = (typeof import('koffi'))['default'];
type Library = ReturnType<Koffi['load']>;

/** Loads the BLAS `choice` asks for; `null` with the reasons when there is none (or `off`). */
export async function loadBlas(choice: BlasChoice): Promise<BlasFound> {
  if (choice === 'off') return { blas: null, reasons: ['off'] };
  let koffi: Koffi;
  try {
    koffi = (await import('koffi')).default;
  } catch (err) {
    return { blas: null, reasons: [`koffi cannot load: ${firstLine(err)}`] };
  }
  // Libraries that start a thread pool when loaded read these first; set before any is loaded.
  for (const v of ['OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'BLIS_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS']) process.env[v] = '1';
  const paths = choice === 'auto' ? (CANDIDATES[process.platform] ?? []) : [choice];
  const reasons: string[] = [];
  for (const path of paths) {
    if (path.startsWith('/') && !existsSync(path) && choice === 'auto') continue;
    try {
      return { blas: open(koffi, path), reasons };
    } catch (err) {
      reasons.push(`${path}: ${firstLine(err)}`);
    }
  }
  if (choice === 'auto' && reasons.length === 0) reasons.push('no BLAS library found');
  return { blas: null, reasons };
}

/**
 * The thread count each loaded library is set to, by path: the setting belongs to the library,
 * which every handle on it in this thread shares (the bench opens its own beside the backend's).
 * A step partner thread (src/train/step-partners.ts) has its own copy of this map and only ever
 * sets the library to one thread, when it opens its handle; the training thread sets it to one
 * itself (`setThreads(1)`) before every shared step, so the two never disagree during one.
 */
const librarySetting = new Map<string, { threads: number }>();

function open(koffi: Koffi, path: string): Blas {
  const lib = koffi.load(path);
  const gemm = lib.func('void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)');
  const axpy = lib.func('void cblas_saxpy(int n, float alpha, const float *x, int incx, float *y, int incy)');
  const { name, version, setThreads, getThreads } = identify(lib);
  setThreads?.(1);
  const setting = librarySetting.get(path) ?? { threads: 1 };
  setting.threads = 1;
  librarySetting.set(path, setting);
  // The most threads this handle's products may use.
  let most = 1;
  const blas: Blas = {
    name,
    version,
    path,
    setThreads(n) {
      most = n;
      if (setting.threads > n && setThreads) {
        setThreads(1);
        setting.threads = 1;
      }
      return setThreads !== null;
    },
    mostThreads: () => most,
    threads: () => (getThreads ? Number(getThreads()) : null),
    sgemm(transA, transB, m, n, k, a, b, beta, c, alpha = 1) {
      if (m === 0 || n === 0) return;
      if (k === 0) {
        if (beta === 0) c.fill(0, 0, m * n);
        else if (beta !== 1) for (let i = 0; i < m * n; i++) c[i] *= beta;
        return;
      }
      const threads = productThreads(m, n, k, most);
      if (threads !== setting.threads && setThreads) {
        setThreads(threads);
        setting.threads = threads;
      }
      gemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);
    },
    saxpy(n, alpha, x, y) {
      if (n > 0) axpy(n, alpha, x, 1, y, 1);
    },
  };
  selfTest(blas);
  return blas;
}

/** Which library this is, from the symbols only it exports, and its call that sets the thread count. */
function identify(lib: Library): { name: string; version: string | null; setThreads: ((n: number) => void) | null; getThreads?: (() => number) | null } {
  const has = (definition: string) => {
    try {
      return lib.func(definition);
    } catch {
      return null;
    }
  };
  const openblasConfig = has('const char *openblas_get_config()');
  if (openblasConfig) {
    return { name: 'openblas', version: /OpenBLAS\s+([\d.]+)/.exec(String(openblasConfig()))?.[1] ?? null, setThreads: has('void openblas_set_num_threads(int n)'), getThreads: has('int openblas_get_num_threads()') };
  }
  const mklVersion = has('void MKL_Get_Version_String(_Out_ char *buf, int len)');
  if (mklVersion) {
    const buf = Buffer.alloc(256);
    mklVersion(buf, buf.length);
    return { name: 'mkl', version: /Version\s+([\d.]+)/.exec(buf.toString('latin1'))?.[1] ?? null, setThreads: has('void MKL_Set_Num_Threads(int n)') };
  }
  const blisVersion = has('const char *bli_info_get_version_str()');
  if (blisVersion) {
    return { name: 'blis', version: String(blisVersion()), setThreads: has('void bli_thread_set_num_threads(long n)') };
  }
  if (has('int vDSP_sizeof_FFTSetup()') || has('void vvexpf(float *y, const float *x, const int *n)')) return { name: 'accelerate', version: null, setThreads: null };
  return { name: 'blas', version: null, setThreads: null };
}

/** Calls with known answers: a library with another ABI fails here, not in training. */
function selfTest(blas: Blas): void {
  const a = Float32Array.of(1, 2, 3, 4, 5, 6);
  const b = Float32Array.of(7, 8, 9, 10, 11, 12);
  const c = new Float32Array(4).fill(Number.NaN);
  blas.sgemm(false, false, 2, 2, 3, a, b, 0, c);
  if (c.join() !== '58,64,139,154') throw new Error(`cblas_sgemm gave ${c.join()} for a product whose answer is 58,64,139,154`);
  // 0.5 A B + 2 C with C = A B: 2.5 A B.
  blas.sgemm(false, false, 2, 2, 3, a, b, 2, c, 0.5);
  if (c.join() !== '145,160,347.5,385') throw new Error(`cblas_sgemm gave ${c.join()} for alpha 0.5, beta 2, whose answer is 145,160,347.5,385`);
  const y = Float32Array.of(1, 1, 1);
  blas.saxpy(3, -2, Float32Array.of(1, 2, 3), y);
  if (y.join() !== '-1,-3,-5') throw new Error(`cblas_saxpy gave ${y.join()} for a sum whose answer is -1,-3,-5`);
}

/** `wasm+openblas 0.3.21`: the backend label of results and the run header. */
export function blasLabel(blas: Blas): string {
  return `wasm+${blas.name}${blas.version ? ` ${blas.version}` : ''}`;
}

/** How to get a BLAS, said once in the header of a wasm run without one. */
export function blasHint(platform: NodeJS.Platform = process.platform): string {
  const how = platform === 'darwin' ? 'Accelerate is part of macOS (or `brew install openblas`)' : platform === 'win32' ? 'put OpenBLAS\'s libopenblas.dll on PATH' : '`apt install libopenblas0` (Debian/Ubuntu) or your distribution\'s OpenBLAS';
  return `no system BLAS found: products run on XNNPACK; ${how} runs them on the system's BLAS, which is faster (docs/backends.md; --blas PATH names a library)`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/**
 * Adam's and RMSprop's elementwise updates for the fused dense step (dense-step.ts) as a small
 * WebAssembly module of our own, four float32 lanes at a time (wasm SIMD, in Node since 16.4).
 *
 * Why: per weight these updates take a square root and a division, which bound a scalar loop in
 * JavaScript (float64, one value at a time): measured ~1 ms per step of the 784-256-128-10 MLP's
 * 235,000 weights, as much as a third of an Adam step at batch 128. Four lanes at a time take a
 * quarter of that, and float32 arithmetic is also what tfjs's optimizers compute in.
 *
 * The module is written below as its bytes (the WebAssembly binary format, with each
 * instruction named), built when first needed; its memory is the arena the fused step keeps its
 * weights, optimizer state and gradients in (allocated once, never grown, so views stay valid).
 * The formulas are tfjs-core's AdamOptimizer and RMSPropOptimizer (not centered), as dense-step.ts
 * states them.
 */

/** The updates over the float32 arrays of one arena. */
export interface UpdateKernels {
  /** A zero-filled array of `size` floats in the arena, 16-byte aligned, whose padding up to a multiple of 4 floats is the arena's too. */
  alloc(size: number): Float32Array;
  /** m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= step m / (sqrt(v r2) + eps), with step = lr / (1 - b1^t), r2 = 1 / (1 - b2^t). */
  adam(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, constants: { beta1: number; beta2: number; epsilon: number; step: number; r2: number }): void;
  /** s = d s + (1 - d) g^2; u = mu u + lr g / sqrt(s + eps); w -= u. */
  rmsprop(w: Float32Array, s: Float32Array, u: Float32Array, g: Float32Array, constants: { decay: number; momentum: number; epsilon: number; lr: number }): void;
}

/** Floats rounded up to whole lanes of 4: the kernels run over the padding too (zeros, whose updates are zeros). */
export const padded = (size: number): number => Math.ceil(size / 4) * 4;

/** Whether this engine compiles the module (wasm SIMD). */
export function updateKernelsAvailable(): boolean {
  return compiled() !== null;
}

/**
 * Kernels over a new arena of `floats` floats (the sum of `padded` sizes of every array to come),
 * or null when this engine cannot compile wasm SIMD.
 */
export function updateKernels(floats: number): UpdateKernels | null {
  const module = compiled();
  if (!module) return null;
  const bytes = floats * 4 + 16;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as {
    adam(w: number, m: number, v: number, g: number, bytes: number, b1: number, c1: number, b2: number, c2: number, step: number, r2: number, eps: number): void;
    rmsprop(w: number, s: number, u: number, g: number, bytes: number, d: number, c: number, mu: number, lr: number, eps: number): void;
  };
  let next = 0;
  const arrays = new Set<Float32Array>();
  const check = (...xs: Float32Array[]) => {
    for (const x of xs) if (!arrays.has(x)) throw new Error('update kernels: an array outside their arena');
    if (xs.some((x) => x.length !== xs[0].length)) throw new Error('update kernels: arrays of different sizes');
  };
  return {
    alloc(size) {
      const length = padded(size);
      if (next + length * 4 > memory.buffer.byteLength) throw new Error(`update kernels: the arena of ${floats} floats is full`);
      const array = new Float32Array(memory.buffer, next, size);
      next += length * 4;
      arrays.add(array);
      return array;
    },
    adam(w, m, v, g, k) {
      check(w, m, v, g);
      exports.adam(w.byteOffset, m.byteOffset, v.byteOffset, g.byteOffset, padded(w.length) * 4, k.beta1, 1 - k.beta1, k.beta2, 1 - k.beta2, k.step, k.r2, k.epsilon);
    },
    rmsprop(w, s, u, g, k) {
      check(w, s, u, g);
      exports.rmsprop(w.byteOffset, s.byteOffset, u.byteOffset, g.byteOffset, padded(w.length) * 4, k.decay, 1 - k.decay, k.momentum, k.lr, k.epsilon);
    },
  };
}

let cached: WebAssembly.Module | null | undefined;

function compiled(): WebAssembly.Module | null {
  if (cached === undefined) {
    const bytes = new Uint8Array(moduleBytes());
    cached = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return cached;
}

// ---------------------------------------------------------------------------------------------
// The module's bytes (https://webassembly.github.io/spec/core/binary/ and the SIMD proposal's
// opcode table, https://github.com/WebAssembly/simd/blob/main/proposals/simd/BinarySIMD.md).

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

// Instructions.
const get = (i: number) => [0x20, ...leb(i)];
const set = (i: number) => [0x21, ...leb(i)];
const tee = (i: number) => [0x22, ...leb(i)];
const i32Add = [0x6a];
const i32Const16 = [0x41, 0x10];
const i32Eqz = [0x45];
const i32LtU = [0x49];
const simd = (op: number) => [0xfd, ...leb(op)];
/** v128.load / v128.store with 16-byte alignment, offset 0. */
const load = [...simd(0x00), 4, 0];
const store = [...simd(0x0b), 4, 0];
const splat = simd(0x13); // f32x4.splat
const sqrt = simd(0xe3); // f32x4.sqrt
const add = simd(0xe4); // f32x4.add
const sub = simd(0xe5); // f32x4.sub
const mul = simd(0xe6); // f32x4.mul
const div = simd(0xe7); // f32x4.div
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const brIf = (depth: number) => [0x0d, depth];
const end = [0x0b];

/** Address of lane group i of the array whose byte offset is parameter `p`: p + i. */
const at = (p: number, i: number) => [...get(p), ...get(i), ...i32Add];

/**
 * A function over arrays (parameters 0..3, byte offsets) of `bytes` bytes (parameter 4), with
 * float constants (parameters 5.., each splat into a v128 local at `splats`), whose loop body
 * `body(i)` handles the 16 bytes at offset local i.
 */
function loopFunction(constants: number, vectors: number, body: (i: number, c: number[], v: number[]) => number[]): number[] {
  const params = 5 + constants;
  const i = params;
  const c = Array.from({ length: constants }, (_, k) => params + 1 + k);
  const v = Array.from({ length: vectors }, (_, k) => params + 1 + constants + k);
  const code = [
    ...c.flatMap((local, k) => [...get(5 + k), ...splat, ...set(local)]),
    ...block,
    ...get(4),
    ...i32Eqz,
    ...brIf(0),
    ...loop,
    ...body(i, c, v),
    ...get(i),
    ...i32Const16,
    ...i32Add,
    ...tee(i),
    ...get(4),
    ...i32LtU,
    ...brIf(0),
    ...end,
    ...end,
    ...end,
  ];
  const locals = vec([
    [1, I32],
    [constants + vectors, V128],
  ]);
  const body2 = [...locals, ...code];
  return [...leb(body2.length), ...body2];
}

function moduleBytes(): number[] {
  // adam(w, m, v, g, bytes, b1, 1 - b1, b2, 1 - b2, step, r2, eps)
  const adam = loopFunction(7, 3, (i, [b1, c1, b2, c2, step, r2, eps], [G, M, V]) => [
    ...at(3, i), ...load, ...set(G),
    // m = b1 m + (1 - b1) g
    ...at(1, i),
    ...get(b1), ...at(1, i), ...load, ...mul, ...get(c1), ...get(G), ...mul, ...add,
    ...tee(M), ...store,
    // v = b2 v + (1 - b2) g g
    ...at(2, i),
    ...get(b2), ...at(2, i), ...load, ...mul, ...get(c2), ...get(G), ...get(G), ...mul, ...mul, ...add,
    ...tee(V), ...store,
    // w = w - step m / (sqrt(v r2) + eps)
    ...at(0, i),
    ...at(0, i), ...load,
    ...get(step), ...get(M), ...mul,
    ...get(V), ...get(r2), ...mul, ...sqrt, ...get(eps), ...add,
    ...div, ...sub,
    ...store,
  ]);
  // rmsprop(w, s, u, g, bytes, d, 1 - d, mu, lr, eps)
  const rmsprop = loopFunction(5, 3, (i, [d, c, mu, lr, eps], [G, S, U]) => [
    ...at(3, i), ...load, ...set(G),
    // s = d s + (1 - d) g g
    ...at(1, i),
    ...get(d), ...at(1, i), ...load, ...mul, ...get(c), ...get(G), ...get(G), ...mul, ...mul, ...add,
    ...tee(S), ...store,
    // u = mu u + lr g / sqrt(s + eps)
    ...at(2, i),
    ...get(mu), ...at(2, i), ...load, ...mul, ...get(lr), ...get(G), ...mul, ...get(S), ...get(eps), ...add, ...sqrt, ...div, ...add,
    ...tee(U), ...store,
    // w = w - u
    ...at(0, i),
    ...at(0, i), ...load, ...get(U), ...sub,
    ...store,
  ]);
  const type = (floats: number) => [0x60, ...vec([...Array(5).fill([I32]), ...Array(floats).fill([F32])]), ...vec([])];
  return [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([type(7), type(5)])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('adam'), 0x00, 0], [...name('rmsprop'), 0x00, 1]])),
    ...section(10, vec([adam, rmsprop])),
  ];
}

/**
 * Adam's and RMSprop's elementwise updates, and 2x2 max pooling with its argmax, for the fused
 * training step (fused-step.ts) as a small WebAssembly module of our own, four float32 lanes at a
 * time (wasm SIMD, in Node since 16.4).
 *
 * Why: per weight these updates take a square root and a division, which bound a scalar loop in
 * JavaScript (float64, one value at a time): measured ~1 ms per step of the 784-256-128-10 MLP's
 * 235,000 weights, as much as a third of an Adam step at batch 128. Four lanes at a time take a
 * quarter of that, and float32 arithmetic is also what tfjs's optimizers compute in. Max pooling
 * keeps the index of each window's maximum: a comparison per value whose branch a JavaScript loop
 * mispredicts on every other value of a random sign; f32x4.gt and bitselect have no branch.
 *
 * The module is written below as its bytes (the WebAssembly binary format, with each
 * instruction named), built when first needed; its memory is the arena the fused step keeps its
 * weights, optimizer state and gradients in (allocated once, never grown, so views stay valid;
 * a second arena holds a batch's pooled layers, made again only when a larger batch comes).
 * The formulas are tfjs-core's AdamOptimizer and RMSPropOptimizer (not centered), as fused-step.ts
 * states them.
 */

/** The kernels over the float32 arrays of one arena. */
export interface UpdateKernels {
  /** A zero-filled array of `size` floats in the arena, 16-byte aligned, whose padding up to a multiple of 4 floats is the arena's too. */
  alloc(size: number): Float32Array;
  /** m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= step m / (sqrt(v r2) + eps), with step = lr / (1 - b1^t), r2 = 1 / (1 - b2^t). */
  adam(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, constants: { beta1: number; beta2: number; epsilon: number; step: number; r2: number }): void;
  /** s = d s + (1 - d) g^2; u = mu u + lr g / sqrt(s + eps); w -= u. */
  rmsprop(w: Float32Array, s: Float32Array, u: Float32Array, g: Float32Array, constants: { decay: number; momentum: number; epsilon: number; lr: number }): void;
  /**
   * 2x2 max pooling, stride 2, 'valid' padding, of `x` [n, inH, inW, channels] (channels a
   * multiple of 4) into `pooled` [n, outH, outW, channels], and each pooled value's index in `x`
   * into `argmax` (a view of an array of the arena): the first maximum of its window in scan
   * order (f32x4.gt: a later value replaces the best only when greater). `relu`: ReLU applied to
   * the pooled values on their bits (b & ~(b >> 31), as fused-step.ts's reluForward: max and ReLU
   * commute, so this is ReLU then pooling).
   */
  maxPool2(x: Float32Array, pooled: Float32Array, argmax: Int32Array, n: number, shape: PoolShape, relu?: boolean): void;
  /**
   * maxPool2's adjoint: `dx` (the shape of x) zero but where `argmax` points, which gets
   * `dPooled`'s value; with `reluOf`, the pooled ReLU output, only where that is nonzero (ReLU's
   * derivative, as fused-step.ts's reluBackward).
   */
  unpool2(dPooled: Float32Array, argmax: Int32Array, dx: Float32Array, n: number, shape: PoolShape, reluOf?: Float32Array): void;
}

/** A 2x2 pooling's input [n, inH, inW, channels] and output [n, outH, outW, channels] sizes. */
export interface PoolShape {
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
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
    pool2: WindowRowFunction;
    unpool2: WindowRowFunction;
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
    maxPool2(x, pooled, argmax, n, shape, relu = false) {
      check(x);
      check(pooled);
      windowRows(exports.pool2, x, pooled, argmax, n, shape, relu ? 1 : 0);
    },
    unpool2(dPooled, argmax, dx, n, shape, reluOf) {
      check(dx);
      check(dPooled);
      if (reluOf) check(dPooled, reluOf);
      // Rows and columns no window covers (an odd size's last) are not written: zeros first.
      if (shape.inH % 2 !== 0 || shape.inW % 2 !== 0) dx.fill(0, 0, n * shape.inH * shape.inW * shape.channels);
      windowRows(exports.unpool2, dx, dPooled, argmax, n, shape, reluOf ? reluOf.byteOffset - dPooled.byteOffset : 0);
    },
  };
}

type WindowRowFunction = (x0: number, d1: number, out: number, arg: number, groups: number, c4: number, cBytes: number, idx0: number, c: number, rowElems: number, relu: number) => void;

/** Calls pool2 or unpool2 once per output row: its two input rows of `map`, outW windows of `channels` lanes each. */
function windowRows(f: WindowRowFunction, map: Float32Array, pooled: Float32Array, argmax: Int32Array, n: number, { inH, inW, channels, outH, outW }: PoolShape, relu: number): void {
  if (channels % 4 !== 0) throw new Error('update kernels: 2x2 pooling of a channel count not a multiple of 4');
  if (argmax.buffer !== pooled.buffer) throw new Error('update kernels: an array outside their arena');
  if (map.length < n * inH * inW * channels || pooled.length < n * outH * outW * channels || argmax.length < n * outH * outW * channels) throw new Error('update kernels: pooling arrays too small');
  const rowElems = inW * channels;
  const outRow = outW * channels;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      const idx0 = (b * inH + 2 * r) * rowElems;
      const o = (b * outH + r) * outRow;
      f(map.byteOffset + idx0 * 4, rowElems * 4, pooled.byteOffset + o * 4, argmax.byteOffset + o * 4, outRow / 4, channels / 4, channels * 4, idx0, channels, rowElems, relu);
    }
  }
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
const i32Sub = [0x6b];
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
const i32Const = (n: number) => [0x41, ...leb(n)];
const i32x4Splat = simd(0x11);
const i32x4Add = simd(0xae);
const f32x4Gt = simd(0x44);
const bitselect = simd(0x52);
const i32x4Eq = simd(0x37);
const v128And = simd(0x4e);
const v128AndNot = simd(0x4f);
const v128Or = simd(0x50);
const v128Not = simd(0x4d);
const i32x4Neg = simd(0xa1);
const i32x4ShrS = simd(0xac);
const i32Ne = [0x47];
/** v128.const of four i32 lanes (each < 128: one byte of its little-endian value, then zeros). */
const i32x4Const = (lanes: number[]) => [...simd(0x0c), ...lanes.flatMap((v) => [v, 0, 0, 0])];
const ifBlock = [0x04, 0x40];
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
  // pool2 and unpool2 (x0, d1, out, arg, groups, c4, cBytes, idx0, c, rowElems, relu): one output row
  // of 2x2 max pooling, `groups` groups of 4 lanes. x0: the byte offset of the windows' top row,
  // d1: bytes to their bottom row; per group the four positions of its window A (x0), B (x0 +
  // cBytes), C (x0 + d1), D (x0 + d1 + cBytes) and their indices in the map; after c4 groups the
  // window ends: the next starts one window-column (cBytes) further on.
  // pool2: the best replaced by a later candidate only where it is greater (f32x4.gt), its index
  // alongside, stored at `out` and `arg`; relu != 0: ReLU of the best stored (on the bits:
  // b & ~(b >> 31)). unpool2, its adjoint: each position of the window gets the pooled gradient
  // at `out` where `arg` is its index, else 0 (every position written); relu != 0: the bytes from
  // `out` to the pooled ReLU output h, the gradient kept only where h != 0 ((b | -b) >> 31).
  const windowRowCode = (body: (v: Record<'pa' | 'd1' | 'cBytes' | 'out' | 'arg' | 'relu' | 'ia' | 'vC' | 'vRow' | 'M' | 'I' | 'G' | 'T' | 'R', number>) => number[]) => {
    const [x0, d1, out, arg, groups, c4, cBytes, idx0, c, rowElems, relu] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const [j, kc, pa] = [11, 12, 13];
    const [ia, vC, vRow, v4, M, I, G, T, R] = [14, 15, 16, 17, 18, 19, 20, 21, 22];
    const code = [
      // R: all ones in every lane when relu != 0, else zeros.
      ...i32Const(0), ...get(relu), ...i32Const(0), ...i32Ne, ...i32Sub, ...i32x4Splat, ...set(R),
      ...get(x0), ...set(pa),
      ...get(c4), ...set(kc),
      ...get(idx0), ...i32x4Splat, ...i32x4Const([0, 1, 2, 3]), ...i32x4Add, ...set(ia),
      ...get(c), ...i32x4Splat, ...set(vC),
      ...get(rowElems), ...i32x4Splat, ...set(vRow),
      ...i32Const(4), ...i32x4Splat, ...set(v4),
      ...block,
      ...get(groups), ...i32Eqz, ...brIf(0),
      ...loop,
      ...body({ pa, d1, cBytes, out, arg, relu, ia, vC, vRow, M, I, G, T, R }),
      ...get(out), ...i32Const16, ...i32Add, ...set(out),
      ...get(arg), ...i32Const16, ...i32Add, ...set(arg),
      ...get(pa), ...i32Const16, ...i32Add, ...set(pa),
      ...get(ia), ...get(v4), ...i32x4Add, ...set(ia),
      ...get(kc), ...i32Const(1), ...i32Sub, ...tee(kc), ...i32Eqz,
      ...ifBlock,
      ...get(c4), ...set(kc),
      ...get(pa), ...get(cBytes), ...i32Add, ...set(pa),
      ...get(ia), ...get(vC), ...i32x4Add, ...set(ia),
      ...end,
      ...get(j), ...i32Const(1), ...i32Add, ...tee(j), ...get(groups), ...i32LtU, ...brIf(0),
      ...end,
      ...end,
      ...end,
    ];
    const locals = [...vec([[3, I32], [9, V128]]), ...code];
    return [...leb(locals.length), ...locals];
  };
  /** The window's positions B, C, D: their byte addresses and index vectors. */
  const others = (v: { pa: number; d1: number; cBytes: number; ia: number; vC: number; vRow: number }) => [
    { address: [...get(v.pa), ...get(v.cBytes), ...i32Add], index: [...get(v.ia), ...get(v.vC), ...i32x4Add] },
    { address: [...get(v.pa), ...get(v.d1), ...i32Add], index: [...get(v.ia), ...get(v.vRow), ...i32x4Add] },
    { address: [...get(v.pa), ...get(v.d1), ...i32Add, ...get(v.cBytes), ...i32Add], index: [...get(v.ia), ...get(v.vRow), ...i32x4Add, ...get(v.vC), ...i32x4Add] },
  ];
  const pool2 = windowRowCode((v) => [
    ...get(v.pa), ...load, ...set(v.M),
    ...get(v.ia), ...set(v.I),
    ...others(v).flatMap(({ address, index }) => [
      ...address, ...load, ...set(v.T),
      ...get(v.T), ...get(v.M), ...f32x4Gt, ...set(v.G),
      ...get(v.T), ...get(v.M), ...get(v.G), ...bitselect, ...set(v.M),
      ...index, ...get(v.I), ...get(v.G), ...bitselect, ...set(v.I),
    ]),
    // ReLU where R: M & ~((M >> 31) & R).
    ...get(v.out), ...get(v.M), ...get(v.M), ...i32Const(31), ...i32x4ShrS, ...get(v.R), ...v128And, ...v128AndNot, ...store,
    ...get(v.arg), ...get(v.I), ...store,
  ]);
  const unpool2 = windowRowCode((v) => [
    // M: the pooled gradient, where R also only where h != 0: M & (((h | -h) >> 31) | ~R).
    ...get(v.out), ...load,
    ...get(v.out), ...get(v.relu), ...i32Add, ...load, ...set(v.T),
    ...get(v.T), ...get(v.T), ...i32x4Neg, ...v128Or, ...i32Const(31), ...i32x4ShrS, ...get(v.R), ...v128Not, ...v128Or,
    ...v128And, ...set(v.M),
    ...get(v.arg), ...load, ...set(v.I),
    ...[{ address: get(v.pa), index: get(v.ia) }, ...others(v)].flatMap(({ address, index }) => [
      ...address,
      ...get(v.M), ...get(v.I), ...index, ...i32x4Eq, ...v128And,
      ...store,
    ]),
  ]);
  const type = (floats: number) => [0x60, ...vec([...Array(5).fill([I32]), ...Array(floats).fill([F32])]), ...vec([])];
  return [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([type(7), type(5), [0x60, ...vec(Array(11).fill([I32])), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1)]])),
    ...section(3, vec([[0], [1], [2], [2]])),
    ...section(7, vec([[...name('adam'), 0x00, 0], [...name('rmsprop'), 0x00, 1], [...name('pool2'), 0x00, 2], [...name('unpool2'), 0x00, 3]])),
    ...section(10, vec([adam, rmsprop, pool2, unpool2])),
  ];
}

/**
 * tfjs's SGD, momentum and Adam updates in one JS pass per variable over the wasm heap, instead
 * of 3 to 14 tfjs kernels per variable per step (the optimizer was 18% of a profiled momentum
 * step once the products ran on the BLAS). The optimizer's own state (momentum, moments) is
 * updated in place; each weight gets a new buffer, assigned to its variable as tfjs does:
 * XNNPACK caches packed weights by tensor id, so a weight changed in place would go stale there.
 *
 * Same numbers as tfjs, bit for bit: each expression below is tfjs 4.22's update
 * (tfjs-core/src/optimizers/{sgd,momentum,adam}_optimizer.ts) in the same order, every
 * intermediate rounded to float32 as its kernel would store it (a product or quotient of two
 * float32 values computed in double and rounded once to float32 is the correctly rounded float32
 * result; so are a sum and a square root; see Goldberg 1991, "What every computer scientist
 * should know about floating-point arithmetic", and Figueroa 1995 on double rounding).
 * test/train/in-place.test.ts checks this against tfjs's own optimizers.
 *
 * Only on wasm, for float32 variables whose state no other tensor shares (refCount 1);
 * otherwise the tfjs update runs.
 */
import type { NamedTensorMap, Optimizer, Tensor, TensorInfo, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/select.js';

const f = Math.fround;

interface Heap {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  refCount(dataId: object): number;
}

/**
 * One update: the new weights computed by `update` from views of the weights, their gradients
 * and the optimizer's state (changed in place), then assigned. False when it cannot run here.
 */
function update(tf: Tf, vars: Variable[], grads: Tensor[], state: Tensor[], perVariable: (w: Float32Array, g: Float32Array, out: Float32Array, i: number, state: Float32Array[]) => void): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const heap = tf.backend() as unknown as Heap;
  if ([...vars, ...grads, ...state].some((t) => t.dtype !== 'float32' || t.isDisposed) || state.some((t) => heap.refCount(t.dataId) !== 1)) return false;
  // Every allocation first: growing the heap detaches views taken before it.
  const outs = vars.map((v) => heap.makeOutput([...v.shape], 'float32'));
  const view = (t: TensorInfo) => heap.typedArrayFromHeap(t);
  const stateViews = state.map(view);
  vars.forEach((v, i) => perVariable(view(v), view(grads[i]), view(outs[i]), i, stateViews));
  vars.forEach((v, i) => {
    const next = tf.engine().makeTensorFromTensorInfo(outs[i]);
    v.assign(next);
    next.dispose();
  });
  return true;
}

type Grads = NamedTensorMap;

/** A zero variable shaped like `v`, not trainable (what tfjs's optimizers keep per variable). */
const zerosVariable = (tf: Tf, v: Tensor): Variable => tf.tidy(() => tf.zerosLike(v).variable(false));

/**
 * Wraps `optimizer` so that applyGradients runs `step` in place when it can, else tfjs's update.
 * The choice is made at the first step and kept: the two keep their state apart.
 */
function wrap(optimizer: Optimizer, step: (grads: Grads) => boolean): Optimizer {
  const tfjsUpdate = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads) => {
    const inPlace = chosen.get(optimizer);
    if (inPlace === false || Array.isArray(grads)) return tfjsUpdate(grads);
    const done = step(grads);
    if (inPlace === undefined) chosen.set(optimizer, done);
    if (!done && inPlace) throw new Error('in-place optimizer: a variable\'s memory became shared after the first step');
    if (!done) tfjsUpdate(grads);
  };
  return optimizer;
}

const chosen = new WeakMap<Optimizer, boolean>();

/** Whether `optimizer` updates in place (true), runs tfjs's update (false), or has not stepped yet (null). */
export function updatesInPlace(optimizer: Optimizer): boolean | null {
  return chosen.get(optimizer) ?? null;
}

/** SGD: w = (-lr) g + w. */
export function inPlaceSgd(tf: Tf, lr: number): Optimizer {
  const c = f(-lr);
  return wrap(tf.train.sgd(lr), (grads) => {
    const names = Object.keys(grads);
    return update(tf, names.map((n) => tf.engine().registeredVariables[n]), names.map((n) => grads[n]), [], (w, g, out) => {
      for (let j = 0; j < w.length; j++) out[j] = f(c * g[j]) + w[j];
    });
  });
}

/** Momentum (heavy ball): a = m a + g; w = (-lr) a + w. */
export function inPlaceMomentum(tf: Tf, lr: number, momentum: number): Optimizer {
  const c = f(-lr);
  const m = f(momentum);
  const accumulators = new Map<string, Variable>();
  const optimizer = wrap(tf.train.momentum(lr, momentum), (grads) => {
    const names = Object.keys(grads);
    const vars = names.map((n) => tf.engine().registeredVariables[n]);
    for (const [i, n] of names.entries()) if (!accumulators.has(n)) accumulators.set(n, zerosVariable(tf, vars[i]));
    return update(tf, vars, names.map((n) => grads[n]), names.map((n) => accumulators.get(n)!), (w, g, out, i, state) => {
      const a = state[i];
      for (let j = 0; j < w.length; j++) {
        a[j] = f(m * a[j]) + g[j];
        out[j] = f(c * a[j]) + w[j];
      }
    });
  });
  return withDisposal(optimizer, () => accumulators.forEach((v) => v.dispose()));
}

/**
 * Adam (Kingma and Ba 2015): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * w = (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) * (-lr) + w.
 */
export function inPlaceAdam(tf: Tf, lr: number, beta1 = 0.9, beta2 = 0.999): Optimizer {
  const eps = f(tf.backend().epsilon());
  const [b1, b2, ob1, ob2, c] = [f(beta1), f(beta2), f(1 - beta1), f(1 - beta2), f(-lr)];
  // tfjs keeps b1^t and b2^t as float32 scalars, multiplied by b1 and b2 after every step.
  let [accBeta1, accBeta2] = [b1, b2];
  const moments = new Map<string, [Variable, Variable]>();
  const optimizer = wrap(tf.train.adam(lr, beta1, beta2), (grads) => {
    const names = Object.keys(grads);
    const vars = names.map((n) => tf.engine().registeredVariables[n]);
    for (const [i, n] of names.entries()) if (!moments.has(n)) moments.set(n, [zerosVariable(tf, vars[i]), zerosVariable(tf, vars[i])]);
    const [oneMinusAcc1, oneMinusAcc2] = [f(1 - accBeta1), f(1 - accBeta2)];
    const done = update(tf, vars, names.map((n) => grads[n]), names.flatMap((n) => moments.get(n)!), (w, g, out, i, state) => {
      const [m, v] = [state[2 * i], state[2 * i + 1]];
      for (let j = 0; j < w.length; j++) {
        const gj = g[j];
        m[j] = f(m[j] * b1) + f(gj * ob1);
        v[j] = f(v[j] * b2) + f(f(gj * gj) * ob2);
        const mHat = f(m[j] / oneMinusAcc1);
        const vHat = f(v[j] / oneMinusAcc2);
        out[j] = f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * c) + w[j];
      }
    });
    if (done) [accBeta1, accBeta2] = [f(accBeta1 * b1), f(accBeta2 * b2)];
    return done;
  });
  return withDisposal(optimizer, () => moments.forEach((pair) => pair.forEach((v) => v.dispose())));
}

function withDisposal(optimizer: Optimizer, free: () => void): Optimizer {
  const dispose = optimizer.dispose.bind(optimizer);
  optimizer.dispose = () => {
    free();
    dispose();
  };
  return optimizer;
}

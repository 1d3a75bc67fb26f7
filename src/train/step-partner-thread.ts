/**
 * A step partner (step-partners.ts): a worker thread that computes the gradient of its part of
 * each batch with its own replica of the fused step, on the weights the training thread shares.
 * It loads no tfjs: the replica needs the BLAS, the SIMD kernels and the data only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBlas, type Blas } from '../backend/blas.js';
import type { Dataset } from '../data/dataset.js';
import { FusedStep } from './fused-step.js';
import { CONTROL, controlViews, type FromPartner, type PartnerInit } from './step-partners.js';

const { control, lossSum, message } = controlViews((workerData as { control: SharedArrayBuffer }).control);

let blas: { path: string; handle: Blas } | null = null;
let data: Dataset | null = null;
let replica: { step: FusedStep; weights: Float32Array; gradients: Float32Array; indices: Int32Array } | null = null;

const reply = (m: FromPartner) => parentPort!.postMessage(m);

parentPort!.on('message', async (m: PartnerInit) => {
  try {
    if (!blas || blas.path !== m.blasPath) {
      const found = await loadBlas(m.blasPath);
      if (!found.blas) throw new Error(`the BLAS at ${m.blasPath} cannot load here: ${found.reasons.join('; ')}`);
      blas = { path: m.blasPath, handle: found.blas };
    }
    if (m.data) data = m.data;
    if (!data) throw new Error('no data was sent');
    replica = { step: new FusedStep(blas.handle, m.plan, data, null), weights: new Float32Array(m.weights), gradients: new Float32Array(m.gradients), indices: new Int32Array(m.indices) };
    reply({ type: 'ready' });
  } catch (err) {
    reply({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
});

/** One part: the shared weights in, forward and backward on the part, its gradient out. */
function part(): void {
  const { step, weights, gradients, indices } = replica!;
  step.flat('weightsIn', weights);
  const result = step.pass(indices.subarray(0, control[CONTROL.count]), control[CONTROL.divisor], false, false);
  step.flat('gradientsOut', gradients);
  lossSum[0] = result.lossSum;
  control[CONTROL.correct] = result.correct;
}

/** Atomics.waitAsync (ES2024; in Node since 16), typed here as TypeScript's ES2022 library lacks it. */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

// Waits without blocking this thread's event loop, so that a new trial's 'init' gets through.
async function serve(): Promise<void> {
  let seen = Atomics.load(control, CONTROL.seq);
  for (;;) {
    const wait = waitAsync(control, CONTROL.seq, seen);
    if (wait.async) await wait.value;
    const seq = Atomics.load(control, CONTROL.seq);
    if (seq === seen) continue;
    seen = seq;
    try {
      if (!replica) throw new Error('a part came before the plan');
      part();
      control[CONTROL.failed] = 0;
    } catch (err) {
      // Whole characters only, as many as fit.
      control[CONTROL.messageLength] = new TextEncoder().encodeInto(err instanceof Error ? err.message : String(err), message).written;
      control[CONTROL.failed] = 1;
    }
    Atomics.store(control, CONTROL.done, seq);
    Atomics.notify(control, CONTROL.done);
  }
}
void serve();

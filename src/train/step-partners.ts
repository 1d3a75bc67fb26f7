/**
 * Step partners: threads that each compute the gradient of a part of every batch, so that one
 * trial of a CNN uses the threads it is allowed (blasThreads) on the fused step
 * (fused-step.ts `sharedPass`). Each partner is a worker thread (step-partner-thread.ts) with its
 * own replica of the fused step (its own buffers, SIMD kernels and BLAS handle) that reads the
 * weights this thread shares before each step, and writes its part's gradient back.
 *
 * Why threads over a batch rather than the library's threads over a product: a CNN's products
 * are thin (2,000 x 32 x 16 for the second conv at batch 128: ~27 microseconds each), and split
 * over 2 threads by OpenBLAS they ran at 0.15-0.59x their 1-thread speed (blas.ts); two threads
 * each running such products on their own ran 1.9x as many per second as one (2 vCPUs that are
 * SMT siblings, measured). A partner costs a copy of the weights and of a gradient per step, so
 * it pays where a step's work is large for its weights (`PARTNER_MIN_WORK_PER_WEIGHT`): a CNN's
 * kernels are used at every output position. Other networks keep the library's split
 * (`productThreads`).
 *
 * Hand-offs go through shared memory with Atomics: a step's start is one store and notify per
 * partner, its end one wait. A thread is started once per process and kept idle between trials.
 */
import { Worker } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.js';
import type { FusedPlan } from './fused-step.js';

/** The fewest examples a part of a batch has: a batch is shared only among as many threads as give each at least this many. */
export const MIN_PART = 16;

/**
 * The most threads sharing one trial's batches, whatever blasThreads allows (it goes to 1,024):
 * memory stays bounded. Measured: the first partner thread adds ~43 MB (the shared copy of the
 * embedded digits, 31 MB, with it), each further one ~11 MB; 16 threads are ~210 MB more. A batch
 * of 256 has no more than 16 parts of MIN_PART examples anyway.
 */
export const MAX_PARTS = 16;

/** The parts a batch of `n` examples is cut into with `threads` threads (1: one thread computes it all). */
export function partsOf(n: number, threads: number): number {
  return Math.max(1, Math.min(threads, MAX_PARTS, Math.floor(n / MIN_PART)));
}

/**
 * Partners are taken when a step's forward multiply-adds (batch x each kernel weight x its output
 * positions) are at least this many per weight. Measured on 2 vCPUs that are SMT siblings, one
 * trial, 2 threads against 1, steady epochs: the CNN (conv 16, conv 32, 3x3, pool 2: ~49
 * multiply-adds per weight per example) at batch 128, ~6,300 per weight per step, trained
 * 1.75-1.95x faster on partners (docs/backends.md); MLPs, at 1 per weight per example, ran slower on them than on one thread:
 * the default MLP at batch 64 (64 per weight per step) 0.19-0.21 s per epoch against 0.10-0.11,
 * 20 layers of 256 at batch 64 1.40-1.53 against 0.92-0.98, two 1024-wide layers at batch 256
 * 0.73-0.74 against 0.83 on one thread and 0.52-0.54 with the library's split. The bound lies
 * between: the CNN at batch 64 (~3,100) qualifies, a CNN whose dense head outweighs its
 * convolutions does not.
 */
export const PARTNER_MIN_WORK_PER_WEIGHT = 1024;

/**
 * How long this thread waits for a partner to start, or for its part, before it gives up (a
 * partner thread that died never answers: its exit cannot be heard while this thread waits).
 */
const PARTNER_TIMEOUT_MS = 120_000;

/** The control words of a partner thread (indices in `control`). */
export const CONTROL = { seq: 0, done: 1, count: 2, divisor: 3, failed: 4, correct: 5, messageLength: 6 } as const;
/** The control buffer: 8 int32 words, the part's loss sum (float64), a failure's message (UTF-8). */
const CONTROL_BYTES = { lossSum: 32, message: 40, size: 1064 } as const;

/** The views of a partner's control buffer, the same in both threads. */
export function controlViews(buffer: SharedArrayBuffer): { control: Int32Array; lossSum: Float64Array; message: Uint8Array } {
  return { control: new Int32Array(buffer, 0, 8), lossSum: new Float64Array(buffer, CONTROL_BYTES.lossSum, 1), message: new Uint8Array(buffer, CONTROL_BYTES.message) };
}

/** A new control buffer (each partner thread has one for its life). */
function controlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES.size);
}

/** What a partner thread is sent to train with: the plan, the shared buffers, the data in shared memory (when it does not hold it already). */
export interface PartnerInit {
  type: 'init';
  blasPath: string;
  plan: FusedPlan;
  dataId: number;
  data: Dataset | null;
  /** The weights (this thread writes, every partner reads), the partner's gradient (it writes), its part's indices. */
  weights: SharedArrayBuffer;
  gradients: SharedArrayBuffer;
  indices: SharedArrayBuffer;
}
export type FromPartner = { type: 'ready' } | { type: 'failed'; message: string };

export interface StepPartners {
  /** How many partner threads (a batch is cut into up to count + 1 parts: `partsOf`). */
  readonly count: number;
  /** The weights the partners read, every tensor's values one after the other (FusedStep `params` order). */
  readonly weights: Float32Array;
  /** Partner `p` starts on the examples `indices`, its loss divided by `divisor`. */
  start(p: number, indices: Int32Array, divisor: number): void;
  /** Waits for partner `p`'s part: its loss summed over its examples, their count classified right, its gradient (`weights`' layout). */
  finish(p: number): { lossSum: number; correct: number; gradients: Float32Array };
  /** Hands the threads back (idle, for the next trial). */
  release(): void;
}

interface PartnerThread extends ReturnType<typeof controlViews> {
  worker: Worker;
  /** Which dataset the thread holds (`datasetId`), -1 none yet. */
  dataId: number;
  /** Why the thread ended, when it did (it is then not reused). */
  ended: string | null;
}

const idle: PartnerThread[] = [];

/**
 * Each dataset the partners read, once in shared memory (its images and labels copied into
 * SharedArrayBuffers): every partner thread views the one copy, so memory stays at twice the
 * dataset however many partners there are. Keyed by the training thread's dataset, with the id
 * a partner thread tells it by.
 */
const sharedData = new WeakMap<Dataset, { id: number; data: Dataset }>();
let nextDatasetId = 0;

function shared(d: Dataset): { id: number; data: Dataset } {
  let s = sharedData.get(d);
  if (!s) {
    const copy = <T extends Float32Array | Uint8Array>(a: T): T => {
      const view = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
      view.set(a);
      return view;
    };
    s = { id: nextDatasetId++, data: { ...d, images: copy(d.images), labels: copy(d.labels) } };
    sharedData.set(d, s);
  }
  return s;
}

function startThread(): PartnerThread {
  const buffer = controlBuffer();
  // execArgv []: node's flags for this process (--input-type, --cpu-prof, ...) are not the partner's.
  const worker = new Worker(new URL('./step-partner-thread.js', import.meta.url), { workerData: { control: buffer }, execArgv: [] });
  // An idle partner does not keep the process alive.
  worker.unref();
  const t: PartnerThread = { worker, ...controlViews(buffer), dataId: -1, ended: null };
  worker.on('error', (err) => (t.ended = err.message));
  worker.on('exit', (code) => (t.ended ??= `exit code ${code}`));
  return t;
}

/** Ends a partner thread that failed or did not answer: it is not reused. */
function discard(t: PartnerThread, why: string): void {
  t.ended ??= why;
  void t.worker.terminate();
}

/** What to do about a partner that failed, said with every such error. */
const ADVICE = 'run with --blas-threads 1 to train on one thread';

function init(t: PartnerThread, message: PartnerInit): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      t.worker.off('exit', onExit);
      discard(t, why);
      reject(new Error(`a step partner thread could not start: ${why}; ${ADVICE}`));
    };
    const onExit = () => fail(`it ended (${t.ended ?? 'exited'})`);
    const timer = setTimeout(() => fail(`no answer in ${PARTNER_TIMEOUT_MS / 1000} s`), PARTNER_TIMEOUT_MS);
    t.worker.once('exit', onExit);
    t.worker.once('message', (m: FromPartner) => {
      if (m.type !== 'ready') return fail(m.message);
      clearTimeout(timer);
      t.worker.off('exit', onExit);
      resolve();
    });
    t.worker.postMessage(message);
  });
}

/**
 * `count` partner threads set up to compute parts of batches of up to `batchSize` examples of
 * `data` with the fused step of `plan` (`floats`: its weights' total size), on the BLAS at
 * `blasPath`. Idle threads are reused; a trial that ends hands them back (`release`).
 */
export async function acquirePartners(count: number, plan: FusedPlan, floats: number, data: Dataset, batchSize: number, blasPath: string): Promise<StepPartners> {
  const threads: PartnerThread[] = [];
  while (threads.length < count) {
    const t = idle.pop() ?? startThread();
    if (!t.ended) threads.push(t);
  }
  const weights = new SharedArrayBuffer(floats * 4);
  // A part can be as large as the batch's largest part at any size up to batchSize (a short
  // last batch is cut into fewer parts): room for batchSize indices covers every case.
  const parts = threads.map(() => ({ gradients: new SharedArrayBuffer(floats * 4), indices: new SharedArrayBuffer(batchSize * 4) }));
  const { id, data: view } = shared(data);
  try {
    await Promise.all(threads.map((t, p) => init(t, { type: 'init', blasPath, plan, dataId: id, data: t.dataId === id ? null : view, weights, ...parts[p] }).then(() => (t.dataId = id))));
  } catch (err) {
    for (const t of threads) discard(t, 'another partner could not start');
    throw err;
  }
  const views = parts.map((p) => ({ gradients: new Float32Array(p.gradients), indices: new Int32Array(p.indices) }));
  const seqs = threads.map((t) => Atomics.load(t.control, CONTROL.seq));
  let released = false;
  return {
    count,
    weights: new Float32Array(weights),
    start(p, indices, divisor) {
      const t = threads[p];
      if (t.ended) throw new Error(`a step partner thread ended (${t.ended}); ${ADVICE}`);
      views[p].indices.set(indices);
      t.control[CONTROL.count] = indices.length;
      t.control[CONTROL.divisor] = divisor;
      seqs[p] += 1;
      Atomics.store(t.control, CONTROL.seq, seqs[p]);
      Atomics.notify(t.control, CONTROL.seq);
    },
    finish(p) {
      const t = threads[p];
      const deadline = performance.now() + PARTNER_TIMEOUT_MS;
      for (;;) {
        const done = Atomics.load(t.control, CONTROL.done);
        if (done === seqs[p]) break;
        if (performance.now() > deadline) {
          discard(t, 'it did not answer');
          throw new Error(`a step partner thread did not answer in ${PARTNER_TIMEOUT_MS / 1000} s; ${ADVICE}`);
        }
        Atomics.wait(t.control, CONTROL.done, done, 1000);
      }
      if (t.control[CONTROL.failed]) {
        const why = new TextDecoder().decode(t.message.slice(0, t.control[CONTROL.messageLength]));
        discard(t, why);
        throw new Error(`a step partner thread failed: ${why}; ${ADVICE}`);
      }
      return { lossSum: t.lossSum[0], correct: t.control[CONTROL.correct], gradients: views[p].gradients };
    },
    release() {
      if (released) return;
      released = true;
      idle.push(...threads.filter((t) => !t.ended));
    },
  };
}

/**
 * The training loop: seeded batch order (never model.fit's Math.random shuffle), one optimizer
 * step per batch, then the test set. Per epoch it records train/test loss and accuracy, seconds,
 * and per layer the kernel's gradient norm (on the epoch's first batch) and weight norm. A
 * non-finite training loss ends the trial as `diverged`: a result, not a failure.
 *
 * Two training accuracies: `trainAccuracy`, the running one over the epoch's steps (training
 * mode: batch statistics, dropout, weights moving), and `trainEvalAccuracy`, a fixed seeded sample
 * of the training examples evaluated exactly as the test set is (inference mode: batch norm's
 * running statistics, no dropout). A gap between the two on the same examples is batch norm's
 * running statistics lagging, not overfitting (diagnostics/assess.ts).
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import { BatchReader, disposeBatch, type Batch } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { Interrupted } from '../errors.js';
import { activationStds } from '../diagnostics/layers.js';
import type { EpochMetrics } from '../results/schema.js';
import { forward, updateMovingMoments, type Model } from '../model/network.js';
import { deriveSeed, Rng } from '../util/random.js';
import type { TrainOptimizer } from './optimizers.js';
import { recomputeBatchNormStats } from './batchnorm-stats.js';
import { fusedStepFor } from './fused-step.js';

/** What the loop needs of the config's training settings (config/schema.ts `TrainSettings`), plus the trial seed. */
export interface LoopSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Precise BN: recompute batch norm's statistics over the training examples before each evaluation. */
  recomputeBatchNormStats?: boolean;
}

/** The training examples evaluated like the test set each epoch: as many as the test set, a fixed seeded sample. */
export function trainEvalSample(trainIdx: Int32Array, testSize: number, seed: number): Int32Array {
  const n = Math.min(trainIdx.length, Math.max(1, testSize));
  return new Rng(deriveSeed(seed, 'trainEval')).shuffle(Int32Array.from(trainIdx)).slice(0, n);
}

export interface TrainOutcome {
  epochs: EpochMetrics[];
  /** Set when the training loss became NaN or infinite. */
  divergedAtEpoch: number | null;
  /** How the steps ran: the fused step on the system BLAS (fused-step.ts: dense networks and plain CNNs), or tfjs ops (`trainStep`). */
  path: 'fused' | 'tfjs';
}

export interface TrainHooks {
  signal?: AbortSignal;
  onEpoch?(metrics: EpochMetrics): void;
  /** A fixed batch forwarded after every epoch to record per-layer activation std (one forward pass). */
  probe?: Tensor2D;
}

export async function train(
  tf: Tf,
  model: Model,
  optimizer: Pick<TrainOptimizer, 'applyGradients'> & Partial<Pick<TrainOptimizer, 'spec'>>,
  data: Dataset,
  trainIdx: Int32Array,
  testIdx: Int32Array,
  settings: LoopSettings,
  hooks: TrainHooks = {},
): Promise<TrainOutcome> {
  const epochs: EpochMetrics[] = [];
  const batches = new BatchReader(data, settings.batchSize);
  const testReader = new BatchReader(data, EVAL_CHUNK);
  const hasDropout = model.layers.some((l) => l.dropout > 0);
  const trainSample = trainEvalSample(trainIdx, testIdx.length, settings.seed);
  // Plain dense networks and CNNs on the wasm+BLAS path step without tfjs ops (fused-step.ts decides);
  // their weights are written back into the model's variables before anything else reads them:
  // after each epoch's steps, and when training stops early (divergence, interruption).
  const fused = await fusedStepFor(tf, model, optimizer, data, settings.batchSize);
  const path = fused ? 'fused' : 'tfjs';
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const started = performance.now();
      const order = new Rng(deriveSeed(settings.seed, 'batches', epoch)).shuffle(Int32Array.from(trainIdx));
      let lossSum = 0;
      let correct = 0;
      let gradNorms: number[] = [];
      for (let start = 0; start < order.length; start += settings.batchSize) {
        if (hooks.signal?.aborted) throw new Interrupted(String(hooks.signal.reason ?? 'signal'));
        const idx = order.subarray(start, start + settings.batchSize);
        const dropoutSeed = hasDropout ? deriveSeed(settings.seed, 'dropout', epoch, start) : 0;
        const step = fused ? fused.step(idx, start === 0) : trainStep(tf, model, optimizer, batches.read(tf, idx), start === 0, dropoutSeed);
        if (!Number.isFinite(step.loss)) return { epochs, divergedAtEpoch: epoch, path };
        lossSum += step.loss * idx.length;
        correct += step.correct;
        if (step.gradNorms) gradNorms = step.gradNorms;
        // Let signals and timers run between steps (the step itself is synchronous).
        if ((start / settings.batchSize) % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      fused?.store(tf);
      const trainSeconds = (performance.now() - started) / 1000;
      if (settings.recomputeBatchNormStats) recomputeBatchNormStats(tf, model, data, trainIdx, settings.batchSize, deriveSeed(settings.seed, 'preciseBn', epoch));
      const test = evaluate(tf, model, data, testIdx, testReader);
      const trainEval = evaluate(tf, model, data, trainSample, testReader);
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: lossSum / order.length,
        trainAccuracy: correct / order.length,
        trainEvalLoss: trainEval.loss,
        trainEvalAccuracy: trainEval.accuracy,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        seconds: (performance.now() - started) / 1000,
        trainSeconds,
        gradNorms,
        weightNorms: kernelNorms(tf, model),
        ...(hooks.probe ? { activationStds: activationStds(tf, model, hooks.probe) } : {}),
      };
      epochs.push(metrics);
      hooks.onEpoch?.(metrics);
      // And after every epoch: with few batches per epoch a whole trial would otherwise run
      // without letting a signal (Ctrl-C, stop) or the epoch's progress message through.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    fused?.store(tf);
    fused?.release();
  }
  return { epochs, divergedAtEpoch: null, path };
}

export interface StepResult {
  loss: number;
  correct: number;
  gradNorms?: number[];
}

export function trainStep(tf: Tf, model: Model, optimizer: Pick<TrainOptimizer, 'applyGradients'>, batch: Batch, withNorms: boolean, dropoutSeed: number): StepResult {
  // Tensors kept out of the tidy scopes, read after the step and then disposed.
  const kept: { correct?: Tensor; norms?: Tensor; moments?: { layer: number; mean: Tensor; variance: Tensor }[] } = {};
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits, batchMoments } = forward(tf, model, batch.x, 'train', model.layers.length, dropoutSeed);
      kept.correct = tf.keep(countCorrect(tf, logits, batch.labels));
      kept.moments = batchMoments.map((m) => ({ layer: m.layer, mean: tf.keep(m.mean), variance: tf.keep(m.variance) }));
      return tf.losses.softmaxCrossEntropy(batch.oneHot, logits) as Scalar;
    }, model.variables);
    if (withNorms) kept.norms = tf.keep(tf.stack(model.layers.map((l) => tf.norm(grads[l.kernel.name]))));
    optimizer.applyGradients(grads);
    return value;
  });
  const moments = kept.moments ?? [];
  if (moments.length) updateMovingMoments(tf, model, moments);
  const result: StepResult = { loss: loss.dataSync()[0], correct: kept.correct!.dataSync()[0] };
  if (kept.norms) result.gradNorms = Array.from(kept.norms.dataSync());
  tf.dispose([loss, kept.correct!, ...(kept.norms ? [kept.norms] : []), ...moments.flatMap((m) => [m.mean, m.variance])]);
  disposeBatch(tf, batch);
  return result;
}

function countCorrect(tf: Tf, logits: Tensor2D, labels: Tensor): Tensor {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
}

function kernelNorms(tf: Tf, model: Model): number[] {
  return tf.tidy(() => Array.from(tf.stack(model.layers.map((l) => tf.norm(l.kernel))).dataSync()));
}

/** Examples per forward pass when evaluating. */
const EVAL_CHUNK = 1000;

/** Mean cross-entropy and accuracy over `indices`, in chunks (the reader's buffers are reused). */
export function evaluate(tf: Tf, model: Model, data: Dataset, indices: Int32Array, reader = new BatchReader(data, EVAL_CHUNK)): { loss: number; accuracy: number } {
  const chunk = EVAL_CHUNK;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < indices.length; start += chunk) {
    const idx = indices.subarray(start, start + chunk);
    const batch = reader.read(tf, idx);
    const [l, c] = tf.tidy(() => {
      const { logits } = forward(tf, model, batch.x, 'eval');
      const loss = tf.mul(tf.losses.softmaxCrossEntropy(batch.oneHot, logits), idx.length);
      return [loss.dataSync()[0], countCorrect(tf, logits, batch.labels).dataSync()[0]];
    });
    disposeBatch(tf, batch);
    lossSum += l;
    correct += c;
  }
  return { loss: lossSum / indices.length, accuracy: correct / indices.length };
}

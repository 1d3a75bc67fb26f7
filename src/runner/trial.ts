/**
 * One trial, top to bottom: sample the kernels, build the model, (refine them on data: LSUV,
 * layer-wise pretraining,) train on the labeled examples, summarize.
 * A trial = (initializer, model, training settings, seed).
 */
import type { Tf } from '../backend/tf.js';
import { BatchReader, disposeBatch, imageBatches, probeBatch } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { labeledSubset, type Split } from '../data/split.js';
import type { InitSpec } from '../initializers/registry.js';
import { diagnoseTrial } from '../diagnostics/assess.js';
import { distinctUnits, layerStats } from '../diagnostics/layers.js';
import { refineWithData, sampleKernels } from '../model/init.js';
import { architectureOf, buildModel, disposeModel } from '../model/network.js';
import type { EpochMetrics, TrialDiagnostics, TrialFinal, TrialResult } from '../results/schema.js';
import { train, type TrainHooks } from '../train/loop.js';
import { makeTrainOptimizer, optimizerFactory } from '../train/optimizers.js';
import { initializerOf, trialId, trialKey, type TrialSettings } from './identity.js';

export type { TrialSettings } from './identity.js';

/** Examples used to measure the network at init (training batch) and after training (test batch). */
export const PROBE_BATCH = 256;

export async function runTrial(
  tf: Tf,
  config: TrialSettings,
  spec: InitSpec,
  seed: number,
  data: Dataset,
  split: Split,
  hooks: TrainHooks = {},
): Promise<TrialResult> {
  const base = {
    id: trialId(trialKey(config, spec, seed)),
    init: spec.label,
    initializer: initializerOf(spec),
    seed,
  };
  const arch = architectureOf(config.model, data);
  const { kernels, biases, gains } = await sampleKernels(arch, spec, seed);
  const model = buildModel(tf, arch, kernels, biases);
  const optimizer = makeTrainOptimizer(tf, config.train.optimizer, config.train.lr, model);
  const probeData = probeBatch(tf, data, split.train, seed, PROBE_BATCH);
  const testData = new BatchReader(data, PROBE_BATCH).read(tf, split.test.subarray(0, PROBE_BATCH));
  try {
    const refined = await refineWithData(tf, model, spec, { batch: probeData.x, trainingImages: (size, s) => imageBatches(tf, data, split.train, size, s), optimizer: optimizerFactory(tf) }, seed, hooks.signal);
    const atInit = layerStats(tf, model, probeData.x, probeData.oneHot);
    // Data-dependent initializers saw every training image; training sees the labeled part.
    const labeled = config.data.labeledSize === undefined ? split.train : labeledSubset(data, split.train, config.data.labeledSize);
    const outcome = await train(tf, model, optimizer, data, labeled, split.test, { ...config.train, seed }, { ...hooks, probe: probeData.x });
    const diverged = outcome.divergedAtEpoch ?? undefined;
    // After a divergence the weights hold NaN: there is nothing meaningful to measure.
    const after = diverged === undefined ? layerStats(tf, model, testData.x, testData.oneHot).slice(0, -1) : [];
    const diagnostics: TrialDiagnostics = {
      atInit,
      distinctUnits: diverged === undefined ? distinctUnits(tf, model) : [],
      deadFraction: after.map((l) => l.deadFraction),
      saturatedFraction: after.map((l) => l.saturatedFraction),
    };
    return {
      ...base,
      status: diverged === undefined ? 'ok' : 'diverged',
      ...(diverged === undefined ? {} : { divergedAtEpoch: diverged }),
      ...(gains.some((g) => g !== null) ? { gains } : {}),
      ...(refined ? { [refined.key]: refined.report } : {}),
      diagnostics,
      diagnosis: diagnoseTrial(diagnostics, diverged, { batchNorm: arch.batchNorm, epochs: outcome.epochs }),
      epochs: outcome.epochs,
      final: summarize(outcome.epochs, config.train.target),
    };
  } finally {
    disposeBatch(tf, probeData);
    disposeBatch(tf, testData);
    optimizer.dispose();
    disposeModel(model);
  }
}

/** The trial's headline numbers; null when not even one epoch finished. */
export function summarize(epochs: EpochMetrics[], target: number): TrialFinal | null {
  const last = epochs[epochs.length - 1];
  if (!last) return null;
  const reached = epochs.find((e) => e.testAccuracy >= target);
  return {
    testAccuracy: last.testAccuracy,
    testLoss: last.testLoss,
    trainLoss: last.trainLoss,
    ...(last.trainEvalAccuracy !== undefined ? { trainEvalAccuracy: last.trainEvalAccuracy } : {}),
    bestTestAccuracy: Math.max(...epochs.map((e) => e.testAccuracy)),
    epochsToTarget: reached ? reached.epoch : null,
    secondsPerEpoch: epochs.reduce((a, e) => a + e.seconds, 0) / epochs.length,
  };
}

/**
 * One trial, top to bottom: sample the kernels, build the model, (LSUV,) train, summarize.
 * A trial = (initializer, model, training settings, seed).
 */
import { createHash } from 'node:crypto';
import type { Tf } from '../backend/select.js';
import type { ExperimentConfig } from '../config/load.js';
import type { Dataset } from '../data/dataset.js';
import type { Split } from '../data/split.js';
import { applyLsuv, type LsuvReport } from '../initializers/lsuv.js';
import { entryOf, type InitSpec } from '../initializers/registry.js';
import { sampleKernels } from '../model/init.js';
import { buildMlp, disposeModel, type Architecture } from '../model/mlp.js';
import { BatchReader, train, type EpochMetrics, type TrainHooks } from '../train/loop.js';
import { disposeOptimizer, makeOptimizer } from '../train/optimizers.js';
import { deriveSeed, Rng } from '../util/random.js';

export type TrialStatus = 'ok' | 'diverged' | 'failed';

export interface TrialFinal {
  testAccuracy: number;
  testLoss: number;
  trainLoss: number;
  bestTestAccuracy: number;
  /** First epoch whose test accuracy reached the target; null when never. */
  epochsToTarget: number | null;
  secondsPerEpoch: number;
}

export interface TrialResult {
  id: string;
  init: string;
  initializer: Omit<InitSpec, 'label'>;
  seed: number;
  status: TrialStatus;
  /** Epoch whose training loss was NaN or infinite. */
  divergedAtEpoch?: number;
  error?: string;
  /** Gain applied per layer, where the initializer has one. */
  gains?: (number | null)[];
  lsuv?: LsuvReport;
  epochs: EpochMetrics[];
  final: TrialFinal | null;
}

/** The settings that define a trial; its id is a hash of them, stable across runs. */
export function trialKey(config: ExperimentConfig, spec: InitSpec, seed: number): Record<string, unknown> {
  return { init: initializerOf(spec), seed, data: config.data, model: config.model, train: config.train };
}

export function trialId(key: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(key)).digest('hex').slice(0, 12);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function initializerOf(spec: InitSpec): Omit<InitSpec, 'label'> {
  const { label: _label, ...rest } = spec;
  return rest;
}

export function architectureOf(config: ExperimentConfig, data: Dataset): Architecture {
  return {
    inputSize: data.height * data.width,
    hidden: config.model.hidden,
    classes: data.classes,
    activation: config.model.activation,
    leakySlope: config.model.leakySlope,
  };
}

export async function runTrial(
  tf: Tf,
  config: ExperimentConfig,
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
  const arch = architectureOf(config, data);
  const { kernels, biases, gains } = await sampleKernels(arch, spec, seed);
  const model = buildMlp(tf, arch, kernels, biases);
  const optimizer = makeOptimizer(tf, config.train.optimizer, config.train.lr);
  try {
    const lsuv = entryOf(spec).dataDependent ? runLsuv(tf, model, spec, seed, data, split, config.train.batchSize) : undefined;
    const outcome = await train(tf, model, optimizer, data, split.train, split.test, { ...config.train, seed }, hooks);
    const extras = { ...(gains.some((g) => g !== null) ? { gains } : {}), ...(lsuv ? { lsuv } : {}) };
    if (outcome.divergedAtEpoch !== null) {
      return { ...base, status: 'diverged', divergedAtEpoch: outcome.divergedAtEpoch, ...extras, epochs: outcome.epochs, final: summarize(outcome.epochs, config.train.target) };
    }
    return { ...base, status: 'ok', ...extras, epochs: outcome.epochs, final: summarize(outcome.epochs, config.train.target) };
  } finally {
    disposeOptimizer(optimizer);
    disposeModel(model);
  }
}

/** LSUV on a training batch drawn with the trial seed (at least 128 examples for a stable variance). */
function runLsuv(tf: Tf, model: ReturnType<typeof buildMlp>, spec: InitSpec, seed: number, data: Dataset, split: Split, batchSize: number): LsuvReport {
  const size = Math.min(split.train.length, Math.max(128, batchSize));
  const idx = new Rng(deriveSeed(seed, 'lsuv')).shuffle(Int32Array.from(split.train)).subarray(0, size);
  const batch = new BatchReader(data, size).read(tf, idx);
  try {
    return applyLsuv(tf, model, batch.x, spec.params.tol as number, spec.params.maxIterations as number);
  } finally {
    tf.dispose([batch.x, batch.labels, batch.oneHot]);
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
    bestTestAccuracy: Math.max(...epochs.map((e) => e.testAccuracy)),
    epochsToTarget: reached ? reached.epoch : null,
    secondsPerEpoch: epochs.reduce((a, e) => a + e.seconds, 0) / epochs.length,
  };
}

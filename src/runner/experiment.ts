/**
 * An experiment, top to bottom: backend -> data -> for each seed a split -> one trial per
 * initializer -> summary. Each finished trial is handed to `onTrial` at once (the results writer
 * saves it), so an interrupted run keeps what it finished.
 */
import { startBackend, type BackendName } from '../backend/select.js';
import type { ExperimentConfig } from '../config/load.js';
import { serializeConfig } from '../config/load.js';
import { loadDataset } from '../data/load.js';
import { stratifiedSplit } from '../data/split.js';
import { Interrupted } from '../errors.js';
import { spread, type Spread } from '../util/stats.js';
import type { EpochMetrics } from '../train/loop.js';
import { initializerOf, runTrial, trialId, trialKey, type TrialResult } from './trial.js';

export interface InitSummary {
  init: string;
  trials: number;
  ok: number;
  diverged: number;
  failed: number;
  testAccuracy: Spread;
  bestTestAccuracy: Spread;
  trainLoss: Spread;
  /** Mean epochs to reach the target over the trials that reached it; null when none did. */
  epochsToTarget: number | null;
  /** How many trials reached the target. */
  reachedTarget: number;
  secondsPerEpoch: number;
  /** The trials' diagnoses, each problem once. */
  diagnosis: string[];
}

export interface ResultsDocument {
  schemaVersion: 1;
  backend: BackendName;
  /** False while running and when interrupted: some trials are missing. */
  complete: boolean;
  createdAt: string;
  config: Record<string, unknown>;
  trials: TrialResult[];
  summary: InitSummary[];
}

export interface RunHooks {
  signal?: AbortSignal;
  log?(line: string): void;
  onTrial?(doc: ResultsDocument, trial: TrialResult): void;
  onEpoch?(trial: { init: string; seed: number; index: number; total: number }, metrics: EpochMetrics): void;
}

export async function runExperiment(config: ExperimentConfig, hooks: RunHooks = {}): Promise<ResultsDocument> {
  const log = hooks.log ?? (() => {});
  const { name: backend, tf } = await startBackend(config.backend);
  log(`backend: ${backend}`);
  const data = loadDataset(config.data);
  const doc: ResultsDocument = {
    schemaVersion: 1,
    backend,
    complete: false,
    createdAt: new Date().toISOString(),
    config: serializeConfig(config),
    trials: [],
    summary: [],
  };
  const total = config.seeds.length * config.initializers.length;
  let index = 0;
  for (const seed of config.seeds) {
    const split = stratifiedSplit(data, config.data.trainSize, config.data.testSize, seed);
    for (const spec of config.initializers) {
      index++;
      const where = { init: spec.label, seed, index, total };
      log(`trial ${index}/${total}: ${spec.label}, seed ${seed}`);
      let trial: TrialResult;
      try {
        trial = await runTrial(tf, config, spec, seed, data, split, {
          signal: hooks.signal,
          onEpoch: (m) => hooks.onEpoch?.(where, m),
        });
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        const message = err instanceof Error ? err.message : String(err);
        log(`trial ${index}/${total} failed: ${message}`);
        trial = failedTrial(config, spec, seed, message);
      }
      doc.trials.push(trial);
      doc.summary = summarizeTrials(doc.trials, config.initializers.map((s) => s.label));
      hooks.onTrial?.(doc, trial);
    }
  }
  doc.complete = true;
  return doc;
}

function failedTrial(config: ExperimentConfig, spec: ExperimentConfig['initializers'][number], seed: number, error: string): TrialResult {
  return {
    id: trialId(trialKey(config, spec, seed)),
    init: spec.label,
    initializer: initializerOf(spec),
    seed,
    status: 'failed',
    error,
    epochs: [],
    final: null,
  };
}

/** One summary row per initializer label, in the order requested. */
export function summarizeTrials(trials: TrialResult[], order: string[]): InitSummary[] {
  return order
    .map((init) => trials.filter((t) => t.init === init))
    .filter((group) => group.length > 0)
    .map((group) => {
      const finals = group.flatMap((t) => (t.final ? [t.final] : []));
      const reached = finals.flatMap((f) => (f.epochsToTarget === null ? [] : [f.epochsToTarget]));
      return {
        init: group[0].init,
        trials: group.length,
        ok: group.filter((t) => t.status === 'ok').length,
        diverged: group.filter((t) => t.status === 'diverged').length,
        failed: group.filter((t) => t.status === 'failed').length,
        testAccuracy: spread(finals.map((f) => f.testAccuracy)),
        bestTestAccuracy: spread(finals.map((f) => f.bestTestAccuracy)),
        trainLoss: spread(finals.map((f) => f.trainLoss)),
        epochsToTarget: reached.length ? reached.reduce((a, b) => a + b, 0) / reached.length : null,
        reachedTarget: reached.length,
        secondsPerEpoch: finals.length ? finals.reduce((a, f) => a + f.secondsPerEpoch, 0) / finals.length : NaN,
        diagnosis: [...new Set(group.flatMap((t) => t.diagnosis ?? []))],
      };
    });
}

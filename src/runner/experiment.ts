/**
 * An experiment, top to bottom: backend -> data -> for each seed a split -> one trial per
 * initializer -> summary. Each finished trial is handed to `onTrial` at once (the results writer
 * saves it), so an interrupted run keeps what it finished.
 */
import type { BackendName } from '../backend/select.js';
import { Interrupted } from '../errors.js';
import type { ExperimentConfig } from '../config/load.js';
import { serializeConfig } from '../config/load.js';
import { spread, type Spread } from '../util/stats.js';
import type { EpochMetrics } from '../train/loop.js';
import { runPool } from './pool.js';
import { createTrialRunner, enumerateTasks, type Task } from './tasks.js';
import type { TrialResult } from './trial.js';

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

export interface RunOptions {
  /** Worker processes; 1 runs the trials in this process. */
  jobs: number;
}

export async function runExperiment(config: ExperimentConfig, hooks: RunHooks = {}, options: RunOptions = { jobs: 1 }): Promise<ResultsDocument> {
  const log = hooks.log ?? (() => {});
  const tasks = enumerateTasks(config);
  const total = tasks.length;
  const doc: ResultsDocument = {
    schemaVersion: 1,
    backend: 'wasm',
    complete: false,
    createdAt: new Date().toISOString(),
    config: serializeConfig(config),
    trials: [],
    summary: [],
  };
  const order = config.initializers.map((s) => s.label);
  const where = (t: Task) => ({ init: t.spec.label, seed: t.seed, index: t.index + 1, total });
  const byIndex = new Map<number, TrialResult>();
  const record = (task: Task, trial: TrialResult) => {
    if (trial.status === 'failed') log(`trial ${task.index + 1}/${total} failed: ${trial.error}`);
    byIndex.set(task.index, trial);
    doc.trials = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
    doc.summary = summarizeTrials(doc.trials, order);
    hooks.onTrial?.(doc, trial);
  };
  const announce = (t: Task) => log(`trial ${t.index + 1}/${total}: ${t.spec.label}, seed ${t.seed}`);

  try {
    await execute(config, tasks, options, hooks, { record, announce, where, log }, doc);
  } catch (err) {
    if (err instanceof Interrupted) err.partial = doc;
    throw err;
  }
  doc.complete = true;
  return doc;
}

async function execute(
  config: ExperimentConfig,
  tasks: Task[],
  options: RunOptions,
  hooks: RunHooks,
  on: { record(t: Task, trial: TrialResult): void; announce(t: Task): void; where(t: Task): Parameters<NonNullable<RunHooks['onEpoch']>>[0]; log(line: string): void },
  doc: ResultsDocument,
): Promise<void> {
  const { record, announce, where, log } = on;
  const total = tasks.length;
  const jobs = Math.min(options.jobs, tasks.length);
  if (jobs > 1) {
    log(`running ${total} trials in ${jobs} worker processes`);
    doc.backend = await runPool(config, tasks, jobs, {
      signal: hooks.signal,
      onBackend: (b) => log(`backend: ${b}`),
      onStart: announce,
      onEpoch: (t, m) => hooks.onEpoch?.(where(t), m),
      onTrial: record,
    });
  } else {
    const runner = await createTrialRunner(config);
    doc.backend = runner.backend;
    log(`backend: ${runner.backend}`);
    for (const task of tasks) {
      announce(task);
      record(task, await runner.run(task, { signal: hooks.signal, onEpoch: (m) => hooks.onEpoch?.(where(task), m) }));
    }
  }
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

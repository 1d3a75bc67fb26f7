/**
 * An experiment, top to bottom: enumerate the trials (grid point x seed x initializer), run the
 * ones asked for through the scheduler (in this process or in worker processes), and keep the
 * results document up to date as each trial finishes. What happens is told through events; the
 * document is returned whole, also when the run was stopped (then `complete` is false and
 * `stopped` says why).
 */
import { availableParallelism } from 'node:os';
import type { ExperimentConfig } from '../config/load.js';
import { serializeConfig } from '../config/load.js';
import type { PointValues } from '../results/point.js';
import { SCHEMA_VERSION, type EpochMetrics, type InitSummary, type ResultsDocument, type TrialResult } from '../results/schema.js';
import { summarizeTrials } from '../results/summary.js';
import { inProcessExecutor, workerExecutor } from './executors.js';
import { schedule } from './scheduler.js';
import type { RunEvent } from './events.js';
import { enumerateTasks, longestFirst, type Task } from './tasks.js';

export type { RunEvent } from './events.js';

export interface RunTrialsOptions {
  /** Worker processes; 1 runs the trials in this process. */
  jobs: number;
  signal?: AbortSignal;
  /** The tasks to run (all of the experiment's unless resuming or sharding). */
  tasks?: Task[];
  /** Trials already finished (resume): kept, not run again. */
  previous?: TrialResult[];
  /** The backend the previous trials ran on (resume), kept when nothing is left to run. */
  previousBackend?: string;
  /** Runs of a failed trial allowed after the first. */
  retries?: number;
  /** Stop at the first trial that fails (after its retries). */
  failFast?: boolean;
  onEvent?(event: RunEvent): void;
  /** The results folder, named in the start event. */
  out?: string;
  /** A trial finished for good, with the document as it now stands (the results folder saves both). */
  onTrial?(doc: ResultsDocument, trial: TrialResult, task: Task): void;
}

export function emptyDocument(config: ExperimentConfig, backend = 'wasm'): ResultsDocument {
  return { schemaVersion: SCHEMA_VERSION, backend, complete: false, createdAt: new Date().toISOString(), config: serializeConfig(config), trials: [], summary: [] };
}

/** `auto`: the cores shared among the lanes (at least 1 each); a number as given. */
export function blasThreadsFor(threads: number | 'auto', lanes: number, cores = availableParallelism()): number {
  return threads === 'auto' ? Math.max(1, Math.floor(cores / lanes)) : threads;
}

/** Runs the tasks and returns the results document. */
export async function runTrials(config: ExperimentConfig, options: RunTrialsOptions): Promise<ResultsDocument> {
  const emit = options.onEvent ?? (() => {});
  const all = enumerateTasks(config);
  const tasks = options.tasks ?? all;
  const total = all.length;
  const doc = emptyDocument(config, options.previousBackend);
  const order = config.initializers.map((s) => s.label);
  const indexOf = new Map(all.map((t) => [t.id, t.index]));
  const trials = new Map<number, TrialResult>((options.previous ?? []).map((t) => [indexOf.get(t.id) ?? -1, t]));
  const refresh = () => {
    doc.trials = [...trials.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
    doc.summary = summarizeTrials(doc.trials, order);
  };
  refresh(); // a resumed run's document starts with the trials already finished
  const where = (t: Task) => ({ index: t.index + 1, total, init: t.spec.label, seed: t.seed, ...(Object.keys(t.point).length ? { point: t.point } : {}) });

  const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
  const runner = { backend: config.backend, blas: config.blas, blasThreads: blasThreadsFor(config.blasThreads, jobs), data: config.data };
  emit({ type: 'start', total, toRun: tasks.length, finished: options.previous?.length ?? 0, jobs, threads: runner.blasThreads, ...(options.out ? { out: options.out } : {}) });
  // With several lanes the costliest trials start first (results are kept by index: same document).
  const outcome = await schedule(jobs > 1 ? longestFirst(tasks) : tasks, {
    jobs,
    makeExecutor: () => (jobs > 1 ? workerExecutor(runner) : inProcessExecutor(runner)),
    signal: options.signal,
    retries: options.retries,
    failFast: options.failFast,
    onBackend: (backend, hint) => emit({ type: 'backend', backend, hint }),
    onStart: (t) => emit({ type: 'trialStart', ...where(t) }),
    onEpoch: (t, metrics) => emit({ type: 'epoch', ...where(t), epochs: t.settings.train.epochs, metrics }),
    onRetry: (t, trial, attempt) => emit({ type: 'retry', index: t.index + 1, total, error: trial.error ?? 'failed', attempt, retries: options.retries ?? 0 }),
    onTrial: (task, trial) => {
      trials.set(task.index, trial);
      refresh();
      options.onTrial?.(doc, trial, task);
      emit({ type: 'trialEnd', index: task.index + 1, total, trial, summary: doc.summary });
    },
  });
  if (outcome.backend) doc.backend = outcome.backend;
  doc.complete = doc.trials.length === total;
  if (outcome.stopped) doc.stopped = outcome.stopped;
  return doc;
}

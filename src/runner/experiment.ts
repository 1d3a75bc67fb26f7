/**
 * An experiment, top to bottom: backend -> data -> for each seed a split -> one trial per
 * initializer -> summary. Each finished trial is handed to `onTrial` at once (the results writer
 * saves it), so an interrupted run keeps what it finished.
 */
import { backendLine, type BackendLabel } from '../backend/select.js';
import { Interrupted } from '../errors.js';
import type { ExperimentConfig } from '../config/load.js';
import { serializeConfig } from '../config/load.js';
import { spread, welch, type Spread } from '../util/stats.js';
import type { GridPoint } from '../config/grid.js';
import type { EpochMetrics } from '../train/loop.js';
import { runPool } from './pool.js';
import { createTrialRunner, enumerateTasks, type Task } from './tasks.js';
import { describePoint } from '../config/grid.js';
import type { TrialResult } from './trial.js';

export interface InitSummary {
  init: string;
  /** In a grid: the point's value on each varied axis. */
  point?: GridPoint['values'];
  trials: number;
  ok: number;
  diverged: number;
  failed: number;
  testAccuracy: Spread;
  testLoss: Spread;
  bestTestAccuracy: Spread;
  trainLoss: Spread;
  /** Mean epochs to reach the target over the trials that reached it; null when none did. */
  epochsToTarget: number | null;
  /** How many trials reached the target. */
  reachedTarget: number;
  secondsPerEpoch: number;
  /** The trials' diagnoses, each problem once. */
  diagnosis: string[];
  comparison?: Comparison;
}

export interface ResultsDocument {
  schemaVersion: 1;
  backend: BackendLabel;
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
  /** A trial finished for good (after any retries): save it. */
  onTrial?(doc: ResultsDocument, trial: TrialResult, task: Task): void;
  onEpoch?(trial: { init: string; seed: number; index: number; total: number }, metrics: EpochMetrics): void;
}

export interface RunOptions {
  /** Worker processes; 1 runs the trials in this process. */
  jobs: number;
  /** The tasks to run (all of the experiment's unless resuming or sharding). */
  tasks?: Task[];
  /** Trials already finished (resume): kept, not run again. */
  previous?: TrialResult[];
  /** The backend the previous trials ran on (resume), kept when nothing is left to run. */
  previousBackend?: BackendLabel;
  /** Runs of a failed trial allowed after the first. */
  retries?: number;
  /** Stop at the first trial that fails (after its retries). */
  failFast?: boolean;
}

export function emptyDocument(config: ExperimentConfig, backend: BackendLabel = 'wasm'): ResultsDocument {
  return { schemaVersion: 1, backend, complete: false, createdAt: new Date().toISOString(), config: serializeConfig(config), trials: [], summary: [] };
}

/**
 * Runs the tasks and returns the results document. Interruption (signal) and --fail-fast throw
 * Interrupted with the document so far in `partial`.
 */
export async function runExperiment(config: ExperimentConfig, hooks: RunHooks = {}, options: RunOptions = { jobs: 1 }): Promise<ResultsDocument> {
  const log = hooks.log ?? (() => {});
  const all = enumerateTasks(config);
  const tasks = options.tasks ?? all;
  const total = all.length;
  const doc = emptyDocument(config, options.previousBackend);
  const order = config.initializers.map((s) => s.label);
  const indexOf = new Map(all.map((t) => [t.id, t.index]));
  const trials = new Map<number, TrialResult>((options.previous ?? []).map((t) => [indexOf.get(t.id) ?? -1, t]));
  const attempts = new Map<number, number>();
  const stop = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, stop.signal]) : stop.signal;

  const refresh = () => {
    doc.trials = [...trials.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
    doc.summary = summarizeTrials(doc.trials, order);
  };
  refresh(); // a resumed run's document starts with the trials already finished

  /** Keeps a finished trial, or asks for a retry (returns true). */
  const record = (task: Task, trial: TrialResult): boolean => {
    if (trial.status === 'failed') {
      const tries = (attempts.get(task.index) ?? 0) + 1;
      attempts.set(task.index, tries);
      if (tries <= (options.retries ?? 0)) {
        log(`trial ${task.index + 1}/${total} failed (${trial.error}); retry ${tries} of ${options.retries}`);
        return true;
      }
      log(`trial ${task.index + 1}/${total} failed: ${trial.error}`);
    }
    trials.set(task.index, trial);
    refresh();
    hooks.onTrial?.(doc, trial, task);
    if (trial.status === 'failed' && options.failFast) stop.abort('fail-fast');
    return false;
  };
  const where = (t: Task) => ({ init: t.spec.label, seed: t.seed, index: t.index + 1, total });
  const announce = (t: Task) => log(`trial ${t.index + 1}/${total}: ${t.spec.label}, seed ${t.seed}${Object.keys(t.point).length ? `, ${describePoint(t.point)}` : ''}`);
  const onEpoch = (t: Task, m: EpochMetrics) => hooks.onEpoch?.(where(t), m);

  try {
    // No tasks left (a resumed run that had finished): no backend to start.
    const jobs = Math.min(options.jobs, tasks.length);
    if (jobs > 1) {
      log(`running ${tasks.length} trials in ${jobs} worker processes`);
      doc.backend = await runPool(config, tasks, jobs, { signal, onBackend: (b, hint) => log(backendLine(b, hint)), onStart: announce, onEpoch, onTrial: record });
    } else if (jobs === 1) {
      const runner = await createTrialRunner(config);
      doc.backend = runner.backend;
      log(backendLine(runner.backend, runner.hint));
      for (const task of tasks) {
        let again = true;
        while (again) {
          announce(task);
          again = record(task, await runner.run(task, { signal, onEpoch: (m) => onEpoch(task, m) }));
        }
      }
    }
  } catch (err) {
    if (err instanceof Interrupted) {
      err.partial = doc;
      err.failFast = stop.signal.aborted && !hooks.signal?.aborted;
    }
    throw err;
  }
  doc.complete = doc.trials.length === total;
  return doc;
}

/** How an initializer compares with the best one of its grid point (Welch's t-test over seeds). */
export interface Comparison {
  best: string;
  /** Two-sided p-value of "same mean test accuracy as the best"; null when a side has one seed. */
  pValue: number | null;
  /** p >= 0.05: the data cannot tell it from the best. Null when no test is possible. */
  notSignificantlyDifferent: boolean | null;
}

/** Significance level of the comparison with the best. */
export const ALPHA = 0.05;

/**
 * One summary row per (grid point, initializer), in the order of the points and of the requested
 * initializers; each row compared with the best initializer of its point.
 */
export function summarizeTrials(trials: TrialResult[], order: string[]): InitSummary[] {
  const pointKey = (t: TrialResult) => JSON.stringify(t.point ?? {});
  const points = [...new Set(trials.map(pointKey))];
  return points.flatMap((key) => {
    const here = trials.filter((t) => pointKey(t) === key);
    const rows = order
      .map((init) => here.filter((t) => t.init === init))
      .filter((group) => group.length > 0)
      .map(summarizeGroup);
    const accuracies = (r: InitSummary) => here.filter((t) => t.init === r.init && t.final).map((t) => t.final!.testAccuracy);
    const best = rows.reduce<InitSummary | null>((b, r) => (Number.isFinite(r.testAccuracy.mean) && (!b || r.testAccuracy.mean > b.testAccuracy.mean) ? r : b), null);
    for (const r of rows) {
      if (!best) continue;
      if (r === best) r.comparison = { best: best.init, pValue: null, notSignificantlyDifferent: null };
      else {
        const test = welch(accuracies(r), accuracies(best));
        r.comparison = { best: best.init, pValue: test ? test.p : null, notSignificantlyDifferent: test ? test.p >= ALPHA : null };
      }
    }
    return rows;
  });
}

function summarizeGroup(group: TrialResult[]): InitSummary {
  const finals = group.flatMap((t) => (t.final ? [t.final] : []));
  const reached = finals.flatMap((f) => (f.epochsToTarget === null ? [] : [f.epochsToTarget]));
  return {
    init: group[0].init,
    ...(group[0].point ? { point: group[0].point } : {}),
    trials: group.length,
    ok: group.filter((t) => t.status === 'ok').length,
    diverged: group.filter((t) => t.status === 'diverged').length,
    failed: group.filter((t) => t.status === 'failed').length,
    testAccuracy: spread(finals.map((f) => f.testAccuracy)),
    testLoss: spread(finals.map((f) => f.testLoss)),
    bestTestAccuracy: spread(finals.map((f) => f.bestTestAccuracy)),
    trainLoss: spread(finals.map((f) => f.trainLoss)),
    epochsToTarget: reached.length ? reached.reduce((a, b) => a + b, 0) / reached.length : null,
    reachedTarget: reached.length,
    secondsPerEpoch: finals.length ? finals.reduce((a, f) => a + f.secondsPerEpoch, 0) / finals.length : NaN,
    diagnosis: uniqueProblems(group.flatMap((t) => t.diagnosis ?? [])),
  };
}

/** One entry per kind of problem ("vanishing signal (x0.10)" and "(x0.17)" are one kind): the first seen. */
function uniqueProblems(problems: string[]): string[] {
  const kinds = new Map<string, string>();
  for (const p of problems) {
    const kind = p.split(' (')[0].replace(/[\d.%<=]+/g, '#');
    if (!kinds.has(kind)) kinds.set(kind, p);
  }
  return [...kinds.values()];
}

/**
 * The one scheduler: `jobs` lanes, each with its own executor (in this process when jobs is 1,
 * else a worker process), pulling tasks from one queue. A failed trial runs again up to
 * `retries` times; a dead worker fails the trial it held and a new one takes over; --fail-fast
 * and a signal stop the run, and the outcome says which (a result, not an exception).
 */
import type { EpochMetrics, TrialResult } from '../results/schema.js';
import { Interrupted } from '../errors.js';
import { ExecutorDied, type Executor } from './executors.js';
import { failedTrial, type Task } from './tasks.js';
import type { Stopped } from './events.js';

export interface ScheduleOptions {
  jobs: number;
  makeExecutor(): Executor;
  signal?: AbortSignal;
  /** Runs of a failed trial allowed after the first. */
  retries?: number;
  failFast?: boolean;
  onBackend?(backend: string, hint: string | null): void;
  onStart?(task: Task): void;
  onEpoch?(task: Task, metrics: EpochMetrics): void;
  /** A trial finished for good (after its retries). */
  onTrial(task: Task, trial: TrialResult): void;
  /** A failed trial will run again. */
  onRetry?(task: Task, trial: TrialResult, attempt: number): void;
}

export type { Stopped } from './events.js';

export interface ScheduleOutcome {
  /** The backend the trials ran on; null when nothing ran. */
  backend: string | null;
  stopped: Stopped;
}

export async function schedule(tasks: Task[], o: ScheduleOptions): Promise<ScheduleOutcome> {
  const queue = [...tasks];
  const attempts = new Map<number, number>();
  const executors = new Set<Executor>();
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let backend: string | null = null;
  let stopped: Stopped = null;
  const halt = (why: Exclude<Stopped, null>) => {
    stopped ??= why;
    stop.abort(why);
    for (const e of executors) void e.stop();
  };
  const onAbort = () => halt('interrupted');
  if (o.signal?.aborted) return { backend, stopped: 'interrupted' };
  o.signal?.addEventListener('abort', onAbort);

  const launch = async (): Promise<Executor> => {
    const executor = o.makeExecutor();
    executors.add(executor);
    const started = await executor.start();
    if (backend === null) o.onBackend?.(started.backend, started.hint);
    backend = started.backend;
    return executor;
  };

  const lane = async () => {
    let executor = await launch();
    while (queue.length && !signal.aborted) {
      const task = queue.shift()!;
      o.onStart?.(task);
      let trial: TrialResult;
      try {
        trial = await executor.run(task, (m) => o.onEpoch?.(task, m), signal);
      } catch (err) {
        if (signal.aborted || err instanceof Interrupted) return;
        if (!(err instanceof ExecutorDied)) throw err;
        trial = failedTrial(task, err.message);
        executors.delete(executor);
        if (queue.length || retriesLeft(task)) executor = await launch();
      }
      if (trial.status === 'failed' && retriesLeft(task)) {
        const attempt = (attempts.get(task.index) ?? 0) + 1;
        attempts.set(task.index, attempt);
        o.onRetry?.(task, trial, attempt);
        queue.unshift(task);
        continue;
      }
      o.onTrial(task, trial);
      if (trial.status === 'failed' && o.failFast) halt('failFast');
    }
  };
  const retriesLeft = (task: Task) => (attempts.get(task.index) ?? 0) < (o.retries ?? 0);

  // A lane that cannot go on (a worker that died before it was ready, a bug) stops the others.
  let failure: { error: unknown } | null = null;
  const guarded = () =>
    lane().catch((error: unknown) => {
      failure ??= { error };
      stop.abort('error');
      for (const e of executors) void e.stop();
    });
  try {
    await Promise.all(Array.from({ length: Math.min(o.jobs, tasks.length) }, guarded));
    if (failure && stopped === null) throw (failure as { error: unknown }).error;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await Promise.all([...executors].map((e) => e.stop()));
  }
  return { backend, stopped };
}

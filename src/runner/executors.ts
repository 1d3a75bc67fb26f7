/**
 * Where trials run: in this process, or in a worker process (worker.ts) with its own tfjs and
 * data; this module itself loads neither. The scheduler (scheduler.ts) drives either through the same three calls. Trials are
 * deterministic per seed, so where a trial runs does not change its result.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunnerConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import type { EpochMetrics, TrialResult } from '../results/schema.js';
import type { Task } from './tasks.js';
import type { TrialRunner } from './trial-runner.js';
import type { FromWorker, ToWorker } from './worker.js';

export interface Executor {
  /** Starts tfjs and the data; resolves with what runs (label) and the header's hint. Rejects when it cannot start. */
  start(): Promise<{ backend: string; hint: string | null }>;
  /** Runs a task. Rejects with ExecutorDied when the process running it died (the trial is lost, the executor too). */
  run(task: Task, onEpoch: (metrics: EpochMetrics) => void, signal: AbortSignal): Promise<TrialResult>;
  /**
   * Stops at once (a worker is killed); settles when the worker has exited, so that a run ends
   * with no process of its own left behind (and their CPU time is counted as the run's).
   */
  stop(): Promise<void>;
}

/** The process that ran a trial died (crash, out of memory, killed). */
export class ExecutorDied extends Error {}

export function inProcessExecutor(config: RunnerConfig): Executor {
  let runner: TrialRunner | null = null;
  return {
    async start() {
      // Loaded here, not at the top: a process that only schedules workers never loads tfjs,
      // the data or the trainer.
      const { createTrialRunner } = await import('./trial-runner.js');
      runner = await createTrialRunner(config);
      return { backend: runner.backend, hint: runner.hint };
    },
    run: (task, onEpoch, signal) => runner!.run(task, { signal, onEpoch }),
    stop: async () => {},
  };
}

/** How long a stopped worker has to exit before it is killed outright. */
const STOP_GRACE_MS = 5000;

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export function workerExecutor(config: RunnerConfig): Executor {
  let child: ChildProcess | null = null;
  let stderr = '';
  let onMessage: (m: FromWorker) => void = () => {};
  let onExit: (why: string) => void = () => {};
  const why = (code: number | null, signal: NodeJS.Signals | null) =>
    /heap out of memory|Allocation failed/i.test(stderr) ? 'ran out of memory' : `crashed (${signal ?? `exit code ${code}`})`;
  return {
    start() {
      return new Promise((resolve, reject) => {
        child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
        child.on('message', (m: FromWorker) => onMessage(m));
        child.on('exit', (code, signal) => onExit(why(code, signal)));
        onMessage = (m) => {
          if (m.type === 'ready') resolve({ backend: m.backend, hint: m.hint });
          else if (m.type === 'fatal') reject(m.user ? new UserError(m.message) : new Error(`a worker process could not start: ${m.message}`));
        };
        onExit = (w) => {
          const tail = stderr.trim().split('\n').slice(-3).join(' | ');
          reject(new Error(`a worker process ${w} before it was ready${tail ? `: ${tail}` : ''}`));
        };
        child.send({ type: 'init', config: { backend: config.backend, blas: config.blas, blasThreads: config.blasThreads, data: config.data } } satisfies ToWorker);
      });
    },
    run(task, onEpoch) {
      return new Promise((resolve, reject) => {
        onMessage = (m) => {
          if (m.type === 'epoch') onEpoch(m.metrics as EpochMetrics);
          else if (m.type === 'done') resolve(m.trial as TrialResult);
          else if (m.type === 'fatal') reject(m.user ? new UserError(m.message) : new Error(`worker failed: ${m.message}`));
        };
        onExit = (w) => reject(new ExecutorDied(`worker process ${w}`));
        child!.send({ type: 'run', task } satisfies ToWorker);
      });
    },
    stop() {
      // A run in flight ends with the worker: its promise settles (the scheduler, stopping, drops it).
      const pending = onExit;
      onExit = () => {};
      const exited = !child || child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // SIGTERM ends a worker at once (it handles only SIGINT); should it not, it is killed.
        const c = child;
        const timer = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
        timer.unref();
        void exited.then(() => clearTimeout(timer));
      }
      pending('stopped');
      return exited;
    },
  };
}

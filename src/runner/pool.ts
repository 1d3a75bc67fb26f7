/**
 * Trials in parallel: N worker processes (worker.ts), each with its own tfjs, fed one task at a
 * time. Trials are deterministic per seed, so the results equal a sequential run's. A worker that
 * crashes or runs out of memory fails the trial it held; a new worker takes over the rest.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendLabel } from '../backend/select.js';
import type { ExperimentConfig } from '../config/load.js';
import { Interrupted, UserError } from '../errors.js';
import type { EpochMetrics } from '../train/loop.js';
import { failedTrial, type Task } from './tasks.js';
import type { TrialResult } from './trial.js';
import type { FromWorker, ToWorker } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface PoolHooks {
  signal?: AbortSignal;
  /** Once, when the first worker has started its backend. */
  onBackend?(backend: BackendLabel, hint: string | null): void;
  onStart?(task: Task): void;
  onEpoch?(task: Task, metrics: EpochMetrics): void;
  /** A trial finished; return true to run it again (a retry). */
  onTrial(task: Task, trial: TrialResult): boolean;
}

export function runPool(config: Pick<ExperimentConfig, 'backend' | 'data'>, tasks: Task[], jobs: number, hooks: PoolHooks): Promise<BackendLabel> {
  return new Promise((resolve, reject) => {
    const queue = [...tasks];
    const workers = new Set<ChildProcess>();
    let backend: BackendLabel | null = null;
    let remaining = tasks.length;
    let settled = false;

    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) w.kill('SIGTERM');
      if (err) reject(err);
      else resolve(backend ?? (config.backend === 'auto' ? 'wasm' : config.backend));
    };
    const onAbort = () => finish(new Interrupted(String(hooks.signal?.reason ?? 'signal')));
    hooks.signal?.addEventListener('abort', onAbort);

    const complete = (task: Task, trial: TrialResult) => {
      if (hooks.onTrial(task, trial)) {
        queue.unshift(task);
        return;
      }
      remaining--;
      if (remaining === 0) finish();
    };

    const start = () => {
      const worker = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      workers.add(worker);
      let current: Task | null = null;
      let stderr = '';
      worker.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const next = () => {
        current = queue.shift() ?? null;
        if (current) {
          hooks.onStart?.(current);
          worker.send({ type: 'run', task: current } satisfies ToWorker);
        } else {
          workers.delete(worker);
          worker.disconnect();
        }
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          if (backend === null) hooks.onBackend?.(m.backend, m.hint);
          backend = m.backend;
          next();
        } else if (m.type === 'epoch' && current) hooks.onEpoch?.(current, m.metrics as EpochMetrics);
        else if (m.type === 'done' && current) {
          complete(current, m.trial as TrialResult);
          next();
        } else if (m.type === 'fatal') finish(m.user ? new UserError(m.message) : new Error(`worker failed: ${m.message}`));
      });
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        if (settled || !current) return;
        const why = /heap out of memory|Allocation failed/i.test(stderr) ? 'ran out of memory' : `crashed (${signal ?? `exit code ${code}`})`;
        const task = current;
        current = null;
        complete(task, failedTrial(task, `worker process ${why}`));
        if (!settled && queue.length) start();
        else if (!settled && workers.size === 0 && remaining > 0) finish(new Error('every worker process died'));
      });
      worker.send({ type: 'init', config: { backend: config.backend, data: config.data } } satisfies ToWorker);
    };

    if (tasks.length === 0) return finish();
    for (let i = 0; i < Math.min(jobs, tasks.length); i++) start();
  });
}

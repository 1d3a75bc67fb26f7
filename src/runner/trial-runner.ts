/**
 * The runner that executes tasks in one process: tfjs, the data and each seed's split are set up
 * once and shared by the trials. The same runner serves the in-process loop (executors.ts, loaded
 * when the first trial is about to run) and each worker process (worker.ts).
 */
import { startBackend } from '../backend/select.js';
import type { RunnerConfig } from '../config/load.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { stratifiedSplit, type Split } from '../data/split.js';
import { Interrupted } from '../errors.js';
import type { TrialResult } from '../results/schema.js';
import type { TrainHooks } from '../train/loop.js';
import { failedTrial, pointOf, type Task } from './tasks.js';
import { runTrial } from './trial.js';

export interface TrialRunner {
  /** What runs the trials (`wasm+openblas 0.3.21`, `wasm`, ...): results.json's `backend`. */
  backend: string;
  /** How to get a faster backend, said once in the run header (null: nothing to say). */
  hint: string | null;
  /** Runs one task; an error inside the trial becomes a `failed` result (interruption propagates). */
  run(task: Task, hooks?: TrainHooks): Promise<TrialResult>;
}

export async function createTrialRunner(config: RunnerConfig): Promise<TrialRunner> {
  const { label: backend, hint, tf } = await startBackend(config.backend, { blas: config.blas, blasThreads: config.blasThreads });
  const data: Dataset = loadDataset(config.data);
  const splits = new Map<string, Split>();
  return {
    backend,
    hint,
    async run(task, hooks = {}) {
      const key = `${task.seed}/${task.settings.data.trainSize}/${task.settings.data.testSize}`;
      let split = splits.get(key);
      if (!split) {
        split = stratifiedSplit(data, task.settings.data.trainSize, task.settings.data.testSize, task.seed);
        splits.set(key, split);
      }
      try {
        return { ...(await runTrial(tf, task.settings, task.spec, task.seed, data, split, hooks)), ...pointOf(task) };
      } catch (err) {
        if (err instanceof Interrupted) throw err;
        return failedTrial(task, err instanceof Error ? err.message : String(err));
      }
    },
  };
}

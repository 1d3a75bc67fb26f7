/**
 * The trials of an experiment as tasks, in a stable order (seed-major, then initializer), and
 * the runner that executes them in one process: tfjs, the data and each seed's split are set up
 * once and shared by the trials. The same runner serves the in-process loop and each worker.
 */
import { startBackend } from '../backend/select.js';
import type { ExperimentConfig, RunnerConfig } from '../config/load.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { stratifiedSplit, type Split } from '../data/split.js';
import { architectureOf, layerPlan } from '../model/plan.js';
import { Interrupted } from '../errors.js';
import type { InitSpec } from '../initializers/registry.js';
import type { PointValues } from '../results/point.js';
import type { TrialResult } from '../results/schema.js';
import type { TrainHooks } from '../train/loop.js';
import { initializerOf, runTrial, trialId, trialKey, type TrialSettings } from './trial.js';

export interface Task {
  /** Position in the experiment's stable order, 0-based. */
  index: number;
  /** The grid point's value on each varied axis ({} without a grid). */
  point: PointValues;
  seed: number;
  spec: InitSpec;
  settings: TrialSettings;
  id: string;
}

/** Every trial: for each grid point, for each seed, for each initializer. */
export function enumerateTasks(config: ExperimentConfig): Task[] {
  const tasks: Task[] = [];
  for (const point of config.grid) {
    const settings: TrialSettings = { data: config.data, model: point.model, train: point.train };
    for (const seed of config.seeds) {
      for (const spec of config.initializers) {
        tasks.push({ index: tasks.length, point: point.values, seed, spec, settings, id: trialId(trialKey(settings, spec, seed)) });
      }
    }
  }
  return tasks;
}

/**
 * A task's relative cost: the multiply-adds of one forward pass of its network on one 28x28
 * image (dense: inputs x units; conv: kernel x channels at every output position), times its
 * training examples and epochs. Only an order: the image size of an IDX set and the per-step
 * overhead are left out, and a network that cannot be planned counts 0.
 */
export function taskCost(task: Pick<Task, 'settings'>): number {
  const { data, model, train } = task.settings;
  let plans;
  try {
    plans = layerPlan(architectureOf(model, { height: 28, width: 28, classes: data.labels?.length ?? 10 }));
  } catch {
    return 0;
  }
  let side = 28;
  let macs = 0;
  for (const p of plans) {
    const weights = p.shape.reduce((a, b) => a * b, 1);
    if (p.op === 'dense') macs += weights;
    else {
      const out = p.padding === 'same' ? side : Math.max(1, side - p.shape[0] + 1);
      macs += weights * out * out;
      side = Math.max(1, Math.floor(out / p.pool));
    }
  }
  return macs * (data.trainSize ?? 60000) * train.epochs;
}

/**
 * The tasks with the costliest first (ties in their order): with several lanes, a run then does
 * not end on one long trial while the other lanes idle. Results are kept by index, so the order
 * they run in changes nothing in them.
 */
export function longestFirst<T extends Pick<Task, 'settings' | 'index'>>(tasks: T[]): T[] {
  const cost = new Map(tasks.map((t) => [t.index, taskCost(t)]));
  return [...tasks].sort((a, b) => cost.get(b.index)! - cost.get(a.index)! || a.index - b.index);
}

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

export function failedTrial(task: Task, error: string): TrialResult {
  return { id: task.id, init: task.spec.label, initializer: initializerOf(task.spec), seed: task.seed, ...pointOf(task), status: 'failed', error, epochs: [], final: null };
}

/** `point` on a trial result only when the experiment is a grid. */
function pointOf(task: Task): { point?: PointValues } {
  return Object.keys(task.point).length ? { point: task.point } : {};
}

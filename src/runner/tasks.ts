/**
 * The trials of an experiment as tasks, in a stable order (seed-major, then initializer), their
 * relative costs, and the record of a trial that failed. What runs them is trial-runner.ts,
 * loaded only by a process that trains: the one that schedules them across worker processes
 * never loads tfjs, the data or the trainer.
 */
import type { ExperimentConfig } from '../config/load.js';
import { architectureOf, layerPlan } from '../model/plan.js';
import type { InitSpec } from '../initializers/registry.js';
import type { PointValues } from '../results/point.js';
import type { TrialResult } from '../results/schema.js';
import { initializerOf, trialId, trialKey, type TrialSettings } from './identity.js';

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

export function failedTrial(task: Task, error: string): TrialResult {
  return { id: task.id, init: task.spec.label, initializer: initializerOf(task.spec), seed: task.seed, ...pointOf(task), status: 'failed', error, epochs: [], final: null };
}

/** `point` on a trial result only when the experiment is a grid. */
export function pointOf(task: Task): { point?: PointValues } {
  return Object.keys(task.point).length ? { point: task.point } : {};
}

/**
 * What a trial is, without running it: the settings that define it, its id (a hash of them,
 * stable across runs) and its initializer as results record it. The process that schedules
 * trials needs only this; running one (trial.ts) needs tfjs, the data and the trainer, which are
 * loaded where trials run.
 */
import { createHash } from 'node:crypto';
import { canonical } from '../util/json.js';
import type { ExperimentConfig } from '../config/load.js';
import { idSettings } from '../config/schema.js';
import type { InitSpec } from '../initializers/registry.js';
import type { TrialResult } from '../results/schema.js';

/** What a trial needs of the experiment's config (in a grid, each trial has its own). */
export type TrialSettings = Pick<ExperimentConfig, 'data' | 'model' | 'train'>;

/** The settings that define a trial; its id is a hash of them, stable across runs. */
export function trialKey(config: TrialSettings, spec: InitSpec, seed: number): Record<string, unknown> {
  // A model file counts by its content (model.fileSha256), not its path or its parsed network;
  // IDX labels 0..K-1 in order (every set before labels were recorded) change nothing.
  const { network: _network, file: _file, ...model } = config.model;
  const { labels, ...data } = config.data;
  const mapped = labels !== undefined && labels.some((l, k) => l !== k);
  // Keys added later are left out at their default (schema.ts, idNeutralDefault): older folders resume.
  return { init: initializerOf(spec), seed, data: idSettings('data', mapped ? { ...data, labels } : data), model: idSettings('model', model), train: idSettings('train', config.train) };
}

export function trialId(key: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(key)).digest('hex').slice(0, 12);
}

export function initializerOf(spec: InitSpec): TrialResult['initializer'] {
  const { label: _label, ...rest } = spec;
  return rest;
}

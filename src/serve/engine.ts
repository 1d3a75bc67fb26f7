/**
 * The engine `serve` drives, with the shape of the programmatic API of issue 11 (src/api.ts):
 * resolveConfig(input), runExperiment(config, { jobs, signal, out, onEvent }), loadResults(dir)
 * and the RunEvent stream. Until that API lands this module adapts today's runner, config loader
 * and results folder to it; afterwards this file becomes a re-export of src/api.ts and nothing
 * else in src/serve changes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigFile, resolveConfig as resolveFromSources, type ExperimentConfig } from '../config/load.js';
import { Interrupted, UserError } from '../errors.js';
import { writeReports } from '../report/write.js';
import { emptyDocument, runExperiment as runTasks, summarizeTrials, type InitSummary, type ResultsDocument } from '../runner/experiment.js';
import { createResultsDir, readJson, readTrials, writeJsonAtomic, writeRunInfo, writeTrial } from '../runner/store.js';
import { enumerateTasks, type Task } from '../runner/tasks.js';
import type { TrialResult } from '../runner/trial.js';
import type { EpochMetrics } from '../train/loop.js';

export type { ExperimentConfig, InitSummary, ResultsDocument, TrialResult, EpochMetrics };

export type RunEvent =
  | { type: 'start'; total: number; backend: string; out?: string }
  | { type: 'trialStart'; index: number; total: number; init: string; seed: number; point?: Record<string, string | number> }
  | { type: 'epoch'; index: number; init: string; seed: number; point?: Record<string, string | number>; metrics: EpochMetrics }
  | { type: 'trialEnd'; index: number; trial: TrialResult; summary: InitSummary[] }
  | { type: 'end'; complete: boolean; stopped: null | 'interrupted' | 'failFast' };

export interface RunExperimentOptions {
  jobs?: number;
  signal?: AbortSignal;
  /** The results folder to write (config.json, trials/, results.json, report.html, metrics.csv). */
  out?: string;
  onEvent?: (e: RunEvent) => void;
}

/** A config that does not validate; `problems` lists every problem, one line each. */
export class ConfigError extends UserError {
  constructor(readonly problems: string[], message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The same keys and defaults as a YAML config; throws ConfigError listing every problem. */
export function resolveConfig(input: unknown): ExperimentConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(['the config must be an object of keys (name, initializers, model, train, data, seeds)'], 'invalid configuration');
  }
  try {
    return resolveFromSources(input as Record<string, unknown>, {});
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // Today's loader joins the problems into one message: one line, or "(N problems):\n  - ...".
    const lines = err.message.split('\n');
    const problems = lines.length > 1 ? lines.slice(1).map((l) => l.replace(/^\s*- /, '')) : [err.message.replace(/^invalid configuration: /, '')];
    throw new ConfigError(problems, err.message);
  }
}

/** Minimum interval between rewrites of results.json during a run (trials/ is written at once). */
const RESULTS_EVERY_MS = 3000;

/**
 * Runs the experiment; with `out`, writes its results folder (a new one, or the continuation of
 * an interrupted one holding the same config). Resolves with the document, also when interrupted
 * (complete: false).
 */
export async function runExperiment(config: ExperimentConfig, options: RunExperimentOptions = {}): Promise<ResultsDocument> {
  const emit = options.onEvent ?? (() => {});
  const out = options.out;
  const tasks = enumerateTasks(config);
  const previous = out && existsSync(join(out, 'config.json')) ? readTrials(out).filter((t) => t.status !== 'failed') : [];
  if (out && !existsSync(join(out, 'config.json'))) {
    createResultsDir(config.name, out);
    writeJsonAtomic(join(out, 'config.json'), config.source);
    writeRunInfo(out, { shard: null });
  }
  const done = new Set(previous.map((t) => t.id));
  const todo = tasks.filter((t) => !done.has(t.id));
  const point = (t: Task) => (Object.keys(t.point).length ? { point: t.point } : {});
  let lastWrite = -Infinity;
  let started = false;
  // Today's runner names the backend and each trial's start only in its log lines.
  const log = (line: string) => {
    const backend = /^backend: (\S+)$/.exec(line);
    if (backend) started = true;
    if (backend) emit({ type: 'start', total: tasks.length, backend: backend[1], ...(out ? { out } : {}) });
    const start = /^trial (\d+)\/\d+: /.exec(line);
    const task = start ? tasks[Number(start[1]) - 1] : undefined;
    if (task) emit({ type: 'trialStart', index: task.index, total: tasks.length, init: task.spec.label, seed: task.seed, ...point(task) });
  };
  let doc: ResultsDocument;
  let stopped: null | 'interrupted' | 'failFast' = null;
  try {
    doc = await runTasks(
      config,
      {
        signal: options.signal,
        log,
        onEpoch: (where, metrics) => {
          const task = tasks[where.index - 1];
          emit({ type: 'epoch', index: task.index, init: task.spec.label, seed: task.seed, ...point(task), metrics });
        },
        onTrial: (d, trial, task) => {
          if (out) {
            writeTrial(out, task.index, trial);
            if (performance.now() - lastWrite > RESULTS_EVERY_MS) {
              writeJsonAtomic(join(out, 'results.json'), d);
              lastWrite = performance.now();
            }
          }
          emit({ type: 'trialEnd', index: task.index, trial, summary: d.summary });
        },
      },
      { jobs: options.jobs ?? 1, tasks: todo, previous, previousBackend: out ? savedBackend(out) : undefined },
    );
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    doc = err.partial as ResultsDocument;
    doc.summary = summarizeTrials(doc.trials, config.initializers.map((s) => s.label));
    stopped = err.failFast ? 'failFast' : 'interrupted';
  }
  if (out) {
    writeJsonAtomic(join(out, 'results.json'), doc);
    await writeReports(out, doc);
  }
  if (!started) emit({ type: 'start', total: tasks.length, backend: doc.backend, ...(out ? { out } : {}) }); // nothing was left to run
  emit({ type: 'end', complete: doc.complete, stopped });
  return doc;
}

function savedBackend(dir: string): ResultsDocument['backend'] | undefined {
  const file = join(dir, 'results.json');
  return existsSync(file) ? (readJson(file, 'results folder') as ResultsDocument).backend : undefined;
}

/**
 * A results folder's document. trials/ is the durable record (results.json is rewritten only
 * every few seconds during a run): when it holds more trials, the document is rebuilt from it.
 */
export function loadResults(dir: string): ResultsDocument {
  if (!existsSync(join(dir, 'config.json'))) throw new UserError(`${dir} is not a results folder (no config.json)`);
  const config = resolveFromSources(readConfigFile(join(dir, 'config.json')), {});
  const saved = existsSync(join(dir, 'results.json')) ? (readJson(join(dir, 'results.json'), 'results folder') as ResultsDocument) : null;
  const trials = readTrials(dir);
  if (saved && saved.trials.length >= trials.length) return saved;
  const order = new Map(enumerateTasks(config).map((t) => [t.id, t.index]));
  const doc = { ...emptyDocument(config, saved?.backend), ...(saved ? { createdAt: saved.createdAt } : {}) };
  doc.trials = trials.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  doc.summary = summarizeTrials(doc.trials, config.initializers.map((s) => s.label));
  doc.complete = doc.trials.length === order.size;
  return doc;
}

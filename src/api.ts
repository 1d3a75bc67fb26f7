/**
 * init-bench for scripts: the same experiments as the command line, as functions.
 *
 *   import { resolveConfig, runExperiment, loadResults } from 'init-bench';
 *   const config = resolveConfig({ initializers: ['he', 'xavier'], train: { epochs: 2 } });
 *   const doc = await runExperiment(config, { jobs: 2, out: 'results/he-vs-xavier', onEvent: console.log });
 *   const again = loadResults('results/he-vs-xavier');
 *
 * resolveConfig takes what a YAML/JSON config holds (the same keys, the same defaults) and throws
 * one ConfigError listing every problem. runExperiment returns the results document (also when
 * stopped by `signal` or failFast: then `complete` is false and `stopped` says why), and writes a
 * results folder only when `out` is given. Nothing here prints, reads argv or exits.
 */
import { writeFileSync } from 'node:fs';
import { configFields, type ConfigField } from './config/fields.js';
import { checkData, resolveConfig as resolve, type ExperimentConfig, type ResolveLimits } from './config/load.js';
import { UserError, describeFsError } from './errors.js';
import { parseModelText } from './model/keras.js';
import { parameterDocs } from './initializers/params.js';
import type { ParameterDoc } from './initializers/spec.js';
import { CATALOGUE } from './initializers/registry.js';
import type { ConfigInput } from './config/schema.js';
import { FolderWriter, checkNewFolder, createFolder, loadResults as load, readFolder, removeStaleTemporaries } from './store/folder.js';
import { lockFolder } from './store/lock.js';
import type { ResultsDocument } from './results/schema.js';
import { runTrials } from './runner/experiment.js';
import type { RunEvent } from './runner/events.js';
import { inShard } from './runner/shard.js';
import { enumerateTasks } from './runner/tasks.js';

export type { ExperimentConfig } from './config/load.js';
export type { ConfigInput } from './config/schema.js';
export type { ResolveLimits } from './config/load.js';
export { LIMITS } from './config/schema.js';
export type { ConfigField } from './config/fields.js';
export type { ParameterDoc } from './initializers/spec.js';
export { ConfigError, UserError } from './errors.js';
export { describeHolder, lockHolder, type LockHolder } from './store/lock.js';
export type { EpochMetrics, InitSummary, ResultsDocument, TrialResult } from './results/schema.js';
export type { RunEvent } from './runner/events.js';

export interface RunOptions {
  /** Trials in parallel worker processes (default 1: in this process). */
  jobs?: number;
  /** Aborting it stops the run; finished trials are kept. */
  signal?: AbortSignal;
  /** A results folder to write (new, or empty of a run's files), or `{ under }`: a new folder <timestamp>-<name> there. None when absent. */
  out?: string | { under: string };
  onEvent?(event: RunEvent): void;
  /** Runs of a failed trial allowed after the first (default 0). */
  retries?: number;
  /** Stop at the first failed trial. */
  failFast?: boolean;
  /** Run only this shard of the trials (1-based index of count). */
  shard?: { index: number; count: number };
  /** Who writes the results folder, as its lock names the writer to a second one (default `init-bench run`). */
  writer?: string;
}

/** What `writeModelFile` takes: a tfjs-layers model (tf.sequential(), tf.model()), or anything whose toJSON gives a Keras topology. */
export interface TopologyLike {
  toJSON(unused?: unknown, returnString?: boolean): unknown;
}

/**
 * A network built in the script (a tfjs-layers LayersModel) as a model file for `model.file`:
 * its topology (`model.toJSON()`, the format tfjs saves) is checked by the same parser as any
 * model file, then written to `path` (a results folder refers to it there, so resume and merge
 * can check it). Returns `path`. Its weights are not saved: they are what is compared.
 *
 *   const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
 *   const config = resolveConfig({ initializers: ['file', 'he'], model: { file: writeModelFile(net, 'net.json') } });
 */
export function writeModelFile(model: TopologyLike, path: string): string {
  const topology = model.toJSON(null, false);
  const text = typeof topology === 'string' ? topology : JSON.stringify(topology);
  parseModelText(text);
  try {
    writeFileSync(path, `${text}\n`);
  } catch (err) {
    throw new UserError(`cannot write model file ${path}: ${describeFsError(err)}`);
  }
  return path;
}

/** The results document of a folder, validated (rebuilt from trials/ when results.json is missing or stale). */
export function loadResults(dir: string): ResultsDocument {
  return load(dir);
}

/** An initializer as a config names it: its name, aliases, one-line summary and its parameters described. */
export interface InitializerDoc {
  name: string;
  aliases: string[];
  summary: string;
  parameters: ParameterDoc[];
}

/** Every config key: its type, default, allowed values, whether it is a grid axis, and its description. */
export function describeConfig(): ConfigField[] {
  return configFields();
}

/** Every initializer of the catalogue, in its order, with each parameter's type, default and description. */
export function describeInitializers(): InitializerDoc[] {
  return CATALOGUE.map((e) => ({ name: e.name, aliases: e.aliases, summary: e.summary, parameters: parameterDocs(e) }));
}

/**
 * The validated, fully resolved config for what a YAML/JSON config holds; throws one ConfigError
 * listing every problem. `limits`: the most trials (default LIMITS.trials), and `paths: false`
 * for a config that comes from a request (no key may name a file or a library).
 */
export function resolveConfig(input: ConfigInput, limits: ResolveLimits = {}): ExperimentConfig {
  return resolve(input, {}, limits);
}

/** Runs an experiment (or one shard of it); see the module's comment. */
export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<ResultsDocument> {
  const { out } = options;
  if (typeof out === 'string') checkNewFolder(out);
  const tasks = inShard(enumerateTasks(config), options.shard ?? null);
  const shard = options.shard ? { index: options.shard.index, count: options.shard.count, trials: tasks.length } : null;
  const run = { shard: shard && { index: shard.index, count: shard.count } };
  const who = options.writer ?? 'init-bench run';
  const folder = out === undefined ? undefined : typeof out === 'string' ? createFolder(config, out, run, undefined, who) : createFolder(config, undefined, run, out.under, who);
  return runWithFolder(config, folder && new FolderWriter(folder.dir, shard, folder.release), options, { tasks, out: folder?.dir });
}

/** Continues the run in `dir`: only the trials missing from it (or failed) run. */
/**
 * Continues the run in `dir`: only the trials missing from it (or failed) run, under the folder's
 * lock. With nothing to run and results.json up to date, nothing is written (the folder may be
 * read-only: a downloaded artifact) and the saved document is returned.
 */
export async function resumeExperiment(dir: string, options: Omit<RunOptions, 'out' | 'shard'> = {}): Promise<ResultsDocument> {
  let folder = readFolder(dir);
  const toRun = (f: typeof folder) => {
    const tasks = inShard(enumerateTasks(f.config), f.run.shard);
    const ids = new Set(tasks.map((t) => t.id));
    const previous = f.trials.filter((t) => ids.has(t.id) && t.status !== 'failed');
    const done = new Set(previous.map((t) => t.id));
    return { tasks, previous, missing: tasks.filter((t) => !done.has(t.id)) };
  };
  const now = toRun(folder);
  if (now.missing.length === 0 && folder.upToDate) {
    options.onEvent?.({ type: 'start', total: now.tasks.length, toRun: 0, finished: now.previous.length, jobs: 0, threads: 0, out: dir });
    options.onEvent?.({ type: 'end', complete: folder.doc.complete, stopped: null });
    return folder.doc;
  }
  checkData(folder.config); // the IDX folder is read only now that trials will run
  const release = lockFolder(dir, options.writer ?? 'init-bench run --resume');
  try {
    removeStaleTemporaries(dir);
    folder = readFolder(dir); // as it stands now that no one else writes it
  } catch (err) {
    release();
    throw err;
  }
  const { tasks, previous, missing } = toRun(folder);
  const shard = folder.run.shard ? { ...folder.run.shard, trials: tasks.length } : null;
  return runWithFolder(folder.config, new FolderWriter(dir, shard, release), options, { tasks: missing, previous, previousBackend: folder.doc.backend, out: dir });
}

async function runWithFolder(
  config: ExperimentConfig,
  writer: FolderWriter | undefined,
  options: RunOptions,
  run: Pick<Parameters<typeof runTrials>[1], 'tasks' | 'previous' | 'previousBackend' | 'out'>,
): Promise<ResultsDocument> {
  let done: ResultsDocument;
  try {
    const doc = await runTrials(config, {
      ...run,
      jobs: options.jobs ?? 1,
      signal: options.signal,
      retries: options.retries,
      failFast: options.failFast,
      onEvent: (e) => {
        if (e.type === 'start' && e.toRun > 0) writer?.trialsStart(e.jobs > 1);
        options.onEvent?.(e);
      },
      onTrial: (d, trial, task) => writer?.trial(task.index, trial, d),
    });
    done = writer ? await writer.finish(doc) : doc;
  } finally {
    writer?.trialsStopped();
    writer?.close();
  }
  // Last: once `end` is told, the results folder (report.html included) is complete.
  options.onEvent?.({ type: 'end', complete: done.complete, stopped: done.stopped ?? null });
  return done;
}

/**
 * `init-bench run`: resolve the config (or re-read it with --resume), run the experiment (or one
 * shard of it), save every trial as it finishes, print the table (or the JSON document), check
 * --expect assertions. Returns the exit code; only cli.ts exits.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { flagsToOverrides, type RunFlags } from '../config/flags.js';
import { readConfigFile, resolveConfig, serializeConfig, type ExperimentConfig } from '../config/load.js';
import { Interrupted, UserError } from '../errors.js';
import { createProgress, PROGRESS_MODES, type ProgressMode } from '../report/progress.js';
import { comparisonTable } from '../report/table.js';
import { accuracyChart } from '../report/terminal.js';
import { writeReports } from '../report/write.js';
import { runExperiment, summarizeTrials, type ResultsDocument } from '../runner/experiment.js';
import { checkExpectations, parseExpectations, type Expectation } from '../runner/expect.js';
import { inShard, parseShard, type Shard } from '../runner/shard.js';
import { createResultsDir, readJson, readRunInfo, readTrials, writeJsonAtomic, writeRunInfo, writeTrial } from '../runner/store.js';
import { enumerateTasks } from '../runner/tasks.js';

export interface RunOptions extends RunFlags {
  config?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  jobs?: string;
  resume?: string;
  shard?: string;
  expect?: string[];
  failFast?: boolean;
  retries?: string;
  progress?: string;
  plot?: boolean;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, someFailed: 3, expectation: 4, interrupted: 130 } as const;

/** Minimum interval between rewrites of results.json during a run (trials/ is written at once). */
const RESULTS_EVERY_MS = 3000;

/** Flags that describe the experiment, which --resume takes from the folder instead. */
const EXPERIMENT_FLAGS = ['config', 'init', 'hidden', 'depth', 'width', 'activation', 'model', 'filters', 'kernelSize', 'pool', 'padding', 'head', 'batchNorm', 'dropout', 'seed', 'seeds', 'optimizer', 'lr', 'batchSize', 'epochs', 'target', 'trainSize', 'testSize', 'dataset', 'dataDir', 'backend', 'name', 'out', 'shard'] as const;

/** `signal` aborts the run (the CLI wires it to SIGINT and SIGTERM). */
export async function runCommand(opts: RunOptions, signal?: AbortSignal): Promise<number> {
  const mode = (opts.quiet ? 'none' : (opts.progress ?? 'auto')) as ProgressMode;
  if (!PROGRESS_MODES.includes(mode)) throw new UserError(`--progress ${opts.progress} must be one of ${PROGRESS_MODES.join(', ')}`);
  const progress = createProgress(mode);
  const log = (line: string) => progress.log(line);
  const jobs = parseWhole(opts.jobs, '--jobs', 1) ?? availableParallelism();
  const retries = parseWhole(opts.retries, '--retries', 0) ?? 0;
  const { config, dir, shard } = opts.resume ? resumeFolder(opts) : newFolder(opts);
  const expectations: Expectation[] = parseExpectations(opts.expect ?? [], config.initializers);
  if (shard) log(`shard ${shard.index}/${shard.count} (${shard.source})`);

  const tasks = inShard(enumerateTasks(config), shard);
  const ids = new Set(tasks.map((t) => t.id));
  const previous = opts.resume ? readTrials(dir).filter((t) => ids.has(t.id) && t.status !== 'failed') : [];
  const done = new Set(previous.map((t) => t.id));
  const todo = tasks.filter((t) => !done.has(t.id));
  if (opts.resume) log(`resuming ${dir}: ${previous.length} of ${tasks.length} trials already finished, ${todo.length} to run`);

  let lastWrite = -Infinity;
  const onAbort = () => log(`\n${String(signal?.reason)}: stopping; finished trials are kept (Ctrl-C again to quit at once)`);
  signal?.addEventListener('abort', onAbort);

  let doc: ResultsDocument;
  try {
    doc = await runExperiment(
      config,
      {
        signal,
        log,
        onEpoch: (t, m) => progress.epoch(t, m, config.train.epochs),
        onTrial: (d, trial, task) => {
          writeTrial(dir, task.index, trial); // the durable record
          // The whole document grows with the grid: rewrite it at most every few seconds, so a
          // run of thousands of trials does not write gigabytes. It is always written at the end.
          if (performance.now() - lastWrite > RESULTS_EVERY_MS) {
            writeJsonAtomic(join(dir, 'results.json'), withShard(d, shard, tasks.length));
            lastWrite = performance.now();
          }
          progress.trialDone();
        },
      },
      { jobs, tasks: todo, previous, previousBackend: opts.resume ? previousBackend(dir) : undefined, retries, failFast: opts.failFast },
    );
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    progress.end();
    const partial = withShard(err.partial as ResultsDocument, shard, tasks.length);
    partial.summary = summarizeTrials(partial.trials, config.initializers.map((s) => s.label));
    writeJsonAtomic(join(dir, 'results.json'), partial);
    await writeReports(dir, partial);
    print(partial, config, opts);
    if (err.failFast) {
      log(`stopped at the first failed trial (--fail-fast): ${partial.trials.length} trial(s) saved in ${dir}`);
      return EXIT.someFailed;
    }
    log(`interrupted: ${partial.trials.length} finished trial(s) saved in ${dir}; continue with: init-bench run --resume ${dir}`);
    return EXIT.interrupted;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }

  progress.end();
  doc = withShard(doc, shard, tasks.length);
  writeJsonAtomic(join(dir, 'results.json'), doc);
  await writeReports(dir, doc);
  print(doc, config, opts);
  log(`results: ${dir} (report.html, metrics.csv, results.json)`);
  const results = checkExpectations(expectations, doc.summary);
  for (const r of results) log(`expect ${r.text}: ${r.held ? 'held' : 'FAILED'} (${r.measured})`);
  const failed = doc.trials.filter((t) => t.status === 'failed').length;
  if (results.some((r) => !r.held)) return EXIT.expectation;
  if (failed > 0 && failed === doc.trials.length) return EXIT.failure;
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}

function newFolder(opts: RunOptions): { config: ExperimentConfig; dir: string; shard: Shard | null } {
  const file = opts.config ? readConfigFile(opts.config) : {};
  const config = resolveConfig(file, flagsToOverrides(opts));
  const shard = opts.shard ? parseShard(opts.shard) : null;
  const dir = createResultsDir(config.name, opts.out);
  writeJsonAtomic(join(dir, 'config.json'), serializeConfig(config));
  writeRunInfo(dir, { shard });
  return { config, dir, shard };
}

function resumeFolder(opts: RunOptions): { config: ExperimentConfig; dir: string; shard: Shard | null } {
  const dir = opts.resume!;
  const given = EXPERIMENT_FLAGS.filter((k) => opts[k] !== undefined);
  if (given.length) throw new UserError(`--resume takes the experiment from ${join(dir, 'config.json')}; drop ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
  if (!existsSync(join(dir, 'config.json'))) throw new UserError(`--resume ${dir}: not a results folder (no config.json)`);
  const config = resolveConfig(readConfigFile(join(dir, 'config.json')), {});
  return { config, dir, shard: readRunInfo(dir).shard };
}

/** The backend a folder's earlier trials ran on, from its results.json. */
function previousBackend(dir: string): ResultsDocument['backend'] | undefined {
  const file = join(dir, 'results.json');
  return existsSync(file) ? (readJson(file, 'results folder') as ResultsDocument).backend : undefined;
}

/** A shard's document says which shard it is and how many trials the shard has. */
function withShard(doc: ResultsDocument, shard: Shard | null, trials: number): ResultsDocument {
  if (shard) Object.assign(doc, { shard: { index: shard.index, count: shard.count, trials } });
  if (shard) doc.complete = doc.trials.length === trials;
  return doc;
}

export function print(doc: ResultsDocument, config: ExperimentConfig, opts: { json?: boolean; plot?: boolean }): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  if (!doc.trials.length) return;
  process.stdout.write(`${comparisonTable(doc, config.train.target)}\n`);
  const chart = process.stdout.isTTY || opts.plot ? accuracyChart(doc) : '';
  if (chart) process.stdout.write(`\n${chart}\n`);
}

/** A whole-number flag with a minimum; undefined when not given. */
function parseWhole(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${flag} ${text} must be a whole number >= ${min}`);
  return n;
}

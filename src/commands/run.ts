/**
 * `init-bench run`: validate everything (config or --resume folder, shard, expectations, an
 * explicitly requested backend, the results folder), then run the experiment through the API
 * (api.ts), print the table (or the JSON document) and check --expect assertions. Returns the
 * exit code; only cli.ts exits.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { flagsToOverrides, givenConfigFlags } from '../config/flags.js';
import { readConfigFile, resolveConfig, type ExperimentConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { createProgress, PROGRESS_MODES, type ProgressMode } from '../report/progress.js';
import { checkNewFolder, readFolder } from '../store/folder.js';
import { checkExpectations, parseExpectations } from '../runner/expect.js';
import { emptyShardLine, parseShard, shardSize, type Shard } from '../runner/shard.js';
import { resumeExperiment, runExperiment } from '../api.js';
import type { RunEvent } from '../runner/experiment.js';
import { shellQuote } from '../util/text.js';
import { invokedAs } from './invocation.js';
import { omittedLine, printDocument, showEvents } from './output.js';

export interface RunOptions extends Record<string, unknown> {
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
  maxTrials?: string;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, someFailed: 3, expectation: 4, interrupted: 130 } as const;

/** `signal` aborts the run (the CLI wires it to SIGINT and SIGTERM). */
export async function runCommand(opts: RunOptions, signal?: AbortSignal): Promise<number> {
  // Everything is checked before the first side effect: a mistake leaves no folder behind.
  const mode = (opts.quiet ? 'none' : (opts.progress ?? 'auto')) as ProgressMode;
  if (!PROGRESS_MODES.includes(mode)) throw new UserError(`--progress ${opts.progress} must be one of ${PROGRESS_MODES.join(', ')}`);
  const jobs = parseWhole(opts.jobs, '--jobs', 1) ?? availableParallelism();
  const retries = parseWhole(opts.retries, '--retries', 0) ?? 0;
  const maxTrials = parseWhole(opts.maxTrials, '--max-trials', 1);
  const { config, shard } = opts.resume ? resumeSettings(opts, opts.resume) : newSettings(opts, maxTrials);
  const expectations = parseExpectations(opts.expect ?? [], config.initializers);
  // The backend and its BLAS are started here, with the config's choice, so that one that cannot
  // load (a --blas path that is not a BLAS) is refused before the folder exists.
  // (Loaded only then: a run whose trials go to worker processes does not load tfjs here.)
  if (config.backend !== 'auto' || !['auto', 'off'].includes(config.blas)) await (await import('../backend/select.js')).startBackend(config.backend, { blas: config.blas });
  if (opts.out !== undefined) checkNewFolder(opts.out, invokedAs());

  const progress = createProgress(mode);
  const log = (line: string) => progress.log(line);
  const total = config.grid.length * config.seeds.length * config.initializers.length;
  if (shard && shardSize(total, shard) === 0) {
    log(emptyShardLine(total, shard));
    progress.end();
    return EXIT.ok;
  }
  if (shard) log(`shard ${shard.index}/${shard.count} (${shard.source})`);
  if (config.omitted) log(omittedLine(config.omitted));
  let dir = opts.resume ?? opts.out;
  const onEvent = showEvents(progress, { cnn: config.model.kind === 'cnn' });
  const events = (e: RunEvent) => {
    if (e.type === 'start' && e.out) dir = e.out;
    if (e.type === 'start' && opts.resume) {
      log(e.toRun === 0 ? `nothing to run: every trial of ${opts.resume} is finished (${e.finished} of ${e.total})` : `resuming ${opts.resume}: ${e.finished} of ${e.finished + e.toRun} trials already finished, ${e.toRun} to run`);
    }
    onEvent(e);
  };
  const onAbort = () => log(`\n${String(signal?.reason)}: stopping; finished trials are kept (Ctrl-C again to quit at once)`);
  signal?.addEventListener('abort', onAbort);
  const settings = { jobs, retries, failFast: opts.failFast, signal };
  let doc;
  try {
    doc = opts.resume
      ? await resumeExperiment(opts.resume, { ...settings, onEvent: events })
      : await runExperiment(config, { ...settings, out: opts.out ?? { under: 'results' }, shard: shard ?? undefined, onEvent: events });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    progress.end();
  }

  const results = checkExpectations(expectations, doc.summary);
  printDocument(results.length ? { ...doc, expectations: results } : doc, config, opts);
  // Expectation results always print (stderr keeps stdout for --json), even with -q.
  for (const r of results) process.stderr.write(`expect ${r.text}: ${r.held ? 'held' : 'FAILED'} (${r.measured})\n`);
  const resume = `${invokedAs()} run --resume ${shellQuote(dir!)}`;
  if (doc.stopped === 'interrupted') {
    log(`interrupted: ${doc.trials.length} finished trial(s) saved in ${dir}; continue with: ${resume}`);
    return EXIT.interrupted;
  }
  if (doc.stopped === 'failFast') {
    log(`stopped at the first failed trial (--fail-fast): ${doc.trials.length} trial(s) saved in ${dir}; run the rest with: ${resume}`);
    return EXIT.someFailed;
  }
  log(`results: ${dir} (report.html, metrics.csv, results.json)`);
  const failed = doc.trials.filter((t) => t.status === 'failed').length;
  if (results.some((r) => !r.held)) return EXIT.expectation;
  if (failed > 0 && failed === doc.trials.length) return EXIT.failure;
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}

/** A shard holds part of the experiment: expectations are about the whole of it. */
const SHARD_EXPECT = '--expect checks the whole experiment, and a shard holds only part of it: give --expect to `init-bench merge` once every shard has run';

function newSettings(opts: RunOptions, maxTrials: number | undefined): { config: ExperimentConfig; shard: Shard | null } {
  const file = opts.config ? readConfigFile(opts.config) : {};
  const config = resolveConfig(file, flagsToOverrides(opts), { maxTrials });
  const shard = opts.shard ? parseShard(opts.shard) : null;
  if (shard && opts.expect?.length) throw new UserError(SHARD_EXPECT);
  return { config, shard };
}

function resumeSettings(opts: RunOptions, dir: string): { config: ExperimentConfig; shard: null } {
  const given = [...givenConfigFlags(opts), ...(['config', 'out', 'shard', 'maxTrials'] as const).filter((k) => opts[k] !== undefined).map((k) => (k === 'maxTrials' ? '--max-trials' : `--${k}`))];
  if (given.length) throw new UserError(`--resume takes the experiment from ${join(dir, 'config.json')}; drop ${given.join(', ')}`);
  const folder = readFolder(dir, invokedAs());
  for (const w of folder.warnings) process.stderr.write(`warning: ${w}\n`);
  if (folder.run.shard && opts.expect?.length) throw new UserError(SHARD_EXPECT);
  return { config: folder.config, shard: null };
}

/** A whole-number flag with a minimum; undefined when not given. */
function parseWhole(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${flag} ${text} must be a whole number >= ${min}`);
  return n;
}

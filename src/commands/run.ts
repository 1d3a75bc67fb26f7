/**
 * `init-bench run`: resolve the config, run the experiment, print the table (or the JSON
 * document), save the results folder. Returns the exit code; only cli.ts exits.
 */
import { join } from 'node:path';
import { readConfigFile, resolveConfig, serializeConfig } from '../config/load.js';
import { flagsToOverrides, type RunFlags } from '../config/flags.js';
import { availableParallelism } from 'node:os';
import { Interrupted, UserError } from '../errors.js';
import { resultsDir, writeJsonAtomic } from '../report/files.js';
import { comparisonTable } from '../report/table.js';
import { runExperiment, type ResultsDocument } from '../runner/experiment.js';
import { num, pct } from '../report/format.js';

export interface RunOptions extends RunFlags {
  config?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  jobs?: string;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, someFailed: 3, expectation: 4, interrupted: 130 } as const;

export async function runCommand(opts: RunOptions): Promise<number> {
  const file = opts.config ? readConfigFile(opts.config) : {};
  const config = resolveConfig(file, flagsToOverrides(opts));
  const jobs = parseJobs(opts.jobs);
  const dir = resultsDir(config.name, opts.out);
  writeJsonAtomic(join(dir, 'config.json'), serializeConfig(config));
  const log = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${line}\n`);
  };

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted); // a second Ctrl-C: stop now
    log(`\n${signal}: stopping after the current step; finished trials are kept (Ctrl-C again to quit at once)`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let doc: ResultsDocument;
  try {
    doc = await runExperiment(config, {
      signal: controller.signal,
      log,
      onEpoch: (t, m) =>
        log(`  [${t.index}/${t.total}] ${t.init} seed ${t.seed} epoch ${m.epoch}/${config.train.epochs}: loss ${num(m.trainLoss)}, test acc ${pct(m.testAccuracy)} (${m.seconds.toFixed(1)} s)`),
      onTrial: (d) => writeJsonAtomic(join(dir, 'results.json'), d),
    }, { jobs });
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    const partial = err.partial as ResultsDocument;
    writeJsonAtomic(join(dir, 'results.json'), partial);
    if (opts.json) process.stdout.write(`${JSON.stringify(partial, null, 2)}\n`);
    else if (partial.trials.length) process.stdout.write(`${comparisonTable(partial, config.train.target)}\n`);
    log(`interrupted: ${partial.trials.length} finished trial(s) saved in ${dir}`);
    return EXIT.interrupted;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  writeJsonAtomic(join(dir, 'results.json'), doc);
  if (opts.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else process.stdout.write(`${comparisonTable(doc, config.train.target)}\n`);
  log(`results: ${dir}`);
  const failed = doc.trials.filter((t) => t.status === 'failed').length;
  if (failed === doc.trials.length) return EXIT.failure;
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}

/** --jobs N: worker processes for the trials (default: one per core). */
export function parseJobs(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--jobs ${text} must be a whole number >= 1`);
  return n;
}

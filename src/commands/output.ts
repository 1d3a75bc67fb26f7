/**
 * What the commands print about a results document: the JSON document (stdout, alone), or the
 * comparison table and the terminal chart; and the CLI's way of telling a run's events on stderr.
 */
import { availableParallelism } from 'node:os';
import type { ExperimentConfig } from '../config/load.js';
import type { Progress } from '../report/progress.js';
import { pretrainText } from '../report/pretrain.js';
import { comparisonTable } from '../report/table.js';
import { accuracyChart } from '../report/terminal.js';
import { describePoint } from '../results/point.js';
import type { ResultsDocument } from '../results/schema.js';
import type { RunEvent } from '../runner/experiment.js';

/** The run header's backend line: what runs, and once, how to get a faster path. */
const backendLine = (backend: string, hint: string | null | undefined) => `backend: ${backend}${hint ? `\n  ${hint}` : ''}`;

export function printDocument(doc: ResultsDocument, config: ExperimentConfig, opts: { json?: boolean; plot?: boolean }): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  if (!doc.trials.length) return;
  process.stdout.write(`${comparisonTable(doc, config.train.target)}\n`);
  const pretraining = pretrainText(doc);
  if (pretraining) process.stdout.write(`\n${pretraining}\n`);
  const chart = process.stdout.isTTY || opts.plot ? accuracyChart(doc) : '';
  if (chart) process.stdout.write(`\n${chart}\n`);
}

/**
 * What a run of one trial at a time does with the cores: its threads when more than one, or, for
 * a CNN left on one of several cores, how to use them (docs/backends.md, BLAS threads); null when
 * there is nothing to say.
 */
export function threadsLine(e: Extract<RunEvent, { type: 'start' }>, cores: number, cnn: boolean): string | null {
  if (e.jobs > 1 || e.toRun === 0) return null;
  if (e.threads > 1) return `one trial at a time, allowed ${e.threads} threads (--blas-threads; docs/backends.md says which networks use them)`;
  if (cores > 1 && cnn) return `one trial at a time on 1 of ${cores} cores: --blas-threads auto allows it ${cores} (a plain CNN shares its batches among them; docs/backends.md)`;
  return null;
}

/** A run's events as progress lines; `cnn`: the run's network is a CNN (threadsLine). */
export function showEvents(progress: Progress, opts: { cnn?: boolean } = {}): (e: RunEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'start': {
        if (e.jobs > 1) progress.log(`running ${e.toRun} trials in ${e.jobs} worker processes`);
        const threads = threadsLine(e, availableParallelism(), opts.cnn ?? false);
        if (threads) progress.log(threads);
        return;
      }
      case 'backend':
        progress.log(backendLine(e.backend, e.hint));
        return;
      case 'trialStart':
        progress.log(`trial ${e.index}/${e.total}: ${e.init}, seed ${e.seed}${e.point ? `, ${describePoint(e.point)}` : ''}`);
        return;
      case 'epoch':
        progress.epoch(e, e.metrics, e.epochs);
        return;
      case 'retry':
        progress.log(`trial ${e.index}/${e.total} failed (${e.error}); retry ${e.attempt} of ${e.retries}`);
        return;
      case 'trialEnd':
        if (e.trial.status === 'failed') progress.log(`trial ${e.index}/${e.total} failed: ${e.trial.error}`);
        progress.trialDone();
        return;
      case 'end':
        progress.end();
    }
  };
}

/** What `--init all` left out, and why: one line. */
export function omittedLine(omitted: string[]): string {
  return `--init all: left out what cannot fill this model: ${omitted.join('; ')}`;
}

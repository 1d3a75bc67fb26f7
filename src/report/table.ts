/**
 * The comparison table: one row per initializer, sorted by mean final test accuracy, best values
 * highlighted. Colour only when colour is on (chalk's level, which honours NO_COLOR here).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { InitSummary, ResultsDocument } from '../runner/experiment.js';
import { num, pct, tableLook } from './format.js';

export function comparisonTable(doc: ResultsDocument, target: number): string {
  const rows = [...doc.summary].sort((a, b) => accuracyKey(b) - accuracyKey(a));
  const seeds = Math.max(...rows.map((r) => r.trials));
  const bestAcc = Math.max(...rows.map(accuracyKey));
  const bestLoss = Math.min(...rows.map((r) => (Number.isFinite(r.trainLoss.mean) ? r.trainLoss.mean : Infinity)));
  const fastest = Math.min(...rows.map((r) => r.epochsToTarget ?? Infinity));
  const showGain = doc.trials.some((t) => t.gains);
  const table = new Table({
    head: ['initializer', ...(showGain ? ['gain'] : []), seeds > 1 ? 'test acc (mean ± std)' : 'test acc', 'best test acc', 'train loss', `epochs to ${pct(target, 0)}`, 'status', 's/epoch', 'diagnosis'],
    ...tableLook(),
  });
  for (const r of rows) {
    const acc = seeds > 1 ? `${pct(r.testAccuracy.mean)} ± ${pct(r.testAccuracy.std)}` : pct(r.testAccuracy.mean);
    table.push([
      r.init,
      ...(showGain ? [gainText(doc, r)] : []),
      highlight(acc, accuracyKey(r) === bestAcc && Number.isFinite(bestAcc)),
      pct(r.bestTestAccuracy.mean),
      highlight(num(r.trainLoss.mean), r.trainLoss.mean === bestLoss),
      highlight(epochsText(r), r.epochsToTarget !== null && r.epochsToTarget === fastest),
      statusText(doc, r),
      num(r.secondsPerEpoch, 2),
      r.diagnosis.length ? chalk.yellow(r.diagnosis.join('; ')) : '',
    ]);
  }
  return table.toString();
}

function accuracyKey(r: InitSummary): number {
  return Number.isFinite(r.testAccuracy.mean) ? r.testAccuracy.mean : -1;
}

function highlight(text: string, on: boolean): string {
  return on ? chalk.green.bold(text) : text;
}

function epochsText(r: InitSummary): string {
  if (r.reachedTarget === 0) return 'never';
  const e = Number.isInteger(r.epochsToTarget) ? String(r.epochsToTarget) : num(r.epochsToTarget, 1);
  return r.reachedTarget < r.trials ? `${e} (${r.reachedTarget}/${r.trials} runs)` : e;
}

function statusText(doc: ResultsDocument, r: InitSummary): string {
  const trials = doc.trials.filter((t) => t.init === r.init);
  const parts: string[] = [];
  if (r.ok) parts.push(r.trials > 1 ? `${r.ok} ok` : 'ok');
  for (const t of trials.filter((t) => t.status === 'diverged')) parts.push(chalk.red(`diverged at epoch ${t.divergedAtEpoch}${r.trials > 1 ? ` (seed ${t.seed})` : ''}`));
  if (r.failed) parts.push(chalk.red(`${r.failed} failed`));
  return parts.join(', ');
}

/** The gains applied, hidden layers first then the output layer, e.g. "1.41 / 1". */
function gainText(doc: ResultsDocument, r: InitSummary): string {
  const gains = doc.trials.find((t) => t.init === r.init)?.gains;
  if (!gains) return '-';
  const distinct = [...new Set(gains.map((g) => (g === null ? '-' : num(g, 2))))];
  return distinct.join(' / ');
}

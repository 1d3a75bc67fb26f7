/**
 * The comparison table: one row per initializer (per grid point, grouped by the varied axes),
 * sorted by mean final test accuracy within a group, best values highlighted, and, with several
 * seeds, whether each initializer is distinguishable from the best (Welch's t-test). Colour only
 * when colour is on (chalk's level, which honours NO_COLOR here).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import type { InitSummary, ResultsDocument } from '../results/schema.js';
import { pointKey } from '../results/point.js';
import { ALPHA } from '../results/summary.js';
import { num, pct, tableLook, versusBest } from './format.js';

export function comparisonTable(doc: ResultsDocument, target: number): string {
  const axes = [...new Set(doc.summary.flatMap((r) => Object.keys(r.point ?? {})))];
  const seeds = Math.max(...doc.summary.map((r) => r.trials));
  const showGain = doc.trials.some((t) => t.gains);
  const table = new Table({
    head: [
      ...axes,
      'initializer',
      ...(showGain ? ['gain'] : []),
      seeds > 1 ? 'test acc (mean ± std)' : 'test acc',
      ...(seeds > 1 ? ['95% CI', 'vs best'] : []),
      'best test acc',
      'train loss',
      `epochs to ${pct(target, 0)}`,
      'status',
      's/epoch',
      'diagnosis',
    ],
    ...tableLook(),
  });
  for (const group of groups(doc.summary)) {
    const rows = [...group].sort((a, b) => accuracyKey(b) - accuracyKey(a));
    const bestAcc = Math.max(...rows.map(accuracyKey));
    const bestLoss = Math.min(...rows.map((r) => (Number.isFinite(r.trainLoss.mean) ? r.trainLoss.mean : Infinity)));
    const fastest = Math.min(...rows.map((r) => r.epochsToTarget ?? Infinity));
    for (const r of rows) {
      const acc = seeds > 1 ? `${pct(r.testAccuracy.mean)} ± ${pct(r.testAccuracy.std)}` : pct(r.testAccuracy.mean);
      table.push([
        ...axes.map((a) => String(r.point?.[a as keyof NonNullable<InitSummary['point']>] ?? '')),
        r.init,
        ...(showGain ? [gainText(doc, r)] : []),
        highlight(acc, accuracyKey(r) === bestAcc && Number.isFinite(bestAcc)),
        ...(seeds > 1 ? [ciText(r), versusText(r)] : []),
        pct(r.bestTestAccuracy.mean),
        highlight(num(r.trainLoss.mean), r.trainLoss.mean === bestLoss),
        highlight(epochsText(r), r.epochsToTarget !== null && r.epochsToTarget === fastest),
        statusText(doc, r),
        num(r.secondsPerEpoch, 2),
        r.diagnosis.length ? chalk.yellow(r.diagnosis.join('; ')) : '',
      ]);
    }
  }
  const note =
    seeds > 1
      ? `vs best: Welch's t-test of the final test accuracy over seeds against the best initializer${axes.length ? ' of the same grid point' : ''}; "≈ best" means p >= ${ALPHA} (no significant difference).`
      : 'One seed per initializer: no significance test is possible (run with --seeds 0,1,2 for one).';
  return `${table.toString()}\n${note}`;
}

/** Summary rows grouped by grid point, in the summary's order. */
function groups(summary: InitSummary[]): InitSummary[][] {
  const byPoint = new Map<string, InitSummary[]>();
  for (const r of summary) {
    const key = pointKey(r.point);
    byPoint.set(key, [...(byPoint.get(key) ?? []), r]);
  }
  return [...byPoint.values()];
}

function versusText(r: InitSummary): string {
  const v = versusBest(r);
  return v.kind === 'best' ? chalk.green(v.text) : v.text;
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
  const trials = doc.trials.filter((t) => t.init === r.init && pointKey(t.point) === pointKey(r.point));
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
  return [...new Set(gains.map((g) => (g === null ? '-' : num(g, 2))))].join(' / ');
}

/** The 95% CI of the mean accuracy, clipped to what an accuracy can be. */
function ciText(r: InitSummary): string {
  const ci = r.testAccuracy.ci95;
  return ci ? `${pct(Math.max(0, ci[0]))}-${pct(Math.min(1, ci[1]))}` : '-';
}

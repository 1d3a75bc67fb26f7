/**
 * The comparison table: one row per initializer (per grid point, grouped by the varied axes),
 * sorted by mean final test accuracy within a group, best values highlighted, and, with several
 * seeds, whether each initializer is distinguishable from the best (Welch's t-test). Colour only
 * when colour is on (chalk's level, which honours NO_COLOR here).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { describePoint, pointKey } from '../results/point.js';
import type { InitSummary, ResultsDocument } from '../results/schema.js';
import { ALPHA } from '../results/summary.js';
import { fitTable, terminalWidth, wrapText, type Column } from './fit.js';
import { num, pct, shardTrials, tableLook, versusBest } from './format.js';

/**
 * `width`: the terminal's columns (secondary columns are left out and the diagnosis wraps to fit),
 * Infinity for full width (piped output, files).
 */
export function comparisonTable(doc: ResultsDocument, target: number, width = terminalWidth()): string {
  const axes = [...new Set(doc.summary.flatMap((r) => Object.keys(r.point ?? {})))];
  const seeds = Math.max(...doc.summary.map((r) => r.trials));
  const showGain = doc.trials.some((t) => t.gains);
  const rows: InitSummary[] = groups(doc.summary).flatMap((group) => [...group].sort((a, b) => accuracyKey(b) - accuracyKey(a)));
  const cellsOf = (r: InitSummary): string[] => {
    const group = rows.filter((o) => pointKey(o.point) === pointKey(r.point));
    const bestAcc = Math.max(...group.map(accuracyKey));
    const bestLoss = Math.min(...group.map((o) => (Number.isFinite(o.trainLoss.mean) ? o.trainLoss.mean : Infinity)));
    const fastest = Math.min(...group.map((o) => o.epochsToTarget ?? Infinity));
    // A std needs two trials: a row of one (a shard's, an unfinished run's) shows its value alone.
    const acc = r.trials > 1 ? `${pct(r.testAccuracy.mean)} ± ${pct(r.testAccuracy.std)}` : pct(r.testAccuracy.mean);
    return [
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
    ];
  };
  // Left out first when the terminal is narrow: timing, then the secondary accuracy figures.
  // A grid's axes go last, into a heading row per grid point; a status column that only says "ok" first.
  const body = rows.map(cellsOf);
  const informative = rows.some((r) => r.diverged || r.failed);
  const heads: Omit<Column, 'cells'>[] = [
    ...axes.map((a) => ({ head: a, dropRank: 10 })),
    { head: 'initializer' },
    ...(showGain ? [{ head: 'gain', dropRank: 2 }] : []),
    { head: seeds > 1 ? 'test acc (mean ± std)' : 'test acc' },
    ...(seeds > 1 ? [{ head: '95% CI', dropRank: 3 }, { head: 'vs best', wrapTo: 6 }] : []),
    { head: 'best test acc', dropRank: 1 },
    { head: 'train loss', dropRank: 4 },
    { head: `epochs to ${pct(target, 0)}` },
    { head: 'status', wrapTo: 10, ...(informative ? {} : { dropRank: -1 }) },
    { head: 's/epoch', dropRank: 0 },
    { head: 'diagnosis', wrapTo: 20 },
  ];
  const fitted = fitTable(heads.map((h, i) => ({ ...h, cells: body.map((r) => r[i]) })), width);
  const table = new Table({ head: fitted.columns.map((c) => c.head), ...(fitted.colWidths ? { colWidths: fitted.colWidths, wordWrap: true } : {}), ...tableLook() });
  const headed = axes.length > 0 && fitted.dropped.includes(axes[0]);
  for (let k = 0; k < body.length; k++) {
    const point = pointKey(rows[k].point);
    if (headed && (k === 0 || pointKey(rows[k - 1].point) !== point)) {
      table.push([{ colSpan: fitted.columns.length, content: chalk.bold(describePoint(rows[k].point ?? {})) }]);
    }
    table.push(fitted.columns.map((c) => c.cells[k]));
  }
  const note =
    seeds > 1
      ? `vs best: Welch's t-test of the final test accuracy over seeds against the best initializer${axes.length ? ' of the same grid point' : ''}; "≈ best" means p >= ${ALPHA} (no significant difference).`
      : doc.shard && configSeeds(doc) > 1
        ? 'One seed per initializer in this shard: the significance test comes with the merged folder (init-bench merge).'
        : 'One seed per initializer: no significance test is possible (run with --seeds 0,1,2 for one).';
  const left = fitted.dropped.filter((h) => !axes.includes(h) && h !== 'status');
  const leftNote = left.length ? `\nLeft out to fit ${width} columns: ${left.join(', ')} (all in report.html, or pipe the output).` : '';
  // cli-table3 marks where a heading row's span starts and ends with a line of bare junctions: dropped.
  const text = table.toString().split('\n').filter((l) => !/^[┬┴]+$/.test(l.replace(/\x1b\[[0-9;]*m/g, ''))).join('\n');
  return `${wrapText(`${partNote(doc)}`, width)}${text}\n${wrapText(`${note}${leftNote}`, width)}`;
}

/** Above the table of a shard or an incomplete run: the best shown is not the experiment's. */
function partNote(doc: ResultsDocument): string {
  if (doc.shard) return `Shard ${doc.shard.index} of ${doc.shard.count} (${shardTrials(doc)}): the best below is this shard's, not the experiment's; combine the shards with init-bench merge.\n`;
  if (!doc.complete) return `Incomplete: ${doc.trials.length} trials finished, others are missing; the best below is among the finished ones only.\n`;
  return '';
}

/** How many seeds the experiment asked for (a shard may hold fewer per initializer). */
function configSeeds(doc: ResultsDocument): number {
  const seeds = doc.config.seeds;
  return Array.isArray(seeds) ? seeds.length : 1;
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

/**
 * `init-bench report DIR`: re-render a results folder (table, terminal chart, report.html,
 * metrics.csv). `init-bench compare A B`: two runs' summaries side by side.
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { join } from 'node:path';
import { num, pct, tableLook } from '../report/format.js';
import { reportFiles, sameJson, writeChanged } from '../report/write.js';
import { readFolder } from '../store/folder.js';
import { labelWithPoint, pointKey } from '../results/point.js';
import type { InitSummary, ResultsDocument } from '../results/schema.js';
import { differences } from '../util/json.js';
import { welch } from '../results/stats.js';
import { invokedAs } from './invocation.js';
import { printDocument } from './output.js';

/** A results folder read back (validated), its unreadable files named on stderr. */
function loadFolder(dir: string) {
  const folder = readFolder(dir, invokedAs());
  for (const w of folder.warnings) process.stderr.write(`warning: ${w}\n`);
  return folder;
}

/**
 * Prints the table and brings the folder's files up to date: results.json (when it was rebuilt
 * from trials/), metrics.csv and report.html. Unchanged files are not touched, and a read-only
 * folder (a downloaded CI artifact) is said once, not an error.
 */
export async function reportCommand(dir: string, opts: { json?: boolean; plot?: boolean }): Promise<number> {
  const { config, doc } = loadFolder(dir);
  const outcome = writeChanged(dir, [{ name: 'results.json', content: `${JSON.stringify(doc, null, 2)}\n`, same: sameJson(doc) }, ...(await reportFiles(doc))]);
  printDocument(doc, config, opts);
  if (outcome.readOnly.length) {
    process.stderr.write(`${dir} is read-only: ${outcome.readOnly.join(', ')} not brought up to date (the output above is from its trials; copy the folder to write them)\n`);
  } else if (outcome.written.length) {
    process.stderr.write(`report: wrote ${outcome.written.map((f) => join(dir, f)).join(', ')}\n`);
  } else {
    process.stderr.write(`report: ${join(dir, 'report.html')} and ${join(dir, 'metrics.csv')} are up to date\n`);
  }
  return 0;
}

interface CompareRow {
  init: string;
  point?: InitSummary['point'];
  a: { mean: number; std: number; trials: number } | null;
  b: { mean: number; std: number; trials: number } | null;
  /** b - a of the mean final test accuracy. */
  difference: number | null;
  /** Welch's t-test between the two runs' trials; null with fewer than two seeds on a side. */
  pValue: number | null;
}

export async function compareCommand(dirA: string, dirB: string, opts: { json?: boolean }): Promise<number> {
  const A = loadFolder(dirA);
  const B = loadFolder(dirB);
  const key = (r: Pick<InitSummary, 'init' | 'point'>) => `${r.init}|${pointKey(r.point)}`;
  const keys = [...new Set([...A.doc.summary, ...B.doc.summary].map(key))];
  const accuracies = (doc: ResultsDocument, k: string) => doc.trials.filter((t) => key(t) === k && t.final).map((t) => t.final!.testAccuracy);
  const rows: CompareRow[] = keys.map((k) => {
    const ra = A.doc.summary.find((r) => key(r) === k);
    const rb = B.doc.summary.find((r) => key(r) === k);
    const side = (r?: InitSummary) => (r ? { mean: r.testAccuracy.mean, std: r.testAccuracy.std, trials: r.trials } : null);
    const test = welch(accuracies(A.doc, k), accuracies(B.doc, k));
    return {
      init: (ra ?? rb)!.init,
      ...((ra ?? rb)!.point ? { point: (ra ?? rb)!.point } : {}),
      a: side(ra),
      b: side(rb),
      difference: ra && rb ? rb.testAccuracy.mean - ra.testAccuracy.mean : null,
      pValue: test ? test.p : null,
    };
  });
  const configDifferences = differences(A.doc.config as Record<string, unknown>, B.doc.config as Record<string, unknown>);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ a: dirA, b: dirB, backends: [A.doc.backend, B.doc.backend], configDifferences, rows }, null, 2)}\n`);
    return 0;
  }
  const table = new Table({ head: ['initializer', `A: ${dirA}`, `B: ${dirB}`, 'B - A', 'p (Welch)'], ...tableLook() });
  for (const r of rows) {
    const side = (s: CompareRow['a']) => (s ? `${pct(s.mean)}${s.trials > 1 ? ` ± ${pct(s.std)}` : ''} (${s.trials})` : '-');
    const diff = r.difference === null ? '-' : `${r.difference >= 0 ? '+' : ''}${(100 * r.difference).toFixed(1)} pts`;
    const colour = r.pValue !== null && r.pValue < 0.05 ? (r.difference! > 0 ? chalk.green : chalk.red) : (s: string) => s;
    table.push([labelWithPoint(r.init, r.point), side(r.a), side(r.b), colour(diff), r.pValue === null ? 'no test' : num(r.pValue, 3)]);
  }
  const notes = [
    `Final test accuracy, mean over seeds (number of trials).`,
    configDifferences.length ? `The configs differ in: ${configDifferences.join(', ')}.` : 'The configs are the same.',
    A.doc.backend !== B.doc.backend ? `Backends differ: A ran on ${A.doc.backend}, B on ${B.doc.backend}.` : `Both ran on ${A.doc.backend}.`,
  ];
  process.stdout.write(`${table.toString()}\n${notes.join('\n')}\n`);
  return 0;
}

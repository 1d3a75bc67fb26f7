/**
 * `init-bench list [NAME]`: the catalogue, or one entry explained for a learner.
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { UserError } from '../errors.js';
import { CATALOGUE, findInitializer, suggestNames } from '../initializers/registry.js';
import { compareRows } from '../initializers/compare.js';
import { parameterDefaults, parameterDocs } from '../initializers/params.js';
import type { InitializerEntry } from '../initializers/types.js';
import { fitTable, terminalWidth, wrapText } from '../report/fit.js';
import { tableLook } from '../report/format.js';

export interface ListOptions {
  json?: boolean;
  /** The trade-offs table instead of the formulas. */
  compare?: boolean;
}

export function describeEntry(entry: InitializerEntry) {
  return {
    name: entry.name,
    aliases: entry.aliases,
    distribution: entry.distribution,
    formula: entry.formula,
    reference: entry.reference,
    parameters: parameterDefaults(entry),
    /** Each parameter: name, type, default, choices, description. */
    parameterDocs: parameterDocs(entry),
    summary: entry.summary,
    dataDependent: entry.dataDependent ?? false,
  };
}

export async function listCommand(name: string | undefined, opts: ListOptions): Promise<number> {
  if (name !== undefined) {
    if (opts.compare) throw new UserError('--compare shows the whole catalogue; give no NAME (or drop --compare to explain one)');
    return explain(name, opts);
  }
  if (opts.compare) return compare(opts);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(CATALOGUE.map(describeEntry), null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${catalogueTable(terminalWidth())}\n`);
  process.stdout.write(`${wrapText('`init-bench list NAME` explains one; `init-bench inspect --init NAME --shape 784,256` samples one.', terminalWidth())}\n`);
  return 0;
}

/** The catalogue as a table `width` columns wide (Infinity: every value on one line). */
export function catalogueTable(width: number): string {
  const rows = CATALOGUE.map((e) => [e.name, e.aliases.join(', '), Object.entries(parameterDefaults(e)).map(([k, v]) => `${k}=${v}`).join(', '), e.formula]);
  const fitted = fitTable(
    [
      { head: 'name', cells: rows.map((r) => r[0]) },
      { head: 'aliases', cells: rows.map((r) => r[1]), wrapTo: 8 },
      { head: 'parameters (defaults)', cells: rows.map((r) => r[2]), wrapTo: 12, breakWords: true },
      // The formula wraps at spaces; a word longer than the column breaks after a hyphen or slash.
      { head: 'formula', cells: rows.map((r) => r[3]), wrapTo: 18, breakWords: true },
    ],
    width,
  );
  const table = new Table({ head: fitted.columns.map((c) => c.head), ...(fitted.colWidths ? { colWidths: fitted.colWidths, wordWrap: true } : {}), ...tableLook() });
  for (let k = 0; k < rows.length; k++) table.push(fitted.columns.map((c) => c.cells[k]));
  return table.toString();
}

function compare(opts: ListOptions): number {
  const rows = compareRows();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${compareTable(terminalWidth())}\n`);
  return 0;
}

/** The trade-offs table `width` columns wide; Infinity (piped): every cell whole on one line. */
export function compareTable(width: number): string {
  const cells = compareRows().map((r) => [r.name, r.suits, r.cost, r.failure, r.shownBy.length ? r.shownBy.map((e) => `${e.preset}: ${e.shows}`).join('\n') : 'no preset yet']);
  const heads = ['initializer', 'suits', 'costs', 'fails when (pitfalls)', 'shown by (configs/)'];
  const fitted = fitTable(heads.map((head, i) => ({ head, cells: cells.map((c) => c[i]), ...(i > 0 ? { wrapTo: 12, breakWords: true } : {}) })), width);
  const table = new Table({ head: fitted.columns.map((c) => c.head), ...(fitted.colWidths ? { colWidths: fitted.colWidths, wordWrap: true } : {}), ...tableLook() });
  for (let k = 0; k < cells.length; k++) table.push(fitted.columns.map((c) => c.cells[k]));
  return `${table.toString()}\n${wrapText("Each preset's comment has the measured numbers: `init-bench run --config configs/NAME`. tfjs:* mirrors are ours as tfjs samples them (`init-bench list tfjs:NAME`).", width)}`;
}

function explain(name: string, opts: ListOptions): number {
  const entry = findInitializer(name);
  if (!entry) {
    const hint = suggestNames(name);
    throw new UserError(`unknown initializer "${name}"${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...describeEntry(entry), ...entry.lesson }, null, 2)}\n`);
    return 0;
  }
  const docs = parameterDocs(entry);
  const params = docs.length
    ? docs.map((d) => `${chalk.bold(d.default === undefined ? d.name : `${d.name}=${d.default}`)} (${d.type}): ${d.description}`).join('\n              ')
    : 'none';
  const lines = [
    `${chalk.bold(entry.name)}${entry.aliases.length ? ` (also: ${entry.aliases.join(', ')})` : ''}: ${entry.summary}`,
    '',
    `${chalk.bold('Formula')}       ${entry.formula}`,
    `${chalk.bold('Distribution')}  ${entry.distribution}`,
    `${chalk.bold('Parameters')}    ${params}`,
    `${chalk.bold('Paper')}         ${entry.reference ?? '-'}`,
    '',
    `${chalk.bold('Why')}       ${entry.lesson.why}`,
    `${chalk.bold('Suits')}     ${entry.lesson.suits}`,
    `${chalk.bold('Pitfalls')}  ${entry.lesson.pitfalls}`,
  ];
  if (!entry.tfjs) {
    lines.push(`${chalk.bold('Costs')}     ${entry.tradeoffs.cost}`);
    const shown = entry.tradeoffs.shownBy.map((e) => `configs/${e.preset}: ${e.shows}`);
    lines.push(`${chalk.bold('Shown by')}  ${shown.length ? shown.join('\n          ') : 'no preset yet'}`);
  }
  if (entry.dataDependent) lines.push('', 'Data-dependent: it is applied on training images (a batch, or every one for layer-wise pretraining) by `init-bench run` and `init-bench probe`.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

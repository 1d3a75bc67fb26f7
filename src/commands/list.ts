/**
 * `init-bench list [NAME]`: the catalogue, or one entry explained for a learner.
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { UserError } from '../errors.js';
import { CATALOGUE, findInitializer, suggestNames } from '../initializers/registry.js';
import { compareRows } from '../initializers/compare.js';
import type { InitializerEntry } from '../initializers/types.js';
import { tableLook } from '../report/format.js';

export interface ListOptions {
  json?: boolean;
  /** The trade-offs table instead of the formulas. */
  compare?: boolean;
}

/** The entry's parameters with their defaults, e.g. { stddev: 0.05, mean: 0 }. */
export function parameterDefaults(entry: InitializerEntry): Record<string, unknown> {
  const parsed = entry.params.safeParse({});
  return parsed.success ? parsed.data : {};
}

export function describeEntry(entry: InitializerEntry) {
  return {
    name: entry.name,
    aliases: entry.aliases,
    distribution: entry.distribution,
    formula: entry.formula,
    reference: entry.reference,
    parameters: parameterDefaults(entry),
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
  const width = Math.max(100, process.stdout.columns ?? 120);
  const table = new Table({
    head: ['name', 'aliases', 'parameters (defaults)', 'formula'],
    colWidths: [20, 22, 26, width - 20 - 22 - 26 - 5],
    wordWrap: true,
    ...tableLook(),
  });
  for (const e of CATALOGUE) {
    const params = Object.entries(parameterDefaults(e)).map(([k, v]) => `${k}=${v}`).join(', ');
    table.push([e.name, e.aliases.join(', '), params, e.formula]);
  }
  process.stdout.write(`${table.toString()}\n`);
  process.stdout.write('`init-bench list NAME` explains one; `init-bench inspect --init NAME --shape 784,256` samples one.\n');
  return 0;
}

function compare(opts: ListOptions): number {
  const rows = compareRows();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(110, process.stdout.columns ?? 140);
  const cols = [17, 30, 22];
  const rest = width - cols.reduce((a, b) => a + b, 0) - 6;
  const table = new Table({
    head: ['initializer', 'suits', 'costs', 'fails when (pitfalls)', 'shown by (configs/)'],
    colWidths: [...cols, Math.ceil(rest * 0.55), Math.floor(rest * 0.45)],
    wordWrap: true,
    ...tableLook(),
  });
  for (const r of rows) {
    const shown = r.shownBy.length ? r.shownBy.map((e) => `${e.preset}: ${e.shows}`).join('\n') : 'no preset yet';
    table.push([r.name, r.suits, r.cost, r.failure, shown]);
  }
  process.stdout.write(`${table.toString()}\n`);
  process.stdout.write('Each preset\'s comment has the measured numbers: `init-bench run --config configs/NAME`. tfjs:* mirrors are ours as tfjs samples them (`init-bench list tfjs:NAME`).\n');
  return 0;
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
  const params = Object.entries(parameterDefaults(entry)).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
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

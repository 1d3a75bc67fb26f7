/**
 * `--expect` assertions for CI, checked after the run:
 *
 *   INIT.METRIC OP NUMBER   heNormal.testAccuracy >= 0.85   (METRIC: testAccuracy, testLoss,
 *                           trainLoss, epochsToTarget; OP: >=, >, <=, <, ==)
 *   INIT_A > INIT_B         heNormal > zeros                (mean final test accuracy)
 *
 * INIT is a label from the run, or a name or alias that stands for exactly one of them. Values are
 * means over seeds; in a grid, an expectation must hold at every grid point. epochsToTarget is
 * infinite when the target was never reached.
 */
import { ConfigError } from '../errors.js';
import { findInitializer } from '../initializers/registry.js';
import type { InitSpec } from '../initializers/registry.js';
import { describePoint, pointKey } from '../results/point.js';
import type { ExpectationOutcome, InitSummary } from '../results/schema.js';

const METRICS = ['testAccuracy', 'testLoss', 'trainLoss', 'epochsToTarget'] as const;
type Metric = (typeof METRICS)[number];
const OPS = ['>=', '<=', '==', '>', '<'] as const;
type Op = (typeof OPS)[number];

export type Expectation =
  | { text: string; kind: 'threshold'; init: string; metric: Metric; op: Op; value: number }
  | { text: string; kind: 'order'; better: string; worse: string };

/** One expression's outcome, as the results document records it. */
export type ExpectationResult = ExpectationOutcome;

/** Parses every expression against the run's initializers; all problems reported together (exit 2). */
export function parseExpectations(texts: string[], specs: InitSpec[]): Expectation[] {
  const problems: string[] = [];
  const out: Expectation[] = [];
  for (const text of texts) {
    try {
      out.push(parseOne(text, specs));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(problems, 'invalid --expect');
  return out;
}

function parseOne(text: string, specs: InitSpec[]): Expectation {
  const threshold = new RegExp(`^(.+)\\.(${METRICS.join('|')})\\s*(>=|<=|==|>|<)\\s*([^<>=\\s]\\S*)?$`).exec(text.trim());
  if (threshold) {
    if (threshold[4] === undefined) throw new Error(`"${text}": the number after ${threshold[3]} is missing`);
    const value = Number(threshold[4]);
    if (!Number.isFinite(value)) throw new Error(`"${text}": ${threshold[4]} is not a number`);
    return { text, kind: 'threshold', init: label(threshold[1], specs, text), metric: threshold[2] as Metric, op: threshold[3] as Op, value };
  }
  const order = /^(.+?)\s*>\s*([^=].*)$/.exec(text.trim());
  if (order && !order[1].includes('.')) {
    return { text, kind: 'order', better: label(order[1], specs, text), worse: label(order[2], specs, text) };
  }
  throw new Error(`"${text}": expected INIT.METRIC OP NUMBER (METRIC: ${METRICS.join(', ')}; OP: ${OPS.join(', ')}) or INIT_A > INIT_B`);
}

/** The run's label that `name` means: a label itself, or a name/alias matching one initializer. */
function label(name: string, specs: InitSpec[], text: string): string {
  const trimmed = name.trim();
  if (specs.some((s) => s.label === trimmed)) return trimmed;
  const entry = findInitializer(trimmed);
  const matches = entry ? specs.filter((s) => s.name === entry.name) : [];
  if (matches.length === 1) return matches[0].label;
  const known = specs.map((s) => s.label).join(', ');
  if (matches.length > 1) throw new Error(`"${text}": ${trimmed} matches several initializers of this run (${matches.map((s) => s.label).join(', ')}); use a label`);
  throw new Error(`"${text}": ${trimmed} is not an initializer of this run (${known})`);
}

export function checkExpectations(expectations: Expectation[], summary: InitSummary[]): ExpectationResult[] {
  const points = [...new Map(summary.map((r) => [pointKey(r.point), r.point])).entries()];
  return expectations.flatMap((e) =>
    points.map(([key, point]) => {
      const rows = summary.filter((r) => pointKey(r.point) === key);
      const where = describePoint(point) ? ` at ${describePoint(point)}` : '';
      const value = (init: string, metric: Metric) => metricOf(rows.find((r) => r.init === init), metric);
      if (e.kind === 'threshold') {
        const v = value(e.init, e.metric);
        return { text: `${e.text}${where}`, held: compare(v, e.op, e.value), measured: show(v) };
      }
      const a = value(e.better, 'testAccuracy');
      const b = value(e.worse, 'testAccuracy');
      return { text: `${e.text}${where}`, held: a > b, measured: `${e.better} ${show(a)} vs ${e.worse} ${show(b)}` };
    }),
  );
}

function metricOf(row: InitSummary | undefined, metric: Metric): number {
  if (!row) return NaN;
  if (metric === 'epochsToTarget') return row.reachedTarget === row.trials ? row.epochsToTarget! : Infinity;
  if (metric === 'testAccuracy') return row.testAccuracy.mean;
  if (metric === 'trainLoss') return row.trainLoss.mean;
  return row.testLoss.mean;
}

function compare(v: number, op: Op, x: number): boolean {
  switch (op) {
    case '>=':
      return v >= x;
    case '>':
      return v > x;
    case '<=':
      return v <= x;
    case '<':
      return v < x;
    case '==':
      return v === x;
  }
}

function show(v: number): string {
  if (Number.isNaN(v)) return 'no result';
  if (v === Infinity) return 'never';
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

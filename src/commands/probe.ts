/**
 * `init-bench probe`: signal propagation at init (no training). A table per initializer, one
 * chart of activation std against depth for all of them, the problems found, a recommendation.
 */
import Table from 'cli-table3';
import { flagsToOverrides } from '../config/flags.js';
import { describePoint } from '../results/point.js';
import { readConfigFile, resolveConfig } from '../config/load.js';
import { omittedLine } from './output.js';
import { UserError } from '../errors.js';
import { THRESHOLDS, recommend } from '../diagnostics/assess.js';
import { probe, type ProbeResult } from '../runner/probe.js';
import { lineChart } from '../report/chart.js';
import { num, pct, tableLook } from '../report/format.js';
import { fitTable, terminalWidth, wrapText, type Column } from '../report/fit.js';

export interface ProbeOptions extends Record<string, unknown> {
  config?: string;
  batch?: string;
  json?: boolean;
}

export async function probeCommand(opts: ProbeOptions): Promise<number> {
  const batch = Number(opts.batch ?? 256);
  if (!Number.isInteger(batch) || batch < 2) throw new UserError(`--batch ${opts.batch} must be a whole number >= 2`);
  const file = opts.config ? readConfigFile(opts.config) : {};
  const config = resolveConfig(file, flagsToOverrides(opts), { batch });
  if (batch > config.data.trainSize) throw new UserError(`--batch ${batch} is more than the ${config.data.trainSize} training examples; give at most ${config.data.trainSize} (or a larger --train-size)`);
  const seed = config.seeds[0];
  if (config.omitted) process.stderr.write(`${omittedLine(config.omitted)}\n`);
  if (config.grid.length > 1) process.stderr.write(`probe measures the first grid point (${describePoint(config.grid[0].values)}) of ${config.grid.length}\n`);
  const { results } = await probe(config, batch, seed, (line) => process.stderr.write(`${line}\n`));
  if (opts.json) {
    const out = results.map(({ assessment: _a, refined, ...r }) => ({ ...r, ...(refined ? { [refined.key]: refined.report } : {}) }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  // A model file's hidden layers are its weight layers but the output.
  const depth = config.model.network ? Math.max(1, (results.find((r) => !r.error)?.layers.length ?? 2) - 1) : config.model.hidden.length;
  const nonlinearity = config.model.network ? `model file ${config.model.file}` : config.model.activation;
  const parts: string[] = [];
  for (const r of results) parts.push(r.error ? `${r.init}: ${r.error}` : layerTable(r));
  parts.push(
    lineChart(
      results.filter((r) => !r.error).map((r) => ({ name: r.init, values: r.layers.slice(0, -1).map((l) => l.activationStd) })),
      { title: `Activation std per hidden layer (${nonlinearity}, ${depth} layers)`, xLabel: 'hidden layer', log: true, step: depth > 30 ? 1 : depth > 12 ? 2 : 4, width: terminalWidth() },
    ),
  );
  parts.push(
    [
      `Thresholds: signal vanishes below x${THRESHOLDS.signalVanishes} or explodes above x${THRESHOLDS.signalExplodes} (last hidden layer's activation std vs the first's);`,
      `gradients the same from ${THRESHOLDS.minDepthForGradients} hidden layers on (first layer's kernel gradient norm vs the last hidden layer's), or below ${THRESHOLDS.gradientFloor} outright, or below ${THRESHOLDS.gradToWeightFloor} of the weight norm;`,
      `dead units (ReLU family, pre-activation <= 0 on the whole batch) above ${pct(THRESHOLDS.deadUnits, 0)}; saturated outputs (|tanh| > 0.99, sigmoid outside 0.01..0.99) above ${pct(THRESHOLDS.saturated, 0)};`,
      `symmetric: fewer distinct units than ${pct(THRESHOLDS.symmetric, 0)} of a layer's width.`,
    ]
      .map((line) => wrapText(line, terminalWidth()))
      .join('\n'),
  );
  parts.push(wrapText(recommend(results.map((r) => ({ init: r.init, assessment: r.assessment }))).join('\n'), terminalWidth()));
  process.stdout.write(`${parts.join('\n\n')}\n`);
  return 0;
}

/**
 * One initializer's layers, fitted to `width` as `run`'s table is (report/fit.ts): headers wrap,
 * then what matters least is left out (saturation when nothing saturates, the means, the units).
 */
export function layerTable(r: ProbeResult, width = terminalWidth()): string {
  const rows = r.layers.map((l) => [
    l.layer,
    String(l.units),
    num(l.preActivationMean),
    num(l.preActivationStd),
    num(l.activationMean),
    num(l.activationStd),
    l.deadFraction === null ? '-' : pct(l.deadFraction, 0),
    l.saturatedFraction === null ? '-' : pct(l.saturatedFraction, 0),
    num(l.gradNorm),
    num(l.gradToWeightRatio),
  ]);
  const saturates = r.layers.some((l) => l.saturatedFraction !== null && l.saturatedFraction !== undefined);
  const heads: Omit<Column, 'cells'>[] = [
    { head: 'layer' },
    { head: 'units', dropRank: 3 },
    { head: 'pre mean', dropRank: 2 },
    { head: 'pre std' },
    { head: 'act mean', dropRank: 2 },
    { head: 'act std' },
    { head: 'dead' },
    { head: 'saturated', dropRank: saturates ? 1 : -1 },
    { head: 'grad norm' },
    { head: 'grad / weight' },
  ];
  const fitted = fitTable(heads.map((h, i) => ({ ...h, cells: rows.map((row) => row[i]) })), width);
  const table = new Table({ head: fitted.columns.map((c) => c.head), ...(fitted.colWidths ? { colWidths: fitted.colWidths, wordWrap: true } : {}), ...tableLook() });
  for (let k = 0; k < rows.length; k++) table.push(fitted.columns.map((c) => c.cells[k]));
  const verdict = r.healthy ? 'healthy' : r.problems.join('; ');
  const lsuv = r.refined?.key === 'lsuv' ? `\nLSUV iterations per layer: ${(r.refined.report.iterations as number[]).join(', ')}` : '';
  const left = fitted.dropped.filter((h) => h !== 'saturated' || saturates);
  const leftNote = left.length ? `\n${wrapText(`Left out to fit ${width} columns: ${left.join(', ')} (--json has every column).`, width)}` : '';
  return `${wrapText(`${r.init}: ${verdict}`, width)}${lsuv}\n${table.toString()}${leftNote}`;
}

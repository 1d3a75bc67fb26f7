/**
 * `init-bench coord-check`: the coordinate check of each parametrization over a list of widths
 * (runner/coord-check.ts): a table of slopes and a verdict, a JSON document, an HTML chart.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { flagsToOverrides } from '../config/flags.js';
import { readConfigFile, resolveConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { coordHtml, coordTable, coordVerdictText } from '../report/coord-check.js';
import { checkCoordSettings, coordCheck, type CoordCheckSettings } from '../runner/coord-check.js';
import { PARAMETRIZATIONS, type Parametrization } from '../vocabulary.js';

export interface CoordCheckOptions extends Record<string, unknown> {
  config?: string;
  widths?: string;
  steps?: string;
  batch?: string;
  json?: boolean;
  html?: string;
}

export const DEFAULT_WIDTHS = [64, 128, 256, 512, 1024, 2048];

export async function coordCheckCommand(opts: CoordCheckOptions): Promise<number> {
  const file = opts.config ? readConfigFile(opts.config) : {};
  const flags = flagsToOverrides(opts);
  // One initializer: the config's or --init, else He (run's default compares four).
  if (opts.init === undefined && file.initializers === undefined) flags.initializers = ['heNormal'];
  const config = resolveConfig(file, flags);
  const widths = opts.widths === undefined ? DEFAULT_WIDTHS : opts.widths.split(',').map((w) => Number(w.trim()));
  const given = config.grid.map((g) => g.model.parametrization ?? 'standard');
  const asked = opts.parametrization !== undefined || (file.model as Record<string, unknown> | undefined)?.parametrization !== undefined;
  const parametrizations: Parametrization[] = asked ? [...new Set(given)] : [...PARAMETRIZATIONS];
  if (config.initializers.length > 1) throw new UserError(`coord-check takes one initializer; --init lists ${config.initializers.length}`);
  const settings: CoordCheckSettings = {
    widths,
    steps: Number(opts.steps ?? 5),
    batch: Number(opts.batch ?? 64),
    parametrizations,
    seeds: config.seeds,
    init: config.initializers[0],
    model: config.grid[0].model,
    optimizer: config.grid[0].train.optimizer,
    lr: config.grid[0].train.lr,
  };
  const problems = checkCoordSettings(settings);
  if (settings.batch > config.data.trainSize) problems.push(`--batch is ${settings.batch}; it must be at most the ${config.data.trainSize} training examples`);
  if (opts.html !== undefined && !(existsSync(dirname(opts.html)) && statSync(dirname(opts.html)).isDirectory())) problems.push(`--html ${opts.html}: its folder does not exist`);
  if (problems.length) throw new UserError(problems.join('; '));
  const result = await coordCheck(config, settings, (line) => process.stderr.write(`${line}\n`));
  if (opts.html !== undefined) writeFileSync(opts.html, await coordHtml(result));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${coordTable(result)}\n${coordVerdictText(result)}\n`);
  if (opts.html !== undefined) process.stdout.write(`chart: ${opts.html}\n`);
  return 0;
}

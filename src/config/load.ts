/**
 * From a config (a file's mapping, the API's object) and command-line flags to one validated,
 * fully resolved experiment config. Order: the schema's defaults, then the config, then the
 * flags, key by key. Every problem is collected and reported together (one ConfigError, exit 2)
 * before any work starts.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { ConfigError, UserError, describeFsError } from '../errors.js';
import { entryOf, resolveInit } from '../initializers/registry.js';
import type { InitSpec } from '../initializers/spec.js';
import { architectureOf, layerPlan, type LayerPlan } from '../model/network.js';
import { idxInfo } from '../data/idx.js';
import { EMBEDDED_SPLIT, MAX_EMBEDDED } from '../data/split.js';
import { ALL, everyFitting } from './all.js';
import { fileInitProblems, fileKeyProblems, readModelFiles, withFiles } from './model-file.js';
import { expandGrid, gridPointCount, variedAxes, type GridPoint } from './grid.js';
import { describeIssue } from '../util/issues.js';
import { DEFAULT_HIDDEN, DEFAULT_WIDTH, LIMITS, configSchema, gridAxes, keySchema, pathKeys, type ConfigInput, type ModelSettings, type ParsedConfig, type TrainSettings } from './schema.js';
import type { z } from 'zod';

/**
 * The resolved config a run uses: the schema's keys (their types derived from it, so a new
 * top-level key arrives here by itself), with the sections and the initializers resolved, and
 * what resolving found (the grid, the varied axes, the config as saved).
 */
export type ExperimentConfig = Omit<ParsedConfig, '$schema' | 'initializers' | 'data' | 'model' | 'train'> & {
  /** Each resolved against the catalogue, with its full parameters and its label. */
  initializers: InitSpec[];
  /** With trainSize and testSize resolved (and an IDX set's labels, in class order). */
  data: ParsedConfig['data'] & { trainSize: number; testSize: number };
  /** The images' size and the number of classes, from the data (the embedded digits: 28x28, 10). */
  dims: Dims;
  /** The first grid point's settings (the only point when nothing varies). */
  model: ModelSettings;
  train: TrainSettings;
  /** Every point of the grid, in a stable order. */
  grid: GridPoint[];
  /** The short names of the axes with more than one value. */
  varied: string[];
  /** The fully resolved config as a config file would hold it: what config.json saves. */
  resolved: Overrides;
  /** `all` was asked for and these entries cannot fill the model: "name: why". */
  omitted?: string[];
};

/**
 * What a process that runs trials needs beyond each trial's own settings: the backend, its
 * BLAS and the data (the main process and every worker load them once), and the BLAS's threads
 * resolved to a number for the run's lanes (runner/experiment.ts, blasThreadsFor).
 */
export type RunnerConfig = Pick<ExperimentConfig, 'backend' | 'blas' | 'data'> & { blasThreads: number };

/** What the model is fitted to: the data's image size and classes. */
export interface Dims {
  height: number;
  width: number;
  classes: number;
}

/** A partial config, as read from a file or built from flags. */
export type Overrides = Record<string, unknown>;

/**
 * The YAML parser, loaded the first time a YAML file is read (most runs read none; it is ~65 ms
 * of CPU to load), with require: its Node build is CommonJS, and import() would also scan it for
 * export names.
 */
function yaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

/** Reads a YAML or JSON config file; syntax errors name the line and column. */
export function readConfigFile(path: string): Overrides {
  const text = readCapped(path, LIMITS.fileBytes, 'config file');
  let value: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UserError(`config file ${path} is not valid JSON: ${jsonErrorAt(text, err as Error)}`);
    }
  } else {
    const doc = yaml().parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
      const lines = doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}, column ${e.linePos?.[0].col ?? '?'}: ${yamlReason(e.message)}`);
      throw new ConfigError(lines, `config file ${path} is not valid YAML`);
    }
    try {
      // yaml refuses an alias expanded more than 100 times (a "billion laughs"), and one whose anchor is missing.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new UserError(`config file ${path} is not valid YAML: ${yamlReason((err as Error).message)}`);
    }
  }
  const deep = tooDeep(value);
  if (deep) throw new UserError(`config file ${path}: ${deep}`);
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new UserError(`config file ${path} must hold a mapping of keys (name, initializers, model, train, ...), not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Overrides;
}

/**
 * yaml's complaint in words, without its own " at line L, column C:" (the line already says
 * where); a stack overflow while parsing means too deep a nesting.
 */
function yamlReason(message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, '');
  if (/Maximum call stack size exceeded/.test(first)) return `lists or mappings nested too deeply (at most ${LIMITS.depth} levels)`;
  if (/Excessive alias count/.test(first)) return 'an alias is expanded too many times (more than 100: refused as a resource-exhaustion attack)';
  return first.replace(/ \(the anchor must be set before the alias\)/, ': its anchor (&name) must be set before the alias (*name)');
}

/**
 * The text of a regular file of at most `max` bytes, read with that cap: a FIFO, a device
 * (/dev/zero) or a folder is refused before a byte is read, and a file that grows while it is
 * read stops at the cap. Opened non-blocking, so that a named pipe with no writer cannot hang.
 */
export function readCapped(path: string, max: number, what: string): string {
  let fd: number;
  try {
    if (!statSync(path).isFile()) throw new UserError(`${what} ${path} is not a regular file (a folder, a device or a pipe); give a file`);
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${what} ${path}: ${describeFsError(err)}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UserError(`${what} ${path} is not a regular file (a folder, a device or a pipe); give a file`);
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > max) throw new UserError(`${what} ${path} is larger than ${max} bytes; a config is a few hundred`);
    return buf.subarray(0, n).toString('utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${what} ${path}: ${describeFsError(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** Why a value nests lists and mappings deeper than LIMITS.depth, or null; iterative, so that no depth overflows the stack. */
export function tooDeep(value: unknown): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= LIMITS.depth) return `lists or mappings nested more than ${LIMITS.depth} levels deep; a config is a few levels deep`;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return null;
}

/**
 * JSON.parse's complaint with the line and column where the text stops being JSON. Node 20's
 * message has no position, so it is found by bisection: a prefix that could still become valid
 * JSON fails only with "Unexpected end"; the shortest one that fails otherwise ends at the culprit.
 */
export function jsonErrorAt(text: string, err: Error): string {
  const reason = err.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*$/s, '');
  const position = (message: string) => Number(/at position (\d+)/.exec(message)?.[1] ?? NaN);
  const failsInside = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      const message = (e as Error).message;
      return !/Unexpected end of JSON input|Unterminated string/.test(message) && !(position(message) >= n);
    }
  };
  let at = position(err.message);
  if (Number.isNaN(at)) {
    let lo = 0;
    let hi = text.length;
    while (lo + 1 < hi) {
      const mid = (lo + hi) >> 1;
      if (failsInside(mid)) hi = mid;
      else lo = mid;
    }
    at = hi - 1;
  }
  const before = text.slice(0, at).split('\n');
  return `${reason} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Deep merge of plain objects; arrays and values replace. */
export function merge(base: Overrides, over: Overrides): Overrides {
  const out: Overrides = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? merge(prev as Overrides, value as Overrides) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Overrides {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolves the schema's defaults < `input` < `flags` into an ExperimentConfig, or throws one
 * ConfigError that lists every problem. `input` is what a YAML/JSON config holds.
 */
export function resolveConfig(input: unknown, flags: Overrides = {}, limits: ResolveLimits = {}): ExperimentConfig {
  if (!isPlainObject(input)) throw new ConfigError([`the config must be a mapping of keys (name, initializers, model, train, ...), not ${Array.isArray(input) ? 'a list' : typeof input}`]);
  const deep = tooDeep(input) ?? tooDeep(flags);
  if (deep) throw new ConfigError([deep]);
  if (limits.paths === false) {
    const refused = pathProblems(input);
    if (refused.length) throw new ConfigError(refused);
  }
  const given = mergeSources(input, flags);
  const parsed = configSchema.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => describeIssue(i, issueContext(given)));
  // Beyond a bound, nothing more is looked at: the rest of the checks would cost as much as the input is large.
  if (!parsed.success && parsed.error.issues.some((i) => i.code === 'too_big')) throw new ConfigError(problems);
  const requested = resolveInitializers(given, problems);
  problems.push(...crossChecks(given));
  if (problems.length || !parsed.success) throw new ConfigError(problems);

  const config = parsed.data;
  const points = gridPointCount(config);
  if (points > LIMITS.gridPoints) throw new ConfigError([`the grid has ${points} points (${variedAxes(config).map((a) => `${a}: ${gridLength(config, a)}`).join(' x ')}); at most ${LIMITS.gridPoints}`]);
  // A saved config read back without its data (`data: false`) was checked against them when it ran.
  const unread = limits.data === false && config.data.trainSize !== undefined && config.data.testSize !== undefined;
  const { data, dims } = unread ? savedData(config.data) : resolveData(config.data);
  const fileProblems: string[] = [];
  const files = readModelFiles(config.model, fileProblems);
  if (fileProblems.length) throw new ConfigError(fileProblems);
  const grid = withFiles(expandGrid(config), files);
  const batch = Math.max(config.train.batchSize, limits.batch ?? 0);
  const shapes = !unread || config.data.dataDir === undefined;
  if (shapes) checkShapes(grid, [], dims, batch);
  const { initializers, omitted } = expandAll(requested, grid, dims);
  checkTrials(grid.length, initializers.length, config.seeds.length, limits.maxTrials ?? LIMITS.trials);
  if (shapes) checkShapes(grid, initializers, dims, batch);
  return {
    name: config.name,
    initializers,
    seeds: config.seeds,
    backend: config.backend,
    blas: config.blas,
    blasThreads: config.blasThreads,
    data,
    dims,
    model: grid[0].model,
    train: grid[0].train,
    grid,
    varied: variedAxes(config),
    resolved: resolvedInput(config, data, initializers, files),
    ...(omitted.length ? { omitted } : {}),
  };
}

export interface ResolveLimits {
  /** The most trials allowed (default LIMITS.trials; the CLI's --max-trials raises it). */
  maxTrials?: number;
  /**
   * false: the config comes from a request (serve), and may name no file or library: every key
   * the schema marks as a path is refused, before anything looks at the path (so the answer
   * says nothing of what exists on this machine).
   */
  paths?: boolean;
  /**
   * false: the IDX folder of `data.dataDir` is not opened (a saved config.json read back, whose
   * sizes are spelled out: a report or a listing needs no data). `checkData` checks it later.
   */
  data?: boolean;
  /** The batch a model sees at once, when it is not `train.batchSize` (probe's --batch): bounded by LIMITS.activations too. */
  batch?: number;
}

/** The IDX folder of a config read back without it (`data: false`), checked before a run uses it. */
export function checkData(config: ExperimentConfig): void {
  resolveData(config.data);
}

/** The path-valued keys given in `input`, as problems. */
function pathProblems(input: Overrides): string[] {
  return pathKeys.flatMap(({ key, words }) => {
    const value = key.split('.').reduce<unknown>((v, k) => (isPlainObject(v) ? v[k] : undefined), input);
    if (value === undefined || (typeof value === 'string' && words.includes(value))) return [];
    const allowed = words.length ? `; here it may only be ${words.join(' or ')}` : '';
    return [`\`${key}\` names a file or a library on this machine, which a request may not do (paths never come from the page)${allowed}; use \`init-bench run\` in a terminal for it`];
  });
}

/** The experiment's size, refused beyond `max` before a trial is enumerated. */
function checkTrials(points: number, initializers: number, seeds: number, max: number): void {
  const trials = points * initializers * seeds;
  if (trials <= max) return;
  const raise = max === LIMITS.trials ? ' (`init-bench run --max-trials N` raises the limit)' : '';
  throw new ConfigError([`the experiment has ${trials} trials (${points} grid point(s) x ${initializers} initializer(s) x ${seeds} seed(s)); at most ${max}${raise}`]);
}

function gridLength(config: ParsedConfig, axis: string): number {
  const value = (config.model as Record<string, unknown>)[axis] ?? (config.train as Record<string, unknown>)[axis];
  return Array.isArray(value) ? value.length : 1;
}

/** `all` in the list, in its place: the catalogue entries that fit every grid point's model. */
function expandAll(requested: (InitSpec | typeof ALL)[], grid: GridPoint[], dims: Dims): { initializers: InitSpec[]; omitted: string[] } {
  const explicit = requested.filter((r): r is InitSpec => r !== ALL);
  if (explicit.length === requested.length) return { initializers: explicit, omitted: [] };
  const { specs, skipped } = everyFitting(grid.map((p) => p.model), explicit, dims);
  return { initializers: requested.flatMap((r) => (r === ALL ? specs : [r])), omitted: skipped };
}

/** How messages find keys and axes in the schema. */
function issueContext(root: unknown) {
  return {
    root,
    knownKeys: (path: string[]) => {
      const schema = path.length ? keySchema(path.join('.')) : configSchema;
      const shape = (unwrap(schema) as { shape?: Record<string, unknown> } | undefined)?.shape;
      return shape ? Object.keys(shape) : [];
    },
    isAxis: (key: string) => gridAxes.includes(key),
  };
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s as unknown as { def?: { innerType?: z.ZodType }; shape?: unknown } | undefined;
  while (cur && !cur.shape && cur.def?.innerType) cur = cur.def.innerType as never;
  return cur as never;
}

/** The config, then the flags; `hidden` and `depth`/`width` are alternatives, and the flags' choice replaces the config's. */
function mergeSources(input: Overrides, flags: Overrides): Overrides {
  const flagModel = (flags.model ?? {}) as Overrides;
  const replaced = flagModel.hidden !== undefined ? ['depth', 'width'] : flagModel.depth !== undefined ? ['hidden'] : [];
  const model = isPlainObject(input.model) ? { ...input.model } : input.model;
  if (isPlainObject(model)) for (const key of replaced) delete model[key];
  return merge(model === undefined ? input : { ...input, model }, flags);
}

/** Each requested initializer resolved; its problems, and labels given twice, added to `problems`. */
function resolveInitializers(given: Overrides, problems: string[]): (InitSpec | typeof ALL)[] {
  const initializers: (InitSpec | typeof ALL)[] = [];
  const requested = Array.isArray(given.initializers) ? given.initializers : given.initializers === undefined ? configSchema.shape.initializers.parse(undefined) : [];
  requested.forEach((input: unknown, i: number) => {
    if (typeof input !== 'string' && !isPlainObject(input)) return; // the schema reports it
    if (typeof input === 'string' && input.trim().toLowerCase() === ALL) {
      if (!initializers.includes(ALL)) initializers.push(ALL);
      return;
    }
    const spec = resolveInit(input as never, `initializers[${i}]`);
    if (Array.isArray(spec)) problems.push(...spec);
    else initializers.push(spec);
  });
  const labels = initializers.flatMap((s) => (s === ALL ? [] : [s.label]));
  const twice = labels.filter((l, i) => labels.indexOf(l) !== i);
  if (twice.length) problems.push(`initializer ${[...new Set(twice)].join(', ')} is requested twice (aliases count as the same); give one a \`label\``);
  return initializers;
}

/** Keys that apply to one kind of model only. */
const MLP_ONLY = ['hidden', 'depth', 'width'];
const CNN_ONLY = ['filters', 'kernelSize', 'pool', 'padding', 'head'];

/**
 * A saved config.json as this version resolves it: folders written before every default was
 * resolved per kind of model hold the other kind's defaults too (an MLP's `filters`, a CNN's
 * `hidden`), which mean nothing there and are dropped rather than refused.
 */
export function savedConfig(saved: Overrides): Overrides {
  if (!isPlainObject(saved.model)) return saved;
  const other = saved.model.kind === 'cnn' ? MLP_ONLY : CNN_ONLY;
  return { ...saved, model: Object.fromEntries(Object.entries(saved.model).filter(([k]) => !other.includes(k))) };
}

/** Rules that involve several keys, on what the user gave (before defaults). */
function crossChecks(given: Overrides): string[] {
  const problems: string[] = [];
  const model = isPlainObject(given.model) ? given.model : {};
  const kind = model.kind ?? 'mlp';
  const wrongKind = (kind === 'cnn' ? MLP_ONLY : CNN_ONLY).filter((k) => model[k] !== undefined);
  if (wrongKind.length && (kind === 'mlp' || kind === 'cnn')) {
    problems.push(`${wrongKind.map((k) => `\`model.${k}\``).join(', ')} ${wrongKind.length > 1 ? 'apply' : 'applies'} to ${kind === 'cnn' ? 'an MLP' : 'a CNN (`model.kind: cnn`)'}; this model is ${kind === 'cnn' ? 'a CNN' : 'an MLP'}${kind === 'cnn' ? ' (its dense layers are `model.head`)' : ''}`);
  }
  if (model.hidden !== undefined && model.depth !== undefined) problems.push('`model.hidden` and `model.depth` are alternatives: give the widths (`hidden`) or `depth` with `width`, not both');
  if (model.width !== undefined && model.depth === undefined) problems.push('`model.width` is given without `model.depth`; give both, or `model.hidden`');
  for (const [key, value] of [['seeds', given.seeds], ...gridAxes.map((p) => [p, p.split('.').reduce<unknown>((v, k) => (isPlainObject(v) ? v[k] : undefined), given)])] as [string, unknown][]) {
    if (!Array.isArray(value)) continue;
    const seen = new Set<unknown>();
    const twice = value.filter((v) => {
      const again = seen.has(v);
      seen.add(v);
      return again;
    });
    if (twice.length) problems.push(`\`${key}\` lists ${[...new Set(twice)].map(String).join(', ')} more than once; give each value once`);
  }
  problems.push(...fileKeyProblems(model));
  const data = isPlainObject(given.data) ? given.data : {};
  if (data.dataDir === undefined) {
    if (typeof data.dataset === 'string' && data.dataset !== 'mnist') problems.push(`\`data.dataset\` is "${data.dataset}", which needs \`data.dataDir\` (--data-dir) with its IDX files: the embedded digits are MNIST only`);
    if (data.labels !== undefined) problems.push('`data.labels` applies to an IDX set (`data.dataDir`); the embedded digits are labelled 0-9');
    const train = typeof data.trainSize === 'number' ? data.trainSize : EMBEDDED_SPLIT.train;
    const test = typeof data.testSize === 'number' ? data.testSize : EMBEDDED_SPLIT.test;
    if (train + test > MAX_EMBEDDED) problems.push(`\`data.trainSize\` + \`data.testSize\` is ${train + test}; the embedded MNIST has ${MAX_EMBEDDED} digits`);
  }
  return problems;
}

/** Sizes spelled out: the embedded split's, or all of an IDX set (its files are checked here, before any work), and the data's dims. */
function resolveData(data: ParsedConfig['data']): { data: ExperimentConfig['data']; dims: Dims } {
  if (data.dataDir === undefined) {
    return { data: checkLabeled({ ...data, trainSize: data.trainSize ?? EMBEDDED_SPLIT.train, testSize: data.testSize ?? EMBEDDED_SPLIT.test }), dims: { height: 28, width: 28, classes: 10 } };
  }
  const info = idxInfo(data.dataDir);
  const problems: string[] = [];
  if ((data.trainSize ?? 0) > info.train) problems.push(`\`data.trainSize\` is ${data.trainSize}; ${data.dataDir} has ${info.train} training examples`);
  if ((data.testSize ?? 0) > info.test) problems.push(`\`data.testSize\` is ${data.testSize}; ${data.dataDir} has ${info.test} test examples`);
  if (data.labels !== undefined && data.labels.join(',') !== info.labels.join(',')) {
    problems.push(`\`data.labels\` is [${data.labels.join(', ')}] but the label files of ${data.dataDir} hold [${info.labels.join(', ')}]: the data have changed since they were recorded`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    data: checkLabeled({ ...data, labels: info.labels, trainSize: data.trainSize ?? info.train, testSize: data.testSize ?? info.test }),
    dims: { height: info.height, width: info.width, classes: info.labels.length },
  };
}

/**
 * The data of a saved config read back without opening its IDX folder: its sizes and labels as
 * recorded. The images' size is not recorded, so the shapes are not checked again (they were when
 * it ran); the embedded digits are 28x28.
 */
function savedData(data: ParsedConfig['data']): { data: ExperimentConfig['data']; dims: Dims } {
  const resolved = checkLabeled({ ...data, trainSize: data.trainSize!, testSize: data.testSize! });
  return { data: resolved, dims: { height: 28, width: 28, classes: data.labels?.length ?? 10 } };
}

/** `labeledSize` is a part of the training examples. */
function checkLabeled(data: ExperimentConfig['data']): ExperimentConfig['data'] {
  if (data.labeledSize !== undefined && data.labeledSize > data.trainSize) {
    throw new ConfigError([`\`data.labeledSize\` is ${data.labeledSize}; it must be at most \`data.trainSize\` (${data.trainSize}), the training examples it labels`]);
  }
  return data;
}

/**
 * The model of every grid point must fit the data (a conv stack that does not fit, a model
 * file's input or output that does not match, is a config error), and so must each
 * data-dependent initializer the model's layers.
 */
function checkShapes(grid: GridPoint[], initializers: InitSpec[], dims: Dims, batchSize: number): void {
  const problems = new Set<string>();
  for (const point of grid) {
    const where = point.model.file === undefined ? '`model`' : `model file ${point.model.file}`;
    try {
      const plan = layerPlan(architectureOf(point.model, dims));
      const kinds = plan.map((p) => p.kind);
      const { parameters, values } = modelSize(plan, dims.height, dims.width);
      if (parameters > LIMITS.parameters) problems.add(`${where}: ${parameters} weights and biases; at most ${LIMITS.parameters} (fewer or narrower layers)`);
      if (batchSize * values > LIMITS.activations) problems.add(`a batch of ${batchSize} x ${values} activations per example is ${batchSize * values}; at most ${LIMITS.activations} (a smaller batch, or a smaller model)`);
      const { parametrization, branchScale } = point.model;
      if (branchScale && branchScale !== 'none' && !point.model.residual) problems.add(`\`model.branchScale\` is ${branchScale}; it scales residual branches and needs \`model.residual: true\``);
      for (const spec of initializers) {
        const hook = entryOf(spec).dataDependent;
        const refusal = hook?.unsupported?.(kinds);
        if (refusal) problems.add(`initializer ${spec.label}: ${refusal}`);
        // LSUV measures the forward pass, multipliers included; pretraining trains layers on its own.
        if (hook && hook.reportKey !== 'lsuv' && parametrization && parametrization !== 'standard') problems.add(`initializer ${spec.label} trains layers outside the model's forward pass and knows no parametrization; use \`model.parametrization: standard\` with it`);
      }
    } catch (err) {
      problems.add(`${where}: ${(err as Error).message}`);
    }
  }
  if (problems.size === 0) for (const p of fileInitProblems(grid, initializers, dims)) problems.add(p);
  if (problems.size) throw new ConfigError([...problems]);
}

/**
 * A model's weights and biases, and the values its layers output per example (convolutions before
 * pooling): the two sizes that grow its memory. Sizes follow the plan: valid padding shrinks the
 * image by kernel - 1, pooling divides it.
 */
function modelSize(plan: LayerPlan[], height: number, width: number): { parameters: number; values: number } {
  let parameters = 0;
  let values = 0;
  for (const layer of plan) {
    const out = layer.shape[layer.shape.length - 1]!;
    parameters += layer.shape.reduce((a, b) => a * b, 1) + out;
    if (layer.op === 'conv') {
      // A model file's convs carry their own strides and pooling (model/file.ts): the image side
      // after each is bounded above by the side before it, so this bound holds for them too.
      const h = layer.padding === 'same' ? height : Math.max(1, height - layer.shape[0]! + 1);
      const w = layer.padding === 'same' ? width : Math.max(1, width - layer.shape[1]! + 1);
      values += h * w * out;
      height = Math.max(1, Math.floor(h / (layer.pool ?? 1)));
      width = Math.max(1, Math.floor(w / (layer.pool ?? 1)));
    } else values += out;
  }
  return { parameters, values };
}

/**
 * The config as a file would hold it, with every default spelled out: reading it back runs the
 * same experiment. The MLP's widths appear once (`hidden`, or `depth` and `width`).
 */
function resolvedInput(config: ParsedConfig, data: ExperimentConfig['data'], initializers: InitSpec[], files: Map<string, { sha256: string }>): Overrides {
  const { $schema: _s, ...rest } = config;
  if (config.model.file !== undefined) {
    // A model file gives the whole network: the built-in network's keys would mean nothing.
    const fileSha256 = Object.fromEntries([...files.entries()].map(([path, f]) => [path, f.sha256]));
    return { ...rest, initializers: initializers.map(initializerInput), data, model: { file: config.model.file, fileSha256 } } satisfies ConfigInput as Overrides;
  }
  const { hidden, depth, width, ...model } = config.model;
  const widths = depth !== undefined ? { depth, width: width ?? DEFAULT_WIDTH } : { hidden: hidden ?? DEFAULT_HIDDEN };
  // Only the keys of this kind of model: the others would be ignored, and reading them back is refused.
  const kindKeys = Object.fromEntries(Object.entries({ ...model, ...widths }).filter(([k]) => !(model.kind === 'cnn' ? MLP_ONLY : CNN_ONLY).includes(k)));
  return { ...rest, initializers: initializers.map(initializerInput), data, model: kindKeys } satisfies ConfigInput as Overrides;
}

/** The resolved config as saved beside results (config.json). */
export function serializeConfig(config: ExperimentConfig): Overrides {
  return config.resolved;
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

/**
 * Command-line flags to a partial config (the same keys as a config file). Values that do not
 * parse are passed on as given, so that validation reports them in its one template.
 */
import type { Overrides } from './load.js';

/** "1e-3" -> 0.001; "abc" stays "abc" for the validator to name. */
export function numberOrRaw(text: string): number | string {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : text;
}

export function numberList(text: string): (number | string)[] {
  return splitTopLevel(text).map(numberOrRaw);
}

/** A grid axis from a flag: "0.01,0.1" is a list, "0.01" one value. */
function axis<T>(text: string, parse: (s: string) => T): T | T[] {
  const parts = splitTopLevel(text);
  return parts.length > 1 ? parts.map(parse) : parse(text.trim());
}
const same = (s: string) => s;

/**
 * Splits "he,randomNormal(stddev=1,mean=0),xavier" at the commas outside parentheses.
 */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts.filter((p) => p.length > 0);
}

/** "randomNormal(stddev=1)" -> { name: "randomNormal", stddev: 1 }; a bare name stays a string. */
export function parseInitFlag(text: string): string | Overrides {
  const m = /^([^()]+)\((.*)\)$/.exec(text.trim());
  if (!m) return text.trim();
  const spec: Overrides = { name: m[1].trim() };
  for (const pair of splitTopLevel(m[2])) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      spec[pair] = true; // reported by validation as a bad parameter value
      continue;
    }
    const value = pair.slice(eq + 1).trim();
    spec[pair.slice(0, eq).trim()] = value === 'auto' ? value : numberOrRaw(value);
  }
  return spec;
}

/** The options shared by `run` and `probe`, as commander hands them over. */
export interface ModelFlags {
  init?: string;
  model?: string;
  filters?: string;
  kernelSize?: string;
  pool?: string;
  padding?: string;
  head?: string;
  batchNorm?: boolean;
  dropout?: string;
  trainSize?: string;
  testSize?: string;
  dataset?: string;
  dataDir?: string;
  hidden?: string;
  depth?: string;
  width?: string;
  activation?: string;
  seed?: string;
  seeds?: string;
  backend?: string;
}

export interface RunFlags extends ModelFlags {
  optimizer?: string;
  lr?: string;
  batchSize?: string;
  epochs?: string;
  target?: string;
  name?: string;
}

/** Builds the overrides object; only flags actually given appear in it. */
export function flagsToOverrides(f: RunFlags): Overrides {
  const model: Overrides = {};
  if (f.hidden !== undefined) model.hidden = numberList(f.hidden);
  if (f.depth !== undefined) model.depth = axis(f.depth, numberOrRaw);
  if (f.width !== undefined) model.width = axis(f.width, numberOrRaw);
  if (f.activation !== undefined) model.activation = axis(f.activation, same);
  if (f.model !== undefined) model.kind = f.model;
  if (f.filters !== undefined) model.filters = numberList(f.filters);
  if (f.kernelSize !== undefined) model.kernelSize = numberOrRaw(f.kernelSize);
  if (f.pool !== undefined) model.pool = numberOrRaw(f.pool);
  if (f.padding !== undefined) model.padding = f.padding;
  if (f.head !== undefined) model.head = f.head === '' ? [] : numberList(f.head);
  if (f.batchNorm !== undefined) model.batchNorm = f.batchNorm;
  if (f.dropout !== undefined) model.dropout = numberOrRaw(f.dropout);
  const train: Overrides = {};
  if (f.optimizer !== undefined) train.optimizer = axis(f.optimizer, same);
  if (f.lr !== undefined) train.lr = axis(f.lr, numberOrRaw);
  if (f.batchSize !== undefined) train.batchSize = numberOrRaw(f.batchSize);
  if (f.epochs !== undefined) train.epochs = numberOrRaw(f.epochs);
  if (f.target !== undefined) train.target = numberOrRaw(f.target);
  const data: Overrides = {};
  if (f.trainSize !== undefined) data.trainSize = numberOrRaw(f.trainSize);
  if (f.testSize !== undefined) data.testSize = numberOrRaw(f.testSize);
  if (f.dataset !== undefined) data.dataset = f.dataset;
  if (f.dataDir !== undefined) data.dataDir = f.dataDir;
  const out: Overrides = {};
  if (f.init !== undefined) out.initializers = splitTopLevel(f.init).map(parseInitFlag);
  if (f.seeds !== undefined) out.seeds = numberList(f.seeds);
  else if (f.seed !== undefined) out.seeds = [numberOrRaw(f.seed)];
  if (f.backend !== undefined) out.backend = f.backend;
  if (f.name !== undefined) out.name = f.name;
  if (Object.keys(model).length) out.model = model;
  if (Object.keys(train).length) out.train = train;
  if (Object.keys(data).length) out.data = data;
  return out;
}

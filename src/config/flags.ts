/**
 * The command-line flags that set config keys, in one table: from it come commander's options
 * (with the schema's description and default in the help), the overrides object (the same keys
 * as a config file), and the rule that --resume refuses them. Values that do not parse are passed
 * on as given, so that validation reports them in its one template.
 */
import { Option } from 'commander';
import { UserError } from '../errors.js';
import type { Overrides } from './load.js';
import { defaults, keyMeta } from './schema.js';

/** How a flag's text becomes a config value. */
type Parse = (text: string) => unknown;

export interface FlagDef {
  /** Commander's spelling, e.g. '--batch-size <n>'. */
  flag: string;
  /** The config key it sets, dotted. */
  key: string;
  parse: Parse;
  /** Help text when the schema's description of the key does not fit a flag. */
  help?: string;
  /** Commands that take it (run takes all). */
  probe?: boolean;
  /** Shown with the schema's default? (off where the default is a list of names, too long). */
  showDefault?: boolean;
}

/** "1e-3" -> 0.001; "abc" stays "abc" for the validator to name. */
export function numberOrRaw(text: string): number | string {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : text;
}

/** "256,128" -> [256, 128]; "" -> [] (which validation refuses where a list may not be empty). */
export function numberList(text: string): (number | string)[] {
  return splitTopLevel(text).map(numberOrRaw);
}

/** A grid axis from a flag: "0.01,0.1" is a list, "0.01" one value. */
const axis = (parse: (s: string) => unknown) => (text: string) => {
  const parts = splitTopLevel(text);
  return parts.length > 1 ? parts.map(parse) : parse(text.trim());
};
const same = (s: string) => s;
const number = (s: string) => numberOrRaw(s);
const initList = (s: string) => splitTopLevel(s).map(parseInitFlag);
const seedList = (s: string) => numberList(s);
const oneSeed = (s: string) => [numberOrRaw(s)];
const on = () => true;
/** "true"/"false" (also on/off, yes/no, 1/0); anything else stays text for the validator to name. */
const boolOrRaw = (s: string): boolean | string => {
  const t = s.trim().toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(t)) return true;
  if (['false', 'off', 'no', '0'].includes(t)) return false;
  return s;
};
/** A bare switch is true; with a value it is one boolean or a list (a grid axis). */
const switchOrAxis = (s: string) => (s.trim() === '' ? true : axis(boolOrRaw)(s));
const headList = (s: string) => (s === '' ? [] : numberList(s));

/** Every flag that sets a config key. Order is the help's order. */
export const CONFIG_FLAGS: FlagDef[] = [
  { flag: '-i, --init <list>', key: 'initializers', parse: initList, probe: true, help: 'initializers to compare, e.g. he,xavier or "randomNormal(stddev=1)" (`init-bench list NAME` describes each parameter); all: every entry that fits the model' },
  { flag: '--model-file <files>', key: 'model.file', parse: axis(same), probe: true, help: 'a Keras or tfjs model file (model.json, or model.to_json() / model.toJSON() output) to train instead of the built-in networks; a,b compares two (a grid axis)' },
  { flag: '--hidden <widths>', key: 'model.hidden', parse: numberList, probe: true },
  { flag: '--depth <n>', key: 'model.depth', parse: axis(number), probe: true },
  { flag: '--width <n>', key: 'model.width', parse: axis(number), probe: true },
  { flag: '--activation <name>', key: 'model.activation', parse: axis(same), probe: true },
  { flag: '--model <kind>', key: 'model.kind', parse: same, probe: true },
  { flag: '--filters <list>', key: 'model.filters', parse: numberList, probe: true },
  { flag: '--kernel-size <n>', key: 'model.kernelSize', parse: number, probe: true },
  { flag: '--pool <n>', key: 'model.pool', parse: number, probe: true },
  { flag: '--padding <mode>', key: 'model.padding', parse: same, probe: true },
  { flag: '--head <widths>', key: 'model.head', parse: headList, probe: true },
  { flag: '--batch-norm [list]', key: 'model.batchNorm', parse: switchOrAxis, probe: true, help: 'batch norm before each hidden activation; "false,true" compares without and with (a grid axis)' },
  { flag: '--bn-momentum <list>', key: 'model.batchNormMomentum', parse: axis(number), help: 'weight of the OLD value in batch norm\'s running statistics (Keras/tfjs convention; PyTorch\'s default momentum 0.1 is 0.9 here); a list is a grid axis' },
  { flag: '--dropout <rate>', key: 'model.dropout', parse: number, probe: true },
  { flag: '--residual', key: 'model.residual', parse: on, probe: true },
  { flag: '--block-depth <n>', key: 'model.blockDepth', parse: number, probe: true },
  { flag: '--parametrization <list>', key: 'model.parametrization', parse: axis(same), probe: true },
  { flag: '--base-width <n>', key: 'model.baseWidth', parse: number, probe: true },
  { flag: '--branch-scale <list>', key: 'model.branchScale', parse: axis(same), probe: true },
  { flag: '--dataset <name>', key: 'data.dataset', parse: same, probe: true },
  { flag: '--data-dir <dir>', key: 'data.dataDir', parse: same, probe: true },
  { flag: '--train-size <n>', key: 'data.trainSize', parse: number, probe: true },
  { flag: '--test-size <n>', key: 'data.testSize', parse: number, probe: true },
  { flag: '--labeled-size <n>', key: 'data.labeledSize', parse: number },
  { flag: '--backend <name>', key: 'backend', parse: same, probe: true },
  { flag: '--blas <auto|off|path>', key: 'blas', parse: same, probe: true },
  { flag: '--blas-threads <n|auto>', key: 'blasThreads', parse: (s) => (s.trim() === 'auto' ? 'auto' : number(s)), probe: true },
  { flag: '--seeds <list>', key: 'seeds', parse: seedList, help: 'seeds, e.g. 0,1,2: every initializer runs once per seed' },
  { flag: '--seed <n>', key: 'seeds', parse: oneSeed, help: 'a single seed (the same as --seeds N)' },
  { flag: '--optimizer <name>', key: 'train.optimizer', parse: axis(same) },
  { flag: '--lr <rate>', key: 'train.lr', parse: axis(number) },
  { flag: '--batch-size <n>', key: 'train.batchSize', parse: number },
  { flag: '--epochs <n>', key: 'train.epochs', parse: number },
  { flag: '--target <acc>', key: 'train.target', parse: number },
  { flag: '--precise-bn [list]', key: 'train.recomputeBatchNormStats', parse: switchOrAxis, help: 'precise BN: recompute batch norm\'s statistics over the training examples before each evaluation (Wu & Johnson 2021); "false,true" compares both (a grid axis)' },
  { flag: '--name <name>', key: 'name', parse: same },
];

/** The attribute commander stores a flag under: '--batch-size <n>' -> batchSize. */
export function attributeOf(flag: string): string {
  const long = /--([\w-]+)/.exec(flag)![1];
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The schema's default of a key, as help shows it; undefined where there is none. */
export function defaultText(key: string): string | undefined {
  const value = key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), defaults());
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  return String(value);
}

/** Commander options for the flags a command takes, described by the schema. */
export function configOptions(command: 'run' | 'probe'): Option[] {
  return CONFIG_FLAGS.filter((f) => command === 'run' || f.probe).map((f) => {
    const description = f.help ?? lowerFirst(keyMeta(f.key)?.description ?? f.key).replace(/\.$/, '');
    const shown = f.key === 'seeds' && f.flag.startsWith('--seed ') ? undefined : defaultText(f.key);
    return new Option(f.flag, shown === undefined || f.parse === on ? description : `${description} (default: ${shown})`);
  });
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);

/**
 * The options commander handed over: the overrides object, with only the flags actually given.
 * INIT_BENCH_BLAS (read here, the one place) stands for --blas when the flag is not given.
 */
export function flagsToOverrides(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Overrides {
  const out: Overrides = {};
  const setBy = new Map<string, string>();
  for (const f of CONFIG_FLAGS) {
    const text = opts[attributeOf(f.flag)];
    if (text === undefined) continue;
    const long = /--[\w-]+/.exec(f.flag)![0];
    const earlier = setBy.get(f.key);
    if (earlier) throw new UserError(`${earlier} and ${long} both set \`${f.key}\`; give one of them`);
    setBy.set(f.key, long);
    setPath(out, f.key, f.parse(String(text === true ? '' : text)));
  }
  if (out.blas === undefined && env.INIT_BENCH_BLAS?.trim()) out.blas = env.INIT_BENCH_BLAS.trim();
  return out;
}

/** The long names of the given flags that set config keys (which --resume refuses). */
export function givenConfigFlags(opts: Record<string, unknown>): string[] {
  return CONFIG_FLAGS.filter((f) => opts[attributeOf(f.flag)] !== undefined).map((f) => /--[\w-]+/.exec(f.flag)![0]);
}

function setPath(target: Overrides, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Overrides;
  node[keys[keys.length - 1]] = value;
}

/**
 * Splits "he,randomNormal(stddev=1,mean=0),xavier" at the commas outside parentheses. An empty
 * part ("he," or "256,,128") is kept as "", for validation to refuse; only a blank text is [].
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
  parts.push(current.trim());
  return parts.length === 1 && parts[0] === '' ? [] : parts;
}

/** "randomNormal(stddev=1)" -> { name: "randomNormal", stddev: 1 }; a bare name stays a string. */
export function parseInitFlag(text: string): string | Overrides {
  const m = /^([^()]+)\((.*)\)$/.exec(text.trim());
  if (!m) return text.trim();
  const spec: Overrides = { name: m[1].trim() };
  for (const pair of splitTopLevel(m[2]).filter((p) => p !== '')) {
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

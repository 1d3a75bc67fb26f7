/**
 * The results document, defined once: every field of results.json, trials/*.json and
 * `run --json`, with its meaning. From this schema come the TypeScript types (z.infer), the
 * validation of every file read back (store/folder.ts), and schema/results.schema.json
 * (`npm run schemas`). Names are stable within `schemaVersion` 1; new optional fields may appear.
 *
 * JSON has no NaN or Infinity: JSON.stringify writes them as null, and reading back turns a null
 * number into NaN again (`real`). A leaf module: it imports zod only.
 */
import { z } from 'zod';

/** A number that may be NaN (written as null). */
const real = z.union([z.number(), z.null().transform(() => NaN)]).meta({ description: 'a number; null where it is not finite' });
const whole = z.number().int().min(0);
const fraction = z.number().min(0).max(1).nullable();

export const pointSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({ description: 'grid point: the value of each varied axis, e.g. { "depth": 20, "lr": 0.1 }' });

export const layerStatsSchema = z.object({
  layer: z.string(),
  units: z.number().int(),
  activation: z.string(),
  preActivationMean: real,
  preActivationStd: real,
  preActivationMeanSquare: real.meta({ description: 'q = E[z^2] over batch and units: the quantity of the mean-field recursion (docs/science.md)' }),
  activationMean: real,
  activationStd: real,
  deadFraction: fraction.meta({ description: 'ReLU family: fraction of units whose pre-activation is <= 0 for the whole batch; null otherwise' }),
  saturatedFraction: fraction.meta({ description: 'tanh/sigmoid: fraction of outputs within 0.01 of the limits; null otherwise' }),
  gradNorm: real,
  weightNorm: real,
  gradToWeightRatio: real,
});

export const diagnosticsSchema = z.object({
  atInit: z.array(layerStatsSchema).meta({ description: 'per-layer statistics at initialization (after a data-dependent step), on a training batch' }),
  distinctUnits: z.array(z.number().int()).meta({ description: 'after training, per hidden layer: units whose incoming weights and bias differ (empty when the trial diverged)' }),
  deadFraction: z.array(fraction).meta({ description: 'after training, per hidden layer, on a test batch' }),
  saturatedFraction: z.array(fraction),
});

export const epochSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: real,
  trainAccuracy: real,
  testLoss: real,
  testAccuracy: real,
  seconds: z.number().meta({ description: 'the whole epoch, evaluation included' }),
  trainSeconds: z.number().meta({ description: 'the optimizer steps alone: what benchmarks compare' }),
  gradNorms: z.array(real).meta({ description: "per layer, L2 norm of the kernel's gradient on the epoch's first batch" }),
  weightNorms: z.array(real).meta({ description: "per layer, L2 norm of the kernel at the epoch's end" }),
  activationStds: z.array(real).optional().meta({ description: "per layer, activation std on the trial's fixed probe batch at the epoch's end (one forward pass)" }),
});

export const kernelSpecSchema = z.object({ name: z.string(), params: z.record(z.string(), z.unknown()) });

export const lsuvSchema = z.object({
  iterations: z.array(z.number().int()).meta({ description: 'rescaling iterations per layer (0: already within tol)' }),
  finalVariance: z.array(real).meta({ description: 'pre-activation variance per layer after LSUV' }),
});

export const pretrainSchema = z.object({
  images: z.number().int().meta({ description: 'training images each autoencoder saw per epoch (no labels)' }),
  layers: z.array(
    z.object({
      layer: z.string(),
      decoder: z.enum(['sigmoid', 'tanh', 'linear']),
      loss: z.array(real).meta({ description: 'mean reconstruction loss over the images, per pretraining epoch' }),
      seconds: z.number().meta({ description: "this layer's pretraining, not part of any training epoch" }),
    }),
  ),
});

export const finalSchema = z.object({
  testAccuracy: real,
  testLoss: real,
  trainLoss: real,
  bestTestAccuracy: real,
  epochsToTarget: z.number().int().nullable().meta({ description: 'first epoch whose test accuracy reached the target; null when never' }),
  secondsPerEpoch: z.number(),
});

export const trialSchema = z.object({
  id: z.string().meta({ description: "hash of the trial's resolved settings: the same in any run, shard or resume" }),
  init: z.string().meta({ description: "the initializer's label" }),
  initializer: kernelSpecSchema.extend({
    layers: z.record(z.string(), kernelSpecSchema).optional(),
    bias: kernelSpecSchema.optional(),
  }),
  seed: whole,
  point: pointSchema.optional(),
  status: z.enum(['ok', 'diverged', 'failed']).meta({ description: 'diverged: the training loss became NaN or infinite (a result); failed: an error' }),
  divergedAtEpoch: z.number().int().optional(),
  error: z.string().optional(),
  gains: z.array(z.number().nullable()).optional().meta({ description: 'gain applied per layer, for initializers with a gain' }),
  lsuv: lsuvSchema.optional(),
  pretrain: pretrainSchema.optional().meta({ description: 'layerwisePretrain: per hidden layer, the reconstruction loss per pretraining epoch and the seconds it took' }),
  diagnostics: diagnosticsSchema.optional(),
  diagnosis: z.array(z.string()).optional().meta({ description: 'what went wrong, a few words each; empty when nothing did' }),
  epochs: z.array(epochSchema),
  final: finalSchema.nullable(),
});

export const spreadSchema = z.object({
  mean: real,
  std: real.meta({ description: 'sample standard deviation over seeds (n - 1); 0 for one value' }),
  min: real,
  max: real,
  ci95: z.tuple([real, real]).nullable().meta({ description: "95% confidence interval of the mean (Student's t); null for one seed" }),
});

export const comparisonSchema = z.object({
  best: z.string(),
  pValue: z.number().nullable().meta({ description: "Welch's t-test of the final test accuracy against the best initializer of the same grid point; null when a side has one seed" }),
  notSignificantlyDifferent: z.boolean().nullable().meta({ description: 'p >= 0.05; null when no test is possible' }),
});

export const summarySchema = z.object({
  init: z.string(),
  point: pointSchema.optional(),
  trials: whole,
  ok: whole,
  diverged: whole,
  failed: whole,
  testAccuracy: spreadSchema,
  testLoss: spreadSchema,
  bestTestAccuracy: spreadSchema,
  trainLoss: spreadSchema,
  epochsToTarget: z.number().nullable().meta({ description: 'mean epochs to reach the target over the trials that reached it; null when none did' }),
  reachedTarget: whole,
  secondsPerEpoch: real,
  diagnosis: z.array(z.string()),
  comparison: comparisonSchema.optional(),
});

export const shardSchema = z.object({
  index: z.number().int().min(1),
  count: z.number().int().min(1),
  trials: whole.meta({ description: 'trials in this shard' }),
});

export const expectationSchema = z.object({
  text: z.string().meta({ description: 'the --expect expression as given, e.g. "heNormal > zeros"' }),
  held: z.boolean(),
  measured: z.string().meta({ description: 'what was measured, e.g. "0.912" or "heNormal 0.95 vs zeros 0.11"' }),
});

export const SCHEMA_VERSION = 1;

export const resultsSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  backend: z.string().meta({ description: 'the tfjs backend the trials ran on: tensorflow, wasm or cpu; on wasm, +library version when the system BLAS ran the products (wasm+openblas 0.3.21)' }),
  backends: z.array(z.string()).optional().meta({ description: 'merge only: the backends of the merged folders, when they differ' }),
  complete: z.boolean().meta({ description: 'false when trials are missing (an interrupted run, a shard, missing shards)' }),
  stopped: z.enum(['interrupted', 'failFast']).optional().meta({ description: 'why a run stopped before its end: a signal (Ctrl-C, SIGTERM) or --fail-fast' }),
  createdAt: z.string(),
  config: z.record(z.string(), z.unknown()).meta({ description: 'the fully resolved config, as config.json' }),
  shard: shardSchema.optional(),
  expectations: z.array(expectationSchema).optional().meta({ description: 'the --expect outcomes, in the document `run --json` and `merge --json` print (the command checks them once the folder is written, so results.json on disk has none)' }),
  trials: z.array(trialSchema),
  summary: z.array(summarySchema),
});

export type PointValues = z.output<typeof pointSchema>;
export type LayerStats = z.output<typeof layerStatsSchema>;
export type TrialDiagnostics = z.output<typeof diagnosticsSchema>;
export type EpochMetrics = z.output<typeof epochSchema>;
export type LsuvReport = z.output<typeof lsuvSchema>;
export type PretrainRecord = z.output<typeof pretrainSchema>;
export type TrialFinal = z.output<typeof finalSchema>;
export type TrialResult = z.output<typeof trialSchema>;
export type TrialStatus = TrialResult['status'];
export type Spread = z.output<typeof spreadSchema>;
export type Comparison = z.output<typeof comparisonSchema>;
export type InitSummary = z.output<typeof summarySchema>;
export type ShardInfo = z.output<typeof shardSchema>;
export type ExpectationOutcome = z.output<typeof expectationSchema>;
export type ResultsDocument = z.output<typeof resultsSchema>;

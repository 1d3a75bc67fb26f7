import type { Optimizer, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { Tf } from '../backend/tf.js';
import type { Rng } from '../util/random.js';
import type { Activation, OptimizerName } from '../vocabulary.js';

export type { LayerKind, Params } from './spec.js';
import type { LayerKind, Params } from './spec.js';

/** Where a layer sits in a residual net (see model/plan.ts); absent in a plain net. */
export interface ResidualPlace {
  /** Residual branches in the whole net: Fixup's L. */
  branches: number;
  /** Layers in each branch: Fixup's m (model.blockDepth). */
  branchDepth: number;
  /** `branch`: a layer inside a branch; `projection`: the learned skip of a block whose width changes. */
  role: 'branch' | 'projection';
  /** Position inside the branch, 0-based (branchDepth - 1 is the residualOut layer); 0 for a projection. */
  position: number;
}

/** What an initializer is told about the kernel it fills. */
export interface KernelRequest {
  /** tfjs layout: dense [in, out], conv [kh, kw, in, out]. */
  shape: number[];
  /** Derived from the trial seed and the layer's index: same-shaped layers differ. */
  rng: Rng;
  /** The nonlinearity that follows this kernel (linear for the output layer). */
  activation: Activation;
  leakySlope: number;
  kind: LayerKind;
  /** Set in residual nets for the layers of a branch and for projections. */
  residual?: ResidualPlace;
  /** Model files: the catalogue entry the file's author chose for this kernel (the `file` entry samples it). */
  authored?: { name: string; params: Params };
}


/**
 * The zod schema of an entry's parameters: a strict object with defaults (or a refinement or
 * transform of one), each parameter with a one-line `.describe()` that `list NAME`, the serve
 * form and docs/reference/initializers.md show (a test fails on a parameter without one).
 */
export type ParamsSchema = z.ZodType<Params>;

/** A row-major [rows, cols] block of a kernel's values, starting at `offset`. */
export interface OrthogonalBlock {
  offset: number;
  rows: number;
  cols: number;
  /** Named for the user, e.g. "centre tap [16, 32]". */
  where: string;
}

/** What `init-bench list NAME` teaches about an entry. */
export interface Lesson {
  why: string;
  suits: string;
  pitfalls: string;
}

/** A preset in configs/ that shows a claim of an entry's lesson, and what to look for there (its comment has the numbers). */
export interface Evidence {
  preset: string;
  shows: string;
}

/** What `init-bench list --compare` weighs, beside the lesson's `suits` and `pitfalls` (the failure mode). */
export interface Tradeoffs {
  /** The work to initialize, beyond nothing: draws, QRs, passes over data. */
  cost: string;
  /** Presets that show what the lesson claims; empty where none does yet (the table says so). */
  shownBy: Evidence[];
}

/**
 * One catalogue entry: documentation, parameters, and how to sample a kernel. `S` is its
 * parameters' schema: the hooks receive what it parses to (`z.output<S>`), typed per entry;
 * the registry holds entries as `InitializerEntry` (any parameters), and passes each hook only
 * what the entry's own schema parsed.
 */
export interface InitializerEntry<S extends ParamsSchema = ParamsSchema> {
  name: string;
  aliases: string[];
  summary: string;
  /** e.g. "normal", "uniform", "orthogonal", "constant". */
  distribution: string;
  /** The variance or construction, in the notation of docs/science.md. */
  formula: string;
  /** Authors, year, title; null for constants. */
  reference: string | null;
  lesson: Lesson;
  tradeoffs: Tradeoffs;
  /** Strict zod object with defaults: parses a config's parameters. */
  params: S;
  sample(params: z.output<S>, req: KernelRequest): Float32Array | Promise<Float32Array>;
  /** The std a kernel's entries should have by the entry's formula; null when not a spread. */
  expectedStd(params: z.output<S>, req: Omit<KernelRequest, 'rng'>): number | null;
  /**
   * `tfjs:` mirrors whose samples differ from what their name promises: the std the name promises
   * by docs/science.md (init-bench's entry of that name), which `inspect` prints beside expectedStd.
   */
  promisedStd?(params: z.output<S>, req: Omit<KernelRequest, 'rng'>): number | null;
  /** The gain this entry applies, where a gain applies. */
  gain?(params: z.output<S>, req: Omit<KernelRequest, 'rng'>): number;
  /** Orthogonal-type: inspect reports how far the orthogonal part is from gain^2 I. */
  orthogonal?: boolean;
  /** Where the orthogonal matrix sits when it is not the whole kernel (deltaOrthogonal: the centre tap). */
  orthogonalBlock?(shape: readonly number[]): OrthogonalBlock;
  /** Why the entry cannot fill a kernel of this shape, or null when it can (absent: any shape). `--init all` skips entries that cannot fill the model. */
  fits?(shape: readonly number[]): string | null;
  /** Needs a data batch after the model is built (LSUV): `sample` gives the starting weights, then this refines them. */
  dataDependent?: DataDependentHook<z.output<S>>;
  /** Sampled by tfjs itself (the `tfjs:` entries): needs a tfjs backend. */
  tfjs?: boolean;
}

/** A weight layer as a data-dependent initializer sees it. */
export interface InitLayer {
  name: string;
  kind: LayerKind;
  /** tfjs layout: dense [in, out], conv [kh, kw, in, out]. */
  shape: number[];
  activation: Activation;
  kernel: Variable;
  bias: Variable;
}

/** What a data-dependent initializer is given once the model is built from the sampled kernels. */
export interface DataDependentContext {
  tf: Tf;
  /** The model's weight layers, input side first (the output layer last). */
  layers: InitLayer[];
  /** A seeded batch of training images (the one the diagnostics measure at init). */
  batch: Tensor2D;
  /** Every training image in a seeded order, `batchSize` at a time (no labels); caller disposes each. */
  trainingImages(batchSize: number, seed: number): Generator<Tensor2D>;
  /** Forward `x` through the first `upTo` layers: per layer, the input of its nonlinearity and its output. */
  forward(x: Tensor2D, upTo: number): { preActivations: Tensor[]; outputs: Tensor[]; activations: Tensor[] };
  /** The trial seed. */
  seed: number;
  /** Negative slope of leakyRelu layers (the model's). */
  leakySlope: number;
  /** Applies a nonlinearity exactly as the model does (model/network.ts), with the model's leaky slope. */
  activate(x: Tensor, activation: Activation): Tensor;
  /**
   * An optimizer made as the trainer makes it (train/optimizers.ts), so a refinement that trains
   * (pretraining) uses the same update rules; `dispose` also frees its slots.
   */
  optimizer(name: OptimizerName, lr: number): { optimizer: Optimizer; dispose(): void };
  /** Aborted when the run is interrupted: a long refinement (pretraining) stops at its next step. */
  signal?: AbortSignal;
}

/** The data-dependent step of an initializer: refines the kernels in place and returns what the trial records. */
export interface DataDependentHook<P = Params> {
  /** The key under which a trial records the report (e.g. `lsuv`). */
  reportKey: string;
  run(params: P, ctx: DataDependentContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Why it cannot refine a model with these layer kinds (input side first); undefined when it can. Checked with the config. */
  unsupported?(kinds: LayerKind[]): string | undefined;
}

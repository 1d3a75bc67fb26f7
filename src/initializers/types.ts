import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { Tf } from '../backend/tf.js';
import type { Rng } from '../util/random.js';
import type { Activation } from './gain.js';

/** Where a kernel sits: hidden dense layer, hidden conv layer, or the output (logits) layer. */
export type LayerKind = 'dense' | 'conv' | 'output';

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
}

export type Params = Record<string, unknown>;

/** What `init-bench list NAME` teaches about an entry. */
export interface Lesson {
  why: string;
  suits: string;
  pitfalls: string;
}

/** One catalogue entry: documentation, parameters, and how to sample a kernel. */
export interface InitializerEntry {
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
  /** Strict zod object with defaults: parses a config's parameters. */
  params: z.ZodType<Params>;
  sample(params: Params, req: KernelRequest): Float32Array | Promise<Float32Array>;
  /** The std a kernel's entries should have by the entry's formula; null when not a spread. */
  expectedStd(params: Params, req: Omit<KernelRequest, 'rng'>): number | null;
  /** The gain this entry applies, where a gain applies. */
  gain?(params: Params, req: Omit<KernelRequest, 'rng'>): number;
  /** Orthogonal-type: inspect reports max |W^T W - gain^2 I|. */
  orthogonal?: boolean;
  /** Needs a data batch after the model is built (LSUV): `sample` gives the starting weights, then this refines them. */
  dataDependent?: DataDependentHook;
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
  forward(x: Tensor2D, upTo: number): { preActivations: Tensor[]; activations: Tensor[] };
  /** The trial seed. */
  seed: number;
}

/** The data-dependent step of an initializer: refines the kernels in place and returns what the trial records. */
export interface DataDependentHook {
  /** The key under which a trial records the report (e.g. `lsuv`). */
  reportKey: string;
  run(params: Params, ctx: DataDependentContext): Promise<Record<string, unknown>> | Record<string, unknown>;
}

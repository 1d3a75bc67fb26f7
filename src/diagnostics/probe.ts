/**
 * Signal propagation at initialization, no training: build each requested model, forward one
 * batch of real training digits, back-propagate the loss once, and measure every layer.
 */
import { startBackend, type BackendLabel, type Tf } from '../backend/select.js';
import type { ExperimentConfig } from '../config/load.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { stratifiedSplit } from '../data/split.js';
import { applyLsuv, type LsuvReport } from '../initializers/lsuv.js';
import { entryOf, type InitSpec } from '../initializers/registry.js';
import { sampleKernels } from '../model/init.js';
import { architectureOf, buildModel, disposeModel, type Model } from '../model/network.js';
import { BatchReader, disposeBatch, type Batch } from '../train/loop.js';
import { deriveSeed, Rng } from '../util/random.js';
import { assess, type Assessment } from './assess.js';
import { distinctUnits, layerStats, type LayerStats } from './layers.js';

export interface ProbeResult {
  init: string;
  /** Set when the initializer cannot fill this network (e.g. deltaOrthogonal with in > out). */
  error?: string;
  layers: LayerStats[];
  problems: string[];
  healthy: boolean;
  lsuv?: LsuvReport;
  assessment: Assessment;
}

/** A batch of `size` training examples drawn with the seed (the same for every initializer). */
export function probeBatch(tf: Tf, data: Dataset, trainIdx: Int32Array, seed: number, size: number): Batch {
  const n = Math.min(size, trainIdx.length);
  const idx = new Rng(deriveSeed(seed, 'probe')).shuffle(Int32Array.from(trainIdx)).subarray(0, n);
  return new BatchReader(data, n).read(tf, idx);
}

/** LSUV on the batch if the initializer is data-dependent; its report, or undefined. */
export function maybeLsuv(tf: Tf, model: Model, spec: InitSpec, batch: Batch): LsuvReport | undefined {
  if (!entryOf(spec).dataDependent) return undefined;
  return applyLsuv(tf, model, batch.x, spec.params.tol as number, spec.params.maxIterations as number);
}

export async function probe(
  config: ExperimentConfig,
  batchSize: number,
  seed: number,
  log: (line: string) => void = () => {},
): Promise<{ backend: BackendLabel; results: ProbeResult[] }> {
  const { label: backend, tf } = await startBackend(config.backend);
  log(`backend: ${backend}; a batch of ${batchSize} training digits, seed ${seed}`);
  const data = loadDataset(config.data);
  const split = stratifiedSplit(data, config.data.trainSize, config.data.testSize, seed);
  const batch = probeBatch(tf, data, split.train, seed, batchSize);
  const arch = architectureOf(config.model, data);
  const results: ProbeResult[] = [];
  try {
    for (const spec of config.initializers) {
      let sampled: Awaited<ReturnType<typeof sampleKernels>>;
      try {
        sampled = await sampleKernels(arch, spec, seed);
      } catch (err) {
        const error = `cannot initialize this network: ${(err as Error).message}`;
        results.push({ init: spec.label, error, layers: [], problems: [error], healthy: false, assessment: { depth: 0, signalRatios: [], gradientRatios: [], problems: [error], healthy: false, score: Infinity } });
        continue;
      }
      const { kernels, biases } = sampled;
      const model = buildModel(tf, arch, kernels, biases);
      try {
        const lsuv = maybeLsuv(tf, model, spec, batch);
        const layers = layerStats(tf, model, batch.x, batch.oneHot);
        const assessment = assess(layers, distinctUnits(tf, model));
        results.push({ init: spec.label, layers, problems: assessment.problems, healthy: assessment.healthy, ...(lsuv ? { lsuv } : {}), assessment });
      } finally {
        disposeModel(model);
      }
    }
  } finally {
    disposeBatch(tf, batch);
  }
  return { backend, results };
}

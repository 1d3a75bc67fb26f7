/**
 * Signal propagation at initialization, no training: build each requested model, forward one
 * batch of real training digits, back-propagate the loss once, and measure every layer.
 */
import { startBackend, type BackendLabel } from '../backend/select.js';
import type { ExperimentConfig } from '../config/load.js';
import { disposeBatch, imageBatches, probeBatch } from '../data/batches.js';
import { loadDataset } from '../data/load.js';
import { stratifiedSplit } from '../data/split.js';
import { refineWithData, sampleKernels, type DataDependentReport } from '../model/init.js';
import { architectureOf, buildModel, disposeModel } from '../model/network.js';
import { assess, type Assessment } from '../diagnostics/assess.js';
import { distinctUnits, layerStats, type LayerStats } from '../diagnostics/layers.js';
import { optimizerFactory } from '../train/optimizers.js';

export interface ProbeResult {
  init: string;
  /** Set when the initializer cannot fill this network (e.g. deltaOrthogonal with in > out). */
  error?: string;
  layers: LayerStats[];
  problems: string[];
  healthy: boolean;
  /** What a data-dependent initializer did (e.g. LSUV's iterations per layer). */
  refined?: DataDependentReport;
  assessment: Assessment;
}

export async function probe(
  config: ExperimentConfig,
  batchSize: number,
  seed: number,
  log: (line: string) => void = () => {},
): Promise<{ backend: BackendLabel; results: ProbeResult[] }> {
  const { label: backend, tf } = await startBackend(config.backend, { blas: config.blas });
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
        const refined = await refineWithData(tf, model, spec, { batch: batch.x, trainingImages: (size, s) => imageBatches(tf, data, split.train, size, s), optimizer: optimizerFactory(tf) }, seed);
        const layers = layerStats(tf, model, batch.x, batch.oneHot);
        const assessment = assess(layers, distinctUnits(tf, model));
        results.push({ init: spec.label, layers, problems: assessment.problems, healthy: assessment.healthy, ...(refined ? { refined } : {}), assessment });
      } finally {
        disposeModel(model);
      }
    }
  } finally {
    disposeBatch(tf, batch);
  }
  return { backend, results };
}

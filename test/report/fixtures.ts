/**
 * Hand-built results documents for the report's pure functions: only the fields the report
 * reads, with values chosen so that each assertion can tell right from wrong.
 */
import type { InitSummary, ResultsDocument, TrialResult } from '../../src/results/schema.js';

export interface TrialSpec {
  init: string;
  seed?: number;
  point?: TrialResult['point'];
  /** Hidden layer names; "output" is appended. */
  hidden?: string[];
  /** Test accuracy per epoch. */
  accuracy?: number[];
  status?: TrialResult['status'];
}

export function trial(s: TrialSpec, k = 0): TrialResult {
  const layers = [...(s.hidden ?? ['dense1', 'dense2']), 'output'];
  const accuracy = s.accuracy ?? [0.5, 0.8];
  return {
    id: `t${String(k).padStart(11, '0')}`,
    init: s.init,
    initializer: { name: s.init, params: {} } as unknown as TrialResult['initializer'],
    seed: s.seed ?? 0,
    ...(s.point ? { point: s.point } : {}),
    status: s.status ?? 'ok',
    diagnostics: {
      atInit: layers.map((layer, i) => ({ layer, units: 8, activation: 'relu', preActivationMean: 0, preActivationStd: 1, preActivationMeanSquare: 1, activationMean: 0.5, activationStd: 1 / (i + 1), deadFraction: 0, saturatedFraction: null, gradNorm: 0.1 * (i + 1), weightNorm: 1, gradToWeightRatio: 0.1 })),
      distinctUnits: layers.slice(0, -1).map(() => 8),
      deadFraction: layers.slice(0, -1).map(() => 0),
      saturatedFraction: layers.slice(0, -1).map(() => null),
    } as unknown as TrialResult['diagnostics'],
    diagnosis: [],
    epochs: accuracy.map((a, e) => ({ epoch: e + 1, trainLoss: 1 - a, trainAccuracy: a, testLoss: 1 - a, testAccuracy: a, seconds: 1, trainSeconds: 1, gradNorms: layers.map((_, i) => 1000 * (k + 1) + i + 1), weightNorms: layers.map(() => 1) })),
    final: { testAccuracy: accuracy[accuracy.length - 1], testLoss: 0.3, trainLoss: 0.3, bestTestAccuracy: Math.max(...accuracy), epochsToTarget: 2, secondsPerEpoch: 1 },
  };
}

const spread = (x: number) => ({ mean: x, std: 0, min: x, max: x, ci95: null });

export function summaryRow(init: string, accuracy: number, point?: InitSummary['point']): InitSummary {
  return {
    init,
    ...(point ? { point } : {}),
    trials: 1,
    ok: 1,
    diverged: 0,
    failed: 0,
    testAccuracy: spread(accuracy),
    testLoss: spread(0.3),
    bestTestAccuracy: spread(accuracy),
    trainLoss: spread(0.3),
    epochsToTarget: 2,
    reachedTarget: 1,
    secondsPerEpoch: 0.5,
    diagnosis: [],
  } as InitSummary;
}

export function doc(trials: TrialResult[], config: Record<string, unknown> = {}): ResultsDocument {
  const seen = new Set<string>();
  const summary = trials.flatMap((t) => {
    const key = `${t.init}|${JSON.stringify(t.point ?? {})}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [summaryRow(t.init, t.final?.testAccuracy ?? NaN, t.point)];
  });
  return { schemaVersion: 1, backend: 'wasm', complete: true, createdAt: '2026-11-29T00:00:00.000Z', config, trials, summary };
}

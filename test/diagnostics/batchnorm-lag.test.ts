import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchNormLag, diagnoseTrial } from '../../src/diagnostics/assess.js';
import type { EpochMetrics, TrialDiagnostics } from '../../src/results/schema.js';

const epoch = (n: number, trainAccuracy: number, trainEvalAccuracy: number | undefined, testAccuracy: number): EpochMetrics => ({
  epoch: n, trainLoss: 0.5, trainAccuracy, ...(trainEvalAccuracy === undefined ? {} : { trainEvalAccuracy, trainEvalLoss: 1 }), testLoss: 1, testAccuracy,
  seconds: 1, trainSeconds: 1, gradNorms: [], weightNorms: [],
});
const healthy: TrialDiagnostics = { atInit: [], distinctUnits: [], deadFraction: [], saturatedFraction: [] };

// The figures of configs/batchnorm.yaml's N(0, 0.01^2) + batch norm at momentum 0.99, seed 0.
test('running statistics that lag: flagged, at the worst epoch, with the fix', () => {
  const epochs = [epoch(1, 0.797, 0.145, 0.146), epoch(2, 0.909, 0.937, 0.915)];
  const lag = batchNormLag(epochs);
  assert.match(lag ?? '', /^batch norm's running statistics lag \(epoch 1: training examples 80% with batch statistics, 14% with the running ones; test 15%\)/);
  assert.match(lag!, /model\.batchNormMomentum 0\.9 = PyTorch's default momentum 0\.1/);
  assert.match(lag!, /train\.recomputeBatchNormStats/);
  assert.ok(diagnoseTrial(healthy, undefined, { batchNorm: true, epochs }).includes(lag!));
});

test('no flag without batch norm, below the threshold, or without the inference-mode figure', () => {
  const lagging = [epoch(1, 0.8, 0.15, 0.15)];
  assert.ok(!diagnoseTrial(healthy, undefined, { batchNorm: false, epochs: lagging }).some((d) => d.includes("running statistics")));
  // He + batch norm, seed 0: the running accuracy trails the end-of-epoch one, no lag.
  assert.equal(batchNormLag([epoch(1, 0.76, 0.916, 0.894), epoch(2, 0.929, 0.967, 0.937)]), null);
  assert.equal(batchNormLag([epoch(1, 0.8, 0.71, 0.7)]), null);
  assert.equal(batchNormLag([epoch(1, 0.8, undefined, 0.1)]), null);
});

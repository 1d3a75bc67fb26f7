import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourOf, lineChart, logTicks, niceTicks, PALETTE } from '../../src/serve/page/charts.js';
import { allZero, apply, epochSeries, fromSnapshot, layerSeries, seriesDomain } from '../../src/serve/page/series.js';
import type { Snapshot } from '../../src/serve/runs.js';
import type { EpochMetrics, TrialResult } from '../../src/serve/engine.js';

const metrics = (epoch: number, testAccuracy: number, trainLoss: number, extra: Partial<EpochMetrics> = {}): EpochMetrics => ({
  epoch, testAccuracy, trainLoss, trainAccuracy: 0, testLoss: 0, seconds: 1, trainSeconds: 1, gradNorms: [1, 0.5, 0.2], weightNorms: [1, 1, 1], activationStds: [0.5, 0.25, 4], ...extra,
});

test("colours follow report.html: its palette by the initializer's position in the config, stable as series arrive; a grid point's series dashed", () => {
  const domain = ['zeros', 'heNormal', 'glorotUniform'];
  assert.equal(colourOf('zeros', domain), PALETTE[0]);
  assert.equal(colourOf('heNormal', domain), PALETTE[1]);
  assert.equal(colourOf('glorotUniform', domain), PALETTE[2]);
  const svg = lineChart([{ name: 'glorotUniform', points: [{ x: 1, y: 0.1 }] }], { xLabel: 'epoch', yLabel: 'acc', domain, integerX: true });
  assert.match(svg, new RegExp(`fill="${PALETTE[2]}"`), 'glorotUniform keeps its colour while alone on the chart');
  const grid = lineChart(
    [
      { name: 'heNormal · depth 2', init: 'heNormal', pointOrder: 0, points: [{ x: 1, y: 0.1 }, { x: 2, y: 0.2 }] },
      { name: 'heNormal · depth 5', init: 'heNormal', pointOrder: 1, points: [{ x: 1, y: 0.1 }, { x: 2, y: 0.3 }] },
    ],
    { xLabel: 'epoch', yLabel: 'acc', domain, integerX: true },
  );
  assert.equal(grid.match(new RegExp(`stroke="${PALETTE[1]}" stroke-width="2"/>`, 'g'))?.length, 2, 'the first point solid, in the chart and the legend');
  assert.equal(grid.match(/stroke-dasharray="6 3"/g)?.length, 2, 'the second dashed, in the chart and the legend');
});

test('a non-finite value, or a value <= 0 on a log scale, is a gap: the line breaks there', () => {
  const points = [{ x: 1, y: 1 }, { x: 2, y: 0.5 }, { x: 3, y: Number.NaN }, { x: 4, y: 0.2 }, { x: 5, y: 0.1 }, { x: 6, y: 0 }];
  const svg = lineChart([{ name: 'a', points }], { xLabel: 'x', yLabel: 'y', log: true });
  assert.equal(svg.match(/<path d="M/g)?.length, 2, 'two pieces of line: 1-2 and 4-5');
  assert.equal(svg.match(/<circle cx=/g)?.length, 4 + 1, 'four points and one legend mark');
  assert.equal(lineChart([{ name: 'a', points: [{ x: 1, y: null }] }], { xLabel: 'x', yLabel: 'y' }), '', 'nothing to draw: no chart');
});

test('ticks: round steps covering the data; decades on a log scale', () => {
  assert.deepEqual(niceTicks(0.11, 0.93), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(logTicks(0.003, 20), [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(logTicks(0.2, 0.6), [0.1, 0.2, 0.5, 1]);
});

const trial = (init: string, seed: number, epochs: EpochMetrics[]): TrialResult =>
  ({ id: `${init}${seed}`, init, seed, initializer: { name: init, params: {} }, status: 'ok', epochs, final: null, diagnostics: { atInit: [{ layer: 'dense1', activationStd: 1, gradNorm: 2 }, { layer: 'dense2', activationStd: 0, gradNorm: 1 }, { layer: 'output', activationStd: 4, gradNorm: 0.5 }], distinctUnits: [], deadFraction: [], saturatedFraction: [] } }) as unknown as TrialResult;

test('a page opened mid-run: the disk snapshot and the trials in flight, then events; a trial finished on disk is not redrawn from stale events', () => {
  const snapshot = {
    run: { id: 'r', name: 'r', state: 'running', createdAt: '', trials: 1, total: 4, live: true, files: [] },
    config: { initializers: [{ name: 'heNormal', label: 'heNormal' }, { name: 'zeros', label: 'zeros' }] },
    doc: { trials: [trial('heNormal', 0, [metrics(1, 0.8, 0.5), metrics(2, 0.9, 0.3)])], summary: [], backend: 'wasm', config: {} },
    inFlight: [
      { at: 0, event: { type: 'trialStart', index: 1, total: 4, init: 'zeros', seed: 0 } },
      { at: 0, event: { type: 'epoch', index: 1, init: 'zeros', seed: 0, metrics: metrics(1, 0.1, 2.3) } },
    ],
  } as unknown as Snapshot;
  const view = fromSnapshot(snapshot);
  assert.deepEqual(seriesDomain(view), ['heNormal', 'zeros']);
  // The finished trial's file was read before its trialEnd reached the server: stale events change nothing.
  assert.equal(apply(view, { type: 'epoch', index: 0, total: 4, epochs: 2, init: 'heNormal', seed: 0, metrics: metrics(2, 0.5, 9) }), false);
  apply(view, { type: 'epoch', index: 1, total: 4, epochs: 2, init: 'zeros', seed: 0, metrics: metrics(2, 0.11, 2.3) });
  apply(view, { type: 'trialStart', index: 2, total: 4, init: 'heNormal', seed: 1 });
  apply(view, { type: 'epoch', index: 2, total: 4, epochs: 2, init: 'heNormal', seed: 1, metrics: metrics(1, 0.6, 0.7) });
  const accuracy = epochSeries(view, 'testAccuracy');
  const he = accuracy.find((s) => s.name === 'heNormal')!;
  assert.deepEqual(he.points[0], { x: 1, y: 0.7, min: 0.6, max: 0.8 }, 'epoch 1: mean and range over the two seeds so far');
  assert.deepEqual(he.points[1], { x: 2, y: 0.9, min: 0.9, max: 0.9 });
  assert.deepEqual(accuracy.find((s) => s.name === 'zeros')!.points.map((p) => p.y), [0.1, 0.11]);
  // Per hidden layer (the output left out, as report.html does): at init from the finished trial's
  // diagnostics (0 is kept, for the chart to leave out and the page to name), then per epoch.
  assert.deepEqual(layerSeries(view, 'activationStd', 0), [{ name: 'heNormal', init: 'heNormal', pointOrder: 0, points: [{ x: 1, y: 1 }, { x: 2, y: 0 }] }]);
  assert.deepEqual(layerSeries(view, 'gradNorm', 2).map((s) => [s.name, s.points.map((p) => p.y)]), [['heNormal', [1, 0.5]], ['zeros', [1, 0.5]]]);
  assert.deepEqual(allZero([{ name: 'zeros', points: [{ x: 1, y: 0 }, { x: 2, y: 0 }] }, { name: 'he', points: [{ x: 1, y: 0 }, { x: 2, y: 1 }] }]), ['zeros']);
});

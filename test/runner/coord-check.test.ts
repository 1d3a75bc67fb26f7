import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { checkCoordSettings, coordCheck, logLogSlope, verdictOf, type CoordCheckSettings } from '../../src/runner/coord-check.js';

test('logLogSlope recovers a power law exactly; a zero value gives no fit', () => {
  const widths = [64, 256, 1024];
  assert.ok(Math.abs(logLogSlope(widths, widths.map((w) => 3 * w ** 0.5))! - 0.5) < 1e-12);
  assert.ok(Math.abs(logLogSlope(widths, widths.map((w) => 2 * w ** -1))! + 1) < 1e-12);
  assert.equal(logLogSlope(widths, [1, 0, 2]), null);
});

test('verdictOf names growing and shrinking layers beyond the threshold', () => {
  const slopes = [
    { parametrization: 'standard' as const, step: 3, layer: 'dense1', slope: -0.5 },
    { parametrization: 'standard' as const, step: 3, layer: 'dense2', slope: 0.1 },
    { parametrization: 'standard' as const, step: 3, layer: 'logits', slope: 1.1 },
    { parametrization: 'mup' as const, step: 3, layer: 'logits', slope: null },
  ];
  const v = verdictOf(slopes, 'standard', 3);
  assert.deepEqual(v.grows.map((x) => x.layer), ['logits']);
  assert.deepEqual(v.shrinks.map((x) => x.layer), ['dense1']);
  assert.deepEqual(verdictOf(slopes, 'mup', 3).unfitted, ['logits']);
});

const config = resolveConfig({ initializers: ['heNormal'], data: { trainSize: 200, testSize: 100 }, model: { depth: 2, width: 16 }, train: { optimizer: 'adam', lr: 0.01 } });
const settings = (over: Partial<CoordCheckSettings> = {}): CoordCheckSettings => ({
  widths: [16, 64],
  steps: 2,
  parametrizations: ['standard', 'mup'],
  batch: 16,
  seeds: [0],
  init: config.initializers[0],
  model: config.grid[0].model,
  optimizer: 'adam',
  lr: 0.01,
  ...over,
});

test('checkCoordSettings: every problem before any work, one line each', () => {
  assert.deepEqual(checkCoordSettings(settings()), []);
  const problems = checkCoordSettings(settings({ widths: [64, 64, 0], steps: 101, batch: 0 }));
  assert.ok(problems.some((p) => p.includes('--widths has 0')));
  assert.ok(problems.some((p) => p.includes('more than once')));
  assert.ok(problems.some((p) => p.includes('--steps is 101')));
  assert.ok(problems.some((p) => p.includes('--batch is 0')));
  const huge = checkCoordSettings(settings({ widths: [64, 8192], model: { ...config.grid[0].model, hidden: [1, 1, 1] } }));
  assert.match(huge[0], /the widest network \(width 8192\) has 140,746,762 weights and biases; at most 20,000,000/);
});

test('coordCheck: a point per parametrization, width, step and layer; muP at its base width equals standard', async () => {
  const r = await coordCheck({ ...config, backend: 'wasm' }, settings({ widths: [64, 128] }));
  assert.deepEqual(r.layers, ['dense1', 'dense2', 'logits']);
  assert.equal(r.points.length, 2 * 2 * 3 * 3);
  assert.ok(r.points.every((p) => p.meanAbs > 0 && Number.isFinite(p.meanAbs)));
  // baseWidth is 64 (default): there muP is the standard net, step after step.
  for (const p of r.points.filter((x) => x.width === 64 && x.parametrization === 'mup')) {
    const s = r.points.find((x) => x.width === 64 && x.parametrization === 'standard' && x.step === p.step && x.layer === p.layer)!;
    assert.ok(Math.abs(p.meanAbs - s.meanAbs) <= 1e-5 * s.meanAbs, `${p.layer} step ${p.step}: ${p.meanAbs} vs ${s.meanAbs}`);
  }
  assert.equal(r.verdicts.length, 4);
});

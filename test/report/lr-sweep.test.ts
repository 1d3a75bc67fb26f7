import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lrOptima, lrSweepChart } from '../../src/report/lr-sweep.js';
import { doc, trial } from './fixtures.js';

// Final test loss (fixtures: 0.3 unless set) chosen so that each line has one clear minimum.
const at = (parametrization: string, width: number, lr: number, loss: number | null, seed = 0) => {
  const t = trial({ init: 'heNormal', seed, point: { width, parametrization, lr } }, Math.round(lr * 1e4) + width + seed);
  return loss === null ? { ...t, status: 'diverged' as const, final: null } : { ...t, final: { ...t.final!, testLoss: loss } };
};

test('lrOptima: the lr of lowest mean test loss per parametrization and width; a diverged seed removes its lr', () => {
  const trials = [
    at('standard', 64, 0.001, 0.9), at('standard', 64, 0.01, 0.4), at('standard', 64, 0.1, 1.5),
    at('standard', 1024, 0.001, 0.35), at('standard', 1024, 0.01, 0.5), at('standard', 1024, 0.1, null),
    at('mup', 1024, 0.001, 0.8), at('mup', 1024, 0.01, 0.36), at('mup', 1024, 0.01, 0.38, 1), at('mup', 1024, 0.001, 0.2, 1), at('mup', 1024, 0.1, 0.1), at('mup', 1024, 0.1, null, 1),
  ];
  const optima = lrOptima(doc(trials));
  const best = (panel: string, width: number) => optima.find((o) => o.panel === panel && o.line === `heNormal, width ${width}`);
  assert.equal(best('standard', 64)?.lr, 0.01);
  assert.equal(best('standard', 1024)?.lr, 0.001);
  // mup 1024: 0.001 averages 0.5, 0.01 averages 0.37, 0.1 diverged on seed 1.
  assert.equal(best('mup', 1024)?.lr, 0.01);
  assert.ok(Math.abs(best('mup', 1024)!.testLoss - 0.37) < 1e-12);
});

test('lrSweepChart: drawn for a grid of 3 or more learning rates, absent otherwise', async () => {
  const three = [0.001, 0.01, 0.1].map((lr, i) => at('standard', 64, lr, 0.5 + i));
  const chart = await lrSweepChart(doc(three));
  assert.ok(chart && chart.svg.includes('<svg') && chart.caption.includes('heNormal, width 64: 0.001'));
  assert.equal(await lrSweepChart(doc(three.slice(0, 2))), null);
});

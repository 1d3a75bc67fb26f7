import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spread, tQuantile, tTwoSided, welch } from '../../src/results/stats.js';

// Reference values computed by hand from the definitions (means, sample variances, Welch-
// Satterthwaite df) with the p-value from a numeric integral of Student's t density (Simpson,
// 200,000 steps), independently of the code under test.
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("Welch's t-test matches hand-computed values", () => {
  const r = welch([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])!;
  close(r.t, -1.8973665961010275, 1e-12, 't');
  close(r.df, 5.882352941176471, 1e-12, 'df');
  close(r.p, 0.10753119494252572, 1e-9, 'p');
  const s = welch([0.91, 0.93, 0.92], [0.85, 0.88, 0.86, 0.87])!;
  close(s.t, 6.350852961085883, 1e-9, 't');
  close(s.df, 4.959183673469389, 1e-9, 'df');
  close(s.p, 0.001473299919953881, 1e-9, 'p');
});

test('one seed: no test; equal constant samples: p = 1', () => {
  assert.equal(welch([0.9], [0.8, 0.85]), null);
  assert.equal(welch([0.5, 0.5], [0.5, 0.5])!.p, 1);
  assert.equal(welch([0.5, 0.5], [0.4, 0.4])!.p, 0);
});

test('t quantiles and the 95% confidence interval', () => {
  close(tQuantile(0.975, 2), 4.302652729911275, 1e-9, 't(0.975, 2)');
  close(tQuantile(0.975, 9), 2.262157162798205, 1e-9, 't(0.975, 9)');
  close(tTwoSided(1.959963984540054, 1e7), 0.05, 1e-6, 'normal limit');
  const s = spread([0.91, 0.93, 0.92]);
  close(s.mean, 0.92, 1e-12, 'mean');
  close(s.std, 0.01, 1e-12, 'std');
  // 0.92 +- 4.302652729911275 * 0.01 / sqrt(3)
  close(s.ci95![0], 0.92 - 0.024841377117503, 1e-9, 'ci lo');
  close(s.ci95![1], 0.92 + 0.024841377117503, 1e-9, 'ci hi');
  assert.equal(spread([0.5]).ci95, null);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSeed, Rng } from '../../src/util/random.js';

test('the generator is deterministic per seed, and seed 0 is a real seed', () => {
  const a = new Rng(0);
  const b = new Rng(0);
  const c = new Rng(1);
  const xs = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.uniform()));
});

test('derived seeds differ by purpose and layer', () => {
  const seeds = new Set([deriveSeed(0, 'weights', 0), deriveSeed(0, 'weights', 1), deriveSeed(0, 'split'), deriveSeed(1, 'weights', 0)]);
  assert.equal(seeds.size, 4);
});

test('normal draws have mean 0 and variance 1 (200k draws: tolerance 5 standard errors)', () => {
  const rng = new Rng(42);
  const n = 200_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    s += z;
    s2 += z * z;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  // Var of the sample variance of a normal is 2/n.
  assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import chalk from 'chalk';
import { comparisonTable } from '../../src/report/table.js';
import { summarizeTrials } from '../../src/results/summary.js';
import { doc, trial } from './fixtures.js';

chalk.level = 0;

/** A shard of a 2-initializer, 4-seed experiment holding heNormal twice and zeros once. */
function shardDoc(bestOnce: boolean) {
  const twice = bestOnce ? 'zeros' : 'heNormal';
  const once = bestOnce ? 'heNormal' : 'zeros';
  const trials = [
    trial({ init: twice, seed: 0, accuracy: [0.5, bestOnce ? 0.6 : 0.9] }, 0),
    trial({ init: once, seed: 1, accuracy: [0.5, bestOnce ? 0.9 : 0.6] }, 1),
    trial({ init: twice, seed: 3, accuracy: [0.5, bestOnce ? 0.62 : 0.92] }, 2),
  ];
  const d = doc(trials, { seeds: [0, 1, 2, 3] });
  d.summary = summarizeTrials(trials, ['heNormal', 'zeros']);
  return { ...d, complete: false, shard: { index: 1, count: 3, trials: 3 } };
}

test("a shard's table gives no spread for one trial, and says which side of a test has one seed", () => {
  const bestTwice = comparisonTable(shardDoc(false), 0.99, Infinity);
  const zerosRow = bestTwice.split('\n').find((l) => l.includes(' zeros '))!;
  assert.doesNotMatch(zerosRow, /±/, `one trial has no std: ${zerosRow}`);
  assert.match(zerosRow, /60\.0%/);
  assert.match(zerosRow, /no test \(1 seed\)/);
  const heRow = bestTwice.split('\n').find((l) => l.includes(' heNormal '))!;
  assert.match(heRow, /91\.0% ± 1\.4%/, 'two trials: mean ± std');

  const bestOnce = comparisonTable(shardDoc(true), 0.99, Infinity);
  const twiceRow = bestOnce.split('\n').find((l) => l.includes(' zeros '))!;
  assert.match(twiceRow, /no test \(the best has 1 seed\)/, `zeros ran twice: ${twiceRow}`);
});

test('a shard whose initializers ran once each points to the merge for the test, not to --seeds', () => {
  const trials = [trial({ init: 'heNormal', seed: 0 }, 0), trial({ init: 'zeros', seed: 1 }, 1)];
  const d = { ...doc(trials, { seeds: [0, 1] }), complete: false, shard: { index: 1, count: 2, trials: 2 } };
  const text = comparisonTable(d, 0.9, Infinity);
  assert.match(text, /in this shard: the significance test comes with the merged folder/);
  assert.doesNotMatch(text, /run with --seeds/);
});

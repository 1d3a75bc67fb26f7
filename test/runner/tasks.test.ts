import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { enumerateTasks, longestFirst, taskCost } from '../../src/runner/tasks.js';
import { runCli, tempDir } from '../helpers.js';
import { tinyRun, untimed } from '../fixtures.js';

test('taskCost: a forward pass\'s multiply-adds times examples and epochs', () => {
  const cost = (input: Parameters<typeof resolveConfig>[0]) => taskCost(enumerateTasks(resolveConfig(input, {}))[0]);
  // 784*256 + 256*128 + 128*10 multiply-adds per example, 8000 examples, 3 epochs.
  assert.equal(cost({}), (784 * 256 + 256 * 128 + 128 * 10) * 8000 * 3);
  assert.equal(cost({ train: { epochs: 6 } }), 2 * cost({}));
  assert.equal(cost({ data: { trainSize: 4000 } }), cost({}) / 2);
  // The default CNN: conv 3x3 16 on 26x26 positions, pool to 13, conv 3x3 32 on 11x11, pool to 5, dense 800 -> 10.
  assert.equal(cost({ model: { kind: 'cnn' } }), (9 * 16 * 26 * 26 + 9 * 16 * 32 * 11 * 11 + 5 * 5 * 32 * 10) * 8000 * 3);
});

test('longestFirst: the costliest tasks first, ties in their order', () => {
  const tasks = enumerateTasks(resolveConfig({ initializers: ['he', 'zeros'], model: { depth: [2, 8], width: [16, 64] } }, {}));
  // Grid points (depth, width), two initializers each: (2,16) 12,960 multiply-adds per example,
  // (2,64) 54,912, (8,16) 14,496, (8,64) 79,488.
  assert.deepEqual(longestFirst(tasks).map((t) => t.index), [6, 7, 2, 3, 4, 5, 0, 1]);
  const same = enumerateTasks(resolveConfig({ initializers: ['he', 'zeros', 'xavier'] }, {}));
  assert.deepEqual(longestFirst(same).map((t) => t.index), [0, 1, 2]);
});

test('a grid run with --jobs 2 (longest first) gives the document of --jobs 1', async () => {
  const grid = (jobs: string) => ['run', ...tinyRun({ '--init': 'he,zeros', '--hidden': null, '--depth': '1,3', '--width': '8', '--jobs': jobs }, '--json', '--quiet', '--out', join(tempDir(), 'r'))];
  const [one, two] = await Promise.all([runCli(grid('1')), runCli(grid('2'))]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const trials = (stdout: string) => untimed((JSON.parse(stdout) as { trials: unknown[] }).trials);
  assert.deepEqual(trials(two.stdout), trials(one.stdout));
});

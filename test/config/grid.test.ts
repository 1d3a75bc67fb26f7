import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagsToOverrides } from '../../src/config/flags.js';
import { resolveConfig } from '../../src/config/load.js';
import { enumerateTasks } from '../../src/runner/tasks.js';
import { inShard, parseShard } from '../../src/runner/shard.js';
import { UserError } from '../../src/errors.js';

test('lists on grid axes make a product, in a stable order, with stable ids', () => {
  const config = resolveConfig({ initializers: ['he', 'xavier'], seeds: [0, 1], model: { depth: [2, 4], width: 16, activation: ['relu', 'tanh'] }, train: { lr: [0.1, 0.01] } }, {});
  assert.deepEqual(config.varied, ['activation', 'depth', 'lr']);
  assert.equal(config.grid.length, 8);
  assert.deepEqual(config.grid[0].values, { activation: 'relu', depth: 2, lr: 0.1 });
  assert.deepEqual(config.grid[1].values, { activation: 'relu', depth: 2, lr: 0.01 });
  assert.deepEqual(config.grid[2].model.hidden, [16, 16, 16, 16]);
  const tasks = enumerateTasks(config);
  assert.equal(tasks.length, 8 * 2 * 2);
  assert.deepEqual(tasks.slice(0, 4).map((t) => [t.seed, t.spec.label]), [[0, 'heNormal'], [0, 'glorotUniform'], [1, 'heNormal'], [1, 'glorotUniform']]);
  assert.equal(new Set(tasks.map((t) => t.id)).size, tasks.length, 'ids are distinct');
  const again = enumerateTasks(resolveConfig(config.resolved, {}));
  assert.deepEqual(again.map((t) => t.id), tasks.map((t) => t.id), 'config.json reads back to the same trials');
});

test('grid axes from flags', () => {
  const config = resolveConfig({}, flagsToOverrides({ lr: '0.01,0.1', optimizer: 'sgd,adam', depth: '3', width: '8,16' }));
  assert.deepEqual(config.varied, ['width', 'optimizer', 'lr']);
  assert.equal(config.grid.length, 8);
});

test('shards split the trials k mod n; auto reads Kubernetes and SLURM indices', () => {
  assert.deepEqual(parseShard('3/16'), { index: 3, count: 16, source: 'command line' });
  assert.deepEqual(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' }), { index: 1, count: 4, source: 'JOB_COMPLETION_INDEX=0' });
  assert.deepEqual(parseShard('auto', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }).index, 5);
  for (const bad of ['0/4', '5/4', 'x', 'auto', '3']) assert.throws(() => parseShard(bad, {}), UserError, bad);
  const tasks = Array.from({ length: 10 }, (_, index) => ({ index }));
  const shards = [1, 2, 3].map((i) => inShard(tasks, { index: i, count: 3 }).map((t) => t.index));
  assert.deepEqual(shards, [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
});

test('width without depth is a config error', () => {
  assert.throws(() => resolveConfig({ model: { width: 8 } }, {}), /`model\.width` is given without `model\.depth`/);
});

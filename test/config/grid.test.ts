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

test('model.batchNorm is a grid axis: [false, true] runs every initializer without and with it', () => {
  const config = resolveConfig({ initializers: ['he'], model: { depth: 2, width: 8, batchNorm: [false, true] } }, {});
  assert.deepEqual(config.varied, ['batchNorm']);
  assert.deepEqual(config.grid.map((p) => [p.values, p.model.batchNorm]), [[{ batchNorm: false }, false], [{ batchNorm: true }, true]]);
  const again = resolveConfig(config.resolved, {});
  assert.deepEqual(again.grid.map((p) => p.model.batchNorm), [false, true], 'config.json reads back to the same grid');
});

test('--batch-norm alone is true; with "false,true" it is the grid axis; a bad value is named', () => {
  assert.equal(resolveConfig({}, flagsToOverrides({ batchNorm: true })).model.batchNorm, true);
  assert.equal(resolveConfig({}, flagsToOverrides({ batchNorm: 'false' })).model.batchNorm, false);
  assert.deepEqual(resolveConfig({}, flagsToOverrides({ batchNorm: 'false,true' })).grid.map((p) => p.model.batchNorm), [false, true]);
  assert.throws(() => resolveConfig({}, flagsToOverrides({ batchNorm: 'maybe' })), /batchNorm/);
});

test('data.labeledSize is part of the training set; layerwisePretrain refuses a CNN', () => {
  assert.equal(resolveConfig({ data: { trainSize: 2000, labeledSize: 500 } }, {}).data.labeledSize, 500);
  assert.equal(resolveConfig({}, flagsToOverrides({ labeledSize: '300' })).data.labeledSize, 300);
  assert.throws(() => resolveConfig({ data: { trainSize: 2000, labeledSize: 3000 } }, {}), /`data.labeledSize` is 3000; it must be at most `data.trainSize` \(2000\)/);
  assert.throws(() => resolveConfig({ initializers: ['pretrain'], model: { kind: 'cnn' } }, {}), /initializer layerwisePretrain: layerwisePretrain pretrains the dense layers of an MLP; this model has conv layers/);
  const spec = resolveConfig({}, flagsToOverrides({ init: 'pretrain(epochs=2,tied=false)' })).initializers[0];
  assert.equal(spec.name, 'layerwisePretrain');
  assert.deepEqual(spec.params, { epochs: 2, optimizer: 'adam', lr: 0.001, batchSize: 64, corruption: 0.25, tied: false, decoder: 'auto' });
  const withOutput = resolveConfig({ initializers: [{ name: 'pretrain', output: 'heNormal' }] }, {}).initializers[0];
  assert.deepEqual([withOutput.name, withOutput.layers?.output?.name], ['layerwisePretrain', 'heNormal'], 'the output layer from a named initializer');
});

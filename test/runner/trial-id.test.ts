import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { idNeutralDefaults } from '../../src/config/schema.js';
import { enumerateTasks } from '../../src/runner/tasks.js';

/**
 * A trial's id hashes its settings; keys added later (schema.ts `idNeutralDefault`) are left out
 * at their default only. test/cli/batch.test.ts resumes a folder the older version wrote.
 */
const ids = (input: Record<string, unknown>) => enumerateTasks(resolveConfig({ initializers: ['heNormal'], model: { hidden: [16], batchNorm: true }, ...input })).map((t) => t.id);

test('the batch-norm keys are id-neutral at their default and change the id at any other value', () => {
  assert.deepEqual(idNeutralDefaults.map((k) => `${k.section}.${k.key}=${k.value}`), ['model.batchNormMomentum=0.99', 'train.recomputeBatchNormStats=false']);
  const base = ids({});
  assert.deepEqual(ids({ model: { hidden: [16], batchNorm: true, batchNormMomentum: 0.99 }, train: { recomputeBatchNormStats: false } }), base, 'the defaults spelled out');
  assert.notDeepEqual(ids({ model: { hidden: [16], batchNorm: true, batchNormMomentum: 0.9 } }), base);
  assert.notDeepEqual(ids({ train: { recomputeBatchNormStats: true } }), base);
  // A key that is not id-neutral still counts at its default: an explicit default lr is the same
  // trial, another lr is not.
  assert.deepEqual(ids({ train: { lr: 0.01 } }), base);
  assert.notDeepEqual(ids({ train: { lr: 0.02 } }), base);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { parseShard, shardSize } from '../../src/runner/shard.js';

/** What SLURM sets in each task of an array (sbatch(1), "OUTPUT ENVIRONMENT VARIABLES"). */
function slurm(ids: number[], id: number, step?: number): NodeJS.ProcessEnv {
  return {
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_MIN: String(Math.min(...ids)),
    SLURM_ARRAY_TASK_MAX: String(Math.max(...ids)),
    SLURM_ARRAY_TASK_COUNT: String(ids.length),
    ...(step === undefined ? {} : { SLURM_ARRAY_TASK_STEP: String(step) }),
  };
}

test('--shard auto under a SLURM array with a step (--array=0-6:2) numbers the shards 1..4', () => {
  const ids = [0, 2, 4, 6];
  assert.deepEqual(ids.map((id) => parseShard('auto', slurm(ids, id, 2)).index), [1, 2, 3, 4]);
  assert.deepEqual(ids.map((id) => parseShard('auto', slurm(ids, id, 2)).count), [4, 4, 4, 4]);
  assert.match(parseShard('auto', slurm(ids, 4, 2)).source, /SLURM_ARRAY_TASK_STEP=2/);
  // --array=1-7:2, and a plain range without a step variable (older SLURM) still work.
  assert.deepEqual([1, 3, 5, 7].map((id) => parseShard('auto/4', slurm([1, 3, 5, 7], id, 2)).index), [1, 2, 3, 4]);
  assert.deepEqual([3, 4, 5].map((id) => parseShard('auto', slurm([3, 4, 5], id)).index), [1, 2, 3]);
});

test('--shard auto under a SLURM array listed with gaps (--array=1,3,5,7) is refused, saying what to write', () => {
  // SLURM gives a list its own MIN, MAX and COUNT; with step 1 they do not add up.
  for (const step of [1, undefined]) {
    assert.throws(
      () => parseShard('auto', slurm([1, 3, 5, 7], 5, step)),
      (e: unknown) => e instanceof UserError && /gaps/.test(e.message) && /--array=0-3/.test(e.message) && /--array=1-7:2/.test(e.message) && !e.message.includes('\n'),
    );
  }
  // An id that is not on the step's grid is the same mistake.
  assert.throws(() => parseShard('auto', slurm([0, 2, 4, 6], 3, 2)), UserError);
});

test('an index past the shard count names where it came from and what to change', () => {
  assert.throws(
    () => parseShard('auto/2', { JOB_COMPLETION_INDEX: '5' }),
    (e: unknown) => e instanceof UserError && /JOB_COMPLETION_INDEX=5/.test(e.message) && /only 2 shards/.test(e.message) && !/shard 6 of 2/.test(e.message),
  );
  assert.throws(() => parseShard('3/2'), (e: unknown) => e instanceof UserError && /shards are numbered 1 to 2/.test(e.message));
});

test('shardSize counts the positions of a shard; past the last trial a shard is empty', () => {
  assert.equal(shardSize(2, { index: 1, count: 16 }), 1);
  assert.equal(shardSize(2, { index: 2, count: 16 }), 1);
  assert.equal(shardSize(2, { index: 5, count: 16 }), 0);
  assert.equal(shardSize(10, { index: 3, count: 4 }), 2); // positions 2, 6
  assert.equal(shardSize(10, { index: 4, count: 4 }), 2); // positions 3, 7
  for (let total = 0; total < 12; total++) {
    const sizes = [1, 2, 3, 4, 5].map((index) => shardSize(total, { index, count: 5 }));
    assert.equal(sizes.reduce((a, b) => a + b, 0), total, 'the shards partition the trials');
  }
});

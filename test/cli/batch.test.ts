import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, signalOwnStderr, tempDir } from '../helpers.js';
import { tinyRun, untimed, watchWrites } from '../fixtures.js';

/** A grid of 8 trials: two initializers, two depths, two seeds. */
const GRID = { '--init': 'he,xavier', '--hidden': null, '--depth': '1,2', '--width': '32', '--seeds': '0,1', '--train-size': '500', '--test-size': '200', '--batch-size': '50' };
const grid = (changes: Parameters<typeof tinyRun>[0], ...extra: string[]) => ['run', ...tinyRun({ ...GRID, ...changes }, '--quiet', '--json', ...extra)];

type Trial = { id: string; status: string; epochs: Record<string, unknown>[]; final: Record<string, unknown> | null };
const trialsOf = (stdout: string) => untimed(JSON.parse(stdout).trials as Trial[]);

test('merging shard folders gives the trials of a single run, in order; different configs are refused', async () => {
  const root = tempDir();
  const [full, s1, s2, s3] = await Promise.all([
    runCli(grid({ '--jobs': null }, '--out', join(root, 'full'))),
    runCli(grid({}, '--shard', '1/3', '--out', join(root, 's1'))),
    runCli(grid({}, '--shard', '2/3', '--out', join(root, 's2'))),
    runCli(grid({}, '--shard', 'auto/3', '--out', join(root, 's3')), { JOB_COMPLETION_INDEX: '2' }),
  ]);
  for (const r of [full, s1, s2, s3]) assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(s1.stdout).trials.length, 3); // trials 0, 3, 6 of 8
  assert.deepEqual(JSON.parse(s3.stdout).shard, { index: 3, count: 3, trials: 2 });
  const merged = await runCli(['merge', join(root, 's2'), join(root, 's1'), join(root, 's3'), '--out', join(root, 'm'), '--json']);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(JSON.parse(merged.stdout).complete, true);
  assert.deepEqual(trialsOf(merged.stdout), trialsOf(full.stdout));
  assert.equal(readdirSync(join(root, 'm', 'trials')).length, 8);

  const other = await runCli(grid({ '--epochs': '2' }, '--shard', '1/3', '--out', join(root, 'other')));
  const refused = await runCli(['merge', join(root, 's1'), join(root, 'other'), '--out', join(root, 'm2')]);
  assert.equal(other.code, 0);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /cannot merge: the config of .*other differs .*\(train\.epochs\)/);
});

test('resume after SIGINT runs only the missing trials and completes the grid', async () => {
  const dir = join(tempDir(), 'r');
  const args = ['run', ...tinyRun({ '--init': 'he,xavier,lecun', '--seeds': '0,1', '--train-size': '1500', '--test-size': '200', '--hidden': '64', '--epochs': '2' }, '--out', dir)];
  const first = await runCli(args, signalOwnStderr(/trial 4\/6/, 'SIGINT'));
  assert.equal(first.code, 130, first.stderr);
  const saved = readdirSync(join(dir, 'trials'));
  assert.equal(saved.length, 3);
  const written = watchWrites(saved.map((f) => join(dir, 'trials', f)));

  const resumed = await runCli(['run', '--resume', dir, '--jobs', '1']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /3 of 6 trials already finished, 3 to run/);
  const started = resumed.stderr.match(/^trial \d\/6:/gm) ?? [];
  assert.deepEqual(started, ['trial 4/6:', 'trial 5/6:', 'trial 6/6:'], 'only the missing trials ran');
  assert.deepEqual(written(), [], 'finished trials untouched');
  const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.equal(doc.complete, true);
  assert.equal(doc.trials.length, 6);
  const again = await runCli(['run', '--resume', dir, '--epochs', '3']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /--resume takes the experiment from .*config\.json; drop --epochs/);
});

/**
 * test/fixtures/folder-before-bn-keys: a folder written by init-bench before model.batchNormMomentum
 * and train.recomputeBatchNormStats existed (main at bfc2d83: `init-bench run` of 2 initializers x
 * batch norm false,true x 2 seeds, 200/100 digits, hidden 16, 1 epoch, batch 50), its last two
 * trials (and results.json) removed as an interrupted run leaves them. At their defaults the two
 * keys compute what the older version computed, so trial ids leave them out and the folder resumes.
 */
test('a folder made before the batch-norm keys existed resumes without re-running its trials', async () => {
  const dir = join(tempDir(), 'old');
  cpSync(join(ROOT, 'test', 'fixtures', 'folder-before-bn-keys'), dir, { recursive: true });
  const saved = readdirSync(join(dir, 'trials'));
  assert.equal(saved.length, 6);
  const written = watchWrites(saved.map((f) => join(dir, 'trials', f)));
  const resumed = await runCli(['run', '--resume', dir, '--jobs', '1']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stderr, /not trials of this folder/);
  assert.match(resumed.stderr, /6 of 8 trials already finished, 2 to run/);
  assert.deepEqual(written(), [], 'finished trials untouched');
  // The ids the older version gave the two removed trials (batch norm on, seed 1).
  assert.deepEqual(readdirSync(join(dir, 'trials')).sort().slice(6), ['00006-5419fb607cf4.json', '00007-3612fb6ba762.json']);
  const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.equal(doc.complete, true);
  assert.equal(doc.trials.length, 8);
});

test('--expect: held is 0, failed is 4 with the measured value, malformed is 2 before training', async () => {
  const base = ['run', ...tinyRun({ '--train-size': '600', '--test-size': '200', '--hidden': '32', '--batch-size': '50' })];
  const held = await runCli([...base, '--out', join(tempDir(), 'a'), '--expect', 'heNormal.testAccuracy >= 0.3', '--expect', 'he > zeros', '--expect', 'zeros.epochsToTarget > 100']);
  assert.equal(held.code, 0, held.stderr);
  assert.match(held.stderr, /expect heNormal\.testAccuracy >= 0\.3: held \(0\.\d+\)/);
  assert.match(held.stderr, /expect he > zeros: held \(heNormal 0\.\d+ vs zeros 0\.\d+\)/);
  assert.match(held.stderr, /expect zeros\.epochsToTarget > 100: held \(never\)/);
  const failed = await runCli([...base, '--out', join(tempDir(), 'b'), '--expect', 'zeros > heNormal', '--expect', 'heNormal.testLoss < 0.0001']);
  assert.equal(failed.code, 4);
  assert.match(failed.stderr, /expect zeros > heNormal: FAILED/);
  assert.match(failed.stderr, /expect heNormal\.testLoss < 0\.0001: FAILED \(\d/);
  const malformed = await runCli([...base, '--out', join(tempDir(), 'c'), '--expect', 'heNormal.accuracy >= 0.9', '--expect', 'kaiming > orthogonal']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /invalid --expect \(2 problems\)/);
  assert.match(malformed.stderr, /orthogonal is not an initializer of this run/);
  assert.doesNotMatch(malformed.stderr, /trial 1/, 'no training happened');
});

test('--retries runs a failing trial again; --fail-fast stops at the first failure', async () => {
  // deltaOrthogonal cannot fill a conv layer from 8 to 4 channels: that trial fails every time.
  const cnn = (init: string, ...extra: string[]) => ['run', ...tinyRun({ '--init': init, '--train-size': '300', '--hidden': null, '--model': 'cnn', '--filters': '8,4' }, '--json', ...extra)];
  const retried = await runCli(cnn('deltaOrthogonal,he', '--retries', '2', '--out', join(tempDir(), 'a')));
  assert.equal(retried.code, 3);
  assert.equal((retried.stderr.match(/retry \d of 2/g) ?? []).length, 2);
  const stopped = await runCli(cnn('deltaOrthogonal,he,xavier', '--fail-fast', '--out', join(tempDir(), 'b')));
  assert.equal(stopped.code, 3);
  assert.match(stopped.stderr, /stopped at the first failed trial \(--fail-fast\)/);
  assert.equal(JSON.parse(stopped.stdout).trials.length, 1);
});

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';

const TINY = tinyRun({}, '--quiet');

test('a shard says so in its table, document and report; --expect belongs to merge, which exits 3 on missing trials', async () => {
  const root = tempDir();
  const [s1, s2] = await Promise.all([runCli(['run', ...TINY, '--shard', '1/2', '--out', join(root, 's1')]), runCli(['run', ...TINY, '--shard', '2/2', '--out', join(root, 's2')])]);
  assert.equal(s1.code, 0, s1.stderr);
  assert.equal(s2.code, 0, s2.stderr);
  assert.match(s1.stdout, /^Shard 1 of 2 \(1 trial\): the best below is this shard's, not the experiment's/);
  assert.equal(JSON.parse(readFileSync(join(root, 's1', 'results.json'), 'utf8')).complete, false);
  assert.match(readFileSync(join(root, 's1', 'report.html'), 'utf8'), /shard 1 of 2 \(1 trial\)/);

  const expectOnShard = await runCli(['run', ...TINY, '--shard', '1/2', '--expect', 'heNormal > zeros', '--out', join(root, 's3')]);
  assert.equal(expectOnShard.code, 2);
  assert.match(expectOnShard.stderr, /--expect checks the whole experiment.*init-bench merge/);
  assert.ok(!existsSync(join(root, 's3')), 'refused before anything is written');

  const partial = await runCli(['merge', join(root, 's1'), '--out', join(root, 'm1')]);
  assert.equal(partial.code, 3, partial.stderr);
  assert.match(partial.stderr, /1 of 2 trials are missing: run the missing shards.*--allow-partial/);
  assert.ok(existsSync(join(root, 'm1', 'report.html')) && existsSync(join(root, 'm1', 'metrics.csv')), 'the merged folder is whole');
  assert.match(partial.stdout, /^Incomplete/);
  const allowed = await runCli(['merge', join(root, 's1'), '--out', join(root, 'm2'), '--allow-partial']);
  assert.equal(allowed.code, 0, allowed.stderr);

  const held = await runCli(['merge', join(root, 's1'), join(root, 's2'), '--out', join(root, 'm3'), '--expect', 'heNormal.testAccuracy >= 0', '-q']);
  assert.equal(held.code, 0, held.stderr);
  assert.match(held.stderr, /expect heNormal\.testAccuracy >= 0: held/);
  assert.doesNotMatch(held.stdout, /Shard|Incomplete/);
  const failed = await runCli(['merge', join(root, 's1'), join(root, 's2'), '--out', join(root, 'm4'), '--expect', 'heNormal.testAccuracy >= 0.99', '-q']);
  assert.equal(failed.code, 4, failed.stderr);
  assert.match(failed.stderr, /expect heNormal\.testAccuracy >= 0\.99: FAILED/);
  const malformed = await runCli(['merge', join(root, 's1'), join(root, 's2'), '--out', join(root, 'm5'), '--expect', 'heNormal >=']);
  assert.equal(malformed.code, 2);
  assert.ok(!existsSync(join(root, 'm5')));
});

test('a shard past the last trial exits 0 with a line and writes nothing', async () => {
  const root = tempDir();
  const r = await runCli(['run', ...TINY.filter((a) => a !== '--quiet'), '--shard', '5/16', '--out', join(root, 's5')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /shard 5\/16 holds no trial: this experiment has 2 trials, so only shards 1 to 2 hold any; nothing to run, no folder written/);
  assert.ok(!existsSync(join(root, 's5')));
});

/**
 * A worker executor's stop() settles only once its process has exited: a run ends with no
 * process of its own left behind (and the workers' CPU time is the run's, for `time` and the bench).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { workerExecutor } from '../../src/runner/executors.js';

/** This process's child pids (Linux: /proc/self/task/<tid>/children). */
function children(): Set<number> {
  const pids = readdirSync('/proc/self/task').flatMap((tid) => readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  return new Set(pids);
}

test('a stopped worker has exited when stop() settles', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const config = resolveConfig({}, { backend: 'wasm' });
  const before = children();
  const executor = workerExecutor({ backend: config.backend, blas: config.blas, data: config.data, blasThreads: 1 });
  await executor.start();
  const started = [...children()].filter((p) => !before.has(p));
  assert.equal(started.length, 1, 'one worker process started');
  await executor.stop();
  assert.ok(!children().has(started[0]), `worker ${started[0]} still a child after stop()`);
});

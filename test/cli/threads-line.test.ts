import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadsLine } from '../../src/commands/output.js';

/** The run header's line on threads (output.ts threadsLine): what one trial at a time does with the cores. */
const start = (jobs: number, threads: number, toRun = 1) => ({ type: 'start' as const, total: toRun, toRun, finished: 0, jobs, threads });

test('one trial at a time: its threads when more than one; for a CNN on one of several cores, how to use them; else nothing', () => {
  assert.equal(threadsLine(start(1, 2), 2, false), 'one trial at a time, allowed 2 threads (--blas-threads; docs/backends.md says which networks use them)');
  assert.equal(threadsLine(start(1, 1), 4, true), 'one trial at a time on 1 of 4 cores: --blas-threads auto allows it 4 (a plain CNN shares its batches among them; docs/backends.md)');
  // An MLP gains nothing from more threads at the built-in sizes (docs/backends.md): no advice.
  assert.equal(threadsLine(start(1, 1), 4, false), null);
  // One core: nothing to use.
  assert.equal(threadsLine(start(1, 1), 1, true), null);
  // Trials in worker processes use the cores already; a resume with nothing to run says nothing.
  assert.equal(threadsLine(start(2, 1, 4), 2, true), null);
  assert.equal(threadsLine(start(1, 1, 0), 2, true), null);
});

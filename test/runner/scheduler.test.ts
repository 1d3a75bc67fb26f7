import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutorDied, type Executor } from '../../src/runner/executors.js';
import { schedule } from '../../src/runner/scheduler.js';
import type { TrialResult } from '../../src/results/schema.js';
import type { Task } from '../../src/runner/tasks.js';

/** Tasks and trials reduced to what the scheduler looks at. */
const tasks = (n: number) => Array.from({ length: n }, (_, index) => ({ index, id: `t${index}`, seed: 0, point: {}, spec: { label: `i${index}` } }) as unknown as Task);
const trial = (task: Task, status: TrialResult['status']) => ({ id: task.id, status, error: status === 'failed' ? 'boom' : undefined }) as TrialResult;

/** An executor whose outcome per task is scripted: 'ok', 'failed', 'die' (its process dies), or a thrown error. */
function fake(script: (task: Task, attempt: number) => 'ok' | 'failed' | 'die', starts: { n: number }, startError?: Error): () => Executor {
  const attempts = new Map<number, number>();
  return () => ({
    async start() {
      starts.n++;
      if (startError) throw startError;
      return { backend: 'fake', hint: null };
    },
    async run(task) {
      const a = (attempts.get(task.index) ?? 0) + 1;
      attempts.set(task.index, a);
      const outcome = script(task, a);
      if (outcome === 'die') throw new ExecutorDied('worker process crashed (SIGKILL)');
      return trial(task, outcome);
    },
    stop: async () => {},
  });
}

test('every task runs once, in order with one lane; the backend is reported', async () => {
  const seen: number[] = [];
  const starts = { n: 0 };
  const out = await schedule(tasks(5), { jobs: 1, makeExecutor: fake(() => 'ok', starts), onTrial: (t) => seen.push(t.index) });
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  assert.deepEqual(out, { backend: 'fake', stopped: null });
  assert.equal(starts.n, 1);
});

test('a failed trial runs again up to `retries` times; the last outcome is kept', async () => {
  const kept = new Map<number, string>();
  const retried: number[] = [];
  await schedule(tasks(3), {
    jobs: 1,
    retries: 2,
    makeExecutor: fake((t, a) => (t.index === 1 && a < 3 ? 'failed' : 'ok'), { n: 0 }),
    onRetry: (t) => retried.push(t.index),
    onTrial: (t, r) => kept.set(t.index, r.status),
  });
  assert.deepEqual(retried, [1, 1]);
  assert.deepEqual([...kept.values()], ['ok', 'ok', 'ok']);
});

test('a dead executor fails its trial only; a new one takes over the rest', async () => {
  const kept: [number, string, string | undefined][] = [];
  const starts = { n: 0 };
  await schedule(tasks(4), { jobs: 2, makeExecutor: fake((t) => (t.index === 1 ? 'die' : 'ok'), starts), onTrial: (t, r) => kept.push([t.index, r.status, r.error]) });
  kept.sort((a, b) => a[0] - b[0]);
  assert.deepEqual(kept.map(([i, s]) => [i, s]), [[0, 'ok'], [1, 'failed'], [2, 'ok'], [3, 'ok']]);
  assert.match(kept[1][2]!, /worker process crashed \(SIGKILL\)/);
  assert.equal(starts.n, 3, 'two lanes, and one replacement');
});

test('--fail-fast is a result: the run stops and says so', async () => {
  const seen: number[] = [];
  const out = await schedule(tasks(5), { jobs: 1, failFast: true, makeExecutor: fake((t) => (t.index === 2 ? 'failed' : 'ok'), { n: 0 }), onTrial: (t) => seen.push(t.index) });
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(out.stopped, 'failFast');
});

test('an executor that cannot start is an error with its reason, not a silent exit', async () => {
  const err = new Error('a worker process crashed (exit code 13) before it was ready: out of luck');
  await assert.rejects(schedule(tasks(3), { jobs: 2, makeExecutor: fake(() => 'ok', { n: 0 }, err), onTrial: () => {} }), /before it was ready: out of luck/);
});

test('an aborted signal stops the run as interrupted', async () => {
  const controller = new AbortController();
  const seen: number[] = [];
  const out = await schedule(tasks(5), {
    jobs: 1,
    signal: controller.signal,
    makeExecutor: fake(() => 'ok', { n: 0 }),
    onTrial: (t) => {
      seen.push(t.index);
      if (t.index === 1) controller.abort('SIGINT');
    },
  });
  assert.deepEqual(seen, [0, 1]);
  assert.equal(out.stopped, 'interrupted');
});

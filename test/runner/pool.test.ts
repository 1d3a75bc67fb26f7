import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { preload, runCli, tempDir } from '../helpers.js';
import { tinyRun, untimed } from '../fixtures.js';

const SMALL = { '--init': 'he,xavier,lecun,random', '--train-size': '800', '--test-size': '200', '--hidden': '32', '--epochs': '2', '--batch-size': '50' };

type Doc = { trials: { id: string; status: string; error?: string; epochs: Record<string, unknown>[] }[]; backend: string };

test('--jobs 2 gives the same trials, in the same order, and the same charts, as --jobs 1', async () => {
  const [outOne, outTwo] = [join(tempDir(), 'r'), join(tempDir(), 'r')];
  const [one, two] = await Promise.all([
    runCli(['run', ...tinyRun({ ...SMALL, '--jobs': '1' }, '--json', '--out', outOne)]),
    runCli(['run', ...tinyRun({ ...SMALL, '--jobs': '2' }, '--json', '--out', outTwo)]),
  ]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.match(two.stderr, /running 4 trials in 2 worker processes/);
  assert.deepEqual(untimed((JSON.parse(two.stdout) as Doc).trials), untimed((JSON.parse(one.stdout) as Doc).trials));
  // With worker processes the parent loads the chart renderer while they run: the same charts.
  const charts = (dir: string) => readFileSync(join(dir, 'report.html'), 'utf8').match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(charts(outOne).length, 5);
  assert.deepEqual(charts(outTwo), charts(outOne));
});

/**
 * Preloaded into every process of the run: in a worker, the first epoch report of
 * any trial is replaced by the worker killing itself with SIGKILL, as the OOM killer would, and
 * only in the first worker to get there (an exclusive create of `marker` decides). So exactly one
 * worker dies, mid-trial, however fast the trials run: killing it from outside, on a line of
 * output, raced the trial's end once epochs took milliseconds.
 */
const KILLER = `
if (process.argv[1] && process.argv[1].endsWith('worker.js') && process.send) {
  const fs = require('node:fs');
  const send = process.send.bind(process);
  process.send = (m, ...rest) => {
    if (m && m.type === 'epoch') {
      try { fs.writeFileSync(process.env.INIT_BENCH_TEST_MARKER, String(process.pid), { flag: 'wx' }); process.kill(process.pid, 'SIGKILL'); } catch {}
    }
    return send(m, ...rest);
  };
}
`;

test('a worker that dies marks its trial failed; the others finish; exit 3', async () => {
  const dir = tempDir();
  const args = ['run', ...tinyRun({ '--init': 'he,xavier,lecun,random', '--train-size': '800', '--test-size': '200', '--hidden': '32', '--epochs': '2', '--jobs': '2' }, '--json', '--out', join(dir, 'r'))];
  const r = await runCli(args, { ...preload(KILLER), INIT_BENCH_TEST_MARKER: join(dir, 'marker') });
  assert.equal(r.code, 3, r.stderr);
  assert.ok(Number(readFileSync(join(dir, 'marker'), 'utf8')) > 0, 'the preload ran in a worker');
  const doc = JSON.parse(r.stdout) as Doc;
  assert.equal(doc.trials.length, 4);
  const failed = doc.trials.filter((t) => t.status === 'failed');
  assert.equal(failed.length, 1);
  assert.match(failed[0].error!, /worker process crashed \(SIGKILL\)/);
  assert.equal(doc.trials.filter((t) => t.status === 'ok').length, 3);
});

test('--jobs must be a whole number >= 1', async () => {
  const r = await runCli(['run', '--jobs', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--jobs 0 must be a whole number >= 1/);
});

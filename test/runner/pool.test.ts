import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { onStderr, runCli, tempDir } from '../helpers.js';
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

test('a worker that dies marks its trial failed; the others finish; exit 3', async () => {
  const args = ['run', ...tinyRun({ '--init': 'he,xavier,lecun,random', '--train-size': '3000', '--test-size': '200', '--hidden': '64', '--epochs': '4', '--jobs': '2' }, '--json', '--out', join(tempDir(), 'r'))];
  // Once the first two trials (one per worker) have each reported an epoch, both workers are
  // running a trial: kill one outright (as the OOM killer would). Waiting for the first trial
  // alone could kill the other worker before it was ready, which a fast first epoch allows.
  const r = await runCli(args, {}, (child) =>
    onStderr(child, /^(?=[\s\S]*\[1\/4\] heNormal seed 0 epoch 1)(?=[\s\S]*\[2\/4\] [^\n]* epoch 1)/, () => {
      const pids = execFileSync('pgrep', ['-P', String(child.pid)]).toString().trim().split('\n').map(Number);
      process.kill(pids[0], 'SIGKILL');
    }),
  );
  assert.equal(r.code, 3, r.stderr);
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

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { onStderr, runCli, signalOwnStderr, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';

function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** Enough digits for He to beat zeros clearly. */
const SMALL = { '--train-size': '600', '--test-size': '200', '--hidden': '32', '--batch-size': '50' };

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace for a user error');
}

test('run --json prints exactly the results document on stdout and saves it', async () => {
  const out = join(tempDir(), 'r');
  const r = await runCli(['run', ...tinyRun(SMALL, '--json', '--out', out)]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.schemaVersion, 1);
  assert.match(doc.backend, /^wasm(\+| |$)/);
  assert.equal(doc.complete, true);
  assert.deepEqual(doc.trials.map((t: { init: string }) => t.init), ['heNormal', 'zeros']);
  for (const t of doc.trials) {
    assert.match(t.id, /^[0-9a-f]{12}$/);
    assert.equal(t.status, 'ok');
    assert.deepEqual(Object.keys(t.epochs[0]).slice(0, 8), ['epoch', 'trainLoss', 'trainAccuracy', 'trainEvalLoss', 'trainEvalAccuracy', 'testLoss', 'testAccuracy', 'seconds']);
    assert.ok('testAccuracy' in t.final && 'epochsToTarget' in t.final && 'secondsPerEpoch' in t.final);
  }
  assert.deepEqual(doc.summary.map((s: { init: string }) => s.init), ['heNormal', 'zeros']);
  assert.ok(doc.summary[0].testAccuracy.mean > doc.summary[1].testAccuracy.mean);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')), doc);
  assert.ok(existsSync(join(out, 'config.json')));
  assert.match(r.stderr, /backend: wasm/);
});

test('the table names each initializer, "never" for an unreached target, and the backend on stderr', async () => {
  const r = await runCli(['run', ...tinyRun({ ...SMALL, '--init': 'zeros,he' }, '--out', join(tempDir(), 'r'))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /heNormal/);
  assert.match(r.stdout, /zeros .*never/);
  assert.doesNotMatch(r.stdout, /\u001b\[/, 'NO_COLOR: no escape codes');
  assert.ok(r.stdout.indexOf('heNormal') < r.stdout.indexOf('zeros'), 'sorted by accuracy');
});

test('config errors exit 2 with one clear message and no stack', async () => {
  const r = await runCli(['run', '--epochs', '-1', '--init', 'heNormall', '--out', join(tempDir(), 'r')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /`train\.epochs` is -1/);
  assert.match(r.stderr, /did you mean heNormal/);
  noStack(r.stderr);
  const missing = await runCli(['run', '--config', 'no/such.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read config file no\/such\.yaml/);
  noStack(missing.stderr);
});

test('an explicitly requested backend that cannot load is exit 2, saying how to get it', async () => {
  const r = await runCli(['run', ...tinyRun({ ...SMALL, '--init': null }, '--backend', 'tensorflow', '--out', join(tempDir(), 'r'))]);
  if (r.code === 0) return; // tfjs-node is installed on this machine: nothing to check
  assert.equal(r.code, 2);
  assert.match(r.stderr, /backend "tensorflow" cannot be loaded.*npm install @tensorflow\/tfjs-node/);
  noStack(r.stderr);
});

test('a failed trial beside finished ones is exit 3 and is recorded as failed', async () => {
  // deltaOrthogonal needs in <= out channels: a conv layer from 8 to 4 channels makes that trial fail.
  const out = join(tempDir(), 'r');
  const r = await runCli(['run', ...tinyRun({ ...SMALL, '--init': 'he,deltaOrthogonal', '--hidden': null, '--model': 'cnn', '--filters': '8,4' }, '--out', out, '--json')]);
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.trials.map((t: { status: string }) => t.status), ['ok', 'failed']);
  assert.match(doc.trials[1].error, /in <= out/);
});

test('SIGINT keeps the finished trials, writes a partial summary and exits 130', async () => {
  const out = join(tempDir(), 'r');
  const args = ['run', ...tinyRun({ '--init': 'he,xavier,lecun,random', '--seeds': '0,1,2', '--train-size': '2000', '--test-size': '200', '--hidden': '64', '--epochs': '3', '--jobs': '2' }, '--out', out)];
  // Two workers (pinned: with more, trial 3 would start before any trial finished): trial 3 starts only once a trial has finished.
  const r = await runCli(args, {}, (child) => onStderr(child, /trial 3\//, () => child.kill('SIGINT')));
  assert.equal(r.code, 130, r.stderr);
  const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(doc.complete, false);
  assert.ok(doc.trials.length >= 1 && doc.trials.length < 12, `${doc.trials.length} trials`);
  // Which trials finished first depends on the workers; the summary covers exactly those.
  assert.deepEqual(new Set(doc.summary.map((s: { init: string }) => s.init)), new Set(doc.trials.map((t: { init: string }) => t.init)));
  assert.match(r.stderr, /interrupted: \d+ finished trial\(s\) saved/);
});

test('--help and list answer without loading tfjs (NODE_DEBUG=module logs every module loaded)', async () => {
  const loadsTfjs = (stderr: string) => /^MODULE \d+: .*@tensorflow[/\\]tfjs-core/m.test(stderr);
  const help = await runCli(['run', '--help'], { NODE_DEBUG: 'module' });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--init <list>/);
  assert.equal(loadsTfjs(help.stderr), false, 'run --help loaded tfjs');
  const list = await runCli(['list'], { NODE_DEBUG: 'module' });
  assert.equal(list.code, 0);
  assert.equal(loadsTfjs(list.stderr), false, 'list loaded tfjs');
  // The control: a run that trains does load it, so the check above can fail.
  const trained = await runCli(['run', ...tinyRun({ '--init': 'he' }, '-q', '--out', join(tempDir(), 'r'))], { NODE_DEBUG: 'module' });
  assert.equal(trained.code, 0, trained.stderr.slice(-500));
  assert.equal(loadsTfjs(trained.stderr), true);
});

test('SIGTERM stops like Ctrl-C: exit 130, finished trials kept, complete false', async () => {
  const out = join(tempDir(), 'r');
  const args = ['run', ...tinyRun({ '--init': 'he,xavier,lecun', '--train-size': '2000', '--test-size': '200', '--hidden': '64', '--epochs': '3' }, '--out', out)];
  const r = await runCli(args, signalOwnStderr(/trial 2\/3/, 'SIGTERM'));
  assert.equal(r.code, 130, r.stderr);
  const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(doc.complete, false);
  assert.equal(doc.trials.length, 1);
  assert.match(r.stderr, /continue with: init-bench run --resume/);
});

test('a results folder is never overwritten: --out to an existing run is a usage error', async () => {
  const out = join(tempDir(), 'r');
  const args = ['run', ...tinyRun({ '--init': 'he' }, '--quiet', '--out', out)];
  assert.equal((await runCli(args)).code, 0);
  const again = await runCli(args);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds config\.json.*which a run would overwrite; continue that run with: init-bench run --resume/);
});

test('commander usage errors (unknown command or option) exit 2', async () => {
  const cmd = await runCli(['frobnicate']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /unknown command 'frobnicate'/);
  const opt = await runCli(['run', '--nope']);
  assert.equal(opt.code, 2);
  assert.match(opt.stderr, /unknown option '--nope'/);
  assert.equal((await runCli(['--version'])).code, 0);
});

test('every input is checked before the results folder exists: a mistake leaves nothing behind', async () => {
  const base = tempDir();
  const cases: [string[], RegExp][] = [
    [['--data-dir', join(base, 'nowhere')], /data folder .*nowhere does not exist/],
    // Where the optional native backend is installed, asking for it is no mistake.
    ...(nativeInstalled() ? [] : [[['--backend', 'tensorflow'], /backend "tensorflow" cannot be loaded/] as [string[], RegExp]]),
    [['--expect', 'heNormal.testAccuracy >= '], /the number after >= is missing/],
    [['--shard', '5/4'], /shard 5 of 4 does not exist/],
  ];
  for (const [args, message] of cases) {
    const out = join(base, `out-${cases.findIndex((c) => c[0] === args)}`);
    const r = await runCli(['run', '--epochs', '1', '--jobs', '1', '--out', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(existsSync(out), false, `${args.join(' ')} left ${out} behind`);
  }
});

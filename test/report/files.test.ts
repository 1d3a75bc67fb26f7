import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';

test('a run leaves results.json valid against the shipped JSON Schema, metrics.csv and report.html', async () => {
  const dir = join(tempDir(), 'r');
  const r = await runCli(['run', ...tinyRun({ '--init': 'he,lsuv,randomNormal(stddev=0.1,mean=0.01)', '--seeds': '0,1', '--lr': '0.01,0.05', '--train-size': '400', '--hidden': '16', '--epochs': '2' }, '--out', dir, '--quiet')]);
  assert.equal(r.code, 0, r.stderr);
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new (Ajv2020 as unknown as typeof import('ajv/dist/2020.js').default)({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'results.schema.json'), 'utf8')));
  const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { trials: Record<string, unknown>[] };
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
  assert.ok(!validate({ ...doc, trials: [{ ...doc.trials[0], status: 'exploded' }] }), 'the schema rejects a wrong status');

  const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'trial,init,seed,lr,status,epoch,trainLoss,trainAccuracy,testLoss,testAccuracy,seconds,trainSeconds,gradNorm_dense1,gradNorm_output');
  assert.equal(csv.length, 1 + 3 * 2 * 2 * 2, 'one row per trial x epoch');
  assert.match(csv[1], /^[0-9a-f]{12},heNormal,0,0\.01,ok,1,/);
  assert.ok(csv.some((l) => l.includes(',"randomNormal(mean=0.01,stddev=0.1)",')), 'a label with a comma is quoted');
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /<svg[^>]*class="marks"/);
});

test('report re-renders a folder; compare shows two runs side by side', async () => {
  const root = tempDir();
  // Two epochs: the chart needs two points per line.
  const run = (lr: string, out: string) => runCli(['run', ...tinyRun({ '--seeds': '0,1', '--train-size': '400', '--hidden': '16', '--epochs': '2', '--lr': lr }, '--quiet', '--out', out)]);
  const [a, b] = await Promise.all([run('0.01', join(root, 'a')), run('0.05', join(root, 'b'))]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const report = await runCli(['report', join(root, 'a'), '--plot']);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /heNormal/);
  // --plot adds the chart: its title, its axis, a legend entry per initializer; without it, none.
  assert.match(report.stdout, /^Test accuracy per epoch \(mean over seeds\)$/m);
  assert.match(report.stdout, /^ {9}└─+$/m);
  assert.match(report.stdout, /^ {10}\S heNormal {3}\S zeros$/m);
  const plain = await runCli(['report', join(root, 'a')]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /Test accuracy per epoch/);
  const cmp = await runCli(['compare', join(root, 'a'), join(root, 'b'), '--json']);
  assert.equal(cmp.code, 0, cmp.stderr);
  const c = JSON.parse(cmp.stdout);
  assert.deepEqual(c.configDifferences, ['train.lr']);
  assert.deepEqual(c.rows.map((r: { init: string }) => r.init), ['heNormal', 'zeros']);
  assert.ok(typeof c.rows[0].difference === 'number' && typeof c.rows[0].pValue === 'number');
  const text = await runCli(['compare', join(root, 'a'), join(root, 'b')]);
  assert.match(text.stdout, /The configs differ in: train\.lr/);
  const missing = await runCli(['report', join(root, 'nope')]);
  assert.equal(missing.code, 2);
});

test('progress goes to stderr only; plain lines off a TTY, none with --progress none', async () => {
  const base = ['run', ...tinyRun({ '--init': 'he', '--train-size': '300', '--hidden': '16', '--epochs': '2' }, '--json')];
  const plain = await runCli([...base, '--out', join(tempDir(), 'a')]);
  assert.match(plain.stderr, /\[1\/1\] heNormal seed 0 epoch 2\/2: loss/);
  JSON.parse(plain.stdout);
  const bar = await runCli([...base, '--progress', 'bar', '--out', join(tempDir(), 'b')]);
  assert.match(bar.stderr, /\r\[#+\.*\] \d\/1 trials/);
  assert.doesNotMatch(bar.stderr, /\u001b/, 'NO_COLOR (set by runCli): no escape sequences');
  JSON.parse(bar.stdout);
  const none = await runCli([...base, '--progress', 'none', '--out', join(tempDir(), 'c')]);
  assert.equal(none.stderr, '');
  const bad = await runCli([...base, '--progress', 'loud']);
  assert.equal(bad.code, 2);
});

test('report rebuilds the document from trials/ when results.json is behind (a crashed run)', async () => {
  const { writeFileSync } = await import('node:fs');
  const dir = join(tempDir(), 'r');
  const r = await runCli(['run', ...tinyRun({ '--train-size': '300' }, '--quiet', '--out', dir)]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...doc, trials: doc.trials.slice(0, 1), summary: doc.summary.slice(0, 1), complete: false }));
  const again = await runCli(['report', dir, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const rebuilt = JSON.parse(again.stdout);
  assert.equal(rebuilt.trials.length, 2);
  assert.equal(rebuilt.complete, true);
  assert.deepEqual(rebuilt.summary.map((s: { init: string }) => s.init), ['heNormal', 'zeros']);
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { resultsSchema } from '../../src/results/schema.js';
import { runCli, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';

test('-q hides progress, never the --expect results (stderr, also with --json)', async () => {
  const base = ['run', ...tinyRun({}, '-q')];
  const failed = await runCli([...base, '--expect', 'heNormal.testAccuracy >= 0.99', '--out', join(tempDir(), 'a')]);
  assert.equal(failed.code, 4);
  assert.match(failed.stderr, /^expect heNormal\.testAccuracy >= 0\.99: FAILED \(0\.\d+\)$/m);
  assert.doesNotMatch(failed.stderr, /trial 1|backend/, 'no progress with -q');
  const json = await runCli([...base, '--json', '--expect', 'heNormal.testAccuracy >= 0', '--out', join(tempDir(), 'b')]);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stderr, /expect heNormal\.testAccuracy >= 0: held/);
  const printed = JSON.parse(json.stdout);
  assert.deepEqual(printed.expectations, [{ text: 'heNormal.testAccuracy >= 0', held: true, measured: printed.expectations[0].measured }], 'the document records the outcome');
  assert.match(printed.expectations[0].measured, /^0\.\d+$/);
  assert.ok(resultsSchema.safeParse(printed).success, 'and stays a valid results document');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { startBackend } from '../../src/backend/select.js';
import { runTrial } from '../../src/runner/trial.js';

/**
 * The native path (@tensorflow/tfjs-node, libtensorflow) trains the same small experiment as
 * test/train/loop.test.ts's "He learns" on wasm, so a user who has it does not run untested code.
 * Where it does not load (its install step downloads libtensorflow, impossible offline) the test
 * is skipped, saying why.
 */
const native = await startBackend('tensorflow').catch((err: Error) => err);
const skip = native instanceof Error ? `@tensorflow/tfjs-node does not load here: ${native.message.split('\n')[0]}` : false;

test('tfjs-node trains the small experiment: He learns, zero init stays at chance', { skip }, async () => {
  if (native instanceof Error) return;
  const data = loadEmbeddedMnist();
  const config = resolveConfig(
    { initializers: ['heNormal', 'zeros'], data: { trainSize: 2000, testSize: 500 }, model: { hidden: [64] }, train: { optimizer: 'momentum', lr: 0.02, batchSize: 32, epochs: 3 } },
    {},
  );
  const split = stratifiedSplit(data, 2000, 500, 0);
  const [he, zeros] = await Promise.all(config.initializers.map((s) => runTrial(native.tf, config, s, 0, data, split)));
  assert.equal(native.label, 'tensorflow');
  // He reaches ~0.9 here on wasm; 0.85 leaves room for another backend's float rounding.
  assert.ok(he.final!.testAccuracy >= 0.85, `he ${he.final!.testAccuracy}`);
  // Zero init: only the output bias learns; the best it can do is the majority class (~11%).
  assert.ok(zeros.final!.testAccuracy < 0.15, `zeros ${zeros.final!.testAccuracy}`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { runTrial } from '../../src/runner/trial.js';
import { wasmTf } from '../helpers.js';

// configs/residual.yaml's claims at small scale: 13 ReLU layers of 64 (a stem and 6 blocks of 2),
// 1,000 training digits, 2 epochs of momentum SGD, seed 0. Trials are deterministic on the wasm
// backend for a fixed seed; the margins below leave room for other platforms' float rounding.
const data = loadEmbeddedMnist();
const config = resolveConfig({
  initializers: ['heNormal', { dense: 'heNormal', residualOut: 'zeros', label: 'zero-branch' }, 'fixup', 'zeros'],
  data: { trainSize: 1000, testSize: 500 },
  model: { depth: 13, width: 64, residual: true },
  train: { optimizer: 'momentum', lr: 0.01, epochs: 2 },
});
const split = stratifiedSplit(data, 1000, 500, 0);
const trial = async (label: string) => runTrial(await wasmTf(), config, config.initializers.find((s) => s.label === label)!, 0, data, split);
/** Activation std of the last hidden layer over the first's, at init. */
const growth = (t: Awaited<ReturnType<typeof trial>>) => {
  const hidden = t.diagnostics!.atInit.slice(0, -1);
  return hidden[hidden.length - 1].activationStd / hidden[0].activationStd;
};

test('residual nets: He branches grow the signal, zero branches keep it, all-zeros stays at chance', async () => {
  const he = await trial('heNormal');
  const zeroBranch = await trial('zero-branch');
  const fixup = await trial('fixup');
  const zeros = await trial('zeros');
  // Each He block adds about its input's variance: std x sqrt(2) per block, x8 over 6 blocks in
  // expectation (measured x13.3 with seed 0 at width 64); zero branches make every block the identity.
  assert.ok(growth(he) > 4, `He: x${growth(he)}`);
  assert.ok(Math.abs(growth(zeroBranch) - 1) < 1e-6, `zero-branch: x${growth(zeroBranch)}`);
  // Measured with seed 0 after 2 epochs: zero-branch 0.772, He 0.488, fixup 0.480 (chance 0.112).
  // Fixup's zero output layer holds every hidden gradient back until it grows, which 32 steps at
  // lr 0.01 barely allow: here it is little more than the output layer learning; it is above
  // chance, no more is claimed at this scale.
  const acc = (t: typeof he) => t.final!.testAccuracy;
  assert.ok(acc(zeroBranch) > acc(he) + 0.15, `zero-branch ${acc(zeroBranch)} vs He ${acc(he)}`);
  assert.ok(acc(fixup) > 0.3, `fixup ${acc(fixup)}`);
  // All-zero kernels: skips carry zeros, no kernel gradient ever, chance accuracy.
  assert.ok(acc(zeros) < 0.15, `zeros ${acc(zeros)}`);
  assert.ok(zeros.diagnosis!.some((d) => d.startsWith('symmetric: 1 distinct unit')), zeros.diagnosis!.join('; '));
  assert.deepEqual(zeroBranch.diagnosis!.filter((d) => /gradient|symmetric/.test(d)), [], 'zero branches are not a vanishing gradient');
});

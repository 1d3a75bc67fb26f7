import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { resolveInit, type InitSpec } from '../../src/initializers/registry.js';
import { sampleKernels } from '../../src/model/init.js';
import { buildModel, disposeModel, forward } from '../../src/model/network.js';
import type { Architecture } from '../../src/model/plan.js';
import { wasmTf } from '../helpers.js';

const arch = (over: Partial<Architecture>): Architecture => ({
  kind: 'mlp', height: 4, width: 5, classes: 3, hidden: [8, 8, 8, 8, 8],
  conv: { filters: [], kernelSize: 3, pool: 2, padding: 'valid' },
  activation: 'relu', leakySlope: 0.01, batchNorm: false, batchNormMomentum: 0.99, dropout: 0, residual: true, blockDepth: 2, ...over,
});
const he = resolveInit('heNormal', 'test') as InitSpec;

async function run(a: Architecture) {
  const tf = await wasmTf();
  const { kernels, biases } = await sampleKernels(a, he, 2);
  const model = buildModel(tf, a, kernels, biases);
  const x = tf.randomUniform([6, 20], 0, 1, 'float32', 9) as Tensor2D;
  return { tf, model, x };
}

test('rezero and skipinit: the blocks start as the identity (alpha = 0); one alpha per block, trainable', async () => {
  for (const rule of ['rezero', 'skipinit'] as const) {
    const { tf, model, x } = await run(arch({ branchScale: rule }));
    try {
      const acts = tf.tidy(() => forward(tf, model, x, 'probe').activations.map((t) => Array.from(t.dataSync())));
      // dense1 is the stem; dense3 and dense5 end the two blocks: each outputs the stem's activations.
      assert.deepEqual(acts[2], acts[0]);
      assert.deepEqual(acts[4], acts[0]);
      const scalars = model.layers.filter((l) => l.branch?.scale);
      assert.deepEqual(scalars.map((l) => l.name), ['dense3', 'dense5']);
      assert.equal(model.variables.length, 2 * 6 + 2);
      // alpha's gradient is <d loss / d out, branch(x)>: not zero with He branches.
      const grads = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(forward(tf, model, x, 'train').logits)) as never, [scalars[0].branch!.scale!]);
        return Math.abs(grads[scalars[0].branch!.scale!.name].dataSync()[0]);
      });
      assert.ok(grads > 0, `${rule}: alpha gets no gradient`);
    } finally {
      disposeModel(model);
      tf.dispose(x);
    }
  }
});

test('fixup (rule 3): multiplier 1 and biases 0 leave the function unchanged at init', async () => {
  const { tf, model, x } = await run(arch({ branchScale: 'fixup' }));
  const plain = await run(arch({}));
  try {
    const a = tf.tidy(() => Array.from(forward(tf, model, x).logits.dataSync()));
    const b = tf.tidy(() => Array.from(forward(tf, plain.model, x).logits.dataSync()));
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5 * (1 + Math.abs(b[i]))));
    // Two scalar biases per branch layer (4), a multiplier per block (2).
    assert.equal(model.variables.length - plain.model.variables.length, 4 * 2 + 2);
  } finally {
    disposeModel(model);
    disposeModel(plain.model);
    tf.dispose([x, plain.x]);
  }
});

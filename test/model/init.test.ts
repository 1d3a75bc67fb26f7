import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveInit, type InitSpec } from '../../src/initializers/registry.js';
import { sampleKernels } from '../../src/model/init.js';
import type { Architecture } from '../../src/model/network.js';

const arch: Architecture = {
  kind: 'mlp',
  height: 4,
  width: 5,
  classes: 10,
  hidden: [16, 16, 16],
  conv: { filters: [], kernelSize: 3, pool: 2, padding: 'valid' },
  activation: 'relu',
  leakySlope: 0.01,
  batchNorm: false,
  batchNormMomentum: 0.99,
  dropout: 0,
  residual: false,
  blockDepth: 2,
};
const spec = (input: Parameters<typeof resolveInit>[0]) => resolveInit(input, 'test') as InitSpec;

test('two same-shaped layers get different weights; the same seed gives the same ones', async () => {
  const a = await sampleKernels(arch, spec('heNormal'), 0);
  assert.notDeepEqual(a.kernels[1], a.kernels[2]);
  const b = await sampleKernels(arch, spec('heNormal'), 0);
  assert.deepEqual(a.kernels, b.kernels);
  const c = await sampleKernels(arch, spec('heNormal'), 1);
  assert.notDeepEqual(a.kernels[0], c.kernels[0]);
});

test('per-layer-kind initializers and a bias initializer', async () => {
  const s = spec({ dense: 'zeros', output: 'ones', bias: { name: 'constant', value: 0.5 } });
  assert.equal(s.label, 'dense=zeros,output=ones,bias=constant(value=0.5)');
  const { kernels, biases } = await sampleKernels(arch, s, 0);
  assert.ok(kernels.slice(0, 3).every((k) => k.every((v) => v === 0)));
  assert.ok(kernels[3].every((v) => v === 1));
  assert.ok(biases.every((b) => b !== null && b.every((v) => v === 0.5)));
  const plain = await sampleKernels(arch, spec('heNormal'), 0);
  assert.ok(plain.biases.every((b) => b === null), 'biases default to zeros');
});

test('gain auto follows each layer: relu hidden layers sqrt(2), the linear output 1', async () => {
  const { gains } = await sampleKernels(arch, spec({ name: 'orthogonal', gain: 'auto' }), 0);
  assert.deepEqual(gains, [Math.SQRT2, Math.SQRT2, Math.SQRT2, 1]);
});

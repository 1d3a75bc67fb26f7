import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFans } from '../../src/initializers/fans.js';
import { gainFor } from '../../src/initializers/gain.js';

test('fans per rank, tfjs layout', () => {
  assert.deepEqual(computeFans([784, 256]), { fanIn: 784, fanOut: 256 });
  assert.deepEqual(computeFans([3, 3, 16, 32]), { fanIn: 144, fanOut: 288 });
  assert.deepEqual(computeFans([5, 7]), { fanIn: 5, fanOut: 7 });
  assert.deepEqual(computeFans([10]), { fanIn: 1, fanOut: 10 });
  assert.deepEqual(computeFans([]), { fanIn: 1, fanOut: 1 });
  assert.deepEqual(computeFans([0, 4]), { fanIn: 1, fanOut: 4 }, 'guarded with max(1, fan)');
});

test('gains follow PyTorch calculate_gain', () => {
  assert.equal(gainFor('linear'), 1);
  assert.equal(gainFor('sigmoid'), 1);
  assert.equal(gainFor('tanh'), 5 / 3);
  assert.equal(gainFor('relu'), Math.SQRT2);
  assert.equal(gainFor('selu'), 0.75);
  assert.ok(Math.abs(gainFor('leakyRelu', 0.2) - Math.sqrt(2 / 1.04)) < 1e-12);
});

test('ELU gain makes pre-activation variance 1 a fixed point: gain^2 E[elu(z)^2] = 1, z ~ N(0, 1)', () => {
  // Simpson's rule on [-12, 0] for E[(e^z - 1)^2; z < 0]; the positive half contributes E[z^2; z > 0] = 1/2.
  const n = 20000;
  const h = 12 / n;
  const f = (z: number) => Math.expm1(z) ** 2 * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(-12) + f(0);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(-12 + i * h);
  const second = 0.5 + (sum * h) / 3;
  assert.ok(Math.abs(second - 0.6449454174929238) < 1e-9, `E[elu(z)^2] = ${second}`);
  assert.ok(Math.abs(gainFor('elu') ** 2 * second - 1) < 1e-9, `gain ${gainFor('elu')}`);
});

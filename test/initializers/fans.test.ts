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

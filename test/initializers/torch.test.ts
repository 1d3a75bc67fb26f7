import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findInitializer, resolveInit, type InitSpec } from '../../src/initializers/registry.js';
import { truncatedMoments } from '../../src/initializers/normal.js';
import { TRUNCATED_NORMAL_STD } from '../../src/initializers/variance.js';
import { biasRequest, sampleKernels } from '../../src/model/init.js';
import type { Architecture } from '../../src/model/plan.js';
import type { KernelRequest } from '../../src/initializers/types.js';
import { Rng } from '../../src/util/random.js';

const request = (shape: number[], seed = 7): KernelRequest => ({ shape, rng: new Rng(seed), activation: 'relu', leakySlope: 0.01, kind: 'dense' });
const resolved = (input: Parameters<typeof resolveInit>[0]) => {
  const r = resolveInit(input, 'test');
  assert.ok(!Array.isArray(r), String(r));
  return r as InitSpec;
};

function stats(v: ArrayLike<number>): { mean: number; std: number; min: number; max: number; zeros: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity, zeros = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i];
    s2 += v[i] * v[i];
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
    if (v[i] === 0) zeros++;
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max, zeros: zeros / v.length };
}

// PyTorch's formulas, written out independently of the entries (torch/nn/init.py). Dense [784, 256]
// (fanIn 784, fanOut 256) and conv [3, 3, 16, 32] (fanIn 144, fanOut 288: PyTorch's weight
// [32, 16, 3, 3] has the same fans). Sample std of n >= 200,000 draws has a relative standard
// error below 1/sqrt(2n) x 1.2 = 0.002; 1.5% is over seven of them, with a fixed seed.
const CASES: [string, Record<string, unknown>, number[], number][] = [
  ['torch:default', {}, [784, 256], 1 / Math.sqrt(3 * 784)],
  ['torch:default', {}, [3, 3, 16, 32], 1 / Math.sqrt(3 * 144)],
  ['torch:kaimingUniform', {}, [784, 256], Math.sqrt(2 / 784)],
  ['torch:kaimingUniform', { a: Math.sqrt(5) }, [784, 256], 1 / Math.sqrt(3 * 784)],
  ['torch:kaimingNormal', {}, [784, 256], Math.sqrt(2 / 784)],
  ['torch:kaimingNormal', { mode: 'fan_out', nonlinearity: 'relu' }, [3, 3, 16, 32], Math.sqrt(2 / 288)],
  ['torch:kaimingNormal', { nonlinearity: 'tanh' }, [784, 256], (5 / 3) / Math.sqrt(784)],
  ['torch:xavierUniform', {}, [784, 256], Math.sqrt(2 / (784 + 256))],
  ['torch:xavierNormal', { gain: 2 }, [3, 3, 16, 32], 2 * Math.sqrt(2 / (144 + 288))],
  ['torch:truncNormal', { std: 0.05 }, [784, 256], 0.05],
  ['torch:truncNormal', {}, [784, 256], TRUNCATED_NORMAL_STD],
  ['torch:truncNormal', { std: 0.05, a: -0.1, b: 0.1 }, [784, 256], 0.05 * TRUNCATED_NORMAL_STD],
  ['torch:orthogonal', { gain: 2 }, [784, 256], 2 / Math.sqrt(784)],
  ['torch:sparse', { sparsity: 0.5, std: 0.1 }, [784, 256], 0.1 * Math.sqrt(0.5)],
];

for (const [name, params, shape, expected] of CASES) {
  test(`${name} ${JSON.stringify(params)} on ${shape.join('x')}: std ${expected.toFixed(5)} by PyTorch's formula`, async () => {
    const spec = resolved({ name, ...params });
    const entry = findInitializer(name)!;
    const s = stats(await entry.sample(spec.params, request(shape)));
    assert.ok(Math.abs(s.std / expected - 1) < 0.015, `sampled std ${s.std}, PyTorch's formula ${expected}`);
    assert.ok(Math.abs(entry.expectedStd(spec.params, request(shape))! / expected - 1) < 1e-6, 'expectedStd is the formula');
  });
}

test('torch:default is U(+-1/sqrt(fanIn)): bounds reached, never passed', async () => {
  const v = await findInitializer('torch:default')!.sample({}, request([784, 256]));
  const s = stats(v);
  const bound = 1 / Math.sqrt(784);
  assert.ok(s.max <= bound && s.min >= -bound);
  assert.ok(s.max > 0.999 * bound && s.min < -0.999 * bound);
});

test('torch:truncNormal cuts at absolute values: std=0.05 is not cut at 2 std', async () => {
  const v = await findInitializer('torch:truncNormal')!.sample(resolved({ name: 'torch:truncNormal', std: 0.05 }).params, request([784, 256]));
  // 200,704 draws of N(0, 0.05^2): about 9,200 beyond 2 std (0.1) and the largest near 4.4 std.
  const beyond = Array.from(v).filter((x) => Math.abs(x) > 0.1).length / v.length;
  assert.ok(Math.abs(beyond - 0.0455) < 0.003, `fraction beyond 2 std ${beyond}`);
  // and its moments formula: a plain normal where [a, b] is far, 0.8796 std at +-2 std
  assert.ok(Math.abs(truncatedMoments({ mean: 0, std: 0.05, a: -2, b: 2 }).std - 0.05) < 1e-12);
  assert.ok(Math.abs(truncatedMoments({ mean: 0, std: 1, a: -2, b: 2 }).std - TRUNCATED_NORMAL_STD) < 1e-6);
});

test('torch:truncNormal with an interval in the tail samples inside it (inverse CDF)', async () => {
  const spec = resolved({ name: 'torch:truncNormal', a: 3, b: 3.5 });
  const s = stats(await findInitializer('torch:truncNormal')!.sample(spec.params, request([200, 100])));
  const m = truncatedMoments({ mean: 0, std: 1, a: 3, b: 3.5 });
  assert.ok(s.min >= 3 && s.max <= 3.5);
  assert.ok(Math.abs(s.mean - m.mean) < 0.005, `mean ${s.mean} vs ${m.mean}`);
  assert.ok(Math.abs(s.std / m.std - 1) < 0.02, `std ${s.std} vs ${m.std}`);
});

test('torch:sparse zeroes per input: each row of the tfjs [in, out] kernel has ceil(sparsity * out) zeros', async () => {
  const [inputs, outputs] = [50, 40];
  const v = await findInitializer('torch:sparse')!.sample({ sparsity: 0.3, std: 0.01 }, request([inputs, outputs]));
  for (let i = 0; i < inputs; i++) {
    const row = Array.from(v.subarray(i * outputs, (i + 1) * outputs));
    assert.equal(row.filter((x) => x === 0).length, Math.ceil(0.3 * outputs));
  }
  assert.match(findInitializer('torch:sparse')!.fits!([3, 3, 1, 16]) ?? '', /2-D/);
});

const arch: Architecture = {
  kind: 'mlp', height: 28, width: 28, classes: 10, hidden: [256], conv: { filters: [], kernelSize: 3, pool: 2, padding: 'valid' },
  activation: 'relu', leakySlope: 0.01, batchNorm: false, batchNormMomentum: 0.99, dropout: 0, residual: false, blockDepth: 2,
};

test('torch:default fills the biases too, U(+-1/sqrt(fanIn)) with the layer\'s fanIn; bias: zeros keeps them 0', async () => {
  const { biases } = await sampleKernels(arch, resolved('torch:default'), 3);
  const b = biases[0]!;
  assert.equal(b.length, 256);
  const s = stats(b);
  assert.ok(s.max <= 1 / Math.sqrt(784) && s.max > 0.9 / Math.sqrt(784), `first layer bias max ${s.max}`);
  // 256 draws: std within 15% of 1/sqrt(3 * 784) (the standard error is ~4%).
  assert.ok(Math.abs(s.std * Math.sqrt(3 * 784) - 1) < 0.15);
  const output = stats(biases[1]!);
  assert.ok(output.max <= 1 / Math.sqrt(256) && output.max > 0.5 / Math.sqrt(256));
  const zeroBias = await sampleKernels(arch, resolved({ name: 'torch:default', bias: 'zeros' }), 3);
  assert.ok(zeroBias.biases.every((x) => x === null || x.every((y) => y === 0)));
});

test('a fan-scaled bias initializer gets its layer\'s fans, not fan-in 1 of the shape [units]', async () => {
  const { biases } = await sampleKernels(arch, resolved({ name: 'heNormal', bias: 'heUniform' }), 3);
  const s = stats(biases[0]!);
  // heUniform with fanIn 784: bound sqrt(6/784) = 0.0875, not sqrt(6) = 2.45.
  assert.ok(s.max <= Math.sqrt(6 / 784) && s.max > 0.9 * Math.sqrt(6 / 784), `bias max ${s.max}`);
  const req = biasRequest(request([784, 256]), 3, 0);
  assert.deepEqual(req.shape, [256]);
  assert.deepEqual(req.fans, { fanIn: 784, fanOut: 256 });
  assert.ok(Math.abs(findInitializer('heUniform')!.expectedStd({ mode: 'fanIn' }, req)! - Math.sqrt(2 / 784)) < 1e-12);
});

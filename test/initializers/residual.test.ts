import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixup, fixupScale } from '../../src/initializers/catalogue/residual.js';
import { zerO } from '../../src/initializers/catalogue/structured.js';
import type { InitSpec } from '../../src/initializers/registry.js';
import type { KernelRequest, ResidualPlace } from '../../src/initializers/types.js';
import { kernelOf } from '../../src/model/init.js';
import { Rng } from '../../src/util/random.js';

const std = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
const place = (role: ResidualPlace['role'], position: number, branches = 16, branchDepth = 2): ResidualPlace => ({ branches, branchDepth, role, position });
const req = (over: Partial<KernelRequest>): KernelRequest => ({ shape: [400, 400], rng: new Rng(3), activation: 'relu', leakySlope: 0.01, kind: 'dense', ...over });

test('Fixup rescales the std by L^(-1/(2m-2)) (Zhang et al. 2019, rule 2)', () => {
  assert.equal(fixupScale(16, 2), 0.25); // 16^(-1/2)
  assert.ok(Math.abs(fixupScale(81, 3) - 1 / 3) < 1e-12); // 81^(-1/4)
  assert.equal(fixupScale(1, 2), 1, 'one branch: nothing to shrink');
  assert.throws(() => fixupScale(4, 1), /a branch of 1 layer has none/);
});

test('fixup: zeros at the output and at the end of each branch, scaled He inside branches, plain He elsewhere', () => {
  const p = fixup.params.parse({});
  for (const kind of ['output', 'residualOut'] as const) {
    assert.ok((fixup.sample(p, req({ kind, residual: place('branch', 1) })) as Float32Array).every((v) => v === 0), kind);
  }
  // 160,000 weights: the sample std is within 1% of its value (relative error ~ 1/sqrt(2n) = 0.2%).
  const he = Math.sqrt(2 / 400);
  const inner = fixup.sample(p, req({ residual: place('branch', 0) })) as Float32Array;
  assert.ok(Math.abs(std(inner) / (he * 0.25) - 1) < 0.01, `inner branch layer std ${std(inner)}`);
  assert.equal(fixup.expectedStd(p, req({ residual: place('branch', 0) })), he * 0.25);
  const stem = fixup.sample(p, req({})) as Float32Array;
  assert.ok(Math.abs(std(stem) / he - 1) < 0.01, `stem std ${std(stem)}`);
  const projection = fixup.sample(p, req({ residual: place('projection', 0) })) as Float32Array;
  assert.ok(Math.abs(std(projection) / he - 1) < 0.01, `projection std ${std(projection)}`);
});

test('ZerO zeroes the last layer of each residual branch and keeps its identity elsewhere', () => {
  const p = zerO.params.parse({});
  const last = zerO.sample(p, req({ shape: [8, 8], kind: 'residualOut', residual: place('branch', 1) })) as Float32Array;
  assert.ok(last.every((v) => v === 0));
  const inner = zerO.sample(p, req({ shape: [8, 8], residual: place('branch', 0) })) as Float32Array;
  assert.deepEqual(Array.from(inner), Array.from({ length: 64 }, (_, k) => (Math.floor(k / 8) === k % 8 ? 1 : 0)));
});

test('the last layer of a branch takes residualOut, else its op\'s initializer, else the main one', () => {
  const k = (name: string) => ({ name, params: {} });
  const spec: InitSpec = { ...k('glorotUniform'), label: 'x', layers: { conv: k('heNormal'), residualOut: k('zeros') } };
  assert.equal(kernelOf(spec, { kind: 'residualOut', op: 'conv' }).name, 'zeros');
  assert.equal(kernelOf({ ...spec, layers: { conv: k('heNormal') } }, { kind: 'residualOut', op: 'conv' }).name, 'heNormal');
  assert.equal(kernelOf({ ...spec, layers: { conv: k('heNormal') } }, { kind: 'residualOut', op: 'dense' }).name, 'glorotUniform');
  assert.equal(kernelOf(spec, { kind: 'output', op: 'dense' }).name, 'glorotUniform');
});

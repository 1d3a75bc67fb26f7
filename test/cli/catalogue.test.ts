import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parameterDefaults } from '../../src/initializers/params.js';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { runCli } from '../helpers.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

test('list --json names every initializer of the registry, in its order, each with its formula and described parameters', async () => {
  const r = await runCli(['list', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.deepEqual(entries.map((e) => e.name), CATALOGUE.map((e) => e.name));
  for (const [i, e] of entries.entries()) {
    const entry = CATALOGUE[i];
    assert.ok(typeof e.formula === 'string' && e.formula.length > 0, `${entry.name}: formula`);
    assert.ok(typeof e.summary === 'string' && e.summary.length > 0, `${entry.name}: summary`);
    assert.ok(e.reference === null || (typeof e.reference === 'string' && e.reference.length > 0), `${entry.name}: reference`);
    assert.deepEqual(e.aliases, entry.aliases);
    assert.ok(isPlainObject(e.parameters), `${entry.name}: parameters is ${JSON.stringify(e.parameters)}`);
    assert.deepEqual(e.parameters, parameterDefaults(entry));
    assert.ok(Array.isArray(e.parameterDocs), `${entry.name}: parameterDocs`);
    for (const d of e.parameterDocs as unknown[]) {
      assert.ok(isPlainObject(d) && typeof d.name === 'string' && typeof d.type === 'string' && typeof d.description === 'string' && d.description.length > 0, `${entry.name}: ${JSON.stringify(d)}`);
    }
  }
  assert.deepEqual(entries.find((e) => e.name === 'randomNormal')!.parameters, { mean: 0, stddev: 0.05 });
  assert.equal(entries.find((e) => e.name === 'zeros')!.reference, null);
});

test('list NAME explains one entry; an unknown one suggests names', async () => {
  const r = await runCli(['list', 'kaiming']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /heNormal/);
  assert.match(r.stdout, /Delving Deep into Rectifiers/);
  assert.match(r.stdout, /Pitfalls/);
  // Each parameter with its default, type and description.
  assert.match(r.stdout, /^Parameters +mode=fanIn \(fanIn \| fanOut\): The fan divided by/m);
  const bad = await runCli(['list', 'kaimin']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /did you mean kaiming/);
});

test('inspect --json agrees with docs/science.md: He std sqrt(2/fanIn), ratio ~1', async () => {
  const r = await runCli(['inspect', '--init', 'heNormal', '--shape', '784,256', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.fanIn, 784);
  assert.equal(s.fanOut, 256);
  assert.ok(Math.abs(s.expectedStd - Math.sqrt(2 / 784)) < 1e-12);
  assert.ok(Math.abs(s.stdRatio - 1) < 0.01, `ratio ${s.stdRatio}`);
});

test('inspect of a conv orthogonal kernel reports its orthogonality error; gain is honoured', async () => {
  const r = await runCli(['inspect', '--init', 'orthogonal', '--shape', '3,3,16,32', '--gain', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.fanIn, 144);
  assert.equal(s.gain, 2);
  assert.ok(s.orthogonalityError < 1e-5);
  assert.ok(Math.abs(s.stdRatio - 1) < 1e-3);
});

test('inspect: tfjs:heNormal matches tfjs\'s formula and shows 0.88 of the std its name promises; lsuv needs data; bad shapes are usage errors', async () => {
  const tfjs = await runCli(['inspect', '--init', 'tfjs:heNormal', '--shape', '1000,500', '--json']);
  assert.equal(tfjs.code, 0, tfjs.stderr);
  const t = JSON.parse(tfjs.stdout);
  assert.ok(Math.abs(t.stdRatio - 1) < 0.01, `stdRatio ${t.stdRatio}`);
  assert.ok(Math.abs(t.promisedRatio - 0.8796) < 0.01, `promisedRatio ${t.promisedRatio}`);
  const fanOut = await runCli(['inspect', '--init', 'tfjs:heNormal(mode=fanOut)', '--shape', '784,256']);
  assert.equal(fanOut.code, 2);
  assert.match(fanOut.stderr, /tfjs-layers' heNormal reads only a seed/);
  const lsuv = await runCli(['inspect', '--init', 'lsuv', '--shape', '10,10']);
  assert.equal(lsuv.code, 2);
  assert.match(lsuv.stderr, /data-dependent.*probe/);
  const shape = await runCli(['inspect', '--init', 'he', '--shape', '10']);
  assert.equal(shape.code, 2);
  assert.match(shape.stderr, /--shape 10 must be 2 to 4 whole numbers/);
  const gain = await runCli(['inspect', '--init', 'heNormal', '--shape', '10,10', '--gain', '2']);
  assert.equal(gain.code, 2);
  assert.match(gain.stderr, /heNormal parameter `gain`/);
});

test('inspect deltaOrthogonal measures the centre tap, in the direction that holds (Q Q^T = gain^2 I_in)', async () => {
  // Before: W^T W of the flattened [kh*kw*in, out] kernel, of rank in < out: 0.714 and 3.66 here.
  for (const [shape, gain] of [['3,3,16,32', '1'], ['5,5,8,24', '2']]) {
    const r = await runCli(['inspect', '--init', 'deltaOrthogonal', '--shape', shape, '--gain', gain, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    // float32 entries, sums of up to 32 products: 1e-5 is ~100 ulps of gain^2 = 4.
    assert.ok(s.orthogonalityError < 1e-5, `${shape}: ${s.orthogonalityError}`);
    assert.match(s.orthogonalityOf, /^W W\^T of the centre tap \[\d+, \d+\]$/);
  }
});

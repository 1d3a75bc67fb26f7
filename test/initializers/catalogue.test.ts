import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeFans } from '../../src/initializers/fans.js';
import { orthogonalityError } from '../../src/initializers/linalg.js';
import { parameterDefaults, parameterDocs } from '../../src/initializers/params.js';
import { CATALOGUE, findInitializer, resolveInit, suggestNames, type InitSpec } from '../../src/initializers/registry.js';
import type { InitializerEntry, KernelRequest } from '../../src/initializers/types.js';
import { matrixShape } from '../../src/initializers/fans.js';
import { Rng } from '../../src/util/random.js';
import { wasmTf } from '../helpers.js';

function request(shape: number[], seed = 1, activation: KernelRequest['activation'] = 'relu'): KernelRequest {
  return { shape, rng: new Rng(seed), activation, leakySlope: 0.01, kind: 'dense' };
}

function spec(name: string, params: Record<string, unknown> = {}): { entry: InitializerEntry; spec: InitSpec } {
  const resolved = resolveInit({ name, ...params }, 'test');
  assert.ok(!Array.isArray(resolved), `resolve ${name}: ${resolved}`);
  return { entry: findInitializer(name)!, spec: resolved as InitSpec };
}

function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    s2 += values[i] * values[i];
  }
  const mean = s / values.length;
  return { mean, std: Math.sqrt(s2 / values.length - mean * mean) };
}

// The sample std of n = 500,000 draws has a relative standard error of about 1/sqrt(2n) = 0.001
// (a little more for the uniform's kurtosis); 1% is ten standard errors: with a fixed seed the
// test is deterministic, and a wrong formula (e.g. tfjs's 0.88x std) misses by far more.
const SCALED = [
  ['glorotUniform', {}, Math.sqrt(2 / (1000 + 500))],
  ['glorotNormal', {}, Math.sqrt(2 / (1000 + 500))],
  ['heNormal', {}, Math.sqrt(2 / 1000)],
  ['heNormal', { mode: 'fanOut' }, Math.sqrt(2 / 500)],
  ['heUniform', {}, Math.sqrt(2 / 1000)],
  ['heUniform', { mode: 'fanOut' }, Math.sqrt(2 / 500)],
  ['leCunNormal', {}, Math.sqrt(1 / 1000)],
  ['leCunUniform', {}, Math.sqrt(1 / 1000)],
  ['varianceScaling', { scale: 3, mode: 'fanAvg', distribution: 'untruncatedNormal' }, Math.sqrt(3 / 750)],
  ['varianceScaling', { scale: 0.5, mode: 'fanOut', distribution: 'uniform' }, Math.sqrt(0.5 / 500)],
  ['randomNormal', { stddev: 0.2 }, 0.2],
  ['randomUniform', { minval: -0.3, maxval: 0.3 }, 0.6 / Math.sqrt(12)],
  // stddev is the sigma before truncation (Keras, tfjs, torch): std 0.8796 stddev.
  ['truncatedNormal', { stddev: 0.1 }, 0.1 * 0.87962566103423978],
] as const;

for (const [name, params, expected] of SCALED) {
  test(`${name} ${JSON.stringify(params)}: sampled std matches the formula within 1%`, async () => {
    const { entry, spec: s } = spec(name, params);
    const values = await entry.sample(s.params, request([1000, 500]));
    const { mean, std } = moments(values);
    assert.ok(Math.abs(std / expected - 1) < 0.01, `std ${std} vs ${expected}`);
    assert.ok(Math.abs(mean) < 0.01 * expected + 5 * expected / Math.sqrt(values.length));
    const claimed = entry.expectedStd(s.params, request([1000, 500]));
    assert.ok(Math.abs(claimed! / expected - 1) < 1e-12, `expectedStd ${claimed}`);
  });
}

/** Kolmogorov-Smirnov statistic of a sample against a CDF. */
function ksStatistic(values: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(values).sort();
  let d = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, f - i / sorted.length, (i + 1) / sorted.length - f);
  }
  return d;
}

/** Normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

// KS critical value for p = 1e-4 (PyTorch's threshold): sqrt(-ln(1e-4 / 2) / 2) / sqrt(n).
const ksCritical = (n: number) => Math.sqrt(-Math.log(1e-4 / 2) / 2) / Math.sqrt(n);

test('heNormal is a normal truncated at 2 sigma with the corrected sigma (KS, p > 1e-4)', async () => {
  const { entry, spec: s } = spec('heNormal');
  const values = await entry.sample(s.params, request([400, 250], 5));
  const sigma = Math.sqrt(2 / 400) / 0.87962566103423978;
  const mass = normalCdf(2) - normalCdf(-2);
  const cdf = (x: number) => Math.min(1, Math.max(0, (normalCdf(x / sigma) - normalCdf(-2)) / mass));
  assert.ok(ksStatistic(values, cdf) < ksCritical(values.length));
  assert.ok(Math.max(...values) <= 2 * sigma + 1e-6);
});

test('truncatedNormal(stddev) is N(0, stddev^2) cut at 2 stddev, as Keras, tfjs and torch define it (KS, p > 1e-4)', async () => {
  const { entry, spec: s } = spec('truncatedNormal', { stddev: 0.05 });
  const values = await entry.sample(s.params, request([400, 250], 8));
  const mass = normalCdf(2) - normalCdf(-2);
  const cdf = (x: number) => Math.min(1, Math.max(0, (normalCdf(x / 0.05) - normalCdf(-2)) / mass));
  assert.ok(ksStatistic(values, cdf) < ksCritical(values.length));
  // The bound is 2 stddev = 0.1 (float32 rounding aside), not 2 stddev / 0.8796 = 0.1137.
  assert.ok(Math.max(...values.map(Math.abs)) <= 0.1 + 1e-7, `max ${Math.max(...values)}`);
});

test('glorotUniform is uniform on [-a, a] (KS, p > 1e-4)', async () => {
  const { entry, spec: s } = spec('glorotUniform');
  const values = await entry.sample(s.params, request([400, 250], 6));
  const a = Math.sqrt(6 / 650);
  assert.ok(ksStatistic(values, (x) => Math.min(1, Math.max(0, (x + a) / (2 * a)))) < ksCritical(values.length));
});

test('orthogonal: W^T W = gain^2 I (tall) and W W^T = gain^2 I (wide) to float32 precision, dense and conv', async () => {
  const { entry, spec: s } = spec('orthogonal', { gain: 2 });
  for (const shape of [[300, 100], [64, 200], [3, 3, 16, 32], [3, 3, 64, 16]]) {
    const w = await entry.sample(s.params, request(shape, 9));
    const [rows, cols] = matrixShape(shape);
    assert.ok(orthogonalityError(w, rows, cols, 2) < 1e-5, `${shape}: ${orthogonalityError(w, rows, cols, 2)}`);
  }
});

test('orthogonal with gain auto uses the activation gain (tanh: 5/3)', async () => {
  const { entry, spec: s } = spec('orthogonal', { gain: 'auto' });
  const w = await entry.sample(s.params, request([50, 50], 2, 'tanh'));
  assert.ok(orthogonalityError(w, 50, 50, 5 / 3) < 1e-5);
  assert.equal(entry.gain!(s.params, request([50, 50], 2, 'tanh')), 5 / 3);
});

test('orthogonal of a 1024x1024 kernel is orthogonal to float32 precision (its time is in npm run bench)', async () => {
  const { entry, spec: s } = spec('orthogonal');
  const w = await entry.sample(s.params, request([1024, 1024], 3));
  assert.ok(orthogonalityError(w, 1024, 1024, 1) < 1e-5);
});

test('sparse zeros exactly ceil(sparsity * rows) weights per unit', async () => {
  const { entry, spec: s } = spec('sparse', { sparsity: 0.3, stddev: 0.01 });
  const [rows, cols] = [50, 40];
  const w = await entry.sample(s.params, request([rows, cols], 4));
  for (let c = 0; c < cols; c++) {
    let zeros = 0;
    for (let r = 0; r < rows; r++) if (w[r * cols + c] === 0) zeros++;
    assert.equal(zeros, Math.ceil(0.3 * rows));
  }
});

test('deltaOrthogonal and dirac are zero off the centre tap; the centre is orthogonal / identity', async () => {
  const delta = spec('deltaOrthogonal');
  const w = await delta.entry.sample(delta.spec.params, request([3, 3, 8, 16], 5));
  const dirac = spec('dirac');
  const d = await dirac.entry.sample(dirac.spec.params, request([3, 3, 8, 8], 5));
  const centre = (1 * 3 + 1) * 8 * 16;
  for (let i = 0; i < w.length; i++) if (i < centre || i >= centre + 8 * 16) assert.equal(w[i], 0);
  assert.ok(orthogonalityError(w.subarray(centre, centre + 128), 8, 16, 1) < 1e-5);
  const dc = (1 * 3 + 1) * 64;
  for (let i = 0; i < d.length; i++) {
    const onDiagonal = i >= dc && i < dc + 64 && (i - dc) % 9 === 0;
    assert.equal(d[i], onDiagonal ? 1 : 0);
  }
  await assert.rejects(async () => delta.entry.sample(delta.spec.params, request([3, 3, 16, 8])), /in <= out/);
});

test('deltaOrthogonal of a 1-D conv kernel [k, in, out] fills the centre tap only', async () => {
  const delta = spec('deltaOrthogonal', { gain: 2 });
  const w = await delta.entry.sample(delta.spec.params, request([3, 8, 16], 5));
  const centre = 1 * 8 * 16; // tap 1 of 3
  for (let i = 0; i < w.length; i++) if (i < centre || i >= centre + 128) assert.equal(w[i], 0, `index ${i}`);
  assert.ok(orthogonalityError(w.subarray(centre, centre + 128), 8, 16, 2) < 1e-5);
});

test('zerO: partial identity when narrowing, scaled Hadamard when widening (orthonormal rows of H)', async () => {
  const { entry, spec: s } = spec('zerO');
  const narrow = await entry.sample(s.params, request([8, 4]));
  for (let i = 0; i < 8; i++) for (let o = 0; o < 4; o++) assert.equal(narrow[i * 4 + o], i === o ? 1 : 0);
  const wide = await entry.sample(s.params, request([4, 8]));
  // Kernel [4, 8] = (I_{8x8} H_8 / sqrt(8) I_{8x4})^T: its 4 rows are orthonormal.
  assert.ok(orthogonalityError(wide, 4, 8, 1) < 1e-6);
  assert.ok(wide.every((v) => Math.abs(Math.abs(v) - 1 / Math.sqrt(8)) < 1e-7));
});

test('every entry is deterministic per seed; different seeds give different kernels unless the entry declares a constant distribution', async () => {
  await wasmTf(); // the tfjs: entries sample with tfjs
  const constants: string[] = [];
  for (const entry of CATALOGUE) {
    const s = resolveInit(entry.name, 'test') as InitSpec;
    // Square: tfjs:identity fills square kernels only.
    const shape = entry.name === 'deltaOrthogonal' ? [3, 3, 4, 8] : [20, 20];
    // `file` samples what a model file's author chose for the layer: here He.
    const authored = entry.name === 'file' ? { authored: { name: 'heNormal', params: { mode: 'fanIn' } } } : {};
    const a = await entry.sample(s.params, { ...request(shape, 11), ...authored });
    const b = await entry.sample(s.params, { ...request(shape, 11), ...authored });
    const c = await entry.sample(s.params, { ...request(shape, 12), ...authored });
    assert.deepEqual(a, b, `${entry.name} same seed`);
    // `distribution` says what a reader of `list` is told: "constant..." promises no randomness.
    if (entry.distribution.startsWith('constant')) {
      constants.push(entry.name);
      assert.deepEqual(a, c, `${entry.name} declares a constant distribution, yet depends on the seed`);
    } else {
      assert.notDeepEqual(a, c, `${entry.name} other seed`);
    }
  }
  // Both branches ran: the constants of the catalogue, and the rest.
  assert.ok(constants.includes('zeros') && constants.length < CATALOGUE.length, constants.join(', '));
});

test('every parameter of every entry carries a one-line description', () => {
  let described = 0;
  for (const entry of CATALOGUE) {
    const docs = parameterDocs(entry);
    // Every parameter the schema fills in is documented (none hidden from the JSON Schema).
    for (const key of Object.keys(parameterDefaults(entry))) assert.ok(docs.some((d) => d.name === key), `${entry.name}: parameter ${key} has no entry in its docs`);
    for (const d of docs) {
      assert.ok(d.description.trim().length > 0, `${entry.name}: parameter ${d.name} has no description (.describe('...'))`);
      assert.doesNotMatch(d.description, /\n/, `${entry.name}: parameter ${d.name}'s description spans lines`);
      described++;
    }
  }
  assert.ok(described > 0);
});

test('name -> entry -> name round trips, for names and aliases', () => {
  for (const entry of CATALOGUE) {
    assert.equal(findInitializer(entry.name)?.name, entry.name);
    for (const alias of entry.aliases) assert.equal(findInitializer(alias)?.name, entry.name, alias);
  }
  assert.equal(findInitializer('he')?.name, 'heNormal');
  assert.equal(findInitializer('kaiming')?.name, 'heNormal');
  assert.equal(findInitializer('xavier')?.name, 'glorotUniform');
  assert.equal(findInitializer('lecun')?.name, 'leCunNormal');
  assert.equal(findInitializer('zero')?.name, 'zeros');
  assert.equal(findInitializer('zerO')?.name, 'zerO');
  assert.equal(findInitializer('random')?.name, 'randomNormal');
});

test('unknown names suggest the closest ones', () => {
  assert.ok(suggestNames('heNormall').includes('heNormal'));
  assert.ok(suggestNames('xavir').includes('xavier'));
  assert.deepEqual(suggestNames('nope'), [], 'two edits away from a three-letter name is no slip');
  const r = resolveInit('glorotNorml', 'initializers[0]');
  assert.ok(Array.isArray(r) && /did you mean glorotNormal/.test(r[0]));
});

test("tfjs:heNormal is tfjs-layers' own: its expected std is tfjs's, 0.8796x the std its name promises", async () => {
  await wasmTf();
  const { entry, spec: s } = spec('tfjs:heNormal');
  const values = await entry.sample(s.params, request([1000, 500], 7));
  const std = moments(values).std;
  const promised = entry.promisedStd!(s.params, request([1000, 500]))!;
  assert.ok(Math.abs(promised - Math.sqrt(2 / 1000)) < 1e-12);
  assert.ok(Math.abs(std / promised - 0.8796) < 0.01, `std / promised ${std / promised}`);
  assert.ok(Math.abs(std / entry.expectedStd(s.params, request([1000, 500]))! - 1) < 0.01);
});

// The mirrors' expected std says what tfjs does (tfjs-layers 4.22 dist/initializers.js): checked on
// tfjs's own samples, 1% as for SCALED above (500,000 draws; orthogonal's std is exact).
const MIRRORED = [
  ['tfjs:randomNormal', { stddev: 0.2 }, 0.2],
  ['tfjs:randomUniform', { minval: 0, maxval: 1 }, 1.05 / Math.sqrt(12)], // tfjs reads minval 0 as -0.05
  ['tfjs:truncatedNormal', { stddev: 0.1 }, 0.1 * 0.87962566103423978],
  ['tfjs:glorotNormal', {}, 0.87962566103423978 * Math.sqrt(2 / 1500)],
  ['tfjs:glorotUniform', {}, Math.sqrt(2 / 1500)],
  ['tfjs:heNormal', {}, 0.87962566103423978 * Math.sqrt(2 / 1000)],
  ['tfjs:heUniform', {}, Math.sqrt(2 / 1000)],
  ['tfjs:leCunNormal', {}, 0.87962566103423978 * Math.sqrt(1 / 1000)],
  ['tfjs:leCunUniform', {}, Math.sqrt(1 / 1000)],
  ['tfjs:orthogonal', { gain: 2 }, 2 / Math.sqrt(1000)],
] as const;

for (const [name, params, expected] of MIRRORED) {
  test(`${name} ${JSON.stringify(params)}: tfjs's samples have the std its entry expects, within 1%`, async () => {
    await wasmTf();
    const { entry, spec: s } = spec(name, params);
    const shape = name === 'tfjs:orthogonal' ? [1000, 50] : [1000, 500]; // tfjs's QR is slow
    const values = await entry.sample(s.params, request(shape, 3));
    const claimed = entry.expectedStd(s.params, request(shape))!;
    assert.ok(Math.abs(claimed / expected - 1) < 1e-12, `expectedStd ${claimed} vs ${expected}`);
    assert.ok(Math.abs(moments(values).std / expected - 1) < 0.01, `std ${moments(values).std} vs ${expected}`);
  });
}

test('tfjs mirrors accept only the parameters tfjs reads: heNormal has no mode', () => {
  const r = resolveInit({ name: 'tfjs:heNormal', mode: 'fanOut' }, 'initializers[0]');
  assert.ok(Array.isArray(r) && /tfjs-layers' heNormal reads only a seed/.test(r[0]), String(r));
  assert.ok(!Array.isArray(resolveInit({ name: 'heNormal', mode: 'fanOut' }, 'initializers[0]')));
  for (const entry of CATALOGUE.filter((e) => e.tfjs)) {
    assert.doesNotMatch(`${entry.summary} ${entry.formula} ${Object.values(entry.lesson).join(' ')}`, /variance-corrected/, entry.name);
  }
});

test('fans agree with the expected std of He for conv kernels', () => {
  const he = findInitializer('heNormal')!;
  const shape = [3, 3, 16, 32];
  assert.equal(he.expectedStd({ mode: 'fanIn' }, request(shape)), Math.sqrt(2 / computeFans(shape).fanIn));
});

test('sparse(nonZero=15) keeps exactly 15 incoming weights per unit (a column of [in, out]), whatever the fan-in', async () => {
  const { entry, spec: s } = spec('sparse', { nonZero: 15 });
  for (const [rows, cols] of [[784, 64], [100, 30]]) {
    const w = await entry.sample(s.params, request([rows, cols], 4));
    for (let c = 0; c < cols; c++) {
      let kept = 0;
      for (let r = 0; r < rows; r++) if (w[r * cols + c] !== 0) kept++;
      assert.equal(kept, 15, `${rows}x${cols} unit ${c}`);
    }
    assert.ok(Math.abs(entry.expectedStd(s.params, request([rows, cols]))! - 0.01 * Math.sqrt(15 / rows)) < 1e-15);
  }
  assert.ok(Array.isArray(resolveInit({ name: 'sparse', nonZero: 15, sparsity: 0.2 }, 'test')), 'both given: rejected');
  assert.deepEqual((resolveInit('sparse', 'test') as InitSpec).params, { sparsity: 0.1, stddev: 0.01 });
});

// Compares init-bench's `torch:` entries with what PyTorch samples (crosscheck/torch-init.py):
//   python3 crosscheck/torch-init.py --seeds 3,4,5 > /tmp/torch-init.jsonl
//   node crosscheck/torch-init-compare.mjs /tmp/torch-init.jsonl
// For each entry and shape (tfjs layout), the std, max and fraction of zeros averaged over the
// seeds: init-bench's (sampled as `init-bench inspect` samples, same seeds), PyTorch's, and the
// entry's expected std. Needs a build (npx tsc -p tsconfig.json).
import { readFileSync } from 'node:fs';
import { parseInitFlag } from '../dist/src/config/flags.js';
import { entryOf, resolveInit } from '../dist/src/initializers/registry.js';
import { computeFans } from '../dist/src/initializers/fans.js';
import { deriveSeed, Rng } from '../dist/src/util/random.js';

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const stats = (v) => {
  let s = 0, s2 = 0, max = -Infinity, zeros = 0;
  for (const x of v) { s += x; s2 += x * x; if (x > max) max = x; if (x === 0) zeros++; }
  const mean = s / v.length;
  return { std: Math.sqrt(s2 / v.length - mean * mean), max, zeroFraction: zeros / v.length };
};
const groups = new Map();
for (const r of rows) {
  const spec = resolveInit(parseInitFlag(r.init), 'crosscheck');
  const entry = entryOf(spec);
  const req = { shape: r.shape, rng: new Rng(deriveSeed(r.seed, 'weights', 0)), activation: 'relu', leakySlope: 0.01, kind: 'dense' };
  const ours = stats(await entry.sample(spec.params, req));
  const expected = entry.expectedStd(spec.params, req);
  let bias = null;
  if (r.bias) {
    const breq = { ...req, shape: [r.shape.at(-1)], fans: computeFans(r.shape), rng: new Rng(deriveSeed(r.seed, 'bias', 0)) };
    bias = { ours: stats(await entry.sample(spec.params, breq)), torch: r.bias, expected: entry.expectedStd(spec.params, breq) };
  }
  const key = `${r.init} [${r.shape}]`;
  const g = groups.get(key) ?? { key, expected, n: 0, ours: [0, 0, 0], torch: [0, 0, 0], bias: bias ? [0, 0, bias.expected] : null };
  g.n++;
  [ours.std, ours.max, ours.zeroFraction].forEach((x, i) => (g.ours[i] += x));
  [r.weight.std, r.weight.max, r.weight.zeroFraction].forEach((x, i) => (g.torch[i] += x));
  if (bias) { g.bias[0] += bias.ours.std; g.bias[1] += bias.torch.std; }
  groups.set(key, g);
}
const f = (x, d = 5) => x.toFixed(d);
console.log('| entry [tfjs shape] | expected std | init-bench std | PyTorch std | init-bench max | PyTorch max | zeros init-bench / PyTorch | bias std expected / init-bench / PyTorch |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const g of groups.values()) {
  const m = (a) => a.map((x) => x / g.n);
  const [os, om, oz] = m(g.ours);
  const [ts, tm, tz] = m(g.torch);
  const b = g.bias ? `${f(g.bias[2])} / ${f(g.bias[0] / g.n)} / ${f(g.bias[1] / g.n)}` : '';
  console.log(`| ${g.key} | ${g.expected === null ? '-' : f(g.expected)} | ${f(os)} | ${f(ts)} | ${f(om, 4)} | ${f(tm, 4)} | ${f(oz, 3)} / ${f(tz, 3)} | ${b} |`);
}

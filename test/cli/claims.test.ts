import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

/** A repository file as one line of prose: YAML comment markers and line breaks removed. */
function file(path: string): () => string {
  return () => readFileSync(join(ROOT, path), 'utf8').replace(/^#\s?/gm, '').replace(/\s+/g, ' ');
}

/**
 * The documents whose figures are re-measured: README.md, every hand-written page of docs/ (the
 * generated docs/reference/ restates the catalogue, whose lessons are checked as such) and the
 * presets' comments. A figure moved from one document to another keeps its check.
 */
export const DOCUMENTS: string[] = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `configs/${f}`),
];

/**
 * Every figure a lesson or a document quotes from `inspect` is re-measured: a text that says
 * "`init-bench inspect --init X --shape A,B` prints std 0.04397 (max 0.10000)" must agree with
 * what that command prints now, to the digits quoted (half a unit in the last place).
 */
const KEYS = 'std|max|min|ratio|expected|promised|error';
const NUMBER = '-?\\d+\\.?\\d*(?:e-?\\d+)?';
// A figure is "key number"; figures may be separated by words and punctuation but not digits.
const CLAIM = new RegExp(`\`init-bench inspect ([^\`]+)\` prints ((?:${KEYS}) ${NUMBER}(?:[ ,()a-zA-Z'-]*(?:${KEYS}) ${NUMBER})*)`, 'g');
const FIGURE = new RegExp(`(${KEYS}) (${NUMBER})`, 'g');
const FIELD: Record<string, string> = { std: 'std', max: 'max', min: 'min', ratio: 'stdRatio', expected: 'expectedStd', promised: 'promisedStd', error: 'orthogonalityError' };

function claims(): { where: string; args: string[]; figures: [string, string][] }[] {
  const found = [];
  const documents = DOCUMENTS.map((path) => ({ name: path, texts: [file(path)()] }));
  const sources = [...CATALOGUE.map((e) => ({ name: e.name, texts: [e.summary, e.formula, e.lesson.why, e.lesson.suits, e.lesson.pitfalls] })), ...documents];
  for (const entry of sources) {
    for (const text of entry.texts) {
      for (const m of text.matchAll(CLAIM)) {
        const figures = [...m[2].matchAll(FIGURE)].map((f) => [f[1], f[2]] as [string, string]);
        found.push({ where: entry.name, args: m[1].trim().split(/\s+/), figures });
      }
    }
  }
  return found;
}

test('the lessons and documents quote inspect figures, and every one is what inspect prints', async () => {
  const all = claims();
  assert.ok(all.length >= 1, 'no lesson quotes inspect: the pattern or the lessons changed');
  for (const { where, args, figures } of all) {
    assert.equal(args[0], '--init', `${where}: ${args.join(' ')}`);
    assert.ok(figures.length >= 1, `${where}: no figure parsed`);
    const r = await runCli(['inspect', ...args, '--json']);
    assert.equal(r.code, 0, `${where}: inspect ${args.join(' ')}: ${r.stderr}`);
    const stats = JSON.parse(r.stdout) as Record<string, number>;
    for (const [name, quoted] of figures) {
      const actual = stats[FIELD[name]];
      const decimals = quoted.includes('e') ? 0 : (quoted.split('.')[1] ?? '').length;
      const tolerance = quoted.includes('e') ? Math.abs(Number(quoted)) * 0.05 : 0.5 * 10 ** -decimals + 1e-12;
      assert.ok(Math.abs(actual - Number(quoted)) <= tolerance, `${where}: inspect ${args.join(' ')} gives ${name} ${actual}, the text says ${quoted}`);
    }
  }
});

/**
 * Figures the lessons, README and presets quote from `probe`: each names the probe command it
 * comes from, and the number in the text is re-measured (same seed 0, same batch) to the digits
 * quoted (half a unit in the last place; "1e-10" style figures to within a factor 2).
 */
interface LayerStats { activationStd: number; preActivationStd: number; saturatedFraction: number | null; deadFraction: number | null; gradNorm: number }
type Measure = (layers: LayerStats[]) => number;
const act = (l: number): Measure => (layers) => layers[l - 1].activationStd;
const pre = (l: number): Measure => (layers) => layers[l - 1].preActivationStd;
const grad = (l: number): Measure => (layers) => layers[l - 1].gradNorm;
const actRatio = (l: number): Measure => (layers) => layers[l - 1].activationStd / layers[0].activationStd;
const preRatio = (l: number): Measure => (layers) => layers[l - 1].preActivationStd / layers[l - 2].preActivationStd;
/** The smallest activation std from layer `from` to the last hidden layer. */
const minActFrom = (from: number): Measure => (layers) => Math.min(...layers.slice(from - 1, -1).map((x) => x.activationStd));
/** The smallest and largest activation std of the hidden layers over layer 1's (probe's "within A-Bx of layer 1's"). */
const hiddenRatios = (layers: LayerStats[]) => layers.slice(0, -1).map((x) => x.activationStd / layers[0].activationStd);
const minRatio: Measure = (layers) => Math.min(...hiddenRatios(layers));
const maxRatio: Measure = (layers) => Math.max(...hiddenRatios(layers));
const maxSaturatedPct: Measure = (layers) => 100 * Math.max(...layers.slice(0, -1).map((x) => x.saturatedFraction ?? 0));

interface ProbeClaim {
  where: string;
  text: () => string;
  /** The command the text names, without `init-bench probe`; the text must contain it. */
  command: string;
  /** [regex with one number group, initializer label, what it measures] */
  figures: [RegExp, string, Measure][];
}

const lesson = (name: string) => () => Object.values(CATALOGUE.find((e) => e.name === name)!.lesson).join(' ');
const N = String.raw`(\d+(?:\.\d+)?)`;
const re = (source: string) => new RegExp(source.replace(/NUM/g, N).replace(/EXP/g, String.raw`(\d+(?:\.\d+)?e-\d+)`));

export const PROBE_CLAIMS: ProbeClaim[] = [
  {
    where: 'tfjs:heNormal lesson',
    text: lesson('tfjs:heNormal'),
    command: '--init heNormal,tfjs:heNormal --depth 20',
    figures: [
      [/activation std of (\d+(?:\.\d+)?) for heNormal/, 'heNormal', act(20)],
      [/and (\d+(?:\.\d+)?) for tfjs:heNormal at layer 20/, 'tfjs:heNormal', act(20)],
    ],
  },
  {
    where: 'heNormal lesson, tanh',
    text: lesson('heNormal'),
    command: '--init heNormal,orthogonal(gain=auto),glorotUniform --activation tanh --depth 20',
    figures: [
      [/at most (\d+(?:\.\d+)?)% of He's tanh outputs saturated/, 'heNormal', maxSaturatedPct],
      [/recommended gain 5\/3: (\d+(?:\.\d+)?)%/, 'orthogonal(gain=auto)', maxSaturatedPct],
      [/Xavier (\d+(?:\.\d+)?)%\)/, 'glorotUniform', maxSaturatedPct],
      [/He's pre-activation std grows from (\d+(?:\.\d+)?) at layer 1/, 'heNormal', pre(1)],
      [/to (\d+(?:\.\d+)?) at layer 20 and Xavier's/, 'heNormal', pre(20)],
      [/Xavier's shrinks from (\d+(?:\.\d+)?)/, 'glorotUniform', pre(1)],
      [/Xavier's shrinks from [\d.]+ to (\d+(?:\.\d+)?)/, 'glorotUniform', pre(20)],
    ],
  },
  {
    where: 'heNormal lesson, sigmoid',
    text: lesson('heNormal'),
    command: '--init heNormal,glorotUniform --activation sigmoid --depth 20',
    figures: [
      [/measures (\d+(?:\.\d+)?)% saturated \(outside/, 'heNormal', maxSaturatedPct],
      [/kernel gradient norm ([\de.-]+) under He/, 'heNormal', grad(1)],
      [/under He, ([\de.-]+) under Xavier/, 'glorotUniform', grad(1)],
    ],
  },
  {
    where: 'heNormal lesson, ELU',
    text: lesson('heNormal'),
    command: '--init heNormal,orthogonal(gain=auto),leCunNormal --activation elu --depth 20',
    figures: [
      [/pre-activation std growing from (\d+(?:\.\d+)?) to/, 'heNormal', pre(1)],
      [/pre-activation std growing from [\d.]+ to (\d+(?:\.\d+)?)/, 'heNormal', pre(20)],
      [/activation std x(\d+(?:\.\d+)?), flagged/, 'heNormal', actRatio(20)],
      [/decay from (\d+(?:\.\d+)?)/, 'leCunNormal', pre(1)],
      [/decay from [\d.]+ to (\d+(?:\.\d+)?)/, 'leCunNormal', pre(20)],
      [/bringing it from (\d+(?:\.\d+)?) towards 1/, 'orthogonal(gain=auto)', pre(1)],
      [/towards 1 \((\d+(?:\.\d+)?) at layer 20\)/, 'orthogonal(gain=auto)', pre(20)],
    ],
  },
  {
    where: 'docs/guide.md, deep ReLU',
    text: file('docs/guide.md'),
    command: '--config configs/deep-relu.yaml',
    figures: [
      [re('measuring NUM against'), 'glorotUniform', act(20)],
      [re('against NUM, its variance'), 'heNormal', act(20)],
    ],
  },
  {
    where: 'docs/guide.md, tfjs',
    text: file('docs/guide.md'),
    command: '--init heNormal,tfjs:heNormal --depth 20',
    figures: [
      [re('std of NUM for heNormal'), 'heNormal', act(20)],
      [re('and NUM for tfjs:heNormal'), 'tfjs:heNormal', act(20)],
    ],
  },
  {
    where: 'configs/residual.yaml',
    text: file('configs/residual.yaml'),
    command: '--config configs/residual.yaml --residual',
    figures: [[re('shows the activation std xNUM by layer 21'), 'heNormal', actRatio(21)]],
  },
  {
    where: 'docs/science.md, residual',
    text: file('docs/science.md'),
    command: '--config configs/residual.yaml --residual',
    figures: [[re('activation std xNUM over 10 blocks of 2'), 'heNormal', actRatio(21)]],
  },
  {
    where: 'configs/signal-tour.yaml',
    text: file('configs/signal-tour.yaml'),
    command: '--config configs/signal-tour.yaml',
    figures: [
      [re('within NUM-[\\d.]+x, [\\d.]+-[\\d.]+x and'), 'varianceScaling(scale=2)', minRatio],
      [re('within [\\d.]+-NUMx, '), 'varianceScaling(scale=2)', maxRatio],
      [re('x, NUM-[\\d.]+x and'), 'heUniform', minRatio],
      [re('x, [\\d.]+-NUMx and'), 'heUniform', maxRatio],
      [re('and NUM-[\\d.]+x of layer 1'), 'lsuv', minRatio],
      [re('and [\\d.]+-NUMx of layer 1'), 'lsuv', maxRatio],
      [re('fanIn on these square layers\\): xEXP'), 'glorotNormal', actRatio(20)],
      [re('fanIn on these square layers\\): xEXP'), 'leCunUniform', actRatio(20)],
      [re('std 0\\.029\\) xEXP'), 'randomUniform', actRatio(20)],
      [re('std 0\\.044\\) xEXP'), 'truncatedNormal', actRatio(20)],
      [re('\\(std 0\\.01\\) xEXP'), 'sparse', actRatio(20)],
    ],
  },
  {
    where: 'configs/batchnorm.yaml',
    text: file('configs/batchnorm.yaml'),
    command: '--config configs/batchnorm.yaml --batch-norm false',
    figures: [[re('activation std xEXP\\)'), 'N(0,0.01^2)', actRatio(10)]],
  },
  {
    where: 'configs/deep-relu.yaml',
    text: file('configs/deep-relu.yaml'),
    command: '--config configs/deep-relu.yaml',
    figures: [
      [re('layer 20 NUM -> [\\d.]+ for heNormal'), 'heNormal', act(1)],
      [re('layer 20 [\\d.]+ -> NUM for heNormal'), 'heNormal', act(20)],
      [re('NUM -> [\\d.]+ for glorotUniform'), 'glorotUniform', act(1)],
      [re('-> NUM for glorotUniform'), 'glorotUniform', act(20)],
      [re('NUM -> [\\d.]+ for tfjs:heNormal'), 'tfjs:heNormal', act(1)],
      [re('-> NUM for tfjs:heNormal'), 'tfjs:heNormal', act(20)],
    ],
  },
  {
    where: 'configs/torch-defaults.yaml',
    text: file('configs/torch-defaults.yaml'),
    command: '--init glorotUniform,torch:default,heNormal --depth 20',
    figures: [
      [re('layer 20, NUM -> [\\d.]+ for heNormal'), 'heNormal', act(1)],
      [re('layer 20, [\\d.]+ -> NUM for heNormal'), 'heNormal', act(20)],
      [re('NUM -> [\\d.]+ for glorotUniform'), 'glorotUniform', act(1)],
      [re('-> NUM for glorotUniform'), 'glorotUniform', act(20)],
      [re('NUM -> [\\d.]+ for torch:default'), 'torch:default', act(1)],
      [re('-> NUM for torch:default'), 'torch:default', act(20)],
      [re('pre-activation std falls NUM,'), 'torch:default', pre(1)],
      [re('std falls [\\d.]+, NUM,'), 'torch:default', pre(2)],
      [re('std falls [\\d.]+, [\\d.]+, NUM over'), 'torch:default', pre(3)],
      [re('\\(NUM at layer 20\\)'), 'torch:default', pre(20)],
      [re('dead ReLUs NUM% at layer 14'), 'torch:default', (layers) => 100 * (layers[13].deadFraction ?? 0)],
      [re("layer 1's kernel gradient norm ([\\de.-]+)\\)"), 'torch:default', grad(1)],
    ],
  },
  {
    where: 'heNormal lesson, one draw',
    text: lesson('heNormal'),
    command: '--init heNormal --depth 20',
    figures: [
      [re('activation std NUM at layer 1 and'), 'heNormal', act(1)],
      [re('and NUM at layer 20 on seed 0'), 'heNormal', act(20)],
    ],
  },
  {
    where: 'configs/selu.yaml',
    text: file('configs/selu.yaml'),
    command: '--config configs/selu.yaml',
    figures: [
      [re('rising from NUM at layer 1'), 'leCunNormal', act(1)],
      [re('through NUM at layer 5'), 'leCunNormal', act(5)],
      [re('to NUM at layer 11'), 'leCunNormal', act(11)],
      [re('no lower than NUM from there'), 'leCunNormal', minActFrom(11)],
      [re('\\(NUM there\\)'), 'leCunNormal', act(20)],
      [re('activation std NUM at layer 20, x'), 'heNormal', act(20)],
      [re('at layer 20, xNUM of'), 'heNormal', actRatio(20)],
      [re('alike: NUM at layer 20'), 'glorotUniform', act(20)],
    ],
  },
  {
    where: 'configs/exploding.yaml',
    text: file('configs/exploding.yaml'),
    command: '--config configs/exploding.yaml',
    figures: [
      [re('std of NUM at layer 1'), 'N(0,1)', pre(1)],
      [re('NUM at layer 2'), 'N(0,1)', pre(2)],
      [re('NUM at layer 3'), 'N(0,1)', pre(3)],
      [re('\\(xNUM, then'), 'N(0,1)', preRatio(2)],
      [re('then xNUM\\)'), 'N(0,1)', preRatio(3)],
    ],
  },
  {
    where: 'configs/he-vs-xavier.yaml',
    text: file('configs/he-vs-xavier.yaml'),
    command: '--config configs/he-vs-xavier.yaml',
    figures: [
      [re('std NUM, [\\d.]+, [\\d.]+ at layers 1-3 \\(heNormal'), 'glorotUniform', pre(1)],
      [re('std [\\d.]+, NUM, [\\d.]+ at layers 1-3 \\(heNormal'), 'glorotUniform', pre(2)],
      [re('std [\\d.]+, [\\d.]+, NUM at layers 1-3 \\(heNormal'), 'glorotUniform', pre(3)],
      [re("heNormal's: NUM,"), 'heNormal', pre(1)],
      [re("heNormal's: [\\d.]+, NUM,"), 'heNormal', pre(2)],
      [re("heNormal's: [\\d.]+, [\\d.]+, NUM\\)"), 'heNormal', pre(3)],
    ],
  },
  {
    where: 'configs/deep-tanh.yaml',
    text: file('configs/deep-tanh.yaml'),
    command: '--config configs/deep-tanh.yaml',
    figures: [
      [re('falls from NUM at layer 1'), 'N(0,0.01)', act(1)],
      [re('to NUM at layer 2'), 'N(0,0.01)', act(2)],
      [re('healthy \\(NUM at layer 1'), 'glorotUniform', act(1)],
      [re('NUM at layer 10\\); orthogonal'), 'glorotUniform', act(10)],
      [re('\\(NUM at layer 10\\)\\.'), 'orthogonal(gain 5/3)', act(10)],
    ],
  },
];

function agrees(actual: number, quoted: string): boolean {
  if (/e/.test(quoted)) return actual / Number(quoted) < 2 && Number(quoted) / actual < 2;
  const decimals = (quoted.split('.')[1] ?? '').length;
  return Math.abs(actual - Number(quoted)) <= 0.5 * 10 ** -decimals + 1e-12;
}

test('every figure quoted from probe is what probe measures', async () => {
  const runs = new Map<string, Promise<{ init: string; layers: LayerStats[] }[]>>();
  const measure = (command: string) => {
    if (!runs.has(command)) {
      runs.set(command, runCli(['probe', ...command.split(' '), '--json']).then((r) => {
        assert.equal(r.code, 0, `probe ${command}: ${r.stderr}`);
        return JSON.parse(r.stdout);
      }));
    }
    return runs.get(command)!;
  };
  for (const claim of PROBE_CLAIMS) {
    const text = claim.text();
    assert.ok(text.includes(`init-bench probe ${claim.command}`), `${claim.where}: does not name \`init-bench probe ${claim.command}\``);
    const results = await measure(claim.command);
    for (const [pattern, init, measured] of claim.figures) {
      const m = pattern.exec(text);
      assert.ok(m, `${claim.where}: no match for ${pattern}`);
      const result = results.find((r) => r.init === init);
      assert.ok(result, `${claim.where}: probe has no ${init}`);
      const actual = measured(result.layers);
      assert.ok(agrees(actual, m[1]), `${claim.where}: ${pattern} quotes ${m[1]}, probe ${claim.command} measures ${actual}`);
    }
  }
});

/**
 * Figures quoted over several seeds of one probe command (`... --seed S` for each seed): the
 * smallest, largest or median over the seeds of a per-seed measure, to the digits quoted.
 */
type ProbeResults = { init: string; layers: LayerStats[] }[];
type SeedMeasure = (results: ProbeResults) => number;
const of = (init: string, measure: Measure): SeedMeasure => (results) => {
  const r = results.find((x) => x.init === init);
  assert.ok(r, `probe has no ${init}`);
  return measure(r.layers);
};
const overSeeds = {
  min: (values: number[]) => Math.min(...values),
  max: (values: number[]) => Math.max(...values),
  median: (values: number[]) => {
    const v = [...values].sort((x, y) => x - y);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  },
};
const SEEDS_0_9 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const heSpread = (where: string, text: () => string) => ({
  where,
  text,
  command: '--init heNormal --depth 20',
  seeds: SEEDS_0_9,
  figures: [
    [re("layer 20's (?:activation std )?(?:ranges )?from NUM to"), of('heNormal', act(20)), 'min'],
    [re("layer 20's (?:activation std )?(?:ranges )?from [\\d.]+ to NUM"), of('heNormal', act(20)), 'max'],
    [re("layer 1's stays within NUM-"), of('heNormal', act(1)), 'min'],
    [re("layer 1's stays within [\\d.]+-NUM"), of('heNormal', act(1)), 'max'],
  ] as [RegExp, SeedMeasure, keyof typeof overSeeds][],
});
const tfjsFactor: SeedMeasure = (results) => of('heNormal', act(20))(results) / of('tfjs:heNormal', act(20))(results);

export const PROBE_SPREAD_CLAIMS: { where: string; text: () => string; command: string; seeds: number[]; figures: [RegExp, SeedMeasure, keyof typeof overSeeds][] }[] = [
  heSpread('heNormal lesson, over seeds', lesson('heNormal')),
  heSpread('docs/science.md, He over seeds', file('docs/science.md')),
  {
    where: 'configs/deep-relu.yaml, over seeds',
    text: file('configs/deep-relu.yaml'),
    command: '--config configs/deep-relu.yaml',
    seeds: SEEDS_0_9,
    figures: [
      [re('factor ranges from NUM to'), tfjsFactor, 'min'],
      [re('factor ranges from [\\d.]+ to NUM'), tfjsFactor, 'max'],
      [re('to [\\d.]+, median NUM'), tfjsFactor, 'median'],
    ],
  },
];

test('every spread over seeds quoted from probe is what probe measures on those seeds', async () => {
  const runs = new Map<string, Promise<ProbeResults[]>>();
  for (const claim of PROBE_SPREAD_CLAIMS) {
    const text = claim.text();
    assert.ok(text.includes(`init-bench probe ${claim.command} --seed S`), `${claim.where}: does not name \`init-bench probe ${claim.command} --seed S\``);
    assert.ok(text.includes(`seeds ${claim.seeds[0]}-${claim.seeds.at(-1)}`), `${claim.where}: does not say seeds ${claim.seeds[0]}-${claim.seeds.at(-1)}`);
    const key = `${claim.command} ${claim.seeds.join(',')}`;
    if (!runs.has(key)) {
      // Two probes at a time: each is a process start and one forward pass.
      runs.set(key, (async () => {
        const out: ProbeResults[] = [];
        for (let i = 0; i < claim.seeds.length; i += 2) {
          out.push(...await Promise.all(claim.seeds.slice(i, i + 2).map(async (seed) => {
            const r = await runCli(['probe', ...claim.command.split(' '), '--seed', String(seed), '--json']);
            assert.equal(r.code, 0, `probe ${claim.command} --seed ${seed}: ${r.stderr}`);
            return JSON.parse(r.stdout) as ProbeResults;
          })));
        }
        return out;
      })());
    }
    const perSeed = await runs.get(key)!;
    for (const [pattern, measured, which] of claim.figures) {
      const m = pattern.exec(text);
      assert.ok(m, `${claim.where}: no match for ${pattern}`);
      const actual = overSeeds[which](perSeed.map(measured));
      assert.ok(agrees(actual, m[1]), `${claim.where}: ${pattern} quotes ${m[1]}, the ${which} over seeds ${claim.seeds.join(',')} is ${actual}`);
    }
  }
});

/**
 * Figures the presets quote from `init-bench run`: test accuracy (%) per initializer and grid
 * point, the mean (or the sample std) over the run's seeds, after the last epoch or a given one.
 * Each claim names its command, which the text must contain, and the number in the text is
 * re-measured to the digits quoted (half a unit in the last place). Training is deterministic per
 * seed on one path (wasm + OpenBLAS, as CI runs), so a changed figure is a changed result.
 * Quick claims (reduced settings, seconds) run always; the presets' full 3-seed tables take
 * minutes each and run with INIT_BENCH_LONG_CLAIMS=1.
 */
interface Trial { init: string; seed: number; status: string; divergedAtEpoch?: number | null; point?: Record<string, unknown>; epochs: { testAccuracy: number; trainAccuracy: number; trainEvalAccuracy?: number; trainLoss: number }[] }
type RunMeasure = (trials: Trial[]) => number;
const matching = (trials: Trial[], init: string, point: Record<string, unknown>) =>
  trials.filter((t) => t.init === init && Object.entries(point).every(([k, v]) => t.point?.[k] === v));
/**
 * Accuracy (%) of an initializer at a grid point after an epoch (default the last): the mean, or
 * the sample std over its seeds; a quoted std is a headline over seeds, so it needs at least 3.
 */
function accuracy(init: string, point: Record<string, unknown>, what: 'mean' | 'std', epoch?: number, field: 'testAccuracy' | 'trainAccuracy' = 'testAccuracy'): RunMeasure {
  return (trials) => {
    const values = matching(trials, init, point).map((t) => 100 * t.epochs[(epoch ?? t.epochs.length) - 1][field]);
    assert.ok(values.length >= (what === 'std' ? 3 : 1), `${values.length} trial(s) of ${init} at ${JSON.stringify(point)}: a mean ± std needs at least 3 seeds`);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    if (what === 'mean') return mean;
    return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  };
}
/** How many trials of an initializer at a grid point diverged, or ran at all. */
const diverged = (init: string, point: Record<string, unknown>): RunMeasure => (trials) => matching(trials, init, point).filter((t) => t.status === 'diverged').length;
const count = (init: string, point: Record<string, unknown>): RunMeasure => (trials) => matching(trials, init, point).length;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A cell of a table: "91.2% ± 0.4%" (or "91.2 +- 0.4" with plusMinus), or "diverged (3/3)". */
const CELL = String.raw`(?:[\d.]+% ± [\d.]+%|[\d.]+ \+- [\d.]+|diverged \(\d+/\d+\))`;
/**
 * The cells of one row of a table whose columns are [initializer, grid point, epoch, kind] cases:
 * each "mean% ± std%" (or "mean +- std" with plusMinus) re-measured; a column of kind 'diverged'
 * is "diverged (k/n)": k of the n trials diverged.
 */
type Column = [string, Record<string, unknown>, number?, 'diverged'?];
function cells(rowLabel: string, columns: Column[], plusMinus = false): [RegExp, RunMeasure][] {
  const pm = plusMinus ? ' \\+- ' : '% ± ';
  const unit = plusMinus ? '' : '%';
  return columns.flatMap(([init, point, epoch, kind], i): [RegExp, RunMeasure][] => {
    const before = `${escape(rowLabel)}${` ${CELL}`.repeat(i)} `;
    if (kind === 'diverged') {
      return [
        [new RegExp(`${before}diverged \\(${N}/\\d+\\)`), diverged(init, point)],
        [new RegExp(`${before}diverged \\(\\d+/${N}\\)`), count(init, point)],
      ];
    }
    return [
      [new RegExp(`${before}${N}${pm}[\\d.]+${unit}(?= |$)`), accuracy(init, point, 'mean', epoch)],
      [new RegExp(`${before}[\\d.]+${pm}${N}${unit}(?= |$)`), accuracy(init, point, 'std', epoch)],
    ];
  });
}
interface RunClaim {
  where: string;
  text: () => string;
  /** The command the text names, without `init-bench run`. */
  command: string;
  long: boolean;
  figures: [RegExp, RunMeasure][];
}
/** "init   quoted mean ± std" rows of a preset's table: [regex of the row with two number groups, init, point]. */
const row = (prefix: string, init: string, point: Record<string, unknown>, epoch?: number): [RegExp, RunMeasure][] => {
  const r = new RegExp(`${prefix} ${N}% ± ${N}%`);
  return [
    [r, accuracy(init, point, 'mean', epoch)],
    [new RegExp(`${prefix} [\\d.]+% ± ${N}%`), accuracy(init, point, 'std', epoch)],
  ];
};

const BN_099 = { batchNormMomentum: 0.99, recomputeBatchNormStats: false };
const BN_09 = { batchNormMomentum: 0.9, recomputeBatchNormStats: false };
const BN_RECOMPUTED = { batchNormMomentum: 0.99, recomputeBatchNormStats: true };
/** "a/b/c": one seed's test accuracy after epochs 1, 2 and 3, after the text `prefix` (a regex). */
const perEpoch = (prefix: string, init: string, point: Record<string, unknown>): [RegExp, RunMeasure][] =>
  [1, 2, 3].map((epoch) => [new RegExp(`${prefix}${'[\\d.]+/'.repeat(epoch - 1)}${N}`), accuracy(init, point, 'mean', epoch)]);

export const RUN_CLAIMS: RunClaim[] = [
  {
    // The front door's table: the default run (4 trials x 3 epochs, seconds), every test accuracy.
    where: 'README.md, the default run',
    text: file('README.md'),
    command: '',
    long: false,
    figures: ['glorotUniform', 'heNormal', 'randomNormal', 'zeros'].flatMap((init): [RegExp, RunMeasure][] => [
      [re(`│ ${init} +│ NUM%`), accuracy(init, {}, 'mean')],
      [re(`│ ${init} +│ [\\d.]+% +│ NUM%`), (trials) => 100 * (matching(trials, init, {})[0]!.epochs.at(-1)!.trainEvalAccuracy ?? NaN)],
      [re(`│ ${init} +│ [\\d.]+% +│ [\\d.]+% +│ [\\d.]+% +│ NUM `), (trials) => matching(trials, init, {})[0]!.epochs.at(-1)!.trainLoss],
      [re(`│ ${init} +│ [\\d.]+% +│ [\\d.]+% +│ NUM%`), (trials) => Math.max(...matching(trials, init, {})[0]!.epochs.map((e) => 100 * e.testAccuracy))],
    ]),
  },
  {
    // The API example's output (docs/results.md): final test accuracy as printed, and the summary's mean.
    where: 'docs/results.md, the API example',
    text: file('docs/results.md'),
    command: '--init he,xavier --depth 10 --width 128 --epochs 2',
    long: false,
    figures: [
      [re('heNormal: NUM glorotUniform:'), (t) => matching(t, 'heNormal', {})[0]!.epochs.at(-1)!.testAccuracy],
      [re('glorotUniform: NUM heNormal'), (t) => matching(t, 'glorotUniform', {})[0]!.epochs.at(-1)!.testAccuracy],
      [re('heNormal NUM glorotUniform'), (t) => accuracy('heNormal', {}, 'mean')(t) / 100],
      [re('glorotUniform NUM vanishing'), (t) => accuracy('glorotUniform', {}, 'mean')(t) / 100],
    ],
  },
  {
    // The page's screenshot (docs/guide.md): the default preset, 6 epochs on 2,000 digits, seed 0.
    where: 'docs/guide.md, the screenshot',
    text: file('docs/guide.md'),
    command: '--config configs/default.yaml --epochs 6 --train-size 2000',
    long: false,
    figures: [
      [re('zeros flat at NUM% with'), accuracy('zeros', {}, 'mean')],
      [re('randomNormal rising to NUM-'), (t) => Math.min(...['heNormal', 'glorotUniform', 'randomNormal'].map((i) => accuracy(i, {}, 'mean')(t)))],
      [re('randomNormal rising to [\\d.]+-NUM%'), (t) => Math.max(...['heNormal', 'glorotUniform', 'randomNormal'].map((i) => accuracy(i, {}, 'mean')(t)))],
    ],
  },
  {
    where: 'configs/batchnorm.yaml, quick run',
    text: file('configs/batchnorm.yaml'),
    command: '--config configs/batchnorm.yaml --batch-norm true --precise-bn false,true --train-size 2000 --test-size 1000 --epochs 2',
    long: false,
    figures: [
      ...cells('running, at 0.99 (Keras)', [['N(0,0.01^2)', BN_099], ['heNormal', BN_099]]),
      ...cells('running, at 0.9 (PyTorch)', [['N(0,0.01^2)', BN_09], ['heNormal', BN_09]]),
      ...cells('recomputed (precise BN)', [['N(0,0.01^2)', BN_RECOMPUTED], ['heNormal', BN_RECOMPUTED]]),
      [re('it trains, NUM points \\(at 0.9\\)'), (t) => accuracy('heNormal', BN_09, 'mean')(t) - accuracy('N(0,0.01^2)', BN_09, 'mean')(t)],
      [re('and NUM points \\(recomputed\\) behind He'), (t) => accuracy('heNormal', BN_RECOMPUTED, 'mean')(t) - accuracy('N(0,0.01^2)', BN_RECOMPUTED, 'mean')(t)],
    ],
  },
  {
    where: 'configs/batchnorm.yaml',
    text: file('configs/batchnorm.yaml'),
    command: '--config configs/batchnorm.yaml',
    long: true,
    figures: [
      ...row('N\\(0, 0.01\\^2\\) none', 'N(0,0.01^2)', { batchNorm: false, batchNormMomentum: 0.99 }),
      ...row('N\\(0, 0.01\\^2\\) running, momentum 0.99 \\(Keras\\)', 'N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.99 }),
      ...row("N\\(0, 0.01\\^2\\) running, momentum 0.9 \\(PyTorch's\\)", 'N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.9 }),
      ...row('heNormal none', 'heNormal', { batchNorm: false, batchNormMomentum: 0.99 }),
      ...row('heNormal running, momentum 0.99', 'heNormal', { batchNorm: true, batchNormMomentum: 0.99 }),
      ...row('heNormal running, momentum 0.9', 'heNormal', { batchNorm: true, batchNormMomentum: 0.9 }),
      [re('with batch norm: NUM% ± [\\d.]+% at momentum 0.99'), accuracy('N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.99 }, 'mean', 1)],
      [re('with batch norm: [\\d.]+% ± NUM% at momentum 0.99'), accuracy('N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.99 }, 'std', 1)],
      [re('NUM% ± [\\d.]+% at 0.9,'), accuracy('N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.9 }, 'mean', 1)],
      [re('[\\d.]+% ± NUM% at 0.9,'), accuracy('N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.9 }, 'std', 1)],
      [re('the same weights score NUM% on their training batches'), accuracy('N(0,0.01^2)', { batchNorm: true, batchNormMomentum: 0.99 }, 'mean', 1, 'trainAccuracy')],
    ],
  },
  {
    where: 'configs/batchnorm.yaml, recomputed',
    text: file('configs/batchnorm.yaml'),
    command: '--config configs/batchnorm.yaml --batch-norm true --precise-bn true',
    long: true,
    figures: [
      ...row('N\\(0, 0.01\\^2\\) recomputed over the training set', 'N(0,0.01^2)', {}),
      ...row('heNormal recomputed', 'heNormal', {}),
      [re('NUM% ± [\\d.]+% recomputed \\(PyTorch'), accuracy('N(0,0.01^2)', {}, 'mean', 1)],
      [re('[\\d.]+% ± NUM% recomputed \\(PyTorch'), accuracy('N(0,0.01^2)', {}, 'std', 1)],
    ],
  },
  {
    where: 'configs/torch-defaults.yaml, quick run',
    text: file('configs/torch-defaults.yaml'),
    command: '--config configs/torch-defaults.yaml --train-size 2000 --test-size 1000 --epochs 2',
    long: false,
    figures: [2, 20].flatMap((depth) => cells(`depth ${depth}`, [['glorotUniform', { depth }], ['torch:default', { depth }], ['heNormal', { depth }]])),
  },
  {
    where: 'configs/deep-relu.yaml, quick run',
    text: file('configs/deep-relu.yaml'),
    command: '--config configs/deep-relu.yaml --train-size 2000 --test-size 1000 --epochs 2',
    long: false,
    figures: [1, 2].flatMap((epoch) => cells(`after epoch ${epoch}`, [['heNormal', {}, epoch], ['glorotUniform', {}, epoch], ['tfjs:heNormal', {}, epoch]])),
  },
  {
    // The whole preset: 36 trials of one epoch on 2,000 digits.
    where: 'configs/branch-scales.yaml',
    text: file('configs/branch-scales.yaml'),
    command: '--config configs/branch-scales.yaml',
    long: false,
    figures: ([['none', 'none'], ['rezero', 'rezero'], ['skipinit', 'skipinit'], ['fixup (rule 3)', 'fixup']] as const).flatMap(([label, branchScale]) => {
      const heDiverges = branchScale === 'none' || branchScale === 'fixup';
      return cells(label, [['heNormal', { branchScale }, undefined, heDiverges ? 'diverged' : undefined], ['he+zero-branch', { branchScale }], ['fixup', { branchScale }]], true);
    }),
  },
  {
    where: 'configs/residual.yaml, quick run',
    text: file('configs/residual.yaml'),
    command: '--config configs/residual.yaml --seeds 0,1,2 --train-size 2000 --test-size 1000 --epochs 1',
    long: false,
    figures: [
      ...cells('heNormal', [['heNormal', { residual: false }], ['heNormal', { residual: true }, undefined, 'diverged']]),
      ...['he+zero-branch', 'fixup', 'zerO', 'zeros'].flatMap((init) => cells(init, [[init, { residual: false }], [init, { residual: true }]])),
    ],
  },
  {
    where: 'configs/residual.yaml, seed 0',
    text: file('configs/residual.yaml'),
    command: '--config configs/residual.yaml',
    long: true,
    figures: [
      ...perEpoch('trains the plain net \\(', 'heNormal', { residual: false }),
      [re('with skips it diverges in epoch NUM'), (t) => matching(t, 'heNormal', { residual: true })[0]!.divergedAtEpoch ?? NaN],
      ...perEpoch('it is the fastest here: ', 'he+zero-branch', { residual: true }),
      ...perEpoch('x 10\\^\\(-1/2\\)\\): ', 'fixup', { residual: true }),
      ...perEpoch('x 10\\^\\(-1/2\\)\\): [\\d./]+ \\(plain: ', 'fixup', { residual: false }),
      ...perEpoch('no random numbers at all\\): ', 'zerO', { residual: true }),
      ...perEpoch('no random numbers at all\\): [\\d./]+ \\(plain: ', 'zerO', { residual: false }),
      [re('- zeros: NUM% \\(chance\\) with or without'), accuracy('zeros', { residual: true }, 'mean')],
      [re('- zeros: NUM% \\(chance\\) with or without'), accuracy('zeros', { residual: false }, 'mean')],
    ],
  },
  ...([['', '0,1,2'], ['On seeds 3, 4, 5[^]*?', '3,4,5']] as const).map(([after, seeds]): RunClaim => ({
    // The model file's CNN (2 epochs on 8000 digits, 12 trials per table): minutes on wasm.
    where: `crosscheck/README.md, the model file's CNN, seeds ${seeds}`,
    text: file('crosscheck/README.md'),
    command: `--config configs/model-file.yaml --seeds ${seeds}`,
    long: true,
    figures: ([['heNormal', 'heNormal'], ['glorotUniform \\(Xavier\\)', 'glorotUniform'], ['file[^|]*', 'file'], ['zeros', 'zeros']] as const).flatMap(([label, init]): [RegExp, RunMeasure][] => {
      const head = `The model file's CNN[^]*?${after}\\| ${label} \\| `;
      const seedList = seeds.split(',').map(Number);
      return [
        ...seedList.map((seed, i): [RegExp, RunMeasure] => [new RegExp(`${head}${'[\\d.]+, '.repeat(i)}${N}`), (t) => 100 * t.filter((x) => x.init === init && x.seed === seed)[0]!.epochs.at(-1)!.testAccuracy]),
        [new RegExp(`${head}[\\d., ]+ \\| ${N} ±`), accuracy(init, {}, 'mean')],
        [new RegExp(`${head}[\\d., ]+ \\| [\\d.]+ ± ${N}`), accuracy(init, {}, 'std')],
      ];
    }).concat(seeds === '0,1,2' ? [[re('the most frequent class in the test set \\(NUM%'), accuracy('zeros', {}, 'mean')]] : []),
  })),
  {
    where: 'configs/torch-defaults.yaml',
    text: file('configs/torch-defaults.yaml'),
    command: '--config configs/torch-defaults.yaml',
    long: true,
    figures: [
      ...row('2 glorotUniform \\(Keras\\)', 'glorotUniform', { depth: 2 }),
      ...row('2 torch:default \\(PyTorch\\)', 'torch:default', { depth: 2 }),
      ...row('2 heNormal', 'heNormal', { depth: 2 }),
      ...row('20 glorotUniform', 'glorotUniform', { depth: 20 }),
      ...row('20 torch:default', 'torch:default', { depth: 20 }),
      ...row('20 heNormal', 'heNormal', { depth: 20 }),
      ...row('slowest:', 'torch:default', { depth: 2 }, 1),
      ...row('after epoch 1, against', 'glorotUniform', { depth: 2 }, 1),
      ...row('after epoch 1, against [\\d.]+% ± [\\d.]+% and', 'heNormal', { depth: 2 }, 1),
      [re('Glorot is slow \\(NUM% ±'), accuracy('glorotUniform', { depth: 20 }, 'mean', 1)],
      [re('Glorot is slow \\([\\d.]+% ± NUM%'), accuracy('glorotUniform', { depth: 20 }, 'std', 1)],
      [re('Glorot is slow \\([\\d.]+% ± [\\d.]+%, NUM% ±'), accuracy('glorotUniform', { depth: 20 }, 'mean', 2)],
      [re('Glorot is slow \\([\\d.]+% ± [\\d.]+%, [\\d.]+% ± NUM%'), accuracy('glorotUniform', { depth: 20 }, 'std', 2)],
      [re('Glorot is slow \\((?:[\\d.]+% ± [\\d.]+%, ){2}NUM% ±'), accuracy('glorotUniform', { depth: 20 }, 'mean', 3)],
      [re('Glorot is slow \\((?:[\\d.]+% ± [\\d.]+%, ){2}[\\d.]+% ± NUM%'), accuracy('glorotUniform', { depth: 20 }, 'std', 3)],
      ...[1, 2, 3].flatMap((epoch): [RegExp, RunMeasure][] => [
        [re('for all 3 epochs \\(NUM% ±'), accuracy('torch:default', { depth: 20 }, 'mean', epoch)],
        [re('for all 3 epochs \\([\\d.]+% ± NUM%'), accuracy('torch:default', { depth: 20 }, 'std', epoch)],
      ]),
      [re('within NUM points'), (trials) => accuracy('heNormal', { depth: 2 }, 'mean')(trials) - accuracy('torch:default', { depth: 2 }, 'mean')(trials)],
    ],
  },
  {
    where: 'configs/deep-relu.yaml',
    text: file('configs/deep-relu.yaml'),
    command: '--config configs/deep-relu.yaml',
    long: true,
    figures: [1, 2, 3].flatMap((epoch) => [
      ...row(`heNormal${'(?: [\\d.]+% ± [\\d.]+%)'.repeat(epoch - 1)}`, 'heNormal', {}, epoch),
      ...row(`glorotUniform${'(?: [\\d.]+% ± [\\d.]+%)'.repeat(epoch - 1)}`, 'glorotUniform', {}, epoch),
      ...row(`tfjs:heNormal${'(?: [\\d.]+% ± [\\d.]+%)'.repeat(epoch - 1)}`, 'tfjs:heNormal', {}, epoch),
    ]),
  },
  {
    // The pretraining preset's table (9 trials, pretraining included: 1-2 minutes on 2 cores).
    where: 'configs/pretrain.yaml',
    text: file('configs/pretrain.yaml'),
    command: '--config configs/pretrain.yaml',
    long: false,
    figures: [
      ...row('glorotUniform', 'glorotUniform', {}),
      ...row('N\\(0, 0.01\\^2\\)', 'N(0,0.01^2)', {}),
      ...row('layerwisePretrain', 'layerwisePretrain', {}),
    ],
  },
];

const LONG = process.env.INIT_BENCH_LONG_CLAIMS === '1';

for (const claim of RUN_CLAIMS) {
  test(`${claim.where}: the figures quoted from \`init-bench run ${claim.command}\` are what it measures`, { skip: claim.long && !LONG && 'a full preset (minutes): INIT_BENCH_LONG_CLAIMS=1 runs it' }, async () => {
    const text = claim.text();
    assert.ok(text.includes(`init-bench run ${claim.command}`), `${claim.where}: does not name \`init-bench run ${claim.command}\``);
    const out = tempDir('init-bench-claims-');
    const r = await runCli(['run', ...claim.command.split(' ').filter(Boolean), '--backend', 'wasm', '--jobs', '2', '--out', out, '--json']);
    assert.equal(r.code, 0, `run ${claim.command}: ${r.stderr}`);
    const trials = (JSON.parse(r.stdout) as { trials: Trial[] }).trials;
    for (const [pattern, measured] of claim.figures) {
      const m = pattern.exec(text);
      assert.ok(m, `${claim.where}: no match for ${pattern}`);
      const actual = measured(trials);
      assert.ok(agrees(actual, m[1]), `${claim.where}: ${pattern} quotes ${m[1]}, run ${claim.command} measures ${actual.toFixed(3)}`);
    }
  });
}

/**
 * Output a document quotes verbatim (a fenced block after the command that prints it): every
 * quoted line is a line the command prints now. Timings are never quoted this way.
 */
export const OUTPUT_CLAIMS: { where: string; command: string; first: string }[] = [
  { where: 'docs/guide.md', command: 'probe --init he,xavier,tfjs:heNormal --depth 20 --width 256 --activation relu', first: 'Recommended: heNormal' },
];

test('output quoted from a command is what it prints', async () => {
  for (const { where, command, first } of OUTPUT_CLAIMS) {
    const raw = readFileSync(join(ROOT, where), 'utf8');
    assert.ok(raw.includes(`init-bench ${command}`), `${where}: does not name \`init-bench ${command}\``);
    const start = raw.indexOf(`\`\`\`\n${first}\n`);
    assert.ok(start >= 0, `${where}: no fenced block starting with "${first}"`);
    const quoted = raw.slice(start + 4, raw.indexOf('\n```', start + 4)).split('\n');
    const r = await runCli(command.split(' '));
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    const printed = new Set(r.stdout.split('\n').map((line) => line.trimEnd()));
    for (const line of quoted) assert.ok(printed.has(line.trimEnd()), `${where}: "${line}" is not printed by init-bench ${command}`);
  }
});

/**
 * Coverage: every accuracy figure ("12.3%", "12.3 +- 0.4", "12.3 ± 0.4", "75.4/86.7/91.3") in README.md, docs/*.md, configs/*.yaml and
 * crosscheck/README.md is the number of some claim above (in CI, or with INIT_BENCH_LONG_CLAIMS=1),
 * or is listed in NOT_CLAIMED_HERE: re-measured by another test, or by none (then its document
 * says where it was measured and how to measure it again). A figure added without a claim fails
 * here, naming it.
 */
export const NOT_CLAIMED_HERE: { where: string; figures: RegExp; why: string }[] = [
  { where: 'configs/pretrain.yaml', figures: /[^]*/, why: 'the table is a run claim above; the other figures of its comment (PyTorch, one-seed variants): none, its comment says so and gives the commands' },
  { where: 'docs/guide.md', figures: /What configs\/pretrain\.yaml measured[^]*?pretraining took/, why: 'configs/pretrain.yaml\'s table, which its run claim re-measures; PyTorch\'s column and the one-seed variants: none' },
  { where: 'configs/batchnorm.yaml', figures: /PyTorch \(seeds 3-5\)[^]*?PyTorch: [\d.]+%, [\d.]+%, [\d.]+%\)/, why: 'the PyTorch column: crosscheck/batchnorm.py (no PyTorch in CI)' },
  { where: 'configs/torch-defaults.yaml', figures: /PyTorch \(seeds 3-5\)[^]*?PyTorch [\d.]+%, [\d.]+% and [\d.]+%\)/, why: 'the PyTorch column: crosscheck/torch-defaults.py' },
  { where: 'configs/deep-relu.yaml', figures: /crosscheck\/torch-defaults\.py, not re-measured by the tests: [\d.]+%, [\d.]+%, [\d.]+% on average/, why: 'PyTorch: crosscheck/torch-defaults.py' },
  { where: 'crosscheck/README.md', figures: /\| (?:heNormal|glorotUniform \(Xavier\)|file[^|]*|zeros) \| [\d., ]+ \| [\d.]+ ± [\d.]+ \| ([\d., ]+ \| [\d.]+ ± [\d.]+) \|/g, why: 'PyTorch\'s columns of the model file\'s tables: crosscheck/model-file.py' },
  { where: 'configs/residual.yaml', figures: /PyTorch \(crosscheck\/residual\.py[^]*?zeros 11\.2 throughout/, why: 'PyTorch: crosscheck/residual.py' },
  { where: 'configs/mup-transfer.yaml', figures: /seeds 1 and 2 \(`--seeds 1,2`\)[^]*?\.(?= Mean)/, why: 'test/cli/mup-claims.test.ts (INIT_BENCH_LONG_CLAIMS=1)' },
];

test('every figure the documents quote is re-measured by a claim, or listed as not re-measured', () => {
  // Accuracies: "92.7%", "78.1 +- 4.3", "94.3 ± 0.7", and a seed's epochs "75.4/86.7/91.3".
  const FIGURE_RE = /\d+\.\d+(?:%| \+- \d+\.\d+| ± \d+\.\d+|(?:\/\d+\.\d+)+)/g;
  const problems: string[] = [];
  for (const path of [...DOCUMENTS, 'crosscheck/README.md']) {
    const text = file(path)();
    const covered: [number, number][] = [];
    const cover = (pattern: RegExp) => {
      const m = new RegExp(pattern.source, `${pattern.flags.replace(/[gd]/g, '')}d`).exec(text);
      const at = m?.indices?.[1];
      if (at) covered.push(at);
    };
    const own = (claimText: () => string) => claimText() === text;
    for (const c of PROBE_CLAIMS) if (own(c.text)) c.figures.forEach(([p]) => cover(p));
    for (const c of PROBE_SPREAD_CLAIMS) if (own(c.text)) c.figures.forEach(([p]) => cover(p));
    for (const c of RUN_CLAIMS) if (own(c.text)) c.figures.forEach(([p]) => cover(p));
    for (const n of NOT_CLAIMED_HERE.filter((x) => x.where === path)) {
      // A global pattern covers each match's first group (or the whole match); another, its one match.
      const matches = n.figures.global ? [...text.matchAll(new RegExp(n.figures.source, 'gd'))] : [new RegExp(n.figures.source, 'd').exec(text)].filter((m) => m !== null);
      if (!matches.length) problems.push(`${path}: NOT_CLAIMED_HERE's ${n.figures} matches nothing`);
      for (const m of matches) covered.push(m.indices![1] ?? m.indices![0]);
    }
    for (const f of text.matchAll(FIGURE_RE)) {
      if (!covered.some(([a, b]) => f.index! >= a && f.index! < b)) problems.push(`${path}: "...${text.slice(Math.max(0, f.index! - 50), f.index! + f[0].length)}"`);
    }
  }
  assert.deepEqual(problems, [], `figures no claim re-measures:\n${problems.join('\n')}`);
});

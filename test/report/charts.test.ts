import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preloadRenderer, releaseRenderer, render } from '../../src/report/chart-spec.js';
import { renderCharts, type Chart } from '../../src/report/charts.js';
import { renderHtml } from '../../src/report/html.js';
import { doc, trial } from './fixtures.js';

/** Legend entries of a chart's SVG: label -> symbol colour and opacity. */
function legend(chart: Chart): Map<string, { fill: string; opacity: number }> {
  const entries = [...chart.svg.matchAll(/role-legend-symbol"[^>]*><path [^>]*fill="([^"]+)"[^>]*opacity="([\d.]+)"[^>]*\/><\/g><g class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)<\/text>/g)];
  return new Map(entries.map((m) => [unescape(m[3]), { fill: m[1], opacity: Number(m[2]) }]));
}
/** Facet row headers, top to bottom. */
const headers = (chart: Chart) => [...chart.svg.matchAll(/aria-label="Title text '([^']*)'"/g)].map((m) => unescape(m[1]));
/** The x axis labels of a single (unfaceted) chart. */
const xLabels = (chart: Chart) => [...(/role-axis-label"[^>]*>((?:<text[^>]*>[^<]*<\/text>)*)<\/g>/.exec(chart.svg)?.[1] ?? '').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const byId = (charts: Chart[], id: string) => charts.find((c) => c.id === id)!;

const exploding = { initializers: [{ name: 'randomNormal', label: 'N(0,1)' }, { name: 'randomNormal', label: 'N(0,0.25)' }, { name: 'heNormal', label: 'heNormal' }] };

test('one colour per initializer on the whole page, by its position in the config, even when one diverged', async () => {
  const diverged = { ...trial({ init: 'N(0,1)', accuracy: [NaN, NaN] }, 0), status: 'diverged' as const };
  for (const e of diverged.epochs) e.trainLoss = NaN;
  const charts = await renderCharts(doc([diverged, trial({ init: 'N(0,0.25)' }, 1), trial({ init: 'heNormal' }, 2)], exploding));
  const colours = charts.map((c) => legend(c));
  for (const c of colours) {
    assert.equal(c.get('N(0,0.25)')?.fill, colours[2].get('N(0,0.25)')?.fill, 'N(0,0.25) has one colour');
    assert.equal(c.get('heNormal')?.fill, colours[2].get('heNormal')?.fill, 'heNormal has one colour');
  }
  assert.notEqual(colours[0].get('heNormal')?.fill, colours[0].get('N(0,0.25)')?.fill);
  // Second and third in the config: the palette's second and third colours.
  assert.equal(colours[0].get('N(0,0.25)')?.fill, '#f58518');
  assert.equal(colours[0].get('heNormal')?.fill, '#e45756');
});

test('a grid: a row of small multiples per point in numeric order, opaque swatches, at-init rows without the learning rate', async () => {
  const trials = [20, 5, 10].flatMap((depth, d) =>
    [0.01, 0.1].flatMap((lr, l) => ['heNormal', 'glorotUniform'].map((init, i) => trial({ init, point: { depth, lr }, hidden: Array.from({ length: depth }, (_, k) => `dense${k + 1}`) }, 4 * d + 2 * l + i))),
  );
  const charts = await renderCharts(doc(trials, { initializers: [{ name: 'heNormal' }, { name: 'glorotUniform' }] }));
  const accuracy = byId(charts, 'accuracy');
  assert.deepEqual(headers(accuracy), ['depth 5, lr 0.01', 'depth 5, lr 0.1', 'depth 10, lr 0.01', 'depth 10, lr 0.1', 'depth 20, lr 0.01', 'depth 20, lr 0.1']);
  assert.deepEqual(headers(byId(charts, 'signal')), ['depth 5', 'depth 10', 'depth 20']);
  assert.deepEqual(headers(byId(charts, 'gradients')), ['depth 5', 'depth 10', 'depth 20']);
  assert.match(byId(charts, 'signal').caption, /lr does not change the initial state/);
  const swatches = legend(accuracy);
  assert.deepEqual([...swatches.keys()], ['heNormal', 'glorotUniform'], 'the legend lists initializers, not initializer x point');
  for (const s of swatches.values()) assert.equal(s.opacity, 1, 'legend swatches are opaque');
});

test('whole-number axes: one epoch reads "1"; the output layer is not an unlabelled last point', async () => {
  const charts = await renderCharts(doc([trial({ init: 'heNormal', accuracy: [0.5] }, 0)], { initializers: [{ name: 'heNormal' }] }));
  assert.deepEqual(xLabels(byId(charts, 'accuracy')), ['1']);
  // Two hidden layers and the output: the at-init charts plot hidden layers 1 and 2.
  assert.deepEqual(xLabels(byId(charts, 'signal')), ['1', '2']);
  assert.match(byId(charts, 'signal').caption, /output layer is left out/);
  const five = await renderCharts(doc([trial({ init: 'heNormal', accuracy: [0.1, 0.2, 0.3, 0.4, 0.5] }, 0)], { initializers: [{ name: 'heNormal' }] }));
  assert.deepEqual(xLabels(byId(five, 'accuracy')), ['1', '2', '3', '4', '5']);
});

test('report.html settings and table say what ran: default sizes, a CNN head, whole epochs, values that do not wrap', () => {
  const cnn = { name: 'c', seeds: [0], data: { dataset: 'mnist' }, model: { kind: 'cnn', filters: [16, 32], kernelSize: 3, pool: 2, head: [], activation: 'relu' }, train: { optimizer: 'sgd', lr: 0.1, batchSize: 64, epochs: 3, target: 0.9 }, initializers: [{ name: 'heNormal' }] };
  const d = doc([trial({ init: 'heNormal', seed: 0 }, 0), trial({ init: 'heNormal', seed: 1 }, 1)], cnn);
  d.summary[0] = { ...d.summary[0], trials: 2, ok: 2, epochsToTarget: 2, reachedTarget: 2, testAccuracy: { mean: 0.927, std: 0.004, min: 0.92, max: 0.93, ci95: [0.9, 0.95] } };
  const html = renderHtml(d, []);
  assert.match(html, /8000 training and 2000 test digits/);
  assert.doesNotMatch(html, /default/);
  assert.doesNotMatch(html, /head ;/);
  assert.match(html, /no dense head/);
  assert.match(html, /<td class="num">2<\/td>/, 'epochs to target is a whole number');
  assert.match(html, /<td class="num"><span class="best">92\.7% ± 0\.4%<\/span><\/td>/);
  assert.match(html, /td\.num \{[^}]*white-space: nowrap/);
});

test('training examples evaluated as the test set: a chart, a table column and CSV columns, where the results have them', async () => {
  const plain = doc([trial({ init: 'heNormal' }, 0)]);
  assert.ok(!(await renderCharts(plain)).some((c) => c.id === 'train-accuracy'), 'older results: no such chart');
  const withEval = doc([trial({ init: 'heNormal' }, 0)]);
  for (const t of withEval.trials) for (const e of t.epochs) e.trainEvalAccuracy = 0.97;
  for (const t of withEval.trials) t.final = { ...t.final!, trainEvalAccuracy: 0.97 };
  withEval.summary[0].trainEvalAccuracy = { mean: 0.97, std: 0, min: 0.97, max: 0.97, ci95: null };
  const chart = byId(await renderCharts(withEval), 'train-accuracy');
  assert.ok(chart.svg.length > 0);
  assert.match(chart.caption, /inference mode/);
  const html = renderHtml(withEval, []);
  assert.match(html, /<th>train acc<\/th>/);
  assert.match(html, /97\.0%/);
  const { metricsCsv } = await import('../../src/report/csv.js');
  const [header, first] = metricsCsv(withEval).split('\n').map((l) => l.split(','));
  assert.equal(first[header.indexOf('trainEvalAccuracy')], '0.97');
});

test('charts rendered by the render thread are those rendered in this thread', async () => {
  const d = doc([trial({ init: 'N(0,1)' }, 0), trial({ init: 'N(0,0.25)' }, 1), trial({ init: 'heNormal' }, 2)], exploding);
  const here = await renderCharts(d);
  preloadRenderer('thread');
  try {
    assert.deepEqual(await renderCharts(d), here);
  } finally {
    releaseRenderer();
  }
  // A spec the renderer fails on is the same error from the thread as from this thread.
  const message = await render({ mark: 'nope' }).then(() => 'rendered', (err: Error) => err.message);
  assert.notEqual(message, 'rendered');
  preloadRenderer('thread');
  try {
    await assert.rejects(render({ mark: 'nope' }), (err: Error) => err.message === message);
  } finally {
    releaseRenderer();
  }
});

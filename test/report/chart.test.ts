import assert from 'node:assert/strict';
import { test } from 'node:test';
import chalk from 'chalk';
import { lineChart } from '../../src/report/chart.js';

chalk.level = 0;
/** The plot rows (those with the y axis), without the axis labels. */
const plot = (chart: string) => chart.split('\n').filter((l) => l.includes('┤')).map((l) => l.slice(l.indexOf('┤') + 1));

test('the terminal chart shows every series where their markers meet (run --init he,xavier,zeros)', () => {
  // He and Xavier at the same accuracy, as on two ReLU layers.
  const chart = lineChart(
    [
      { name: 'heNormal', values: [0.9, 0.92, 0.93] },
      { name: 'glorotUniform', values: [0.9, 0.92, 0.93] },
      { name: 'zeros', values: [0.11, 0.11, 0.11] },
    ],
    { title: 't', xLabel: 'epoch' },
  );
  const rows = plot(chart).join('\n');
  assert.equal((rows.match(/\*/g) ?? []).length, 3, 'every heNormal point is drawn');
  assert.equal((rows.match(/o/g) ?? []).length, 3, 'every glorotUniform point is drawn');
  assert.equal((rows.match(/\+/g) ?? []).length, 3);
  assert.match(rows, /\*o/, 'side by side where they meet');
});

test('with no room beside a marker (one column per step, as probe on a deep net), the overlap mark is drawn and explained', () => {
  const same = [1, 1, 1, 1];
  const chart = lineChart(
    [
      { name: 'a', values: same },
      { name: 'b', values: same },
      { name: 'c', values: [0.5, 0.5, 0.5, 0.5] },
    ],
    { title: 't', xLabel: 'layer', step: 1 },
  );
  const rows = plot(chart).join('\n');
  assert.match(rows, /=/);
  assert.match(chart.split('\n').at(-1)!, /= several series/);
  assert.equal((rows.match(/\+/g) ?? []).length, 4, 'the lone series is untouched');
});

test('the legend wraps to the terminal width instead of running past it', () => {
  const series = Array.from({ length: 8 }, (_, k) => ({ name: `heNormal (depth ${k + 1}, lr 0.01)`, values: [0.1 * k, 0.1 * k + 0.05] }));
  const chart = lineChart(series, { title: 't', xLabel: 'epoch', width: 80 });
  assert.ok(Math.max(...chart.split('\n').map((l) => l.length)) <= 80);
  for (const s of series) assert.ok(chart.includes(s.name), s.name);
});

test('more than four series become one panel per series, named, on one y scale, within the width', () => {
  const names = ['heNormal', 'glorotUniform', 'zeros', 'randomNormal', 'orthogonal', 'lsuv', 'leCunNormal', 'tfjs:truncatedNormal'];
  const series = names.map((name, k) => ({ name, values: [0.1, 0.1 + 0.1 * k, 0.2 + 0.1 * k] }));
  const chart = lineChart(series, { title: 'Test accuracy per epoch', xLabel: 'epoch', width: 80, step: 9 });
  const lines = chart.split('\n');
  assert.ok(Math.max(...lines.map((l) => l.length)) <= 80, chart);
  for (const name of names) assert.equal(lines.filter((l) => l.trim().split(/\s{2,}/).includes(name)).length, 1, `one panel titled ${name}`);
  const rows = plot(chart).join('\n');
  assert.doesNotMatch(rows, /[o+x#@%&=]/, 'one glyph: the panel says whose it is');
  assert.equal((rows.match(/\*/g) ?? []).length, 3 * names.length, 'every point of every series');
  const topLabels = new Set(lines.flatMap((l) => [...l.matchAll(/([\d.]+) ┤/g)].map((m) => m[1])));
  assert.equal(topLabels.size, 3, `every panel has the same three y ticks: ${[...topLabels].join(', ')}`);
});

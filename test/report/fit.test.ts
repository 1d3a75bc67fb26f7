import assert from 'node:assert/strict';
import { test } from 'node:test';
import chalk from 'chalk';
import { catalogueTable, compareTable } from '../../src/commands/list.js';
import { layerTable } from '../../src/commands/probe.js';
import type { ProbeResult } from '../../src/runner/probe.js';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { compareRows } from '../../src/initializers/compare.js';
import { comparisonTable } from '../../src/report/table.js';
import { runCli } from '../helpers.js';
import { doc, trial } from './fixtures.js';

chalk.level = 0;
const widest = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));
const squash = (text: string) => text.replace(/[│\s]+/g, ' ');
/** Column `i` (0-based; -1 the last) of a table's rows, its wrapped lines joined. */
const column = (text: string, i: number) =>
  squash(text.split('\n').filter((l) => l.startsWith('│') && l.split('│').length > 3).map((l) => l.split('│').slice(1, -1).at(i)!).join(' '));
const lastColumn = (text: string) => column(text, -1);

/** A grid with two seeds and the README's longest diagnosis: 141+ columns at full width. */
function gridDoc() {
  const trials = [5, 20].flatMap((depth, d) => [0, 1].flatMap((seed) => ['heNormal', 'zeros'].map((init, i) => trial({ init, seed, point: { depth, lr: 0.01 } }, 4 * d + 2 * seed + i))));
  const d = doc(trials, { initializers: [{ name: 'heNormal' }, { name: 'zeros' }] });
  d.summary = d.summary.map((r) => ({ ...r, trials: 2, ok: 2, testAccuracy: { ...r.testAccuracy, std: 0.011, ci95: [0.5, 0.9] }, comparison: { best: 'heNormal', pValue: 0.163, notSignificantlyDifferent: true } }));
  d.summary[1].diagnosis = ['symmetric: 1 distinct unit/layer', 'dead ReLUs 100%'];
  return d;
}

test('at 80 columns the comparison table fits: the diagnosis wraps, secondary columns are left out and named', () => {
  const d = gridDoc();
  const full = comparisonTable(d, 0.9, Infinity);
  assert.ok(widest(full) > 120, 'full width when piped');
  const narrow = comparisonTable(d, 0.9, 80);
  assert.ok(widest(narrow) <= 80, `${widest(narrow)} columns:\n${narrow}`);
  assert.match(lastColumn(narrow), /symmetric: 1 distinct unit\/layer; dead ReLUs 100%/, 'the diagnosis is all there, wrapped');
  assert.match(squash(narrow), /depth 20, lr 0\.01/, 'grid points become heading rows');
  assert.match(squash(narrow), /Left out to fit 80 columns: s\/epoch/);
  // "≈ best (p=0.163)" may wrap at its space, never inside a word or a number.
  const vsBest = /^ vs best best ≈ best \(p=0\.163\) best ≈ best \(p=0\.163\) $/;
  assert.match(column(narrow, 2), vsBest, 'a value is never cut');
  // Narrower than the table can go once every secondary column is out: the columns stop at their
  // longest word, so the value is still whole (the table is wider than asked instead).
  const tooNarrow = comparisonTable(d, 0.9, 70);
  assert.match(column(tooNarrow, 2), vsBest, `a value is never cut:\n${tooNarrow}`);
});

test('at 80 columns the catalogue fits and keeps every name; piped, every formula stays on one line', async () => {
  const narrow = catalogueTable(80);
  assert.ok(widest(narrow) <= 80, `${widest(narrow)} columns`);
  for (const e of CATALOGUE) assert.ok(narrow.includes(` ${e.name} `), e.name);
  const piped = await runCli(['list']);
  assert.equal(piped.code, 0, piped.stderr);
  const lines = piped.stdout.split('\n');
  for (const e of CATALOGUE) assert.ok(lines.some((l) => l.includes(e.formula)), `"${e.formula}" on one line`);
});

test("the catalogue's formula column wraps at spaces, and breaks a longer word after a hyphen or slash, never mid-word", () => {
  const text = catalogueTable(80);
  assert.doesNotMatch(squash(text), /variance-correct ed/, 'no "variance-correct / ed"');
  assert.match(squash(text), /variance-corrected/);
  // Every piece of a wrapped formula ends at a space, a hyphen, a slash or punctuation that allows a break.
  for (const e of CATALOGUE) {
    for (const word of e.formula.split(/\s+/).filter((w) => w.length <= 18)) assert.ok(squash(text).includes(word), `"${word}" of ${e.name} kept whole`);
  }
});

test('list --compare fits the terminal at 80 columns; piped, every cell is whole', async () => {
  const narrow = compareTable(80);
  assert.ok(widest(narrow) <= 80, `${widest(narrow)} columns`);
  for (const r of compareRows()) assert.ok(narrow.includes(` ${r.name} `), r.name);
  const piped = await runCli(['list', '--compare']);
  assert.equal(piped.code, 0, piped.stderr);
  const pitfalls = CATALOGUE.find((e) => e.name === 'zeros')!.lesson.pitfalls;
  assert.ok(piped.stdout.split('\n').some((l) => l.includes(pitfalls)), 'piped: the pitfalls cell is on one line');
});

test("probe's per-layer table fits 80 columns as run's does, and says what it left out", () => {
  const layers = trial({ init: 'heNormal' }).diagnostics!.atInit.map((l) => ({ ...l, layer: l.layer, units: 256, preActivationMean: -0.0123, activationMean: -0.0111, saturatedFraction: 0.02 }));
  const result = { init: 'heNormal', layers, problems: [], healthy: true } as unknown as ProbeResult;
  const full = layerTable(result, Infinity);
  assert.ok(widest(full) > 100, `piped: every column (${widest(full)})`);
  const narrow = layerTable(result, 80);
  assert.ok(widest(narrow) <= 80, `${widest(narrow)} columns:\n${narrow}`);
  for (const head of ['layer', 'std', 'dead', 'grad']) assert.match(narrow, new RegExp(head));
  assert.match(squash(narrow), /Left out to fit 80 columns: saturated/);
  const unsaturated = layerTable({ ...result, layers: layers.map((l) => ({ ...l, saturatedFraction: null })) } as ProbeResult, 80);
  assert.doesNotMatch(unsaturated, /Left out/, 'a column of dashes goes without a word');
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../src/report/html.js';
import { chromiumMissing, launchChromium, runCli, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';
import { doc, trial } from './fixtures.js';

/** Where the screenshot is kept for people to look at: outside the repository. */
export const SCREENSHOT = join(tmpdir(), 'init-bench-report-screenshot.png');

test('report.html opens offline in headless Chromium: no console error, every chart drawn', async (t) => {
  const missing = chromiumMissing();
  if (missing) {
    t.skip(missing);
    return;
  }
  const dir = join(tempDir(), 'r');
  // Two seeds (bands and tests), a diverging trial (a gap in the loss chart), zero init (a zero gradient).
  const r = await runCli(['run', ...tinyRun({ '--init': 'he,zeros,randomNormal(stddev=3)', '--seeds': '0,1', '--train-size': '600', '--test-size': '200', '--hidden': '32,32', '--epochs': '3', '--optimizer': 'sgd', '--lr': '0.5' }, '--out', dir, '--quiet')]);
  assert.ok(r.code === 0 || r.code === 3, r.stderr);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<link|src="http|href="http/, 'self-contained: no script, stylesheet or remote resource');

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (req) => !req.url().startsWith('file:') && requests.push(req.url()));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    const charts = await page.$$eval('figure[data-chart]', (figs) =>
      figs.map((f) => ({ id: f.getAttribute('data-chart'), marks: f.querySelectorAll('svg path, svg line, svg rect, svg circle').length, width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0 })),
    );
    assert.deepEqual(charts.map((c) => c.id), ['accuracy', 'loss', 'signal', 'gradients']);
    for (const c of charts) {
      assert.ok(c.marks > 10, `chart ${c.id} drew ${c.marks} marks`);
      assert.ok(c.width > 200, `chart ${c.id} is ${c.width}px wide`);
    }
    assert.ok((await page.$$('table tbody tr')).length === 3);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(requests, [], 'nothing fetched from the network');
    t.diagnostic(`screenshot: ${SCREENSHOT}`);
  } finally {
    await browser.close();
  }
});

/** Where the two-axis grid's report is kept for people to look at: outside the repository. */
export const GRID_SCREENSHOT = join(tmpdir(), 'init-bench-report-grid.png');

test("a two-axis grid's table fits a 1280 x 1000 window, grid points heading their rows; the settings say what varied", async (t) => {
  const trials = [2, 5].flatMap((depth, d) => [0.01, 0.1].flatMap((lr, l) => [0, 1].flatMap((seed) => ['heNormal', 'glorotUniform', 'zeros'].map((init, i) => trial({ init, seed, point: { depth, lr } }, 12 * d + 6 * l + 3 * seed + i)))));
  const d = doc(trials, { name: 'grid', model: { kind: 'mlp', depth: [2, 5], width: 256, activation: 'relu' }, train: { optimizer: 'momentum', lr: [0.01, 0.1], batchSize: 64, epochs: 2, target: 0.9 }, seeds: [0, 1], data: {}, initializers: [] });
  d.summary = d.summary.map((r) => ({ ...r, trials: 2, ok: 2, testAccuracy: { ...r.testAccuracy, std: 0.014, ci95: [0.003, 0.257] }, comparison: { best: 'heNormal', pValue: 0.495, notSignificantlyDifferent: true }, diagnosis: r.init === 'zeros' ? ['symmetric: 1 distinct unit/layer', 'dead ReLUs 100%'] : ['exploding gradients (layer 1 grad x8.62 of layer 5)', 'vanishing signal (activation std x0.24 by layer 5)'] }));
  const html = renderHtml(d, []);
  assert.match(html, /MLP, 2 or 5 \(a grid axis\) hidden layer\(s\) of 256 units/);
  assert.match(html, /lr 0\.01 or 0\.1 \(a grid axis\)/);
  assert.doesNotMatch(html, /depth 2, 5 x width/);
  const missing = chromiumMissing();
  if (missing) {
    t.skip(missing);
    return;
  }
  const file = join(tempDir(), 'report.html');
  writeFileSync(file, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(pathToFileURL(file).href);
    const right = await page.$eval('table', (el) => el.getBoundingClientRect().right);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(right <= 1280 && scroll <= 1280, `table ends at ${right}px, page ${scroll}px wide`);
    assert.deepEqual(await page.$$eval('tr.point th', (ths) => ths.map((th) => th.textContent)), ['depth 2, lr 0.01', 'depth 2, lr 0.1', 'depth 5, lr 0.01', 'depth 5, lr 0.1']);
    await page.screenshot({ path: GRID_SCREENSHOT });
    t.diagnostic(`screenshot: ${GRID_SCREENSHOT}`);
  } finally {
    await browser.close();
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromiumMissing, launchChromium, runCli, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';

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

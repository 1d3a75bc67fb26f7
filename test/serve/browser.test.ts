import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromiumMissing, launchChromium, tempDir } from '../helpers.js';
import { serve } from './client.js';

/** Where the screenshot is kept for people to look at: outside the repository. */
export const SCREENSHOT = join(tmpdir(), 'init-bench-serve-screenshot.png');

test('the page in headless Chromium: start a two-initializer run from the form, charts draw, the table fills, nothing leaves the machine', async (t) => {
  const missing = chromiumMissing();
  if (missing) {
    t.skip(missing);
    return;
  }
  const served = await serve(['--results', tempDir(), '--jobs', '1']);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (req) => !req.url().startsWith(`${served.origin}/`) && !req.url().startsWith('data:') && foreign.push(req.url()));
    await page.goto(served.url);
    assert.doesNotMatch(page.url(), /token=/, 'the token is taken out of the address bar');
    // The page builds its form once /api/form and /api/presets have answered: on a busy machine, after `goto` returns.
    await page.waitForSelector('#preset option', { state: 'attached' });

    // The form is built from what the server describes: every config key has its input, titled
    // with the schema's description, and every parameter of the initializers shown its own.
    const described = await page.evaluate(async () => {
      const spec = (await (await fetch('/api/form')).json()) as { fields: { key: string; description: string }[] };
      const titles = new Set([...document.querySelectorAll('#run-form [title]')].map((e) => e.getAttribute('title')));
      return { keys: spec.fields.map((f) => f.key), missing: spec.fields.filter((f) => !titles.has(f.description)).map((f) => f.key) };
    });
    assert.ok(described.keys.includes('model.dropout') && described.keys.includes('train.lr'), described.keys.join(', '));
    // data.dataDir names a folder, which no request may: it has no input (blas is offered as auto | off).
    assert.deepEqual(described.missing, ['$schema', 'data.dataDir'], 'every key but $schema and the path-only data.dataDir has an input titled with its description');
    assert.match(await page.getAttribute('#inits .init [data-param="stddev"]', 'title') ?? '', /^number > 0: Std of the normal/);

    // The smoke preset (zeros and heNormal), made tiny: one epoch on 300 digits.
    await page.selectOption('#preset', 'smoke.yaml');
    assert.equal(await page.locator('#inits .init').count(), 2);
    await page.fill('#epochs', '1');
    await page.fill('#train-size', '300');
    await page.fill('#test-size', '100');
    await page.fill('#hidden', '32, 16');

    // A bad value first: the server's message is shown and nothing starts.
    await page.fill('#lr', '-1');
    await page.click('#start');
    await page.waitForSelector('#form-errors p');
    assert.match(await page.textContent('#form-errors') ?? '', /`train.lr` is -1/);
    assert.equal(await page.locator('#runs li').count(), 0);
    // Chromium logs the refused request itself; that one is expected, nothing else.
    assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    errors.length = 0;

    await page.fill('#lr', '0.05');
    await page.click('#start');
    await page.waitForSelector('#run-status[data-state=ended]', { timeout: 120000 });
    await page.waitForFunction(() => document.querySelectorAll('#table tbody tr').length === 2, undefined, { polling: 100 });

    // The charts as drawn once both trials are in: on a busy machine the table can be read in the
    // instant before the charts that come with it are laid out; the failure names what was there.
    const drawn = () => [...document.querySelectorAll('figure[data-chart]')].every((f) => (f.querySelector('svg')?.getBoundingClientRect().width ?? 0) > 200 || f.querySelector('.zero-note'));
    await page.waitForFunction(drawn, undefined, { polling: 100, timeout: 30_000 }).catch(async () => {
      assert.fail(`charts not drawn: ${await page.$eval('#charts', (el) => el.outerHTML.replace(/<svg[\s\S]*?<\/svg>/g, '<svg/>').slice(0, 2000))}`);
    });
    const rows = await page.$$eval('#table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(rows, ['zeros', 'heNormal']);
    const charts = await page.$$eval('figure[data-chart]', (figs) =>
      figs.map((f) => ({ id: f.getAttribute('data-chart'), series: f.querySelectorAll('g.series').length, dots: f.querySelectorAll('g.series circle').length, width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0 })),
    );
    assert.deepEqual(charts.map((c) => c.id), ['accuracy', 'loss', 'signal', 'gradients']);
    for (const c of charts) assert.ok(c.width > 200, `chart ${c.id} is ${c.width}px wide`);
    // One epoch: one point per initializer in the per-epoch charts.
    assert.deepEqual(charts.slice(0, 2).map((c) => [c.series, c.dots]), [[2, 2], [2, 2]]);
    // Per hidden layer after epoch 1 (the output is left out, as in report.html): two. Zero init
    // has no spread in its hidden layers (nothing on the log scale), so He draws both points.
    const signal = charts[2];
    assert.equal(signal.series, 2);
    assert.ok(signal.dots >= 2, `signal chart drew ${signal.dots} points`);
    assert.ok(charts[3].dots >= 2, `gradient chart drew ${charts[3].dots} points`);

    // The finished run links its report: the run list learns of it once the run has ended, which
    // on a busy machine can come after the table has filled.
    await page.waitForFunction(() => [...document.querySelectorAll('#runs li.current .files a')].some((a) => a.textContent === 'report.html'), undefined, { polling: 100, timeout: 120_000 });
    const links = await page.$$eval('#runs li.current .files a', (as) => as.map((a) => a.textContent));
    assert.ok(links.includes('report.html'), `links: ${links}`);

    const latencies = String(await page.getAttribute('body', 'data-latency-log'));
    t.diagnostic(`page updated ${latencies} ms after each epoch ended (host's clock to the page's draw)`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.diagnostic(`screenshot: ${SCREENSHOT}`);
    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(foreign, [], 'no request leaves the machine');
  } finally {
    await browser.close();
    assert.equal(await served.stop(), 0, served.stderr());
  }
});

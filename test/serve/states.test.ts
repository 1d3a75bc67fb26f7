import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PALETTE } from '../../src/report/series.js';
import { PALETTE as PAGE_PALETTE } from '../../src/serve/page/charts.js';
import { chromiumMissing, launchChromium, tempDir } from '../helpers.js';
import { serve } from './client.js';

/** Screenshots for people to look at: outside the repository. */
const SHOTS = tmpdir();

/**
 * Conditions are re-checked on a timer, not on animation frames (Playwright's default): a page that
 * is not in front, as the first page is once the second opens, gets no frames in headless Chromium,
 * so a condition false at its first check would never be looked at again.
 */
const POLL = 100;

test("the page's palette is report.html's", () => {
  assert.deepEqual(PAGE_PALETTE, PALETTE);
});

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>['newPage']>>;

/** The smoke preset (zeros, heNormal), made small. */
async function fillSmall(page: Page, epochs: number): Promise<void> {
  await page.selectOption('#preset', 'smoke.yaml');
  await page.fill('#epochs', String(epochs));
  await page.fill('#train-size', '300');
  await page.fill('#test-size', '100');
  await page.fill('#hidden', '16, 8');
  await page.fill('#lr', '0.05');
}

const statusText = (page: Page) => page.$eval('#run-status .state', (el) => el.textContent);
const listState = (page: Page) => page.$eval('#runs li.current .state', (el) => el.textContent);

test('the live page at 1280 x 1000: errors once with the fields marked, the list in view, report colours, hidden layers only, zeros said, one state everywhere, a second page follows the run', async (t) => {
  const missing = chromiumMissing();
  if (missing) {
    t.skip(missing);
    return;
  }
  const served = await serve(['--results', tempDir(), '--jobs', '1']);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(served.url);
    await page.waitForSelector('#preset option', { state: 'attached' });

    // 6: the run list is above the long form, in view.
    const listTop = await page.$eval('#runs', (el) => el.getBoundingClientRect().top);
    assert.ok(listTop < 300, `the run list starts at ${listTop}px`);

    // 6: two bad values: each problem said once, each field marked.
    await fillSmall(page, 1);
    await page.fill('#lr', '-0.5');
    await page.fill('#train-size', '5');
    await page.click('#start');
    await page.waitForSelector('#form-errors li');
    const errors = (await page.textContent('#form-errors')) ?? '';
    assert.equal(errors.split('`train.lr` is -0.5').length - 1, 1, `said once: ${errors}`);
    assert.match(errors, /`train\.lr` is -0\.5; it must be > 0/);
    assert.match(errors, /`data\.trainSize` is 5; it must be >= 10/);
    assert.equal(await page.getAttribute('#lr', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#train-size', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#epochs', 'aria-invalid'), null);
    await page.screenshot({ path: join(SHOTS, 'init-bench-serve-errors.png') });

    // A run that finishes.
    await fillSmall(page, 1);
    await page.click('#start');
    await page.waitForSelector('#run-status[data-state=ended]', { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('#runs li.current .state')?.textContent === 'finished', undefined, { polling: POLL, timeout: 60_000 });
    assert.equal(await statusText(page), 'finished', 'the header says what the list says');
    assert.equal(await page.$eval('#run-status', (el) => /1 of 2|2 of 2/.test(el.textContent ?? '')), true);
    assert.equal(await page.$eval('#runs li.current .progress', (el) => el.textContent), '2 of 2 trial(s) finished');

    // 1: colours by config position, as report.html's table swatches.
    const id = (await page.getAttribute('#runs li.current', 'data-run'))!;
    const report = await (await fetch(`${served.origin}/runs/${encodeURIComponent(id)}/report.html`)).text();
    const swatches = Object.fromEntries([...report.matchAll(/background: (#[0-9a-f]{6})"><\/span>([\w:]+)/g)].map((m) => [m[2], m[1]]));
    assert.deepEqual(swatches, { zeros: PALETTE[0], heNormal: PALETTE[1] }, 'report.html: zeros first in the config');
    const strokes = await page.$$eval('#chart-accuracy g.series', (gs) => Object.fromEntries(gs.map((g) => [g.getAttribute('data-series'), g.querySelector('circle')?.getAttribute('fill')])));
    assert.deepEqual(strokes, swatches, 'the page colours each initializer as report.html does');

    // 2: hidden layers only (two), the caption says the output is left out.
    const heDots = await page.$eval('#chart-signal g.series[data-series=heNormal]', (g) => g.querySelectorAll('circle').length);
    assert.equal(heDots, 2, 'two hidden layers, no output layer');
    assert.match((await page.textContent('#chart-signal figcaption')) ?? '', /output layer is left out/);
    // 3: zeros' exactly-zero gradients are said, not "No data yet."
    const gradients = (await page.textContent('#chart-gradients')) ?? '';
    assert.match(gradients, /Exactly 0 at every hidden layer for zeros/);
    assert.doesNotMatch(gradients, /No data yet/);
    await page.screenshot({ path: join(SHOTS, 'init-bench-serve-finished.png'), fullPage: true });

    // A run that outlasts the test (1000 epochs of 8000 digits, two trials of minutes each on any
    // machine): 5, a second page opened mid-run shows it; 4, stopped, both say "interrupted".
    await fillSmall(page, 1000);
    await page.fill('#train-size', '8000');
    await page.fill('#hidden', '256, 256');
    await page.click('#start');
    await page.waitForSelector('#in-flight', { timeout: 120_000 });
    const second = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await second.goto(served.origin);
    await second.waitForSelector('#run-status', { timeout: 30_000 });
    assert.equal(await second.getAttribute('#run-status', 'data-state'), 'running', 'the run in progress, not "Start a run"');
    await second.waitForFunction(() => {
      const head = /\d+ of \d+ trial\(s\) finished/.exec(document.querySelector('#run-status')?.textContent ?? '')?.[0];
      return head !== undefined && head === document.querySelector('#runs li.current .progress')?.textContent;
    }, undefined, { polling: POLL, timeout: 30_000 });
    await second.screenshot({ path: join(SHOTS, 'init-bench-serve-second-page.png') });
    await page.bringToFront();
    await page.click('#runs li.current button[data-act=stop]');
    await page.waitForSelector('#run-status[data-state=ended]', { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('#runs li.current .state')?.textContent === 'interrupted', undefined, { polling: POLL, timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('#run-status .state')?.textContent === 'interrupted', undefined, { polling: POLL, timeout: 10_000 });
    assert.equal(await listState(page), await statusText(page));
    await page.screenshot({ path: join(SHOTS, 'init-bench-serve-stopped.png') });
    t.diagnostic(`screenshots: ${join(SHOTS, 'init-bench-serve-*.png')}`);
  } finally {
    await browser.close();
    assert.equal(await served.stop(), 0, served.stderr());
  }
});

test('a results folder nobody can write to: said at start-up, and by the form where Start is pressed', async (t) => {
  const missing = chromiumMissing();
  if (missing) {
    t.skip(missing);
    return;
  }
  // A file where the folder should be: unwritable whoever runs the test (permissions do not stop root).
  const file = join(tempDir(), 'file');
  writeFileSync(file, '');
  const served = await serve(['--results', join(file, 'results')]);
  const browser = await launchChromium();
  try {
    assert.match(served.stderr(), /warning: the results folder .* is not writable \(a file is in the way\): runs cannot be started here/);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(served.url);
    await page.waitForSelector('#preset option', { state: 'attached' });
    await fillSmall(page, 1);
    await page.click('#start');
    await page.waitForSelector('#form-errors p');
    assert.match((await page.textContent('#form-errors')) ?? '', /is not writable .*runs cannot be started here/);
    assert.equal(await page.locator('#runs li').count(), 0, 'nothing started');
    const errorsBox = await page.$eval('#form-errors', (el) => el.getBoundingClientRect().bottom);
    assert.ok(errorsBox < 1000, `the refusal is in view (${errorsBox}px)`);
    await page.screenshot({ path: join(SHOTS, 'init-bench-serve-read-only.png') });
  } finally {
    await browser.close();
    await served.stop();
  }
});

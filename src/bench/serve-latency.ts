/**
 * How long after an epoch ends the page of `init-bench serve` has redrawn: starts a server on a
 * free port, opens the page in Debian's headless Chromium (playwright-core, a dev dependency),
 * starts the default preset from the form and reads the page's own record: for every epoch,
 * the page's clock after its redraw minus the run process's clock when the epoch's metrics were
 * emitted (one machine, one wall clock). Not part of `npm test` (timings are not asserted).
 *
 *   node dist/src/bench/serve-latency.js [epochs=6] [trainSize=2000] [screenshot.png]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/init-bench.js', import.meta.url));
const [epochs = '6', trainSize = '2000', screenshot] = process.argv.slice(2);

const root = mkdtempSync(join(tmpdir(), 'init-bench-serve-latency-'));
const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--results', root, '--jobs', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /http:\S+/.exec(out);
    if (m) resolve(m[0]);
  });
});
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await page.selectOption('#preset', 'default.yaml');
  await page.fill('#epochs', epochs);
  await page.fill('#train-size', trainSize);
  await page.fill('#test-size', '500');
  await page.click('#start');
  await page.waitForSelector('#run-status[data-state=ended]', { timeout: 30 * 60 * 1000 });
  const ms = String(await page.getAttribute('body', 'data-latency-log')).split(',').map(Number).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  process.stdout.write(`${JSON.stringify({ epochs: ms.length, minMs: ms[0], medianMs: at(0.5), p90Ms: at(0.9), maxMs: ms[ms.length - 1], allMs: ms })}\n`);
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
  server.kill('SIGINT');
}

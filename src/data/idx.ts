/**
 * MNIST and Fashion-MNIST from the user's own IDX files (LeCun's format: a big-endian header
 * then raw bytes), raw or gzipped. Nothing is downloaded. Pixels stay bytes (one per pixel) and
 * are scaled to [0, 1] per batch: the full 70,000 images take 55 MB.
 *
 * The four files, in one folder:
 *   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
 * each optionally ending in .gz (the names with a dot before "idx", as some archives unpack
 * them, are accepted too).
 *
 * Every size is bounded before it is allocated: a file declares its count in its header, the
 * count is at most MAX_IMAGES, a raw file is read up to the size the header implies, and a gzip
 * file is decompressed up to that size and no further (a gzip bomb stops there).
 */
import { closeSync, existsSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { UserError, describeFsError } from '../errors.js';
import type { Dataset } from './dataset.js';

const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension
const SIDE = 28;
/** The most images (or labels) one IDX file may declare: 250,000 images of 28x28 are 196 MB. MNIST has 60,000 + 10,000. */
export const MAX_IMAGES = 250_000;
/** Slack allowed between a gzip file's size and what it decompresses to: deflate adds at most 5 bytes per 16 KB block. */
const GZIP_SLACK = 1 << 20;

interface IdxKind {
  what: 'image' | 'label';
  magic: number;
  /** Header bytes: magic, count, then rows and cols for images. */
  header: number;
  /** Bytes per item. */
  item: number;
}
const IMAGES: IdxKind = { what: 'image', magic: IMAGES_MAGIC, header: 16, item: SIDE * SIDE };
const LABELS: IdxKind = { what: 'label', magic: LABELS_MAGIC, header: 8, item: 1 };

export type IdxDatasetName = 'mnist' | 'fashion-mnist';

/** Reads train and t10k from `dir` into one Dataset: the first `trainCount` examples are the train set. */
export function loadIdxDataset(dir: string, name: IdxDatasetName): Dataset {
  const { trainImages, trainLabels, testImages, testLabels } = readSets(dir);
  const count = trainImages.count + testImages.count;
  const images = new Uint8Array(count * SIDE * SIDE);
  images.set(trainImages.body, 0);
  images.set(testImages.body, trainImages.body.length);
  const labels = new Uint8Array(count);
  labels.set(trainLabels.body, 0);
  labels.set(testLabels.body, trainImages.count);
  return {
    images,
    pixelScale: 1 / 255,
    labels,
    count,
    trainCount: trainImages.count,
    height: SIDE,
    width: SIDE,
    classes: 10,
    source: `${name} IDX files in ${dir}`,
  };
}

/** Checked folders, by the four files' paths, sizes and modification times: a folder is read through once per process. */
const checked = new Map<string, { train: number; test: number }>();

/**
 * The number of training and test examples in `dir`, after reading every file through (bounded
 * as above): config resolution checks the folder with it, so that wrong contents (a truncated
 * body, a label out of range, corrupt gzip) are refused before a results folder is made.
 */
export function idxCounts(dir: string): { train: number; test: number } {
  checkDir(dir);
  const files = [findFile(dir, 'train-images', 'idx3-ubyte'), findFile(dir, 'train-labels', 'idx1-ubyte'), findFile(dir, 't10k-images', 'idx3-ubyte'), findFile(dir, 't10k-labels', 'idx1-ubyte')];
  const key = files.map((f) => `${f.path}:${f.stats.size}:${f.stats.mtimeMs}`).join('|');
  const known = checked.get(key);
  if (known) return known;
  const { trainImages, testImages } = readSets(dir);
  const counts = { train: trainImages.count, test: testImages.count };
  checked.set(key, counts);
  return counts;
}

function checkDir(dir: string): void {
  if (!existsSync(dir)) throw new UserError(`data folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UserError(`data folder ${dir} is a file, not a folder`);
}

function readSets(dir: string) {
  checkDir(dir);
  const trainImages = readIdx(findFile(dir, 'train-images', 'idx3-ubyte'), IMAGES);
  const trainLabels = readIdx(findFile(dir, 'train-labels', 'idx1-ubyte'), LABELS);
  const testImages = readIdx(findFile(dir, 't10k-images', 'idx3-ubyte'), IMAGES);
  const testLabels = readIdx(findFile(dir, 't10k-labels', 'idx1-ubyte'), LABELS);
  for (const [images, labels] of [[trainImages, trainLabels], [testImages, testLabels]]) {
    if (labels.count !== images.count) throw new UserError(`${labels.path} has ${labels.count} labels but ${images.path} has ${images.count} images`);
    const bad = labels.body.findIndex((l) => l > 9);
    if (bad >= 0) throw new UserError(`${labels.path}: label ${labels.body[bad]} at position ${bad} is out of range (0-9)`);
  }
  return { trainImages, trainLabels, testImages, testLabels };
}

interface Found {
  path: string;
  stats: Stats;
}

/** The file for `stem` + `kind`, raw or .gz, with "-" or "." before the kind; a regular file. */
function findFile(dir: string, stem: string, kind: string): Found {
  const candidates = [`${stem}-${kind}`, `${stem}.${kind}`].flatMap((n) => [n, `${n}.gz`]).map((n) => join(dir, n));
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new UserError(`missing file: ${join(dir, `${stem}-${kind}`)} (or .gz); the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte`);
  const stats = statSync(path);
  if (!stats.isFile()) throw new UserError(`${path} is ${stats.isDirectory() ? 'a folder' : 'not a regular file'}; it must be an IDX file`);
  return { path, stats };
}

/** One IDX file, its header checked and its body read to the size the header declares, no further. */
function readIdx({ path, stats }: Found, kind: IdxKind): { path: string; count: number; body: Uint8Array } {
  const fd = openFile(path);
  try {
    const start = readAt(fd, Math.min(stats.size, 4096));
    const gzip = start.length >= 2 && start[0] === 0x1f && start[1] === 0x8b;
    const head = gzip ? gunzipHead(path, start) : start;
    if (head.length < kind.header) throw new UserError(`${path}: too short for an IDX ${kind.what} header (${head.length} bytes, need ${kind.header})`);
    const magic = head.readUInt32BE(0);
    if (magic !== kind.magic) throw new UserError(`${path}: wrong magic number 0x${hex(magic)}; an IDX ${kind.what} file starts with 0x${hex(kind.magic)}`);
    const count = head.readUInt32BE(4);
    if (count === 0) throw new UserError(`${path}: the header announces 0 ${kind.what}s; a set needs at least one`);
    if (count > MAX_IMAGES) throw new UserError(`${path}: the header announces ${count} ${kind.what}s; at most ${MAX_IMAGES} are read`);
    if (kind === IMAGES) {
      const rows = head.readUInt32BE(8);
      const cols = head.readUInt32BE(12);
      if (rows !== SIDE || cols !== SIDE) throw new UserError(`${path}: images are ${rows}x${cols}; MNIST and Fashion-MNIST images are 28x28`);
    }
    const need = kind.header + count * kind.item;
    const announced = `the header announces ${count} ${kind.what}s (${need} bytes)`;
    let buf: Buffer;
    if (!gzip) {
      if (stats.size < need) throw new UserError(`${path}: ${announced} but the file has ${stats.size} bytes`);
      buf = readAt(fd, need);
    } else {
      if (stats.size > need + GZIP_SLACK) throw new UserError(`${path}: ${stats.size} bytes of gzip for the ${need} bytes its header announces; not an IDX file`);
      const raw = readAt(fd, stats.size);
      try {
        buf = gunzipSync(raw, { maxOutputLength: need });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') throw new UserError(`${path}: decompresses to more than the ${need} bytes its header announces; refused`);
        throw new UserError(`${path}: not a valid gzip file (${firstLine(err)})`);
      }
      if (buf.length < need) throw new UserError(`${path}: ${announced} but the file has ${buf.length} bytes`);
    }
    return { path, count, body: new Uint8Array(buf.buffer, buf.byteOffset + kind.header, count * kind.item) };
  } finally {
    closeSync(fd);
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${describeFsError(err)}`);
  }
}

/** Up to `n` bytes from the start of the file. */
function readAt(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let got = 0;
  for (let k = 1; k > 0 && got < n; got += k) k = readSync(fd, buf, got, n - got, got);
  return buf.subarray(0, got);
}

/**
 * The first bytes of a gzip stream (a partial stream is fine): its first 1 KB decompresses to at
 * most ~1 MB (deflate's best ratio is 1032:1), enough for the header and bounded.
 */
function gunzipHead(path: string, start: Buffer): Buffer {
  try {
    return gunzipSync(start.subarray(0, 1024), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 2 << 20 });
  } catch (err) {
    throw new UserError(`${path}: not a valid gzip file (${firstLine(err)})`);
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

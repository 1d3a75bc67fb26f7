/**
 * Any IDX image/label set (LeCun's format: a big-endian header then raw bytes), raw or gzipped:
 * MNIST, Fashion-MNIST, KMNIST, EMNIST, or the user's own. Nothing is downloaded. Pixels stay
 * bytes (one per pixel) and are scaled to [0, 1] per batch: the full 70,000 MNIST images take 55 MB.
 *
 * The four files, in one folder:
 *   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
 * each optionally ending in .gz (the names with a dot before "idx", as some archives unpack
 * them, and with a prefix, as EMNIST names them, `emnist-letters-train-images-idx3-ubyte`, are
 * accepted too). Images may be any size up to MAX_SIDE (the same in both sets). The classes are
 * the distinct labels of both sets, in increasing order: class k is the k-th of them, so EMNIST
 * letters, labelled 1-26, become classes 0-25 (`labels` records the order).
 *
 * Every size is bounded before it is allocated: a file declares its count in its header, the
 * count is at most MAX_IMAGES and the body at most MAX_BODY bytes, a raw file is read up to the size the header implies, and a gzip
 * file is decompressed up to that size and no further (a gzip bomb stops there).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { UserError, describeFsError } from '../errors.js';
import type { Dataset } from './dataset.js';

const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension
/** Largest image side read (a 512x512 byte image is 256 kB). */
export const MAX_SIDE = 512;
/** The most images (or labels) one IDX file may declare: 250,000 images of 28x28 are 196 MB. MNIST has 60,000 + 10,000. */
export const MAX_IMAGES = 250_000;
/** The most bytes of pixels one IDX file may declare (count x rows x cols). */
export const MAX_BODY = 512 << 20;
/** Slack allowed between a gzip file's size and what it decompresses to: deflate adds at most 5 bytes per 16 KB block. */
const GZIP_SLACK = 1 << 20;

interface IdxKind {
  what: 'image' | 'label';
  magic: number;
  /** Header bytes: magic, count, then rows and cols for images. */
  header: number;
}
const IMAGES: IdxKind = { what: 'image', magic: IMAGES_MAGIC, header: 16 };
const LABELS: IdxKind = { what: 'label', magic: LABELS_MAGIC, header: 8 };

/** What config resolution learns of an IDX folder before any work: sizes, and the classes. */
export interface IdxInfo {
  train: number;
  test: number;
  height: number;
  width: number;
  /** The distinct labels of both sets, increasing: class k is labels[k]. */
  labels: number[];
}

/**
 * Reads train and t10k from `dir` into one Dataset: the first `trainCount` examples are the train
 * set. `labels` (from IdxInfo, or the resolved config) maps each label to its class.
 */
export function loadIdxDataset(dir: string, name: string, labels?: number[]): Dataset {
  const { trainImages, trainLabels, testImages, testLabels } = readSets(dir);
  const order = labels ?? distinctLabels([trainLabels.body, testLabels.body]);
  const classOf = classMap(order, dir);
  const count = trainImages.count + testImages.count;
  const images = new Uint8Array(count * trainImages.rows * trainImages.cols);
  images.set(trainImages.body, 0);
  images.set(testImages.body, trainImages.body.length);
  const mapped = new Uint8Array(count);
  const put = (source: Uint8Array, offset: number, file: string) =>
    source.forEach((l, i) => {
      const k = classOf[l]!;
      if (k < 0) throw new UserError(`${file}: label ${l} at position ${i} is not one of the data's classes (${order.join(', ')})`);
      mapped[offset + i] = k;
    });
  put(trainLabels.body, 0, trainLabels.path);
  put(testLabels.body, trainImages.count, testLabels.path);
  return {
    images,
    pixelScale: 1 / 255,
    labels: mapped,
    count,
    trainCount: trainImages.count,
    height: trainImages.rows,
    width: trainImages.cols,
    classes: order.length,
    source: `${name} IDX files in ${dir}`,
  };
}

/** Label value -> class index (-1: not a class). */
function classMap(order: number[], dir: string): Int16Array {
  if (order.length < 2) throw new UserError(`${dir}: the labels hold ${order.length} class; a classifier needs at least 2`);
  const map = new Int16Array(256).fill(-1);
  order.forEach((l, k) => (map[l] = k));
  return map;
}

function distinctLabels(sets: Uint8Array[]): number[] {
  const seen = new Uint8Array(256);
  for (const set of sets) for (const l of set) seen[l] = 1;
  return [...seen.keys()].filter((l) => seen[l]);
}

/** Checked folders, by the four files' paths, sizes and modification times: a folder is read through once per process. */
const checked = new Map<string, IdxInfo>();

/**
 * The number of training and test examples in `dir`, the image size and the classes, after
 * reading every file through (bounded as above): config resolution checks the folder with it, so
 * that wrong contents (a truncated body, a count mismatch, corrupt gzip, one class) are refused
 * before a results folder is made.
 */
export function idxInfo(dir: string): IdxInfo {
  checkDir(dir);
  const files = [findFile(dir, 'train-images', 'idx3-ubyte'), findFile(dir, 'train-labels', 'idx1-ubyte'), findFile(dir, 't10k-images', 'idx3-ubyte'), findFile(dir, 't10k-labels', 'idx1-ubyte')];
  const key = files.map((f) => `${f.path}:${f.stats.size}:${f.stats.mtimeMs}`).join('|');
  const known = checked.get(key);
  if (known) return known;
  const { trainImages, trainLabels, testImages, testLabels } = readSets(dir);
  const labels = distinctLabels([trainLabels.body, testLabels.body]);
  if (labels.length < 2) throw new UserError(`${dir}: the labels hold ${labels.length} class; a classifier needs at least 2`);
  const info = { train: trainImages.count, test: testImages.count, height: trainImages.rows, width: trainImages.cols, labels };
  checked.set(key, info);
  return info;
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
  for (const [images, labels] of [[trainImages, trainLabels], [testImages, testLabels]] as const) {
    if (labels.count !== images.count) throw new UserError(`${labels.path} has ${labels.count} labels but ${images.path} has ${images.count} images`);
  }
  if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
    throw new UserError(`${testImages.path}: images are ${testImages.rows}x${testImages.cols} but the training images are ${trainImages.rows}x${trainImages.cols}`);
  }
  return { trainImages, trainLabels, testImages, testLabels };
}

interface Found {
  path: string;
  stats: Stats;
}

/** The file for `stem` + `kind`, raw or .gz, with "-" or "." before the kind (or after a prefix, as EMNIST names them); a regular file. */
function findFile(dir: string, stem: string, kind: string): Found {
  const names = [`${stem}-${kind}`, `${stem}.${kind}`].flatMap((n) => [n, `${n}.gz`]);
  const path = names.map((n) => join(dir, n)).find((p) => existsSync(p)) ?? prefixed(dir, names);
  if (!path) throw new UserError(`missing file: ${join(dir, `${stem}-${kind}`)} (or .gz); the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte`);
  const stats = statSync(path);
  if (!stats.isFile()) throw new UserError(`${path} is ${stats.isDirectory() ? 'a folder' : 'not a regular file'}; it must be an IDX file`);
  return { path, stats };
}

/**
 * A file named like the standard one after a prefix, as EMNIST names its sets
 * (`emnist-letters-train-images-idx3-ubyte`); several such files (one folder holding several
 * sets) are ambiguous.
 */
function prefixed(dir: string, names: string[]): string | undefined {
  const matches = readdirSync(dir).filter((f) => names.some((n) => f.endsWith(`-${n}`)));
  if (matches.length > 1) throw new UserError(`${dir} holds ${matches.length} sets' files for ${names[0]} (${matches.slice(0, 4).join(', ')}${matches.length > 4 ? ', ...' : ''}); give a folder with one set's four files`);
  return matches.length ? join(dir, matches[0]!) : undefined;
}

/** One IDX file, its header checked and its body read to the size the header declares, no further. */
function readIdx({ path, stats }: Found, kind: IdxKind): { path: string; count: number; rows: number; cols: number; body: Uint8Array } {
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
    const rows = kind === IMAGES ? head.readUInt32BE(8) : 1;
    const cols = kind === IMAGES ? head.readUInt32BE(12) : 1;
    if (rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) throw new UserError(`${path}: images are ${rows}x${cols}; init-bench reads images of 1 to ${MAX_SIDE} pixels a side`);
    const item = rows * cols;
    if (count * item > MAX_BODY) throw new UserError(`${path}: the header announces ${count} images of ${rows}x${cols} (${count * item} bytes); at most ${MAX_BODY} bytes are read`);
    const need = kind.header + count * item;
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
    return { path, count, rows, cols, body: new Uint8Array(buf.buffer, buf.byteOffset + kind.header, count * item) };
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

/**
 * Any IDX image/label set (LeCun's format: a big-endian header then raw bytes), raw or gzipped:
 * MNIST, Fashion-MNIST, KMNIST, EMNIST, or the user's own. Nothing is downloaded. Pixels stay
 * bytes (one per pixel) and are scaled to [0, 1] per batch: the full 70,000 MNIST images take 55 MB.
 *
 * The four files, in one folder:
 *   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
 * each optionally ending in .gz (the names with a dot before "idx", as some archives unpack
 * them, and with a prefix, as EMNIST names them, `emnist-letters-train-images-idx3-ubyte`, are
 * accepted too). Images may be any size (the same in both sets). The classes are the
 * distinct labels of both sets, in increasing order: class k is the k-th of them, so EMNIST
 * letters, labelled 1-26, become classes 0-25 (`labels` records the order).
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';

const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension
/** Largest image side read (a 512x512 byte image is 256 kB). */
export const MAX_SIDE = 512;

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
  if (!existsSync(dir)) throw new UserError(`data folder ${dir} does not exist`);
  const trainImages = readImages(findFile(dir, 'train-images', 'idx3-ubyte'));
  const trainLabels = readLabels(findFile(dir, 'train-labels', 'idx1-ubyte'), trainImages.count, trainImages.file);
  const testImages = readImages(findFile(dir, 't10k-images', 'idx3-ubyte'));
  const testLabels = readLabels(findFile(dir, 't10k-labels', 'idx1-ubyte'), testImages.count, testImages.file);
  if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
    throw new UserError(`${testImages.file}: images are ${testImages.rows}x${testImages.cols} but the training images are ${trainImages.rows}x${trainImages.cols}`);
  }
  const order = labels ?? distinctLabels([trainLabels, testLabels]);
  const classOf = classMap(order, dir);
  const count = trainImages.count + testImages.count;
  const images = new Uint8Array(count * trainImages.rows * trainImages.cols);
  images.set(trainImages.pixels, 0);
  images.set(testImages.pixels, trainImages.pixels.length);
  const mapped = new Uint8Array(count);
  const put = (source: Uint8Array, offset: number, file: string) =>
    source.forEach((l, i) => {
      const k = classOf[l];
      if (k < 0) throw new UserError(`${file}: label ${l} at position ${i} is not one of the data's classes (${order.join(', ')})`);
      mapped[offset + i] = k;
    });
  put(trainLabels, 0, 'train labels');
  put(testLabels, trainImages.count, 'test labels');
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

/**
 * The number of training and test examples in `dir`, the image size (from the headers) and the
 * classes (from the label files, one byte each): config resolution checks the folder with it
 * before any work starts.
 */
export function idxInfo(dir: string): IdxInfo {
  if (!existsSync(dir)) throw new UserError(`data folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UserError(`data folder ${dir} is a file, not a folder`);
  const header = (stem: string, kind: string, magic: number) => {
    const path = findFile(dir, stem, kind);
    const head = readHead(path);
    if (head.length < 8 || head.readUInt32BE(0) !== magic) throw new UserError(`${path}: not an IDX file (its first bytes are not the IDX header 0x${hex(magic)})`);
    return { count: head.readUInt32BE(4), rows: head.length >= 16 ? head.readUInt32BE(8) : 0, cols: head.length >= 16 ? head.readUInt32BE(12) : 0, path };
  };
  const train = header('train-images', 'idx3-ubyte', IMAGES_MAGIC);
  const test = header('t10k-images', 'idx3-ubyte', IMAGES_MAGIC);
  const trainLabels = readLabels(findFile(dir, 'train-labels', 'idx1-ubyte'), train.count, train.path);
  const testLabels = readLabels(findFile(dir, 't10k-labels', 'idx1-ubyte'), test.count, test.path);
  checkSide(train.path, train.rows, train.cols);
  if (test.rows !== train.rows || test.cols !== train.cols) throw new UserError(`${test.path}: images are ${test.rows}x${test.cols} but the training images are ${train.rows}x${train.cols}`);
  const labels = distinctLabels([trainLabels, testLabels]);
  if (labels.length < 2) throw new UserError(`${dir}: the labels hold ${labels.length} class; a classifier needs at least 2`);
  return { train: train.count, test: test.count, height: train.rows, width: train.cols, labels };
}

function checkSide(path: string, rows: number, cols: number): void {
  if (rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) throw new UserError(`${path}: images are ${rows}x${cols}; init-bench reads images of 1 to ${MAX_SIDE} pixels a side`);
}

/** The first bytes of a file, gunzipped if it is gzip (a partial stream is fine). */
function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(4096);
  try {
    const n = readSync(fd, chunk, 0, chunk.length, 0);
    const raw = chunk.subarray(0, n);
    if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        return gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH });
      } catch (err) {
        throw new UserError(`${path}: not a valid gzip file (${(err as Error).message})`);
      }
    }
    return raw;
  } finally {
    closeSync(fd);
  }
}

/** The file for `stem` + `kind`, raw or .gz, with "-" or "." before the kind. */
function findFile(dir: string, stem: string, kind: string): string {
  const names = [`${stem}-${kind}`, `${stem}.${kind}`].flatMap((n) => [n, `${n}.gz`]);
  const found = names.map((n) => join(dir, n)).find((p) => existsSync(p)) ?? prefixed(dir, names);
  if (!found) throw new UserError(`missing file: ${join(dir, `${stem}-${kind}`)} (or .gz); the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte`);
  return found;
}

/**
 * A file named like the standard one after a prefix, as EMNIST names its sets
 * (`emnist-letters-train-images-idx3-ubyte`); several such files (one folder holding several
 * sets) are ambiguous.
 */
function prefixed(dir: string, names: string[]): string | undefined {
  const matches = readdirSync(dir).filter((f) => names.some((n) => f.endsWith(`-${n}`)));
  if (matches.length > 1) throw new UserError(`${dir} holds ${matches.length} sets' files for ${names[0]} (${matches.slice(0, 4).join(', ')}${matches.length > 4 ? ', ...' : ''}); give a folder with one set's four files`);
  return matches.length ? join(dir, matches[0]) : undefined;
}

function readBytes(path: string): Buffer {
  const raw = readFileSync(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (err) {
      throw new UserError(`${path}: not a valid gzip file (${(err as Error).message})`);
    }
  }
  return raw;
}

function readImages(path: string): { pixels: Uint8Array; count: number; rows: number; cols: number; file: string } {
  const buf = readBytes(path);
  if (buf.length < 16) throw new UserError(`${path}: too short for an IDX image header (${buf.length} bytes, need 16)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== IMAGES_MAGIC) throw new UserError(`${path}: wrong magic number 0x${hex(magic)}; an IDX image file starts with 0x${hex(IMAGES_MAGIC)}`);
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  checkSide(path, rows, cols);
  const need = 16 + count * rows * cols;
  if (buf.length < need) throw new UserError(`${path}: the header announces ${count} images (${need} bytes) but the file has ${buf.length} bytes`);
  return { pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols), count, rows, cols, file: path };
}

function readLabels(path: string, expected: number, imagesFile: string): Uint8Array {
  const buf = readBytes(path);
  if (buf.length < 8) throw new UserError(`${path}: too short for an IDX label header (${buf.length} bytes, need 8)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== LABELS_MAGIC) throw new UserError(`${path}: wrong magic number 0x${hex(magic)}; an IDX label file starts with 0x${hex(LABELS_MAGIC)}`);
  const count = buf.readUInt32BE(4);
  if (buf.length < 8 + count) throw new UserError(`${path}: the header announces ${count} labels but the file has only ${buf.length - 8}`);
  if (count !== expected) throw new UserError(`${path} has ${count} labels but ${imagesFile} has ${expected} images`);
  return new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * MNIST and Fashion-MNIST from the user's own IDX files (LeCun's format: a big-endian header
 * then raw bytes), raw or gzipped. Nothing is downloaded. Pixels stay bytes (one per pixel) and
 * are scaled to [0, 1] per batch: the full 70,000 images take 55 MB.
 *
 * The four files, in one folder:
 *   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
 * each optionally ending in .gz (the names with a dot before "idx", as some archives unpack
 * them, are accepted too).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import type { Dataset } from './dataset.js';

const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension
const SIDE = 28;

export type IdxDatasetName = 'mnist' | 'fashion-mnist';

/** Reads train and t10k from `dir` into one Dataset: the first `trainCount` examples are the train set. */
export function loadIdxDataset(dir: string, name: IdxDatasetName): Dataset {
  if (!existsSync(dir)) throw new UserError(`data folder ${dir} does not exist`);
  const trainImages = readImages(findFile(dir, 'train-images', 'idx3-ubyte'));
  const trainLabels = readLabels(findFile(dir, 'train-labels', 'idx1-ubyte'), trainImages.count, trainImages.file);
  const testImages = readImages(findFile(dir, 't10k-images', 'idx3-ubyte'));
  const testLabels = readLabels(findFile(dir, 't10k-labels', 'idx1-ubyte'), testImages.count, testImages.file);
  const count = trainImages.count + testImages.count;
  const images = new Uint8Array(count * SIDE * SIDE);
  images.set(trainImages.pixels, 0);
  images.set(testImages.pixels, trainImages.pixels.length);
  const labels = new Uint8Array(count);
  labels.set(trainLabels, 0);
  labels.set(testLabels, trainImages.count);
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

/**
 * The number of training and test examples in `dir`, from the four files' headers alone (a few
 * bytes each, gzip or raw): config resolution checks the folder with it before any work starts.
 */
export function idxCounts(dir: string): { train: number; test: number } {
  if (!existsSync(dir)) throw new UserError(`data folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new UserError(`data folder ${dir} is a file, not a folder`);
  const count = (stem: string, kind: string, magic: number) => {
    const path = findFile(dir, stem, kind);
    const head = readHead(path);
    if (head.length < 8 || head.readUInt32BE(0) !== magic) throw new UserError(`${path}: not an IDX file (its first bytes are not the IDX header 0x${hex(magic)})`);
    return head.readUInt32BE(4);
  };
  const train = count('train-images', 'idx3-ubyte', IMAGES_MAGIC);
  const test = count('t10k-images', 'idx3-ubyte', IMAGES_MAGIC);
  const trainLabels = count('train-labels', 'idx1-ubyte', LABELS_MAGIC);
  const testLabels = count('t10k-labels', 'idx1-ubyte', LABELS_MAGIC);
  if (train !== trainLabels) throw new UserError(`${dir}: ${train} training images but ${trainLabels} training labels`);
  if (test !== testLabels) throw new UserError(`${dir}: ${test} test images but ${testLabels} test labels`);
  return { train, test };
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
  const candidates = [`${stem}-${kind}`, `${stem}.${kind}`].flatMap((n) => [n, `${n}.gz`]).map((n) => join(dir, n));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UserError(`missing file: ${join(dir, `${stem}-${kind}`)} (or .gz); the folder needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte`);
  return found;
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

function readImages(path: string): { pixels: Uint8Array; count: number; file: string } {
  const buf = readBytes(path);
  if (buf.length < 16) throw new UserError(`${path}: too short for an IDX image header (${buf.length} bytes, need 16)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== IMAGES_MAGIC) throw new UserError(`${path}: wrong magic number 0x${hex(magic)}; an IDX image file starts with 0x${hex(IMAGES_MAGIC)}`);
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  if (rows !== SIDE || cols !== SIDE) throw new UserError(`${path}: images are ${rows}x${cols}; MNIST and Fashion-MNIST images are 28x28`);
  const need = 16 + count * rows * cols;
  if (buf.length < need) throw new UserError(`${path}: the header announces ${count} images (${need} bytes) but the file has ${buf.length} bytes`);
  return { pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols), count, file: path };
}

function readLabels(path: string, expected: number, imagesFile: string): Uint8Array {
  const buf = readBytes(path);
  if (buf.length < 8) throw new UserError(`${path}: too short for an IDX label header (${buf.length} bytes, need 8)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== LABELS_MAGIC) throw new UserError(`${path}: wrong magic number 0x${hex(magic)}; an IDX label file starts with 0x${hex(LABELS_MAGIC)}`);
  const count = buf.readUInt32BE(4);
  if (buf.length < 8 + count) throw new UserError(`${path}: the header announces ${count} labels but the file has only ${buf.length - 8}`);
  if (count !== expected) throw new UserError(`${path} has ${count} labels but ${imagesFile} has ${expected} images`);
  const labels = new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new UserError(`${path}: label ${labels[bad]} at position ${bad} is out of range (0-9)`);
  return labels;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

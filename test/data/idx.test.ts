import assert from 'node:assert/strict';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadEmbeddedMnist } from '../../src/data/embedded.js';
import { loadIdxDataset } from '../../src/data/idx.js';
import { stratifiedSplit } from '../../src/data/split.js';
import { UserError } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers.js';

const mnist = loadEmbeddedMnist();

function idxImages(pixels: Uint8Array, count: number, rows = 28, cols = 28, magic = 0x803): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(cols, 12);
  return Buffer.concat([header, Buffer.from(pixels)]);
}

function idxLabels(labels: Uint8Array, magic = 0x801): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

/** Writes real digits (from the embedded set) as the four IDX files, gzipped or raw. */
function writeIdxFolder(trainN: number, testN: number, gzip: boolean): string {
  const dir = tempDir('idx-');
  const part = (from: number, n: number) => {
    // Every 10th digit cycles through the classes (the embedded set is sorted by class).
    const idx = Array.from({ length: n }, (_, i) => ((from + i) * 997) % mnist.count);
    const pixels = new Uint8Array(n * 784);
    idx.forEach((j, k) => {
      for (let p = 0; p < 784; p++) pixels[k * 784 + p] = Math.round(mnist.images[j * 784 + p] * 255);
    });
    return { pixels, labels: Uint8Array.from(idx.map((j) => mnist.labels[j])) };
  };
  const train = part(0, trainN);
  const t10k = part(trainN, testN);
  const write = (name: string, data: Buffer) => writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(data) : data);
  write('train-images-idx3-ubyte', idxImages(train.pixels, trainN));
  write('train-labels-idx1-ubyte', idxLabels(train.labels));
  write('t10k-images-idx3-ubyte', idxImages(t10k.pixels, testN));
  write('t10k-labels-idx1-ubyte', idxLabels(t10k.labels));
  return dir;
}

function userError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message));
}

test('IDX files, raw and gzipped, load as bytes with their own train/test split', () => {
  for (const gzip of [false, true]) {
    const d = loadIdxDataset(writeIdxFolder(600, 200, gzip), 'mnist');
    assert.equal(d.count, 800);
    assert.equal(d.trainCount, 600);
    assert.ok(d.images instanceof Uint8Array);
    assert.equal(d.pixelScale, 1 / 255);
    const split = stratifiedSplit(d, undefined, undefined, 0);
    assert.equal(split.train.length, 600);
    assert.equal(split.test.length, 200);
    assert.ok(split.train.every((i) => i < 600) && split.test.every((i) => i >= 600));
    const sub = stratifiedSplit(d, 100, 50, 1);
    assert.equal(sub.train.length, 100);
    assert.ok(sub.test.every((i) => i >= 600));
    userError(() => stratifiedSplit(d, 601, 10, 0), /training size 601 exceeds the 600 training examples/);
  }
});

test('each broken file gives its own clear message', () => {
  const dir = writeIdxFolder(50, 20, false);
  const file = (name: string) => join(dir, name);
  const good = idxImages(new Uint8Array(50 * 784), 50);

  unlinkSync(file('t10k-labels-idx1-ubyte'));
  userError(() => loadIdxDataset(dir, 'mnist'), /missing file: .*t10k-labels-idx1-ubyte/);
  writeFileSync(file('t10k-labels-idx1-ubyte'), idxLabels(new Uint8Array(20)));

  writeFileSync(file('train-images-idx3-ubyte'), idxImages(new Uint8Array(50 * 784), 50, 28, 28, 0x801));
  userError(() => loadIdxDataset(dir, 'mnist'), /train-images-idx3-ubyte: wrong magic number 0x00000801/);

  writeFileSync(file('train-images-idx3-ubyte'), idxImages(new Uint8Array(50 * 32 * 32), 50, 32, 32));
  userError(() => loadIdxDataset(dir, 'mnist'), /t10k-images-idx3-ubyte: images are 28x28 but the training images are 32x32/);
  writeFileSync(file('train-images-idx3-ubyte'), idxImages(new Uint8Array(50 * 600 * 2), 50, 600, 2));
  userError(() => loadIdxDataset(dir, 'mnist'), /images are 600x2; init-bench reads images of 1 to 512 pixels a side/);

  writeFileSync(file('train-images-idx3-ubyte'), good.subarray(0, good.length - 100));
  userError(() => loadIdxDataset(dir, 'mnist'), /header announces 50 images .* but the file has/);

  writeFileSync(file('train-images-idx3-ubyte'), good);
  writeFileSync(file('train-labels-idx1-ubyte'), idxLabels(Uint8Array.from({ length: 50 }, (_, i) => (i === 7 ? 12 : 3))));
  userError(() => loadIdxDataset(dir, 'mnist', [0, 3]), /train-labels-idx1-ubyte: label 12 at position 7 is not one of the data's classes \(0, 3\)/);

  writeFileSync(file('train-labels-idx1-ubyte'), idxLabels(new Uint8Array(49)));
  userError(() => loadIdxDataset(dir, 'mnist'), /has 49 labels but .*train-images-idx3-ubyte has 50 images/);

  writeFileSync(file('train-labels-idx1-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  unlinkSync(file('train-labels-idx1-ubyte'));
  userError(() => loadIdxDataset(dir, 'mnist'), /not a valid gzip file/);
});

test('run --data-dir trains on generated IDX files; a broken folder is exit 2', async () => {
  const dir = writeIdxFolder(1500, 300, true);
  const r = await runCli(['run', '--dataset', 'fashion-mnist', '--data-dir', dir, '--init', 'he', '--hidden', '32', '--epochs', '2', '--batch-size', '30', '--json', '--out', join(tempDir(), 'r')]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.config.data.dataDir, dir);
  // Real digits: even 1,500 of them teach a small MLP well past chance.
  assert.ok(doc.trials[0].final.testAccuracy > 0.6, `accuracy ${doc.trials[0].final.testAccuracy}`);
  const empty = tempDir('idx-empty-');
  mkdirSync(join(empty, 'sub'));
  const bad = await runCli(['run', '--data-dir', empty, '--init', 'he', '--out', join(tempDir(), 'r')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /missing file: .*train-images-idx3-ubyte/);
  const noDir = await runCli(['run', '--dataset', 'fashion-mnist', '--init', 'he', '--out', join(tempDir(), 'r')]);
  assert.equal(noDir.code, 2);
  assert.match(noDir.stderr, /needs `data\.dataDir` \(--data-dir\)/);
});

test('any size and class count: EMNIST-style names and labels 1-26 become classes 0-25, recorded in order', async () => {
  const { writeBlobIdx } = await import('../fixtures/idx.js');
  const { idxInfo } = await import('../../src/data/idx.js');
  const { renameSync, readdirSync } = await import('node:fs');
  const dir = writeBlobIdx({ side: 20, classes: 26, firstLabel: 1, train: 104, test: 52 });
  for (const f of readdirSync(dir)) renameSync(join(dir, f), join(dir, `emnist-letters-${f}`));
  const info = idxInfo(dir);
  assert.deepEqual([info.height, info.width, info.train, info.test], [20, 20, 104, 52]);
  assert.deepEqual(info.labels, Array.from({ length: 26 }, (_, k) => k + 1));
  const d = loadIdxDataset(dir, 'emnist-letters');
  assert.equal(d.classes, 26);
  assert.deepEqual([d.height, d.width], [20, 20]);
  assert.deepEqual([...d.labels.subarray(0, 27)], [...Array.from({ length: 26 }, (_, k) => k), 0], 'label 1 is class 0, label 26 class 25');
  writeFileSync(join(dir, 'emnist-digits-train-images-idx3-ubyte'), Buffer.alloc(16));
  userError(() => loadIdxDataset(dir, 'emnist'), /holds 2 sets' files for train-images-idx3-ubyte \(.*\); give a folder with one set's four files/);
});

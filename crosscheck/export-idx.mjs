// Exports the 10,000 embedded MNIST digits as the four IDX files of a data folder (`--data-dir`),
// optionally transformed, so that one model file can be run on a second, different data set
// offline. The split is init-bench's own stratified split of the embedded digits (seed 0), the
// first part written as train-*, the second as t10k-*.
//   node crosscheck/export-idx.mjs OUT_DIR [transform=invert] [trainSize=8000] [testSize=2000]
// transform: none | invert (255 - pixel: white digits on black become black on white) |
//            shift (every digit moved 3 pixels right and 3 down, what falls off is lost).
// Needs a build (npx tsc -p tsconfig.json). Never commit the files: write them to a temporary folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedMnist } from '../dist/src/data/embedded.js';
import { stratifiedSplit } from '../dist/src/data/split.js';

const [out, transform = 'invert', trainSize = '8000', testSize = '2000'] = process.argv.slice(2);
if (!out || !['none', 'invert', 'shift'].includes(transform)) throw new Error('usage: node crosscheck/export-idx.mjs OUT_DIR [none|invert|shift] [trainSize] [testSize]');
const data = loadEmbeddedMnist();
const side = 28;
const split = stratifiedSplit(data, Number(trainSize), Number(testSize), 0);

function pixel(image, y, x) {
  if (transform === 'shift') {
    const [sy, sx] = [y - 3, x - 3];
    return sy < 0 || sx < 0 ? 0 : data.images[image * side * side + sy * side + sx] * data.pixelScale;
  }
  const v = data.images[image * side * side + y * side + x] * data.pixelScale;
  return transform === 'invert' ? 1 - v : v;
}

function write(stem, indices) {
  const images = Buffer.alloc(16 + indices.length * side * side);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(indices.length, 4);
  images.writeUInt32BE(side, 8);
  images.writeUInt32BE(side, 12);
  const labels = Buffer.alloc(8 + indices.length);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(indices.length, 4);
  indices.forEach((image, n) => {
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) images[16 + n * side * side + y * side + x] = Math.round(255 * pixel(image, y, x));
    labels[8 + n] = data.labels[image];
  });
  writeFileSync(join(out, `${stem}-images-idx3-ubyte`), images);
  writeFileSync(join(out, `${stem}-labels-idx1-ubyte`), labels);
}

mkdirSync(out, { recursive: true });
write('train', Array.from(split.train));
write('t10k', Array.from(split.test));
console.log(`${split.train.length} training and ${split.test.length} test digits (${transform}) in ${out}`);

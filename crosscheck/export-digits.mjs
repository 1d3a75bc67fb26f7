// Exports the 10,000 embedded MNIST digits and init-bench's own stratified split to files the
// PyTorch cross-checks read (never commit them: they go to a temporary folder).
//   node crosscheck/export-digits.mjs OUT_DIR [trainSize=8000] [testSize=2000] [seed=0]
// Writes OUT_DIR/digits.bin (uint32 count, count*784 float32 pixels in [0, 1], count uint8
// labels) and OUT_DIR/split-SEED-TRAIN-TEST.json ({ train: [...], test: [...] } indices, in
// init-bench's order). Needs a build (npx tsc -p tsconfig.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedMnist } from '../dist/src/data/embedded.js';
import { stratifiedSplit } from '../dist/src/data/split.js';

const [out, trainSize = '8000', testSize = '2000', seed = '0'] = process.argv.slice(2);
if (!out) throw new Error('usage: node crosscheck/export-digits.mjs OUT_DIR [trainSize] [testSize] [seed]');
mkdirSync(out, { recursive: true });
const data = loadEmbeddedMnist();
const header = Buffer.alloc(4);
header.writeUInt32LE(data.count, 0);
const images = Float32Array.from(data.images, (v) => v * data.pixelScale);
writeFileSync(join(out, 'digits.bin'), Buffer.concat([header, Buffer.from(images.buffer), Buffer.from(data.labels)]));
const split = stratifiedSplit(data, Number(trainSize), Number(testSize), Number(seed));
const file = join(out, `split-${seed}-${trainSize}-${testSize}.json`);
writeFileSync(file, JSON.stringify({ train: Array.from(split.train), test: Array.from(split.test) }));
console.log(`${data.count} digits and ${file}`);

/**
 * Hostile inputs, generated from fixed seeds: configs (values and YAML text) and IDX folders.
 * Each must end in a result or in a UserError (one short message, no stack), in bounded memory.
 * Run in-process against the loaders for speed; a handful go through the CLI. The figures
 * (inputs, peak heap and RSS, slowest input) are printed as diagnostics; no time is asserted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readConfigFile, resolveConfig } from '../../src/config/load.js';
import { idxInfo, loadIdxDataset } from '../../src/data/idx.js';
import { UserError } from '../../src/errors.js';
import { Rng } from '../../src/util/random.js';
import { runCli, tempDir } from '../helpers.js';

/** Peak memory allowed while the inputs run: the attacks reached 1.6-3 GB before the bounds. */
const MAX_HEAP_BYTES = 768 * 1024 * 1024;

interface Figures {
  inputs: number;
  refused: number;
  maxHeap: number;
  maxRss: number;
  slowestMs: number;
}

/** Runs `attempt` on every input; anything but success or a UserError fails the test with the input's description. */
function fuzz<T>(t: TestContext, inputs: { what: string; value: T }[], attempt: (value: T) => unknown): Figures {
  const figures: Figures = { inputs: inputs.length, refused: 0, maxHeap: 0, maxRss: 0, slowestMs: 0 };
  for (const { what, value } of inputs) {
    const started = performance.now();
    try {
      attempt(value);
    } catch (err) {
      if (!(err instanceof UserError)) assert.fail(`${what}: not a UserError: ${(err as Error)?.stack ?? String(err)}`.slice(0, 2000));
      figures.refused++;
      for (const line of err.message.split('\n')) assert.ok(line.length <= 400, `${what}: a line of ${line.length} characters: ${line.slice(0, 200)}...`);
      assert.doesNotMatch(err.message, /^\s+at /m, what);
    }
    figures.slowestMs = Math.max(figures.slowestMs, performance.now() - started);
    const memory = process.memoryUsage();
    figures.maxHeap = Math.max(figures.maxHeap, memory.heapUsed + memory.arrayBuffers);
    figures.maxRss = Math.max(figures.maxRss, memory.rss);
    assert.ok(memory.heapUsed + memory.arrayBuffers < MAX_HEAP_BYTES, `${what}: ${Math.round((memory.heapUsed + memory.arrayBuffers) / 2 ** 20)} MB in use`);
  }
  t.diagnostic(`${figures.inputs} inputs, ${figures.refused} refused; peak heap+buffers ${(figures.maxHeap / 2 ** 20).toFixed(0)} MB, peak RSS ${(figures.maxRss / 2 ** 20).toFixed(0)} MB; slowest input ${figures.slowestMs.toFixed(0)} ms`);
  return figures;
}

const BASE = { name: 'fuzz', initializers: ['he', 'zeros'], seeds: [0, 1], model: { hidden: [8] }, data: { trainSize: 100, testSize: 50 }, train: { epochs: 1, lr: 0.01 } };
const KEYS = ['name', 'initializers', 'initializers.0', 'initializers.1', 'seeds', 'seeds.0', 'backend', 'data.trainSize', 'data.testSize', 'data.labeledSize', 'data.dataset', 'model', 'model.kind', 'model.hidden', 'model.hidden.0', 'model.depth', 'model.width', 'model.activation', 'model.filters', 'model.kernelSize', 'model.pool', 'model.head', 'model.residual', 'model.blockDepth', 'model.batchNorm', 'model.dropout', 'train.lr', 'train.epochs', 'train.batchSize', 'train.optimizer', 'train.target', 'unknown', 'model.unknown'];

/** A hostile value: huge, negative, fractional, long, deep, wide, or of the wrong type. */
function hostile(rng: Rng): unknown {
  const pick = rng.int(16);
  switch (pick) {
    case 0: return [1e9, 1e6, 10001, 2 ** 53, -1, 0, 0.5, Number.MAX_SAFE_INTEGER][rng.int(8)];
    case 1: return 'x'.repeat(1 + rng.int(60_000));
    case 2: return Array.from({ length: rng.int(100_000) }, (_, i) => i);
    case 3: return Array.from({ length: 1 + rng.int(300) }, () => 1 + rng.int(5000));
    case 4: {
      let v: unknown = 1;
      for (let i = rng.int(6000); i > 0; i--) v = rng.int(2) ? [v] : { a: v };
      return v;
    }
    case 5: return { name: 'orthogonal', gain: [1e9, -1, 'x'][rng.int(3)], label: '=cmd()' };
    case 6: return ['all', 'he', 'lsuv(maxIterations=1000000)', 'layerwisePretrain(epochs=1000000)', 'sparse(nonZero=1e9)'][rng.int(5)];
    case 7: return null;
    case 8: return rng.int(2) === 1;
    case 9: return { depth: Array.from({ length: 100 }, (_, i) => i + 1), lr: Array.from({ length: 100 }, (_, i) => (i + 1) / 1e4) };
    case 10: return ['cnn', 'mlp', 'relu', 'tanh', 'sgd', 'adam', 'wasm', 'cpu'][rng.int(8)];
    case 11: return Array.from({ length: 1 + rng.int(100) }, () => rng.uniform());
    case 12: return Array.from({ length: 1 + rng.int(20) }, () => 1 + rng.int(100));
    case 13: return '/etc/shadow';
    case 14: return {};
    default: return rng.uniform() * 10 ** rng.int(12);
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

test('fuzz: 300 hostile config values resolve or are refused in one line each, in bounded memory', (t) => {
  const rng = new Rng(19);
  const inputs = Array.from({ length: 300 }, (_, i) => {
    const config = structuredClone(BASE) as Record<string, unknown>;
    const changed: string[] = [];
    for (let m = 1 + rng.int(3); m > 0; m--) {
      const key = KEYS[rng.int(KEYS.length)];
      setPath(config, key, hostile(rng));
      changed.push(key);
    }
    return { what: `config #${i} (${changed.join(', ')})`, value: config };
  });
  const served = fuzz(t, inputs, (config) => resolveConfig(config, {}, { paths: false }));
  assert.ok(served.refused > 200, `most hostile configs are refused (${served.refused} of 300)`);
  fuzz(t, inputs.slice(0, 100), (config) => resolveConfig(config));
});

test('fuzz: 120 mutated YAML and JSON files read and resolve or are refused in one line', (t) => {
  const rng = new Rng(1919);
  const dir = tempDir();
  const yaml = 'name: fuzz\ninitializers: &inits [he, zeros]\nseeds: [0, 1]\nmodel:\n  hidden: [8]\ndata: {trainSize: 100, testSize: 50}\ntrain:\n  epochs: 1\n  lr: 0.01\n';
  const json = JSON.stringify(BASE);
  const inserts = ['*inits', '&a [*inits, *inits, *inits]', '*nope', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', '{', ': :', '\t', '!!binary AAAA', '!!js/function "x"', '<<: *inits', '"\\u0000"', '1e999', '-.inf', '.nan', '~'];
  const inputs = Array.from({ length: 120 }, (_, i) => {
    const asJson = i % 3 === 0;
    let text = asJson ? json : yaml;
    for (let m = 1 + rng.int(2); m > 0; m--) {
      const at = rng.int(text.length);
      const edit = rng.int(3);
      if (edit === 0) text = text.slice(0, at) + inserts[rng.int(inserts.length)] + text.slice(at);
      else if (edit === 1) text = text.slice(0, at) + text.slice(at + 1 + rng.int(8));
      else text = text.slice(0, at) + String.fromCharCode(rng.int(128)) + text.slice(at + 1);
    }
    const path = join(dir, `c${i}.${asJson ? 'json' : 'yaml'}`);
    writeFileSync(path, text);
    return { what: `${path}: ${JSON.stringify(text).slice(0, 300)}`, value: path };
  });
  fuzz(t, inputs, (path) => resolveConfig(readConfigFile(path)));
});

/** The four files of a small valid IDX folder, as buffers. */
function idxFiles(rng: Rng, train = 20, test = 10): Record<string, Buffer> {
  const images = (n: number) => {
    const b = Buffer.alloc(16 + n * 784);
    b.writeUInt32BE(0x803, 0);
    b.writeUInt32BE(n, 4);
    b.writeUInt32BE(28, 8);
    b.writeUInt32BE(28, 12);
    for (let i = 16; i < b.length; i++) b[i] = rng.int(256);
    return b;
  };
  const labels = (n: number) => {
    const b = Buffer.alloc(8 + n);
    b.writeUInt32BE(0x801, 0);
    b.writeUInt32BE(n, 4);
    for (let i = 8; i < b.length; i++) b[i] = rng.int(10);
    return b;
  };
  return { 'train-images-idx3-ubyte': images(train), 'train-labels-idx1-ubyte': labels(train), 't10k-images-idx3-ubyte': images(test), 't10k-labels-idx1-ubyte': labels(test) };
}

/** 50 MB of zeros behind a header that declares 10 images: a gzip bomb of ~50 KB. */
const bombBody = (() => {
  const b = Buffer.alloc(50 * 2 ** 20);
  b.writeUInt32BE(0x803, 0);
  b.writeUInt32BE(10, 4);
  b.writeUInt32BE(28, 8);
  b.writeUInt32BE(28, 12);
  return gzipSync(b, { level: 9 });
})();

test('fuzz: 160 broken IDX folders load or are refused in one line, in bounded memory', (t) => {
  const rng = new Rng(2019);
  const root = tempDir();
  const names = Object.keys(idxFiles(rng, 1, 1));
  const inputs = Array.from({ length: 160 }, (_, i) => {
    const files = idxFiles(rng);
    const name = names[rng.int(4)];
    let file = files[name];
    const kind = rng.int(10);
    const what = ['header field', 'truncated', 'trailing bytes', 'flipped byte', 'zero count', 'huge count', 'label beyond 0-9 (a class of its own)', 'gzip corrupted', 'gzip bomb', 'a folder'][kind];
    if (kind === 0) file.writeUInt32BE(rng.nextUint32(), 4 * rng.int(file.length >= 16 && name.includes('images') ? 4 : 2));
    if (kind === 1) file = file.subarray(0, rng.int(file.length));
    if (kind === 2) file = Buffer.concat([file, Buffer.alloc(1 + rng.int(5000), 7)]);
    if (kind === 3) file[rng.int(file.length)] ^= 1 << rng.int(8);
    if (kind === 4) file.writeUInt32BE(0, 4);
    if (kind === 5) file.writeUInt32BE(0xffffffff - rng.int(1000), 4);
    if (kind === 6 && name.includes('labels')) file[8 + rng.int(file.length - 8)] = 10 + rng.int(246);
    const gzip = kind >= 7 || rng.int(2) === 1;
    let bytes = gzip ? gzipSync(file) : file;
    if (kind === 7) bytes[10 + rng.int(bytes.length - 10)] ^= 0xff;
    if (kind === 8 && name.includes('images')) bytes = bombBody;
    const dir = join(root, `d${i}`);
    mkdirSync(dir);
    for (const n of names) if (n !== name) writeFileSync(join(dir, `${n}.gz`), gzipSync(files[n]));
    if (kind === 9) mkdirSync(join(dir, name));
    else writeFileSync(join(dir, gzip ? `${name}.gz` : name), bytes);
    return { what: `IDX #${i}: ${name}, ${what}${gzip ? ' (gzip)' : ''}`, value: dir };
  });
  const figures = fuzz(t, inputs, (dir) => {
    const counts = idxInfo(dir);
    const data = loadIdxDataset(dir, 'mnist');
    assert.equal(data.count, counts.train + counts.test);
    assert.ok(data.count > 0 && data.classes >= 2 && data.labels.every((l) => l < data.classes));
  });
  assert.ok(figures.refused > 80, `most broken folders are refused (${figures.refused} of 160)`);
  rmSync(root, { recursive: true, force: true });
});

test('fuzz through the CLI: hostile files are exit 2, one line, and no results folder', async () => {
  const dir = tempDir();
  const rng = new Rng(7);
  const idx = (name: string, change: (files: Record<string, Buffer>) => void) => {
    const files = idxFiles(rng, 100, 50);
    change(files);
    const d = join(dir, name);
    mkdirSync(d);
    for (const [n, b] of Object.entries(files)) if (b.length) writeFileSync(join(d, `${n}.gz`), gzipSync(b));
    return d;
  };
  const bomb = idx('bomb', () => {});
  writeFileSync(join(bomb, 'train-images-idx3-ubyte.gz'), bombBody);
  const folderAsFile = idx('folder', (f) => (f['t10k-labels-idx1-ubyte'] = Buffer.alloc(0)));
  mkdirSync(join(folderAsFile, 't10k-labels-idx1-ubyte'));
  const empty = idx('empty', (f) => {
    f['t10k-images-idx3-ubyte'].writeUInt32BE(0, 4);
    f['t10k-labels-idx1-ubyte'] = Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]);
  });
  const label = idx('label', (f) => {
    f['train-labels-idx1-ubyte'].fill(4, 8);
    f['t10k-labels-idx1-ubyte'].fill(4, 8);
  });
  const truncated = idx('truncated', (f) => (f['train-images-idx3-ubyte'] = f['train-images-idx3-ubyte'].subarray(0, 5000)));
  const side = idx('side', (f) => f['t10k-images-idx3-ubyte'].writeUInt32BE(600, 8));
  writeFileSync(join(dir, 'deep.json'), `{"seeds": ${'['.repeat(5000)}0${']'.repeat(5000)}}`);
  writeFileSync(join(dir, 'grid.yaml'), `model: {depth: [${Array.from({ length: 100 }, (_, i) => i + 1)}]}\ntrain: {lr: [${Array.from({ length: 100 }, (_, i) => (i + 1) / 1e4)}]}\n`);
  const cases: [string[], RegExp][] = [
    [['--data-dir', bomb], /decompresses to more than the 7856 bytes its header announces/],
    [['--data-dir', folderAsFile], /t10k-labels-idx1-ubyte is a folder; it must be an IDX file/],
    [['--data-dir', empty], /announces 0 images; a set needs at least one/],
    [['--data-dir', label], /the labels hold 1 class; a classifier needs at least 2/],
    [['--data-dir', truncated], /announces 100 images \(78416 bytes\) but the file has 5000 bytes/],
    [['--data-dir', side], /images are 600x28; init-bench reads images of 1 to 512 pixels a side/],
    [['--config', join(dir, 'deep.json')], /nested more than 32 levels/],
    [['--config', join(dir, 'grid.yaml')], /the grid has 10000 points/],
  ];
  for (const [args, pattern] of cases) {
    const out = join(dir, `out-${cases.findIndex((c) => c[0] === args)}`);
    const r = await runCli(['run', '--init', 'he', '--epochs', '1', '--jobs', '1', '--out', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(out), false, `${args.join(' ')}: no results folder`);
  }
});

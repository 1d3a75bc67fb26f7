import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfigFile, resolveConfig } from '../../src/config/load.js';
import { LIMITS, keySchema, pathKeys } from '../../src/config/schema.js';
import { ConfigError, UserError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

/** The one line a ConfigError or UserError says, for a config that must be refused. */
function refusal(input: unknown, flags = {}, limits = {}): string {
  try {
    resolveConfig(input, flags, limits);
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError, not ${(err as Error).stack}`);
    return err.message;
  }
  assert.fail('the config was accepted');
}

const range = <T = number>(n: number, f: (i: number) => T = (i) => i as T): T[] => Array.from({ length: n }, (_, i) => f(i));

test('every size-like key is refused beyond the bound the schema puts on it, naming the bound', () => {
  const cases: [unknown, RegExp][] = [
    [{ model: { depth: 10000 } }, /`model.depth` is 10000; it must be <= 100/],
    [{ model: { width: 1e6, depth: 2 } }, /`model.width` is 1000000; it must be <= 4096/],
    [{ model: { hidden: range(101, () => 8) } }, /`model.hidden` lists 101 values; it may list at most 100/],
    [{ model: { kind: 'cnn', filters: [1e9] } }, /`model.filters.0` is 1000000000; it must be <= 1024/],
    [{ model: { kind: 'cnn', head: range(11, () => 8) } }, /`model.head` lists 11 values; it may list at most 10/],
    [{ train: { epochs: 1e6 } }, /`train.epochs` is 1000000; it must be <= 1000/],
    [{ train: { batchSize: 1e7 } }, /`train.batchSize` is 10000000; it must be <= 250000/],
    [{ data: { trainSize: 1e7 } }, /`data.trainSize` is 10000000; it must be <= 250000/],
    [{ seeds: range(100_000) }, /`seeds` lists 100000 values; it may list at most 1000/],
    [{ initializers: range(10_000, () => 'he') }, /`initializers` lists 10000 values; it may list at most 100/],
    [{ name: 'x'.repeat(61_000) }, /`name` has 61000 characters; at most 100/],
    [{ train: { lr: range(101, (i) => (i + 1) / 1000) } }, /`train.lr` lists 101 values; it may list at most 100/],
  ];
  for (const [input, pattern] of cases) {
    const message = refusal(input);
    assert.match(message, pattern);
    assert.equal(message.split('\n').length, 1, message.slice(0, 200));
    assert.ok(message.length < 300, `one short line: ${message.slice(0, 300)}`);
  }
});

test('the bounds live in the schema: the JSON Schema carries them', () => {
  const max = (path: string) => JSON.stringify((keySchema(path) as { toJSONSchema?: () => unknown }).toJSONSchema?.());
  assert.match(max('model.depth'), /"maximum":100/);
  assert.match(max('seeds'), /"maxItems":1000/);
  assert.match(max('name'), /"maxLength":100/);
});

test('grid points and trials are counted without expanding the grid, and refused beyond the limits', () => {
  // 1000 x 1000 froze the process expanding it; now it is a product of two lengths.
  const grid = refusal({ model: { depth: range(100, (i) => i + 1) }, train: { lr: range(100, (i) => (i + 1) / 1e4) } });
  assert.match(grid, /the grid has 10000 points \(depth: 100 x lr: 100\); at most 1000/);
  const trials = refusal({ model: { depth: range(10, (i) => i + 1), width: 8 }, train: { lr: range(10, (i) => (i + 1) / 1e4), epochs: 1 }, seeds: range(101), data: { trainSize: 100, testSize: 50 } });
  assert.match(trials, /the experiment has 40400 trials \(100 grid point\(s\) x 4 initializer\(s\) x 101 seed\(s\)\); at most 10000 \(`init-bench run --max-trials N` raises the limit\)/);
  // --max-trials raises it (the CLI's flag); the same config then resolves.
  const config = resolveConfig({ model: { depth: [1, 2], width: 8 }, seeds: range(3), data: { trainSize: 100, testSize: 50 } }, {}, { maxTrials: 24 });
  assert.equal(config.grid.length * config.initializers.length * config.seeds.length, 24);
  assert.match(refusal({ model: { depth: [1, 2], width: 8 }, seeds: range(3) }, {}, { maxTrials: 23 }), /24 trials .*at most 23$/);
});

test('a model too large for memory is refused before any tensor: weights, and activations per batch', () => {
  assert.match(refusal({ model: { depth: 100, width: 4096 } }), /`model`: \d+ weights and biases; at most 20000000/);
  assert.match(refusal({ model: { depth: 50, width: 2048 }, train: { batchSize: 2000 } }), /a batch of 2000 x 102410 activations per example is 204820000; at most 100000000/);
});

test('every path-valued key is refused from a request, before anything looks at the path', () => {
  assert.deepEqual(pathKeys.map((k) => k.key).sort(), ['blas', 'data.dataDir']);
  const blas = refusal({ blas: '/tmp/evil.so' }, {}, { paths: false });
  const missing = refusal({ blas: '/no/such/lib.so' }, {}, { paths: false });
  // The same words whether or not the file exists: the answer tells nothing of the machine.
  assert.equal(blas, missing.replace('/no/such/lib.so', '/tmp/evil.so'));
  assert.match(blas, /`blas` names a file or a library on this machine, which a request may not do .*here it may only be auto or off/);
  assert.match(refusal({ data: { dataDir: '/etc' } }, {}, { paths: false }), /`data.dataDir` names a file/);
  for (const words of ['auto', 'off']) assert.equal(resolveConfig({ blas: words, data: { trainSize: 100, testSize: 50 } }, {}, { paths: false }).blas, words);
  // The CLI and the API may name a library (the user's own machine).
  assert.equal(resolveConfig({ blas: '/tmp/evil.so' }).blas, '/tmp/evil.so');
});

test('nesting is bounded without recursion: 5000 levels are one line', () => {
  let deep: unknown = 0;
  for (let i = 0; i < 5000; i++) deep = [deep];
  assert.match(refusal({ seeds: deep }), new RegExp(`nested more than ${LIMITS.depth} levels deep`));
  assert.match(refusal({ model: { hidden: deep } }), /nested/);
});

test('config files: alias bombs, unresolved aliases, deep nesting, devices, pipes and large files are one line each', () => {
  const dir = tempDir();
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...range(9, (i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${range(9, () => `*${String.fromCharCode(97 + i)}`).join(', ')}]`), 'name: *j'].join('\n');
  const cases: [string, RegExp][] = [
    [file('bomb.yaml', bomb), /an alias is expanded too many times/],
    [file('nope.yaml', 'seeds: *nope\n'), /Unresolved alias: its anchor \(&name\) must be set before the alias \(\*name\): nope/],
    [file('deep.yaml', `seeds: ${'['.repeat(5000)}0${']'.repeat(5000)}\n`), /nested too deeply|nested more than/],
    [file('deep.json', `{"seeds": ${'['.repeat(5000)}0${']'.repeat(5000)}}`), /nested more than 32 levels/],
    [file('big.yaml', `name: x\n${'#'.repeat(LIMITS.fileBytes)}\n`), /larger than 1000000 bytes/],
    ['/dev/zero', /is not a regular file \(a folder, a device or a pipe\)/],
    [dir, /is not a regular file/],
  ];
  const fifo = join(dir, 'pipe.yaml');
  try {
    execFileSync('mkfifo', [fifo]);
    cases.push([fifo, /is not a regular file/]); // nothing writes to it: reading it would wait forever
  } catch {
    // no mkfifo here: the device and the folder cases stand for it
  }
  for (const [path, pattern] of cases) {
    assert.throws(() => readConfigFile(path), (e: unknown) => e instanceof UserError && !(e instanceof ConfigError && e.problems.length > 1) && pattern.test(e.message) && e.message.split('\n').length <= 2, path);
  }
});

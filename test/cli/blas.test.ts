import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { blasThreadsFor } from '../../src/runner/experiment.js';
import { runCli, tempDir } from '../helpers.js';
import { tinyRun, untimed } from '../fixtures.js';

/** The two wasm paths (system BLAS or XNNPACK) as a user meets them: label, header, report, determinism. */
const SMALL = tinyRun({ '--init': 'he', '--train-size': '600', '--test-size': '200', '--hidden': '32', '--epochs': '2', '--batch-size': '50' }, '--json');

async function run(blas: string, flags: string[] = []): Promise<{ doc: { backend: string; trials: { epochs: Record<string, number>[] }[] }; stderr: string; out: string }> {
  const out = join(tempDir(), 'r');
  const r = await runCli(['run', ...SMALL, ...flags, '--progress', 'plain', '--out', out], { INIT_BENCH_BLAS: blas });
  assert.equal(r.code, 0, r.stderr);
  return { doc: JSON.parse(r.stdout), stderr: r.stderr, out };
}

/** Everything a trial records except wall-clock times. */
const numbers = (doc: { trials: { epochs: Record<string, number>[] }[] }) => doc.trials.map((t) => untimed(t.epochs));

test('blas off: the XNNPACK path, labelled wasm, with no hint', async () => {
  const { doc, stderr } = await run('off');
  assert.equal(doc.backend, 'wasm');
  assert.match(stderr, /backend: wasm\n/);
  assert.doesNotMatch(stderr, /no system BLAS/);
});

test('--blas off wins over INIT_BENCH_BLAS, and the resolved config records it', async () => {
  const { doc, out } = await run('auto', ['--blas', 'off']);
  assert.equal(doc.backend, 'wasm');
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).blas, 'off');
});

test('blas auto: the label names the library (or, without one, the header says once how to get one); the report says it too', async () => {
  const { doc, stderr, out } = await run('auto');
  assert.match(doc.backend, /^wasm(\+[a-z]+( [\d.]+)?)?$/);
  if (doc.backend === 'wasm') assert.equal(stderr.match(/no system BLAS found.*apt install libopenblas0|no system BLAS found.*brew install openblas|no system BLAS found.*libopenblas\.dll/g)?.length, 1);
  else assert.doesNotMatch(stderr, /no system BLAS/);
  assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes(`<b>${doc.backend}</b>`));
});

test('each path is deterministic: same seed, same path, identical numbers', async () => {
  for (const blas of ['auto', 'off']) {
    const [a, b] = [await run(blas), await run(blas)];
    assert.deepEqual(numbers(a.doc), numbers(b.doc), `blas ${blas}`);
  }
});

test('a BLAS path that is not a usable library is exit 2 with one line saying so', async () => {
  const r = await runCli(['run', ...SMALL, '--out', join(tempDir(), 'r')], { INIT_BENCH_BLAS: '/no/such/libopenblas.so' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /blas \/no\/such\/libopenblas\.so: cannot use it as a BLAS/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
});

test('--blas-threads auto is the cores shared among the lanes (at least 1); a number is kept', () => {
  assert.equal(blasThreadsFor('auto', 1, 2), 2);
  assert.equal(blasThreadsFor('auto', 2, 2), 1);
  assert.equal(blasThreadsFor('auto', 3, 8), 2);
  assert.equal(blasThreadsFor('auto', 4, 2), 1);
  assert.equal(blasThreadsFor(3, 2, 2), 3);
});

test('--blas-threads 2: recorded in config.json, and the same thread count gives the same numbers', async () => {
  const a = await run('auto', ['--blas-threads', '2']);
  const b = await run('auto', ['--blas-threads', '2']);
  assert.equal(JSON.parse(readFileSync(join(a.out, 'config.json'), 'utf8')).blasThreads, 2);
  assert.deepEqual(numbers(a.doc), numbers(b.doc));
});

/**
 * Every backend x blas choice that loads on this machine runs; one that cannot load is refused
 * before the results folder exists and before "running N trials" is printed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';

const TINY = ['--init', 'he', '--hidden', '8', '--train-size', '100', '--test-size', '50', '--epochs', '1', '--batch-size', '50', '--progress', 'plain'];

/** A system OpenBLAS by path, where the machine has one (Debian's libopenblas0). */
const OPENBLAS = ['/usr/lib/x86_64-linux-gnu/libopenblas.so.0', '/usr/lib/aarch64-linux-gnu/libopenblas.so.0'].find(existsSync);

function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

const blases = ['auto', 'off', ...(OPENBLAS ? [OPENBLAS] : [])];
/**
 * wasm with each blas; cpu and tensorflow, which use no BLAS, with auto and off (a path would be
 * the same code as off); auto (wasm here unless tfjs-node is installed) with off, the choice a
 * backend started early without the config's blas once refused.
 */
const COMBINATIONS: [string, string][] = [
  ...blases.map((b): [string, string] => ['wasm', b]),
  ['cpu', 'auto'],
  ['cpu', 'off'],
  ['auto', 'off'],
  ...(nativeInstalled() ? [['tensorflow', 'auto'] as [string, string]] : []),
];

test(`every backend x blas that loads here runs (${COMBINATIONS.map((c) => c.join(' x ')).join(', ')}), the folder records the choice`, async () => {
  for (const [backend, blas] of COMBINATIONS) {
    {
      const out = join(tempDir(), 'r');
      const jobs = backend === 'wasm' && blas === 'off' ? '2' : '1'; // the workers start with the config's blas too
      const r = await runCli(['run', ...TINY, '--backend', backend, '--blas', blas, '--jobs', jobs, '--json', '--out', out]);
      assert.equal(r.code, 0, `${backend} x ${blas}: ${r.stderr}`);
      const doc = JSON.parse(r.stdout);
      const expected = backend === 'auto' ? (nativeInstalled() ? 'tensorflow' : 'wasm') : backend;
      assert.ok(doc.backend.startsWith(expected), `${backend} x ${blas}: ${doc.backend}`);
      if (expected === 'wasm') assert.equal(doc.backend === 'wasm', blas === 'off' || (blas === 'auto' && !OPENBLAS), `${backend} x ${blas}: ${doc.backend}`);
      assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).blas, blas);
    }
  }
});

test('a blas that is not a library is refused before the folder exists and before anything runs, by flag or by INIT_BENCH_BLAS', async () => {
  const root = tempDir();
  const notALibrary = join(root, 'not-a-library.so');
  writeFileSync(notALibrary, 'text, not ELF');
  for (const [args, env] of [
    [['--blas', '/nonexistent.so'], {}],
    [[], { INIT_BENCH_BLAS: '/nonexistent.so' }],
    [['--backend', 'wasm', '--blas', notALibrary], {}],
  ] as [string[], Record<string, string>][]) {
    const out = join(root, `r${args.length}${Object.keys(env).length}`);
    const r = await runCli(['run', ...TINY, ...args, '--out', out], env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: blas \S+: cannot use it as a BLAS/);
    assert.doesNotMatch(r.stderr, /running|trial 1/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(out), false, `${args.join(' ')}: no folder left behind`);
  }
});

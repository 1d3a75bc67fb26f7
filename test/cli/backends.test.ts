import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';

/**
 * Every backend x blas choice a user can name on the command line, run as a user would, with the
 * trials in the CLI's own process (--jobs 1: the process that checks the backend before creating
 * the folder also trains) and in worker processes (--jobs 2). The BLAS choice only matters on wasm;
 * the other backends accept and ignore it.
 */
const SMALL = ['--init', 'he,zeros', '--train-size', '300', '--test-size', '100', '--hidden', '16', '--epochs', '1', '--batch-size', '50', '--quiet', '--json'];

/** Whether the optional native backend's package is installed at all (it is optional). */
function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** The label results.json records for a backend x blas choice (wasm with a BLAS names the library). */
const LABEL: Record<string, RegExp> = {
  'wasm auto': /^wasm(\+[a-z]+( [\d.]+)?)?$/,
  'wasm off': /^wasm$/,
  'cpu auto': /^cpu$/,
  'cpu off': /^cpu$/,
  'tensorflow auto': /^tensorflow$/,
  'tensorflow off': /^tensorflow$/,
};

for (const backend of ['wasm', 'cpu', 'tensorflow'] as const) {
  for (const blas of ['auto', 'off'] as const) {
    for (const jobs of ['1', '2']) {
      const skip = backend === 'tensorflow' && !nativeInstalled() ? 'the optional @tensorflow/tfjs-node is not installed here (its install downloads libtensorflow)' : false;
      test(`--backend ${backend} --blas ${blas} --jobs ${jobs} runs and records what ran`, { skip }, async () => {
        const r = await runCli(['run', ...SMALL, '--backend', backend, '--blas', blas, '--jobs', jobs, '--out', join(tempDir(), 'r')]);
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as { backend: string; trials: { status: string }[] };
        assert.match(doc.backend, LABEL[`${backend} ${blas}`]);
        assert.deepEqual(doc.trials.map((t) => t.status), ['ok', 'ok']);
      });
    }
  }
}

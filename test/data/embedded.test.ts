import assert from 'node:assert/strict';
import { existsSync, statSync, truncateSync } from 'node:fs';
import { test } from 'node:test';
import { cacheFile, loadEmbeddedMnist } from '../../src/data/embedded.js';
import { tempDir } from '../helpers.js';

test('the embedded digits are cached as binary, read back identical, and a damaged cache is re-made', () => {
  const previous = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = tempDir('cache-');
  try {
    const file = cacheFile();
    assert.match(file, /init-bench\/mnist-\d+\.\d+\.\d+-digits\.bin$/);
    const parsed = loadEmbeddedMnist();
    assert.ok(existsSync(file));
    const t = performance.now();
    const cached = loadEmbeddedMnist();
    const ms = performance.now() - t;
    assert.deepEqual(cached.labels, parsed.labels);
    assert.deepEqual(cached.images, parsed.images);
    assert.ok(ms < 1000, `cached load took ${ms} ms`);
    truncateSync(file, 1000);
    const again = loadEmbeddedMnist();
    assert.deepEqual(again.images, parsed.images);
    assert.equal(statSync(file).size, 4 + 10000 * 784 * 4 + 10000);
  } finally {
    if (previous === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previous;
  }
});

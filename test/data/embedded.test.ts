import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
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
    const cached = loadEmbeddedMnist();
    assert.deepEqual(cached.labels, parsed.labels);
    assert.deepEqual(cached.images, parsed.images);
    // The second load reads the cache, not the package: a label changed in the file shows up.
    const bytes = readFileSync(file);
    const lastLabel = bytes.length - 1;
    bytes[lastLabel] = (bytes[lastLabel] + 1) % 10;
    writeFileSync(file, bytes);
    assert.equal(loadEmbeddedMnist().labels[9999], bytes[lastLabel]);
    truncateSync(file, 1000);
    const again = loadEmbeddedMnist();
    assert.deepEqual(again.images, parsed.images);
    assert.equal(statSync(file).size, 4 + 10000 * 784 * 4 + 10000);
  } finally {
    if (previous === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previous;
  }
});

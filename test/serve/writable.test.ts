import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { unwritable } from '../../src/serve/writable.js';
import { tempDir } from '../helpers.js';

test('the results folder is checked by writing: a folder, one yet to create, a file in the way', () => {
  const dir = tempDir();
  assert.equal(unwritable(dir), null);
  assert.deepEqual(readdirSync(dir), [], 'the check leaves nothing behind');
  assert.equal(unwritable(join(dir, 'a', 'b')), null, 'a folder a run would create');
  assert.ok(!existsSync(join(dir, 'a')), 'and it is not created by the check');
  const file = join(dir, 'file');
  writeFileSync(file, '');
  assert.match(unwritable(join(file, 'results')) ?? '', /not writable \(a file is in the way\): runs cannot be started here/);
});

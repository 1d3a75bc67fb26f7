import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';
import { tinyRun, watchWrites } from '../fixtures.js';

/**
 * Makes a folder refuse writes as a downloaded artifact or a read-only mount would: permission
 * bits for a normal user; root ignores those, so for root the immutable attribute (ext4, xfs).
 * Returns the undo, or null when this machine cannot do either.
 */
function makeReadOnly(dir: string): (() => void) | null {
  const root = process.getuid?.() === 0;
  try {
    if (root) execFileSync('chattr', ['-R', '+i', dir], { stdio: 'ignore' });
    else execFileSync('chmod', ['-R', 'a-w', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const undo = () => execFileSync(root ? 'chattr' : 'chmod', root ? ['-R', '-i', dir] : ['-R', 'u+w', dir], { stdio: 'ignore' });
  try {
    writeFileSync(join(dir, 'probe'), 'x');
  } catch {
    return undo;
  }
  undo();
  return null;
}

test('report on a read-only folder prints the table, writes nothing unchanged, and says once that it is read-only', async (t) => {
  const dir = join(tempDir(), 'artifact');
  const run = await runCli(['run', ...tinyRun({ '--train-size': '300' }, '--quiet', '--out', dir)]);
  assert.equal(run.code, 0, run.stderr);

  // Nothing changed (results.json's keys in another order are the same document): nothing is written.
  const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  writeFileSync(join(dir, 'results.json'), JSON.stringify(Object.fromEntries(Object.entries(doc).reverse())));
  const written = watchWrites(['results.json', 'metrics.csv', 'report.html'].map((f) => join(dir, f)));
  const same = await runCli(['report', dir]);
  assert.equal(same.code, 0, same.stderr);
  assert.deepEqual(written(), [], 'no file written');
  assert.match(same.stderr, /up to date/);

  writeFileSync(join(dir, 'report.html'), '<p>from an older init-bench</p>');
  const undo = makeReadOnly(dir);
  if (!undo) {
    t.skip('this machine cannot make a folder read-only (neither permissions nor chattr)');
    return;
  }
  try {
    const r = await runCli(['report', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /heNormal/, 'the table is printed');
    assert.doesNotMatch(r.stderr, /bug|EACCES|EPERM|    at /, 'no stack trace');
    assert.equal(r.stderr.match(/read-only/g)?.length, 1, `said once: ${r.stderr}`);
    assert.match(r.stderr, /read-only: report\.html not brought up to date/);
    assert.equal(readFileSync(join(dir, 'report.html'), 'utf8'), '<p>from an older init-bench</p>');
  } finally {
    undo();
  }
});

/**
 * A results folder under faults: two writers, trials of another experiment, stale temporary
 * files, a read-only mount and a full disk (tiny tmpfs mounts, where this machine lets us mount).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readFolder } from '../../src/store/folder.js';
import { LOCK_FILE, lockFolder, lockHolder } from '../../src/store/lock.js';
import { UserError } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers.js';

const TINY = ['--init', 'he,zeros', '--hidden', '8', '--train-size', '100', '--test-size', '50', '--epochs', '1', '--batch-size', '50', '--jobs', '1', '-q'];

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('one writer per folder: the second is refused naming the first; a lock whose process is gone is taken over', () => {
  const dir = tempDir();
  const release = lockFolder(dir, 'init-bench run');
  assert.throws(
    () => lockFolder(dir, 'init-bench run --resume'),
    (e: unknown) => e instanceof UserError && new RegExp(`is being written by init-bench run \\(process ${process.pid} on ${hostname()}, since .*\\); one writer per folder`).test(e.message),
  );
  release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'released');
  // A process that has exited: its lock is stale.
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2020-01-01T00:00:00Z', command: 'init-bench run' }));
  assert.equal(lockHolder(dir), null);
  const again = lockFolder(dir, 'init-bench run --resume');
  assert.equal(lockHolder(dir)?.pid, process.pid);
  again();
});

test('a second writer of a folder is refused with who holds it, and runs once the holder is done', async () => {
  const out = join(tempDir(), 'r');
  const first = await runCli(['run', ...TINY, '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  writeFileSync(join(out, 'trials', readdirSync(join(out, 'trials'))[1]), '{'); // one trial to run again
  const release = lockFolder(out, 'init-bench run --resume'); // a writer that is still at it (this process)
  const refused = await runCli(['run', '--resume', out, '--jobs', '1']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split('\n').length, 2, 'the unreadable trial warning, then the refusal');
  assert.match(refused.stderr, new RegExp(`error: ${out} is being written by init-bench run --resume \\(process ${process.pid} on .*\\); one writer per folder`));
  noStack(refused.stderr);
  release();
  const resumed = await runCli(['run', '--resume', out, '--jobs', '1', '-q']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(existsSync(join(out, LOCK_FILE)), false, 'the lock is gone once the run is done');
});

test('trial files of another experiment are set aside, saying so, never counted; a copied results.json is rebuilt', async () => {
  const root = tempDir();
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  assert.equal((await runCli(['run', ...TINY, '--out', a])).code, 0);
  assert.equal((await runCli(['run', ...TINY, '--lr', '0.1', '--out', b])).code, 0);
  // A trial copied in from b: its id is not one of a's tasks.
  const foreign = readdirSync(join(b, 'trials'))[0];
  copyFileSync(join(b, 'trials', foreign), join(a, 'trials', `00009-${foreign.slice(6)}`));
  let folder = readFolder(a);
  assert.equal(folder.trials.length, 2);
  assert.match(folder.warnings.join('\n'), /1 file\(s\) in .*trials are not trials of this folder's config.json .*left out of the results and their statistics/);
  // b's results.json copied over a's: another experiment's document.
  copyFileSync(join(b, 'results.json'), join(a, 'results.json'));
  folder = readFolder(a);
  assert.match(folder.warnings.join('\n'), /results.json is not the document of this folder's config.json .*rebuilt from trials/);
  assert.equal(folder.doc.trials.length, 2);
  assert.deepEqual(folder.doc.trials.map((t) => t.id).sort(), readdirSync(join(a, 'trials')).filter((f) => !f.startsWith('00009')).map((f) => f.slice(6, -5)).sort());
  // config.json edited (another lr): none of the saved trials is one of its experiment.
  const config = JSON.parse(readFileSync(join(a, 'config.json'), 'utf8'));
  writeFileSync(join(a, 'config.json'), JSON.stringify({ ...config, train: { ...config.train, lr: 0.5 } }));
  folder = readFolder(a);
  assert.equal(folder.trials.length, 0);
  assert.ok(folder.doc.summary.every((s) => s.trials === 0), 'no trial in the statistics');
  assert.match(folder.warnings.join('\n'), /3 file\(s\) in .*are not trials of this folder's config.json/);
});

test('resume removes the temporary files a killed writer left', async () => {
  const out = join(tempDir(), 'r');
  assert.equal((await runCli(['run', ...TINY, '--out', out])).code, 0);
  const [, second] = readdirSync(join(out, 'trials')).sort();
  writeFileSync(join(out, 'trials', second), ''); // an empty trial: runs again
  writeFileSync(join(out, 'trials', `${second}.4242.tmp`), '');
  writeFileSync(join(out, `results.json.4242.tmp`), '');
  const r = await runCli(['run', '--resume', out, '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...readdirSync(out), ...readdirSync(join(out, 'trials'))].filter((f) => f.endsWith('.tmp')), []);
});

/** A tmpfs of `size` at a new mount point, or null (with the reason) where mounting is not allowed. */
function tmpfs(size: string): { dir: string; remount(options: string): void } | string {
  const dir = tempDir('init-bench-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim().split('\n')[0]}): read-only and full-disk cases skipped`;
  }
  mounts.push(dir);
  return { dir, remount: (options) => execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' }) };
}
const mounts: string[] = [];
after(() => {
  for (const dir of mounts) spawnSync('umount', [dir]);
});

test('a read-only place: --out is one line naming the cause; resuming a finished folder there is exit 0, nothing to run', async (t) => {
  const fs = tmpfs('1m');
  if (typeof fs === 'string') return t.skip(fs);
  const done = join(fs.dir, 'done');
  assert.equal((await runCli(['run', ...TINY, '--out', done])).code, 0);
  fs.remount('ro');
  const out = await runCli(['run', ...TINY, '--out', join(fs.dir, 'new', 'r')]);
  assert.equal(out.code, 2);
  assert.equal(out.stderr.trim(), `error: cannot create results folder ${join(fs.dir, 'new', 'r')}: the file system is read-only (${fs.dir})`);
  const resumed = await runCli(['run', '--resume', done, '--progress', 'plain']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /nothing to run: every trial of .*done is finished \(2 of 2\)/);
  noStack(resumed.stderr);
});

test('a full disk: one line naming the file and the cause, exit 2, no temporary file left; resume completes once there is room', async (t) => {
  const fs = tmpfs('48k');
  if (typeof fs === 'string') return t.skip(fs);
  const out = join(fs.dir, 'r');
  const r = await runCli(['run', ...TINY, '--seeds', '0,1,2,3,4,5,6,7', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr.trim(), new RegExp(`^error: cannot write ${out}/\\S+: no space left on the device$`));
  const names = [...readdirSync(out), ...readdirSync(join(out, 'trials'))];
  assert.deepEqual(names.filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  assert.ok(!names.includes(LOCK_FILE), 'the lock is released');
  for (const f of readdirSync(join(out, 'trials'))) assert.ok(readFileSync(join(out, 'trials', f), 'utf8').length > 0, `${f} is whole`);
  fs.remount('size=4m');
  const resumed = await runCli(['run', '--resume', out, '-q']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(readdirSync(join(out, 'trials')).length, 16);
  mkdirSync(join(out, 'x')); // the folder is writable again: the mount grew
});

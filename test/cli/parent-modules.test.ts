/**
 * What the `init-bench run` process loads. With --jobs 2 the trials run in worker processes,
 * each with its own tfjs and data: the parent only schedules them and writes the folder, so it
 * loads neither tfjs nor the data nor the trainer (every worker already pays for those). With
 * --jobs 1 the trials run in the parent, which then loads them: the check sees what it claims to.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, ROOT, tempDir } from '../helpers.js';
import { tinyRun } from '../fixtures.js';

/**
 * A module given to `node --import`: in the CLI process only (a worker has an IPC channel), it
 * records the URL of every ES module loaded (a loader hook) and, at exit, the files require()
 * loaded (tfjs's bundles are CommonJS), one a line.
 */
function recorder(dir: string): { hook: string; log: string } {
  const log = join(dir, 'modules.txt');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
  const hook = join(dir, 'record.mjs');
  writeFileSync(
    hook,
    [
      `import { register, createRequire } from 'node:module';`,
      `import { appendFileSync } from 'node:fs';`,
      `import { pathToFileURL } from 'node:url';`,
      `if (!process.send) {`,
      `  register(pathToFileURL(${JSON.stringify(hooks)}));`,
      `  const cache = createRequire(import.meta.url).cache;`,
      `  process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((f) => 'require:' + f + '\\n').join('')));`,
      `}`,
    ].join('\n'),
  );
  return { hook, log };
}

async function modulesOfRun(jobs: string): Promise<string[]> {
  const dir = tempDir();
  const { hook, log } = recorder(dir);
  const args = ['--import', hook, BIN, 'run', ...tinyRun({ '--jobs': jobs }, '--quiet', '--out', join(dir, 'out'))];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  assert.equal(code, 0, stderr);
  const doc = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
  assert.equal(doc.trials.length, 2, 'both trials ran');
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** What only a process that trains needs. */
const TRAINING = [/\/dist\/src\/backend\/select\.js$/, /\/dist\/src\/train\//, /\/dist\/src\/diagnostics\//, /\/dist\/src\/data\/(embedded|batches)\.js$/, /\/dist\/src\/runner\/trial(-runner)?\.js$/, /@tensorflow\//, /\/koffi\//];

const loadedOf = (modules: string[]) => TRAINING.flatMap((re) => modules.filter((m) => re.test(m)));

/** Loader hooks (module.register) came with Node 20.6. */
const skip = typeof (nodeModule as { register?: unknown }).register !== 'function' && 'needs module.register (Node >= 20.6)';

test('the parent of a --jobs 2 run loads neither tfjs, nor the data, nor the trainer', { skip }, async () => {
  const modules = await modulesOfRun('2');
  assert.ok(modules.some((m) => m.endsWith('/dist/src/runner/executors.js')), 'the recorder saw the runner load');
  assert.deepEqual(loadedOf(modules), []);
});

test('with --jobs 1 the trials run in the parent, which loads what they need', { skip }, async () => {
  const loaded = loadedOf(await modulesOfRun('1'));
  for (const re of [/\/dist\/src\/train\/loop\.js$/, /\/dist\/src\/runner\/trial-runner\.js$/, /@tensorflow\/tfjs-core\//]) {
    assert.ok(loaded.some((m) => re.test(m)), `${re} loaded with --jobs 1`);
  }
});

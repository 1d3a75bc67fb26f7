import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, tempDir } from '../helpers.js';

const run = promisify(execFile);

/**
 * A separate package that depends on init-bench, as `npm install ../init-bench` leaves it (a
 * link in node_modules), imports it by name, type-checks against its declarations, and runs a
 * small experiment through the API: what a script author does.
 */
function consumer(): string {
  const dir = tempDir('init-bench-api-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'api-user', version: '1.0.0', type: 'module', private: true, dependencies: { 'init-bench': `file:${ROOT}` } }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'init-bench'), 'dir');
  return dir;
}

const SCRIPT = `
import { resolveConfig, runExperiment, loadResults, ConfigError } from 'init-bench';
const config = resolveConfig({ initializers: ['he', 'zeros'], model: { hidden: [16] }, data: { trainSize: 400, testSize: 100 }, train: { epochs: 1, batchSize: 50 } });
const events = [];
const doc = await runExperiment(config, { jobs: 1, out: process.argv[2], onEvent: (e) => events.push(e.type) });
const again = loadResults(process.argv[2]);
let problems = [];
try { resolveConfig({ train: { epochs: 0, lr: 'fast' } }); } catch (err) { if (err instanceof ConfigError) problems = err.problems; }
console.log(JSON.stringify({ trials: doc.trials.map((t) => [t.init, t.status, t.final.testAccuracy]), complete: doc.complete, same: JSON.stringify(again.trials) === JSON.stringify(doc.trials), events: [...new Set(events)], problems }));
`;

test('a script imports init-bench by name and runs an experiment through the API', async () => {
  const dir = consumer();
  writeFileSync(join(dir, 'script.mjs'), SCRIPT);
  const { stdout } = await run(process.execPath, ['script.mjs', join(dir, 'out')], { cwd: dir });
  const r = JSON.parse(stdout) as { trials: [string, string, number][]; complete: boolean; same: boolean; events: string[]; problems: string[] };
  assert.deepEqual(r.trials.map(([init, status]) => [init, status]), [['heNormal', 'ok'], ['zeros', 'ok']]);
  assert.ok(r.trials[0][2] > r.trials[1][2], 'He beats zeros even after one epoch on 400 digits');
  assert.equal(r.complete, true);
  assert.equal(r.same, true, 'loadResults reads back the same trials');
  assert.deepEqual(r.events, ['start', 'backend', 'trialStart', 'epoch', 'trialEnd', 'end']);
  assert.equal(r.problems.length, 2, 'one ConfigError lists every problem');
});

test('the type declarations let a TypeScript script use the API', async () => {
  const dir = consumer();
  writeFileSync(
    join(dir, 'script.ts'),
    `import { resolveConfig, runExperiment, type ResultsDocument, type RunEvent } from 'init-bench';
const config = resolveConfig({ train: { epochs: 1 } });
const onEvent = (e: RunEvent): void => { if (e.type === 'epoch') console.log(e.metrics.testAccuracy.toFixed(3)); };
export const run = (): Promise<ResultsDocument> => runExperiment(config, { jobs: 1, onEvent });
// @ts-expect-error: epochs is a number
resolveConfig({ train: { epochs: 'many' } }).train.epochs.toFixed(0);
`,
  );
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['script.ts'] }));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).catch((err: { stdout: string }) => assert.fail(`tsc failed:\n${err.stdout}`));
});

/** The API example of the docs: the code block that imports from 'init-bench' and nothing else (the model-file example also needs tfjs). */
function docsExample(): string {
  for (const file of ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => join('docs', f))]) {
    if (!file.endsWith('.md')) continue;
    const blocks = [...readFileSync(join(ROOT, file), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    const example = blocks.find((b) => b.includes("from 'init-bench'") && b.includes('runExperiment(') && !/from '(?!init-bench')/.test(b));
    if (example) return example;
  }
  return assert.fail('no API example importing init-bench in README.md or docs/');
}

test("the docs' API example type-checks under strict, against declarations that stand alone (skipLibCheck off, no tfjs or Node types)", async () => {
  const dir = consumer();
  writeFileSync(join(dir, 'example.ts'), docsExample());
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['example.ts'] }));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const listed = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], { cwd: dir }).catch((err: { stdout: string }) => assert.fail(`tsc failed:\n${err.stdout}`));
  assert.doesNotMatch(listed.stdout, /@tensorflow/, 'the public types do not pull in tfjs');
});

test("the docs' API example runs twice in a row (a new folder each time), on a tiny config", async () => {
  const dir = consumer();
  const tiny = "resolveConfig({ initializers: ['he', 'zeros'], model: { hidden: [8] }, data: { trainSize: 200, testSize: 100 }, train: { epochs: 1 } })";
  const example = docsExample().replace(/resolveConfig\(\{.*\}\)/, tiny).replace(/jobs: \d+/, 'jobs: 1');
  assert.ok(example.includes(tiny), 'the example resolves its config on one line');
  writeFileSync(join(dir, 'example.mjs'), example);
  for (const attempt of [1, 2]) {
    const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: dir }).catch((err: { stderr: string }) => assert.fail(`run ${attempt} failed:\n${err.stderr}`));
    assert.match(stdout, /^heNormal: 0\.\d+$/m, `run ${attempt}: ${stdout}`);
    assert.equal(stdout.trim().split('\n').at(-1), 'true', `run ${attempt}: the folder reads back complete`);
  }
});

test('the API refuses a used folder in its own words, not in flags', async () => {
  const dir = consumer();
  writeFileSync(
    join(dir, 'twice.mjs'),
    `import { resolveConfig, runExperiment } from 'init-bench';
const config = resolveConfig({ initializers: ['he'], model: { hidden: [8] }, data: { trainSize: 100, testSize: 50 }, train: { epochs: 1 } });
await runExperiment(config, { out: 'out' });
try { await runExperiment(config, { out: 'out' }); } catch (err) { console.log(err.message); }
`,
  );
  const { stdout } = await run(process.execPath, ['twice.mjs'], { cwd: dir });
  assert.match(stdout, /out already holds .*resumeExperiment\("out"\), or give another `out`/);
  assert.doesNotMatch(stdout, /--out|--resume/);
});

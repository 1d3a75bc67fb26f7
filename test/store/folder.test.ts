import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { checkNewFolder, createFolder, loadResults, readFolder } from '../../src/store/folder.js';
import { resultsSchema } from '../../src/results/schema.js';
import { schemaText } from '../../src/tools/schemas.js';
import { enumerateTasks } from '../../src/runner/tasks.js';
import { ROOT, tempDir } from '../helpers.js';

const tiny = () => resolveConfig({ initializers: ['he', 'zeros'], model: { hidden: [8] }, data: { trainSize: 100, testSize: 50 }, train: { epochs: 1 } });

/** A new folder, its lock released (as at the end of a run). */
function created(config: ReturnType<typeof tiny>, out: string | undefined, root?: string): string {
  const { dir, release } = createFolder(config, out, { shard: null }, root);
  release();
  return dir;
}

/** A folder holding a config and one hand-made trial file (what a run leaves after its first trial). */
function folderWithTrial(): { dir: string; trialFile: string } {
  const config = tiny();
  const dir = created(config, join(tempDir(), 'run'));
  const { id } = enumerateTasks(config)[0];
  const trial = { id, init: 'heNormal', initializer: { name: 'heNormal', params: { mode: 'fanIn' } }, seed: 0, status: 'failed', error: 'x', epochs: [], final: null };
  const trialFile = join(dir, 'trials', `00000-${id}.json`);
  writeFileSync(trialFile, JSON.stringify(trial));
  return { dir, trialFile };
}

test('the committed JSON Schemas are the ones the zod schemas generate (npm run schemas)', () => {
  for (const file of ['config.schema.json', 'results.schema.json'] as const) {
    assert.equal(readFileSync(join(ROOT, 'schema', file), 'utf8'), schemaText(file), `schema/${file} is stale: run npm run schemas`);
  }
});

test('config.json spells out every default and reads back to the same experiment', () => {
  const config = tiny();
  const dir = created(config, join(tempDir(), 'run'));
  const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(saved.data.trainSize, 100);
  assert.equal(saved.train.optimizer, 'momentum');
  assert.deepEqual(saved.model.hidden, [8]);
  assert.equal(saved.model.depth, undefined, 'hidden or depth, never both');
  assert.equal(saved.model.filters, undefined, "an MLP's config holds no CNN keys");
  assert.deepEqual(saved.initializers[0], { name: 'heNormal', label: 'heNormal', mode: 'fanIn' });
  assert.deepEqual(resolveConfig(saved).resolved, config.resolved);
});

test('a results.json that is not a results document is named, and the document is rebuilt from trials/', () => {
  const { dir } = folderWithTrial();
  writeFileSync(join(dir, 'results.json'), '{"schemaVersion":1}');
  const folder = readFolder(dir);
  assert.equal(folder.doc.trials.length, 1);
  assert.match(folder.warnings.join('\n'), /results\.json is not a results document \(`backend` is missing.*it is rebuilt from trials\//);
  assert.equal(loadResults(dir).trials.length, 1);
  assert.ok(resultsSchema.safeParse(JSON.parse(JSON.stringify(folder.doc))).success, 'the rebuilt document validates');
});

test('a truncated trial file is named with the way out, and skipped', () => {
  const { dir, trialFile } = folderWithTrial();
  writeFileSync(trialFile, '{"id": "abc1');
  const folder = readFolder(dir, 'npx init-bench');
  assert.equal(folder.trials.length, 0);
  assert.match(folder.warnings[0], /00000-[0-9a-f]+\.json is not valid JSON .*that trial runs again with: npx init-bench run --resume /);
});

test('a folder holding files a run writes is refused before anything is written; an empty one is fine', () => {
  const { dir } = folderWithTrial();
  assert.throws(() => checkNewFolder(dir, 'npx init-bench'), (e: unknown) => e instanceof UserError && /already holds config\.json, run\.json, trials.*npx init-bench run --resume .*give another --out$/.test(e.message));
  // An API caller is told about the API, not about flags.
  assert.throws(
    () => checkNewFolder(dir),
    (e: unknown) => e instanceof UserError && /already holds config\.json.*resumeExperiment\(".*"\), or give another `out`/.test(e.message) && !/--out|--resume|init-bench run/.test(e.message),
  );
  const other = tempDir();
  writeFileSync(join(other, 'report.html'), 'mine');
  assert.throws(() => checkNewFolder(other), /already holds report\.html/);
  assert.doesNotThrow(() => checkNewFolder(tempDir()));
});

test('default folders of runs started in the same second do not collide', () => {
  const root = tempDir();
  const a = created(tiny(), undefined, root);
  const b = created(tiny(), undefined, root);
  assert.notEqual(a, b);
  assert.equal(readdirSync(root).length, 2);
  assert.ok(existsSync(join(b, 'config.json')));
});

test("a folder written before configs were resolved per kind of model still reads (the other kind's defaults are dropped)", () => {
  const { dir } = folderWithTrial();
  const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...saved, model: { ...saved.model, filters: [16, 32], kernelSize: 3, pool: 2, padding: 'valid', head: [] } }));
  assert.deepEqual(readFolder(dir).config.model.hidden, [8]);
  const cnn = { ...saved, model: { kind: 'cnn', hidden: [256, 128], filters: [4], activation: 'relu' } };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cnn));
  assert.deepEqual(readFolder(dir).config.model.filters, [4]);
});

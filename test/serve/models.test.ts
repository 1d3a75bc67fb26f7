import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers.js';
import { http, post, serve } from './client.js';

test('serve --models: the page picks a model file by name from the listed set, never by path', async () => {
  const models = tempDir('models-');
  copyFileSync(join(ROOT, 'configs', 'models', 'small-cnn.json'), join(models, 'small-cnn.json'));
  writeFileSync(join(models, 'notes.txt'), 'not a model');
  mkdirSync(join(models, 'nested.json'));
  const root = tempDir();
  const served = await serve(['--results', root, '--jobs', '1', '--models', models]);
  try {
    const listed = await http(served, 'GET', '/api/models');
    assert.deepEqual(listed.json(), ['small-cnn.json']);
    const fields = (await http(served, 'GET', '/api/form')).json().fields as { key: string; choices?: string[] }[];
    assert.deepEqual(fields.find((f) => f.key === 'model.file')?.choices, ['small-cnn.json'], 'the form offers the files as a menu');
    assert.equal(fields.find((f) => f.key === 'model.fileSha256'), undefined, 'the server records the sha256');
    const config = (file: unknown, over: Record<string, unknown> = {}) => ({
      config: { name: 'file', initializers: ['file', 'he'], model: { file, ...over }, data: { trainSize: 100, testSize: 50 }, train: { epochs: 1, batchSize: 50 } },
    });
    for (const bad of ['../small-cnn.json', join(models, 'small-cnn.json'), 'notes.txt', 'nested.json', 7]) {
      const refused = await post(served, '/api/runs', config(bad));
      assert.equal(refused.status, 400, String(bad));
      assert.match(refused.json().problems[0], /is not among this server's model files \(small-cnn\.json\)/);
    }
    const pinned = await post(served, '/api/runs', config('small-cnn.json', { fileSha256: { x: '0'.repeat(64) } }));
    assert.equal(pinned.status, 400);
    const started = await post(served, '/api/runs', config('small-cnn.json'));
    assert.equal(started.status, 201, started.body);
    const id = started.json().id;
    let state = '';
    for (let i = 0; i < 600 && !['finished', 'failed', 'interrupted'].includes(state); i++) {
      await new Promise((r) => setTimeout(r, 500));
      state = (await http(served, 'GET', `/api/runs/${id}`)).json().run.state;
    }
    assert.equal(state, 'finished');
    const doc = (await http(served, 'GET', `/api/runs/${id}`)).json().doc;
    assert.equal(doc.config.model.file, join(models, 'small-cnn.json'));
    assert.deepEqual(doc.trials[0].diagnostics.atInit.map((l: { layer: string }) => l.layer), ['conv2d_1', 'conv2d_2', 'dense_1']);
  } finally {
    assert.equal(await served.stop(), 0, served.stderr());
  }
  const bare = await serve(['--results', tempDir(), '--port', '0']);
  try {
    const none = await post(bare, '/api/runs', { config: { model: { file: 'small-cnn.json' } } });
    assert.equal(none.status, 400);
    assert.match(none.json().problems[0], /start it with `init-bench serve --models DIR`/);
    const fields = (await http(bare, 'GET', '/api/form')).json().fields as { key: string }[];
    assert.equal(fields.find((f) => f.key === 'model.file'), undefined, 'no model folder: no model file field');
  } finally {
    await bare.stop();
  }
});

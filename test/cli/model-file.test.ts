import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dense, conv, residualCnn, writeModel } from '../fixtures/models.js';
import { writeBlobIdx } from '../fixtures/idx.js';
import { runCli, tempDir } from '../helpers.js';

/** A Keras 2 MLP for 14x14 images of 4 classes (EMNIST-style labels 1-4). */
const blobMlp = (units = 16) => ({ class_name: 'Sequential', config: { name: 'blobs', layers: [dense('hidden_a', units, 'relu', { batch_input_shape: [null, 196] }), dense('letters', 4, 'softmax')] } });
const blobCnn = () => ({
  class_name: 'Sequential',
  config: { layers: [{ class_name: 'Reshape', config: { name: 'to_image', target_shape: [14, 14, 1], batch_input_shape: [null, 196] } }, conv('c1', 4, 'relu'), { class_name: 'GlobalAveragePooling2D', config: { name: 'gap' } }, dense('letters', 4)] },
});

test('a model file on an IDX set of another size and class count: the file is a grid axis, its layers keep their names, resume refuses a changed file', async () => {
  const data = writeBlobIdx({ side: 14, classes: 4, firstLabel: 1, train: 240, test: 80 });
  const mlp = writeModel(blobMlp());
  const cnn = writeModel(blobCnn());
  const out = join(tempDir(), 'r');
  const r = await runCli(['run', '--model-file', `${mlp},${cnn}`, '--data-dir', data, '--dataset', 'blobs', '--init', 'file,he,zeros', '--epochs', '1', '--batch-size', '16', '--lr', '0.1', '--jobs', '1', '--json', '--out', out, '--backend', 'wasm']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.config.data.labels, [1, 2, 3, 4]);
  assert.equal(doc.config.data.dataset, 'blobs');
  assert.deepEqual(doc.config.model.file, [mlp, cnn]);
  assert.match(doc.config.model.fileSha256[mlp], /^[0-9a-f]{64}$/);
  assert.equal(doc.trials.length, 6);
  const byFile = (f: string) => doc.trials.filter((t: { point: { file: string } }) => t.point.file === f);
  assert.deepEqual(byFile(mlp)[0].diagnostics.atInit.map((l: { layer: string }) => l.layer), ['hidden_a', 'letters']);
  assert.deepEqual(byFile(cnn)[0].diagnostics.atInit.map((l: { layer: string }) => l.layer), ['c1', 'letters']);
  // 4 well-separated blobs: He learns them in one epoch; zeros leaves the MLP's hidden layer dead (chance is 25%).
  const acc = (f: string, init: string) => byFile(f).find((t: { init: string }) => t.init === init).final.testAccuracy;
  assert.ok(acc(mlp, 'heNormal') > 0.6, `He on the MLP: ${acc(mlp, 'heNormal')}`);
  assert.ok(acc(mlp, 'zeros') < 0.35, `zeros on the MLP: ${acc(mlp, 'zeros')}`);
  const csv = readFileSync(join(out, 'metrics.csv'), 'utf8');
  assert.match(csv, /hidden_a/);

  writeFileSync(mlp, JSON.stringify(blobMlp(17)));
  const resumed = await runCli(['run', '--resume', out]);
  assert.equal(resumed.code, 2);
  assert.match(resumed.stderr, new RegExp(`model file ${mlp.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} has changed since its sha256 was recorded`));
  assert.equal(resumed.stderr.trim().split('\n').length, 1, resumed.stderr);
});

test('shards of different files do not merge; a model file that does not fit the data is one line, exit 2', async () => {
  const root = tempDir();
  const a = writeModel(blobMlp(8));
  const b = writeModel(blobMlp(9));
  const data = writeBlobIdx({ side: 14, classes: 4, firstLabel: 1, train: 40, test: 20 });
  const common = ['--data-dir', data, '--init', 'he,zeros', '--epochs', '1', '--jobs', '1', '-q'];
  const [s1, s2] = await Promise.all([
    runCli(['run', '--model-file', a, ...common, '--shard', '1/2', '--out', join(root, 's1')]),
    runCli(['run', '--model-file', b, ...common, '--shard', '2/2', '--out', join(root, 's2')]),
  ]);
  assert.equal(s1.code, 0, s1.stderr);
  assert.equal(s2.code, 0, s2.stderr);
  const merged = await runCli(['merge', join(root, 's1'), join(root, 's2'), '--out', join(root, 'm')]);
  assert.equal(merged.code, 2);
  assert.match(merged.stderr, /cannot merge: the config of .*s2 differs .*\(model\.file, model\.fileSha256\./);

  const wrong = await runCli(['run', '--model-file', writeModel(residualCnn()), '--data-dir', data, '--epochs', '1', '-q']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /model file .*: the model's input is \[28,28,1\]; the data are 14x14 grey images \(196 values each\)/);
  const mixed = await runCli(['run', '--model-file', a, '--hidden', '32', '--epochs', '1', '-q']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /`model.hidden` describes the built-in networks; with `model.file` the file gives the network/);
  const noFile = await runCli(['run', '--init', 'file', '--epochs', '1', '-q']);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /`file` is a model file's own initializers; give `model.file` \(--model-file\)/);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, UserError, resolveConfig, runExperiment, writeModelFile } from '../../src/api.js';
import { tempDir, wasmTf } from '../helpers.js';

test('a network built in the script with tfjs-layers runs through the same parser as a file', async () => {
  await wasmTf(); // tfjs-layers builds its own weights on a backend
  const net = tfl.sequential({
    layers: [
      tfl.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 5, strides: 2, activation: 'relu', name: 'features', kernelInitializer: 'heNormal' }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.1 }),
      tfl.layers.dense({ units: 10, activation: 'softmax', name: 'classes' }),
    ],
  });
  const path = writeModelFile(net, join(tempDir(), 'net.json'));
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).class_name, 'Sequential');
  const config = resolveConfig({ initializers: ['file', 'glorotUniform'], model: { file: path }, data: { trainSize: 200, testSize: 100 }, train: { epochs: 1, batchSize: 50 }, backend: 'wasm' });
  // tfjs's heNormal is VarianceScaling(scale 2, fan_in, normal), the catalogue's varianceScaling.
  assert.deepEqual(config.grid[0].model.network!.nodes.find((n) => n.name === 'features'), {
    op: 'conv', name: 'features', from: config.grid[0].model.network!.nodes[1].name, filters: 4, kernel: [5, 5], strides: [2, 2], padding: 'valid', activation: 'relu', useBias: true,
    kernelInit: { name: 'varianceScaling', params: { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' } }, biasInit: { name: 'zeros', params: {} },
  });
  const doc = await runExperiment(config);
  assert.deepEqual(doc.trials.map((t) => t.status), ['ok', 'ok']);
  assert.deepEqual(doc.trials[0].diagnostics!.atInit.map((l) => l.layer), ['features', 'classes']);

  const lstm = { toJSON: () => ({ class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: { name: 'lstm', units: 4 } }] } }) };
  assert.throws(() => writeModelFile(lstm, join(tempDir(), 'no.json')), (e: unknown) => e instanceof UserError && /layer lstm \(LSTM\): init-bench does not run LSTM layers/.test(e.message));
  assert.throws(() => resolveConfig({ model: { file: path, hidden: [4] } }), ConfigError);
  net.dispose();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { CATALOGUE } from '../../src/initializers/registry.js';

const names = (c: ReturnType<typeof resolveConfig>) => c.initializers.map((s) => s.name);

test('--init all: every entry of ours that fills the model, data-dependent ones included, no tfjs mirrors', () => {
  const config = resolveConfig({ initializers: ['all'] });
  // `file` is a model file's own initializers: only for model files (test/cli/model-file.test.ts).
  const ours = CATALOGUE.filter((e) => !e.tfjs && e.name !== 'file').map((e) => e.name);
  assert.deepEqual(names(config), ours, 'a dense net takes every one of our entries (deltaOrthogonal is orthogonal there)');
  assert.ok(names(config).includes('lsuv') && names(config).includes('fixup'));
  assert.equal(config.omitted, undefined);
  assert.equal((config.resolved.initializers as unknown[]).length, ours.length, 'config.json lists them, so --resume runs the same');
});

test('--init all leaves out what cannot fill the model, and says why', () => {
  const config = resolveConfig({ initializers: ['all'], model: { kind: 'cnn', filters: [16, 8] } });
  assert.ok(!names(config).includes('deltaOrthogonal'));
  assert.deepEqual(config.omitted, ['deltaOrthogonal: needs in <= out channels; kernel 3x3x16x8 has 16 > 8', 'layerwisePretrain: layerwisePretrain pretrains the dense layers of an MLP; this model has conv layers']);
});

test('names given beside all keep their place and parameters, and are not repeated', () => {
  const config = resolveConfig({ initializers: [{ name: 'heNormal', mode: 'fanOut', label: 'heNormal' }, 'ALL'] });
  assert.equal(names(config).filter((n) => n === 'heNormal').length, 1);
  assert.deepEqual(config.initializers[0].params, { mode: 'fanOut' });
});

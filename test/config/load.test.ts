import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaults } from '../../src/config/schema.js';
import { flagsToOverrides, parseInitFlag, splitTopLevel } from '../../src/config/flags.js';
import { readConfigFile, resolveConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    return err.message;
  }
  assert.fail('expected an error');
}

test('no file and no flags gives the defaults', () => {
  const c = resolveConfig({}, {});
  assert.deepEqual(c.model.hidden, [256, 128]);
  assert.deepEqual(c.initializers.map((s) => s.name), ['zeros', 'randomNormal', 'glorotUniform', 'heNormal']);
  assert.equal(c.train.epochs, defaults().train.epochs);
});

test('flags override the file, key by key; depth/width replace hidden', () => {
  const file = { train: { epochs: 7, lr: 0.5 }, model: { hidden: [10, 10] } };
  const c = resolveConfig(file, flagsToOverrides({ epochs: '2', depth: '3', width: '32' }));
  assert.equal(c.train.epochs, 2);
  assert.equal(c.train.lr, 0.5);
  assert.deepEqual(c.model.hidden, [32, 32, 32]);
  const d = resolveConfig({ model: { depth: 5, width: 8 } }, flagsToOverrides({ hidden: '16,4' }));
  assert.deepEqual(d.model.hidden, [16, 4]);
});

test('initializers with parameters and labels, from config and from flags', () => {
  const c = resolveConfig({ initializers: [{ name: 'randomNormal', stddev: 1, label: 'N(0,1)' }, 'he'] }, {});
  assert.deepEqual(c.initializers[0], { name: 'randomNormal', params: { mean: 0, stddev: 1 }, label: 'N(0,1)' });
  assert.equal(c.initializers[1].label, 'heNormal');
  assert.deepEqual(splitTopLevel('he,randomNormal(stddev=1,mean=0),xavier'), ['he', 'randomNormal(stddev=1,mean=0)', 'xavier']);
  assert.deepEqual(parseInitFlag('orthogonal(gain=auto)'), { name: 'orthogonal', gain: 'auto' });
  const f = resolveConfig({}, flagsToOverrides({ init: 'randomNormal(stddev=1)' }));
  assert.equal(f.initializers[0].label, 'randomNormal(stddev=1)');
});

test('every problem is reported together, each in one clear line', () => {
  const msg = problems(() =>
    resolveConfig({ train: { epochs: -1, lr: 'fast', optimiser: 'sgd' }, model: { activation: 'swish' }, initializers: ['heNormall', 'xavier'] }, {}),
  );
  assert.match(msg, /\(5 problems\)/);
  assert.match(msg, /`train\.epochs` is -1; it must be >= 1/);
  assert.match(msg, /`train\.lr` is "fast"; it must be a number/);
  assert.match(msg, /unknown key `train\.optimiser`/);
  assert.match(msg, /`model\.activation` is "swish"; it must be one of relu, tanh/);
  assert.match(msg, /unknown initializer "heNormall"; did you mean heNormal/);
});

test('wrong types, fractions and bad initializer parameters are named', () => {
  assert.match(problems(() => resolveConfig({ seeds: 3 }, {})), /`seeds` is 3; it must be a list/);
  assert.match(problems(() => resolveConfig({ train: { batchSize: 1.5 } }, {})), /`train\.batchSize` is 1\.5; it must be a whole number/);
  assert.match(problems(() => resolveConfig({ initializers: [{ name: 'randomNormal', stddev: -1 }] }, {})), /randomNormal parameter `stddev`/);
  assert.match(problems(() => resolveConfig({ initializers: [{ name: 'heNormal', gain: 2 }] }, {})), /heNormal.*gain/);
  assert.match(problems(() => resolveConfig({ initializers: ['he', 'kaiming'] }, {})), /requested twice/);
  assert.match(problems(() => resolveConfig({ data: { trainSize: 9000, testSize: 2000 } }, {})), /embedded MNIST has 10000/);
  assert.match(problems(() => resolveConfig({}, flagsToOverrides({ seeds: '0,x' }))), /`seeds\.1` is "x"/);
});

test('YAML syntax errors give the line; missing files and non-mappings are clear', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: x\ntrain:\n  epochs: [1, 2\n  lr: 0.1\n');
  const yamlMessage = problems(() => readConfigFile(bad));
  assert.match(yamlMessage, /not valid YAML.*line \d+, column \d+: \S/s);
  assert.equal(yamlMessage.match(/line \d+, column \d+/g)?.length, 1, `the place is said once: ${yamlMessage}`);
  assert.doesNotMatch(yamlMessage, /:\s*$/, 'no dangling colon');
  assert.match(problems(() => readConfigFile(join(dir, 'nope.yaml'))), /cannot read config file .*nope\.yaml: no such file/);
  const list = join(dir, 'list.yaml');
  writeFileSync(list, '- a\n- b\n');
  assert.match(problems(() => readConfigFile(list)), /must hold a mapping/);
  const json = join(dir, 'c.json');
  writeFileSync(json, '{"train": {"epochs": 2,}}');
  assert.match(problems(() => readConfigFile(json)), /not valid JSON/);
});

test('the example configs in configs/ are valid', async () => {
  const { readdirSync } = await import('node:fs');
  const { ROOT } = await import('../helpers.js');
  const files = readdirSync(join(ROOT, 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 4);
  for (const f of files) resolveConfig(readConfigFile(join(ROOT, 'configs', f)), {});
});

test('inputs that would be ignored or mis-read are refused, each with one line', () => {
  const cases: [Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    [{}, { filters: '8,16' }, /`model\.filters` applies to a CNN \(`model\.kind: cnn`\); this model is an MLP/],
    [{}, { model: 'cnn', hidden: '64' }, /`model\.hidden` applies to an MLP; this model is a CNN \(its dense layers are `model\.head`\)/],
    [{ model: { hidden: [8], depth: 3 } }, {}, /`model\.hidden` and `model\.depth` are alternatives/],
    [{}, { width: '64' }, /`model\.width` is given without `model\.depth`/],
    [{}, { seeds: '0,0,1' }, /`seeds` lists 0 more than once/],
    [{}, { hidden: '' }, /`model\.hidden` is \[\]; it must list at least 1 value/],
    [{}, { lr: '0.1,0.1' }, /`train\.lr` lists 0\.1 more than once/],
  ];
  for (const [file, flags, message] of cases) assert.match(problems(() => resolveConfig(file, flagsToOverrides(flags))), message, JSON.stringify(flags));
  assert.throws(() => flagsToOverrides({ seeds: '1,2', seed: '3' }), /--seeds and --seed both set `seeds`; give one of them/);
});

test('messages name the real problem: labels, parameter values, unknown keys with a suggestion', () => {
  assert.match(problems(() => resolveConfig({ initializers: [{ name: 'he', label: 5 }] })), /`initializers\.0\.label` is 5; it must be a string/);
  assert.match(problems(() => resolveConfig({ initializers: [{ name: 'orthogonal', gain: 'big' }] })), /orthogonal parameter `gain` is "big"; it must be "auto" or a number/);
  assert.match(problems(() => resolveConfig({ train: { batchsize: 32 } })), /unknown key `train\.batchsize`; did you mean `train\.batchSize`\?/);
  assert.match(problems(() => resolveConfig({ model: { hiden: [8] } })), /unknown key `model\.hiden`; did you mean `model\.hidden`\?/);
  const json = join(tempDir(), 'bad.json');
  writeFileSync(json, '{\n  "name": "x",\n  "seeds": [0,]\n}\n');
  assert.match(problems(() => readConfigFile(json)), /not valid JSON: .* at line 3, column \d+/);
});

test('a negative decimal is told its bound, not "a whole number"', () => {
  const msg = problems(() =>
    resolveConfig({}, flagsToOverrides({ lr: '-0.1', target: '-0.5', dropout: '-0.1', init: 'randomNormal(stddev=-0.5),orthogonal(gain=-0.5),lsuv(tol=-0.1)' })),
  );
  assert.doesNotMatch(msg, /whole number/);
  assert.match(msg, /`train\.lr` is -0\.1; it must be > 0/);
  assert.match(msg, /`train\.target` is -0\.5; it must be >= 0/);
  assert.match(msg, /`model\.dropout` is -0\.1; it must be >= 0/);
  assert.match(msg, /randomNormal parameter `stddev` is -0\.5; it must be > 0/);
  assert.match(msg, /orthogonal parameter `gain` is -0\.5; it must be > 0/);
  assert.match(msg, /lsuv parameter `tol` is -0\.1; it must be > 0/);
  // A fraction where a count is expected still says so.
  assert.match(problems(() => resolveConfig({ train: { epochs: -0.5 } })), /`train\.epochs` is -0\.5; it must be a whole number/);
});

test('an empty name in a list and fewer training digits than classes are refused', () => {
  assert.match(problems(() => resolveConfig({}, flagsToOverrides({ init: 'he,' }))), /initializers\[1\]: the initializer's name is empty/);
  assert.match(problems(() => resolveConfig({}, flagsToOverrides({ hidden: '256,,128' }))), /`model\.hidden\.1` is ""/);
  assert.match(problems(() => resolveConfig({}, flagsToOverrides({ trainSize: '5' }))), /`data\.trainSize` is 5; it must be >= 10/);
  assert.deepEqual(splitTopLevel(''), []);
  assert.deepEqual(parseInitFlag('randomNormal(stddev=1,)'), { name: 'randomNormal', stddev: 1 });
});

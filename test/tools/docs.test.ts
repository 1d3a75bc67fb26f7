import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FLAGS } from '../../src/config/flags.js';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { COMMANDS, DOC_FILES } from '../../src/tools/docs.js';
import { typeText } from '../../src/util/json-schema.js';
import { ROOT } from '../helpers.js';

const generated = Object.fromEntries(Object.entries(DOC_FILES).map(([file, make]) => [file, make()])) as Record<keyof typeof DOC_FILES, string>;

test('the committed references are the ones the code generates (npm run docs)', () => {
  for (const [file, text] of Object.entries(generated)) {
    assert.equal(readFileSync(join(ROOT, 'docs', 'reference', file), 'utf8'), text, `docs/reference/${file} is stale: run npm run docs`);
  }
});

test('the config reference has a row per flag and per key, and the initializer reference a section per entry', () => {
  const config = generated['config.md'];
  for (const f of CONFIG_FLAGS) {
    const row = config.split('\n').find((line) => line.startsWith(`| \`${f.key}\` |`));
    assert.ok(row, `no row for ${f.key}`);
    assert.ok(row.includes(f.flag.replace(/\|/g, '\\|')), `the row of ${f.key} does not name ${f.flag}`);
  }
  assert.match(config, /\| `train\.lr` \| `--lr <rate>` \| number > 0, or a list of at most 100 \| `0\.01` \| yes \|/);
  // The bounds come from the schema: a key's maximum, a list's length, a string's length, the limits of several keys.
  assert.match(config, /\| `model\.depth` \| `--depth <n>` \| integer >= 1, <= 100, or a list of at most 100 \|/);
  assert.match(config, /\| `seeds` \| .* \| list of at most 1000 integer >= 0 \|/);
  assert.match(config, /\| `name` \| .* \| string of at most 100 characters \|/);
  assert.match(config, /\| trials in one experiment .* \| 10,000 \|/);
  const initializers = generated['initializers.md'];
  for (const e of CATALOGUE) {
    assert.ok(initializers.includes(`\n## ${e.name}\n`), `no section for ${e.name}`);
    for (const alias of e.aliases) assert.ok(initializers.includes(`\`${alias}\``), `${e.name}: alias ${alias} missing`);
  }
  const commands = generated['commands.md'];
  for (const name of COMMANDS) assert.ok(commands.includes(`Usage: init-bench ${name} `), `no help for ${name}`);
});

test('types read as words', () => {
  assert.equal(typeText({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), 'integer >= 1');
  assert.equal(typeText({ type: 'number', minimum: 0, exclusiveMaximum: 1 }), 'number >= 0, < 1');
  assert.equal(typeText({ type: 'array', items: { type: 'string', enum: ['a', 'b'] } }), 'list of a | b');
  assert.equal(typeText({ type: 'array', maxItems: 10, items: { type: 'integer', minimum: 1, maximum: 28 } }), 'list of at most 10 integer >= 1, <= 28');
  assert.equal(typeText({ anyOf: [{ type: 'string', const: 'auto' }, { type: 'number', exclusiveMinimum: 0 }] }), 'auto or number > 0');
});

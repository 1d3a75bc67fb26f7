import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfigFile, resolveConfig } from '../../src/config/load.js';
import { compareRows } from '../../src/initializers/compare.js';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { ROOT, runCli } from '../helpers.js';

/** Every initializer a preset runs, per-kind ones included. */
function presetInitializers(preset: string): Set<string> {
  const config = resolveConfig(readConfigFile(join(ROOT, 'configs', preset)));
  return new Set(config.initializers.flatMap((s) => [s.name, ...Object.values(s.layers ?? {}).map((k) => k.name)]));
}

test('every claim of the trade-offs table names a preset that runs that initializer', () => {
  const rows = compareRows();
  assert.deepEqual(rows.map((r) => r.name), CATALOGUE.filter((e) => !e.framework).map((e) => e.name));
  for (const row of rows) {
    assert.ok(row.cost.length > 0 && row.suits.length > 0 && row.failure.length > 0, row.name);
    for (const { preset } of row.shownBy) {
      assert.ok(existsSync(join(ROOT, 'configs', preset)), `${row.name}: configs/${preset} does not exist`);
      assert.ok(presetInitializers(preset).has(row.name), `${row.name}: configs/${preset} does not run it`);
    }
  }
});

test('list --compare prints the table, --json its rows; with a NAME it is a usage error', async () => {
  const table = await runCli(['list', '--compare']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /fails when \(pitfalls\)/);
  assert.match(table.stdout, /fixup .*│ one random draw per/);
  const json = await runCli(['list', '--compare', '--json']);
  const rows = JSON.parse(json.stdout) as { name: string; shownBy: unknown[] }[];
  assert.equal(rows.length, compareRows().length);
  const named = await runCli(['list', 'heNormal', '--compare']);
  assert.equal(named.code, 2);
  assert.match(named.stderr, /--compare shows the whole catalogue/);
});

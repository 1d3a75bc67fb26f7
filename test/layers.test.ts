import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { test } from 'node:test';
import { LAYERS, layerOf } from '../src/layers.js';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of a file (static, `export ... from` and dynamic `import()`), with its line. */
export function importsOf(text: string): { line: number; spec: string }[] {
  const found: { line: number; spec: string }[] = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) found.push({ line: i + 1, spec: m[1]! });
  });
  return found;
}

/** The upward imports under src/, as "file:line imports target (layer a below layer b)". */
function upwardImports(): string[] {
  const out: string[] = [];
  for (const file of sources(SRC)) {
    const from = relative(SRC, file).split('\\').join('/');
    const own = layerOf(from);
    for (const { line, spec } of importsOf(readFileSync(file, 'utf8'))) {
      const target = posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.js$/, '.ts');
      const theirs = layerOf(target);
      if (theirs > own) out.push(`src/${from}:${line} imports src/${target} (${LAYERS[own]!.members.join(', ')} may not import ${LAYERS[theirs]!.members.join(', ')})`);
    }
  }
  return out;
}

test('every file under src/ belongs to a declared layer', () => {
  const unclaimed = sources(SRC).map((f) => relative(SRC, f).split('\\').join('/')).filter((p) => layerOf(p) < 0);
  assert.deepEqual(unclaimed, []);
});

test('no module imports a layer above its own', () => {
  const up = upwardImports();
  assert.equal(up.length, 0, `upward imports:\n${up.join('\n')}`);
});

test('the import reader sees static, re-export and dynamic imports', () => {
  const found = importsOf("import { a } from './a.js';\nexport { b } from '../b.js';\nconst c = await import('./c.js');\nimport './d.js';\nimport x from 'zod';");
  assert.deepEqual(found, [{ line: 1, spec: './a.js' }, { line: 2, spec: '../b.js' }, { line: 3, spec: './c.js' }, { line: 4, spec: './d.js' }]);
});

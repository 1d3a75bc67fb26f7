import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE } from '../../src/initializers/registry.js';
import { runCli } from '../helpers.js';

/**
 * Every figure a lesson quotes from `inspect` is re-measured: a lesson that says
 * "`init-bench inspect --init X --shape A,B` prints std 0.04397 (max 0.10000)" must agree with
 * what that command prints now, to the digits quoted (half a unit in the last place).
 */
const KEYS = 'std|max|min|ratio|expected|promised';
const NUMBER = '-?\\d+\\.?\\d*(?:e-?\\d+)?';
// A figure is "key number"; figures may be separated by words and punctuation but not digits.
const CLAIM = new RegExp(`\`init-bench inspect ([^\`]+)\` prints ((?:${KEYS}) ${NUMBER}(?:[ ,()a-zA-Z'-]*(?:${KEYS}) ${NUMBER})*)`, 'g');
const FIGURE = new RegExp(`(${KEYS}) (${NUMBER})`, 'g');
const FIELD: Record<string, string> = { std: 'std', max: 'max', min: 'min', ratio: 'stdRatio', expected: 'expectedStd', promised: 'promisedStd' };

function claims(): { where: string; args: string[]; figures: [string, string][] }[] {
  const found = [];
  for (const entry of CATALOGUE) {
    for (const text of [entry.summary, entry.formula, entry.lesson.why, entry.lesson.suits, entry.lesson.pitfalls]) {
      for (const m of text.matchAll(CLAIM)) {
        const figures = [...m[2].matchAll(FIGURE)].map((f) => [f[1], f[2]] as [string, string]);
        found.push({ where: entry.name, args: m[1].trim().split(/\s+/), figures });
      }
    }
  }
  return found;
}

test('the lessons quote inspect figures, and every one is what inspect prints', async () => {
  const all = claims();
  assert.ok(all.length >= 1, 'no lesson quotes inspect: the pattern or the lessons changed');
  for (const { where, args, figures } of all) {
    assert.equal(args[0], '--init', `${where}: ${args.join(' ')}`);
    assert.ok(figures.length >= 1, `${where}: no figure parsed`);
    const r = await runCli(['inspect', ...args, '--json']);
    assert.equal(r.code, 0, `${where}: inspect ${args.join(' ')}: ${r.stderr}`);
    const stats = JSON.parse(r.stdout) as Record<string, number>;
    for (const [name, quoted] of figures) {
      const actual = stats[FIELD[name]];
      const decimals = quoted.includes('e') ? 0 : (quoted.split('.')[1] ?? '').length;
      const tolerance = quoted.includes('e') ? Math.abs(Number(quoted)) * 0.05 : 0.5 * 10 ** -decimals + 1e-12;
      assert.ok(Math.abs(actual - Number(quoted)) <= tolerance, `${where}: inspect ${args.join(' ')} gives ${name} ${actual}, the lesson says ${quoted}`);
    }
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lrOptima } from '../../src/report/lr-sweep.js';
import type { ResultsDocument } from '../../src/results/schema.js';
import type { CoordCheckResult } from '../../src/runner/coord-check.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

/**
 * The figures docs/parametrizations.md and configs/mup-transfer.yaml quote, re-measured: the
 * coordinate check's slopes (to within 0.02: two decimals quoted, and a system BLAS other than
 * OpenBLAS rounds sums in another order) and the best learning rate per width and
 * parametrization of the transfer preset's seed 0 (exactly: it is one of five values).
 */
const prose = (path: string) => readFileSync(join(ROOT, path), 'utf8').replace(/^#\s?/gm, '').replace(/\s+/g, ' ');

test('the coordinate-check slopes quoted in docs/parametrizations.md are what coord-check measures', async () => {
  const text = prose('docs/parametrizations.md');
  const m = /`init-bench coord-check ([^`]+)` gives slopes: ([^.]+(?:\.\d+[^.]*)*)\./.exec(text);
  assert.ok(m, 'no quoted coord-check command');
  const r = await runCli(['coord-check', ...m[1].split(' '), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as CoordCheckResult;
  let checked = 0;
  for (const part of m[2].split(/; /)) {
    const head = /^(standard|ntk|mup) step (\d+): (.*)$/.exec(part.trim());
    assert.ok(head, `cannot read "${part}"`);
    for (const fig of head[3].split(', ')) {
      const [layer, value] = fig.split(' ');
      const slope = result.slopes.find((s) => s.parametrization === head[1] && s.step === Number(head[2]) && s.layer === layer)?.slope;
      assert.ok(typeof slope === 'number' && Math.abs(slope - Number(value)) <= 0.02, `${head[1]} step ${head[2]} ${layer}: measured ${slope}, quoted ${value}`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} figures read`);
});

test('the best learning rate per width that configs/mup-transfer.yaml quotes for seed 0 is measured again', async () => {
  const text = prose('configs/mup-transfer.yaml');
  const out = tempDir();
  const r = await runCli(['run', '--config', join(ROOT, 'configs', 'mup-transfer.yaml'), '--jobs', '2', '--quiet', '--json', '--out', join(out, 'run')]);
  assert.equal(r.code, 0, r.stderr);
  const optima = lrOptima(JSON.parse(r.stdout) as ResultsDocument);
  const seed0 = /seed 0 \([^)]*\): (.*?) - seeds 1 and 2/.exec(text);
  assert.ok(seed0, 'no seed-0 figures in the preset');
  let checked = 0;
  for (const m of seed0[1].matchAll(/(standard|mup): ((?:width \d+ -> [\d.]+,? ?)+)/g)) {
    for (const w of m[2].matchAll(/width (\d+) -> ([\d.]+)/g)) {
      const o = optima.find((x) => x.panel === m[1] && x.line.endsWith(`width ${w[1]}`));
      assert.equal(o?.lr, Number(w[2]), `${m[1]} width ${w[1]}: measured best lr ${o?.lr}, quoted ${w[2]}`);
      checked++;
    }
  }
  assert.equal(checked, 6);
});

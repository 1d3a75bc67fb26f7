import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers.js';

test('coord-check: bad widths, steps or a too large net are one line and exit 2, before any work', async () => {
  for (const [args, pattern] of [
    [['--widths', '64'], /--widths has 1 value\(s\); give at least 2/],
    [['--widths', '64,abc'], /--widths has NaN/],
    [['--steps', '-1'], /--steps is -1/],
    [['--widths', '64,8192', '--depth', '4'], /the widest network \(width 8192\) has [\d,]+ weights and biases; at most 20,000,000 \(memory\)/],
    [['--init', 'he,zeros'], /coord-check takes one initializer/],
    [['--html', '/no/such/folder/c.html'], /--html \/no\/such\/folder\/c.html: its folder does not exist/],
  ] as [string[], RegExp][]) {
    const r = await runCli(['coord-check', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('coord-check --json and --html: measurements, slopes and verdicts; a chart panel per parametrization', async () => {
  const html = join(tempDir(), 'coord.html');
  const r = await runCli(['coord-check', '--init', 'he', '--depth', '2', '--optimizer', 'adam', '--widths', '16,32', '--steps', '1', '--batch', '8', '--train-size', '200', '--test-size', '100', '--parametrization', 'standard,ntk', '--json', '--html', html]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.settings.parametrizations, ['standard', 'ntk']);
  assert.equal(doc.points.length, 2 * 2 * 2 * 3);
  assert.ok(doc.slopes.every((s: { slope: number | null }) => s.slope === null || Number.isFinite(s.slope)));
  const page = readFileSync(html, 'utf8');
  assert.ok(page.includes('id="coord-standard"') && page.includes('id="coord-ntk"') && (page.match(/<svg/g) ?? []).length === 2);
});

test('list --parametrizations: the rule table and the branch scales; --json the same rows', async () => {
  const r = await runCli(['list', '--parametrizations', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const hidden = doc.parametrizations.find((x: Record<string, string>) => x.parametrization === 'mup' && x.weights === 'hidden weights');
  assert.equal(hidden.lrAdam, '1/m_in');
  assert.deepEqual(doc.branchScales.map((b: { name: string }) => b.name), ['none', 'rezero', 'skipinit', 'fixup']);
});

test('config: a branch scale needs residual blocks; layer-wise pretraining is refused under mup', async () => {
  const a = await runCli(['run', '--branch-scale', 'rezero', '--init', 'he']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /`model.branchScale` is rezero; it scales residual branches and needs `model.residual: true`/);
  const b = await runCli(['run', '--parametrization', 'mup', '--init', 'layerwisePretrain']);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /trains layers outside the model's forward pass and knows no parametrization/);
});

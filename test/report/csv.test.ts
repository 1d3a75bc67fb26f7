import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsCsv } from '../../src/report/csv.js';
import { doc, trial } from './fixtures.js';

const dense = (n: number) => Array.from({ length: n }, (_, i) => `dense${i + 1}`);

test('metrics.csv in a depth grid: one column per layer of the deepest model, empty where a model has no such layer', () => {
  // As configs/grid-depth.yaml: depth 5 first, then 10 and 20.
  const trials = [5, 10, 20].map((depth, k) => trial({ init: 'heNormal', point: { depth }, hidden: dense(depth) }, k));
  const rows = metricsCsv(doc(trials)).trim().split('\n').map((l) => l.split(','));
  const header = rows[0];
  const grad = header.filter((h) => h.startsWith('gradNorm_'));
  assert.deepEqual(grad, [...dense(20), 'output'].map((l) => `gradNorm_${l}`));
  for (const r of rows) assert.equal(r.length, header.length, 'every row has as many fields as the header');
  const at = (row: string[], col: string) => row[header.indexOf(col)];
  const [depth5, , depth20] = [rows[1], rows[3], rows[5]];
  // The fixture's gradient norm of layer i of trial k is 1000 (k + 1) + i + 1: each value lands under its own layer.
  assert.equal(at(depth5, 'gradNorm_dense5'), '1005');
  assert.equal(at(depth5, 'gradNorm_dense6'), '');
  assert.equal(at(depth5, 'gradNorm_output'), '1006');
  assert.equal(at(depth20, 'gradNorm_dense20'), '3020');
  assert.equal(at(depth20, 'gradNorm_output'), '3021');
});

test('metrics.csv: a failed trial without diagnostics still has a full row per epoch, and CNN layer names keep their order', () => {
  const cnn = trial({ init: 'heNormal', hidden: ['conv1', 'conv2', 'dense1'] }, 0);
  const failed = { ...trial({ init: 'zeros', hidden: ['conv1', 'conv2', 'dense1'] }, 1), status: 'failed' as const, diagnostics: undefined };
  const rows = metricsCsv(doc([cnn, failed])).trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows[0].filter((h) => h.startsWith('gradNorm_')), ['gradNorm_conv1', 'gradNorm_conv2', 'gradNorm_dense1', 'gradNorm_output']);
  assert.equal(rows.at(-1)![rows[0].indexOf('gradNorm_output')], '2004');
});

test('metrics.csv: labels a spreadsheet would run as a formula (= + - @, tab, CR) start with a quote', () => {
  const labels = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd', 'heNormal'];
  const trials = labels.map((init, k) => trial({ init, hidden: ['dense1'] }, k));
  const csv = metricsCsv(doc(trials));
  const inits = csv.trim().split('\n').slice(1).map((line) => line.split(',')[1]);
  assert.ok(inits.includes(`"'=HYPERLINK(""http://x""`), 'quoted, with the leading quote inside');
  for (const bad of ["'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "heNormal"]) assert.ok(inits.includes(bad), `${JSON.stringify(bad)} in ${JSON.stringify(inits)}`);
  assert.ok(csv.includes(`"'\rcmd"`), 'a carriage return is quoted, after its leading quote');
  for (const line of csv.trim().split('\n').slice(1)) assert.doesNotMatch(line.split(',')[1], /^[=+\-@\t]/);
});

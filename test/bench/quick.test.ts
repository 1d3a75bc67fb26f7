import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FULL_MNIST_IDS, MEASURE_IDS, pinnableCpus, type BenchReport } from '../../src/bench/bench.js';
import { ROOT, runScript } from '../helpers.js';

/**
 * `npm run bench -- --quick`: one small round of every measure, so that the bench (and the
 * PyTorch peer script, where PyTorch is installed) cannot break unnoticed. No timing is judged
 * here: only that the document is complete and its figures are real measurements.
 */
const bench = (args: string[]) => runScript(join(ROOT, 'dist', 'src', 'bench', 'bench.js'), args);

// No timeout: on a quiet 2-core machine this takes about a minute, and it must pass however loaded the machine is.
test('bench --quick --json: every measure, one round each, figures and load recorded', async () => {
  const r = await bench(['--quick', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as BenchReport;
  assert.equal(doc.quick, true);
  assert.deepEqual(doc.measures.map((m) => m.id), MEASURE_IDS);
  if (doc.sgemm) assert.ok(doc.sgemm.gflops.median > 0 && doc.sgemm.runs.length === 5);
  if (doc.sgemm && doc.machine.cores > 1) {
    assert.equal(doc.sgemmAllCores?.threads, doc.machine.cores, 'the same product on every core');
    assert.ok(doc.sgemmAllCores.runs.length === 5 && doc.sgemmAllCores.speedup > 0);
  }
  for (const m of doc.measures) {
    assert.equal(m.target, null, `${m.id}: --quick judges no target`);
    assert.equal(m.verdict, null);
    assert.equal(m.rounds.length, 1, m.id);
    const [round] = m.rounds;
    assert.ok(round.status === 'ok' || round.status === 'flagged', `${m.id}: ${round.status} ${round.error ?? ''}`);
    assert.ok(Number.isFinite(round.loadBefore) && Number.isFinite(round.loadAfter), m.id);
    assert.equal(round.seconds.length, m.contenders.length, m.id);
    for (const [i, c] of m.contenders.entries()) {
      assert.ok(c.seconds && c.seconds.median > 0 && c.seconds.min === c.seconds.median && c.seconds.max === c.seconds.median, `${m.id} ${c.who}: one figure`);
      assert.equal(c.seconds.median, round.seconds[i]);
      if (doc.sgemm) assert.ok(c.fractionOfLimit !== null && c.fractionOfLimit > 0, `${m.id} ${c.who}: a fraction of the limit`);
    }
    assert.ok(m.flops > 0, m.id);
    // Scaling measures always have their reference; the PyTorch ones only where PyTorch is installed.
    const hasReference = m.compare === 'speedup' || doc.pytorch !== null;
    assert.equal(m.ratio !== null, hasReference, `${m.id}: a ratio exactly when there is a reference`);
    if (m.ratio) assert.ok(m.ratio.median > 0 && m.ratio.median === round.ratio, m.id);
  }
  // The per-epoch measures report the test accuracy of each side (same work on both sides), and
  // run both sides on the same CPU where taskset can pin them (the first round: the first CPU);
  // the others, whose contenders use several threads or processes, are not pinned.
  const pinnable = pinnableCpus();
  for (const m of doc.measures) {
    const perEpoch = MEASURE_IDS.slice(0, 5).includes(m.id);
    if (perEpoch) for (const c of m.contenders) assert.ok(c.testAccuracy !== null && c.testAccuracy >= 0 && c.testAccuracy <= 1, `${m.id} ${c.who}`);
    assert.equal(m.rounds[0].cpu, perEpoch && pinnable ? pinnable[0] : null, `${m.id}: the CPU its round ran on`);
  }
  // The whole commands say what init-bench does beyond the PyTorch script; the others do the same work.
  for (const m of doc.measures) assert.equal(m.note !== null, ['default-run', 'sweep-4x3-jobs2'].includes(m.id), m.id);
  assert.match(doc.measures.find((m) => m.id === 'default-run')!.note!, /evaluates 128 training digits as it does the 128 test digits/);
  assert.equal(FULL_MNIST_IDS.some((id) => doc.measures.some((m) => m.id === id)), false, 'full MNIST only with --data-dir');
});

test('bench: the CPUs a command can be pinned to, from /proc/self/status and taskset', () => {
  const status = (list: string) => `Name:\tnode\nCpus_allowed:\tf\nCpus_allowed_list:\t${list}\nMems_allowed:\t1\n`;
  assert.deepEqual(pinnableCpus(status('0-1'), true), [0, 1]);
  assert.deepEqual(pinnableCpus(status('0,2-3,7'), true), [0, 2, 3, 7]);
  assert.deepEqual(pinnableCpus(status('5'), true), [5]);
  assert.equal(pinnableCpus(status('0-1'), false), null, 'no taskset: nothing pinned');
  assert.equal(pinnableCpus('Name:\tnode\n', true), null, 'no list (not Linux): nothing pinned');
});

test('bench: a mistaken option is one line and exit 2, before any measuring', async () => {
  for (const args of [['--rounds', '0'], ['--max-load', 'x'], ['--only', 'nope', '--quick'], ['--bogus']]) {
    const r = await bench(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^bench: /);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.equal(r.stdout, '');
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress } from '../../src/report/progress.js';

/** A terminal that records what is written to it. */
function tty() {
  const out: string[] = [];
  return { out, text: () => out.join(''), stream: { isTTY: true, columns: 80, write: (s: string) => (out.push(s), true) } };
}
const metrics = { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.4, testAccuracy: 0.85, seconds: 1, trainSeconds: 1, gradNorms: [], weightNorms: [] };
const trialRef = { init: 'heNormal', seed: 0, index: 1, total: 1 };

/** What `run` does: trial lines and epochs, then end() before the table, then the results line. */
function session(progress: ReturnType<typeof createProgress>) {
  progress.log('trial 1/1: heNormal seed 0');
  progress.epoch(trialRef, metrics, 1);
  progress.trialDone();
  progress.end();
  progress.log('results: /tmp/x (report.html, metrics.csv, results.json)');
  progress.log('expect heNormal.testAccuracy >= 0.5: held (0.85)');
}

test('after end() the bar is never drawn again: the last line printed is the last thing on screen', () => {
  const t = tty();
  session(createProgress('bar', t.stream, {}));
  assert.match(t.text(), /\x1b\[2K\[#+\] 1\/1 trials/, 'the bar was drawn during the run');
  assert.ok(t.text().endsWith('expect heNormal.testAccuracy >= 0.5: held (0.85)\n'), JSON.stringify(t.out.slice(-3)));
});

test('NO_COLOR and TERM=dumb: no escape sequences; auto on a dumb terminal prints plain lines', () => {
  const noColor = tty();
  session(createProgress('bar', noColor.stream, { NO_COLOR: '1' }));
  assert.doesNotMatch(noColor.text(), /\x1b/);
  assert.match(noColor.text(), /\r\[#+\] 1\/1 trials/, 'still a bar, redrawn with a carriage return');
  assert.ok(noColor.text().endsWith('held (0.85)\n'));
  const dumb = tty();
  session(createProgress('auto', dumb.stream, { TERM: 'dumb' }));
  assert.doesNotMatch(dumb.text(), /[\x1b\r]/);
  assert.match(dumb.text(), /^trial 1\/1: heNormal seed 0\n {2}\[1\/1\] heNormal seed 0 epoch 1\/1: loss 0\.500/);
});

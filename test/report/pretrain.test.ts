import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pretrainHtml, pretrainText } from '../../src/report/pretrain.js';
import type { ResultsDocument } from '../../src/results/schema.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Only the fields the pretraining report reads. */
function doc(trials: unknown[]): ResultsDocument {
  return { trials } as unknown as ResultsDocument;
}

test('the report shows per layer the reconstruction loss per epoch and the seconds, apart from training', () => {
  const d = doc([
    { init: 'glorotUniform', seed: 0 },
    { init: 'layerwisePretrain', seed: 1, pretrain: { images: 8000, layers: [
      { layer: 'dense1', decoder: 'sigmoid', loss: [220.43, 147.3, 127.13], seconds: 5.07 },
      { layer: 'dense2', decoder: 'sigmoid', loss: [142.7, NaN], seconds: 1.5 },
    ] } },
  ]);
  const text = pretrainText(d);
  assert.match(text, /its seconds are not in s\/epoch/);
  assert.match(text, /layerwisePretrain, seed 1: 8000 images, 6\.6 s/);
  assert.match(text, /dense1 \(sigmoid decoder\): 220\.4 -> 147\.3 -> 127\.1 {2}\(5\.1 s\)/);
  assert.match(text, /dense2 \(sigmoid decoder\): 142\.7 -> NaN/);
  assert.doesNotMatch(text, /glorotUniform/);
  const html = pretrainHtml(d, esc);
  assert.match(html, /<h2>Layer-wise pretraining<\/h2>/);
  assert.match(html, /<td>dense1<\/td><td>sigmoid<\/td><td class="num">220\.4 → 147\.3 → 127\.1<\/td><td class="num">5\.1<\/td>/);
  assert.equal(pretrainText(doc([{ init: 'heNormal', seed: 0 }])), '');
  assert.equal(pretrainHtml(doc([]), esc), '');
});

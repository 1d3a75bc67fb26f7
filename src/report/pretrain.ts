/**
 * What the report says about layer-wise pretraining (trials whose initializer recorded
 * `pretrain`): per trial and hidden layer, the reconstruction loss per pretraining epoch and the
 * seconds it took, apart from the training epochs (s/epoch does not include them).
 */
import type { ResultsDocument, TrialResult } from '../results/schema.js';

type Pretrained = TrialResult & { pretrain: NonNullable<TrialResult['pretrain']> };

function pretrained(doc: ResultsDocument): Pretrained[] {
  return doc.trials.filter((t): t is Pretrained => t.pretrain !== undefined);
}

const loss = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'NaN');
const seconds = (t: Pretrained) => t.pretrain.layers.reduce((a, l) => a + l.seconds, 0);

/** Plain text for the terminal; empty when no trial was pretrained. */
export function pretrainText(doc: ResultsDocument): string {
  const trials = pretrained(doc);
  if (!trials.length) return '';
  const lines = ['Layer-wise pretraining, before training (its seconds are not in s/epoch): reconstruction loss per epoch'];
  for (const t of trials) {
    lines.push(`  ${t.init}, seed ${t.seed}: ${t.pretrain.images} images, ${seconds(t).toFixed(1)} s`);
    for (const l of t.pretrain.layers) lines.push(`    ${l.layer} (${l.decoder} decoder): ${l.loss.map(loss).join(' -> ')}  (${l.seconds.toFixed(1)} s)`);
  }
  return lines.join('\n');
}

/** An HTML section for report.html; empty when no trial was pretrained. */
export function pretrainHtml(doc: ResultsDocument, esc: (s: string) => string): string {
  const trials = pretrained(doc);
  if (!trials.length) return '';
  const rows = trials.flatMap((t) =>
    t.pretrain.layers.map(
      (l) => `<tr><td>${esc(t.init)}</td><td class="num">${t.seed}</td><td>${esc(l.layer)}</td><td>${l.decoder}</td><td class="num">${l.loss.map(loss).join(' → ')}</td><td class="num">${l.seconds.toFixed(1)}</td></tr>`,
    ),
  );
  return `<h2>Layer-wise pretraining</h2>
<table><thead><tr><th>initializer</th><th>seed</th><th>layer</th><th>decoder</th><th>reconstruction loss per epoch</th><th>seconds</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="meta">Each hidden layer trained as an autoencoder on every training image (no labels) before training; the loss is the mean over images of the reconstruction loss summed over the layer's inputs (cross-entropy for a sigmoid decoder, squared error otherwise). These seconds are not part of s/epoch.</p>`;
}

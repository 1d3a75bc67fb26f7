/**
 * metrics.csv: tidy, one row per trial x epoch, for spreadsheets, pandas and R:
 * init, seed, the grid axes, epoch, losses and accuracies, seconds, and the gradient norm of each
 * layer's kernel (gradNorm_<layer>, on the epoch's first batch).
 */
import type { ResultsDocument } from '../results/schema.js';

export function metricsCsv(doc: ResultsDocument): string {
  const axes = [...new Set(doc.trials.flatMap((t) => Object.keys(t.point ?? {})))];
  const layers = layerNames(doc);
  const header = ['trial', 'init', 'seed', ...axes, 'status', 'epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'seconds', 'trainSeconds', ...layers.map((l) => `gradNorm_${l}`)];
  const rows = doc.trials.flatMap((t) =>
    t.epochs.map((e) => [
      t.id,
      t.init,
      t.seed,
      ...axes.map((a) => (t.point as Record<string, unknown> | undefined)?.[a] ?? ''),
      t.status,
      e.epoch,
      e.trainLoss,
      e.trainAccuracy,
      e.testLoss,
      e.testAccuracy,
      e.seconds,
      e.trainSeconds,
      ...layers.map((_, i) => e.gradNorms?.[i] ?? ''),
    ]),
  );
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** Layer names from the trials' diagnostics (dense1, ..., output), else layer1..n. */
function layerNames(doc: ResultsDocument): string[] {
  const withNames = doc.trials.find((t) => t.diagnostics?.atInit.length);
  if (withNames) return withNames.diagnostics!.atInit.map((l) => l.layer);
  const n = Math.max(0, ...doc.trials.flatMap((t) => t.epochs.map((e) => e.gradNorms?.length ?? 0)));
  return Array.from({ length: n }, (_, i) => `layer${i + 1}`);
}

/** RFC 4180: quote when needed; non-finite numbers are empty cells. */
function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

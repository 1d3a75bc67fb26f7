/**
 * metrics.csv: tidy, one row per trial x epoch, for spreadsheets, pandas and R:
 * init, seed, the grid axes, epoch, losses and accuracies, seconds, and the gradient norm of each
 * layer's kernel (gradNorm_<layer>, on the epoch's first batch).
 *
 * The layer columns are those of the deepest model of the run, in order (dense1 ... dense20,
 * output in a depth grid): each value sits under its own layer's column, and a model without that
 * layer (a shallower grid point) leaves the cell empty. Wide rather than long (one row per trial x
 * epoch x layer), so that a row stays one epoch of one trial.
 */
import type { ResultsDocument, TrialResult } from '../results/schema.js';

export function metricsCsv(doc: ResultsDocument): string {
  const axes = [...new Set(doc.trials.flatMap((t) => Object.keys(t.point ?? {})))];
  const names = doc.trials.map((t) => trialLayers(t, doc.trials));
  const layers = unionLayers(names);
  const header = ['trial', 'init', 'seed', ...axes, 'status', 'epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'seconds', 'trainSeconds', ...layers.map((l) => `gradNorm_${l}`)];
  const rows = doc.trials.flatMap((t, k) => {
    const column = new Map(names[k].map((name, i) => [name, i]));
    return t.epochs.map((e) => [
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
      ...layers.map((l) => (column.has(l) ? (e.gradNorms?.[column.get(l)!] ?? '') : '')),
    ]);
  });
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/**
 * A trial's layer names from its diagnostics (dense1, ..., output); without diagnostics (a failed
 * trial), those of a trial with as many layers, else layer1..n.
 */
function trialLayers(t: TrialResult, all: TrialResult[]): string[] {
  if (t.diagnostics?.atInit.length) return t.diagnostics.atInit.map((l) => l.layer);
  const n = Math.max(0, ...t.epochs.map((e) => e.gradNorms?.length ?? 0));
  const twin = all.find((o) => o.diagnostics?.atInit.length === n);
  return twin ? twin.diagnostics!.atInit.map((l) => l.layer) : Array.from({ length: n }, (_, i) => `layer${i + 1}`);
}

/** Every layer name once, in model order: the longest list, with any other name put before "output". */
function unionLayers(lists: string[][]): string[] {
  const out = [...lists.reduce((a, b) => (b.length > a.length ? b : a), [])];
  for (const name of lists.flat()) {
    if (out.includes(name)) continue;
    const at = out.indexOf('output');
    out.splice(at < 0 ? out.length : at, 0, name);
  }
  return out;
}

/**
 * RFC 4180: quote when needed; non-finite numbers are empty cells. Text starting with = + - @, a
 * tab or a carriage return (a label is the user's) would be a formula to a spreadsheet: it gets a
 * leading single quote (OWASP, "CSV Injection"). Numbers are numbers and keep their sign.
 */
function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * report.html: one self-contained file (inline CSS and SVG, no script, nothing fetched), so it
 * opens from disk on an offline machine: the run's settings, the comparison table, the charts.
 */
import { describePoint, pointKey } from '../results/point.js';
import type { InitSummary, ResultsDocument } from '../results/schema.js';
import { EMBEDDED_SPLIT } from '../data/split.js';
import type { Chart } from './charts.js';
import { shardTrials, versusBest } from './format.js';
import { pretrainHtml } from './pretrain.js';
import { colourScale } from './series.js';

/** The report's look, shared with the page of `init-bench serve`. */
export const REPORT_CSS = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; } td.nowrap { white-space: nowrap; }
.best { font-weight: bold; color: #16733a; } .warn { color: #a35a00; } .bad { color: #b00020; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(500px, 1fr)); gap: 1.5rem; }
figure { margin: 0; } figure svg { max-width: 100%; height: auto; } figcaption { color: #555; font-size: 0.85rem; max-width: 520px; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.9rem; }
dl.settings dt { color: #555; } dl.settings dd { margin: 0; }
td.diagnosis { min-width: 14em; }
tr.point th { background: none; padding-top: 0.8rem; border-bottom: 1px solid #bbb; }
.swatch { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; margin-right: 0.4em; }
`;

export function renderHtml(doc: ResultsDocument, charts: Chart[]): string {
  const cfg = doc.config as Record<string, Record<string, unknown> & unknown>;
  const title = `init-bench: ${esc(String(cfg.name ?? 'run'))}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>${title}</h1>
<p class="meta">${doc.trials.length} trial(s) on the <b>${esc(doc.backend)}</b> backend, ${esc(doc.createdAt)}${doc.shard ? ` &middot; <span class="bad">shard ${doc.shard.index} of ${doc.shard.count} (${shardTrials(doc)}): the best here is this shard's, not the experiment's; combine the shards with init-bench merge</span>` : doc.complete ? '' : ' &middot; <span class="bad">incomplete: some trials are missing; the best here is among the finished ones only</span>'}</p>
<h2>Settings</h2>
${settings(cfg)}
<h2>Comparison</h2>
${table(doc)}
${pretrainHtml(doc, esc)}
<h2>Charts</h2>
<div class="charts">
${charts.map(figure).join('\n')}
</div>
</body></html>
`;
}

function figure(c: Chart): string {
  const body = c.svg ? c.svg : '<p class="warn">No data to plot.</p>';
  return `<figure id="chart-${c.id}" data-chart="${c.id}"><h3>${esc(c.title)}</h3>${body}<figcaption>${esc(c.caption)}</figcaption></figure>`;
}

function settings(cfg: Record<string, unknown>): string {
  const model = (cfg.model ?? {}) as Record<string, unknown>;
  const train = (cfg.train ?? {}) as Record<string, unknown>;
  const data = (cfg.data ?? {}) as Record<string, unknown>;
  const head = Array.isArray(model.head) && model.head.length ? `dense head ${json(model.head)}` : 'no dense head';
  const file = model.file !== undefined ? `model file ${json(model.file)} (sha256 ${Object.values((model.fileSha256 ?? {}) as Record<string, string>).map((h) => h.slice(0, 12)).join(', ')})` : null;
  const shape =
    model.kind === 'cnn'
      ? `CNN, filters ${json(model.filters)}, kernel ${model.kernelSize}, pool ${model.pool}, ${head}`
      : model.depth !== undefined
        ? `MLP, ${alternatives(model.depth)} hidden layer(s) of ${alternatives(model.width ?? 256)} units`
        : `MLP, hidden ${json(model.hidden)}`;
  // Sizes left out of the config are the loader's defaults (src/data/split.ts).
  const sizes = data.dataDir
    ? `${data.trainSize ?? 'all'} training and ${data.testSize ?? 'all'} test images of ${data.dataset} from ${data.dataDir}`
    : `${data.trainSize ?? EMBEDDED_SPLIT.train} training and ${data.testSize ?? EMBEDDED_SPLIT.test} test digits of the embedded MNIST`;
  const labels = Array.isArray(data.labels) && data.labels.some((l, k) => l !== k) ? `; classes 0-${data.labels.length - 1} are the labels ${json(data.labels)}` : '';
  const labeled = data.labeledSize !== undefined ? ` (${data.labeledSize} of the training examples labeled)` : '';
  const rows: [string, string][] = [
    ['data', `${sizes}${labeled}${labels}`],
    ['model', file ?? `${shape}; activation ${alternatives(model.activation)}${switched('batch norm', model.batchNorm)}${switched('residual blocks', model.residual)}${model.dropout ? `; dropout ${model.dropout}` : ''}`],
    ['training', `${alternatives(train.optimizer)}, lr ${alternatives(train.lr)}, batch ${train.batchSize}, ${train.epochs} epoch(s); target accuracy ${train.target}`],
    ['seeds', json(cfg.seeds)],
    ['initializers', ((cfg.initializers ?? []) as { label?: string; name: string }[]).map((i) => i.label ?? i.name).join(', ')],
  ];
  return `<dl class="settings">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function table(doc: ResultsDocument): string {
  const axes = [...new Set(doc.summary.flatMap((r) => Object.keys(r.point ?? {})))];
  const seeds = Math.max(0, ...doc.summary.map((r) => r.trials));
  // A grid's axes head each group of rows (as the terminal table does when narrow), not a column each: the table fits a 1280-px window.
  const head = ['initializer', 'test acc', ...(seeds > 1 ? ['95% CI', 'vs best'] : []), 'best test acc', 'train loss', 'epochs to target', 'status', 's/epoch', 'diagnosis'];
  const best = new Map<string, number>();
  const scale = colourScale(doc);
  const colour = new Map(scale.domain.map((init, i) => [init, scale.range[i]]));
  for (const r of doc.summary) {
    const k = pointKey(r.point);
    if (Number.isFinite(r.testAccuracy.mean)) best.set(k, Math.max(best.get(k) ?? -1, r.testAccuracy.mean));
  }
  const rows = doc.summary.map((r, k) => {
    const isBest = r.testAccuracy.mean === best.get(pointKey(r.point));
    // A std needs two trials: a row of one (a shard's, an unfinished run's) shows its value alone.
    const acc = r.trials > 1 ? `${pct(r.testAccuracy.mean)} ± ${pct(r.testAccuracy.std)}` : pct(r.testAccuracy.mean);
    // [content, class]: numbers right-aligned and never wrapped mid-value; the diagnosis wraps.
    const cells: [string, string][] = [
      [`<span class="swatch" style="background: ${colour.get(r.init) ?? '#999'}"></span>${esc(r.init)}`, 'nowrap'],
      [`<span class="${isBest ? 'best' : ''}">${acc}</span>`, 'num'],
      ...(seeds > 1 ? [[r.testAccuracy.ci95 ? `${pct(Math.max(0, r.testAccuracy.ci95[0]))}–${pct(Math.min(1, r.testAccuracy.ci95[1]))}` : '-', 'num'], [versus(r), '']] as [string, string][] : []),
      [pct(r.bestTestAccuracy.mean), 'num'],
      [fixed(r.trainLoss.mean, 3), 'num'],
      [r.reachedTarget === 0 ? 'never' : `${epochs(r.epochsToTarget)}${r.reachedTarget < r.trials ? ` (${r.reachedTarget}/${r.trials})` : ''}`, 'num'],
      [`${r.ok} ok${r.diverged ? `, <span class="bad">${r.diverged} diverged</span>` : ''}${r.failed ? `, <span class="bad">${r.failed} failed</span>` : ''}`, 'nowrap'],
      [fixed(r.secondsPerEpoch, 2), 'num'],
      [`<span class="warn">${esc(r.diagnosis.join('; '))}</span>`, 'diagnosis'],
    ];
    const point = pointKey(r.point);
    const group = axes.length && (k === 0 || pointKey(doc.summary[k - 1].point) !== point) ? `<tr class="point"><th colspan="${head.length}">${esc(describePoint(r.point ?? {}))}</th></tr>` : '';
    return `${group}<tr>${cells.map(([c, cls]) => `<td${cls ? ` class="${cls}"` : ''}>${c}</td>`).join('')}</tr>`;
  });
  const pointNote = axes.length ? ` Rows are grouped by grid point (${esc(axes.join(', '))}).` : '';
  const testNote = seeds > 1 ? " vs best: Welch's t-test of final test accuracy over seeds against the best initializer of the same group; ≈ means p ≥ 0.05." : ' One seed: no significance test is possible.';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table><p class="meta">${pointNote}${testNote}</p>`;
}

function versus(r: InitSummary): string {
  const v = versusBest(r);
  return v.kind === 'best' ? `<span class="best">${v.text}</span>` : esc(v.text);
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
/** Epochs to target: a whole number when every run took the same, else the mean to one decimal. */
const epochs = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(1));
const fixed = (x: number | null, d: number) => (x !== null && Number.isFinite(x) ? x.toFixed(d) : '-');
const json = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v));
/** A grid axis's values: "2 or 5 (a grid axis)"; a single value as it is. */
const alternatives = (v: unknown) => (Array.isArray(v) && v.length > 1 ? `${v.slice(0, -1).join(', ')} or ${v.at(-1)} (a grid axis)` : String(Array.isArray(v) ? v[0] : v));
/** A switch that may be a grid axis: "; batch norm", "; batch norm off and on (a grid axis)", or nothing. */
const switched = (what: string, v: unknown) => (Array.isArray(v) && v.length > 1 ? `; ${what} ${v.map((b) => (b ? 'on' : 'off')).join(' and ')} (a grid axis)` : (Array.isArray(v) ? v[0] : v) ? `; ${what}` : '');

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The comparison table as report.html draws it (report/html.ts), from the summary rows the
 * events carry: same columns, same marks (best in green, problems in orange and red). Pure.
 */
import type { InitSummary } from '../engine.js';
import { esc } from './charts.js';

export function comparisonTable(summary: InitSummary[]): string {
  if (!summary.length) return '<p class="meta">No finished trial yet.</p>';
  const axes = [...new Set(summary.flatMap((r) => Object.keys(r.point ?? {})))];
  const seeds = Math.max(0, ...summary.map((r) => r.trials));
  const head = [...axes, 'initializer', 'test acc', ...(seeds > 1 ? ['95% CI', 'vs best'] : []), 'best test acc', 'train loss', 'epochs to target', 'status', 's/epoch', 'diagnosis'];
  const best = new Map<string, number>();
  for (const r of summary) {
    const k = JSON.stringify(r.point ?? {});
    if (Number.isFinite(r.testAccuracy.mean)) best.set(k, Math.max(best.get(k) ?? -1, r.testAccuracy.mean));
  }
  const rows = summary.map((r) => {
    const isBest = r.testAccuracy.mean === best.get(JSON.stringify(r.point ?? {}));
    // A std needs two trials: a row of one (a shard's, an unfinished run's) shows its value alone.
    const acc = r.trials > 1 ? `${pct(r.testAccuracy.mean)} ± ${pct(r.testAccuracy.std)}` : pct(r.testAccuracy.mean);
    const cells = [
      ...axes.map((a) => esc(String((r.point as Record<string, unknown> | undefined)?.[a] ?? ''))),
      esc(r.init),
      `<span class="${isBest ? 'best' : ''}">${acc}</span>`,
      ...(seeds > 1 ? [r.testAccuracy.ci95 ? `${pct(Math.max(0, r.testAccuracy.ci95[0]))}–${pct(Math.min(1, r.testAccuracy.ci95[1]))}` : '-', versus(r)] : []),
      pct(r.bestTestAccuracy.mean),
      fixed(r.trainLoss.mean, 3),
      r.reachedTarget === 0 ? 'never' : `${Number.isInteger(r.epochsToTarget) ? String(r.epochsToTarget) : fixed(r.epochsToTarget, 1)}${r.reachedTarget < r.trials ? ` (${r.reachedTarget}/${r.trials})` : ''}`,
      `${r.ok} ok${r.diverged ? `, <span class="bad">${r.diverged} diverged</span>` : ''}${r.failed ? `, <span class="bad">${r.failed} failed</span>` : ''}`,
      fixed(r.secondsPerEpoch, 2),
      `<span class="warn">${esc(r.diagnosis.join('; '))}</span>`,
    ];
    return `<tr>${cells.map((c, i) => `<td${i >= axes.length + 1 && i <= axes.length + 5 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`;
  });
  const pointNote = axes.length ? ` Rows are grouped by grid point (${esc(axes.join(', '))}).` : '';
  const testNote = seeds > 1 ? " vs best: Welch's t-test of final test accuracy over seeds against the best initializer of the same group; ≈ means p ≥ 0.05." : ' One seed: no significance test is possible.';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table><p class="meta">Rows appear as trials finish.${pointNote}${testNote}</p>`;
}

function versus(r: InitSummary): string {
  const c = r.comparison;
  if (!c) return '-';
  if (c.best === r.init) return '<span class="best">best</span>';
  if (c.pValue === null) return r.trials - r.failed > 1 ? 'no test (the best has 1 seed)' : 'no test (1 seed)';
  const p = c.pValue < 0.001 ? 'p &lt; 0.001' : `p = ${c.pValue.toFixed(3)}`;
  return c.notSignificantlyDifferent ? `≈ best (${p})` : `worse (${p})`;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const fixed = (x: number | null, d: number) => (x !== null && Number.isFinite(x) ? x.toFixed(d) : '-');

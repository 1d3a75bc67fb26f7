/** Number formatting shared by the tables. */
import chalk from 'chalk';
import type { InitSummary, ResultsDocument } from '../results/schema.js';

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(digits)}%`;
}

export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined) return '-';
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(1);
  return x.toFixed(digits);
}

/** cli-table3 options shared by every table: compact rows, colour only when colour is on. */
export function tableLook(): { chars: Record<string, string>; style: { head: string[]; border: string[] } } {
  return {
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: chalk.level > 0 ? ['cyan'] : [], border: chalk.level > 0 ? ['grey'] : [] },
  };
}

/** How a summary row compares with the best of its grid point, in words: "best", "≈ best (p=0.210)", "worse (p<0.001)", "no test (1 seed)". */
export function versusBest(r: InitSummary): { kind: 'best' | 'same' | 'worse' | 'none'; text: string } {
  const c = r.comparison;
  if (!c) return { kind: 'none', text: '-' };
  if (c.best === r.init) return { kind: 'best', text: 'best' };
  // Welch's test needs two finished trials on each side: say which side has one.
  if (c.pValue === null) return { kind: 'none', text: r.trials - r.failed > 1 ? 'no test (the best has 1 seed)' : 'no test (1 seed)' };
  const p = c.pValue < 0.001 ? 'p<0.001' : `p=${c.pValue.toFixed(3)}`;
  return c.notSignificantlyDifferent ? { kind: 'same', text: `≈ best (${p})` } : { kind: 'worse', text: `worse (${p})` };
}

/** "3 trials", or "2 of its 3 trials" while some are missing. */
export function shardTrials(doc: ResultsDocument): string {
  const n = doc.shard?.trials ?? doc.trials.length;
  return doc.trials.length === n ? `${n} trial${n === 1 ? '' : 's'}` : `${doc.trials.length} of its ${n} trials`;
}

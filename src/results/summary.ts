/**
 * The summary of a results document: one row per (grid point, initializer) over its seeds, each
 * compared with the best initializer of its point (Welch's t-test). Derived from the trials alone,
 * so a document can always be rebuilt from trials/.
 */
import { welch, spread } from './stats.js';
import { pointKey } from './point.js';
import type { InitSummary, TrialResult } from './schema.js';

/** Significance level of the comparison with the best. */
export const ALPHA = 0.05;

/**
 * One summary row per (grid point, initializer), in the order of the points and of the requested
 * initializers; each row compared with the best initializer of its point.
 */
export function summarizeTrials(trials: TrialResult[], order: string[]): InitSummary[] {
  const points = [...new Set(trials.map((t) => pointKey(t.point)))];
  return points.flatMap((key) => {
    const here = trials.filter((t) => pointKey(t.point) === key);
    const rows = order
      .map((init) => here.filter((t) => t.init === init))
      .filter((group) => group.length > 0)
      .map(summarizeGroup);
    const accuracies = (r: InitSummary) => here.filter((t) => t.init === r.init && t.final).map((t) => t.final!.testAccuracy);
    const best = rows.reduce<InitSummary | null>((b, r) => (Number.isFinite(r.testAccuracy.mean) && (!b || r.testAccuracy.mean > b.testAccuracy.mean) ? r : b), null);
    for (const r of rows) {
      if (!best) continue;
      if (r === best) r.comparison = { best: best.init, pValue: null, notSignificantlyDifferent: null };
      else {
        const test = welch(accuracies(r), accuracies(best));
        r.comparison = { best: best.init, pValue: test ? test.p : null, notSignificantlyDifferent: test ? test.p >= ALPHA : null };
      }
    }
    return rows;
  });
}

function summarizeGroup(group: TrialResult[]): InitSummary {
  const finals = group.flatMap((t) => (t.final ? [t.final] : []));
  const reached = finals.flatMap((f) => (f.epochsToTarget === null ? [] : [f.epochsToTarget]));
  return {
    init: group[0].init,
    ...(group[0].point ? { point: group[0].point } : {}),
    trials: group.length,
    ok: group.filter((t) => t.status === 'ok').length,
    diverged: group.filter((t) => t.status === 'diverged').length,
    failed: group.filter((t) => t.status === 'failed').length,
    testAccuracy: spread(finals.map((f) => f.testAccuracy)),
    testLoss: spread(finals.map((f) => f.testLoss)),
    bestTestAccuracy: spread(finals.map((f) => f.bestTestAccuracy)),
    trainLoss: spread(finals.map((f) => f.trainLoss)),
    epochsToTarget: reached.length ? reached.reduce((a, b) => a + b, 0) / reached.length : null,
    reachedTarget: reached.length,
    secondsPerEpoch: finals.length ? finals.reduce((a, f) => a + f.secondsPerEpoch, 0) / finals.length : NaN,
    diagnosis: uniqueProblems(group.flatMap((t) => t.diagnosis ?? [])),
  };
}

/** One entry per kind of problem ("vanishing signal (x0.10)" and "(x0.17)" are one kind): the first seen. */
function uniqueProblems(problems: string[]): string[] {
  const kinds = new Map<string, string>();
  for (const p of problems) {
    const kind = p.split(' (')[0].replace(/[\d.%<=]+/g, '#');
    if (!kinds.has(kind)) kinds.set(kind, p);
  }
  return [...kinds.values()];
}

/**
 * Small statistics over plain numbers: spread, a 95% confidence interval of the mean (Student's
 * t), and Welch's unequal-variance t-test. The t distribution's CDF comes from the regularized
 * incomplete beta function (continued fraction, Numerical Recipes 6.4).
 */
import type { Spread } from './schema.js';

export type { Spread } from './schema.js';


export function spread(values: number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, ci95: null };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const std = Math.sqrt(variance);
  const half = n > 1 ? tQuantile(0.975, n - 1) * (std / Math.sqrt(n)) : NaN;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), ci95: n > 1 ? [mean - half, mean + half] : null };
}

export interface WelchResult {
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/** Welch's t-test of equal means without assuming equal variances; null when a side has n < 2. */
export function welch(a: number[], b: number[]): WelchResult | null {
  if (a.length < 2 || b.length < 2) return null;
  const sa = spread(a);
  const sb = spread(b);
  const va = sa.std ** 2 / a.length;
  const vb = sb.std ** 2 / b.length;
  if (va + vb === 0) return { t: sa.mean === sb.mean ? 0 : Infinity, df: a.length + b.length - 2, p: sa.mean === sb.mean ? 1 : 0 };
  const t = (sa.mean - sb.mean) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, p: tTwoSided(Math.abs(t), df) };
}

/** P(|T| >= t) for Student's t with df degrees of freedom. */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The q-quantile (q > 0.5) of Student's t, by bisection on the CDF. */
export function tQuantile(q: number, df: number): number {
  const target = 2 * (1 - q); // two-sided tail mass beyond the quantile
  let lo = 0;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    // lo and hi are adjacent doubles (after ~60 steps): every further step keeps mid, the answer.
    if (mid === lo || mid === hi) return mid;
    if (tTwoSided(mid, df) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    // The even then the odd step of the continued fraction (no array per step: this runs inside
    // tQuantile's bisection, for every spread of every summary).
    for (let k = 0; k < 2; k++) {
      const num = k === 0 ? (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)) : (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Gamma(x), Lanczos approximation (g = 7, n = 9; about 15 digits). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let sum = g[0];
  for (let i = 1; i < 9; i++) sum += g[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

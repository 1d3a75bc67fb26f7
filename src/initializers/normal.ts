/**
 * The standard normal's density, distribution function and quantile, and the moments of a
 * normal truncated to [a, b]: what PyTorch's `trunc_normal_` samples, whose cut points are
 * absolute values, not multiples of the std.
 */

export const normalPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** erfc by Chebyshev fitting (Press et al., "Numerical Recipes", 2nd ed., section 6.2: fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Phi(x), the standard normal's distribution function. */
export const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** Phi^-1(p) for p in (0, 1) (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export interface Truncation {
  mean: number;
  std: number;
  /** Absolute cut points, a < b. */
  a: number;
  b: number;
}

/**
 * Mean and std of N(mean, std^2) conditioned on [a, b]; with alpha = (a - mean) / std,
 * beta = (b - mean) / std and Z = Phi(beta) - Phi(alpha) (the mass kept):
 *   E = mean + std (phi(alpha) - phi(beta)) / Z
 *   Var = std^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2]
 * (Johnson, Kotz & Balakrishnan 1994, "Continuous Univariate Distributions", vol. 1, ch. 13).
 */
export function truncatedMoments(t: Truncation): { mean: number; std: number; mass: number } {
  const alpha = (t.a - t.mean) / t.std;
  const beta = (t.b - t.mean) / t.std;
  const mass = normalCdf(beta) - normalCdf(alpha);
  const pa = Number.isFinite(alpha) ? normalPdf(alpha) : 0;
  const pb = Number.isFinite(beta) ? normalPdf(beta) : 0;
  const ta = Number.isFinite(alpha) ? alpha * pa : 0;
  const tb = Number.isFinite(beta) ? beta * pb : 0;
  const shift = (pa - pb) / mass;
  return { mean: t.mean + t.std * shift, std: t.std * Math.sqrt(Math.max(0, 1 + (ta - tb) / mass - shift * shift)), mass };
}

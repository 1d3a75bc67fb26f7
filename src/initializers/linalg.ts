/**
 * The little linear algebra the initializers need, on Float64Array: a Householder QR that
 * yields a Haar-distributed orthogonal matrix, and Sylvester's Hadamard matrix.
 */
import type { Rng } from '../util/random.js';

/**
 * A random matrix with orthonormal columns (rows >= cols) or rows (rows < cols), uniform over
 * the orthogonal group (Haar), returned row-major with shape [rows, cols].
 *
 * docs/science.md's recipe is the QR of a standard normal matrix of the taller orientation, with Q's
 * columns multiplied by sign(diag(R)) (Mezzadri 2007, "How to generate random matrices from the
 * classical compact groups"). In a Householder QR of a Gaussian matrix, the part of column k that
 * reflector k sees is, by rotation invariance, a fresh standard normal vector of length m - k,
 * independent of the earlier reflectors; and sign(R[k][k]) is minus the sign of its first entry.
 * So we draw those vectors directly (Stewart 1980, "The efficient generation of random
 * orthogonal matrices"): the same distribution, without computing R, which halves the work.
 */
export function haarOrthogonal(rows: number, cols: number, rng: Rng): Float64Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const reflectors = new Float64Array(m * n); // unit vector k in column k, rows k..m-1
  const signs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const off = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) {
      const z = rng.normal();
      reflectors[off + i] = z;
      norm2 += z * z;
    }
    const x0 = reflectors[off + k];
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2); // R[k][k]
    signs[k] = alpha >= 0 ? 1 : -1;
    reflectors[off + k] = x0 - alpha;
    const vNorm = Math.sqrt(norm2 - x0 * x0 + (x0 - alpha) * (x0 - alpha));
    for (let i = k; i < m; i++) reflectors[off + i] /= vNorm;
  }
  const q = accumulateQ(reflectors, m, n);
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    const s = signs[j];
    for (let i = 0; i < m; i++) {
      if (tall) out[i * cols + j] = s * q[j * m + i];
      else out[j * cols + i] = s * q[j * m + i];
    }
  }
  return out;
}

/**
 * Q = H_0 H_1 ... H_{n-1} I[:, :n] (column-major m x n), applied from the last reflector
 * backwards: columns j < k of the partial product are still e_j, which H_k (acting on rows
 * k..m-1) leaves alone. Eight columns at a time, so each pass over v serves eight dot products.
 */
function accumulateQ(v: Float64Array, m: number, n: number): Float64Array {
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const vo = k * m;
    let j = k;
    for (; j + 7 < n; j += 8) {
      const o0 = j * m, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
      const o4 = o3 + m, o5 = o4 + m, o6 = o5 + m, o7 = o6 + m;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
      for (let i = k; i < m; i++) {
        const vi = v[vo + i];
        d0 += vi * q[o0 + i];
        d1 += vi * q[o1 + i];
        d2 += vi * q[o2 + i];
        d3 += vi * q[o3 + i];
        d4 += vi * q[o4 + i];
        d5 += vi * q[o5 + i];
        d6 += vi * q[o6 + i];
        d7 += vi * q[o7 + i];
      }
      d0 *= 2; d1 *= 2; d2 *= 2; d3 *= 2; d4 *= 2; d5 *= 2; d6 *= 2; d7 *= 2;
      for (let i = k; i < m; i++) {
        const vi = v[vo + i];
        q[o0 + i] -= d0 * vi;
        q[o1 + i] -= d1 * vi;
        q[o2 + i] -= d2 * vi;
        q[o3 + i] -= d3 * vi;
        q[o4 + i] -= d4 * vi;
        q[o5 + i] -= d5 * vi;
        q[o6 + i] -= d6 * vi;
        q[o7 + i] -= d7 * vi;
      }
    }
    for (; j < n; j++) {
      const o = j * m;
      let d = 0;
      for (let i = k; i < m; i++) d += v[vo + i] * q[o + i];
      d *= 2;
      for (let i = k; i < m; i++) q[o + i] -= d * v[vo + i];
    }
  }
  return q;
}

/** Entry (i, j) of Sylvester's Hadamard matrix H_p (p a power of two): (-1)^popcount(i & j). */
export function hadamardSign(i: number, j: number): number {
  let x = i & j;
  let parity = 0;
  while (x) {
    parity ^= 1;
    x &= x - 1;
  }
  return parity ? -1 : 1;
}

/**
 * max |M - gain^2 I| where M = W^T W (rows >= cols) or W W^T (rows < cols), W row-major
 * [rows, cols]: how far a kernel is from a scaled orthogonal matrix.
 */
/** Which product orthogonalityError compares with gain^2 I: the one that can be the identity. */
export function orthogonalityProduct(rows: number, cols: number): 'W^T W' | 'W W^T' {
  return rows >= cols ? 'W^T W' : 'W W^T';
}

export function orthogonalityError(w: ArrayLike<number>, rows: number, cols: number, gain: number): number {
  const byColumns = rows >= cols;
  const n = byColumns ? cols : rows;
  const len = byColumns ? rows : cols;
  const at = byColumns ? (vec: number, t: number) => w[t * cols + vec] : (vec: number, t: number) => w[vec * cols + t];
  let worst = 0;
  for (let p = 0; p < n; p++) {
    for (let r = p; r < n; r++) {
      let dot = 0;
      for (let t = 0; t < len; t++) dot += at(p, t) * at(r, t);
      const target = p === r ? gain * gain : 0;
      worst = Math.max(worst, Math.abs(dot - target));
    }
  }
  return worst;
}

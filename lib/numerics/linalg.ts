/**
 * A little dense linear algebra in float64: the singular value decomposition by one-sided
 * Jacobi rotations, and least squares / rank / null space built on it. Meant for the small
 * systems of the lessons (tens of rows and columns), where clarity beats speed.
 *
 * ```ts
 * import { lstsq } from "./linalg.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { equal, ok } from "node:assert/strict";
 * const A = NDArray.from([[1, 1], [1, 2], [1, 3]]);
 * const { x, rank, residual } = lstsq(A, NDArray.from([1, 2, 3]));
 * equal(rank, 2);
 * ok(Math.abs(x.get(0)) < 1e-12 && Math.abs(x.get(1) - 1) < 1e-12 && residual < 1e-12);
 * ```
 *
 * @module
 */

import { dot, NDArray, shapeStr } from "./ndarray.ts";
import type { RandomState } from "./random.ts";

/** `A = U · diag(s) · Vᵀ` with `s` descending; U is (m, n), V is (n, n) for m ≥ n. */
export interface Svd {
  U: NDArray;
  s: NDArray;
  V: NDArray;
}

/**
 * Singular value decomposition by one-sided Jacobi: rotate pairs of columns of A until all
 * columns are orthogonal; their norms are the singular values. Accurate to a few ULPs
 * relative to ‖A‖ (Demmel & Veselić). Requires rows ≥ columns.
 */
export function svd(A: NDArray): Svd {
  if (A.ndim !== 2 || A.shape[0] < A.shape[1]) {
    throw new RangeError(`svd: need a matrix with rows >= columns, got shape ${shapeStr(A.shape)}`);
  }
  const [m, n] = A.shape;
  const a = A.copy().data; // columns rotated in place
  const v = NDArray.eye(n).data;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gammaPQ = 0;
        for (let i = 0; i < m; i++) {
          const ap = a[i * n + p], aq = a[i * n + q];
          alpha += ap * ap;
          beta += aq * aq;
          gammaPQ += ap * aq;
        }
        if (Math.abs(gammaPQ) <= 1e-15 * Math.sqrt(alpha * beta) || gammaPQ === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gammaPQ);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < m; i++) {
          const ap = a[i * n + p], aq = a[i * n + q];
          a[i * n + p] = c * ap - s * aq;
          a[i * n + q] = s * ap + c * aq;
        }
        for (let i = 0; i < n; i++) {
          const vp = v[i * n + p], vq = v[i * n + q];
          v[i * n + p] = c * vp - s * vq;
          v[i * n + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = [...Array(n).keys()].map((j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j] ** 2;
    return Math.sqrt(s);
  });
  const order = [...Array(n).keys()].sort((i, j) => norms[j] - norms[i]);
  const U = NDArray.zeros([m, n]), V = NDArray.zeros([n, n]), s = NDArray.zeros([n]);
  order.forEach((j, k) => {
    s.data[k] = norms[j];
    for (let i = 0; i < m; i++) U.data[i * n + k] = norms[j] > 0 ? a[i * n + j] / norms[j] : 0;
    for (let i = 0; i < n; i++) V.data[i * n + k] = v[i * n + j];
  });
  return { U, s, V };
}

/** numpy's default rank threshold: σ_max · max(m, n) · ε. */
export function rankTolerance(s: NDArray, m: number, n: number): number {
  return (s.data[0] ?? 0) * Math.max(m, n) * 2 ** -52;
}

/**
 * Least squares `min ‖A x − b‖` by the pseudo-inverse (singular values under the rank
 * threshold are dropped, like `np.linalg.lstsq`): the minimum-norm solution, the rank, the
 * residual norm, the singular values and an orthonormal basis of the null space (columns).
 */
export function lstsq(A: NDArray, b: NDArray): {
  x: NDArray;
  rank: number;
  residual: number;
  s: NDArray;
  nullSpace: NDArray;
} {
  const [m, n] = A.shape;
  if (b.ndim !== 1 || b.shape[0] !== m) {
    throw new RangeError(`lstsq: A is ${shapeStr(A.shape)} but b is ${shapeStr(b.shape)}`);
  }
  const { U, s, V } = svd(A);
  const tol = rankTolerance(s, m, n);
  const rank = s.data.filter((x) => x > tol).length;
  const x = NDArray.zeros([n]);
  for (let k = 0; k < rank; k++) {
    let ub = 0;
    for (let i = 0; i < m; i++) ub += U.data[i * n + k] * b.data[i];
    for (let j = 0; j < n; j++) x.data[j] += (V.data[j * n + k] * ub) / s.data[k];
  }
  const r = A.dot(x).sub(b);
  const nullSpace = V.slice(1, rank, n);
  return { x, rank, residual: Math.sqrt(r.square().sum()), s, nullSpace };
}

/**
 * `np.linalg.matrix_power(A, n)` for a square A (k, k) and an integer n ≥ 0, by numpy's
 * binary decomposition (so its products, and their roundings, are numpy's); `A⁰` is the
 * identity. Returns: (k, k).
 *
 * ```ts
 * import { matrixPower } from "./linalg.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(matrixPower(NDArray.from([[1, 1], [0, 1]]), 5).toNested(), [[1, 5], [0, 1]]);
 * ```
 */
export function matrixPower(A: NDArray, n: number): NDArray {
  if (A.ndim !== 2 || A.shape[0] !== A.shape[1]) {
    throw new RangeError(`matrixPower: A must be square, got shape ${shapeStr(A.shape)}`);
  }
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`matrixPower: n must be an integer >= 0, got ${n}`);
  }
  let result: NDArray | null = null;
  let z: NDArray | null = null;
  while (n > 0) {
    z = z === null ? A : dot(z, z);
    const bit = n % 2;
    n = Math.floor(n / 2);
    if (bit) result = result === null ? z : dot(result, z);
  }
  return result ?? NDArray.eye(A.shape[0]);
}

/**
 * A random orthogonal matrix scaled by ρ: the U factor of the SVD of a (size, size) matrix
 * of `rng.randn` draws, times ρ. Every singular value, and the spectral radius, is ρ.
 * Returns: (size, size).
 */
export function scaledOrthogonal(rng: RandomState, size: number, rho: number): NDArray {
  return svd(rng.randn(size, size)).U.mul(rho);
}

/**
 * Dot products and matrix products in a chosen floating-point *arithmetic*: the order of
 * the additions and whether each multiply-add is fused into one rounding. Every choice is
 * a correct float64 program; they differ in the last bits, and reproducing a printed
 * double bit for bit means finding the one its author's machine used.
 *
 * - `sequential`: `s = s + x_i·y_i` for i = 0, 1, …, n−1 (a plain loop; also what a BLAS
 *   gemm micro-kernel does for each entry of its tile, along k);
 * - `reverse`: the same loop from i = n−1 down to 0;
 * - `pairwise`: the n products rounded, then added as a balanced tree (numpy's `sum`);
 * - `lanes2`, `lanes4`, `lanes8`: term i goes to partial sum i mod L (one SIMD lane each,
 *   as a BLAS `ddot` kernel does), the lanes then added as a tree;
 * - `exact`: the exact sum of the exact products, rounded once (no order at all).
 *
 * With `fused`, each step `s + x·y` is one {@link fma} (one rounding instead of two), as
 * compiled code does on CPUs with FMA when the kernel was written or compiled for it.
 *
 * ```ts
 * import { dotIn } from "./dot_orders.ts";
 * import { equal } from "node:assert/strict";
 * const x = [1e16, 1, -1e16];
 * equal(dotIn(x, [1, 1, 1], { order: "sequential" }), 0);
 * equal(dotIn(x, [1, 1, 1], { order: "reverse" }), 0);
 * equal(dotIn(x, [1, 1, 1], { order: "exact" }), 1);
 * ```
 *
 * @module
 */

import { dotExact, fma } from "../numerics/fma.ts";
import { NDArray, shapeStr } from "../numerics/ndarray.ts";

/** The orders {@link dotIn} knows. */
export const DOT_ORDERS = [
  "sequential",
  "reverse",
  "pairwise",
  "lanes2",
  "lanes4",
  "lanes8",
  "exact",
] as const;
/** One of {@link DOT_ORDERS}. */
export type DotOrder = typeof DOT_ORDERS[number];

/** An arithmetic for a dot product. */
export interface DotArithmetic {
  order: DotOrder;
  /** Each `s + x·y` as one fused multiply-add (ignored by `pairwise` and `exact`). */
  fused?: boolean;
}

/** A short label: `"sequential, fused"`, `"4 lanes"`, `"exact, rounded once"`. */
export function arithmeticLabel(a: DotArithmetic): string {
  const base = a.order.startsWith("lanes")
    ? `${a.order.slice(5)} lanes`
    : a.order === "exact"
    ? "exact, rounded once"
    : a.order;
  return a.fused && a.order !== "pairwise" && a.order !== "exact" ? `${base}, fused` : base;
}

/** Does adding `fused` change this order? (`pairwise` and `exact` have no multiply-adds.) */
export function hasFusedVariant(order: DotOrder): boolean {
  return order !== "pairwise" && order !== "exact";
}

function tree(values: number[]): number {
  let v = values;
  while (v.length > 1) {
    const next: number[] = [];
    for (let i = 0; i < v.length; i += 2) next.push(i + 1 < v.length ? v[i] + v[i + 1] : v[i]);
    v = next;
  }
  return v.length ? v[0] : 0;
}

/** `Σ x_i y_i` in the arithmetic `a`. */
export function dotIn(x: ArrayLike<number>, y: ArrayLike<number>, a: DotArithmetic): number {
  if (x.length !== y.length) {
    throw new RangeError(`dotIn: vectors of lengths ${x.length} and ${y.length}`);
  }
  if (!(DOT_ORDERS as readonly string[]).includes(a.order)) {
    throw new RangeError(`dotIn: unknown order "${a.order}"; known: ${DOT_ORDERS.join(", ")}`);
  }
  const step = a.fused ? (s: number, p: number, q: number) => fma(p, q, s) : (
    s: number,
    p: number,
    q: number,
  ) => s + p * q;
  const n = x.length;
  switch (a.order) {
    case "sequential": {
      let s = 0;
      for (let i = 0; i < n; i++) s = step(s, x[i], y[i]);
      return s;
    }
    case "reverse": {
      let s = 0;
      for (let i = n - 1; i >= 0; i--) s = step(s, x[i], y[i]);
      return s;
    }
    case "pairwise": {
      const p: number[] = [];
      for (let i = 0; i < n; i++) p.push(x[i] * y[i]);
      return tree(p);
    }
    case "exact":
      return dotExact(x, y);
    default: {
      const lanes = Number(a.order.slice(5));
      const acc = new Array<number>(lanes).fill(0);
      for (let i = 0; i < n; i++) acc[i % lanes] = step(acc[i % lanes], x[i], y[i]);
      return tree(acc);
    }
  }
}

/** The matrix product `A·B` (both 2-D) with every entry a {@link dotIn} in arithmetic `a`. */
export function matmulIn(A: NDArray, B: NDArray, a: DotArithmetic): NDArray {
  if (A.ndim !== 2 || B.ndim !== 2 || A.shape[1] !== B.shape[0]) {
    throw new RangeError(
      `matmulIn: shapes ${shapeStr(A.shape)} and ${shapeStr(B.shape)} are not (m, k)·(k, n)`,
    );
  }
  const [m, k] = A.shape;
  const n = B.shape[1];
  const out = new Float64Array(m * n);
  const row = new Float64Array(k);
  const col = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) row[p] = A.get(i, p);
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) col[p] = B.get(p, j);
      out[i * n + j] = dotIn(row, col, a);
    }
  }
  return new NDArray(out, [m, n]);
}

/** The next double after `x` towards `+∞` (`dir` = 1) or `−∞` (`dir` = −1); x finite. */
export function nextDouble(x: number, dir: 1 | -1): number {
  if (!Number.isFinite(x)) throw new RangeError(`nextDouble: ${x} is not finite`);
  if (x === 0) return dir * Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const away = (x > 0) === (dir > 0);
  view.setBigUint64(0, away ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/**
 * Three ways to add up a dot product, to show why two correct float64 programs can print
 * different last digits. Floating-point addition is not associative: the same terms summed
 * in another order round differently.
 *
 * - {@link dotSequential}: one term at a time, in index order (what our `dot` does).
 * - {@link dotLanes}: `lanes` interleaved partial sums combined at the end — the order a
 *   SIMD BLAS kernel uses (numpy's `np.dot` calls BLAS).
 * - {@link dotCompensated}: Ogita–Rump–Oishi "Dot2", as accurate as if computed in twice
 *   the working precision and then rounded: a stand-in for the exact value.
 *
 * ```ts
 * import { dotCompensated, dotSequential } from "./summation.ts";
 * import { equal } from "node:assert/strict";
 * const x = [1e16, 1, -1e16];
 * equal(dotSequential(x, [1, 1, 1]), 0);    // the 1 is lost to rounding
 * equal(dotCompensated(x, [1, 1, 1]), 1);   // recovered
 * ```
 *
 * @module
 */

function checkLengths(op: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) {
    throw new RangeError(`${op}: vectors of lengths ${x.length} and ${y.length}`);
  }
}

/** `Σ x_i y_i`, accumulated left to right. */
export function dotSequential(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths("dotSequential", x, y);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** `Σ x_i y_i` with `lanes` partial sums (term i goes to lane i mod lanes), then pairwise. */
export function dotLanes(x: ArrayLike<number>, y: ArrayLike<number>, lanes = 4): number {
  checkLengths("dotLanes", x, y);
  let acc = new Array<number>(lanes).fill(0);
  for (let i = 0; i < x.length; i++) acc[i % lanes] += x[i] * y[i];
  while (acc.length > 1) {
    const next: number[] = [];
    for (let i = 0; i < acc.length; i += 2) next.push(acc[i] + (acc[i + 1] ?? 0));
    acc = next;
  }
  return acc[0];
}

/** Knuth's TwoSum: `a + b = s + e` exactly. */
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const z = s - a;
  return [s, (a - (s - z)) + (b - z)];
}

const SPLITTER = 134217729; // 2^27 + 1

/** Dekker's TwoProduct (no FMA needed): `a · b = p + e` exactly (barring overflow/underflow). */
export function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, al * bl - (((p - ah * bh) - al * bh) - ah * bl)];
}

/** `Σ x_i y_i` by Ogita–Rump–Oishi's Dot2 (error-free transformations). */
export function dotCompensated(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths("dotCompensated", x, y);
  if (x.length === 0) return 0;
  let [p, s] = twoProduct(x[0], y[0]);
  for (let i = 1; i < x.length; i++) {
    const [h, r] = twoProduct(x[i], y[i]);
    const [p2, q] = twoSum(p, h);
    p = p2;
    s += q + r;
  }
  return p + s;
}

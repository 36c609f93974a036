/**
 * Activations in the column layout of the Coursera notebook (one example per column).
 *
 * ```ts
 * import { softmax } from "./activations.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { ok } from "node:assert/strict";
 * const p = softmax(NDArray.from([[1, 2], [3, 4]]));   // each column sums to 1
 * ok(Math.abs(p.sum(0).get(0) - 1) < 1e-15 && Math.abs(p.sum(0).get(1) - 1) < 1e-15);
 * ```
 *
 * @module
 */

import { NDArray } from "../numerics/ndarray.ts";

/** The logistic function σ(z) = 1 / (1 + e^−z) of one number (for the plain-loop models). */
export function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The logistic function 1 / (1 + e^−x), elementwise. Inputs: any shape; Returns: the same shape. */
export function sigmoid(x: NDArray): NDArray {
  return x.map(logistic);
}

/**
 * The notebook's softmax, each column (each example of the batch) normalised separately:
 * `exp(x − m) / Σ_rows exp(x − m)` with `m` the column's own maximum (`x.max(0, true)`).
 * Subtracting it changes nothing mathematically; it keeps `exp` from overflowing, and since
 * every column then has a largest term e⁰ = 1, no column's sum can underflow to 0 (0/0 =
 * NaN) however far its logits lie from the other columns'. (The array's one maximum would
 * not: a column of logits near −1000 beside one near +1000 would be all NaN.)
 */
export function softmax(x: NDArray): NDArray {
  const e = x.sub(x.max(0, true)).exp();
  return e.div(e.sum(0));
}

/**
 * The softmax as document 000 printed it: `exp(a) / Σ exp(a)` over the *whole* array.
 * For a single column it is the softmax; for a batch it divides by the sum over every
 * example, so no column sums to 1. Kept to show that slip.
 */
export function softmaxWholeArray(a: NDArray): NDArray {
  const e = a.exp();
  return e.div(e.sum());
}

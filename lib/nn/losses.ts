/**
 * The losses the models are trained with, each beside its derivative with respect to what the
 * model outputs. No model builds a loss into its forward pass (the contract of `mod.ts`): a
 * forward pass returns its outputs, a loss here reads them, and its derivative is the
 * `dOutputs` the model's backward pass takes.
 *
 * - {@link squaredErrorLoss} / {@link dSquaredErrorLoss}: document 001's `Σ_t mean((y_t − target_t)²)`.
 * - {@link sigmoidCrossEntropy}: one logit against a label 0 or 1, with `∂loss/∂logit`.
 * - {@link softmaxCrossEntropy}: column-layout logits `(n_y, m)` per step against targets of the
 *   same shape, at chosen steps, with `∂L/∂logits = ŷ − y` there.
 * - {@link softmaxCrossEntropyRows} (with {@link softmaxRows}): row-layout logits `(T, n)`,
 *   every row in the loss.
 *
 * ```ts
 * import { sigmoidCrossEntropy, squaredErrorLoss } from "./losses.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { equal } from "node:assert/strict";
 * equal(squaredErrorLoss([Float64Array.of(1), Float64Array.of(3)], NDArray.from([[0], [1]])), 5);
 * equal(sigmoidCrossEntropy(0, 1).dlogit, -0.5); // σ(0) − 1
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import { logistic, softmax } from "./activations.ts";

function checkPairs(op: string, outputs: readonly Float64Array[], targets: NDArray): number {
  if (targets.ndim !== 2 || targets.shape[0] !== outputs.length) {
    throw new RangeError(
      `${op}: targets ${shapeStr(targets.shape)} must be (T, o_n) for ${outputs.length} outputs`,
    );
  }
  return targets.shape[1];
}

/**
 * Document 001's loss head: `Σ_t mean((y_t − target_t)²)`. Inputs: outputs (T arrays of o_n),
 * targets (T, o_n). Returns: the loss, a number.
 */
export function squaredErrorLoss(outputs: readonly Float64Array[], targets: NDArray): number {
  const o_n = checkPairs("squaredErrorLoss", outputs, targets);
  let loss = 0;
  for (let t = 0; t < outputs.length; t++) {
    const y = outputs[t];
    let se = 0;
    for (let q = 0; q < o_n; q++) se += (y[q] - targets.data[t * o_n + q]) ** 2;
    loss += se / o_n;
  }
  return loss;
}

/**
 * The derivative of {@link squaredErrorLoss}: `∂L/∂y_t = 2 (y_t − target_t) / o_n`.
 * Inputs: outputs (T arrays of o_n), targets (T, o_n). Returns: T arrays of o_n.
 */
export function dSquaredErrorLoss(
  outputs: readonly Float64Array[],
  targets: NDArray,
): Float64Array[] {
  const o_n = checkPairs("dSquaredErrorLoss", outputs, targets);
  return outputs.map((y, t) => {
    const dy = new Float64Array(o_n);
    for (let q = 0; q < o_n; q++) dy[q] = (2 * (y[q] - targets.data[t * o_n + q])) / o_n;
    return dy;
  });
}

/**
 * Binary cross-entropy on one logit z with label 0 or 1: `p = σ(z)`,
 * `loss = −log p` (label 1) or `−log(1 − p)` (label 0), `dlogit = ∂loss/∂z = p − label`.
 * Inputs: two numbers. Returns: the loss, the probability p and dlogit, numbers.
 */
export function sigmoidCrossEntropy(
  logit: number,
  label: number,
): { loss: number; prob: number; dlogit: number } {
  if (label !== 0 && label !== 1) {
    throw new RangeError(`sigmoidCrossEntropy: label must be 0 or 1, got ${label}`);
  }
  const prob = logistic(logit);
  return { loss: label ? -Math.log(prob) : -Math.log(1 - prob), prob, dlogit: prob - label };
}

/**
 * Softmax cross-entropy of column-layout logits, summed over the chosen steps and over the
 * batch's columns: `ŷ_t = softmax(o_t)`, `L = −Σ_{t ∈ at} Σ_i y_t,i log ŷ_t,i` (a term with
 * `y = 0` adds nothing), and `∂L/∂o_t = ŷ_t − y_t` at the chosen steps (`undefined` elsewhere:
 * no gradient reaches those outputs). `at` defaults to every step.
 * Inputs: logits (T arrays of (n_y, m)), targets (T arrays of (n_y, m), each column summing
 * to 1). Returns: the loss (a number), the probabilities ŷ (T arrays of (n_y, m)) and
 * dLogits (T entries of (n_y, m) or `undefined`).
 */
export function softmaxCrossEntropy(
  logits: readonly NDArray[],
  targets: readonly NDArray[],
  at?: readonly number[],
): { loss: number; probs: NDArray[]; dLogits: (NDArray | undefined)[] } {
  const T = logits.length;
  if (targets.length !== T) {
    throw new RangeError(`softmaxCrossEntropy: ${T} logits but ${targets.length} targets`);
  }
  const inLoss = new Array<boolean>(T).fill(at === undefined);
  for (const t of at ?? []) {
    if (!Number.isInteger(t) || t < 0 || t >= T) {
      throw new RangeError(`softmaxCrossEntropy: step ${t} is not in [0, ${T})`);
    }
    inLoss[t] = true;
  }
  let loss = 0;
  const probs: NDArray[] = [];
  const dLogits: (NDArray | undefined)[] = [];
  for (let t = 0; t < T; t++) {
    const o = logits[t], y = targets[t];
    if (y.shape.join() !== o.shape.join()) {
      throw new RangeError(
        `softmaxCrossEntropy: targets[${t}] ${shapeStr(y.shape)} but logits ${shapeStr(o.shape)}`,
      );
    }
    const p = softmax(o);
    probs.push(p);
    if (inLoss[t]) {
      for (let i = 0; i < p.size; i++) {
        if (y.data[i] !== 0) loss -= y.data[i] * Math.log(p.data[i]);
      }
      dLogits.push(p.sub(y));
    } else dLogits.push(undefined);
  }
  return { loss, probs, dLogits };
}

/**
 * The softmax of every row, as Keras computes it for document 002's model:
 * `exp(o_t − max(o_t)) / Σ exp(o_t − max(o_t))`. Inputs: logits (T, n). Returns: (T, n).
 */
export function softmaxRows(logits: NDArray): NDArray {
  if (logits.ndim !== 2) {
    throw new RangeError(`softmaxRows: logits ${shapeStr(logits.shape)} must be (T, n)`);
  }
  const [T, n] = logits.shape;
  const O = logits.data, P = new Float64Array(T * n);
  for (let t = 0; t < T; t++) {
    let mx = -Infinity;
    for (let q = 0; q < n; q++) mx = Math.max(mx, O[t * n + q]);
    let sum = 0;
    for (let q = 0; q < n; q++) sum += P[t * n + q] = Math.exp(O[t * n + q] - mx);
    for (let q = 0; q < n; q++) P[t * n + q] /= sum;
  }
  return new NDArray(P, [T, n]);
}

/**
 * Softmax cross-entropy of row-layout logits, summed over the rows:
 * `ŷ_t = softmax(o_t)`, `L = −Σ_t Σ_k y_tk log ŷ_tk`, `∂L/∂o_t = ŷ_t − y_t`.
 * Inputs: logits (T, n), targets (T, n), each row summing to 1. Returns: the loss (a number),
 * the probabilities ŷ (T, n) and dLogits (T, n).
 */
export function softmaxCrossEntropyRows(
  logits: NDArray,
  targets: NDArray,
): { loss: number; probs: NDArray; dLogits: NDArray } {
  if (targets.shape.join() !== logits.shape.join()) {
    throw new RangeError(
      `softmaxCrossEntropyRows: targets ${shapeStr(targets.shape)} but logits ${
        shapeStr(logits.shape)
      }`,
    );
  }
  const probs = softmaxRows(logits);
  let loss = 0;
  for (let i = 0; i < probs.size; i++) loss -= targets.data[i] * Math.log(probs.data[i]);
  return { loss, probs, dLogits: probs.sub(targets) };
}

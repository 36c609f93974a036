/**
 * A whole vanilla RNN with a softmax head and a cross-entropy loss at every step, in column
 * layout (one example per column), with the parameter names the textbook formulas use:
 *
 *   net^t = U x^t + W h^{t−1} + b,   h^t = tanh(net^t),   o^t = V h^t + c,   ŷ^t = softmax(o^t)
 *   L = Σ_t L_t,   L_t = −Σ_i y^t_i log ŷ^t_i
 *
 * {@link vanillaRnnForward} returns the states and a `cache`; {@link vanillaRnnBackward}
 * takes the cache and runs backpropagation through time, the δ recursion
 *
 *   δ^t = ∂L/∂net^t = (1 − (h^t)²) ⊙ (Vᵀ(ŷ^t − y^t) + Wᵀ δ^{t+1}),   δ^{T+1} = 0,
 *
 * then `∂L/∂U = Σ δ^t x^tᵀ`, `∂L/∂W = Σ δ^t h^{t−1}ᵀ`, `∂L/∂b = Σ δ^t`,
 * `∂L/∂V = Σ (ŷ^t − y^t) h^tᵀ`, `∂L/∂c = Σ (ŷ^t − y^t)`.
 *
 * ```ts
 * import { oneHot, vanillaRnnBackward, vanillaRnnForward } from "./vanilla_rnn.ts";
 * import { numericalGradient, relError } from "../gradcheck.ts";
 * import { RandomState } from "../random.ts";
 * import { ok } from "node:assert/strict";
 * const rng = new RandomState(0);
 * const params = {
 *   U: rng.randn(4, 3), W: rng.randn(4, 4).mul(0.5), b: rng.randn(4, 1),
 *   V: rng.randn(2, 4), c: rng.randn(2, 1),
 * };
 * const xs = [rng.randn(3, 1), rng.randn(3, 1), rng.randn(3, 1)];
 * const ys = [oneHot([0], 2), oneHot([1], 2), oneHot([1], 2)];
 * const h0 = rng.randn(4, 1);
 * const { cache } = vanillaRnnForward(xs, h0, params, ys);
 * const grads = vanillaRnnBackward(cache);
 * const numeric = numericalGradient(() => vanillaRnnForward(xs, h0, params, ys).loss, params.W);
 * ok(relError(grads.W, numeric).max() < 1e-7);
 * ```
 *
 * @module
 */

import { dot, expectShape, NDArray, shapeStr } from "../ndarray.ts";
import { softmax } from "./activations.ts";
import { tanhRecurrence, tanhRecurrenceBptt } from "./rnn_cell.ts";

/** The parameters, named as in `net = Ux + Wh + b`, `o = Vh + c`. */
export interface VanillaRnnParams {
  /** input → hidden, (n_h, n_x) */
  U: NDArray;
  /** hidden → hidden, (n_h, n_h) */
  W: NDArray;
  /** hidden bias, (n_h, 1) */
  b: NDArray;
  /** hidden → output, (n_y, n_h) */
  V: NDArray;
  /** output bias, (n_y, 1) */
  c: NDArray;
}

/** Gradients of the loss with respect to each parameter and to the initial state. */
export interface VanillaRnnGradients {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
  h0: NDArray;
}

/** Everything the backward pass needs. `h[t]` is the state after step t (h^{t+1} in 1-based). */
export interface VanillaRnnCache {
  xs: NDArray[];
  h0: NDArray;
  h: NDArray[];
  yHat: NDArray[];
  ys: NDArray[];
  params: VanillaRnnParams;
  /** Whether step t's cross-entropy is part of the loss. */
  inLoss: boolean[];
}

/** Options of {@link vanillaRnnForward}. */
export interface VanillaRnnOptions {
  /** The 0-based steps whose cross-entropy counts (default: every step). */
  lossAt?: readonly number[];
}

/**
 * Targets as one-hot columns: `oneHot([2, 0], 3)` is the (3, 2) array with a 1 in row 2 of
 * column 0 and row 0 of column 1.
 */
export function oneHot(labels: readonly number[], n: number): NDArray {
  const out = NDArray.zeros([n, labels.length]);
  labels.forEach((k, j) => {
    if (!Number.isInteger(k) || k < 0 || k >= n) {
      throw new RangeError(`oneHot: label ${k} (column ${j}) is not an integer in [0, ${n})`);
    }
    out.set([k, j], 1);
  });
  return out;
}

/** Checks every shape against `U` and `V` and returns (n_x, n_h, n_y, m). */
function checkShapes(
  op: string,
  xs: readonly NDArray[],
  h0: NDArray,
  p: VanillaRnnParams,
  ys: readonly NDArray[],
): [number, number, number, number] {
  if (p.U.ndim !== 2 || p.V.ndim !== 2) {
    throw new RangeError(
      `${op}: U and V must be matrices, got ${shapeStr(p.U.shape)} and ${shapeStr(p.V.shape)}`,
    );
  }
  const [n_h, n_x] = p.U.shape;
  const n_y = p.V.shape[0];
  expectShape(op, "W", p.W, [n_h, n_h]);
  expectShape(op, "b", p.b, [n_h, 1]);
  expectShape(op, "V", p.V, [n_y, n_h]);
  expectShape(op, "c", p.c, [n_y, 1]);
  if (h0.ndim !== 2) throw new RangeError(`${op}: h0 must be (n_h, m), got ${shapeStr(h0.shape)}`);
  const m = h0.shape[1];
  expectShape(op, "h0", h0, [n_h, m]);
  if (xs.length === 0) throw new RangeError(`${op}: no time steps (xs is empty)`);
  if (ys.length !== xs.length) {
    throw new RangeError(`${op}: ${xs.length} inputs but ${ys.length} targets`);
  }
  xs.forEach((x, t) => expectShape(op, `xs[${t}]`, x, [n_x, m]));
  ys.forEach((y, t) => expectShape(op, `ys[${t}]`, y, [n_y, m]));
  return [n_x, n_h, n_y, m];
}

/**
 * Runs the RNN over `xs` (T arrays of shape (n_x, m)) from `h0` (n_h, m), with targets `ys`
 * (T arrays of shape (n_y, m), each column summing to 1, e.g. {@link oneHot}). Returns the
 * states `h[t]`, the outputs `yHat[t]`, the loss and the cache.
 */
export function vanillaRnnForward(
  xs: readonly NDArray[],
  h0: NDArray,
  params: VanillaRnnParams,
  ys: readonly NDArray[],
  options: VanillaRnnOptions = {},
): { h: NDArray[]; yHat: NDArray[]; loss: number; cache: VanillaRnnCache } {
  checkShapes("vanillaRnnForward", xs, h0, params, ys);
  const T = xs.length;
  const inLoss = new Array<boolean>(T).fill(options.lossAt === undefined);
  for (const t of options.lossAt ?? []) {
    if (!Number.isInteger(t) || t < 0 || t >= T) {
      throw new RangeError(`vanillaRnnForward: lossAt step ${t} is not in [0, ${T})`);
    }
    inLoss[t] = true;
  }
  const { U, W, b, V, c } = params;
  const h: NDArray[] = [];
  const yHat: NDArray[] = [];
  let loss = 0;
  let hPrev = h0;
  for (let t = 0; t < T; t++) {
    hPrev = tanhRecurrence(U, W, b, xs[t], hPrev); // h^t = tanh(net^t), net^t = U x^t + W h^{t−1} + b
    const y = softmax(dot(V, hPrev).add(c));
    h.push(hPrev);
    yHat.push(y);
    if (inLoss[t]) {
      for (let i = 0; i < y.size; i++) {
        if (ys[t].data[i] !== 0) loss -= ys[t].data[i] * Math.log(y.data[i]);
      }
    }
  }
  return {
    h,
    yHat,
    loss,
    cache: { xs: [...xs], h0, h, yHat, ys: [...ys], params, inLoss },
  };
}

/** Backpropagation through time (the δ recursion of the module doc). */
export function vanillaRnnBackward(cache: VanillaRnnCache): VanillaRnnGradients {
  const { xs, h0, h, yHat, ys, params, inLoss } = cache;
  const { U, W, V, c } = params;
  let dV = NDArray.zeros(V.shape);
  let dc = NDArray.zeros(c.shape);
  // What reaches h^t from the output head: Vᵀ(ŷ^t − y^t) where step t is in the loss.
  const fromHead = (t: number) => {
    if (!inLoss[t]) return undefined;
    const dO = yHat[t].sub(ys[t]);
    dV = dV.add(dot(dO, h[t].T));
    dc = dc.add(dO.sum(1, true));
    return dot(V.T, dO);
  };
  const hPrevs = xs.map((_, t) => t > 0 ? h[t - 1] : h0);
  const g = tanhRecurrenceBptt(U, W, xs, hPrevs, h, fromHead); // δ^t = (1 − (h^t)²) ⊙ dh
  return { U: g.dWx, W: g.dWh, b: g.db, V: dV, c: dc, h0: g.dh0 };
}

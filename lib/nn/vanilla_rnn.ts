/**
 * A whole vanilla RNN with a softmax head and a cross-entropy loss at every step, in column
 * layout (one example per column), with the parameter names the textbook formulas use:
 *
 *   net^t = U x^t + W h^{t−1} + b,   h^t = tanh(net^t),   o^t = V h^t + c,   ŷ^t = softmax(o^t)
 *   L = Σ_t L_t,   L_t = −Σ_i y^t_i log ŷ^t_i
 *
 * On the contract of `mod.ts`: {@link initVanillaRnnParams}`(rng, sizes)`,
 * {@link vanillaRnnForward}`(params, xs, h0) → { outputs, state, cache }` — the outputs are the
 * logits `o^t`, no loss — and {@link vanillaRnnBackward}`(dOutputs, cache) → { grads, dInputs,
 * dState }` from `dOutputs[t] = ∂L/∂o^t`. The loss is `softmaxCrossEntropy` of `losses.ts`,
 * whose `∂L/∂o^t = ŷ^t − y^t` feeds the backward pass; {@link vanillaRnnLoss} composes the two.
 * Backpropagation through time is the δ recursion
 *
 *   δ^t = ∂L/∂net^t = (1 − (h^t)²) ⊙ (Vᵀ(ŷ^t − y^t) + Wᵀ δ^{t+1}),   δ^{T+1} = 0,
 *
 * then `∂L/∂U = Σ δ^t x^tᵀ`, `∂L/∂W = Σ δ^t h^{t−1}ᵀ`, `∂L/∂b = Σ δ^t`,
 * `∂L/∂V = Σ (ŷ^t − y^t) h^tᵀ`, `∂L/∂c = Σ (ŷ^t − y^t)`.
 *
 * ```ts
 * import { oneHot, vanillaRnnBackward, vanillaRnnForward } from "./vanilla_rnn.ts";
 * import { softmaxCrossEntropy } from "./losses.ts";
 * import { numericalGradient, relError } from "../numerics/gradcheck.ts";
 * import { RandomState } from "../numerics/random.ts";
 * import { deepEqual, ok } from "node:assert/strict";
 * const rng = new RandomState(0);
 * const params = {
 *   U: rng.randn(4, 3), W: rng.randn(4, 4).mul(0.5), b: rng.randn(4, 1),
 *   V: rng.randn(2, 4), c: rng.randn(2, 1),
 * };
 * const xs = [rng.randn(3, 1), rng.randn(3, 1), rng.randn(3, 1)];
 * const ys = [oneHot([0], 2), oneHot([1], 2), oneHot([1], 2)];
 * const h0 = rng.randn(4, 1);
 * const loss = () => softmaxCrossEntropy(vanillaRnnForward(params, xs, h0).outputs, ys).loss;
 * const { outputs, cache } = vanillaRnnForward(params, xs, h0);
 * const { grads } = vanillaRnnBackward(softmaxCrossEntropy(outputs, ys).dLogits, cache);
 * deepEqual(Object.keys(grads), Object.keys(params)); // keyed exactly like the parameters
 * ok(relError(grads.W, numericalGradient(loss, params.W)).max() < 1e-7);
 * ```
 *
 * @module
 */

import { dot, expectShape, NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";
import { softmaxCrossEntropy } from "./losses.ts";
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

/** The sizes of a vanilla RNN: input n_x, hidden n_h, output n_y. */
export interface VanillaRnnSizes {
  n_x: number;
  n_h: number;
  n_y: number;
}

/**
 * Small random parameters: `U`, `W`, `V` drawn `randn · 0.1` (in that order), zero biases.
 * Inputs: the generator and the sizes. Returns: {@link VanillaRnnParams}.
 */
export function initVanillaRnnParams(rng: RandomState, sizes: VanillaRnnSizes): VanillaRnnParams {
  const { n_x, n_h, n_y } = sizes;
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`initVanillaRnnParams: ${k} must be a positive integer, got ${v}`);
    }
  }
  const U = rng.randn(n_h, n_x).mul(0.1), W = rng.randn(n_h, n_h).mul(0.1);
  const V = rng.randn(n_y, n_h).mul(0.1);
  return { U, W, b: NDArray.zeros([n_h, 1]), V, c: NDArray.zeros([n_y, 1]) };
}

/** Everything the backward pass needs. `h[t]` is the state after step t (h^{t+1} in 1-based). */
export interface VanillaRnnCache {
  xs: NDArray[];
  h0: NDArray;
  h: NDArray[];
  params: VanillaRnnParams;
}

/** Options of {@link vanillaRnnLoss}. */
export interface VanillaRnnOptions {
  /** The 0-based steps whose cross-entropy counts (default: every step). */
  lossAt?: readonly number[];
}

/**
 * Targets as one-hot columns: `oneHot([2, 0], 3)` is the (3, 2) array with a 1 in row 2 of
 * column 0 and row 0 of column 1. Inputs: m labels in [0, n), n. Returns: (n, m).
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
  xs.forEach((x, t) => expectShape(op, `xs[${t}]`, x, [n_x, m]));
  return [n_x, n_h, n_y, m];
}

/**
 * Runs the RNN (the contract's `forward`). Inputs: params, xs (T arrays of (n_x, m)), h0
 * (n_h, m; default zeros with m = the columns of xs[0]). Returns: the logits `outputs[t] = o^t`
 * (n_y, m), the states `h[t]` (n_h, m), the final state, and the cache. No loss: see
 * `softmaxCrossEntropy` (losses.ts) or {@link vanillaRnnLoss}.
 */
export function vanillaRnnForward(
  params: VanillaRnnParams,
  xs: readonly NDArray[],
  h0: NDArray = NDArray.zeros([params.U.shape[0], xs[0]?.shape[1] ?? 1]),
): { outputs: NDArray[]; h: NDArray[]; state: NDArray; cache: VanillaRnnCache } {
  checkShapes("vanillaRnnForward", xs, h0, params);
  const { U, W, b, V, c } = params;
  const h: NDArray[] = [];
  const outputs: NDArray[] = [];
  let hPrev = h0;
  for (let t = 0; t < xs.length; t++) {
    hPrev = tanhRecurrence(U, W, b, xs[t], hPrev); // h^t = tanh(net^t), net^t = U x^t + W h^{t−1} + b
    h.push(hPrev);
    outputs.push(dot(V, hPrev).add(c)); // o^t = V h^t + c
  }
  return { outputs, h, state: hPrev, cache: { xs: [...xs], h0, h, params } };
}

/**
 * Backpropagation through time (the contract's `backward`; the δ recursion of the module
 * doc). Inputs: `dOutputs[t] = ∂L/∂o^t` (n_y, m), or `undefined` where no gradient reaches
 * step t's output; the cache of {@link vanillaRnnForward}. Returns: `grads` keyed exactly like
 * the parameters, `dInputs[t] = ∂L/∂x^t` (n_x, m) and `dState = ∂L/∂h0` (n_h, m).
 */
export function vanillaRnnBackward(
  dOutputs: readonly (NDArray | undefined)[],
  cache: VanillaRnnCache,
): { grads: VanillaRnnParams; dInputs: NDArray[]; dState: NDArray } {
  const { xs, h0, h, params } = cache;
  const { U, W, V, c } = params;
  if (dOutputs.length !== xs.length) {
    throw new RangeError(
      `vanillaRnnBackward: ${dOutputs.length} output gradients for ${xs.length} steps`,
    );
  }
  let dV = NDArray.zeros(V.shape);
  let dc = NDArray.zeros(c.shape);
  // What reaches h^t from the output head: Vᵀ ∂L/∂o^t where a gradient reaches o^t.
  const fromHead = (t: number) => {
    const dO = dOutputs[t];
    if (dO === undefined) return undefined;
    expectShape("vanillaRnnBackward", `dOutputs[${t}]`, dO, [V.shape[0], h[t].shape[1]]);
    dV = dV.add(dot(dO, h[t].T));
    dc = dc.add(dO.sum(1, true));
    return dot(V.T, dO);
  };
  const hPrevs = xs.map((_, t) => t > 0 ? h[t - 1] : h0);
  const g = tanhRecurrenceBptt(U, W, xs, hPrevs, h, fromHead); // δ^t = (1 − (h^t)²) ⊙ dh
  return { grads: { U: g.dWx, W: g.dWh, b: g.db, V: dV, c: dc }, dInputs: g.dxs, dState: g.dh0 };
}

/**
 * The forward pass and its loss together, as document 000's and the post's code run them:
 * {@link vanillaRnnForward}, then `softmaxCrossEntropy` against `ys` (T arrays of (n_y, m),
 * columns summing to 1, e.g. {@link oneHot}) at the steps `lossAt` (default every step).
 * Inputs: params, xs (T arrays of (n_x, m)), h0 (n_h, m), ys, options. Returns: the loss, the
 * states `h[t]` (n_h, m), the probabilities `yHat[t]` (n_y, m), `dOutputs` (∂L/∂o^t, for
 * {@link vanillaRnnBackward}) and the cache.
 */
export function vanillaRnnLoss(
  params: VanillaRnnParams,
  xs: readonly NDArray[],
  h0: NDArray,
  ys: readonly NDArray[],
  options: VanillaRnnOptions = {},
): {
  loss: number;
  h: NDArray[];
  yHat: NDArray[];
  dOutputs: (NDArray | undefined)[];
  cache: VanillaRnnCache;
} {
  if (ys.length !== xs.length) {
    throw new RangeError(`vanillaRnnLoss: ${xs.length} inputs but ${ys.length} targets`);
  }
  const { outputs, h, cache } = vanillaRnnForward(params, xs, h0);
  const ce = softmaxCrossEntropy(outputs, ys, options.lossAt);
  return { loss: ce.loss, h, yHat: ce.probs, dOutputs: ce.dLogits, cache };
}

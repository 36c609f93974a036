/**
 * A Keras `SimpleRNN` followed by `Dense` and a softmax, in TensorFlow's row layout
 * (document 002's model): for a sequence of row vectors x_t,
 *
 *   h_t = tanh(x_t U + h_{t−1} W + b)      o_t = h_t V + c      ŷ_t = softmax(o_t)
 *   L = −Σ_t Σ_k y_tk log ŷ_tk
 *
 * with U = `kernel` (n_in, n_h), W = `recurrent_kernel` (n_h, n_h), V = the dense kernel
 * (n_h, n_out). The backward pass is the document's δ recursion, in rows:
 * δ_T = (ŷ_T − y_T) Vᵀ, δ_t = (ŷ_t − y_t) Vᵀ + (δ_{t+1} ⊙ (1 − h_{t+1}²)) Wᵀ.
 *
 * On the contract of `mod.ts`: {@link initSimpleRnnParams}`(rng, sizes)`,
 * {@link simpleRnnForward}`(params, x, h0) → { outputs, state, cache }` with the logits
 * `o_t` as outputs (no loss), {@link simpleRnnBackward}`(dOutputs, cache) → { grads, dInputs,
 * dState }` from `dOutputs = ∂L/∂o` (T, n_out). The loss is `softmaxCrossEntropyRows` of
 * `losses.ts` (its `∂L/∂o_t = ŷ_t − y_t`); {@link simpleRnnLoss} composes the two as the
 * document's code does.
 *
 * ```ts
 * import { simpleRnnBackward, simpleRnnLoss } from "./simple_rnn.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual, ok } from "node:assert/strict";
 * const p = {
 *   U: NDArray.full([4, 2], 0.1), W: NDArray.eye(2), b: NDArray.zeros([2]),
 *   V: NDArray.full([2, 3], 0.2), c: NDArray.zeros([3]),
 * };
 * const y = NDArray.full([3, 3], 1 / 3);
 * const run = simpleRnnLoss(p, NDArray.ones([3, 4]), NDArray.zeros([2]), y);
 * const { grads } = simpleRnnBackward(run.dOutputs, run.cache);
 * ok(Math.abs(run.loss - 3 * Math.log(3)) < 1e-12);
 * deepEqual(Object.keys(grads), Object.keys(p)); // keyed exactly like the parameters
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";
import { softmaxCrossEntropyRows } from "./losses.ts";

/** Parameters named as in the document's formulas (TF's kernels, row layout). */
export interface SimpleRnnParams {
  /** `kernel`, (n_in, n_h) */
  U: NDArray;
  /** `recurrent_kernel`, (n_h, n_h) */
  W: NDArray;
  /** (n_h) */
  b: NDArray;
  /** the dense kernel, (n_h, n_out) */
  V: NDArray;
  /** (n_out) */
  c: NDArray;
}

/** The sizes of the model: input n_in, hidden n_h, output n_out. */
export interface SimpleRnnSizes {
  n_in: number;
  n_h: number;
  n_out: number;
}

/**
 * Small random parameters: `U`, `W`, `V` drawn `randn · 0.1` (in that order), zero biases.
 * Inputs: the generator and the sizes. Returns: {@link SimpleRnnParams}.
 */
export function initSimpleRnnParams(rng: RandomState, sizes: SimpleRnnSizes): SimpleRnnParams {
  const { n_in, n_h, n_out } = sizes;
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`initSimpleRnnParams: ${k} must be a positive integer, got ${v}`);
    }
  }
  const U = rng.randn(n_in, n_h).mul(0.1), W = rng.randn(n_h, n_h).mul(0.1);
  const V = rng.randn(n_h, n_out).mul(0.1);
  return { U, W, b: NDArray.zeros([n_h]), V, c: NDArray.zeros([n_out]) };
}

/** What {@link simpleRnnForward} keeps for {@link simpleRnnBackward}. */
export interface SimpleRnnCache {
  params: SimpleRnnParams;
  /** the inputs (T, n_in) */
  x: NDArray;
  /** the start state (n_h) */
  h0: NDArray;
  /** hidden states h_1…h_T (T, n_h) */
  h: NDArray;
}

/**
 * Runs the model (the contract's `forward`). Inputs: params, x (T, n_in), h0 (n_h; default
 * zeros). Returns: the logits `outputs` = o_t (T, n_out), the states `h` (T, n_h), the final
 * state (n_h) and the cache. No loss and no softmax: see {@link simpleRnnLoss}.
 */
export function simpleRnnForward(
  p: SimpleRnnParams,
  x: NDArray,
  h0: NDArray = NDArray.zeros([p.W.shape[0]]),
): { outputs: NDArray; h: NDArray; state: NDArray; cache: SimpleRnnCache } {
  const [T, n_in] = x.shape;
  const n_h = p.W.shape[0];
  const n_out = p.V.shape[1];
  if (
    x.ndim !== 2 || p.U.shape[0] !== n_in || p.U.shape[1] !== n_h || h0.size !== n_h ||
    p.V.shape[0] !== n_h
  ) {
    throw new RangeError(
      `simpleRnnForward: x ${shapeStr(x.shape)}, U ${shapeStr(p.U.shape)}, W ${
        shapeStr(p.W.shape)
      }, V ${shapeStr(p.V.shape)}, h0 ${shapeStr(h0.shape)} do not fit`,
    );
  }
  // Plain loops over Float64Arrays: the sizes are tiny, and allocating an array per
  // operation would cost more than the arithmetic.
  const U = p.U.data, W = p.W.data, b = p.b.data, V = p.V.data, c = p.c.data, X = x.data;
  const H = new Float64Array(T * n_h), O = new Float64Array(T * n_out);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < n_h; j++) {
      let z = b[j];
      for (let k = 0; k < n_in; k++) z += X[t * n_in + k] * U[k * n_h + j]; // x_t U
      for (let i = 0; i < n_h; i++) z += (t ? H[(t - 1) * n_h + i] : h0.data[i]) * W[i * n_h + j]; // h W
      H[t * n_h + j] = Math.tanh(z);
    }
    for (let q = 0; q < n_out; q++) {
      let o = c[q];
      for (let j = 0; j < n_h; j++) o += H[t * n_h + j] * V[j * n_out + q]; // h V + c
      O[t * n_out + q] = o;
    }
  }
  const h = new NDArray(H, [T, n_h]);
  const state = T ? h.take(0, T - 1) : h0.reshape(n_h);
  return {
    outputs: new NDArray(O, [T, n_out]),
    h,
    state,
    cache: { params: p, x, h0: h0.reshape(n_h), h },
  };
}

/**
 * Document 002's forward pass with its loss: {@link simpleRnnForward}, then
 * `softmaxCrossEntropyRows` against `y` (T, n_out). Inputs: params, x (T, n_in), h0 (n_h), y.
 * Returns: the states `h` (T, n_h), the logits `o` and the softmax outputs `yhat` (T, n_out),
 * the loss, `dOutputs` = ∂L/∂o = ŷ − y (T, n_out) and the cache.
 */
export function simpleRnnLoss(
  p: SimpleRnnParams,
  x: NDArray,
  h0: NDArray,
  y: NDArray,
): {
  h: NDArray;
  o: NDArray;
  yhat: NDArray;
  loss: number;
  dOutputs: NDArray;
  cache: SimpleRnnCache;
} {
  const f = simpleRnnForward(p, x, h0);
  const ce = softmaxCrossEntropyRows(f.outputs, y);
  return {
    h: f.h,
    o: f.outputs,
    yhat: ce.probs,
    loss: ce.loss,
    dOutputs: ce.dLogits,
    cache: f.cache,
  };
}

/**
 * Gradients of one sequence: `grads` keyed like the parameters (`U` (n_in, n_h), `W` (n_h, n_h),
 * `b` (n_h), `V` (n_h, n_out), `c` (n_out)), `dInputs` = ∂L/∂x (T, n_in), `dState` = ∂L/∂h0
 * (n_h), and the document's rows `delta` (T, n_h), δ_t = ∂L/∂h_t. Under document 002's names:
 * {@link simpleRnnDocumentGradients}.
 */
export interface SimpleRnnGradients {
  grads: SimpleRnnParams;
  dInputs: NDArray;
  dState: NDArray;
  delta: NDArray;
}

/**
 * The adapter to document 002's names: `{grads: {U, W, b, V, c}, dState, delta}` →
 * `{dU, dW, db, dV, dc, dh0, delta}` (the same arrays). Inputs / Returns: shapes unchanged.
 */
export function simpleRnnDocumentGradients(g: SimpleRnnGradients) {
  const { U, W, b, V, c } = g.grads;
  return { delta: g.delta, dU: U, dW: W, db: b, dV: V, dc: c, dh0: g.dState };
}

/**
 * Backpropagation through time (the contract's `backward`; the document's δ recursion).
 * Inputs: `dOutputs` = ∂L/∂o (T, n_out) — for the softmax cross-entropy, ŷ − y — and the
 * cache of {@link simpleRnnForward}. Returns: {@link SimpleRnnGradients}.
 */
export function simpleRnnBackward(dOutputs: NDArray, cache: SimpleRnnCache): SimpleRnnGradients {
  const { params: p, x, h0 } = cache;
  const [T, n_in] = x.shape;
  const n_h = p.W.shape[0], n_out = p.V.shape[1];
  if (dOutputs.shape.join() !== `${T},${n_out}`) {
    throw new RangeError(
      `simpleRnnBackward: dOutputs ${
        shapeStr(dOutputs.shape)
      } must be (${T},${n_out}) like the outputs`,
    );
  }
  const U = p.U.data, W = p.W.data, V = p.V.data, H = cache.h.data, X = x.data, D = dOutputs.data;
  const dU = NDArray.zeros(p.U.shape), dW = NDArray.zeros(p.W.shape), db = NDArray.zeros(p.b.shape);
  const dV = NDArray.zeros(p.V.shape), dc = NDArray.zeros(p.c.shape);
  const delta = NDArray.zeros([T, n_h]), dx = NDArray.zeros([T, n_in]);
  const dout = new Float64Array(n_out), dz = new Float64Array(n_h);
  let carry = new Float64Array(n_h); // (δ_{t+1} ⊙ (1 − h_{t+1}²)) Wᵀ
  for (let t = T - 1; t >= 0; t--) {
    for (let q = 0; q < n_out; q++) dout[q] = D[t * n_out + q]; // ∂L/∂o_t (ŷ − y)
    for (let j = 0; j < n_h; j++) {
      let d = carry[j];
      for (let q = 0; q < n_out; q++) d += dout[q] * V[j * n_out + q]; // δ_t = dout Vᵀ + carry
      delta.data[t * n_h + j] = d;
      const h = H[t * n_h + j];
      dz[j] = d * (1 - h * h); // δ_t ⊙ σ'(·), σ' = 1 − h²
      for (let q = 0; q < n_out; q++) dV.data[j * n_out + q] += h * dout[q];
    }
    for (let q = 0; q < n_out; q++) dc.data[q] += dout[q];
    const next = new Float64Array(n_h);
    for (let i = 0; i < n_h; i++) {
      const hPrev = t ? H[(t - 1) * n_h + i] : h0.data[i];
      for (let j = 0; j < n_h; j++) {
        dW.data[i * n_h + j] += hPrev * dz[j];
        next[i] += dz[j] * W[i * n_h + j]; // dz Wᵀ
      }
    }
    for (let k = 0; k < n_in; k++) {
      let s = 0;
      for (let j = 0; j < n_h; j++) {
        dU.data[k * n_h + j] += X[t * n_in + k] * dz[j];
        s += dz[j] * U[k * n_h + j]; // dz Uᵀ
      }
      dx.data[t * n_in + k] = s;
    }
    for (let j = 0; j < n_h; j++) db.data[j] += dz[j];
    carry = next;
  }
  return {
    grads: { U: dU, W: dW, b: db, V: dV, c: dc },
    dInputs: dx,
    dState: new NDArray(carry, [n_h]),
    delta,
  };
}

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
 * ```ts
 * import { simpleRnnBackward, simpleRnnForward } from "./simple_rnn.ts";
 * import { NDArray } from "../ndarray.ts";
 * import { ok } from "node:assert/strict";
 * const p = {
 *   U: NDArray.full([4, 2], 0.1), W: NDArray.eye(2), b: NDArray.zeros([2]),
 *   V: NDArray.full([2, 3], 0.2), c: NDArray.zeros([3]),
 * };
 * const y = NDArray.full([3, 3], 1 / 3);
 * const fwd = simpleRnnForward(p, NDArray.ones([3, 4]), NDArray.zeros([2]), y);
 * const g = simpleRnnBackward(p, fwd, y);
 * ok(Math.abs(fwd.loss - 3 * Math.log(3)) < 1e-12 && g.V.shape[0] === 2); // keyed like p
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../ndarray.ts";

/** Parameters named as in the document's formulas (TF's kernels, row layout). */
export interface SimpleRnnParams {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
}

/** The forward pass's values, all (T, ·). */
export interface SimpleRnnForward {
  x: NDArray;
  h0: NDArray;
  /** hidden states h_1…h_T */
  h: NDArray;
  /** logits o_t */
  o: NDArray;
  /** softmax outputs ŷ_t */
  yhat: NDArray;
  loss: number;
  /** the targets (T, n_out) the forward pass computed `loss` against, if it was given any */
  y?: NDArray;
}

/** Runs the model over `x` (T, n_in) from `h0` (n_h); `y` (T, n_out) gives the loss. */
export function simpleRnnForward(
  p: SimpleRnnParams,
  x: NDArray,
  h0: NDArray,
  y?: NDArray,
): SimpleRnnForward {
  const [T, n_in] = x.shape;
  const n_h = p.W.shape[0];
  const n_out = p.V.shape[1];
  if (p.U.shape[0] !== n_in || p.U.shape[1] !== n_h || h0.size !== n_h || p.V.shape[0] !== n_h) {
    throw new RangeError(
      `simpleRnnForward: x ${shapeStr(x.shape)}, U ${shapeStr(p.U.shape)}, W ${
        shapeStr(p.W.shape)
      }, V ${shapeStr(p.V.shape)}, h0 ${shapeStr(h0.shape)} do not fit`,
    );
  }
  // Plain loops over Float64Arrays: the sizes are tiny, and allocating an array per
  // operation would cost more than the arithmetic.
  const U = p.U.data, W = p.W.data, b = p.b.data, V = p.V.data, c = p.c.data, X = x.data;
  const H = new Float64Array(T * n_h),
    O = new Float64Array(T * n_out),
    P = new Float64Array(T * n_out);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < n_h; j++) {
      let z = b[j];
      for (let k = 0; k < n_in; k++) z += X[t * n_in + k] * U[k * n_h + j]; // x_t U
      for (let i = 0; i < n_h; i++) z += (t ? H[(t - 1) * n_h + i] : h0.data[i]) * W[i * n_h + j]; // h W
      H[t * n_h + j] = Math.tanh(z);
    }
    let mx = -Infinity;
    for (let q = 0; q < n_out; q++) {
      let o = c[q];
      for (let j = 0; j < n_h; j++) o += H[t * n_h + j] * V[j * n_out + q]; // h V + c
      O[t * n_out + q] = o;
      mx = Math.max(mx, o);
    }
    let sum = 0;
    for (let q = 0; q < n_out; q++) sum += P[t * n_out + q] = Math.exp(O[t * n_out + q] - mx);
    for (let q = 0; q < n_out; q++) {
      P[t * n_out + q] /= sum;
      if (y) loss -= y.data[t * n_out + q] * Math.log(P[t * n_out + q]);
    }
  }
  return {
    x,
    h0: h0.reshape(n_h),
    h: new NDArray(H, [T, n_h]),
    o: new NDArray(O, [T, n_out]),
    yhat: new NDArray(P, [T, n_out]),
    loss,
    y,
  };
}

/**
 * Gradients of the cross-entropy, keyed like the parameters (`U` (n_in, n_h), `W` (n_h, n_h),
 * `b` (n_h), `V` (n_h, n_out), `c` (n_out)) and the initial state `h0` (n_h), plus the rows
 * `delta` (T, n_h), δ_t = ∂L/∂h_t. Under document 002's names: {@link simpleRnnDocumentGradients}.
 */
export interface SimpleRnnGradients {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
  h0: NDArray;
  delta: NDArray;
}

/**
 * The adapter to document 002's names: `{U, W, b, V, c, h0, delta}` →
 * `{dU, dW, db, dV, dc, dh0, delta}` (the same arrays). Inputs / Returns: shapes unchanged.
 */
export function simpleRnnDocumentGradients(g: SimpleRnnGradients) {
  return { delta: g.delta, dU: g.U, dW: g.W, db: g.b, dV: g.V, dc: g.c, dh0: g.h0 };
}

/**
 * Backpropagation through time of {@link simpleRnnForward}'s cross-entropy. Inputs: the
 * parameters, the forward record `f`, the targets `y` (T, n_out). Returns: {@link SimpleRnnGradients}.
 */
export function simpleRnnBackward(
  p: SimpleRnnParams,
  f: SimpleRnnForward,
  y: NDArray,
): SimpleRnnGradients {
  const [T, n_in] = f.x.shape;
  const n_h = p.W.shape[0], n_out = p.V.shape[1];
  const W = p.W.data, V = p.V.data, H = f.h.data, P = f.yhat.data, X = f.x.data;
  const dU = NDArray.zeros(p.U.shape), dW = NDArray.zeros(p.W.shape), db = NDArray.zeros(p.b.shape);
  const dV = NDArray.zeros(p.V.shape), dc = NDArray.zeros(p.c.shape);
  const delta = NDArray.zeros([T, n_h]);
  const dout = new Float64Array(n_out), dz = new Float64Array(n_h);
  let carry = new Float64Array(n_h); // (δ_{t+1} ⊙ (1 − h_{t+1}²)) Wᵀ
  for (let t = T - 1; t >= 0; t--) {
    for (let q = 0; q < n_out; q++) dout[q] = P[t * n_out + q] - y.data[t * n_out + q]; // ŷ − y
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
      const hPrev = t ? H[(t - 1) * n_h + i] : f.h0.data[i];
      for (let j = 0; j < n_h; j++) {
        dW.data[i * n_h + j] += hPrev * dz[j];
        next[i] += dz[j] * W[i * n_h + j]; // dz Wᵀ
      }
    }
    for (let k = 0; k < n_in; k++) {
      for (let j = 0; j < n_h; j++) dU.data[k * n_h + j] += X[t * n_in + k] * dz[j];
    }
    for (let j = 0; j < n_h; j++) db.data[j] += dz[j];
    carry = next;
  }
  return { U: dU, W: dW, b: db, V: dV, c: dc, h0: new NDArray(carry, [n_h]), delta };
}

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
 * ok(Math.abs(fwd.loss - 3 * Math.log(3)) < 1e-12 && g.dV.shape[0] === 2);
 * ```
 *
 * @module
 */

import { NDArray, outer, shapeStr } from "../ndarray.ts";

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
  /** set by the backward pass's caller: the targets used for `loss` */
  y?: NDArray;
}

function softmaxRow(o: NDArray): NDArray {
  const e = o.sub(o.max()).exp();
  return e.div(e.sum());
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
  if (p.U.shape[0] !== n_in || p.U.shape[1] !== n_h || h0.size !== n_h) {
    throw new RangeError(
      `simpleRnnForward: x ${shapeStr(x.shape)}, U ${shapeStr(p.U.shape)}, W ${
        shapeStr(p.W.shape)
      }, h0 ${shapeStr(h0.shape)} do not fit`,
    );
  }
  const hs: NDArray[] = [], os: NDArray[] = [], ys: NDArray[] = [];
  let h = h0.reshape(n_h);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    h = x.take(0, t).dot(p.U).add(h.dot(p.W)).add(p.b).tanh();
    const o = h.dot(p.V).add(p.c);
    const yhat = softmaxRow(o);
    if (y) loss -= y.take(0, t).mul(yhat.log()).sum();
    hs.push(h);
    os.push(o);
    ys.push(yhat);
  }
  const stackRows = (rows: NDArray[]) =>
    new NDArray(Float64Array.from(rows.flatMap((r) => [...r.data])), [rows.length, rows[0].size]);
  return {
    x,
    h0: h0.reshape(n_h),
    h: stackRows(hs),
    o: stackRows(os),
    yhat: stackRows(ys),
    loss,
    y,
  };
}

/** Gradients of the cross-entropy: the δ_t = ∂L/∂h_t rows and every parameter's gradient. */
export function simpleRnnBackward(
  p: SimpleRnnParams,
  f: SimpleRnnForward,
  y: NDArray,
): {
  delta: NDArray;
  dU: NDArray;
  dW: NDArray;
  db: NDArray;
  dV: NDArray;
  dc: NDArray;
  dh0: NDArray;
} {
  const [T] = f.x.shape;
  const n_h = p.W.shape[0];
  const dV = NDArray.zeros(p.V.shape), dc = NDArray.zeros(p.c.shape);
  const dU = NDArray.zeros(p.U.shape), dW = NDArray.zeros(p.W.shape), db = NDArray.zeros(p.b.shape);
  const delta = NDArray.zeros([T, n_h]);
  let carry = NDArray.zeros([n_h]); // (δ_{t+1} ⊙ (1 − h_{t+1}²)) Wᵀ
  let dh0 = NDArray.zeros([n_h]);
  for (let t = T - 1; t >= 0; t--) {
    const dout = f.yhat.take(0, t).sub(y.take(0, t)); // ∂L/∂o_t for softmax + cross-entropy
    const h = f.h.take(0, t);
    const hPrev = t > 0 ? f.h.take(0, t - 1) : f.h0;
    const d = dout.dot(p.V.T).add(carry); // δ_t
    delta.put(0, t, d);
    const dz = d.mul(h.square().neg().add(1)); // δ_t ⊙ σ'(·), σ' = 1 − h²
    dV.data.set(dV.add(outer(h, dout)).data);
    dc.data.set(dc.add(dout).data);
    dW.data.set(dW.add(outer(hPrev, dz)).data);
    dU.data.set(dU.add(outer(f.x.take(0, t), dz)).data);
    db.data.set(db.add(dz).data);
    carry = dz.dot(p.W.T);
    if (t === 0) dh0 = carry;
  }
  return { delta, dU, dW, db, dV, dc, dh0 };
}

/**
 * The course's reference solutions, under the source's names and signatures: the one place
 * where the exercises and the grader reach the library's implementations (`lib/nn`). If the
 * library's functions are renamed or their return values reshaped, only this adapter changes.
 *
 * `deno task exercise N --solution` grades these through the same grader as the learner's
 * functions. Reading them before trying the exercise spoils it.
 *
 * @module
 */

import {
  courseraCellGradients,
  courseraGradients,
  dlstm as lstmStepBackward,
  GRU_PARAM_NAMES,
  gruBackward,
  type GruCache,
  type GruGrads,
  type GruParamName,
  type GruParams,
  rnnBackward,
  RnnCell,
  rnnCellBackward,
  rnnCellForward,
  rnnForward,
  type RnnParameters,
  rtrlGradientW,
  softmax as softmaxColumns,
  type VanillaRnnParams as RnnParams,
} from "../lib/nn/mod.ts";
import { NDArray } from "../lib/numerics/ndarray.ts";
import { svd } from "../lib/numerics/linalg.ts";
import { clipByGlobalNorm } from "../lib/course/optimisers.ts";
import { checkGradients } from "../lib/numerics/gradient_policy.ts";

export type { RnnParameters };

/** The cache of one step, as the source's tuple: `[a_next, a_prev, xt, parameters]`. */
export type CellCache = [NDArray, NDArray, NDArray, RnnParameters];

/** `rnn_cell_forward(xt, a_prev, parameters)` → `[a_next, yt_pred, cache]`. */
export function rnn_cell_forward(
  xt: NDArray,
  a_prev: NDArray,
  parameters: RnnParameters,
): [NDArray, NDArray, CellCache] {
  const r = rnnCellForward(parameters, xt, a_prev);
  const c = r.cache;
  return [r.outputs.a, softmaxColumns(r.outputs.logits), [c.a_next, c.a_prev, c.xt, c.parameters]];
}

/** `rnn_cell_backward(da_next, cache)` → `{dxt, da_prev, dWax, dWaa, dba}`. */
export function rnn_cell_backward(da_next: NDArray, cache: CellCache) {
  const [a_next, a_prev, xt, parameters] = cache;
  return courseraCellGradients(rnnCellBackward({ a: da_next }, { a_next, a_prev, xt, parameters }));
}

/**
 * `softmax(x)`: each column of `x` (one example per column) normalised separately, each
 * column's own maximum subtracted first (with the whole array's maximum, a column whose
 * logits lie ~745 below it underflows to 0 / 0): the library's `softmax`.
 */
export function softmax(x: NDArray): NDArray {
  return softmaxColumns(x);
}

/** `rnn_forward(x, a0, parameters)` → `[a, y_pred, caches]`, `caches = [list of caches, x]`. */
export function rnn_forward(
  x: NDArray,
  a0: NDArray,
  parameters: RnnParameters,
): [NDArray, NDArray, [CellCache[], NDArray]] {
  const r = rnnForward(parameters, x, a0);
  const [cells, xs] = r.cache;
  const y_pred = NDArray.zeros(r.outputs.logits.shape); // the softmax of every step's logits
  for (let t = 0; t < x.shape[2]; t++) {
    y_pred.put(2, t, softmaxColumns(r.outputs.logits.take(2, t)));
  }
  return [r.outputs.a, y_pred, [cells.map((c) => [c.a_next, c.a_prev, c.xt, c.parameters]), xs]];
}

/** `rnn_backward(da, caches)` → `{dx, da0, dWax, dWaa, dba}`. */
export function rnn_backward(da: NDArray, caches: [CellCache[], NDArray]) {
  const [cells, x] = caches;
  return courseraGradients(rnnBackward({ a: da }, [
    cells.map(([a_next, a_prev, xt, parameters]) => ({ a_next, a_prev, xt, parameters })),
    x,
  ]));
}

/**
 * Document 000's `RNNCell`: `call(x, prev_hidden)` for Python's `__call__`, `backward(dh)`,
 * the source's public stacks, and `reset()`, which empties them between sequences.
 */
export class RNNCell {
  #cell: RnnCell;
  constructor(
    readonly weight_ih: NDArray,
    readonly weight_hh: NDArray,
    readonly bias_ih: NDArray,
    readonly bias_hh: NDArray,
  ) {
    this.#cell = new RnnCell(weight_ih, weight_hh, bias_ih, bias_hh);
  }
  call(x: NDArray, prev_hidden: NDArray): NDArray {
    return this.#cell.call(x, prev_hidden);
  }
  backward(dh: NDArray): NDArray[] {
    return this.#cell.backward(dh);
  }
  get dx_list(): NDArray[] {
    return this.#cell.dx_list;
  }
  // The library keeps its stacks private and sums them on demand; the source's stacks are
  // exposed here already summed (one entry each), which is all the source does with them.
  get dw_ih_stack(): NDArray[] {
    return [this.#cell.grads().dW_ih];
  }
  get dw_hh_stack(): NDArray[] {
    return [this.#cell.grads().dW_hh];
  }
  get db_ih_stack(): NDArray[] {
    const db = this.#cell.grads().db_ih;
    return [db.reshape(1, db.size)];
  }
  get db_hh_stack(): NDArray[] {
    const db = this.#cell.grads().db_hh;
    return [db.reshape(1, db.size)];
  }
  get prev_dh(): NDArray {
    return this.#cell.dh0;
  }
  reset(): void {
    this.#cell.reset();
  }
}

/** The post's parameter names (document 003): Wx = U, Wh = W, Bh = b, Wy = V, By = c. */
export interface BpttSelf {
  Wx: NDArray;
  Wh: NDArray;
  Bh: NDArray;
  Wy: NDArray;
  By: NDArray;
}

/** diag(1 − (h^j)²): the Jacobian of tanh at the state h^j. */
export function tanh_jacobian(hj: NDArray): NDArray {
  return NDArray.diag(hj.square().neg().add(1).reshape(-1));
}

/**
 * `sum_over_k(rnn, xt, h0, h, y_hat, y)` → `{U_gradient, W_gradient, B_gradient}`: lesson 6's
 * sum over k, each chain (e^t)ᵀV·J_t·W·J_{t−1}·…·W·J_k with the Jacobians interleaved.
 */
export function sum_over_k(
  rnn: BpttSelf,
  xt: NDArray[],
  h0: NDArray,
  h: NDArray[],
  y_hat: NDArray[],
  y: NDArray[],
): { U_gradient: NDArray; W_gradient: NDArray; B_gradient: NDArray } {
  let U_gradient = NDArray.zeros(rnn.Wx.shape);
  let W_gradient = NDArray.zeros(rnn.Wh.shape);
  let B_gradient = NDArray.zeros(rnn.Bh.shape);
  for (let t = 0; t < xt.length; t++) {
    let row = y_hat[t].sub(y[t]).T.dot(rnn.Wy).dot(tanh_jacobian(h[t])); // ∂L_t/∂net^t
    for (let k = t; k >= 0; k--) {
      const delta = row.T;
      const hPrev = k > 0 ? h[k - 1] : h0;
      U_gradient = U_gradient.add(delta.dot(xt[k].T));
      W_gradient = W_gradient.add(delta.dot(hPrev.T));
      B_gradient = B_gradient.add(delta);
      if (k > 0) row = row.dot(rnn.Wh).dot(tanh_jacobian(h[k - 1])); // one step back
    }
  }
  return { U_gradient, W_gradient, B_gradient };
}

/**
 * `clip_by_global_norm(grads, max_norm)` → `{clipped, norm}` (lib/course/train.ts's
 * clipByGlobalNorm).
 */
export function clip_by_global_norm(grads: Record<string, NDArray>, max_norm: number) {
  const { norm, scale } = clipByGlobalNorm(grads, max_norm);
  const clipped = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.mul(scale)]));
  return { clipped, norm };
}

/** `jacobian_norm(W, h, k)`: ‖D_T W D_{T−1} W ⋯ D_{k+1} W‖₂, h[t] = h_t for t = 0 … T. */
export function jacobian_norm(W: NDArray, h: NDArray[], k: number): number {
  const n = W.shape[0];
  let J = NDArray.eye(n);
  for (let t = h.length - 1; t > k; t--) {
    J = J.mul(h[t].reshape(n).square().neg().add(1)).dot(W); // J · D_t · W
  }
  return svd(J).s.get(0);
}

/** `rtrl_dW(params, xs, h0, h, y_hat, ys)`: ∂L/∂W by forward-mode sensitivities P_t = ∂h^t/∂W. */
export function rtrl_dW(
  params: RnnParams,
  xs: NDArray[],
  h0: NDArray,
  h: NDArray[],
  y_hat: NDArray[],
  ys: NDArray[],
): NDArray {
  // lib/nn/rtrl.ts's RTRL, from the forward pass's states and ∂L/∂o^t = ŷ^t − y^t
  const dOutputs = y_hat.map((y, t) => y.sub(ys[t]));
  return rtrlGradientW(dOutputs, { xs, h0, h, params });
}

/** `spectral_norm(A)`: the largest singular value of A. */
export function spectral_norm(A: NDArray): number {
  return svd(A).s.get(0);
}

// ---------------------------------------------------------------------------------------------
// Exercise 4: document 002's Keras SimpleRNN + Dense + softmax, by hand in row layout.

/** The post's five parameters, as Keras stores them (row layout). */
export interface SimpleRnnSelf {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
}

/**
 * `simple_rnn_forward(params, inputs, init_state)` → `{h_seq, output_seq}`:
 * h_t = tanh(x_t·U + h_{t−1}·W + b), ŷ_t = softmax(h_t·V + c), rows (T, n_h) and (T, n_out).
 */
export function simple_rnn_forward(p: SimpleRnnSelf, inputs: NDArray, init_state: NDArray) {
  const T = inputs.shape[0];
  const hs: number[][] = [];
  const ys: number[][] = [];
  let h = init_state;
  for (let t = 0; t < T; t++) {
    h = inputs.take(0, t).dot(p.U).add(h.dot(p.W)).add(p.b).tanh();
    const o = h.dot(p.V).add(p.c);
    const e = o.sub(o.max()).exp();
    hs.push([...h.data]);
    ys.push([...e.div(e.sum()).data]);
  }
  return { h_seq: NDArray.from(hs), output_seq: NDArray.from(ys) };
}

/**
 * `simple_rnn_backward(params, inputs, init_state, h_seq, output_seq, y_true)` →
 * `{dl_dV, dl_dc, dl_dW, dl_dU, dl_db, delta}`: δ_T = (ŷ_T − y_T)·Vᵀ,
 * δ_t = (ŷ_t − y_t)·Vᵀ + (δ_{t+1} ⊙ (1 − h_{t+1}²))·Wᵀ; `delta` stacks the rows δ_t (T, n_h).
 */
export function simple_rnn_backward(
  p: SimpleRnnSelf,
  inputs: NDArray,
  init_state: NDArray,
  h_seq: NDArray,
  output_seq: NDArray,
  y_true: NDArray,
) {
  const T = inputs.shape[0];
  let dl_dV = NDArray.zeros(p.V.shape), dl_dc = NDArray.zeros(p.c.shape);
  let dl_dW = NDArray.zeros(p.W.shape), dl_dU = NDArray.zeros(p.U.shape);
  let dl_db = NDArray.zeros(p.b.shape);
  const rows: NDArray[] = [];
  let carry = NDArray.zeros(p.b.shape);
  const outer = (a: NDArray, b: NDArray) => a.reshape(-1, 1).dot(b.reshape(1, -1));
  for (let t = T - 1; t >= 0; t--) {
    const h = h_seq.take(0, t);
    const hPrev = t > 0 ? h_seq.take(0, t - 1) : init_state;
    const dout = output_seq.take(0, t).sub(y_true.take(0, t));
    const d = dout.dot(p.V.T).add(carry);
    rows[t] = d;
    const dz = d.mul(h.square().neg().add(1));
    dl_dV = dl_dV.add(outer(h, dout));
    dl_dc = dl_dc.add(dout);
    dl_dW = dl_dW.add(outer(hPrev, dz));
    dl_dU = dl_dU.add(outer(inputs.take(0, t), dz));
    dl_db = dl_db.add(dz);
    carry = dz.dot(p.W.T);
  }
  const delta = NDArray.from(rows.map((r) => [...r.data]));
  return { dl_dV, dl_dc, dl_dW, dl_dU, dl_db, delta };
}

// ---------------------------------------------------------------------------------------------
// Exercise 5 (lesson 5, document 001): one LSTM step's backward and an honest gradient check.

/** What `run(params, h, c)` returns to `check_grad`: the loss from (h, c), the final state, ∂L/∂θ, T. */
export interface LstmRun {
  loss: number;
  h: Float64Array;
  c: Float64Array;
  grads: Record<string, NDArray>;
  /** The number of time steps T. */
  steps: number;
}

/** `dlstm(params, dy, dh_next, dc_next, cache, grads)` → `{dh_prev, dc_prev}`: the library's own
 * step backward (lib/nn/lstm.ts), the same signature. */
export const dlstm = lstmStepBackward;

/**
 * `check_grad(run, params, h, c, delta)` → `{numeric, ok}`: the course's one policy
 * (lib/numerics/gradient_policy.ts's checkGradients, step `delta`), every loss from the same
 * (h, c).
 */
export function check_grad(
  run: (params: Record<string, NDArray>, h: Float64Array, c: Float64Array) => LstmRun,
  params: Record<string, NDArray>,
  h: Float64Array,
  c: Float64Array,
  delta: number,
): { numeric: Record<string, NDArray>; ok: boolean } {
  const analytic = run(params, h, c).grads;
  const verdict = checkGradients(() => run(params, h, c).loss, params, analytic, { h: delta });
  const numeric = Object.fromEntries(verdict.params.map((v) => [
    v.name,
    new NDArray(Float64Array.from(v.entries, (e) => e.numeric), params[v.name].shape),
  ]));
  return { numeric, ok: verdict.ok };
}

// ---------------------------------------------------------------------------------------------
// Exercise 10 (lesson 10): a GRU's backward pass, one step and through time — the library's
// gruBackward (lib/nn/gru.ts, row layout) behind the exercise's column layout.

/** Exercise 10's parameters: W_i· (n_h, n_x), W_h· (n_h, n_h), biases (n_h, 1). */
export type GruColumnParams = Record<GruParamName, NDArray>;
/** Exercise 10's cache of one step (column layout): inputs, gates, m = W_hn h + b_hn, parameters. */
export interface GruColumnCache {
  x: NDArray;
  h_prev: NDArray;
  r: NDArray;
  z: NDArray;
  n: NDArray;
  m: NDArray;
  params: GruColumnParams;
}

/** The library's cache (rows) of the steps `caches` (columns), and the row-layout parameters. */
function gruRowCache(caches: GruColumnCache[]): GruCache {
  const p = caches[0].params;
  const params = Object.fromEntries(
    GRU_PARAM_NAMES.map((k) => [k, k.startsWith("b_") ? p[k].reshape(-1) : p[k]]),
  ) as GruParams;
  const [nx, m] = caches[0].x.shape;
  const rows = (a: NDArray) => Float64Array.from(a.T.data);
  return {
    params,
    resetGate: "after",
    inputs: new NDArray(Float64Array.from(caches.flatMap((c) => [...rows(c.x)])), [
      caches.length,
      m,
      nx,
    ]),
    h: caches.map((c) => rows(c.h_prev)), // h_0 … h_{T−1}: all the backward pass reads
    r: caches.map((c) => rows(c.r)),
    z: caches.map((c) => rows(c.z)),
    n: caches.map((c) => rows(c.n)),
    inner: caches.map((c) => rows(c.m)),
  };
}

/** The library's gradients (rows, biases (n_h)) in the exercise's shapes. */
function gruColumnGrads(g: GruGrads): GruColumnParams {
  return Object.fromEntries(
    GRU_PARAM_NAMES.map((k) => [k, k.startsWith("b_") ? g[k].reshape(-1, 1) : g[k]]),
  ) as GruColumnParams;
}

/** `gru_backward(dh, caches)` → `{dx, dh0, grads}`: lib/nn/gru.ts's gruBackward. */
export function gru_backward(dh: NDArray[], caches: GruColumnCache[]) {
  const T = caches.length, [nh, m] = dh[0].shape, nx = caches[0].x.shape[0];
  const dOutputs = new NDArray(Float64Array.from(dh.flatMap((d) => [...d.T.data])), [T, m, nh]);
  const back = gruBackward(dOutputs, gruRowCache(caches));
  const dx = caches.map((_, t) => back.dInputs.take(0, t).reshape(m, nx).T.copy());
  return { dx, dh0: back.dState.T.copy(), grads: gruColumnGrads(back.grads) };
}

/** `gru_cell_backward(dh_next, cache)` → `{dx, dh_prev, grads}`: one step of the same. */
export function gru_cell_backward(dh_next: NDArray, cache: GruColumnCache) {
  const { dx, dh0, grads } = gru_backward([dh_next], [cache]);
  return { dx: dx[0], dh_prev: dh0, grads };
}

/**
 * The vanilla RNN of the Coursera "Building a Recurrent Neural Network — Step by Step"
 * notebook, in its column layout: `x⟨t⟩` is `(n_x, m)`, `a⟨t⟩` is `(n_a, m)`, one example per
 * column.
 *
 *   a⟨t⟩ = tanh(Wax x⟨t⟩ + Waa a⟨t−1⟩ + ba)
 *   ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by)
 *
 * Forward functions return a `cache`; backward functions take it, as in the notebook.
 *
 * ```ts
 * import { rnnCellForward, rnnCellBackward } from "./rnn_cell.ts";
 * import { NDArray } from "../ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const p = {
 *   Wax: NDArray.zeros([5, 3]), Waa: NDArray.zeros([5, 5]), Wya: NDArray.zeros([2, 5]),
 *   ba: NDArray.zeros([5, 1]), by: NDArray.zeros([2, 1]),
 * };
 * const { a_next, cache } = rnnCellForward(NDArray.zeros([3, 10]), NDArray.zeros([5, 10]), p);
 * deepEqual(a_next.shape, [5, 10]);
 * deepEqual(rnnCellBackward(NDArray.ones([5, 10]), cache).ba.shape, [5, 1]); // keyed like p
 * ```
 *
 * @module
 */

import { dot, expectShape, NDArray, shapeStr } from "../ndarray.ts";
import { softmax } from "./activations.ts";

/** The cell's parameters, named as in the notebook. */
export interface RnnParameters {
  /** (n_a, n_x) */
  Wax: NDArray;
  /** (n_a, n_a) */
  Waa: NDArray;
  /** (n_y, n_a) */
  Wya: NDArray;
  /** (n_a, 1) */
  ba: NDArray;
  /** (n_y, 1) */
  by: NDArray;
}

/** What the forward step keeps for the backward step: `(a_next, a_prev, xt, parameters)`. */
export interface RnnCellCache {
  a_next: NDArray;
  a_prev: NDArray;
  xt: NDArray;
  parameters: RnnParameters;
}

/**
 * Gradients of one cell step, keyed like what they differentiate (the contract of `mod.ts`):
 * the recurrence's parameters `Wax` (n_a, n_x), `Waa` (n_a, n_a), `ba` (n_a, 1) and the inputs
 * `xt` (n_x, m), `a_prev` (n_a, m). `Wya` and `by` have none here: the step's upstream
 * gradient is ∂L/∂a⟨t⟩ only. Under the notebook's names: {@link courseraCellGradients}.
 */
export interface RnnCellGradients {
  xt: NDArray;
  a_prev: NDArray;
  Wax: NDArray;
  Waa: NDArray;
  ba: NDArray;
}

/** The notebook's `rnn_cell_backward` gradients, named as it names them. */
export interface CourseraCellGradients {
  dxt: NDArray;
  da_prev: NDArray;
  dWax: NDArray;
  dWaa: NDArray;
  dba: NDArray;
}

/**
 * The adapter to the notebook's names: `{xt, a_prev, Wax, Waa, ba}` →
 * `{dxt, da_prev, dWax, dWaa, dba}` (the same arrays). Inputs / Returns: shapes unchanged.
 */
export function courseraCellGradients(g: RnnCellGradients): CourseraCellGradients {
  return { dxt: g.xt, da_prev: g.a_prev, dWax: g.Wax, dWaa: g.Waa, dba: g.ba };
}

/**
 * The recurrence shared by every column-layout RNN here (this notebook's `Wax, Waa, ba` and
 * the textbook's `U, W, b` of `vanilla_rnn.ts`): `h = tanh(Wx·x + Wh·h_prev + b)`.
 * Inputs: Wx (n_h, n_x), Wh (n_h, n_h), b (n_h, 1), x (n_x, m), h_prev (n_h, m).
 * Returns: h (n_h, m).
 */
export function tanhRecurrence(
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
  x: NDArray,
  h_prev: NDArray,
): NDArray {
  return dot(Wx, x).add(dot(Wh, h_prev)).add(b).tanh();
}

/**
 * Backward of {@link tanhRecurrence}, given `dh = ∂L/∂h` (n_h, m): with
 * `δ = (1 − h²) ⊙ dh`, `dx = Wxᵀδ` (n_x, m), `dh_prev = Whᵀδ` (n_h, m), `dWx = δ xᵀ`
 * (n_h, n_x), `dWh = δ h_prevᵀ` (n_h, n_h), `db = Σ_columns δ` (n_h, 1).
 */
export function tanhRecurrenceBackward(
  Wx: NDArray,
  Wh: NDArray,
  x: NDArray,
  h_prev: NDArray,
  h: NDArray,
  dh: NDArray,
): { dx: NDArray; dh_prev: NDArray; dWx: NDArray; dWh: NDArray; db: NDArray } {
  const delta = h.square().neg().add(1).mul(dh);
  const dx = dot(Wx.T, delta);
  const dWx = dot(delta, x.T);
  const dh_prev = dot(Wh.T, delta);
  const dWh = dot(delta, h_prev.T);
  const db = delta.sum(-1, true);
  return { dx, dh_prev, dWx, dWh, db };
}

/**
 * Backpropagation through time for {@link tanhRecurrence}, the one BPTT loop of the
 * column-layout models (`rnnBackward` here, `vanillaRnnBackward`). From the last step to the
 * first, the gradient reaching `h[t]` is `above(t)` (what comes from outside at step t, e.g. an
 * output head; `undefined` for nothing) plus the carry `dh_prev` of step t + 1, and the
 * parameter gradients are summed over the steps. `above` is called once per step, last first.
 * Inputs: Wx (n_h, n_x), Wh (n_h, n_h), xs[t] (n_x, m), hPrevs[t] = the state before step t
 * (n_h, m), hs[t] = the state after it (n_h, m). Returns: dxs[t] (n_x, m), dWx (n_h, n_x),
 * dWh (n_h, n_h), db (n_h, 1), dh0 = ∂L/∂hPrevs[0] (n_h, m).
 */
export function tanhRecurrenceBptt(
  Wx: NDArray,
  Wh: NDArray,
  xs: readonly NDArray[],
  hPrevs: readonly NDArray[],
  hs: readonly NDArray[],
  above: (t: number) => NDArray | undefined,
): { dxs: NDArray[]; dWx: NDArray; dWh: NDArray; db: NDArray; dh0: NDArray } {
  const T = xs.length;
  const dxs = new Array<NDArray>(T);
  let dWx = NDArray.zeros(Wx.shape);
  let dWh = NDArray.zeros(Wh.shape);
  let db = NDArray.zeros([Wh.shape[0], 1]);
  let carry = NDArray.zeros(hs[T - 1].shape);
  for (let t = T - 1; t >= 0; t--) {
    const fromAbove = above(t);
    const dh = fromAbove === undefined ? carry : fromAbove.add(carry);
    const g = tanhRecurrenceBackward(Wx, Wh, xs[t], hPrevs[t], hs[t], dh);
    dxs[t] = g.dx;
    dWx = dWx.add(g.dWx);
    dWh = dWh.add(g.dWh);
    db = db.add(g.db);
    carry = g.dh_prev;
  }
  return { dxs, dWx, dWh, db, dh0: carry };
}

function checkParameters(op: string, p: RnnParameters, n_x: number, m: number, a: NDArray) {
  const n_a = p.Waa.shape[0];
  const n_y = p.Wya.shape[0];
  expectShape(op, "Waa", p.Waa, [n_a, n_a]);
  expectShape(op, "Wax", p.Wax, [n_a, n_x]);
  expectShape(op, "Wya", p.Wya, [n_y, n_a]);
  expectShape(op, "ba", p.ba, [n_a, 1]);
  expectShape(op, "by", p.by, [n_y, 1]);
  expectShape(op, "a_prev", a, [n_a, m]);
}

/** One forward step; `softmaxFn` defaults to the notebook's column-wise softmax. */
export function rnnCellForward(
  xt: NDArray,
  a_prev: NDArray,
  parameters: RnnParameters,
  softmaxFn: (z: NDArray) => NDArray = softmax,
): { a_next: NDArray; yt_pred: NDArray; cache: RnnCellCache } {
  if (xt.ndim !== 2) {
    throw new RangeError(`rnnCellForward: xt must be (n_x, m), got ${shapeStr(xt.shape)}`);
  }
  checkParameters("rnnCellForward", parameters, xt.shape[0], xt.shape[1], a_prev);
  const { Wax, Waa, Wya, ba, by } = parameters;
  const a_next = tanhRecurrence(Wax, Waa, ba, xt, a_prev);
  const yt_pred = softmaxFn(dot(Wya, a_next).add(by));
  return { a_next, yt_pred, cache: { a_next, a_prev, xt, parameters } };
}

/**
 * One backward step: given ∂L/∂a⟨t⟩ (`da_next`, `(n_a, m)`), the gradients of the cell's
 * inputs and parameters, keyed like them ({@link RnnCellGradients}). With `dtanh = (1 − a⟨t⟩²) ⊙ da_next`:
 * `dxt = Waxᵀ dtanh`, `da_prev = Waaᵀ dtanh`, `dWax = dtanh xtᵀ`, `dWaa = dtanh a_prevᵀ`,
 * `dba = Σ_columns dtanh`.
 */
export function rnnCellBackward(da_next: NDArray, cache: RnnCellCache): RnnCellGradients {
  const { a_next, a_prev, xt, parameters } = cache;
  const { Wax, Waa } = parameters;
  expectShape("rnnCellBackward", "da_next", da_next, [...a_next.shape]);
  const g = tanhRecurrenceBackward(Wax, Waa, xt, a_prev, a_next, da_next);
  return { xt: g.dx, a_prev: g.dh_prev, Wax: g.dWx, Waa: g.dWh, ba: g.db };
}

/** The caches of a whole sequence: `[list of cell caches, x]`, as the notebook returns. */
export type RnnCaches = [RnnCellCache[], NDArray];

/** Runs the cell over `x` of shape `(n_x, m, T_x)` from `a0` `(n_a, m)`. */
export function rnnForward(
  x: NDArray,
  a0: NDArray,
  parameters: RnnParameters,
  softmaxFn: (z: NDArray) => NDArray = softmax,
): { a: NDArray; y_pred: NDArray; caches: RnnCaches } {
  if (x.ndim !== 3) {
    throw new RangeError(`rnnForward: x must be (n_x, m, T_x), got ${shapeStr(x.shape)}`);
  }
  const [_n_x, m, T_x] = x.shape;
  const [n_y, n_a] = parameters.Wya.shape;
  const a = NDArray.zeros([n_a, m, T_x]);
  const y_pred = NDArray.zeros([n_y, m, T_x]);
  const caches: RnnCellCache[] = [];
  let a_next = a0;
  for (let t = 0; t < T_x; t++) {
    const step = rnnCellForward(x.take(2, t), a_next, parameters, softmaxFn);
    a_next = step.a_next;
    a.put(2, t, a_next);
    y_pred.put(2, t, step.yt_pred);
    caches.push(step.cache);
  }
  return { a, y_pred, caches: [caches, x] };
}

/**
 * Gradients of a whole sequence, keyed like what they differentiate: `x` (n_x, m, T_x),
 * `a0` (n_a, m), `Wax` (n_a, n_x), `Waa` (n_a, n_a), `ba` (n_a, 1). Under the notebook's
 * names: {@link courseraGradients}.
 */
export interface RnnGradients {
  x: NDArray;
  a0: NDArray;
  Wax: NDArray;
  Waa: NDArray;
  ba: NDArray;
}

/** The notebook's `rnn_backward` gradients, named as it names them. */
export interface CourseraGradients {
  dx: NDArray;
  da0: NDArray;
  dWax: NDArray;
  dWaa: NDArray;
  dba: NDArray;
}

/**
 * The adapter to the notebook's names: `{x, a0, Wax, Waa, ba}` → `{dx, da0, dWax, dWaa, dba}`
 * (the same arrays). Inputs / Returns: shapes unchanged.
 */
export function courseraGradients(g: RnnGradients): CourseraGradients {
  return { dx: g.x, da0: g.a0, dWax: g.Wax, dWaa: g.Waa, dba: g.ba };
}

/**
 * Backpropagation through time: `da` `(n_a, m, T_x)` is ∂L/∂a⟨t⟩ coming from above at every
 * step (e.g. from the outputs); the gradient flowing back through `Waa` is added to it step
 * by step, from the last step to the first.
 */
export function rnnBackward(da: NDArray, caches: RnnCaches): RnnGradients {
  const [cells, x] = caches;
  const [n_x, m, T_x] = x.shape;
  const n_a = cells[0].a_next.shape[0];
  expectShape("rnnBackward", "da", da, [n_a, m, T_x]);
  const { Wax, Waa } = cells[0].parameters;
  const g = tanhRecurrenceBptt(
    Wax,
    Waa,
    cells.map((c) => c.xt),
    cells.map((c) => c.a_prev),
    cells.map((c) => c.a_next),
    (t) => da.take(2, t),
  );
  const dx = NDArray.zeros([n_x, m, T_x]);
  g.dxs.forEach((d, t) => dx.put(2, t, d));
  return { x: dx, a0: g.dh0, Wax: g.dWx, Waa: g.dWh, ba: g.db };
}

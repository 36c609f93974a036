/**
 * The vanilla RNN of the Coursera "Building a Recurrent Neural Network — Step by Step"
 * notebook, in its column layout: `x⟨t⟩` is `(n_x, m)`, `a⟨t⟩` is `(n_a, m)`, one example per
 * column.
 *
 *   a⟨t⟩ = tanh(Wax x⟨t⟩ + Waa a⟨t−1⟩ + ba)
 *   ŷ⟨t⟩ = softmax(Wya a⟨t⟩ + by)
 *
 * Forward functions return a `cache`; backward functions take it, as in the notebook. On the
 * contract of `mod.ts`: {@link initRnnParameters}`(rng, sizes)`,
 * {@link rnnCellForward}`(parameters, xt, a_prev)` and {@link rnnForward}`(parameters, x, a0)`
 * → `{ outputs: { a, logits }, state, cache }` — the hidden states and the logits
 * `z⟨t⟩ = Wya a⟨t⟩ + by` (the softmax ŷ = softmax(z) is the lesson's, not the model's) — and
 * {@link rnnCellBackward} / {@link rnnBackward}`(dOutputs, cache) → { grads, dInputs, dState }`
 * with `dOutputs = { a: ∂L/∂a⟨t⟩, logits?: ∂L/∂z⟨t⟩ }`. As in the notebook, `a` is the
 * gradient reaching the states from above (from a loss on them, or from the head when the
 * caller has already pushed it through `Wya`); a `logits` gradient goes through `Wya` here,
 * and gives `Wya`, `by` their gradients (zero without one).
 *
 * ```ts
 * import { rnnCellBackward, rnnCellForward } from "./rnn_cell.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const p = {
 *   Wax: NDArray.zeros([5, 3]), Waa: NDArray.zeros([5, 5]), Wya: NDArray.zeros([2, 5]),
 *   ba: NDArray.zeros([5, 1]), by: NDArray.zeros([2, 1]),
 * };
 * const { outputs, cache } = rnnCellForward(p, NDArray.zeros([3, 10]), NDArray.zeros([5, 10]));
 * deepEqual(outputs.a.shape, [5, 10]);
 * const { grads } = rnnCellBackward({ a: NDArray.ones([5, 10]) }, cache);
 * deepEqual(Object.keys(grads), Object.keys(p)); // keyed exactly like the parameters
 * ```
 *
 * @module
 */

import { dot, expectShape, NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";

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

/** The sizes of the notebook's RNN: input n_x, hidden n_a, output n_y. */
export interface RnnSizes {
  n_x: number;
  n_a: number;
  n_y: number;
}

/**
 * The notebook's test-cell draws, in its order: `Wax`, `Waa`, `Wya`, `ba`, `by`, each
 * `randn`. Inputs: the generator and the sizes. Returns: {@link RnnParameters}.
 */
export function initRnnParameters(rng: RandomState, sizes: RnnSizes): RnnParameters {
  const { n_x, n_a, n_y } = sizes;
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`initRnnParameters: ${k} must be a positive integer, got ${v}`);
    }
  }
  const Wax = rng.randn(n_a, n_x), Waa = rng.randn(n_a, n_a), Wya = rng.randn(n_y, n_a);
  return { Wax, Waa, Wya, ba: rng.randn(n_a, 1), by: rng.randn(n_y, 1) };
}

/** The outputs of a step or a sequence: the hidden states `a` and the logits `z = Wya a + by`. */
export interface RnnOutputs {
  a: NDArray;
  logits: NDArray;
}

/** The upstream gradients: `a` = ∂L/∂a from above, `logits` = ∂L/∂z (optional). */
export interface RnnOutputGradients {
  a: NDArray;
  logits?: NDArray;
}

/**
 * Gradients of one cell step (the contract of `mod.ts`): `grads` keyed exactly like
 * {@link RnnParameters}, `dInputs` = ∂L/∂xt (n_x, m), `dState` = ∂L/∂a_prev (n_a, m).
 * Under the notebook's names: {@link courseraCellGradients}.
 */
export interface RnnCellGradients {
  grads: RnnParameters;
  dInputs: NDArray;
  dState: NDArray;
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
 * The adapter to the notebook's names: `{grads: {Wax, Waa, ba}, dInputs, dState}` →
 * `{dxt, da_prev, dWax, dWaa, dba}` (the same arrays; the notebook has no `dWya`, `dby`).
 * Inputs / Returns: shapes unchanged.
 */
export function courseraCellGradients(g: RnnCellGradients): CourseraCellGradients {
  const { Wax, Waa, ba } = g.grads;
  return { dxt: g.dInputs, da_prev: g.dState, dWax: Wax, dWaa: Waa, dba: ba };
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
 * Backward of {@link tanhRecurrence}, given `dh = ∂L/∂h` (n_h, m). Inputs: Wx (n_h, n_x), Wh
 * (n_h, n_h), x (n_x, m), h_prev (n_h, m), h (n_h, m), dh (n_h, m). Returns, with
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

/**
 * One forward step (the contract's `forward` for one step). Inputs: parameters, xt (n_x, m),
 * a_prev (n_a, m). Returns: `outputs` = `{ a: a⟨t⟩ (n_a, m), logits: Wya a⟨t⟩ + by (n_y, m) }`,
 * `state` = a⟨t⟩, and the cache `(a_next, a_prev, xt, parameters)`.
 */
export function rnnCellForward(
  parameters: RnnParameters,
  xt: NDArray,
  a_prev: NDArray,
): { outputs: RnnOutputs; state: NDArray; cache: RnnCellCache } {
  if (xt.ndim !== 2) {
    throw new RangeError(`rnnCellForward: xt must be (n_x, m), got ${shapeStr(xt.shape)}`);
  }
  checkParameters("rnnCellForward", parameters, xt.shape[0], xt.shape[1], a_prev);
  const { Wax, Waa, Wya, ba, by } = parameters;
  const a_next = tanhRecurrence(Wax, Waa, ba, xt, a_prev);
  const logits = dot(Wya, a_next).add(by);
  return {
    outputs: { a: a_next, logits },
    state: a_next,
    cache: { a_next, a_prev, xt, parameters },
  };
}

/** What reaches a⟨t⟩ from above: `da` plus `Wyaᵀ dz` when a logits gradient is given. */
function fromAbove(Wya: NDArray, da: NDArray, dz: NDArray | undefined): NDArray {
  return dz === undefined ? da : da.add(dot(Wya.T, dz));
}

/**
 * One backward step (the contract's `backward` for one step). Inputs: `dOutputs.a` =
 * ∂L/∂a⟨t⟩ from above (n_a, m), optionally `dOutputs.logits` = ∂L/∂z⟨t⟩ (n_y, m); the cache.
 * With `dtanh = (1 − a⟨t⟩²) ⊙ da`: `dxt = Waxᵀ dtanh`, `da_prev = Waaᵀ dtanh`,
 * `dWax = dtanh xtᵀ`, `dWaa = dtanh a_prevᵀ`, `dba = Σ_columns dtanh`, and from the logits
 * `dWya = dz aᵀ`, `dby = Σ_columns dz` (zeros without them). Returns: {@link RnnCellGradients}.
 */
export function rnnCellBackward(
  dOutputs: RnnOutputGradients,
  cache: RnnCellCache,
): RnnCellGradients {
  const { a_next, a_prev, xt, parameters } = cache;
  const { Wax, Waa, Wya, by } = parameters;
  expectShape("rnnCellBackward", "da_next", dOutputs.a, [...a_next.shape]);
  const dz = dOutputs.logits;
  if (dz !== undefined) {
    expectShape("rnnCellBackward", "dlogits", dz, [Wya.shape[0], a_next.shape[1]]);
  }
  const g = tanhRecurrenceBackward(Wax, Waa, xt, a_prev, a_next, fromAbove(Wya, dOutputs.a, dz));
  return {
    grads: {
      Wax: g.dWx,
      Waa: g.dWh,
      Wya: dz === undefined ? NDArray.zeros(Wya.shape) : dot(dz, a_next.T),
      ba: g.db,
      by: dz === undefined ? NDArray.zeros(by.shape) : dz.sum(-1, true),
    },
    dInputs: g.dx,
    dState: g.dh_prev,
  };
}

/** The caches of a whole sequence: `[list of cell caches, x]`, as the notebook returns. */
export type RnnCaches = [RnnCellCache[], NDArray];

/**
 * Runs the cell over a sequence (the contract's `forward`). Inputs: parameters, x
 * (n_x, m, T_x), a0 (n_a, m; default zeros). Returns: `outputs` = `{ a (n_a, m, T_x), logits
 * (n_y, m, T_x) }`, `state` = a⟨T_x⟩ (n_a, m), and the notebook's caches `[cell caches, x]`.
 */
export function rnnForward(
  parameters: RnnParameters,
  x: NDArray,
  a0: NDArray = NDArray.zeros([parameters.Waa.shape[0], x.shape[1] ?? 1]),
): { outputs: RnnOutputs; state: NDArray; cache: RnnCaches } {
  if (x.ndim !== 3) {
    throw new RangeError(`rnnForward: x must be (n_x, m, T_x), got ${shapeStr(x.shape)}`);
  }
  const [_n_x, m, T_x] = x.shape;
  const [n_y, n_a] = parameters.Wya.shape;
  const a = NDArray.zeros([n_a, m, T_x]);
  const logits = NDArray.zeros([n_y, m, T_x]);
  const caches: RnnCellCache[] = [];
  let a_next = a0;
  for (let t = 0; t < T_x; t++) {
    const step = rnnCellForward(parameters, x.take(2, t), a_next);
    a_next = step.state;
    a.put(2, t, a_next);
    logits.put(2, t, step.outputs.logits);
    caches.push(step.cache);
  }
  return { outputs: { a, logits }, state: a_next, cache: [caches, x] };
}

/**
 * Gradients of a whole sequence: `grads` keyed exactly like {@link RnnParameters},
 * `dInputs` = ∂L/∂x (n_x, m, T_x), `dState` = ∂L/∂a0 (n_a, m). Under the notebook's names:
 * {@link courseraGradients}.
 */
export interface RnnGradients {
  grads: RnnParameters;
  dInputs: NDArray;
  dState: NDArray;
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
 * The adapter to the notebook's names: `{grads: {Wax, Waa, ba}, dInputs, dState}` →
 * `{dx, da0, dWax, dWaa, dba}` (the same arrays). Inputs / Returns: shapes unchanged.
 */
export function courseraGradients(g: RnnGradients): CourseraGradients {
  const { Wax, Waa, ba } = g.grads;
  return { dx: g.dInputs, da0: g.dState, dWax: Wax, dWaa: Waa, dba: ba };
}

/**
 * Backpropagation through time (the contract's `backward`). Inputs: `dOutputs.a`
 * (n_a, m, T_x) = ∂L/∂a⟨t⟩ coming from above at every step, optionally `dOutputs.logits`
 * (n_y, m, T_x) = ∂L/∂z⟨t⟩; the caches of {@link rnnForward}. The gradient flowing back through
 * `Waa` is added to what comes from above step by step, from the last step to the first.
 * Returns: {@link RnnGradients}.
 */
export function rnnBackward(dOutputs: RnnOutputGradients, caches: RnnCaches): RnnGradients {
  const [cells, x] = caches;
  const [n_x, m, T_x] = x.shape;
  const n_a = cells[0].a_next.shape[0];
  const { Wax, Waa, Wya, by } = cells[0].parameters;
  const n_y = Wya.shape[0];
  expectShape("rnnBackward", "da", dOutputs.a, [n_a, m, T_x]);
  const dz = dOutputs.logits;
  if (dz !== undefined) expectShape("rnnBackward", "dlogits", dz, [n_y, m, T_x]);
  let dWya = NDArray.zeros(Wya.shape), dby = NDArray.zeros(by.shape);
  const g = tanhRecurrenceBptt(
    Wax,
    Waa,
    cells.map((c) => c.xt),
    cells.map((c) => c.a_prev),
    cells.map((c) => c.a_next),
    (t) => {
      if (dz === undefined) return dOutputs.a.take(2, t);
      const dzt = dz.take(2, t);
      dWya = dWya.add(dot(dzt, cells[t].a_next.T));
      dby = dby.add(dzt.sum(-1, true));
      return fromAbove(Wya, dOutputs.a.take(2, t), dzt);
    },
  );
  const dx = NDArray.zeros([n_x, m, T_x]);
  g.dxs.forEach((d, t) => dx.put(2, t, d));
  return {
    grads: { Wax: g.dWx, Waa: g.dWh, Wya: dWya, ba: g.db, by: dby },
    dInputs: dx,
    dState: g.dh0,
  };
}

/**
 * Solutions with one mistake each, written the way a learner might (not the grader's own
 * mistake code), for tests/exercise_test.ts: each is the reference with one function replaced.
 *
 * @module
 */

import { dot, type LstmCache, type LstmParams, NDArray, zerosLikeParams } from "../../lib/mod.ts";
import * as ref from "../../exercises/_solutions.ts";

type Cache = ref.CellCache;

/** The cell backward written out by hand, with `change` applied to the gradients. */
function cellBackward(
  da_next: NDArray,
  cache: Cache,
  opts: { skipTanh?: boolean } = {},
): Record<string, NDArray> {
  const [a_next, a_prev, xt, parameters] = cache;
  const dtanh = opts.skipTanh ? da_next : a_next.mul(a_next).mul(-1).add(1).mul(da_next);
  return {
    dxt: parameters.Wax.T.dot(dtanh),
    da_prev: parameters.Waa.T.dot(dtanh),
    dWax: dtanh.dot(xt.T),
    dWaa: dtanh.dot(a_prev.T),
    dba: dtanh.sum(1, true) as NDArray,
  };
}

export const missingTanhDerivative = {
  ...ref,
  rnn_cell_backward: (da: NDArray, c: Cache) => cellBackward(da, c, { skipTanh: true }),
};

export const transposedDWax = {
  ...ref,
  rnn_cell_backward: (da: NDArray, c: Cache) => {
    const g = cellBackward(da, c);
    const dtanh = c[0].mul(c[0]).mul(-1).add(1).mul(da);
    return { ...g, dWax: c[2].dot(dtanh.T) }; // xt · dtanhᵀ
  },
};

export const dbaWrongAxis = {
  ...ref,
  rnn_cell_backward: (da: NDArray, c: Cache) => {
    const g = cellBackward(da, c);
    const dtanh = c[0].mul(c[0]).mul(-1).add(1).mul(da);
    return { ...g, dba: dtanh.sum(0, true) as NDArray };
  },
};

export const dbaNoKeepdims = {
  ...ref,
  rnn_cell_backward: (da: NDArray, c: Cache) => {
    const g = cellBackward(da, c);
    return { ...g, dba: (g.dba as NDArray).reshape(g.dba.size) };
  },
};

export const swappedWeights = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    const a_next = dot(p.Waa, xt).add(dot(p.Wax, a_prev)).add(p.ba).tanh();
    const z = dot(p.Wya, a_next).add(p.by);
    const e = z.sub(z.max(0, true)).exp(); // the hand-out's softmax_columns
    return [a_next, e.div(e.sum(0)), [a_next, a_prev, xt, p]];
  },
};

export const batchSoftmax = {
  ...ref,
  softmax: (a: NDArray) => {
    const e = a.exp();
    return e.div(e.sum() as number);
  },
};

export const noCarry = {
  ...ref,
  rnn_backward: (da: NDArray, caches: [Cache[], NDArray]) => {
    const [cells, x] = caches;
    const [n_x, m, T] = x.shape;
    const dx = NDArray.zeros([n_x, m, T]);
    let sum: Record<string, NDArray> | null = null;
    let da_prev = NDArray.zeros([cells[0][0].shape[0], m]);
    for (let t = T - 1; t >= 0; t--) {
      const g = ref.rnn_cell_backward(da.take(2, t), cells[t]); // forgot + da_prev
      dx.put(2, t, g.dxt);
      sum = sum
        ? { dWax: sum.dWax.add(g.dWax), dWaa: sum.dWaa.add(g.dWaa), dba: sum.dba.add(g.dba) }
        : { dWax: g.dWax, dWaa: g.dWaa, dba: g.dba };
      da_prev = g.da_prev;
    }
    return { dx, da0: da_prev, ...sum! };
  },
};

/** Document 000's class written out, with options for its slips. */
function rnnClass(opts: { carry?: boolean; reset?: boolean }) {
  return class {
    x_stack: NDArray[] = [];
    dx_list: NDArray[] = [];
    dw_ih_stack: NDArray[] = [];
    dw_hh_stack: NDArray[] = [];
    db_ih_stack: NDArray[] = [];
    db_hh_stack: NDArray[] = [];
    prev_hidden_stack: NDArray[] = [];
    next_hidden_stack: NDArray[] = [];
    prev_dh: NDArray | null = null;
    constructor(
      readonly weight_ih: NDArray,
      readonly weight_hh: NDArray,
      readonly bias_ih: NDArray,
      readonly bias_hh: NDArray,
    ) {}
    call(x: NDArray, prev_hidden: NDArray): NDArray {
      this.x_stack.push(x);
      const next_h = x.dot(this.weight_ih.T).add(prev_hidden.dot(this.weight_hh.T))
        .add(this.bias_ih).add(this.bias_hh).tanh();
      this.prev_hidden_stack.push(prev_hidden);
      this.next_hidden_stack.push(next_h);
      this.prev_dh = NDArray.zeros(next_h.shape);
      return next_h;
    }
    backward(dh: NDArray): NDArray[] {
      const x = this.x_stack.pop()!;
      const prev_hidden = this.prev_hidden_stack.pop()!;
      const next_hidden = this.next_hidden_stack.pop()!;
      const incoming = opts.carry === false ? dh : dh.add(this.prev_dh!);
      const d_tanh = incoming.mul(next_hidden.mul(next_hidden).mul(-1).add(1));
      this.prev_dh = d_tanh.dot(this.weight_hh);
      this.dx_list.unshift(d_tanh.dot(this.weight_ih));
      this.dw_ih_stack.push(d_tanh.T.dot(x));
      this.dw_hh_stack.push(d_tanh.T.dot(prev_hidden));
      this.db_ih_stack.push(d_tanh);
      this.db_hh_stack.push(d_tanh);
      return this.dx_list;
    }
    reset(): void {
      if (opts.reset === false) return; // "the document never empties them"
      this.x_stack = [];
      this.dx_list = [];
      this.dw_ih_stack = [];
      this.dw_hh_stack = [];
      this.db_ih_stack = [];
      this.db_hh_stack = [];
      this.prev_hidden_stack = [];
      this.next_hidden_stack = [];
      this.prev_dh = null;
    }
  };
}

export const classWritten = { ...ref, RNNCell: rnnClass({}) };
export const classNoCarry = { ...ref, RNNCell: rnnClass({ carry: false }) };
export const classNoReset = { ...ref, RNNCell: rnnClass({ reset: false }) };

// Faults in learner code, each in one function of exercise 1.

export const throws = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    const z = dot(p.Wax, a_prev); // a_prev where xt belongs: (5,3)·(5,10) does not align
    return [z, z, [z, a_prev, xt, p]];
  },
};

export const returnsNaN = {
  ...ref,
  rnn_cell_backward: (da: NDArray, c: Cache) => {
    const g = cellBackward(da, c);
    const dWaa = g.dWaa.copy();
    dWaa.set([2, 1], dWaa.get(2, 1) * 0 / 0); // a 0 / 0 slipped in
    return { ...g, dWaa };
  },
};

export const wrongShape = {
  ...ref,
  rnn_cell_backward: (da: NDArray, c: Cache) => {
    const g = cellBackward(da, c);
    return { ...g, dxt: g.dxt.T };
  },
};

export const wrongType = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    const [a_next, yt_pred, cache] = ref.rnn_cell_forward(xt, a_prev, p);
    return { a_next, yt_pred, cache };
  },
};

export const neverReturns = {
  ...ref,
  rnn_cell_forward: (): never => {
    let i = 0;
    while (i >= 0) i = (i + 1) % 1000;
    throw new Error("unreachable");
  },
};

/** rnn_backward written correctly, but over a cell backward without (1 − a²). */
export const rnnBackwardOverMissingTanh = {
  ...ref,
  rnn_backward: (da: NDArray, caches: [Cache[], NDArray]) => {
    const [cells, x] = caches;
    const [n_x, m, T] = x.shape;
    const dx = NDArray.zeros([n_x, m, T]);
    const n_a = cells[0][0].shape[0];
    let dWax = NDArray.zeros([n_a, n_x]), dWaa = NDArray.zeros([n_a, n_a]);
    let dba = NDArray.zeros([n_a, 1]), da_prev = NDArray.zeros([n_a, m]);
    for (let t = T - 1; t >= 0; t--) {
      const g = cellBackward(da.take(2, t).add(da_prev), cells[t], { skipTanh: true });
      dx.put(2, t, g.dxt);
      dWax = dWax.add(g.dWax);
      dWaa = dWaa.add(g.dWaa);
      dba = dba.add(g.dba);
      da_prev = g.da_prev;
    }
    return { dx, da0: da_prev, dWax, dWaa, dba };
  },
};

// Exercise 6: the sum over k written out, with the post's slips (document 003, lesson 6).

type Self = ref.BpttSelf;
const jac = (hj: NDArray) => NDArray.diag(NDArray.ones(hj.shape).sub(hj.mul(hj)).reshape(-1));
/** W·W·…·W (n factors), the identity for n = 0. */
const matPow = (W: NDArray, n: number) =>
  Array.from({ length: n }).reduce<NDArray>((acc) => acc.dot(W), NDArray.eye(W.shape[0]));

/** A learner's sum over k: `chain(t, k)` gives ∂L_t/∂net^k as a row; `accumulate` adds it. */
function learnerSumOverK(
  chain: (rnn: Self, h: NDArray[], e: NDArray, t: number, k: number) => NDArray,
  opts: { broadcast?: boolean; currentState?: boolean } = {},
) {
  return (rnn: Self, xt: NDArray[], h0: NDArray, h: NDArray[], y_hat: NDArray[], y: NDArray[]) => {
    let U_gradient = NDArray.zeros(rnn.Wx.shape);
    let W_gradient = NDArray.zeros(rnn.Wh.shape);
    let B_gradient = NDArray.zeros(rnn.Bh.shape);
    for (let t = 0; t < xt.length; t++) {
      const e = y_hat[t].sub(y[t]);
      for (let k = t; k >= 0; k--) {
        const delta = chain(rnn, h, e, t, k).T;
        const state = opts.currentState ? h[k] : (k === 0 ? h0 : h[k - 1]);
        U_gradient = U_gradient.add(delta.dot(xt[k].T));
        W_gradient = opts.broadcast
          ? W_gradient.add(delta.mul(state)) // delta * h: broadcast into every column
          : W_gradient.add(delta.dot(state.T));
        B_gradient = B_gradient.add(delta);
      }
    }
    return { U_gradient, W_gradient, B_gradient };
  };
}

/** eᵀV·J_t·W·J_{t−1}·…·W·J_k, with the Jacobian of step j taken at h[pick(j)]. */
const interleavedChain =
  (pick: (j: number, t: number) => number) =>
  (rnn: Self, h: NDArray[], e: NDArray, t: number, k: number) => {
    let row = e.T.dot(rnn.Wy).dot(jac(h[pick(t, t)]));
    for (let j = t - 1; j >= k; j--) row = row.dot(rnn.Wh).dot(jac(h[pick(j, t)]));
    return row;
  };
/** eᵀV·J_t·…·J_k first, then a power of W. */
const diagonalsChain =
  (power: (W: NDArray, n: number) => NDArray) =>
  (rnn: Self, h: NDArray[], e: NDArray, t: number, k: number) => {
    const ds = h.slice(k, t + 1).reduce((acc, hj) => acc.dot(jac(hj)), e.T.dot(rnn.Wy));
    return ds.dot(power(rnn.Wh, t - k));
  };

export const sumOverKWritten = {
  ...ref,
  sum_over_k: learnerSumOverK(interleavedChain((j) => j)),
};
export const sumOverKNpPower = {
  ...ref,
  sum_over_k: learnerSumOverK(diagonalsChain((W, n) => W.pow(n))), // np.power(W, t - k)
};
export const sumOverKJacobiansFirst = {
  ...ref,
  sum_over_k: learnerSumOverK(diagonalsChain(matPow)),
};
export const sumOverKReduceAtT = {
  ...ref,
  sum_over_k: learnerSumOverK(interleavedChain((_j, t) => t)), // lambda ignores its j
};
export const sumOverKBroadcast = {
  ...ref,
  sum_over_k: learnerSumOverK(interleavedChain((j) => j), { broadcast: true }),
};
export const sumOverKCurrentState = {
  ...ref,
  sum_over_k: learnerSumOverK(interleavedChain((j) => j), { currentState: true }),
};

// Exercise 7: clipping, the Jacobian's norm and RTRL, with lesson 7's two mistakes.

export const clipEachSeparately = {
  ...ref,
  clip_by_global_norm: (grads: Record<string, NDArray>, max_norm: number) => {
    let total = 0;
    const clipped: Record<string, NDArray> = {};
    for (const [name, g] of Object.entries(grads)) {
      const own = Math.sqrt(g.mul(g).sum() as number);
      total += own * own;
      clipped[name] = own > max_norm ? g.mul(max_norm / own) : g; // its own norm, not the global
    }
    return { clipped, norm: Math.sqrt(total) };
  },
};

export const jacobianWithoutTanh = {
  ...ref,
  jacobian_norm: (W: NDArray, h: NDArray[], k: number) => {
    let J = NDArray.eye(W.shape[0]);
    for (let t = k + 1; t < h.length; t++) J = W.dot(J); // forgot diag(1 − h_t²)
    return ref.spectral_norm(J);
  },
};

export const rtrlWithoutTanh = {
  ...ref,
  rtrl_dW: (
    params: { W: NDArray; V: NDArray },
    xs: NDArray[],
    h0: NDArray,
    h: NDArray[],
    y_hat: NDArray[],
    ys: NDArray[],
  ) => {
    const n = params.W.shape[0];
    let P = NDArray.zeros([n, n * n]);
    const dW = NDArray.zeros([n, n]);
    for (let t = 0; t < xs.length; t++) {
      const prev = t === 0 ? h0 : h[t - 1];
      const next = params.W.dot(P);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          next.set([a, a * n + b], next.get(a, a * n + b) + prev.get(b, 0));
        }
      }
      P = next; // forgot to multiply by 1 − (h^t)²
      const g = params.V.T.dot(y_hat[t].sub(ys[t]));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n * n; j++) dW.data[j] += g.get(i, 0) * P.get(i, j);
      }
    }
    return dW;
  },
};

export const rtrlWritten = {
  ...rtrlWithoutTanh,
  rtrl_dW: (
    params: { W: NDArray; V: NDArray },
    xs: NDArray[],
    h0: NDArray,
    h: NDArray[],
    y_hat: NDArray[],
    ys: NDArray[],
  ) => {
    const n = params.W.shape[0];
    let P = NDArray.zeros([n, n * n]);
    const dW = NDArray.zeros([n, n]);
    for (let t = 0; t < xs.length; t++) {
      const prev = t === 0 ? h0 : h[t - 1];
      const next = params.W.dot(P);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          next.set([a, a * n + b], next.get(a, a * n + b) + prev.get(b, 0));
        }
      }
      for (let i = 0; i < n; i++) {
        const d = 1 - h[t].get(i, 0) ** 2;
        for (let j = 0; j < n * n; j++) next.set([i, j], next.get(i, j) * d);
      }
      P = next;
      const g = params.V.T.dot(y_hat[t].sub(ys[t]));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n * n; j++) dW.data[j] += g.get(i, 0) * P.get(i, j);
      }
    }
    return dW;
  },
};

// Exercise 4: document 002's SimpleRNN by hand, with the post's three slips.

type SimpleParams = ref.SimpleRnnSelf;

/** The forward pass entry by entry; `opts` picks the slip. */
function learnerSimpleForward(opts: { outputFromPrevious?: boolean; columns?: boolean } = {}) {
  return (p: SimpleParams, inputs: NDArray, init_state: NDArray) => {
    const [T] = inputs.shape;
    const nH = p.W.shape[0], nOut = p.c.size;
    const h_seq = NDArray.zeros([T, nH]), output_seq = NDArray.zeros([T, nOut]);
    let h = init_state.reshape(nH);
    for (let t = 0; t < T; t++) {
      const x = inputs.take(0, t);
      // columns: U·x + W·h, with Keras's kernels as the formula's U and W
      const z = opts.columns
        ? p.U.dot(x).add(p.W.dot(h)).add(p.b)
        : x.dot(p.U).add(h.dot(p.W)).add(p.b);
      const hNew = z.tanh();
      const read = opts.outputFromPrevious ? h : hNew; // o^(t) = V h^(t−1) + c
      const o = (opts.columns ? p.V.dot(read) : read.dot(p.V)).add(p.c);
      const ex = o.exp();
      const y = ex.div(ex.sum());
      for (let j = 0; j < nH; j++) h_seq.set([t, j], hNew.get(j));
      for (let q = 0; q < nOut; q++) output_seq.set([t, q], y.get(q));
      h = hNew;
    }
    return { h_seq, output_seq };
  };
}

/** The backward pass with the post's column formulas, or the row ones; `opts` picks the slip. */
function learnerSimpleBackward(
  opts: { sigmoidPrime?: boolean; columns?: boolean; dVFromPrevious?: boolean } = {},
) {
  return (
    p: SimpleParams,
    inputs: NDArray,
    init_state: NDArray,
    h_seq: NDArray,
    output_seq: NDArray,
    y_true: NDArray,
  ) => {
    const T = inputs.shape[0];
    const col = (v: NDArray) => v.reshape(v.size, 1);
    const row = (v: NDArray) => v.reshape(1, v.size);
    const g = {
      dl_dV: NDArray.zeros(p.V.shape),
      dl_dc: NDArray.zeros(p.c.shape),
      dl_dW: NDArray.zeros(p.W.shape),
      dl_dU: NDArray.zeros(p.U.shape),
      dl_db: NDArray.zeros(p.b.shape),
    };
    const deltas: NDArray[] = new Array(T);
    let next: NDArray | undefined; // e_{t+1}
    for (let t = T - 1; t >= 0; t--) {
      const h = h_seq.take(0, t);
      const prev = t === 0 ? init_state : h_seq.take(0, t - 1);
      const err = output_seq.take(0, t).sub(y_true.take(0, t));
      let delta = opts.columns ? p.V.T.dot(err) : err.dot(p.V.T); // Vᵀ(ŷ − y) as columns
      if (next) delta = delta.add(opts.columns ? p.W.T.dot(next) : next.dot(p.W.T));
      deltas[t] = delta;
      const deriv = opts.sigmoidPrime ? h.mul(h.mul(-1).add(1)) : h.mul(h).mul(-1).add(1);
      const e = delta.mul(deriv);
      const hV = opts.dVFromPrevious ? prev : h;
      if (opts.columns) {
        g.dl_dV = g.dl_dV.add(col(err).dot(row(hV)));
        g.dl_dW = g.dl_dW.add(col(e).dot(row(prev)));
        g.dl_dU = g.dl_dU.add(col(e).dot(row(inputs.take(0, t))));
      } else {
        g.dl_dV = g.dl_dV.add(col(hV).dot(row(err)));
        g.dl_dW = g.dl_dW.add(col(prev).dot(row(e)));
        g.dl_dU = g.dl_dU.add(col(inputs.take(0, t)).dot(row(e)));
      }
      g.dl_dc = g.dl_dc.add(err);
      g.dl_db = g.dl_db.add(e);
      next = e;
    }
    const delta = NDArray.zeros([T, p.W.shape[0]]);
    deltas.forEach((d, t) => d.data.forEach((v, j) => delta.set([t, j], v)));
    return { ...g, delta };
  };
}

export const simpleRnnWritten = {
  ...ref,
  simple_rnn_forward: learnerSimpleForward(),
  simple_rnn_backward: learnerSimpleBackward(),
};
export const simpleRnnOutputFromPrevious = {
  ...ref,
  simple_rnn_forward: learnerSimpleForward({ outputFromPrevious: true }),
};
export const simpleRnnDVFromPrevious = {
  ...ref,
  simple_rnn_backward: learnerSimpleBackward({ dVFromPrevious: true }),
};
export const simpleRnnSigmoidPrime = {
  ...ref,
  simple_rnn_backward: learnerSimpleBackward({ sigmoidPrime: true }),
};
export const simpleRnnColumnForward = {
  ...ref,
  simple_rnn_forward: learnerSimpleForward({ columns: true }),
};
export const simpleRnnColumnBackward = {
  ...ref,
  simple_rnn_backward: learnerSimpleBackward({ columns: true }),
};
// Exercise 5: a learner's gradient check, written out, with the mistakes lesson 5 explains.

type LstmRun = (
  params: Record<string, NDArray>,
  h: Float64Array,
  c: Float64Array,
) => {
  loss: number;
  h: Float64Array;
  c: Float64Array;
  grads: Record<string, NDArray>;
  steps: number;
};

/** A check by hand: `diff` gives the numerical derivative, `accept` judges one entry. */
function learnerCheck(
  opts: {
    overwrite?: boolean;
    oneSided?: boolean;
    accept: (a: number, n1: number, n2: number, loss: number, d: number, T: number) => boolean;
  },
) {
  return (
    run: LstmRun,
    params: Record<string, NDArray>,
    h: Float64Array,
    c: Float64Array,
    delta: number,
  ) => {
    let state = { h, c };
    const base = run(params, state.h, state.c);
    if (opts.overwrite) state = { h: base.h, c: base.c }; // h, c = the forward pass's final state
    const lossAt = (p: NDArray, i: number, x: number) => {
      const keep = p.data[i];
      p.data[i] = x;
      const l = run(params, state.h, state.c).loss;
      p.data[i] = keep;
      return l;
    };
    const numeric: Record<string, NDArray> = {};
    let ok = true;
    for (const name of Object.keys(params)) {
      const p = params[name];
      const out = new Float64Array(p.size);
      for (let i = 0; i < p.size; i++) {
        const x = p.data[i];
        const n1 = opts.oneSided
          ? (lossAt(p, i, x + delta) - base.loss) / delta
          : (lossAt(p, i, x + delta) - lossAt(p, i, x - delta)) / (2 * delta);
        const n2 = (lossAt(p, i, x + 2 * delta) - lossAt(p, i, x - 2 * delta)) / (4 * delta);
        out[i] = n1;
        if (!opts.accept(base.grads[name].data[i], n1, n2, base.loss, delta, base.steps)) {
          ok = false;
        }
      }
      numeric[name] = new NDArray(out, p.shape);
    }
    return { numeric, ok };
  };
}

/** Lesson 5's criterion: |a − n(δ)| ≤ |n(2δ) − n(δ)|/3 + 1.5·γ_{50T}|L|/δ. */
const lessonCriterion = (
  a: number,
  n1: number,
  n2: number,
  loss: number,
  d: number,
  T: number,
) => {
  const u = 2 ** -53, n = 50 * T;
  const rho = (n * u) / (1 - n * u) * Math.abs(loss);
  return Math.abs(a - n1) <= Math.abs(n2 - n1) / 3 + 1.5 * rho / d;
};

export const checkGradWritten = { ...ref, check_grad: learnerCheck({ accept: lessonCriterion }) };
export const checkGradFixed1e7 = {
  ...ref,
  check_grad: learnerCheck({
    accept: (a, n) => Math.abs(a - n) / (Math.abs(a + n) + 1e-12) < 1e-7, // the question's assert
  }),
};
export const checkGradOverwritesState = {
  ...ref,
  check_grad: learnerCheck({ overwrite: true, accept: lessonCriterion }),
};
export const checkGradOneSided = {
  ...ref,
  check_grad: learnerCheck({ oneSided: true, accept: lessonCriterion }),
};

/** One LSTM step backward written out, optionally forgetting dh_next or dc_next. */
function learnerDlstm(opts: { noDh?: boolean; noDc?: boolean }) {
  return (
    params: Record<string, NDArray>,
    dy: Float64Array,
    dh_next: Float64Array,
    dc_next: Float64Array,
    cache: Record<string, Float64Array>,
    grads: Record<string, NDArray>,
  ) => {
    const { xh, f_sigm: f, i_sigm: i, g_tanh: g, o_sigm: o, c_tanh: tc, c_old, h } = cache;
    const hn = h.length, on = dy.length, rows = xh.length;
    const dh = new Float64Array(hn);
    for (let j = 0; j < hn; j++) {
      for (let q = 0; q < on; q++) {
        grads.Wy.data[j * on + q] += h[j] * dy[q];
        dh[j] += params.Wy.data[j * on + q] * dy[q];
      }
      if (!opts.noDh) dh[j] += dh_next[j];
    }
    for (let q = 0; q < on; q++) grads.by.data[q] += dy[q];
    const dz: Record<string, Float64Array> = {
      f: new Float64Array(hn),
      i: new Float64Array(hn),
      g: new Float64Array(hn),
      o: new Float64Array(hn),
    };
    const dc_prev = new Float64Array(hn);
    for (let j = 0; j < hn; j++) {
      const dc = (opts.noDc ? 0 : dc_next[j]) + dh[j] * o[j] * (1 - tc[j] * tc[j]);
      dz.o[j] = dh[j] * tc[j] * o[j] * (1 - o[j]);
      dz.g[j] = dc * i[j] * (1 - g[j] * g[j]);
      dz.i[j] = dc * g[j] * i[j] * (1 - i[j]);
      dz.f[j] = dc * c_old[j] * f[j] * (1 - f[j]);
      dc_prev[j] = dc * f[j];
    }
    const dxh = new Float64Array(rows);
    for (const k of ["f", "i", "g", "o"]) {
      const W = params[`W${k}`].data, dW = grads[`W${k}`].data, db = grads[`b${k}`].data;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < hn; j++) {
          dW[r * hn + j] += xh[r] * dz[k][j];
          dxh[r] += W[r * hn + j] * dz[k][j];
        }
      }
      for (let j = 0; j < hn; j++) db[j] += dz[k][j];
    }
    return { dh_prev: dxh.slice(rows - hn), dc_prev };
  };
}

export const dlstmWritten = { ...ref, dlstm: learnerDlstm({}) };
export const dlstmNoDhNext = { ...ref, dlstm: learnerDlstm({ noDh: true }) };
export const dlstmNoDcNext = { ...ref, dlstm: learnerDlstm({ noDc: true }) };

// ---------------------------------------------------------------------------------------------
// For tests/grader_classes_test.ts: one file per class of issue 26.

/** Rejects a correct gradient for its own reason (relative 1e-12), not the question's 1e-7. */
export const checkGradTooStrict = {
  ...ref,
  check_grad: learnerCheck({
    accept: (a, n) => Math.abs(a - n) / (Math.abs(a + n) + 1e-12) < 1e-12,
  }),
};

/** A check that never accepts anything. */
export const checkGradNeverPasses = { ...ref, check_grad: learnerCheck({ accept: () => false }) };

/** `dW = …` instead of `dW += …`: each step's gradients overwrite the accumulator. */
export const dlstmAssigns = {
  ...ref,
  dlstm: (
    params: LstmParams,
    dy: Float64Array,
    dh_next: Float64Array,
    dc_next: Float64Array,
    cache: LstmCache,
    grads: LstmParams,
  ) => {
    const mine = zerosLikeParams(params);
    const r = ref.dlstm(params, dy, dh_next, dc_next, cache, mine);
    for (const k of Object.keys(grads) as (keyof LstmParams)[]) grads[k] = mine[k];
    return r;
  },
};

/** The cache stored as [a_prev, a_next, …]; the backward reads the documented order. */
export const cacheOrderSwapped = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    const [a_next, yt_pred] = ref.rnn_cell_forward(xt, a_prev, p);
    return [a_next, yt_pred, [a_prev, a_next, xt, p]];
  },
};

/** exercise 1's old softmax_columns: the whole array's maximum subtracted. */
export const wholeArrayMax = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    const [a_next, , cache] = ref.rnn_cell_forward(xt, a_prev, p);
    const z = dot(p.Wya, a_next).add(p.by);
    const e = z.sub(z.max()).exp();
    return [a_next, e.div(e.sum(0)), cache];
  },
};

/** The correct forward, which also starts a fetch it never awaits (refused: no network). */
export const fetchesInForward = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    fetch("https://example.com/weights.json"); // not awaited: its rejection reaches nobody
    return ref.rnn_cell_forward(xt, a_prev, p);
  },
};

/** The correct backward, which also throws from a timer. */
export const throwsFromTimer = {
  ...ref,
  rnn_cell_backward: (da_next: NDArray, cache: Cache) => {
    setTimeout(() => {
      throw new Error("late");
    }, 0);
    return ref.rnn_cell_backward(da_next, cache);
  },
};

/** The correct forward, which reads a file outside the course and an environment variable. */
export const readsOutside = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    Deno.env.get("HOME");
    return ref.rnn_cell_forward(xt, a_prev, p);
  },
};

/** The correct backward, returning a Float64Array where an NDArray is expected. */
export const typedArrayDxt = {
  ...ref,
  rnn_cell_backward: (da_next: NDArray, cache: Cache) => {
    const g = ref.rnn_cell_backward(da_next, cache);
    return { ...g, dxt: Float64Array.from(g.dxt.data) };
  },
};

/** exercise 2's softmax with the whole array's maximum. */
export function wholeArrayMaxSoftmax(z: NDArray): NDArray {
  const e = z.sub(z.max()).exp();
  return e.div(e.sum(0));
}

/** exercise 1's forward with document 000's softmax over the whole batch. */
export const cellBatchSoftmax = {
  ...ref,
  rnn_cell_forward: (xt: NDArray, a_prev: NDArray, p: ref.RnnParameters) => {
    const [a_next, , cache] = ref.rnn_cell_forward(xt, a_prev, p);
    const z = dot(p.Wya, a_next).add(p.by);
    return [a_next, z.exp().div(z.exp().sum() as number), cache];
  },
};

/** Every gradient twice what it should be: wrong everywhere, no known mistake. */
export const doubledGradients = {
  ...ref,
  rnn_cell_backward: (da_next: NDArray, cache: Cache) => {
    const g = ref.rnn_cell_backward(da_next, cache);
    return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.mul(2)]));
  },
};

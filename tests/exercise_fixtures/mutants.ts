/**
 * Solutions with one mistake each, written the way a learner might (not the grader's own
 * mistake code), for tests/exercise_test.ts: each is the reference with one function replaced.
 *
 * @module
 */

import { dot, NDArray } from "../../lib/mod.ts";
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
    const e = z.sub(z.max()).exp();
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

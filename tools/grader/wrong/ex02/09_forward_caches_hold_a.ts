// Exercise 2, rnn_forward: caches = [list, a] instead of [list, x].
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
// expect-named: rnn_forward: caches
import { NDArray } from "../../../../lib/mod.ts";
// Exercise 1's functions, solved (the reference solutions stand in for the learner's exercise 1).
import {
  type CellCache as Cache,
  rnn_cell_backward,
  rnn_cell_forward,
  type RnnParameters as Parameters,
} from "../../../../exercises/_solutions.ts";

/** What `rnn_forward` returns as `caches`: `[list of the steps' caches, x]`. */
export type Caches = [Cache[], NDArray];

export function softmax(x: NDArray): NDArray {
  const e = x.sub(x.max(0, true)).exp();
  return e.div(e.sum(0, true));
}

export function rnn_forward(
  x: NDArray,
  a0: NDArray,
  parameters: Parameters,
): [NDArray, NDArray, Caches] {
  const [_n_x, m, T_x] = x.shape;
  const [n_y, n_a] = parameters.Wya.shape;
  const a = NDArray.zeros([n_a, m, T_x]);
  const y_pred = NDArray.zeros([n_y, m, T_x]);
  const caches: Cache[] = [];
  let a_next = a0;
  for (let t = 0; t < T_x; t++) {
    const [a_t, yt_pred, cache] = rnn_cell_forward(x.take(2, t), a_next, parameters);
    a_next = a_t;
    a.put(2, t, a_next);
    y_pred.put(2, t, yt_pred);
    caches.push(cache);
  }
  return [a, y_pred, [caches, a]];
}

export function rnn_backward(
  da: NDArray,
  caches: Caches,
): { dx: NDArray; da0: NDArray; dWax: NDArray; dWaa: NDArray; dba: NDArray } {
  const [cells, x] = caches;
  const [n_x, m, T_x] = x.shape;
  const parameters = cells[0][3];
  const n_a = parameters.Waa.shape[0];
  const dx = NDArray.zeros([n_x, m, T_x]);
  let dWax = NDArray.zeros([n_a, n_x]);
  let dWaa = NDArray.zeros([n_a, n_a]);
  let dba = NDArray.zeros([n_a, 1]);
  let da_prevt = NDArray.zeros([n_a, m]);
  for (let t = T_x - 1; t >= 0; t--) {
    const g = rnn_cell_backward(da.take(2, t).add(da_prevt), cells[t]);
    dx.put(2, t, g.dxt);
    dWax = dWax.add(g.dWax);
    dWaa = dWaa.add(g.dWaa);
    dba = dba.add(g.dba);
    da_prevt = g.da_prev;
  }
  const da0 = da_prevt;
  return { dx, da0, dWax, dWaa, dba };
}

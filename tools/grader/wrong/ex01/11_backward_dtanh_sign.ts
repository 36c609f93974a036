// Exercise 1, rnn_cell_backward: tanh's derivative with its sign flipped: (a² − 1).
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
import { dot, NDArray } from "../../../../lib/mod.ts";

/** The cell's parameters, as the source's `parameters` dictionary. */
export interface Parameters {
  Wax: NDArray;
  Waa: NDArray;
  Wya: NDArray;
  ba: NDArray;
  by: NDArray;
}

/** What the forward step keeps for the backward step, as the source's tuple. */
export type Cache = [a_next: NDArray, a_prev: NDArray, xt: NDArray, parameters: Parameters];

/** Given: the softmax of each column of `z` (each example separately). */
export function softmax_columns(z: NDArray): NDArray {
  const e = z.sub(z.max(0, true)).exp();
  return e.div(e.sum(0, true));
}

export function rnn_cell_forward(
  xt: NDArray,
  a_prev: NDArray,
  parameters: Parameters,
): [NDArray, NDArray, Cache] {
  const { Wax, Waa, Wya, ba, by } = parameters;
  const a_next = dot(Wax, xt).add(dot(Waa, a_prev)).add(ba).tanh();
  const yt_pred = softmax_columns(dot(Wya, a_next).add(by));
  const cache: Cache = [a_next, a_prev, xt, parameters];
  return [a_next, yt_pred, cache];
}

export function rnn_cell_backward(
  da_next: NDArray,
  cache: Cache,
): { dxt: NDArray; da_prev: NDArray; dWax: NDArray; dWaa: NDArray; dba: NDArray } {
  const [a_next, a_prev, xt, parameters] = cache;
  const { Wax, Waa } = parameters;
  const dtanh = a_next.square().sub(1).mul(da_next);
  const dxt = dot(Wax.T, dtanh);
  const dWax = dot(dtanh, xt.T);
  const da_prev = dot(Waa.T, dtanh);
  const dWaa = dot(dtanh, a_prev.T);
  const dba = dtanh.sum(1, true) as NDArray;
  return { dxt, da_prev, dWax, dWaa, dba };
}

// Exercise 4, simple_rnn_forward: output_seq holds the logits o_t, the softmax never applied.
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
// expect-named: simple_rnn_forward: output_seq
import { NDArray } from "../../../../lib/mod.ts";

/** The post's five parameters, in Keras's row layout. */
export interface Params {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
}

function softmaxRow(o: NDArray): NDArray {
  const e = o.sub(o.max() as number).exp();
  return e.div(e.sum() as number);
}

/** The outer product of two vectors: a column times a row. */
function outer(a: NDArray, b: NDArray): NDArray {
  return a.reshape(-1, 1).dot(b.reshape(1, -1));
}

export function simple_rnn_forward(
  params: Params,
  inputs: NDArray,
  init_state: NDArray,
): { h_seq: NDArray; output_seq: NDArray } {
  const { U, W, b, V, c } = params;
  const T = inputs.shape[0];
  const h_seq = NDArray.zeros([T, W.shape[0]]);
  const output_seq = NDArray.zeros([T, V.shape[1]]);
  let h = init_state;
  for (let t = 0; t < T; t++) {
    const x = inputs.take(0, t);
    h = x.dot(U).add(h.dot(W)).add(b).tanh();
    const o = h.dot(V).add(c);
    h_seq.put(0, t, h);
    output_seq.put(0, t, o);
  }
  return { h_seq, output_seq };
}

export function simple_rnn_backward(
  params: Params,
  inputs: NDArray,
  init_state: NDArray,
  h_seq: NDArray,
  output_seq: NDArray,
  y_true: NDArray,
): {
  dl_dV: NDArray;
  dl_dc: NDArray;
  dl_dW: NDArray;
  dl_dU: NDArray;
  dl_db: NDArray;
  delta: NDArray;
} {
  const { U, W, b, V, c } = params;
  const T = inputs.shape[0];
  let dl_dV = NDArray.zeros(V.shape);
  let dl_dc = NDArray.zeros(c.shape);
  let dl_dW = NDArray.zeros(W.shape);
  let dl_dU = NDArray.zeros(U.shape);
  let dl_db = NDArray.zeros(b.shape);
  const delta = NDArray.zeros([T, W.shape[0]]);
  let e_next = NDArray.zeros(b.shape);
  for (let t = T - 1; t >= 0; t--) {
    const h = h_seq.take(0, t);
    const h_prev = t > 0 ? h_seq.take(0, t - 1) : init_state;
    const dout = output_seq.take(0, t).sub(y_true.take(0, t));
    const d = dout.dot(V.T).add(e_next.dot(W.T));
    delta.put(0, t, d);
    const e = d.mul(h.square().neg().add(1));
    dl_dV = dl_dV.add(outer(h, dout));
    dl_dc = dl_dc.add(dout);
    dl_dW = dl_dW.add(outer(h_prev, e));
    dl_dU = dl_dU.add(outer(inputs.take(0, t), e));
    dl_db = dl_db.add(e);
    e_next = e;
  }
  return { dl_dV, dl_dc, dl_dW, dl_dU, dl_db, delta };
}

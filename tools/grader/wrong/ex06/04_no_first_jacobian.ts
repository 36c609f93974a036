// Exercise 6, sum_over_k: the chain starts without J_t: (e^t)ᵀ V alone.
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
import { NDArray } from "../../../../lib/mod.ts";

/** The post's five parameters, under the names its code uses. */
export interface Self {
  Wx: NDArray;
  Wh: NDArray;
  Bh: NDArray;
  Wy: NDArray;
  By: NDArray;
}

/** Given: ∂h^j/∂net^j = diag(1 − (h^j)²), the Jacobian of tanh at a state `hj` (n_h, 1). */
export function tanh_jacobian(hj: NDArray): NDArray {
  return NDArray.diag(hj.square().neg().add(1).reshape(-1));
}

export function sum_over_k(
  rnn: Self,
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
    const e = y_hat[t].sub(y[t]);
    let row = e.T.dot(rnn.Wy);
    for (let k = t; k >= 0; k--) {
      const delta = row.T;
      const h_before = k > 0 ? h[k - 1] : h0;
      U_gradient = U_gradient.add(delta.dot(xt[k].T));
      W_gradient = W_gradient.add(delta.dot(h_before.T));
      B_gradient = B_gradient.add(delta);
      if (k > 0) row = row.dot(rnn.Wh).dot(tanh_jacobian(h[k - 1]));
    }
  }
  return { U_gradient, W_gradient, B_gradient };
}

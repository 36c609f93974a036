// Exercise 7, jacobian_norm: D_t = diag(1 − h_t) (the square forgotten).
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
import { NDArray, svd } from "../../../../lib/mod.ts";

/** The vanilla RNN's parameters: U (n_h, n_x), W (n_h, n_h), b (n_h, 1), V (n_y, n_h), c (n_y, 1). */
export interface Params {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
}

/** Given: the spectral norm ‖A‖₂ (the largest singular value) of a square matrix. */
export function spectral_norm(A: NDArray): number {
  return svd(A).s.get(0);
}

export function clip_by_global_norm(
  grads: Record<string, NDArray>,
  max_norm: number,
): { clipped: Record<string, NDArray>; norm: number } {
  let sumsq = 0;
  for (const g of Object.values(grads)) {
    for (const v of g.data) sumsq += v * v;
  }
  const norm = Math.sqrt(sumsq);
  const clipped: Record<string, NDArray> = {};
  for (const [name, g] of Object.entries(grads)) {
    clipped[name] = norm > max_norm ? g.mul(max_norm / norm) : g.copy();
  }
  return { clipped, norm };
}

export function jacobian_norm(W: NDArray, h: NDArray[], k: number): number {
  const n = W.shape[0];
  const T = h.length - 1;
  let J = NDArray.eye(n);
  for (let t = T; t > k; t--) {
    const D = NDArray.diag(h[t].reshape(n).neg().add(1));
    J = J.dot(D).dot(W);
  }
  return spectral_norm(J);
}

export function rtrl_dW(
  params: Params,
  xs: NDArray[],
  h0: NDArray,
  h: NDArray[],
  y_hat: NDArray[],
  ys: NDArray[],
): NDArray {
  const n = params.W.shape[0];
  let P = NDArray.zeros([n, n * n]);
  let dW = NDArray.zeros([n, n]);
  let h_prev = h0.reshape(n);
  for (let t = 0; t < xs.length; t++) {
    const ht = h[t].reshape(n);
    const E = NDArray.zeros([n, n * n]);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) E.set([a, a * n + b], h_prev.get(b));
    }
    const D = NDArray.diag(ht.square().neg().add(1));
    P = D.dot(E.add(params.W.dot(P)));
    const dLdh = params.V.T.dot(y_hat[t].sub(ys[t]));
    dW = dW.add(dLdh.reshape(1, n).dot(P).reshape(n, n));
    h_prev = ht;
  }
  return dW;
}

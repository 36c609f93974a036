// %% [markdown]
// # Exercise 6 · BPTT as the sum over k
//
// Lesson 6 (document 003) writes the gradient of a vanilla RNN as a sum over the earlier steps
// $k$ of chains of Jacobians, and shows that the post's code got that sum wrong in five ways.
// Here you write the sum correctly. Replace the `// YOUR CODE HERE` and the `throw` below it,
// then run `deno task exercise 6`; `git checkout exercises/` puts the stub back.
//
// The model, in column layout (one example, so every vector is a column):
//
// $$net^t = U x^t + W h^{t-1} + b,\qquad h^t = \tanh(net^t),\qquad o^t = V h^t + c,\qquad
//   \hat y^t = \operatorname{softmax}(o^t),\qquad L = \sum_t L_t .$$
//
// The parameters come under the post's names: `rnn.Wx` is $U$ $(n_h, n_x)$, `rnn.Wh` is $W$
// $(n_h, n_h)$, `rnn.Bh` is $b$ $(n_h, 1)$, `rnn.Wy` is $V$ $(n_y, n_h)$, `rnn.By` is $c$.
// `xt[t]`, `h[t]`, `y_hat[t]`, `y[t]` are columns, and `h[t]` is the state *after* step `t`
// (0-based: `h[0]` is $h^1$); the state before the first step is `h0`.

// %%
import { NDArray } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

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

// %% [markdown]
// ## `sum_over_k(rnn, xt, h0, h, y_hat, y)`
//
// With $e^t = \hat y^t - y^t$ and $J_j$ = `tanh_jacobian(h^j)`, the loss at step $t$ reaches
// $net^k$ ($k \le t$) through the row vector
//
// $$\frac{\partial L_t}{\partial net^k} = (e^t)^\top V\; J_t\, W\, J_{t-1}\, W \cdots W\, J_k ,$$
//
// the Jacobians **interleaved** with the $W$ factors (one $W$ per step back). As a column
// $\delta_{t,k}$, it gives
//
// $$\frac{\partial L}{\partial U} = \sum_t\sum_{k\le t} \delta_{t,k}\,(x^k)^\top,\qquad
//   \frac{\partial L}{\partial W} = \sum_t\sum_{k\le t} \delta_{t,k}\,(h^{k-1})^\top,\qquad
//   \frac{\partial L}{\partial b} = \sum_t\sum_{k\le t} \delta_{t,k}.$$
//
// Return `{U_gradient, W_gradient, B_gradient}` (the post's names), shaped like `Wx`, `Wh` and
// `Bh`. The grader compares them with BPTT (the δ recursion of lesson 6, section 1) to 1e-12
// relative, and names the post's slips if you make one of them.

// %%
export function sum_over_k(
  rnn: Self,
  xt: NDArray[],
  h0: NDArray,
  h: NDArray[],
  y_hat: NDArray[],
  y: NDArray[],
): { U_gradient: NDArray; W_gradient: NDArray; B_gradient: NDArray } {
  // YOUR CODE HERE
  throw new NotImplemented("sum_over_k");
}

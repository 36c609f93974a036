// %% [markdown]
// # Exercise 7 · Clipping, the Jacobian's norm, and RTRL
//
// Three functions of lesson 7. Replace each `// YOUR CODE HERE` and the `throw` below it, then
// run `deno task exercise 7`; `git checkout exercises/` puts the stubs back.
//
// The model is lesson 6's vanilla RNN in column layout, `params = {U, W, b, V, c}`:
// $h^t = \tanh(U x^t + W h^{t-1} + b)$, $\hat y^t = \operatorname{softmax}(V h^t + c)$,
// $L = \sum_t L_t$ (cross-entropy at every step).

// %%
import { NDArray, svd } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

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

// %% [markdown]
// ## `clip_by_global_norm(grads, max_norm)`
//
// `grads` maps names to gradient arrays. Their **global** norm is
// $\|g\| = \sqrt{\sum_{\text{arrays}}\sum_{\text{entries}} g^2}$, one number for all of them.
// If $\|g\| >$ `max_norm`, scale *every* array by the same factor `max_norm / ‖g‖`, so the
// direction of the whole gradient is kept; otherwise return them unchanged. (All zeros: the
// norm is 0, nothing to clip — and no 0/0.)
//
// Return `{clipped, norm}`: `clipped` keyed like `grads`, and `norm` the global norm *before*
// clipping. Do not modify `grads`.

// %%
export function clip_by_global_norm(
  grads: Record<string, NDArray>,
  max_norm: number,
): { clipped: Record<string, NDArray>; norm: number } {
  // YOUR CODE HERE
  throw new NotImplemented("clip_by_global_norm");
}

// %% [markdown]
// ## `jacobian_norm(W, h, k)`
//
// For $h_t = \tanh(W h_{t-1} + \text{input}_t)$, with `h[t]` $= h_t$ for $t = 0, \dots, T$
// (vectors of length $n$; $T$ = `h.length − 1`) and $D_t = \operatorname{diag}(1 - h_t^2)$:
//
// $$\frac{\partial h_T}{\partial h_k} = D_T\,W\,D_{T-1}\,W \cdots D_{k+1}\,W .$$
//
// Return its spectral norm (use `spectral_norm`) for $0 \le k < T$.

// %%
export function jacobian_norm(W: NDArray, h: NDArray[], k: number): number {
  // YOUR CODE HERE
  throw new NotImplemented("jacobian_norm");
}

// %% [markdown]
// ## `rtrl_dW(params, xs, h0, h, y_hat, ys)`
//
// Real-time recurrent learning: carry the sensitivity $P_t = \partial h^t/\partial W$ forward
// with the state. Store it as an $(n_h, n_h \cdot n_h)$ array, `P[i][a * n_h + b]` =
// $\partial h^t_i/\partial W_{ab}$. From $P_0 = 0$:
//
// $$P_t = D_t\big(E_t + W P_{t-1}\big),\qquad (E_t)_{i,\,ab} = [i = a]\,h^{t-1}_b,\qquad
//   D_t = \operatorname{diag}\big(1 - (h^t)^2\big),$$
//
// and accumulate $\partial L/\partial W \mathrel{+}= \big(V^\top(\hat y^t - y^t)\big)^\top P_t$
// (reshaped to $(n_h, n_h)$) at each step. `h[t]` and `y_hat[t]` are the forward pass's
// columns after step `t` (0-based), `h0` the initial state. Return $\partial L/\partial W$,
// $(n_h, n_h)$; the grader compares it with BPTT.

// %%
export function rtrl_dW(
  params: Params,
  xs: NDArray[],
  h0: NDArray,
  h: NDArray[],
  y_hat: NDArray[],
  ys: NDArray[],
): NDArray {
  // YOUR CODE HERE
  throw new NotImplemented("rtrl_dW");
}

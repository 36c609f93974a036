// %% [markdown]
// # Exercise 10 · A GRU by hand
//
// Write the backward pass lesson 10 derives: one step, then backpropagation through time.
// Replace each `// YOUR CODE HERE` and the `throw` below it, then run `deno task exercise 10`.
// `git checkout exercises/` puts the stubs back.
//
// **The model** is PyTorch's GRU (the reset gate applied *after* the recurrent product), for
// a batch in **column layout** — one example per column, $m$ examples, $n_x$ inputs, $n_h$
// hidden units: `x` is $(n_x, m)$, `h_prev` $(n_h, m)$, and `params` holds `W_ir`, `W_iz`,
// `W_in` $(n_h, n_x)$, `W_hr`, `W_hz`, `W_hn` $(n_h, n_h)$ and six biases $(n_h, 1)$:
//
// $$r = \sigma(W^{ir}x + b^{ir} + W^{hr}h + b^{hr}),\quad z = \sigma(W^{iz}x + b^{iz} + W^{hz}h + b^{hz}),$$
// $$m = W^{hn}h + b^{hn},\quad n = \tanh(W^{in}x + b^{in} + r\odot m),\quad h' = (1-z)\odot n + z\odot h.$$
//
// `gru_cell_forward` below is given; its `cache` holds what the backward step needs.
//
// The library gives you `NDArray` (numpy's semantics: `a.dot(b)`, `a.T`, `a.add(b)` with
// broadcasting, `a.mul(b)` elementwise, `a.square()`, `a.neg()`, `a.sum(axis, keepdims)`,
// `NDArray.zeros(shape)`) and `sigmoid`.

// %%
import { NDArray, sigmoid } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

/** The GRU's parameters, named as PyTorch's documentation of `torch.nn.GRU` names them. */
export interface GruParams {
  W_ir: NDArray;
  W_iz: NDArray;
  W_in: NDArray;
  W_hr: NDArray;
  W_hz: NDArray;
  W_hn: NDArray;
  b_ir: NDArray;
  b_iz: NDArray;
  b_in: NDArray;
  b_hr: NDArray;
  b_hz: NDArray;
  b_hn: NDArray;
}

/** What one forward step keeps: its inputs, its gates, m = W_hn h + b_hn, and the parameters. */
export interface GruCache {
  x: NDArray;
  h_prev: NDArray;
  r: NDArray;
  z: NDArray;
  n: NDArray;
  m: NDArray;
  params: GruParams;
}

/** Given: one step forward. x (n_x, m), h_prev (n_h, m) → h_next (n_h, m) and the cache. */
export function gru_cell_forward(
  x: NDArray,
  h_prev: NDArray,
  params: GruParams,
): { h_next: NDArray; cache: GruCache } {
  const p = params;
  const r = sigmoid(p.W_ir.dot(x).add(p.b_ir).add(p.W_hr.dot(h_prev)).add(p.b_hr));
  const z = sigmoid(p.W_iz.dot(x).add(p.b_iz).add(p.W_hz.dot(h_prev)).add(p.b_hz));
  const m = p.W_hn.dot(h_prev).add(p.b_hn);
  const n = p.W_in.dot(x).add(p.b_in).add(r.mul(m)).tanh();
  const h_next = z.neg().add(1).mul(n).add(z.mul(h_prev));
  return { h_next, cache: { x, h_prev, r, z, n, m, params } };
}

// %% [markdown]
// ## `gru_cell_backward(dh_next, cache)`
//
// Given `dh_next` $= \partial L/\partial h'$ $(n_h, m)$ — everything that reaches the new state —
// return `{ dx, dh_prev, grads }`: $\partial L/\partial x$ $(n_x, m)$, $\partial L/\partial h$
// $(n_h, m)$ (the direct path through $z\odot h$ *and* the three products of $h$), and `grads`
// keyed exactly like the parameters, each of its parameter's shape (the biases summed over the
// batch's columns). Lesson 10's section 2 derives every line.

// %%
export function gru_cell_backward(
  dh_next: NDArray,
  cache: GruCache,
): { dx: NDArray; dh_prev: NDArray; grads: GruParams } {
  // YOUR CODE HERE
  throw new NotImplemented("gru_cell_backward");
}

// %% [markdown]
// ## `gru_backward(dh, caches)`
//
// Backpropagation through time over $T$ steps. `caches[t]` is step $t$'s cache
// ($t = 0 \dots T-1$) and `dh[t]` $(n_h, m)$ is $e_t = \partial \ell_t/\partial h_t$, the gradient
// of the loss with respect to step $t$'s output *directly* (not through later steps). Return
// `{ dx, dh0, grads }`: `dx[t]` $(n_x, m)$ for every step, `dh0` $= \partial L/\partial h_0$
// $(n_h, m)$, and the parameter gradients summed over the steps. Use `gru_cell_backward`.

// %%
export function gru_backward(
  dh: NDArray[],
  caches: GruCache[],
): { dx: NDArray[]; dh0: NDArray; grads: GruParams } {
  // YOUR CODE HERE
  throw new NotImplemented("gru_backward");
}

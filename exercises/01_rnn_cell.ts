// %% [markdown]
// # Exercise 1 · One RNN cell, forward and backward
//
// Write the two functions lesson 1 derives, under the names and signatures of document 000
// (the Coursera notebook's graded functions). Replace each `// YOUR CODE HERE` and the `throw`
// below it, then run `deno task exercise 1`. `git checkout exercises/` puts the stubs back.
//
// **Column layout**: one example per column. With $m$ examples, $n_x$ inputs, $n_a$ hidden
// units and $n_y$ outputs: `xt` is $(n_x, m)$, `a_prev` $(n_a, m)$, and `parameters` holds
// `Wax` $(n_a, n_x)$, `Waa` $(n_a, n_a)$, `Wya` $(n_y, n_a)$, `ba` $(n_a, 1)$, `by` $(n_y, 1)$.
//
// The library gives you `NDArray` (numpy's semantics: `a.dot(b)` or `dot(a, b)`, `a.T`,
// `a.add(b)` with broadcasting, `a.mul(b)` elementwise, `a.tanh()`, `a.square()`,
// `a.sum(axis, keepdims)`, `a.neg()`), and `softmax_columns` below.

// %%
import { dot, NDArray } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

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

/**
 * Given: the softmax of each column of `z` (each example separately), each column shifted by
 * its own maximum so that `exp` neither overflows nor leaves a column summing to 0.
 */
export function softmax_columns(z: NDArray): NDArray {
  const e = z.sub(z.max(0, true)).exp();
  return e.div(e.sum(0));
}

// %% [markdown]
// ## `rnn_cell_forward(xt, a_prev, parameters)`
//
// $$a^{\langle t\rangle} = \tanh\left(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b_a\right),\qquad
//   \hat y^{\langle t\rangle} = \operatorname{softmax}\left(W_{ya}a^{\langle t\rangle} + b_y\right)$$
//
// Return `[a_next, yt_pred, cache]`: `a_next` $(n_a, m)$, `yt_pred` $(n_y, m)$ (use
// `softmax_columns`), and `cache = [a_next, a_prev, xt, parameters]`.

// %%
export function rnn_cell_forward(
  xt: NDArray,
  a_prev: NDArray,
  parameters: Parameters,
): [NDArray, NDArray, Cache] {
  // YOUR CODE HERE
  throw new NotImplemented("rnn_cell_forward");
}

// %% [markdown]
// ## `rnn_cell_backward(da_next, cache)`
//
// `da_next` $(n_a, m)$ is $\partial L/\partial a^{\langle t\rangle}$. Through $\tanh' = 1 - \tanh^2$,
// with $d_{\tanh} = (1 - (a^{\langle t\rangle})^2)\odot$ `da_next`:
//
// $$dx_t = W_{ax}^\top d_{\tanh},\quad da_{prev} = W_{aa}^\top d_{\tanh},\quad
//   dW_{ax} = d_{\tanh}\,x^{\langle t\rangle\top},\quad dW_{aa} = d_{\tanh}\,a^{\langle t-1\rangle\top},\quad
//   db_a = \textstyle\sum_{\text{columns}} d_{\tanh}$$
//
// Return `{dxt, da_prev, dWax, dWaa, dba}` with shapes $(n_x, m)$, $(n_a, m)$, $(n_a, n_x)$,
// $(n_a, n_a)$, $(n_a, 1)$: each gradient has the shape of what it is the gradient of.
//
// The grader also feeds the notebook's test cell and compares with the five gradients document
// 000 printed. As lesson 1 shows, that printout used a `ba` left behind by the `rnn_forward`
// test cell, not the one its code draws; the grader uses that `ba`, so a right answer matches.
// It also hands your `rnn_cell_backward` the cache of your own `rnn_cell_forward`, and draws
// random sizes on every run (the report prints the seed; `--seed` repeats them).

// %%
export function rnn_cell_backward(
  da_next: NDArray,
  cache: Cache,
): { dxt: NDArray; da_prev: NDArray; dWax: NDArray; dWaa: NDArray; dba: NDArray } {
  // YOUR CODE HERE
  throw new NotImplemented("rnn_cell_backward");
}

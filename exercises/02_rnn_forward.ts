// %% [markdown]
// # Exercise 2 · rnn_forward over a sequence, and its backward pass
//
// Three functions of lesson 2, under the source's names. `rnn_forward` and `rnn_backward` call
// your `rnn_cell_forward` and `rnn_cell_backward` from exercise 1 (as the notebook does), so
// finish exercise 1 first. Replace each `// YOUR CODE HERE` and the `throw` below it, then run
// `deno task exercise 2`; `git checkout exercises/` puts the stubs back.
//
// Shapes (column layout): `x` is $(n_x, m, T_x)$, one time step per index of the last axis;
// `a0` is $(n_a, m)$. `x.take(2, t)` is the slice `x[:, :, t]`, and `a.put(2, t, v)` writes it.

// %%
import { NDArray } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";
import { type Cache, type Parameters, rnn_cell_backward, rnn_cell_forward } from "./01_rnn_cell.ts";

/** What `rnn_forward` returns as `caches`: `[list of the steps' caches, x]`. */
export type Caches = [Cache[], NDArray];

// %% [markdown]
// ## `softmax(x)`
//
// One example per column, so each column is normalised on its own:
//
// $$\operatorname{softmax}(x)_{ij} = \frac{e^{x_{ij}}}{\sum_k e^{x_{kj}}}.$$
//
// Document 000's version divides by the sum over the *whole* array; lesson 2 shows why that is
// wrong for more than one example. Subtracting the maximum first changes nothing mathematically
// and keeps `exp` from overflowing. Return an array of the same shape as `x`.

// %%
export function softmax(x: NDArray): NDArray {
  // YOUR CODE HERE
  throw new NotImplemented("softmax");
}

// %% [markdown]
// ## `rnn_forward(x, a0, parameters)`
//
// Run the cell over every time step, feeding each step's $a^{\langle t\rangle}$ into the next:
// for $t = 0 \dots T_x - 1$, `[a_next, yt_pred, cache] = rnn_cell_forward(x[:, :, t], a_prev, parameters)`.
// Return `[a, y_pred, caches]`: `a` $(n_a, m, T_x)$ and `y_pred` $(n_y, m, T_x)$ hold every
// step, and `caches = [list of the T_x caches, x]`.

// %%
export function rnn_forward(
  x: NDArray,
  a0: NDArray,
  parameters: Parameters,
): [NDArray, NDArray, Caches] {
  // YOUR CODE HERE
  throw new NotImplemented("rnn_forward");
}

// %% [markdown]
// ## `rnn_backward(da, caches)`
//
// `da` $(n_a, m, T_x)$ is the gradient reaching each $a^{\langle t\rangle}$ from that step's
// output. Walk the steps from the last to the first: the gradient into step $t$'s cell is
// `da[:, :, t]` plus the `da_prev` step $t+1$ sent back (zero for the last step). The weights
// are shared by every step, so their gradients are the sums of the steps' gradients.
//
// Return `{dx, da0, dWax, dWaa, dba}`: shapes $(n_x, m, T_x)$, $(n_a, m)$, $(n_a, n_x)$,
// $(n_a, n_a)$, $(n_a, 1)$; `da0` is the gradient sent back by the first step.

// %%
export function rnn_backward(
  da: NDArray,
  caches: Caches,
): { dx: NDArray; da0: NDArray; dWax: NDArray; dWaa: NDArray; dba: NDArray } {
  // YOUR CODE HERE
  throw new NotImplemented("rnn_backward");
}

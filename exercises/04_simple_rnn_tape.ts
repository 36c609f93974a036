// %% [markdown]
// # Exercise 4 · The SimpleRNN tape by hand
//
// Lesson 4 (document 002) rebuilds a Keras `SimpleRNN` (2 units, 3 steps of 4 features), a
// `Dense(3)` layer and a softmax, recovers the inputs the post never printed (seed 0), and
// reproduces every number the post printed. Here you write the forward and the backward pass
// yourself. Replace each `// YOUR CODE HERE` and the `throw` below it, then run
// `deno task exercise 4`; `git checkout exercises/` puts the stub back.
//
// The model, in TensorFlow's **row** layout (one example: every $x_t$, $h_t$ is a row):
//
// $$h_t = \tanh(x_t U + h_{t-1} W + b),\qquad o_t = h_t V + c,\qquad
//   \hat y_t = \operatorname{softmax}(o_t),\qquad L = -\sum_t\sum_k y_{tk}\log \hat y_{tk}.$$
//
// The parameters come under the lesson's names, as Keras stores them: `params.U` is the
// `kernel` $(n_{in}, n_h)$, `params.W` the `recurrent_kernel` $(n_h, n_h)$, `params.b` the
// bias $(n_h,)$, `params.V` the dense kernel $(n_h, n_{out})$, `params.c` its bias
// $(n_{out},)$. `inputs` is $(T, n_{in})$ (row $t$ is $x_{t+1}$), `init_state` is $h_0$
// $(n_h,)$, `y_true` is $(T, n_{out})$ one-hot.

// %%
import { NDArray } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

/** The post's five parameters, in Keras's row layout. */
export interface Params {
  U: NDArray;
  W: NDArray;
  b: NDArray;
  V: NDArray;
  c: NDArray;
}

// %% [markdown]
// ## `simple_rnn_forward(params, inputs, init_state)`
//
// Run the recurrence above from $h_0$ = `init_state` and return `{h_seq, output_seq}` (the
// post's names): `h_seq` $(T, n_h)$, row $t$ the state after step $t$, and `output_seq`
// $(T, n_{out})$, row $t$ the softmax $\hat y_t$. The grader compares them with every value of
// `h_seq`, `output_seq` and `my_seqout` the post printed (to the printing plus the post's
// float32 roundoff, as lesson 4 does), and with the library's loops on other shapes.

// %%
export function simple_rnn_forward(
  params: Params,
  inputs: NDArray,
  init_state: NDArray,
): { h_seq: NDArray; output_seq: NDArray } {
  // YOUR CODE HERE
  throw new NotImplemented("simple_rnn_forward");
}

// %% [markdown]
// ## `simple_rnn_backward(params, inputs, init_state, h_seq, output_seq, y_true)`
//
// With rows $\delta_t = \partial L/\partial h_t$ and $e_t = \delta_t \odot (1 - h_t^2)$
// (elementwise; tanh's derivative written through its output):
//
// $$\delta_T = (\hat y_T - y_T)V^\top,\qquad
//   \delta_t = (\hat y_t - y_t)V^\top + e_{t+1}W^\top,$$
//
// $$\frac{\partial L}{\partial V} = \sum_t h_t^\top(\hat y_t - y_t),\quad
//   \frac{\partial L}{\partial c} = \sum_t (\hat y_t - y_t),\quad
//   \frac{\partial L}{\partial W} = \sum_t h_{t-1}^\top e_t,\quad
//   \frac{\partial L}{\partial U} = \sum_t x_t^\top e_t,\quad
//   \frac{\partial L}{\partial b} = \sum_t e_t .$$
//
// ($h_t^\top(\hat y_t - y_t)$ is an outer product: a column times a row.) Return
// `{dl_dV, dl_dc, dl_dW, dl_dU, dl_db, delta}` (the post's names), shaped like `V` $(n_h,
// n_{out})$, `c` $(n_{out},)$, `W` $(n_h, n_h)$, `U` $(n_{in}, n_h)$, `b` $(n_h,)$, and `delta`
// $(T, n_h)$ with row $t$ = $\delta_{t+1}$ (its row 0 is the post's `delta_1`). `h_seq` and
// `output_seq` are the correct forward values. The grader compares them with every gradient
// the post printed (the tape's and its `my_…`), with the library on other shapes, and with
// central differences of the loss; it names the post's slips if you make one of them.

// %%
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
  // YOUR CODE HERE
  throw new NotImplemented("simple_rnn_backward");
}

// %% [markdown]
// # Exercise 3 · Document 000's RNNCell class against torch
//
// The end of document 000 writes an RNN cell as a class in PyTorch's layout (one example per
// **row**) and compares it with `torch.nn.RNN(4, 5).double()`. Write its call and its backward
// pass; the grader runs document 000's script (3 steps, a batch of 3, torch's initial weights)
// and compares with the gradients real torch 1.13 computed (lesson 3). Replace each
// `// YOUR CODE HERE` and the `throw` below it, then run `deno task exercise 3`;
// `git checkout exercises/` puts the stubs back.
//
// Shapes: `x` is (batch, input), `prev_hidden` (batch, hidden), `weight_ih` (hidden, input),
// `weight_hh` (hidden, hidden), `bias_ih` and `bias_hh` (hidden,).
//
// $$h_t = \tanh\left(x_t W_{ih}^\top + h_{t-1} W_{hh}^\top + b_{ih} + b_{hh}\right)$$
//
// Python's `__call__` is `call` here. The script runs every step forward, then calls
// `backward(dh_t)` for the steps in reverse. Each call to `backward` undoes the most recent
// forward step not yet undone, so the class keeps stacks: what the forward step needs later,
// and each step's gradients, which the script sums at the end (`np.sum(dw_ih_stack, axis=0)`;
// the biases' stacks also over the batch rows).

// %%
import { NDArray } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

export class RNNCell {
  x_stack: NDArray[] = [];
  dx_list: NDArray[] = [];
  dw_ih_stack: NDArray[] = [];
  dw_hh_stack: NDArray[] = [];
  db_ih_stack: NDArray[] = [];
  db_hh_stack: NDArray[] = [];
  prev_hidden_stack: NDArray[] = [];
  next_hidden_stack: NDArray[] = [];
  /** The gradient the later step sends back to the step before (a temporary cache). */
  prev_dh: NDArray | null = null;

  constructor(
    readonly weight_ih: NDArray,
    readonly weight_hh: NDArray,
    readonly bias_ih: NDArray,
    readonly bias_hh: NDArray,
  ) {}

  // ## `call(x, prev_hidden)`
  //
  // Push `x` and `prev_hidden`, compute `next_h` by the formula above and push it, set
  // `prev_dh` to zeros of `next_h`'s shape (no later step has sent anything back yet), and
  // return `next_h` (batch, hidden).
  call(x: NDArray, prev_hidden: NDArray): NDArray {
    // YOUR CODE HERE
    throw new NotImplemented("RNNCell.call");
  }

  // ## `backward(dh)`
  //
  // Pop the step's `x`, `prev_hidden` and `next_hidden`. The gradient reaching this step's
  // hidden state is `dh` plus the `prev_dh` carried from the later step; through tanh,
  //
  // $$d_{\tanh} = (dh + prev\_dh)\odot(1 - h_t^2),\quad prev\_dh \leftarrow d_{\tanh} W_{hh},\quad
  //   dx_t = d_{\tanh} W_{ih},\quad dW_{ih} \mathrel{+}= d_{\tanh}^\top x_t,\quad
  //   dW_{hh} \mathrel{+}= d_{\tanh}^\top h_{t-1}.$$
  //
  // Put `dx_t` at the **front** of `dx_list` (steps are undone last first), push `dW_ih`,
  // `dW_hh` and `d_tanh` (for both biases) onto their stacks, and return `dx_list`. After the
  // first step's backward, `prev_dh` is the gradient of the initial hidden state.
  backward(dh: NDArray): NDArray[] {
    // YOUR CODE HERE
    throw new NotImplemented("RNNCell.backward");
  }

  // ## `reset()`
  //
  // The document never empties the stacks, so a second sequence through the same object adds
  // its gradients to the first one's (lesson 3). Empty every stack and clear `prev_dh`.
  reset(): void {
    // YOUR CODE HERE
    throw new NotImplemented("RNNCell.reset");
  }
}

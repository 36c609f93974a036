// Exercise 3, RNNCell.backward: tanh's derivative is taken at the previous state: 1 − prev_hidden².
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
import { NDArray } from "../../../../lib/mod.ts";

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

  call(x: NDArray, prev_hidden: NDArray): NDArray {
    this.x_stack.push(x);
    this.prev_hidden_stack.push(prev_hidden);
    const z = x.dot(this.weight_ih.T).add(prev_hidden.dot(this.weight_hh.T))
      .add(this.bias_ih).add(this.bias_hh);
    const next_h = z.tanh();
    this.next_hidden_stack.push(next_h);
    this.prev_dh = NDArray.zeros(next_h.shape);
    return next_h;
  }

  backward(dh: NDArray): NDArray[] {
    const x = this.x_stack.pop()!;
    const prev_hidden = this.prev_hidden_stack.pop()!;
    const next_h = this.next_hidden_stack.pop()!;
    const d_tanh = dh.add(this.prev_dh!).mul(prev_hidden.square().neg().add(1));
    this.prev_dh = d_tanh.dot(this.weight_hh);
    this.dx_list.unshift(d_tanh.dot(this.weight_ih));
    this.dw_ih_stack.push(d_tanh.T.dot(x));
    this.dw_hh_stack.push(d_tanh.T.dot(prev_hidden));
    this.db_ih_stack.push(d_tanh);
    this.db_hh_stack.push(d_tanh);
    return this.dx_list;
  }

  reset(): void {
    this.x_stack = [];
    this.dx_list = [];
    this.dw_ih_stack = [];
    this.dw_hh_stack = [];
    this.db_ih_stack = [];
    this.db_hh_stack = [];
    this.prev_hidden_stack = [];
    this.next_hidden_stack = [];
    this.prev_dh = null;
  }
}

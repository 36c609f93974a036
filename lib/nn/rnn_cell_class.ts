/**
 * The hand-written RNN cell at the end of document 000, in PyTorch's layout: weights
 * `weight_ih` (hidden, input), `weight_hh` (hidden, hidden), biases `bias_ih`, `bias_hh`,
 * one example per row:
 *
 *   h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)
 *
 * Like the document's class, calling the cell runs one step forward and pushes what the
 * backward pass needs onto stacks; `backward(dh)` pops them, last step first, and carries
 * the gradient flowing into the previous hidden state (`prev_dh`) from one call to the next.
 * Two changes make it usable: `dh0` exposes the gradient with respect to the initial hidden
 * state (the document computes it and throws it away), and `reset()` empties the gradient
 * stacks, which the document never does — so a second sequence would add its gradients to
 * the first one's.
 *
 * The same layer in torch 1.13's exact order of operations is `torch_rnn.ts`; lesson 3 compares
 * the two.
 *
 * The class is the document's code and stays as it is; the contract of `mod.ts` is kept by
 * {@link initRnnCellParams}`(rng, sizes)`, {@link rnnCellClassForward}`(params, x, h0) →
 * { outputs, state, cache }` (which runs the class over a sequence) and
 * {@link rnnCellClassBackward}`(dOutputs, cache) → { grads, dInputs, dState }` (which runs its
 * `backward` step by step and reads its `grads()` and `dh0` back under the parameters' names).
 *
 * ```ts
 * import { RnnCell } from "./rnn_cell_class.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const cell = new RnnCell(NDArray.full([5, 4], 0.1), NDArray.eye(5), NDArray.zeros([5]), NDArray.zeros([5]));
 * const h1 = cell.call(NDArray.ones([3, 4]), NDArray.zeros([3, 5]));
 * cell.backward(NDArray.ones([3, 5]));
 * deepEqual(cell.grads().dW_ih.shape, [5, 4]);
 * deepEqual(cell.dh0.shape, [3, 5]);
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";

/** The cell of document 000, with its gradient stacks. */
export class RnnCell {
  private x_stack: NDArray[] = [];
  private prev_hidden_stack: NDArray[] = [];
  private next_hidden_stack: NDArray[] = [];
  /** ∂L/∂x_t for the steps processed so far, first step first. */
  dx_list: NDArray[] = [];
  private dw_ih_stack: NDArray[] = [];
  private dw_hh_stack: NDArray[] = [];
  private db_stack: NDArray[] = [];
  /** The gradient flowing into the previous step's hidden state. */
  private prev_dh: NDArray | null = null;

  constructor(
    readonly weight_ih: NDArray,
    readonly weight_hh: NDArray,
    readonly bias_ih: NDArray,
    readonly bias_hh: NDArray,
  ) {
    const [h, i] = weight_ih.shape;
    const ok = weight_hh.shape[0] === h && weight_hh.shape[1] === h && bias_ih.size === h &&
      bias_hh.size === h && i > 0;
    if (!ok) {
      throw new RangeError(
        `RnnCell: weight_ih ${shapeStr(weight_ih.shape)}, weight_hh ${
          shapeStr(weight_hh.shape)
        }, bias_ih ${shapeStr(bias_ih.shape)}, bias_hh ${shapeStr(bias_hh.shape)} do not fit`,
      );
    }
  }

  /** One step forward. Inputs: x (batch, input), prev_hidden (batch, hidden). Returns: next hidden (batch, hidden). */
  call(x: NDArray, prev_hidden: NDArray): NDArray {
    const [h, i] = this.weight_ih.shape;
    if (x.ndim !== 2 || x.shape[1] !== i || prev_hidden.ndim !== 2 || prev_hidden.shape[1] !== h) {
      throw new RangeError(
        `RnnCell.call: x ${shapeStr(x.shape)} and prev_hidden ${
          shapeStr(prev_hidden.shape)
        } must be (batch, ${i}) and (batch, ${h})`,
      );
    }
    this.x_stack.push(x);
    const next_h = x.dot(this.weight_ih.T).add(prev_hidden.dot(this.weight_hh.T))
      .add(this.bias_ih).add(this.bias_hh).tanh();
    this.prev_hidden_stack.push(prev_hidden);
    this.next_hidden_stack.push(next_h);
    this.prev_dh = NDArray.zeros(next_h.shape);
    return next_h;
  }

  /** One step backward (the most recent forward step not yet undone), given ∂L/∂h_t from above. */
  backward(dh: NDArray): NDArray[] {
    const x = this.x_stack.pop();
    const prev_hidden = this.prev_hidden_stack.pop();
    const next_hidden = this.next_hidden_stack.pop();
    if (!x || !prev_hidden || !next_hidden || !this.prev_dh) {
      throw new Error("RnnCell.backward: more backward steps than forward steps");
    }
    const d_tanh = dh.add(this.prev_dh).mul(next_hidden.square().neg().add(1));
    this.prev_dh = d_tanh.dot(this.weight_hh);
    this.dx_list.unshift(d_tanh.dot(this.weight_ih));
    this.dw_ih_stack.push(d_tanh.T.dot(x));
    this.dw_hh_stack.push(d_tanh.T.dot(prev_hidden));
    this.db_stack.push(d_tanh);
    return this.dx_list;
  }

  /** ∂L/∂h_0, available once every step has gone backward (the document never exposes it). */
  get dh0(): NDArray {
    if (!this.prev_dh || this.x_stack.length) {
      throw new Error("RnnCell.dh0: run backward over every step first");
    }
    return this.prev_dh;
  }

  /** The parameter gradients: the stacks summed (and, for the biases, summed over the batch). */
  grads(): { dW_ih: NDArray; dW_hh: NDArray; db_ih: NDArray; db_hh: NDArray } {
    if (!this.dw_ih_stack.length) throw new Error("RnnCell.grads: no backward step yet");
    const sum = (xs: NDArray[]) => xs.reduce((a, b) => a.add(b));
    const db = sum(this.db_stack).sum(0);
    return {
      dW_ih: sum(this.dw_ih_stack),
      dW_hh: sum(this.dw_hh_stack),
      db_ih: db,
      db_hh: db.copy(),
    };
  }

  /** Empties every stack: call between sequences (the fix the document needs). */
  reset(): void {
    this.x_stack = [];
    this.prev_hidden_stack = [];
    this.next_hidden_stack = [];
    this.dx_list = [];
    this.dw_ih_stack = [];
    this.dw_hh_stack = [];
    this.db_stack = [];
    this.prev_dh = null;
  }
}

/** The class's parameters as a record, named as its constructor names them. */
export interface RnnCellParams {
  /** (hidden, input) */
  weight_ih: NDArray;
  /** (hidden, hidden) */
  weight_hh: NDArray;
  /** (hidden) */
  bias_ih: NDArray;
  /** (hidden) */
  bias_hh: NDArray;
}

/**
 * torch's initialisation rule for this layer, drawn from numpy's generator: every parameter,
 * in the constructor's order, `uniform(−1/√hidden, 1/√hidden)`. Inputs: the generator and
 * `{ input_size, hidden_size }`. Returns: {@link RnnCellParams}.
 */
export function initRnnCellParams(
  rng: RandomState,
  sizes: { input_size: number; hidden_size: number },
): RnnCellParams {
  const { input_size: I, hidden_size: H } = sizes;
  if (!Number.isInteger(I) || !Number.isInteger(H) || I < 1 || H < 1) {
    throw new RangeError(`initRnnCellParams: sizes must be positive integers, got (${I}, ${H})`);
  }
  const k = 1 / Math.sqrt(H);
  return {
    weight_ih: rng.uniform(-k, k, [H, I]),
    weight_hh: rng.uniform(-k, k, [H, H]),
    bias_ih: rng.uniform(-k, k, [H]),
    bias_hh: rng.uniform(-k, k, [H]),
  };
}

/** What {@link rnnCellClassForward} keeps: the cell that ran (its stacks) and the shapes. */
export interface RnnCellClassCache {
  cell: RnnCell;
  /** (T, batch, input) */
  x: NDArray;
}

/**
 * The document's class over a whole sequence (the contract's `forward`): `cell.call` step by
 * step. Inputs: params, x (T, batch, input), h0 (batch, hidden). Returns: the hidden states
 * `outputs` (T, batch, hidden), the last one as `state` (batch, hidden), and the cache (the
 * cell with its stacks: {@link rnnCellClassBackward} runs once per forward pass).
 */
export function rnnCellClassForward(
  params: RnnCellParams,
  x: NDArray,
  h0: NDArray,
): { outputs: NDArray; state: NDArray; cache: RnnCellClassCache } {
  if (x.ndim !== 3) {
    throw new RangeError(`rnnCellClassForward: x ${shapeStr(x.shape)} must be (T, batch, input)`);
  }
  const cell = new RnnCell(params.weight_ih, params.weight_hh, params.bias_ih, params.bias_hh);
  const [T, B] = x.shape, H = params.weight_hh.shape[0];
  const outputs = NDArray.zeros([T, B, H]);
  let h = h0;
  for (let t = 0; t < T; t++) {
    h = cell.call(x.take(0, t), h);
    outputs.put(0, t, h);
  }
  return { outputs, state: h, cache: { cell, x } };
}

/**
 * The document's backward over the sequence (the contract's `backward`): `cell.backward(dh_t)`
 * from the last step to the first, then its `grads()` and `dh0`. Inputs: dOutputs = ∂L/∂h_t
 * (T, batch, hidden), the cache. Returns: `grads` keyed exactly like {@link RnnCellParams},
 * `dInputs` (T, batch, input), `dState` = ∂L/∂h0 (batch, hidden).
 */
export function rnnCellClassBackward(
  dOutputs: NDArray,
  cache: RnnCellClassCache,
): { grads: RnnCellParams; dInputs: NDArray; dState: NDArray } {
  const { cell, x } = cache;
  const T = x.shape[0], H = cell.weight_hh.shape[0];
  if (dOutputs.shape.join() !== `${T},${x.shape[1]},${H}`) {
    throw new RangeError(
      `rnnCellClassBackward: dOutputs ${shapeStr(dOutputs.shape)} must be (${T},${
        x.shape[1]
      },${H})`,
    );
  }
  let dx: NDArray[] = [];
  for (let t = T - 1; t >= 0; t--) dx = cell.backward(dOutputs.take(0, t));
  const g = cell.grads();
  const dInputs = NDArray.zeros(x.shape);
  dx.forEach((d, t) => dInputs.put(0, t, d));
  return {
    grads: { weight_ih: g.dW_ih, weight_hh: g.dW_hh, bias_ih: g.db_ih, bias_hh: g.db_hh },
    dInputs,
    dState: cell.dh0,
  };
}

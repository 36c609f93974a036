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
 * {@link torchRnnForward} and {@link torchRnnBackward} compute the same layer in exactly the
 * order torch 1.13's CPU code does (its reference-BLAS products, its grouping of the four
 * terms, its gradient sums), so that the last-bit differences between the document's class and
 * torch can be accounted for rather than waved away: they reproduce torch's portable kernel
 * bit for bit (lesson 3).
 *
 * ```ts
 * import { RnnCell } from "./rnn.ts";
 * import { NDArray } from "../ndarray.ts";
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

import { NDArray, shapeStr } from "../ndarray.ts";
import type { TorchRnnParams } from "../torch_random.ts";

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

  /** One step forward: x (batch, input), prev_hidden (batch, hidden) → next hidden. */
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

// ---------------------------------------------------------------------------------------------
// The same computation in torch's order of operations.

/** Gradients of one sequence through a one-layer tanh RNN, in torch's shapes. */
export interface RnnGrads {
  /** ∂L/∂x, (T, batch, input). */
  dx: NDArray;
  /** ∂L/∂h₀, (1, batch, hidden) — torch's `h0.grad`. */
  dh0: NDArray;
  dW_ih: NDArray;
  dW_hh: NDArray;
  db_ih: NDArray;
  db_hh: NDArray;
}

/** Options of {@link torchRnnBackward}. */
export interface TorchKernelOptions {
  /**
   * ATen's AVX2 kernel computes tanh's derivative `1 − y²` as one fused multiply-add (a single
   * rounding); the portable kernel rounds `y²` first. Default false (portable).
   */
  fusedTanhGrad?: boolean;
}

function rnnShapes(p: TorchRnnParams, x: NDArray, h0: NDArray, op: string) {
  const [H, I] = p.weight_ih_l0.shape;
  const [T, B] = x.shape;
  const ok = x.ndim === 3 && x.shape[2] === I && h0.ndim === 3 && h0.shape[0] === 1 &&
    h0.shape[1] === B && h0.shape[2] === H && p.weight_hh_l0.shape.join() === `${H},${H}` &&
    p.bias_ih_l0.size === H && p.bias_hh_l0.size === H;
  if (!ok) {
    throw new RangeError(
      `${op}: x ${shapeStr(x.shape)} and h0 ${shapeStr(h0.shape)} must be (T, batch, ${I}) and ` +
        `(1, batch, ${H}) for weight_ih_l0 ${shapeStr(p.weight_ih_l0.shape)}, weight_hh_l0 ${
          shapeStr(p.weight_hh_l0.shape)
        }, bias_ih_l0 ${shapeStr(p.bias_ih_l0.shape)}, bias_hh_l0 ${shapeStr(p.bias_hh_l0.shape)}`,
    );
  }
  return { T, B, I, H };
}

/**
 * `1 − y²` rounded once, as `fma(−y, y, 1)` computes it: the exact value in integers
 * (|y| = m·2⁻ᵠ, so 1 − y² = (2²ᵠ − m²)·2⁻²ᵠ), converted to the nearest double by `Number()`.
 *
 * ```ts
 * import { fusedOneMinusSquare } from "./rnn.ts";
 * import { equal } from "node:assert/strict";
 * equal(fusedOneMinusSquare(0.143), 0.979551); // 1 − 0.143² rounded once
 * equal(1 - 0.143 * 0.143, 0.9795510000000001); // rounding 0.143² first: one ULP off
 * ```
 */
export function fusedOneMinusSquare(y: number): number {
  let m = Math.abs(y);
  if (!(m <= 1)) {
    throw new RangeError(`fusedOneMinusSquare: |y| = ${m} is outside tanh's range [0, 1]`);
  }
  if (m < 2 ** -27) return 1; // y² < 2⁻⁵⁴: 1 − y² rounds to 1 (a tie goes to the even 1)
  let q = 0;
  while (!Number.isInteger(m)) {
    m *= 2; // exact
    q++;
  }
  const M = BigInt(m);
  return Number((1n << BigInt(2 * q)) - M * M) * 2 ** (-2 * q);
}

/**
 * ATen's `sum` over the leading dimension of n rows, as torch 1.13 runs it for the small n
 * here (measured against `torch.sum` for every n < 72; longer sums switch to a cascade):
 * rows 0…4⌊n/4⌋−1 go round-robin into four accumulators, the last n mod 4 rows into the
 * first, and the accumulators are added in order.
 */
function atenRowSum(row: (i: number) => number, n: number): number {
  if (n >= 72) throw new RangeError(`atenRowSum: ${n} rows — ATen's cascade is not modelled`);
  const a = [0, 0, 0, 0];
  const full = n - (n % 4);
  for (let i = 0; i < full; i++) a[i % 4] += row(i);
  for (let i = full; i < n; i++) a[0] += row(i);
  return a[0] + a[1] + a[2] + a[3];
}

/**
 * torch 1.13's CPU `nn.RNN` forward (one layer, tanh, float64), operation for operation:
 * `h_t = tanh((h_{t−1}·W_hhᵀ + b_hh) + (x_t·W_ihᵀ + b_ih))`, each product a dot product summed
 * left to right from 0 with the bias added last — what the reference BLAS `dgemm` under
 * torch's `addmm` does — and the hidden side first (`linear_hh(h).add_(igates)`). Bit for bit
 * with torch's portable kernel; the AVX2 kernel's vectorised tanh rounds some results
 * differently. The document's class ({@link RnnCell}) groups the same four terms as
 * `((x·W_ihᵀ + h·W_hhᵀ) + b_ih) + b_hh`.
 *
 * ```ts
 * import { torchRnnForward } from "./rnn.ts";
 * import { NDArray } from "../ndarray.ts";
 * import { equal } from "node:assert/strict";
 * const p = {
 *   weight_ih_l0: NDArray.full([2, 1], 0.5), weight_hh_l0: NDArray.eye(2),
 *   bias_ih_l0: NDArray.zeros([2]), bias_hh_l0: NDArray.zeros([2]),
 * };
 * const hidden = torchRnnForward(p, NDArray.ones([1, 1, 1]), NDArray.zeros([1, 1, 2]));
 * equal(hidden.get(0, 0, 0), Math.tanh(0.5));
 * ```
 */
export function torchRnnForward(p: TorchRnnParams, x: NDArray, h0: NDArray): NDArray {
  const { T, B, I, H } = rnnShapes(p, x, h0, "torchRnnForward");
  const wih = p.weight_ih_l0.data, whh = p.weight_hh_l0.data;
  const bih = p.bias_ih_l0.data, bhh = p.bias_hh_l0.data;
  const out = NDArray.zeros([T, B, H]);
  let prev = h0.data.subarray(0, B * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let hh = 0;
        for (let k = 0; k < H; k++) hh += prev[b * H + k] * whh[j * H + k];
        let ih = 0;
        for (let i = 0; i < I; i++) ih += x.data[(t * B + b) * I + i] * wih[j * I + i];
        out.data[(t * B + b) * H + j] = Math.tanh((hh + bhh[j]) + (ih + bih[j]));
      }
    }
    prev = out.data.subarray(t * B * H, (t + 1) * B * H);
  }
  return out;
}

/**
 * torch 1.13's autograd for the same RNN, operation for operation, given the hidden states
 * `hidden` (T, batch, hidden) and the upstream gradient `dh` of every output. Per step, last
 * first: `g = dh_t + dprev`, `d = g ⊙ (1 − y²)`, `dprev = d·W_hh`, `dx_t = d·W_ih` (dot products
 * left to right). The hidden side gets one product per step, accumulated last step first
 * (`dW_hh`, and `db_hh` = each step's batch sum); torch computed the input side for all steps
 * in one `addmm`, so `dW_ih` is one dot product over all T·batch rows in order, and `db_ih`
 * one ATen sum over them.
 *
 * ```ts
 * import { torchRnnBackward, torchRnnForward } from "./rnn.ts";
 * import { NDArray } from "../ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const p = {
 *   weight_ih_l0: NDArray.full([2, 1], 0.5), weight_hh_l0: NDArray.eye(2),
 *   bias_ih_l0: NDArray.zeros([2]), bias_hh_l0: NDArray.zeros([2]),
 * };
 * const x = NDArray.ones([3, 1, 1]), h0 = NDArray.zeros([1, 1, 2]);
 * const g = torchRnnBackward(p, x, h0, torchRnnForward(p, x, h0), NDArray.ones([3, 1, 2]));
 * deepEqual(g.dh0.shape, [1, 1, 2]);
 * ```
 */
export function torchRnnBackward(
  p: TorchRnnParams,
  x: NDArray,
  h0: NDArray,
  hidden: NDArray,
  dh: NDArray,
  options: TorchKernelOptions = {},
): RnnGrads {
  const { T, B, I, H } = rnnShapes(p, x, h0, "torchRnnBackward");
  for (const [name, a] of [["hidden", hidden], ["dh", dh]] as const) {
    if (a.shape.join() !== `${T},${B},${H}`) {
      throw new RangeError(
        `torchRnnBackward: ${name} ${shapeStr(a.shape)} must be (${T},${B},${H}) like the output`,
      );
    }
  }
  const oneMinusSquare = options.fusedTanhGrad ? fusedOneMinusSquare : (y: number) => 1 - y * y;
  const wih = p.weight_ih_l0.data, whh = p.weight_hh_l0.data;
  const d = NDArray.zeros([T, B, H]); // ∂L/∂(pre-activation) of every step
  const dx = NDArray.zeros([T, B, I]);
  const dW_hh = NDArray.zeros([H, H]);
  const db_hh = NDArray.zeros([H]);
  let dprev = new Float64Array(B * H);
  for (let t = T - 1; t >= 0; t--) {
    const o = t * B * H;
    for (let k = 0; k < B * H; k++) {
      d.data[o + k] = (dh.data[o + k] + dprev[k]) * oneMinusSquare(hidden.data[o + k]);
    }
    const next = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += d.data[o + b * H + j] * whh[j * H + k];
        next[b * H + k] = s;
      }
      for (let i = 0; i < I; i++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += d.data[o + b * H + j] * wih[j * I + i];
        dx.data[(t * B + b) * I + i] = s;
      }
    }
    const prevHidden = t === 0 ? h0.data : hidden.data.subarray((t - 1) * B * H);
    for (let j = 0; j < H; j++) {
      for (let k = 0; k < H; k++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += d.data[o + b * H + j] * prevHidden[b * H + k];
        dW_hh.data[j * H + k] += s; // 0 + s is exact: the last step's product is just stored
      }
      db_hh.data[j] += atenRowSum((b) => d.data[o + b * H + j], B);
    }
    dprev = next;
  }
  const dW_ih = NDArray.zeros([H, I]);
  const db_ih = NDArray.zeros([H]);
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < I; i++) {
      let s = 0;
      for (let r = 0; r < T * B; r++) s += d.data[r * H + j] * x.data[r * I + i];
      dW_ih.data[j * I + i] = s;
    }
    db_ih.data[j] = atenRowSum((r) => d.data[r * H + j], T * B);
  }
  return { dx, dh0: new NDArray(dprev, [1, B, H]), dW_ih, dW_hh, db_ih, db_hh };
}

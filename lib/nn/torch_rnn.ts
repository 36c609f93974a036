/**
 * A one-layer tanh `torch.nn.RNN` (float64, sequence-first layout): its parameters as torch
 * names them, its initialisation (`rnnInit`, from {@link TorchGenerator}), and its forward and
 * backward pass computed in exactly the order torch 1.13's CPU code does (its reference-BLAS
 * products, its grouping of the four terms, its gradient sums), so that the last-bit
 * differences between document 000's class (`rnn_cell_class.ts`) and torch can be accounted
 * for rather than waved away: they reproduce torch's portable kernel bit for bit (lesson 3).
 *
 *   h_t = tanh((h_{t−1}·W_hhᵀ + b_hh) + (x_t·W_ihᵀ + b_ih))
 *
 * Shapes: x (T, batch, input), h0 (1, batch, hidden), hidden states (T, batch, hidden).
 * On the contract of `mod.ts`: {@link initTorchRnnParams}`(gen, sizes)`,
 * {@link torchRnnForward}`(params, x, h0) → { outputs, state, cache }` (the outputs are the
 * hidden states, as `torch.nn.RNN` returns them), {@link torchRnnBackward}`(dOutputs, cache) →
 * { grads, dInputs, dState }`.
 *
 * ```ts
 * import { initTorchRnnParams, torchRnnBackward, torchRnnForward } from "./torch_rnn.ts";
 * import { TorchGenerator } from "../numerics/torch_random.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const p = initTorchRnnParams(new TorchGenerator(123), { input_size: 4, hidden_size: 5 });
 * const x = NDArray.ones([3, 2, 4]), h0 = NDArray.zeros([1, 2, 5]);
 * const { outputs, cache } = torchRnnForward(p, x, h0);
 * const g = torchRnnBackward(NDArray.ones([3, 2, 5]), cache);
 * deepEqual([outputs.shape, g.grads.weight_ih_l0.shape, g.dState.shape], [[3, 2, 5], [5, 4], [1, 2, 5]]);
 * deepEqual(Object.keys(g.grads), Object.keys(p)); // keyed exactly like the parameters
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { TorchGenerator } from "../numerics/torch_random.ts";

/** The parameters of a one-layer `torch.nn.RNN`, named as torch names them. */
export interface TorchRnnParams {
  /** (hidden, input) */
  weight_ih_l0: NDArray;
  /** (hidden, hidden) */
  weight_hh_l0: NDArray;
  /** (hidden) */
  bias_ih_l0: NDArray;
  /** (hidden) */
  bias_hh_l0: NDArray;
}

/** The sizes of a one-layer `torch.nn.RNN`, named as torch's constructor names them. */
export interface TorchRnnSizes {
  input_size: number;
  hidden_size: number;
}

/**
 * `torch.nn.RNN(input_size, hidden_size)`'s `reset_parameters`: every parameter, in
 * registration order, filled by `uniform_(−1/√hidden, 1/√hidden)`.
 * Inputs: torch's generator and the sizes. Returns: {@link TorchRnnParams}.
 */
export function initTorchRnnParams(gen: TorchGenerator, sizes: TorchRnnSizes): TorchRnnParams {
  const { input_size: inputSize, hidden_size: hiddenSize } = sizes;
  if (
    !Number.isInteger(inputSize) || !Number.isInteger(hiddenSize) || inputSize < 1 || hiddenSize < 1
  ) {
    throw new RangeError(
      `initTorchRnnParams: sizes must be positive integers, got (${inputSize}, ${hiddenSize})`,
    );
  }
  const stdv = 1 / Math.sqrt(hiddenSize);
  return {
    weight_ih_l0: gen.uniform_([hiddenSize, inputSize], -stdv, stdv),
    weight_hh_l0: gen.uniform_([hiddenSize, hiddenSize], -stdv, stdv),
    bias_ih_l0: gen.uniform_([hiddenSize], -stdv, stdv),
    bias_hh_l0: gen.uniform_([hiddenSize], -stdv, stdv),
  };
}

/**
 * Gradients of one sequence through a one-layer tanh RNN, in torch's shapes: `grads` keyed
 * like the parameters (each parameter's `.grad`), `dInputs` (T, batch, input) and `dState`
 * (1, batch, hidden) — torch's `x.grad` and `h0.grad`. Under the names of document 000's
 * class and lesson 3 (`dx, dh0, dW_ih …`): {@link torchGradsAsClassNames}.
 */
export interface TorchRnnGrads {
  grads: TorchRnnParams;
  dInputs: NDArray;
  dState: NDArray;
}

/** What {@link torchRnnForward} keeps for {@link torchRnnBackward}. */
export interface TorchRnnCache {
  params: TorchRnnParams;
  /** (T, batch, input) */
  x: NDArray;
  /** (1, batch, hidden) */
  h0: NDArray;
  /** the hidden states (T, batch, hidden) */
  hidden: NDArray;
}

/** The same gradients under document 000's class's names (`RnnCell.grads()`, lesson 3). */
export interface TorchClassGradients {
  dx: NDArray;
  dh0: NDArray;
  dW_ih: NDArray;
  dW_hh: NDArray;
  db_ih: NDArray;
  db_hh: NDArray;
}

/**
 * The adapter to document 000's class's names: `{grads: {weight_ih_l0, …}, dInputs, dState}`
 * → `{dx, dh0, dW_ih, dW_hh, db_ih, db_hh}` (the same arrays). Inputs / Returns: shapes unchanged.
 */
export function torchGradsAsClassNames(g: TorchRnnGrads): TorchClassGradients {
  return {
    dx: g.dInputs,
    dh0: g.dState,
    dW_ih: g.grads.weight_ih_l0,
    dW_hh: g.grads.weight_hh_l0,
    db_ih: g.grads.bias_ih_l0,
    db_hh: g.grads.bias_hh_l0,
  };
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
 * Inputs: y, a number in [−1, 1]. Returns: a number.
 *
 * ```ts
 * import { fusedOneMinusSquare } from "./torch_rnn.ts";
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
 * differently. The document's class (`RnnCell`, rnn_cell_class.ts) groups the same four terms as
 * `((x·W_ihᵀ + h·W_hhᵀ) + b_ih) + b_hh`.
 *
 * ```ts
 * import { torchRnnForward } from "./torch_rnn.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { equal } from "node:assert/strict";
 * const p = {
 *   weight_ih_l0: NDArray.full([2, 1], 0.5), weight_hh_l0: NDArray.eye(2),
 *   bias_ih_l0: NDArray.zeros([2]), bias_hh_l0: NDArray.zeros([2]),
 * };
 * const { outputs } = torchRnnForward(p, NDArray.ones([1, 1, 1]), NDArray.zeros([1, 1, 2]));
 * equal(outputs.get(0, 0, 0), Math.tanh(0.5));
 * ```
 *
 * Inputs: params, x (T, batch, input), h0 (1, batch, hidden). Returns: the hidden states
 * `outputs` (T, batch, hidden), the last one as `state` (1, batch, hidden), and the cache.
 */
export function torchRnnForward(
  p: TorchRnnParams,
  x: NDArray,
  h0: NDArray,
): { outputs: NDArray; state: NDArray; cache: TorchRnnCache } {
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
  const state = new NDArray(Float64Array.from(prev), [1, B, H]);
  return { outputs: out, state, cache: { params: p, x, h0, hidden: out } };
}

/**
 * torch 1.13's autograd for the same RNN, operation for operation, given the upstream
 * gradient `dh` (T, batch, hidden) of every output and the cache (its hidden states are the
 * ones the backward pass reads: lesson 3 hands it torch's own). Per step, last
 * first: `g = dh_t + dprev`, `d = g ⊙ (1 − y²)`, `dprev = d·W_hh`, `dx_t = d·W_ih` (dot products
 * left to right). The hidden side gets one product per step, accumulated last step first
 * (`dW_hh`, and `db_hh` = each step's batch sum); torch computed the input side for all steps
 * in one `addmm`, so `dW_ih` is one dot product over all T·batch rows in order, and `db_ih`
 * one ATen sum over them.
 *
 * ```ts
 * import { torchRnnBackward, torchRnnForward } from "./torch_rnn.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const p = {
 *   weight_ih_l0: NDArray.full([2, 1], 0.5), weight_hh_l0: NDArray.eye(2),
 *   bias_ih_l0: NDArray.zeros([2]), bias_hh_l0: NDArray.zeros([2]),
 * };
 * const x = NDArray.ones([3, 1, 1]), h0 = NDArray.zeros([1, 1, 2]);
 * const g = torchRnnBackward(NDArray.ones([3, 1, 2]), torchRnnForward(p, x, h0).cache);
 * deepEqual(g.dState.shape, [1, 1, 2]);
 * ```
 *
 * Inputs: dh (T, batch, hidden), the cache, options. Returns: {@link TorchRnnGrads}.
 */
export function torchRnnBackward(
  dh: NDArray,
  cache: TorchRnnCache,
  options: TorchKernelOptions = {},
): TorchRnnGrads {
  const { params: p, x, h0, hidden } = cache;
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
  return {
    grads: { weight_ih_l0: dW_ih, weight_hh_l0: dW_hh, bias_ih_l0: db_ih, bias_hh_l0: db_hh },
    dInputs: dx,
    dState: new NDArray(dprev, [1, B, H]),
  };
}

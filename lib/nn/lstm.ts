/**
 * The LSTM of the Stack Overflow question "My LSTM learns, loss decreases, but numerical
 * gradients don't match analytical gradients" (document 001): one example at a time, the
 * input and the previous hidden state concatenated, `xh = [x, h_prev]`, four gates with
 * weights of shape `(x_n + h_n, h_n)` used as `xh · W`, and a dense head `y = h · Wy + by`.
 *
 *   f = σ(xh·Wf + bf)   i = σ(xh·Wi + bi)   g = tanh(xh·Wg + bg)   o = σ(xh·Wo + bo)
 *   c = f ⊙ c_prev + i ⊙ g      h = o ⊙ tanh(c)      y = h·Wy + by
 *
 * The question's loss over a sequence is Σ_t mean((y_t − target_t)²) (`squaredErrorLoss` of
 * `losses.ts`; {@link lstmLoss} / {@link dlstmLoss} are the question's `lstm_loss` /
 * `dlstm_loss`). The vectors are tiny (h_n = 5), so the code works on `Float64Array`s with
 * plain loops: no allocation per matrix entry, one formula per line.
 *
 * On the contract of `mod.ts`: {@link initLstmParams}`(rng, sizes)`,
 * {@link lstmForward}`(params, inputs, state) → { outputs, state, cache }`,
 * {@link lstmBackward}`(dOutputs, cache) → { grads, dInputs, dState }`.
 *
 * ```ts
 * import { initLstmParams, lstmBackward, lstmForward } from "./lstm.ts";
 * import { dSquaredErrorLoss, squaredErrorLoss } from "./losses.ts";
 * import { RandomState } from "../numerics/random.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual, ok } from "node:assert/strict";
 * const params = initLstmParams(new RandomState(0), { x_n: 1, h_n: 5, o_n: 1 });
 * const inputs = NDArray.from([[0.1], [0.5], [0.9]]);
 * const targets = NDArray.from([[0.9], [0.1], [0.5]]);
 * const { outputs, cache } = lstmForward(params, inputs);
 * const { grads, dInputs, dState } = lstmBackward(dSquaredErrorLoss(outputs, targets), cache);
 * ok(squaredErrorLoss(outputs, targets) > 0);
 * deepEqual(Object.keys(grads), Object.keys(params)); // keyed exactly like the parameters
 * deepEqual([grads.Wf.shape, dInputs.shape, dState.h.length], [[6, 5], [3, 1], 5]);
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";
import { logistic } from "./activations.ts";
import { dSquaredErrorLoss, squaredErrorLoss } from "./losses.ts";
import { zerosLikeParams } from "./params.ts";

/** The parameter names, in the question's dict order (which is also its draw order). */
export const LSTM_PARAM_NAMES = [
  "Wf",
  "Wi",
  "Wg",
  "Wo",
  "Wy",
  "bf",
  "bi",
  "bg",
  "bo",
  "by",
] as const;
export type LstmParamName = typeof LSTM_PARAM_NAMES[number];
/** `Wf, Wi, Wg, Wo`: (x_n+h_n, h_n); `Wy`: (h_n, o_n); `bf…bo`: (h_n); `by`: (o_n). */
export type LstmParams = Record<LstmParamName, NDArray>;

/** What one step keeps for its backward step (named as in the question). */
export interface LstmCache {
  xh: Float64Array;
  f_sigm: Float64Array;
  i_sigm: Float64Array;
  g_tanh: Float64Array;
  o_sigm: Float64Array;
  c: Float64Array;
  c_tanh: Float64Array;
  c_old: Float64Array;
  h: Float64Array;
}

/** The sizes of an LSTM: input x_n, hidden h_n, output o_n. */
export interface LstmSizes {
  x_n: number;
  h_n: number;
  o_n: number;
}

/**
 * The question's initialisation, in its order of random calls: `normal` draws for the four
 * gate matrices and `Wy`, then `normal · 0.1` for the five biases, then Xavier scaling
 * `W *= sqrt(2 / (fan_in + fan_out))` of the five matrices.
 * Inputs: the generator and the sizes. Returns: {@link LstmParams}, keys in the question's order.
 */
export function initLstmParams(rng: RandomState, sizes: LstmSizes): LstmParams {
  const { x_n, h_n, o_n } = sizes;
  for (const [k, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`initLstmParams: ${k} must be a positive integer, got ${v}`);
    }
  }
  const p = {} as LstmParams;
  for (const k of ["Wf", "Wi", "Wg", "Wo"] as const) p[k] = rng.normal(0, 1, [x_n + h_n, h_n]);
  p.Wy = rng.normal(0, 1, [h_n, o_n]);
  for (const k of ["bf", "bi", "bg", "bo"] as const) p[k] = rng.normal(0, 1, h_n).mul(0.1);
  p.by = rng.normal(0, 1, o_n).mul(0.1);
  for (const k of ["Wf", "Wi", "Wg", "Wo", "Wy"] as const) {
    const [fanIn, fanOut] = p[k].shape;
    p[k] = p[k].mul(Math.sqrt(2 / (fanIn + fanOut)));
  }
  return p;
}

function sizes(params: LstmParams): { x_n: number; h_n: number; o_n: number } {
  const rows = params.Wf.shape[0], h_n = params.Wf.shape[1];
  const o_n = params.Wy.shape[1];
  const x_n = rows - h_n;
  for (const k of ["Wi", "Wg", "Wo"] as const) {
    if (params[k].shape[0] !== rows || params[k].shape[1] !== h_n) {
      throw new RangeError(
        `lstm: ${k} has shape ${shapeStr(params[k].shape)}, Wf has ${shapeStr(params.Wf.shape)}`,
      );
    }
  }
  if (params.Wy.shape[0] !== h_n) {
    throw new RangeError(`lstm: Wy has shape ${shapeStr(params.Wy.shape)}, expected (${h_n}, o_n)`);
  }
  return { x_n, h_n, o_n };
}

/** `out = act(xh · W + b)` for one gate, written into `out`. */
function gate(
  xh: Float64Array,
  W: NDArray,
  b: NDArray,
  act: (z: number) => number,
  out: Float64Array,
): Float64Array {
  const rows = W.shape[0], cols = W.shape[1];
  const w = W.data, bias = b.data;
  for (let j = 0; j < cols; j++) {
    let z = 0;
    for (let k = 0; k < rows; k++) z += xh[k] * w[k * cols + j];
    out[j] = act(z + bias[j]);
  }
  return out;
}

const identity = (z: number) => z;

/**
 * One step (the question's `lstm`). Inputs: params, inp (x_n), h_old (h_n), c_old (h_n).
 * Returns: `y` (o_n), the new `h` and `c` (h_n), and the step's cache.
 */
export function lstm(
  params: LstmParams,
  inp: Float64Array,
  h_old: Float64Array,
  c_old: Float64Array,
): { y: Float64Array; h: Float64Array; c: Float64Array; cache: LstmCache } {
  const { x_n, h_n, o_n } = sizes(params);
  if (inp.length !== x_n || h_old.length !== h_n || c_old.length !== h_n) {
    throw new RangeError(
      `lstm: input of length ${inp.length}, h of ${h_old.length}, c of ${c_old.length}; expected ${x_n}, ${h_n}, ${h_n}`,
    );
  }
  // Allocating a typed array costs about a microsecond in V8, far more than this step's
  // arithmetic: carve every vector of the step out of one buffer instead.
  const buf = new Float64Array(x_n + 8 * h_n + o_n);
  let at = 0;
  const take = (len: number) => buf.subarray(at, at += len);
  const xh = take(x_n + h_n);
  xh.set(inp);
  xh.set(h_old, x_n);
  const f_sigm = gate(xh, params.Wf, params.bf, logistic, take(h_n));
  const i_sigm = gate(xh, params.Wi, params.bi, logistic, take(h_n));
  const g_tanh = gate(xh, params.Wg, params.bg, Math.tanh, take(h_n));
  const o_sigm = gate(xh, params.Wo, params.bo, logistic, take(h_n));
  const c = take(h_n);
  const c_tanh = take(h_n);
  const h = take(h_n);
  for (let j = 0; j < h_n; j++) {
    c[j] = f_sigm[j] * c_old[j] + i_sigm[j] * g_tanh[j];
    c_tanh[j] = Math.tanh(c[j]);
    h[j] = o_sigm[j] * c_tanh[j];
  }
  const y = gate(h, params.Wy, params.by, identity, take(o_n));
  return { y, h, c, cache: { xh, f_sigm, i_sigm, g_tanh, o_sigm, c, c_tanh, c_old, h } };
}

/**
 * One backward step (the question's `dlstm`), accumulating into `grads`: given ∂L/∂y (`dy`,
 * o_n) and the gradients flowing back from the next step (`dh_next`, `dc_next`, h_n), returns
 * those for the previous step (`dh_prev`, `dc_prev`, h_n) and for the step's input (`dx`, x_n).
 * Inputs: params, dy (o_n), dh_next (h_n), dc_next (h_n), the step's cache, grads (keyed like
 * params, added to in place). Returns: dh_prev, dc_prev (h_n), dx (x_n).
 */
export function dlstm(
  params: LstmParams,
  dy: Float64Array,
  dh_next: Float64Array,
  dc_next: Float64Array,
  cache: LstmCache,
  grads: LstmParams,
): { dh_prev: Float64Array; dc_prev: Float64Array; dx: Float64Array } {
  const { x_n, h_n, o_n } = sizes(params);
  const { xh, f_sigm, i_sigm, g_tanh, o_sigm, c_tanh, c_old, h } = cache;
  const rows = x_n + h_n;
  // The dense head: dby = dy, dWy = h ⊗ dy, dh = Wy·dy + dh_next.
  const buf = new Float64Array(6 * h_n + rows);
  let at = 0;
  const take = (len: number) => buf.subarray(at, at += len);
  const dh = take(h_n);
  for (let j = 0; j < h_n; j++) {
    let s = 0;
    for (let q = 0; q < o_n; q++) {
      grads.Wy.data[j * o_n + q] += h[j] * dy[q];
      s += params.Wy.data[j * o_n + q] * dy[q];
    }
    dh[j] = s + dh_next[j];
  }
  for (let q = 0; q < o_n; q++) grads.by.data[q] += dy[q];
  // Through the gates: pre-activation gradients.
  const d_o = take(h_n);
  const d_g = take(h_n);
  const d_i = take(h_n);
  const d_f = take(h_n);
  const dc_prev = take(h_n);
  for (let j = 0; j < h_n; j++) {
    d_o[j] = c_tanh[j] * dh[j] * o_sigm[j] * (1 - o_sigm[j]);
    const dc = dc_next[j] + o_sigm[j] * dh[j] * (1 - c_tanh[j] ** 2);
    d_g[j] = i_sigm[j] * dc * (1 - g_tanh[j] ** 2);
    d_i[j] = g_tanh[j] * dc * i_sigm[j] * (1 - i_sigm[j]);
    d_f[j] = c_old[j] * dc * f_sigm[j] * (1 - f_sigm[j]);
    dc_prev[j] = f_sigm[j] * dc;
  }
  // dW = xh ⊗ dz, db = dz, dxh = Σ_gates W · dz.
  const dxh = take(rows);
  const gates: [NDArray, NDArray, NDArray, Float64Array][] = [
    [params.Wo, grads.Wo, grads.bo, d_o],
    [params.Wg, grads.Wg, grads.bg, d_g],
    [params.Wi, grads.Wi, grads.bi, d_i],
    [params.Wf, grads.Wf, grads.bf, d_f],
  ];
  for (const [W, dW, db, dz] of gates) {
    for (let k = 0; k < rows; k++) {
      let s = 0;
      for (let j = 0; j < h_n; j++) {
        dW.data[k * h_n + j] += xh[k] * dz[j];
        s += W.data[k * h_n + j] * dz[j];
      }
      dxh[k] += s;
    }
    for (let j = 0; j < h_n; j++) db.data[j] += dz[j];
  }
  return { dh_prev: dxh.subarray(x_n), dc_prev, dx: dxh.subarray(0, x_n) };
}

/** The LSTM's recurrent state: `h` and `c`, h_n entries each. */
export interface LstmState {
  h: Float64Array;
  c: Float64Array;
}

/** What {@link lstmForward} keeps for {@link lstmBackward}: the parameters and every step's cache. */
export interface LstmSequenceCache {
  params: LstmParams;
  steps: LstmCache[];
}

/** The zero state `h = c = 0` of an LSTM. Inputs: its parameters. Returns: h, c (h_n each). */
export function lstmZeroState(params: LstmParams): LstmState {
  const { h_n } = sizes(params);
  return { h: new Float64Array(h_n), c: new Float64Array(h_n) };
}

/**
 * A whole sequence forward (the contract's `forward`). Inputs: params, inputs (T, x_n), the
 * start state (`h`, `c`, h_n each; default zeros). Returns: the outputs `y_t` (T arrays of
 * o_n), the final state and the cache {@link lstmBackward} needs. No loss: any head reads
 * `outputs` (the squared error of `losses.ts`, a logit, …).
 */
export function lstmForward(
  params: LstmParams,
  inputs: NDArray,
  state: LstmState = lstmZeroState(params),
): { outputs: Float64Array[]; state: LstmState; cache: LstmSequenceCache } {
  const { x_n } = sizes(params);
  if (inputs.ndim !== 2 || inputs.shape[1] !== x_n) {
    throw new RangeError(`lstmForward: inputs ${shapeStr(inputs.shape)} must be (T, ${x_n})`);
  }
  const T = inputs.shape[0];
  const outputs: Float64Array[] = [];
  const steps: LstmCache[] = [];
  let { h, c } = state;
  for (let t = 0; t < T; t++) {
    const step = lstm(params, inputs.data.subarray(t * x_n, (t + 1) * x_n), h, c);
    h = step.h;
    c = step.c;
    outputs.push(step.y);
    steps.push(step.cache);
  }
  return { outputs, state: { h, c }, cache: { params, steps } };
}

/**
 * Backpropagation through time (the contract's `backward`) from the gradient of the loss
 * with respect to every output, `dOutputs[t] = ∂L/∂y_t` (T arrays of o_n; zeros where a step
 * is not in the loss), last step first, starting from `dh = dc = 0`. Inputs: dOutputs, the
 * cache of {@link lstmForward}, and optionally `into`, a gradient record to accumulate into
 * (pass one record to sum a batch). Returns: `grads` keyed exactly like the parameters (`into`
 * if given), `dInputs` = ∂L/∂inputs (T, x_n) and `dState` = ∂L/∂(start h, c) (h_n each).
 */
export function lstmBackward(
  dOutputs: readonly Float64Array[],
  cache: LstmSequenceCache,
  into?: LstmParams,
): { grads: LstmParams; dInputs: NDArray; dState: LstmState } {
  const { params, steps } = cache;
  const grads = into ?? zerosLikeParams(params);
  const { x_n, h_n } = sizes(params);
  if (dOutputs.length !== steps.length) {
    throw new RangeError(
      `lstmBackward: ${dOutputs.length} output gradients for ${steps.length} steps`,
    );
  }
  const dInputs = NDArray.zeros([steps.length, x_n]);
  let dh: Float64Array = new Float64Array(h_n);
  let dc: Float64Array = new Float64Array(h_n);
  for (let t = steps.length - 1; t >= 0; t--) {
    const back = dlstm(params, dOutputs[t], dh, dc, steps[t], grads);
    dInputs.data.set(back.dx, t * x_n);
    dh = back.dh_prev;
    dc = back.dc_prev;
  }
  return { grads, dInputs, dState: { h: dh, c: dc } };
}

function checkTargets(op: string, inputs: NDArray, targets: NDArray): void {
  if (inputs.ndim !== 2 || targets.ndim !== 2 || inputs.shape[0] !== targets.shape[0]) {
    throw new RangeError(
      `${op}: inputs ${shapeStr(inputs.shape)} and targets ${
        shapeStr(targets.shape)
      } must be (T, x_n) and (T, o_n)`,
    );
  }
}

/**
 * The question's `lstm_loss`: {@link lstmForward} over inputs (T, x_n) from `h`, `c` (h_n
 * each), then `squaredErrorLoss` against targets (T, o_n). Inputs: params, h, c (h_n each),
 * inputs (T, x_n), targets (T, o_n). Returns: the last output `y` (o_n),
 * every output (T arrays of o_n), the loss, the final `h`, `c`, the step caches `caches` (the
 * question's list) and the sequence `cache` for {@link lstmBackward}.
 */
export function lstmLoss(
  params: LstmParams,
  h: Float64Array,
  c: Float64Array,
  inputs: NDArray,
  targets: NDArray,
): {
  y: Float64Array;
  outputs: Float64Array[];
  loss: number;
  h: Float64Array;
  c: Float64Array;
  caches: LstmCache[];
  cache: LstmSequenceCache;
} {
  checkTargets("lstmLoss", inputs, targets);
  const run = lstmForward(params, inputs, { h, c });
  const y = run.outputs.length
    ? run.outputs[run.outputs.length - 1]
    : new Float64Array(targets.shape[1]);
  return {
    y,
    outputs: run.outputs,
    loss: squaredErrorLoss(run.outputs, targets),
    h: run.state.h,
    c: run.state.c,
    caches: run.cache.steps,
    cache: run.cache,
  };
}

/**
 * The question's `dlstm_loss`: {@link lstmBackward} with `dy = 2 (y − target)` at every step
 * (the derivative of the squared error; the mean over o_n outputs is a no-op for o_n = 1, the
 * question's case — for o_n > 1 it would need a factor 1/o_n, which we apply). Inputs: params,
 * inputs (T, x_n), targets (T, o_n), the outputs and step caches of {@link lstmLoss}.
 * Returns: the parameter gradients, keyed like the parameters.
 */
export function dlstmLoss(
  params: LstmParams,
  inputs: NDArray,
  targets: NDArray,
  outputs: Float64Array[],
  caches: LstmCache[],
): LstmParams {
  checkTargets("dlstmLoss", inputs, targets);
  return lstmBackward(dSquaredErrorLoss(outputs, targets), { params, steps: caches }).grads;
}

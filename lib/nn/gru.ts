/**
 * A gated recurrent unit (GRU; Cho et al. 2014, "Learning Phrase Representations using RNN
 * Encoder–Decoder for Statistical Machine Translation"), forward and backward by hand, on the
 * contract of `nn/mod.ts`. Lesson 10 derives every line of the backward pass.
 *
 * One step, for one example, with column vectors `x` (n_x) and `h` (n_h), named as PyTorch's
 * `torch.nn.GRU` documentation names them:
 *
 *   r  = σ(W_ir x + b_ir + W_hr h + b_hr)            the reset gate
 *   z  = σ(W_iz x + b_iz + W_hz h + b_hz)            the update gate
 *   n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   the candidate ("after": PyTorch, cuDNN)
 *   n  = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)   the candidate ("before": Cho et al. 2014)
 *   h' = (1 − z) ⊙ n + z ⊙ h                         the new state
 *
 * **Two conventions for the reset gate.** PyTorch and cuDNN apply `r` *after* the recurrent
 * matrix product (`resetGate: "after"`, the default here); the original paper applies it
 * *before* (`"before"`; Keras's `reset_after=False`, the only GRU TensorFlow.js implements).
 * They are different functions of the same parameters. (In "before", `b_hn` is added outside
 * the product, so it is redundant with `b_in`; in "after" it is not.) **The update gate**
 * follows PyTorch: `z` keeps the old state, `1 − z` lets the candidate in (Cho et al. write
 * the same; some texts swap the two roles, which is the same model with `z ↦ 1 − z`).
 *
 * Layout: PyTorch's, with the batch kept: inputs `(T, B, n_x)`, states `(B, n_h)`, one row per
 * example, so in code each product is `x · W_irᵀ`. The weights are PyTorch's per gate:
 * `W_i·` is `(n_h, n_x)`, `W_h·` is `(n_h, n_h)`, biases `(n_h)`; `torch.nn.GRU` stacks them
 * as `weight_ih_l0 = [W_ir; W_iz; W_in]` (3n_h, n_x), and so on, in the order r, z, n.
 * Everything is float64, one formula per line, plain loops over `Float64Array`s.
 *
 * `initDenseGru`, `denseGruForward` and `denseGruBackward` add a dense head `y_t = W_y h_t + b_y`
 * for one example in row layout (inputs `(T, n_x)`, outputs T arrays of o_n), the shape
 * `lib/course/tasks.ts`'s `lastStepClassifier` takes: lesson 10 trains it as lesson 7 trains the
 * LSTM.
 *
 * ```ts
 * import { gruBackward, gruForward, initGru } from "./gru.ts";
 * import { RandomState } from "../numerics/random.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const rng = new RandomState(0);
 * const params = initGru(rng, { inputSize: 2, hiddenSize: 3 });
 * const inputs = rng.randn(4, 5, 2); // T = 4 steps, a batch of 5
 * const { outputs, cache } = gruForward(params, inputs, NDArray.zeros([5, 3]));
 * const { grads, dInputs, dState } = gruBackward(NDArray.ones(outputs.shape), cache);
 * deepEqual(grads.W_hn.shape, [3, 3]);
 * deepEqual([dInputs.shape, dState.shape], [[4, 5, 2], [5, 3]]);
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";
import { logistic } from "./activations.ts";

/** The parameter names, in PyTorch's order: input weights r, z, n; hidden weights; biases. */
export const GRU_PARAM_NAMES = [
  "W_ir",
  "W_iz",
  "W_in",
  "W_hr",
  "W_hz",
  "W_hn",
  "b_ir",
  "b_iz",
  "b_in",
  "b_hr",
  "b_hz",
  "b_hn",
] as const;
export type GruParamName = typeof GRU_PARAM_NAMES[number];
/** `W_i·`: (n_h, n_x); `W_h·`: (n_h, n_h); `b_··`: (n_h). */
export type GruParams = Record<GruParamName, NDArray>;
/** Gradients keyed exactly like {@link GruParams}, each shaped like its parameter. */
export type GruGrads = Record<GruParamName, NDArray>;

/** Where the reset gate acts: after the recurrent product (PyTorch) or before it (Cho et al.). */
export type ResetGate = "after" | "before";

/** Sizes of a GRU. */
export interface GruSizes {
  inputSize: number;
  hiddenSize: number;
}

/** Options of {@link gruForward}. */
export interface GruOptions {
  /** Where the reset gate acts (default `"after"`, PyTorch's). */
  resetGate?: ResetGate;
}

/**
 * Deliberate mistakes in the backward pass, to measure what a gradient check can see
 * (lesson 10's planted bugs). Never used in training.
 *
 * - `"carry dropped"`: ∂L/∂h_{t−1} from step t is not passed back (each step sees only its own
 *   output's gradient);
 * - `"z and 1 − z swapped"`: the gradient of `h' = z ⊙ n + (1 − z) ⊙ h`;
 * - `"tanh′ missing"`: ∂n/∂a_n taken as 1;
 * - `"σ′ missing in z"`: ∂z/∂a_z taken as 1;
 * - `"direct path dropped"`: the `z ⊙ ∂L/∂h'` term of the carry left out.
 */
export type GruPlantedBug =
  | "carry dropped"
  | "z and 1 − z swapped"
  | "tanh′ missing"
  | "σ′ missing in z"
  | "direct path dropped";

/** Everything {@link gruBackward} reads: inputs, states, gate values, parameters. */
export interface GruCache {
  params: GruParams;
  resetGate: ResetGate;
  /** (T, B, n_x) */
  inputs: NDArray;
  /** T + 1 states (B, n_h), flat: `h[0]` is the initial state. */
  h: Float64Array[];
  /** Per step (B, n_h), flat: the gates and the candidate. */
  r: Float64Array[];
  z: Float64Array[];
  n: Float64Array[];
  /** Per step (B, n_h): `W_hn h + b_hn` ("after") or `r ⊙ h` ("before"). */
  inner: Float64Array[];
}

/**
 * PyTorch's initialisation of `torch.nn.GRU`: every weight and bias uniform in
 * `[−1/√n_h, 1/√n_h]`, drawn here in the order of {@link GRU_PARAM_NAMES} (so the numbers are
 * not torch's own; lesson 10's comparisons load torch's recorded weights instead).
 *
 * Inputs: `rng`, `{ inputSize: n_x, hiddenSize: n_h }`. Returns: {@link GruParams}.
 */
export function initGru(rng: RandomState, sizes: GruSizes): GruParams {
  const { inputSize: nx, hiddenSize: nh } = sizes;
  if (!(Number.isInteger(nx) && nx > 0 && Number.isInteger(nh) && nh > 0)) {
    throw new RangeError(`initGru: sizes must be positive integers, got ${nx}, ${nh}`);
  }
  const k = 1 / Math.sqrt(nh);
  const shape = (name: GruParamName) =>
    name.startsWith("b_") ? [nh] : name.startsWith("W_i") ? [nh, nx] : [nh, nh];
  const p = {} as GruParams;
  for (const name of GRU_PARAM_NAMES) p[name] = rng.uniform(-k, k, shape(name));
  return p;
}

/** n_x and n_h, after checking every parameter's shape. */
function gruSizes(params: GruParams): { nx: number; nh: number } {
  const nh = params.W_hr.shape[0], nx = params.W_ir.shape[1];
  for (const name of GRU_PARAM_NAMES) {
    const want = name.startsWith("b_") ? [nh] : name.startsWith("W_i") ? [nh, nx] : [nh, nh];
    const got = params[name]?.shape;
    if (!got || got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new RangeError(
        `gru: ${name} has shape ${got ? shapeStr(got) : "(missing)"}, expected ${shapeStr(want)}`,
      );
    }
  }
  return { nx, nh };
}

/** `out[b, j] (+)= Σ_k v[b, k] · W[j, k]` — rows of v times Wᵀ; W is (nOut, nIn). */
function timesTransposed(
  v: Float64Array,
  W: NDArray,
  batch: number,
  out: Float64Array,
): void {
  const [nOut, nIn] = W.shape, w = W.data;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < nOut; j++) {
      let s = 0;
      for (let k = 0; k < nIn; k++) s += v[b * nIn + k] * w[j * nIn + k];
      out[b * nOut + j] += s;
    }
  }
}

/** `out[b, k] += Σ_j d[b, j] · W[j, k]` — rows of d times W (the backward of the above). */
function timesW(d: Float64Array, W: NDArray, batch: number, out: Float64Array): void {
  const [nOut, nIn] = W.shape, w = W.data;
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < nIn; k++) {
      let s = 0;
      for (let j = 0; j < nOut; j++) s += d[b * nOut + j] * w[j * nIn + k];
      out[b * nIn + k] += s;
    }
  }
}

/** `dW[j, k] += Σ_b d[b, j] · v[b, k]` and `db[j] += Σ_b d[b, j]` (an outer product per row). */
function accumulate(
  d: Float64Array,
  v: Float64Array,
  batch: number,
  dW: NDArray,
  db: NDArray | null,
): void {
  const [nOut, nIn] = dW.shape, g = dW.data;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < nOut; j++) {
      const dj = d[b * nOut + j];
      for (let k = 0; k < nIn; k++) g[j * nIn + k] += dj * v[b * nIn + k];
      if (db) db.data[j] += dj;
    }
  }
}

/** `out = W_i x + b_i + W_h h + b_h` for one gate, rows of a batch. */
function affine(
  x: Float64Array,
  h: Float64Array,
  Wi: NDArray,
  Wh: NDArray | null,
  bi: NDArray,
  bh: NDArray | null,
  batch: number,
): Float64Array {
  const nh = Wi.shape[0];
  const out = new Float64Array(batch * nh);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < nh; j++) out[b * nh + j] = bi.data[j] + (bh ? bh.data[j] : 0);
  }
  timesTransposed(x, Wi, batch, out);
  if (Wh) timesTransposed(h, Wh, batch, out);
  return out;
}

/**
 * The GRU over a sequence, from the initial state.
 *
 * Inputs: `params` ({@link GruParams}); `inputs` (T, B, n_x); `state` h_0 (B, n_h);
 * `options.resetGate` ("after", PyTorch's, by default).
 * Returns: `outputs` (T, B, n_h), the states h_1 … h_T (PyTorch's `output`); `state` h_T
 * (B, n_h) (PyTorch's `h_n`); `cache` for {@link gruBackward}.
 */
export function gruForward(
  params: GruParams,
  inputs: NDArray,
  state: NDArray,
  options: GruOptions = {},
): { outputs: NDArray; state: NDArray; cache: GruCache } {
  const { nx, nh } = gruSizes(params);
  const resetGate = options.resetGate ?? "after";
  if (resetGate !== "after" && resetGate !== "before") {
    throw new RangeError(`gruForward: resetGate must be "after" or "before", got ${resetGate}`);
  }
  if (inputs.ndim !== 3 || inputs.shape[2] !== nx) {
    throw new RangeError(`gruForward: inputs ${shapeStr(inputs.shape)} must be (T, B, ${nx})`);
  }
  const [T, B] = inputs.shape;
  if (state.ndim !== 2 || state.shape[0] !== B || state.shape[1] !== nh) {
    throw new RangeError(`gruForward: state ${shapeStr(state.shape)} must be (${B}, ${nh})`);
  }
  const p = params;
  const cache: GruCache = {
    params,
    resetGate,
    inputs,
    h: [Float64Array.from(state.data)],
    r: [],
    z: [],
    n: [],
    inner: [],
  };
  const outputs = NDArray.zeros([T, B, nh]);
  for (let t = 0; t < T; t++) {
    const x = inputs.data.subarray(t * B * nx, (t + 1) * B * nx);
    const h = cache.h[t];
    const r = affine(x, h, p.W_ir, p.W_hr, p.b_ir, p.b_hr, B); // a_r, then r = σ(a_r) in place
    for (let i = 0; i < B * nh; i++) r[i] = logistic(r[i]);
    const z = affine(x, h, p.W_iz, p.W_hz, p.b_iz, p.b_hz, B); // a_z, then z = σ(a_z)
    for (let i = 0; i < B * nh; i++) z[i] = logistic(z[i]);
    const a_n = affine(x, h, p.W_in, null, p.b_in, null, B);
    let inner: Float64Array;
    if (resetGate === "after") {
      inner = affine(h, h, p.W_hn, null, p.b_hn, null, B); // m = W_hn h + b_hn
      for (let i = 0; i < B * nh; i++) a_n[i] += r[i] * inner[i]; // a_n += r ⊙ m
    } else {
      inner = r.map((ri, i) => ri * h[i]); // q = r ⊙ h
      for (let i = 0; i < B * nh; i++) a_n[i] += p.b_hn.data[i % nh]; // a_n += b_hn
      timesTransposed(inner, p.W_hn, B, a_n); // a_n += W_hn q
    }
    const n = a_n; // n = tanh(a_n), in place
    for (let i = 0; i < B * nh; i++) n[i] = Math.tanh(a_n[i]);
    const hNext = new Float64Array(B * nh);
    for (let i = 0; i < B * nh; i++) hNext[i] = (1 - z[i]) * n[i] + z[i] * h[i];
    cache.h.push(hNext);
    cache.r.push(r);
    cache.z.push(z);
    cache.n.push(n);
    cache.inner.push(inner);
    outputs.data.set(hNext, t * B * nh);
  }
  return { outputs, state: new NDArray(Float64Array.from(cache.h[T]), [B, nh]), cache };
}

/** Zeroed gradients shaped like the parameters. */
export function zerosLikeGru(params: GruParams): GruGrads {
  const out = {} as GruGrads;
  for (const k of GRU_PARAM_NAMES) out[k] = NDArray.zeros(params[k].shape);
  return out;
}

/**
 * Backpropagation through time, last step first, as lesson 10 derives it.
 *
 * Inputs: `dOutputs` (T, B, n_h), ∂L/∂h_t for t = 1 … T (zeros where a step is not in the
 * loss; the gradient of PyTorch's `h_n` belongs in the last row); `cache` from
 * {@link gruForward}; `options.plant`, a deliberate mistake (tests and lesson 10 only).
 * Returns: `grads`, keyed exactly like the parameters; `dInputs` (T, B, n_x), ∂L/∂x_t;
 * `dState` (B, n_h), ∂L/∂h_0.
 */
export function gruBackward(
  dOutputs: NDArray,
  cache: GruCache,
  options: { plant?: GruPlantedBug } = {},
): { grads: GruGrads; dInputs: NDArray; dState: NDArray } {
  const { params: p, inputs, resetGate } = cache;
  const { nx, nh } = gruSizes(p);
  const [T, B] = inputs.shape;
  if (dOutputs.ndim !== 3 || dOutputs.shape[0] !== T || dOutputs.shape[1] !== B) {
    throw new RangeError(
      `gruBackward: dOutputs ${shapeStr(dOutputs.shape)} must be (${T}, ${B}, ${nh})`,
    );
  }
  if (dOutputs.shape[2] !== nh) {
    throw new RangeError(
      `gruBackward: dOutputs ${shapeStr(dOutputs.shape)} must be (${T}, ${B}, ${nh})`,
    );
  }
  const bug = options.plant;
  const g = zerosLikeGru(p);
  const dInputs = NDArray.zeros([T, B, nx]);
  const N = B * nh;
  let carry = new Float64Array(N); // ∂L/∂h_t through the steps after t
  for (let t = T - 1; t >= 0; t--) {
    const x = inputs.data.subarray(t * B * nx, (t + 1) * B * nx);
    const dx = dInputs.data.subarray(t * B * nx, (t + 1) * B * nx);
    const h = cache.h[t], r = cache.r[t], z = cache.z[t], n = cache.n[t], inner = cache.inner[t];
    // One buffer per step, carved into its vectors (an allocation costs more than the arithmetic).
    const buf = new Float64Array(7 * N);
    const take = (k: number) => buf.subarray(k * N, (k + 1) * N);
    const dh = take(0); // ∂L/∂h_t (h' here), both routes
    for (let i = 0; i < N; i++) dh[i] = dOutputs.data[t * N + i] + carry[i];
    const da_n = take(1), da_z = take(2), da_r = take(3);
    const dPrev = take(4); // ∂L/∂h_{t−1}
    const dr = take(5);
    for (let i = 0; i < N; i++) {
      const zi = bug === "z and 1 − z swapped" ? 1 - z[i] : z[i];
      const dn = dh[i] * (1 - zi); // ∂L/∂n = ∂L/∂h' ⊙ (1 − z)
      const dz = bug === "z and 1 − z swapped" ? dh[i] * (n[i] - h[i]) : dh[i] * (h[i] - n[i]); // ∂L/∂z
      dPrev[i] = bug === "direct path dropped" ? 0 : dh[i] * zi; // the direct path z ⊙ ∂L/∂h'
      da_n[i] = bug === "tanh′ missing" ? dn : dn * (1 - n[i] * n[i]); // tanh′ = 1 − n²
      da_z[i] = bug === "σ′ missing in z" ? dz : dz * z[i] * (1 - z[i]); // σ′ = z(1 − z)
    }
    // The candidate: a_n = W_in x + b_in + (r ⊙ (W_hn h + b_hn) | W_hn (r ⊙ h) + b_hn).
    accumulate(da_n, x, B, g.W_in, g.b_in);
    timesW(da_n, p.W_in, B, dx);
    if (resetGate === "after") {
      const dm = take(6); // ∂L/∂m = ∂L/∂a_n ⊙ r, with m = W_hn h + b_hn
      for (let i = 0; i < N; i++) {
        dm[i] = da_n[i] * r[i];
        dr[i] = da_n[i] * inner[i]; // ∂L/∂r = ∂L/∂a_n ⊙ m
      }
      accumulate(dm, h, B, g.W_hn, g.b_hn);
      timesW(dm, p.W_hn, B, dPrev);
    } else {
      const dq = take(6); // ∂L/∂q = W_hnᵀ ∂L/∂a_n, with q = r ⊙ h
      timesW(da_n, p.W_hn, B, dq);
      accumulate(da_n, inner, B, g.W_hn, g.b_hn);
      for (let i = 0; i < N; i++) {
        dr[i] = dq[i] * h[i]; // ∂L/∂r = ∂L/∂q ⊙ h
        dPrev[i] += dq[i] * r[i]; // ∂L/∂h via q: ∂L/∂q ⊙ r
      }
    }
    for (let i = 0; i < N; i++) da_r[i] = dr[i] * r[i] * (1 - r[i]); // σ′ = r(1 − r)
    // The two gates: a_· = W_i· x + b_i· + W_h· h + b_h·.
    for (
      const [da, Wi, Wh, dWi, dWh, dbi, dbh] of [
        [da_z, p.W_iz, p.W_hz, g.W_iz, g.W_hz, g.b_iz, g.b_hz],
        [da_r, p.W_ir, p.W_hr, g.W_ir, g.W_hr, g.b_ir, g.b_hr],
      ] as const
    ) {
      accumulate(da, x, B, dWi, dbi);
      accumulate(da, h, B, dWh, dbh);
      timesW(da, Wi, B, dx);
      timesW(da, Wh, B, dPrev);
    }
    carry = bug === "carry dropped" ? new Float64Array(N) : dPrev;
    if (t === 0) carry = dPrev; // ∂L/∂h_0 is reported either way
  }
  return { grads: g, dInputs, dState: new NDArray(Float64Array.from(carry), [B, nh]) };
}

/** The names of {@link DenseGruParams}: the GRU's twelve, then the dense head's. */
export const DENSE_GRU_PARAM_NAMES = [...GRU_PARAM_NAMES, "W_y", "b_y"] as const;
/** A GRU read out by a dense layer `y_t = W_y h_t + b_y`: `W_y` (o_n, n_h), `b_y` (o_n). */
export type DenseGruParams = GruParams & { W_y: NDArray; b_y: NDArray };
/** What {@link denseGruBackward} reads: the GRU's cache and the states the head saw. */
export interface DenseGruCache {
  params: DenseGruParams;
  gru: GruCache;
}

/**
 * A GRU with a dense head, initialised as PyTorch initialises `nn.GRU` and `nn.Linear`:
 * everything uniform in `±1/√n_h` (the head's fan-in is n_h too).
 * Inputs: `rng`, `{ inputSize: n_x, hiddenSize: n_h, outputSize: o_n }`. Returns: {@link DenseGruParams}.
 */
export function initDenseGru(
  rng: RandomState,
  sizes: GruSizes & { outputSize: number },
): DenseGruParams {
  const gru = initGru(rng, sizes);
  const k = 1 / Math.sqrt(sizes.hiddenSize);
  const o = sizes.outputSize;
  if (!(Number.isInteger(o) && o > 0)) {
    throw new RangeError(`initDenseGru: outputSize must be a positive integer, got ${o}`);
  }
  return {
    ...gru,
    W_y: rng.uniform(-k, k, [o, sizes.hiddenSize]),
    b_y: rng.uniform(-k, k, [o]),
  };
}

/**
 * One sequence through the GRU and its head, one example in row layout — the shape the
 * training tasks of `lib/course/tasks.ts` take (as `lstmForward`'s).
 *
 * Inputs: `params` ({@link DenseGruParams}); `inputs` (T, n_x); `state` h_0 (n_h), zeros by default;
 * `options.resetGate`.
 * Returns: `outputs`, T arrays of o_n (`y_t = W_y h_t + b_y`); `state` h_T (n_h); `cache`.
 */
export function denseGruForward(
  params: DenseGruParams,
  inputs: NDArray,
  state?: Float64Array,
  options: GruOptions = {},
): { outputs: Float64Array[]; state: Float64Array; cache: DenseGruCache } {
  const nh = params.W_hr.shape[0];
  const [o, nhY] = params.W_y.shape;
  if (nhY !== nh || params.b_y.size !== o) {
    throw new RangeError(
      `denseGruForward: W_y ${shapeStr(params.W_y.shape)} and b_y ${
        shapeStr(params.b_y.shape)
      } must be (o_n, ${nh}) and (o_n)`,
    );
  }
  if (inputs.ndim !== 2) {
    throw new RangeError(`denseGruForward: inputs ${shapeStr(inputs.shape)} must be (T, n_x)`);
  }
  const [T, nx] = inputs.shape;
  const h0 = new NDArray(state ? Float64Array.from(state) : new Float64Array(nh), [1, nh]);
  const run = gruForward(params, inputs.reshape(T, 1, nx), h0, options);
  const outputs: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const y = Float64Array.from(params.b_y.data);
    timesTransposed(run.outputs.data.subarray(t * nh, (t + 1) * nh), params.W_y, 1, y);
    outputs.push(y);
  }
  return { outputs, state: run.state.data, cache: { params, gru: run.cache } };
}

/**
 * The backward pass of {@link denseGruForward}: the head, then {@link gruBackward}.
 *
 * Inputs: `dOutputs`, T arrays of o_n (∂L/∂y_t; zeros where a step is not in the loss); the
 * `cache`; `into`, gradients to add to (a batch's record), fresh zeros by default.
 * Returns: `grads` keyed exactly like the parameters (`into` when given); `dInputs` (T, n_x);
 * `dState` (n_h).
 */
export function denseGruBackward(
  dOutputs: readonly Float64Array[],
  cache: DenseGruCache,
  into?: DenseGruParams,
): { grads: DenseGruParams; dInputs: NDArray; dState: Float64Array } {
  const p = cache.params;
  const T = cache.gru.inputs.shape[0], nx = cache.gru.inputs.shape[2], nh = p.W_hr.shape[0];
  if (dOutputs.length !== T) {
    throw new RangeError(`denseGruBackward: ${dOutputs.length} output gradients for ${T} steps`);
  }
  const grads = into ?? ({
    ...zerosLikeGru(p),
    W_y: NDArray.zeros(p.W_y.shape),
    b_y: NDArray.zeros(p.b_y.shape),
  } as DenseGruParams);
  // The head: δW_y += δy_t h_tᵀ, δb_y += δy_t, δh_t = W_yᵀ δy_t.
  const dStates = NDArray.zeros([T, 1, nh]);
  for (let t = 0; t < T; t++) {
    const h = cache.gru.h[t + 1];
    accumulate(dOutputs[t], h, 1, grads.W_y, grads.b_y);
    timesW(dOutputs[t], p.W_y, 1, dStates.data.subarray(t * nh, (t + 1) * nh));
  }
  const back = gruBackward(dStates, cache.gru);
  for (const k of GRU_PARAM_NAMES) {
    const g = grads[k].data, d = back.grads[k].data;
    for (let i = 0; i < g.length; i++) g[i] += d[i];
  }
  return { grads, dInputs: back.dInputs.reshape(T, nx), dState: back.dState.data };
}

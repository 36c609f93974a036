/**
 * Exercise 10's grader spec (lesson 10): `gru_cell_backward` and `gru_backward`, PyTorch's GRU
 * (reset after) in column layout. References that owe nothing to `exercises/_solutions.ts`:
 * torch 1.13's own autograd gradients (data/gru/torch_gru.json, by tools/gen_gru_reference.py)
 * for BPTT, and central differences of the library's forward pass (lib/nn/gru.ts) judged by the
 * gradient policy for one step. The known mistakes are a written-out column-layout backward
 * with one slip each.
 *
 * @module
 */

import torchJson from "../../data/gru/torch_gru.json" with { type: "json" };
import {
  gamma,
  GRU_PARAM_NAMES,
  gruForward,
  type GruParamName,
  type GruParams,
  NDArray,
  RandomState,
} from "./lib.ts";
import * as ref from "../../exercises/_solutions.ts";
import { drawCases } from "./cases.ts";
import {
  describe,
  type ExerciseSpec,
  GradeError,
  type Mistake,
  type Probe,
  record,
} from "./mod.ts";

type Cols = Record<GruParamName, NDArray>;
interface ColumnCache {
  x: NDArray;
  h_prev: NDArray;
  r: NDArray;
  z: NDArray;
  n: NDArray;
  m: NDArray;
  params: Cols;
}

/** Row-layout parameters (biases (n_h)) → the exercise's (biases (n_h, 1)). */
const columns = (p: GruParams): Cols =>
  Object.fromEntries(
    GRU_PARAM_NAMES.map((k) => [k, k.startsWith("b_") ? p[k].reshape(-1, 1) : p[k].copy()]),
  ) as Cols;

/** A flat (B, n) row block → an (n, B) column block. */
const toColumns = (flat: Float64Array, B: number, n: number) =>
  new NDArray(Float64Array.from(flat), [B, n]).T.copy();

/**
 * The exercise's caches of a run of the library's forward pass (lib/nn/gru.ts), built by the
 * grader, never by the learner's code. Inputs: row-layout params, inputs (T, B, n_x), h0 (B, n_h).
 */
function cachesOf(params: GruParams, inputs: NDArray, h0: NDArray): ColumnCache[] {
  const { cache } = gruForward(params, inputs, h0);
  const [T, B, nx] = inputs.shape, nh = h0.shape[1];
  const cols = columns(params);
  return [...Array(T).keys()].map((t) => ({
    x: toColumns(inputs.data.subarray(t * B * nx, (t + 1) * B * nx), B, nx),
    h_prev: toColumns(cache.h[t], B, nh),
    r: toColumns(cache.r[t], B, nh),
    z: toColumns(cache.z[t], B, nh),
    n: toColumns(cache.n[t], B, nh),
    m: toColumns(cache.inner[t], B, nh),
    params: cols,
  }));
}

/** The learner's `{dx, dh_prev | dh0, grads}` as named outputs, after checking its form. */
function outputsOf(result: unknown, fn: string, stateKey: string): Record<string, unknown> {
  const r = record(result, fn, ["dx", stateKey, "grads"]);
  const grads = r.grads as Record<string, unknown>;
  if (typeof grads !== "object" || grads === null) {
    throw new GradeError(
      `${fn}: grads should be an object keyed like the parameters, got ${describe(grads)}`,
    );
  }
  const missing = GRU_PARAM_NAMES.filter((k) => !(k in grads));
  if (missing.length) {
    throw new GradeError(
      `${fn}: grads should be keyed exactly like the parameters; missing ${missing.join(", ")}`,
    );
  }
  const out: Record<string, unknown> = { [stateKey]: r[stateKey] };
  if (Array.isArray(r.dx)) r.dx.forEach((d, t) => (out[`dx[${t}]`] = d));
  else out.dx = r.dx;
  for (const k of GRU_PARAM_NAMES) out[`grads.${k}`] = grads[k];
  return out;
}

/** A parameter's shape in row layout: biases (n_h), input weights (n_h, n_x), the rest (n_h, n_h). */
const paramShape = (k: GruParamName, nx: number, nh: number): [number, ...number[]] =>
  k.startsWith("b_") ? [nh] : k.startsWith("W_i") ? [nh, nx] : [nh, nh];

/** Gaussian row-layout parameters × 0.6, drawn in GRU_PARAM_NAMES order. */
const randomParams = (rng: RandomState, nx: number, nh: number): GruParams =>
  Object.fromEntries(
    GRU_PARAM_NAMES.map((k) => [k, rng.randn(...paramShape(k, nx, nh)).mul(0.6)]),
  ) as GruParams;

/** The exercise's column-layout parameters (biases (n_h, 1)) → the library's row layout. */
const rowsOf = (cols: Cols): GruParams =>
  Object.fromEntries(
    GRU_PARAM_NAMES.map((k) => [k, k.startsWith("b_") ? cols[k].reshape(-1) : cols[k]]),
  ) as GruParams;

/** Higham's 2γ_N·max(1, max|·|), N = 2T(n_x + n_h + 10): lesson 10's bound for two float64 orders. */
const bound = (T: number, nx: number, nh: number, a: NDArray) =>
  2 * gamma(2 * T * (nx + nh + 10)) * Math.max(1, a.abs().max() as number);

// ---------------------------------------------------------------------------------------------
// gru_cell_backward: one step, against central differences of the library's forward pass.

function cellSetup(seed: number, nx: number, nh: number, m: number) {
  const rng = new RandomState(seed);
  const params = randomParams(rng, nx, nh);
  const inputs = rng.randn(1, m, nx);
  const h0 = rng.randn(m, nh).mul(0.8);
  const dh = rng.randn(nh, m); // L = Σ dh ⊙ h'
  return { params, inputs, h0, dh };
}

function cellProbe(seed: number, nx: number, nh: number, m: number): Probe {
  return {
    fn: "gru_cell_backward",
    name: `n_x = ${nx}, n_h = ${nh}, a batch of ${m} (seed ${seed}): every gradient`,
    run(impl) {
      const { params, inputs, h0, dh } = cellSetup(seed, nx, nh, m);
      const [cache] = cachesOf(params, inputs, h0);
      return outputsOf(impl.gru_cell_backward(dh, cache), "gru_cell_backward", "dh_prev");
    },
    gradcheck() {
      const { params, inputs, h0, dh } = cellSetup(seed, nx, nh, m);
      const x = inputs.reshape(m, nx).T.copy(), h = h0.T.copy();
      const colParams = columns(params);
      // L = Σ dh ⊙ h' by the library's forward pass, reading the column-layout arrays.
      const loss = () => {
        const rows = rowsOf(colParams);
        const f = gruForward(rows, x.T.copy().reshape(1, m, nx), h.T.copy());
        return f.state.T.mul(dh).sum() as number;
      };
      return {
        loss,
        params: { x, h_prev: h, ...colParams },
        keys: {
          dx: "x",
          dh_prev: "h_prev",
          ...Object.fromEntries(GRU_PARAM_NAMES.map((k) => [`grads.${k}`, k])),
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// gru_backward: torch's recorded autograd gradients.

interface TorchCase {
  T: number;
  B: number;
  n_x: number;
  n_h: number;
  params: GruParams;
  x: NDArray;
  h0: NDArray;
  e: NDArray[];
  grads: Cols;
  dx: NDArray[];
  dh0: NDArray;
}

function torchCase(i: number): TorchCase {
  const c = torchJson.cases[i];
  const { T, B, n_x: nx, n_h: nh } = c;
  const arr = (xs: string[], shape: number[]) => new NDArray(Float64Array.from(xs, Number), shape);
  const shape = (k: GruParamName) => paramShape(k, nx, nh);
  const params = Object.fromEntries(
    GRU_PARAM_NAMES.map((k) => [k, arr((c.weights as Record<string, string[]>)[k], shape(k))]),
  ) as GruParams;
  const C = arr(c.C, [T, B, nh]), D = arr(c.D, [B, nh]);
  const e = [...Array(T).keys()].map((t) => {
    const row = C.take(0, t);
    return (t === T - 1 ? row.add(D) : row).T.copy();
  });
  const g = c.after.grads as Record<string, string[]>;
  const grads = columns(
    Object.fromEntries(GRU_PARAM_NAMES.map((k) => [k, arr(g[k], shape(k))])) as GruParams,
  );
  const xg = arr(c.after.x_grad, [T, B, nx]);
  return {
    T,
    B,
    n_x: nx,
    n_h: nh,
    params,
    x: arr(c.x, [T, B, nx]),
    h0: arr(c.h0, [B, nh]),
    e,
    grads,
    dx: [...Array(T).keys()].map((t) => xg.take(0, t).T.copy()),
    dh0: arr(c.after.h0_grad, [B, nh]).T.copy(),
  };
}

function bpttProbe(i: number): Probe {
  const c = torchCase(i);
  return {
    fn: "gru_backward",
    name: `torch.nn.GRU's run ${i + 1} (n_x = ${c.n_x}, n_h = ${c.n_h}, T = ${c.T}, a batch ` +
      `of ${c.B}): every gradient vs torch's autograd`,
    run(impl) {
      const c = torchCase(i);
      const caches = cachesOf(c.params, c.x, c.h0);
      return outputsOf(impl.gru_backward(c.e, caches), "gru_backward", "dh0");
    },
    expect() {
      const c = torchCase(i);
      const against = "torch 1.13 autograd, float64 (data/gru/torch_gru.json), 2γ_N·max(1, |·|)";
      const b = (a: NDArray) => bound(c.T, c.n_x, c.n_h, a);
      return [
        ...c.dx.map((d, t) => ({ key: `dx[${t}]`, value: d, tolerance: b(d), against })),
        { key: "dh0", value: c.dh0, tolerance: b(c.dh0), against },
        ...GRU_PARAM_NAMES.map((k) => ({
          key: `grads.${k}`,
          value: c.grads[k],
          tolerance: b(c.grads[k]),
          against,
        })),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// gru_backward on random sizes: against central differences of the library's forward pass.

function bpttSetup(seed: number, nx: number, nh: number, B: number, T: number) {
  const rng = new RandomState(seed);
  const params = randomParams(rng, nx, nh);
  const inputs = rng.randn(T, B, nx);
  const h0 = rng.randn(B, nh).mul(0.8);
  const e = [...Array(T).keys()].map(() => rng.randn(nh, B)); // L = Σ_t Σ e_t ⊙ h_t
  return { params, inputs, h0, e };
}

function bpttRandomProbe(seed: number, nx: number, nh: number, B: number, T: number): Probe {
  return {
    fn: "gru_backward",
    name: `random case (n_x = ${nx}, n_h = ${nh}, a batch of ${B}, T = ${T}, seed ${seed}): ` +
      `every gradient vs central differences`,
    run(impl) {
      const { params, inputs, h0, e } = bpttSetup(seed, nx, nh, B, T);
      return outputsOf(impl.gru_backward(e, cachesOf(params, inputs, h0)), "gru_backward", "dh0");
    },
    gradcheck() {
      const { params, inputs, h0, e } = bpttSetup(seed, nx, nh, B, T);
      // Column-layout copies the loss reads: x_t (n_x, B), h0 (n_h, B), the parameters.
      const xs = [...Array(T).keys()].map((t) => inputs.take(0, t).T.copy());
      const h = h0.T.copy();
      const colParams = columns(params);
      const loss = () => {
        const rows = rowsOf(colParams);
        const flat = new Float64Array(T * B * nx);
        xs.forEach((x, t) => flat.set(x.T.copy().data, t * B * nx));
        const f = gruForward(rows, new NDArray(flat, [T, B, nx]), h.T.copy());
        return e.reduce((sum, et, t) => sum + (f.outputs.take(0, t).mul(et.T).sum() as number), 0);
      };
      const xParams = Object.fromEntries(xs.map((x, t) => [`x${t}`, x]));
      return {
        loss,
        params: { ...xParams, h0: h, ...colParams },
        keys: {
          ...Object.fromEntries(xs.map((_, t) => [`dx[${t}]`, `x${t}`])),
          dh0: "h0",
          ...Object.fromEntries(GRU_PARAM_NAMES.map((k) => [`grads.${k}`, k])),
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Known mistakes: the backward written out in column layout, with one slip each.

type CellSlip =
  | "z and 1 − z swapped"
  | "∂h'/∂z sign flipped"
  | "tanh′ missing"
  | "σ′ missing in z"
  | "σ′ missing in r"
  | "the reset gate before the product"
  | "δm without r"
  | "δb_hn = δa_n"
  | "direct path dropped"
  | "the gates' recurrent terms dropped from dh_prev"
  | "the gates' terms dropped from dx"
  | "biases averaged over the batch";
type BpttSlip =
  | "carry dropped"
  | "carry skips the step"
  | "steps walked forwards"
  | "weights overwritten, not summed";

const zerosLike = (p: Cols): Cols =>
  Object.fromEntries(GRU_PARAM_NAMES.map((k) => [k, NDArray.zeros(p[k].shape)])) as Cols;

function cellWritten(dh_next: NDArray, cache: ColumnCache, slip?: CellSlip) {
  const { x, h_prev: h, r, z, n, m, params: p } = cache;
  const one = (a: NDArray) => a.neg().add(1);
  const zz = slip === "z and 1 − z swapped" ? one(z) : z;
  const dn = dh_next.mul(one(zz));
  let dz = dh_next.mul(h.sub(n));
  if (slip === "z and 1 − z swapped" || slip === "∂h'/∂z sign flipped") dz = dz.neg();
  const da_n = slip === "tanh′ missing" ? dn : dn.mul(one(n.square()));
  const da_z = slip === "σ′ missing in z" ? dz : dz.mul(z).mul(one(z));
  let dr: NDArray, dm: NDArray | null = null, dq: NDArray | null = null;
  if (slip === "the reset gate before the product") {
    dq = p.W_hn.T.dot(da_n);
    dr = dq.mul(h);
  } else {
    dr = da_n.mul(m);
    dm = slip === "δm without r" ? da_n : da_n.mul(r);
  }
  const da_r = slip === "σ′ missing in r" ? dr : dr.mul(r).mul(one(r));
  const sum = (a: NDArray) =>
    slip === "biases averaged over the batch" ? a.sum(1, true).div(a.shape[1]) : a.sum(1, true);
  const grads: Cols = {
    W_ir: da_r.dot(x.T),
    W_iz: da_z.dot(x.T),
    W_in: da_n.dot(x.T),
    W_hr: da_r.dot(h.T),
    W_hz: da_z.dot(h.T),
    W_hn: dq ? da_n.dot(r.mul(h).T) : dm!.dot(h.T),
    b_ir: sum(da_r),
    b_iz: sum(da_z),
    b_in: sum(da_n),
    b_hr: sum(da_r),
    b_hz: sum(da_z),
    b_hn: sum(dq || slip === "δb_hn = δa_n" ? da_n : dm!),
  };
  let dx = p.W_in.T.dot(da_n);
  if (slip !== "the gates' terms dropped from dx") {
    dx = dx.add(p.W_iz.T.dot(da_z)).add(p.W_ir.T.dot(da_r));
  }
  let dh_prev = slip === "direct path dropped" ? NDArray.zeros(h.shape) : dh_next.mul(zz);
  dh_prev = dh_prev.add(dq ? dq.mul(r) : p.W_hn.T.dot(dm!));
  if (slip !== "the gates' recurrent terms dropped from dh_prev") {
    dh_prev = dh_prev.add(p.W_hz.T.dot(da_z)).add(p.W_hr.T.dot(da_r));
  }
  return { dx, dh_prev, grads };
}

function bpttWritten(dh: NDArray[], caches: ColumnCache[], slip?: BpttSlip) {
  const T = caches.length;
  let grads = zerosLike(caches[0].params);
  const dx: NDArray[] = [];
  let carry = NDArray.zeros(dh[0].shape);
  const order = [...Array(T).keys()];
  if (slip !== "steps walked forwards") order.reverse();
  for (const t of order) {
    const total = slip === "carry dropped" || slip === "carry skips the step"
      ? dh[t]
      : dh[t].add(carry);
    const step = cellWritten(total, caches[t]);
    dx[t] = step.dx;
    grads = slip === "weights overwritten, not summed" ? step.grads : Object.fromEntries(
      GRU_PARAM_NAMES.map((k) => [k, grads[k].add(step.grads[k])]),
    ) as Cols;
    carry = slip === "carry skips the step" ? step.dh_prev.add(carry) : step.dh_prev;
  }
  return { dx, dh0: carry, grads };
}

const S2 = "lesson 10, “2 · The backward pass, one chain-rule step per line”";
const S2T = "lesson 10, “2 · The backward pass”, “Through time”";
const cell = (slip: CellSlip, explain: string): Mistake => ({
  name: slip,
  explain,
  section: S2,
  fns: ["gru_cell_backward", "gru_backward"],
  impl: {
    ...ref,
    gru_cell_backward: (dh: NDArray, c: ColumnCache) => cellWritten(dh, c, slip),
    gru_backward: (dh: NDArray[], cs: ColumnCache[]) => {
      // BPTT done right around the slipped step.
      const T = cs.length;
      let grads = zerosLike(cs[0].params), carry = NDArray.zeros(dh[0].shape);
      const dx: NDArray[] = [];
      for (let t = T - 1; t >= 0; t--) {
        const s = cellWritten(dh[t].add(carry), cs[t], slip);
        dx[t] = s.dx;
        grads = Object.fromEntries(
          GRU_PARAM_NAMES.map((k) => [k, grads[k].add(s.grads[k])]),
        ) as Cols;
        carry = s.dh_prev;
      }
      return { dx, dh0: carry, grads };
    },
  },
});
const bptt = (slip: BpttSlip, explain: string): Mistake => ({
  name: slip,
  explain,
  section: S2T,
  fns: ["gru_backward"],
  impl: { ...ref, gru_backward: (dh: NDArray[], cs: ColumnCache[]) => bpttWritten(dh, cs, slip) },
});

// Order matters: the first mistake that explains a result names it, so a slip that is part of
// a larger one ("δb_hn = δa_n" is one line of "δm without r" and of "the reset gate before the
// product") comes first.
const mistakes: Mistake[] = [
  cell(
    "z and 1 − z swapped",
    "The gradient is that of h' = z ⊙ n + (1 − z) ⊙ h. PyTorch's GRU keeps the old state with " +
      "z: h' = (1 − z) ⊙ n + z ⊙ h, so δn = δh' ⊙ (1 − z), δz = δh' ⊙ (h − n), and the direct " +
      "path is δh' ⊙ z.",
  ),
  cell(
    "∂h'/∂z sign flipped",
    "δz was δh' ⊙ (n − h). From h' = (1 − z) ⊙ n + z ⊙ h, ∂h'/∂z = h − n.",
  ),
  cell(
    "tanh′ missing",
    "δa_n was δn: n = tanh(a_n), so δa_n = δn ⊙ (1 − n²).",
  ),
  cell(
    "σ′ missing in z",
    "δa_z was δz: z = σ(a_z), so δa_z = δz ⊙ z ⊙ (1 − z).",
  ),
  cell(
    "σ′ missing in r",
    "δa_r was δr: r = σ(a_r), so δa_r = δr ⊙ r ⊙ (1 − r).",
  ),
  cell(
    "δb_hn = δa_n",
    "b_hn sits inside m = W_hn h + b_hn, which the reset gate multiplies: δb_hn = Σ δm = " +
      "Σ δa_n ⊙ r, not Σ δa_n (that is δb_in).",
  ),
  cell(
    "δm without r",
    "δm was δa_n: a_n holds r ⊙ m, so δm = δa_n ⊙ r — and δW_hn, δb_hn and the W_hnᵀδm term of " +
      "dh_prev all follow from δm.",
  ),
  cell(
    "the reset gate before the product",
    "This is the gradient of the paper's GRU, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn). " +
      "PyTorch's applies r after the product: n = tanh(W_in x + b_in + r ⊙ m), m = W_hn h + b_hn, " +
      "so δr = δa_n ⊙ m and δm = δa_n ⊙ r.",
  ),
  cell(
    "direct path dropped",
    "dh_prev left out δh' ⊙ z: h' = … + z ⊙ h reaches h directly, the path that lets a GRU " +
      "carry a gradient across many steps.",
  ),
  cell(
    "the gates' recurrent terms dropped from dh_prev",
    "dh_prev left out W_hzᵀ δa_z + W_hrᵀ δa_r: h also reaches h' through both gates, and the " +
      "chain rule adds every path.",
  ),
  cell(
    "the gates' terms dropped from dx",
    "dx was W_inᵀ δa_n alone: x also enters both gates, so dx = W_inᵀ δa_n + W_izᵀ δa_z + " +
      "W_irᵀ δa_r.",
  ),
  cell(
    "biases averaged over the batch",
    "The bias gradients were divided by the batch size; every example's loss adds to L, so a " +
      "bias's gradient is the sum of δa over the batch's columns.",
  ),
  bptt(
    "carry dropped",
    "Each step saw only its own dh[t]. h_t also reaches the loss through step t + 1, so step t " +
      "starts from dh[t] + the dh_prev that step t + 1 returned.",
  ),
  bptt(
    "carry skips the step",
    "The carry from step t + 1 was added to step t's dh_prev instead of to its dh_next: it must " +
      "go through step t's backward (its gates and W_h·) like dh[t] does.",
  ),
  bptt(
    "steps walked forwards",
    "The steps were taken from t = 0 up. What step t needs comes from step t + 1, so BPTT walks " +
      "from the last step back to the first.",
  ),
  bptt(
    "weights overwritten, not summed",
    "Each step's parameter gradients replaced the previous ones; the same weights act at every " +
      "step, so their gradient is the sum over the steps.",
  ),
];

/** Exercise 10. */
export const spec: ExerciseSpec = {
  number: 10,
  slug: "10_gru",
  title: "A GRU by hand",
  url: import.meta.url,
  functions: ["gru_cell_backward", "gru_backward"],
  probes: [
    cellProbe(101, 3, 4, 2),
    cellProbe(102, 2, 5, 3),
    // A square cell (n_x = n_h): every input weight has a recurrent weight's shape, so a missing
    // transpose gives a wrong value (named by its gradient) instead of a shape error.
    cellProbe(103, 3, 3, 2),
    bpttProbe(0),
    bpttProbe(1),
  ],
  random(seed) {
    const cases = drawCases(seed, 2, { nx: [1, 4], nh: [1, 5], B: [1, 3], T: [1, 5] });
    return [
      ...cases.map((c) => cellProbe(c.seed, c.nx, c.nh, c.B)),
      ...cases.map((c) => bpttRandomProbe(c.seed, c.nx, c.nh, c.B, c.T)),
    ];
  },
  mistakes,
  reference: ref,
};

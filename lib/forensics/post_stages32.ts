/**
 * Document 002 taken apart stage by stage, each stage fed the values the post *printed* for
 * the stage before it, so that one stage's arithmetic is judged on its own: a kernel that
 * cannot turn the printed inputs of a stage into its printed outputs is ruled out whatever
 * the other stages did. Lesson 9 uses it for its exclusion proofs and its verdict.
 *
 * A printed number stands for every float32 numpy prints that way ({@link admissible32}):
 * one value from 0.1 up, several below. Each stage enumerates all of them.
 *
 * The stages (t = 1, 2, 3; the post's names):
 *
 * 1. `tanh`: h_t = tanh(z_t), z_t = x_t·U + h_{t−1}·W + b. The pre-activation is not printed,
 *    so every float32 z a dot product can round to is tried: whatever the order of the
 *    sums and wherever fused multiply-adds are used, the computed z lies within
 *    γ_n·Σ|x_k·u_k| of the exact one (n terms; Higham, *Accuracy and Stability of Numerical
 *    Algorithms*, §3.1), so that interval of float32 values, for every admissible input, is
 *    a superset of what any `MatMul` kernel can feed `Tanh`.
 * 2. `softmax`: p_t = softmax(o_t), o_t = h_t·V + c, from the printed h_t, every float32 o in
 *    the same kind of interval, and each kernel of {@link SOFTMAX_KERNELS}.
 * 3. `dout`: the tape's ∂L/∂o_t from the printed p_t (TensorFlow's `LogGrad`, `SoftmaxGrad`),
 *    summed over t into `dl_dc`.
 * 4. `dl_dV` from the printed h_t and stage 3's ∂L/∂o_t.
 * 5. the tape's δ_t = ∂L/∂h_t back to `delta_1`, through `MatMul` gradients and `TanhGrad`.
 * 6. `dl_dW`, `dl_db`, `dl_dU` from stage 5's ∂L/∂z_t.
 *
 * and the post's own formulas (`my_…`), evaluated as its code writes them, from the same
 * printed values and the tape's δ_t (the post builds them from the tape's `delta_2`,
 * `delta_3`).
 *
 * ```ts
 * import { tanhStage, postInputs } from "./post_stages32.ts";
 * import { ok } from "node:assert/strict";
 * const rows = tanhStage(postInputs());
 * ok(rows.every((r) => r.candidates > 0));
 * ```
 *
 * @module
 */
import {
  add32,
  admissible32,
  div32,
  float32sIn,
  fma32,
  mul32,
  next32,
  numpyPrints32,
  sub32,
} from "../numerics/float32.ts";
import { readDataJson } from "../numerics/data.ts";
import { gamma } from "../numerics/published.ts";
import { RandomState } from "../numerics/random.ts";
import { dotKernel32 } from "./tf_rnn32.ts";
import { crExp32, EXP32, TANH32 } from "./vendor_math32.ts";

const T = 3, NI = 4, NH = 2, NO = 3;
const U24 = 2 ** -24;

/** The post's inputs as printed texts (weights, outputs) and exact float32 values (x, h0, y). */
export interface PostInputs {
  /** Printed texts, row-major: U (4×2), W (2×2), b (2), V (2×3), c (3). */
  weights: { U: string[]; W: string[]; b: string[]; V: string[]; c: string[] };
  /** The recovered inputs (numpy's generator, seed 0, cast to float32): x (3×4), h0 (2). */
  X: number[];
  h0: number[];
  /** y_true as float32, 3×3. */
  Y: number[];
  /** The printed texts of the post's 15 quantities, row-major. */
  printed: Record<string, string[]>;
}

/** Reads data/published/09_float32_machine.json and recovers x and h0 as lesson 4 did. */
export function postInputs(): PostInputs {
  const file = readDataJson<{
    inputs: Record<string, { value: number[] }>;
    values: { name: string; texts: string[] }[];
  }>("published/09_float32_machine.json");
  const texts = (name: string) => file.inputs[name].value.map((v) => numpyPrints32(Math.fround(v)));
  const rng = new RandomState(0);
  return {
    weights: {
      U: texts("kernel (U)"),
      W: texts("recurrent_kernel (W)"),
      b: texts("bias (b)"),
      V: texts("dense kernel (V)"),
      c: texts("dense bias (c)"),
    },
    X: [...rng.random([1, 3, 4]).data].map(Math.fround),
    h0: [...rng.random([1, 2]).data].map(Math.fround),
    Y: file.inputs["y_true"].value.map(Math.fround),
    printed: Object.fromEntries(file.values.map((e) => [e.name, e.texts])),
  };
}

/** The admissible float32 values of every printed text in a list. */
const choices = (texts: string[]) => texts.map(admissible32);

/** Every combination of one value from each list. */
export function combinations(lists: number[][]): number[][] {
  return lists.reduce<number[][]>((acc, l) => acc.flatMap((c) => l.map((v) => [...c, v])), [[]]);
}

/**
 * Every float32 a dot product Σ a_k·b_k (plus exact zero biases) can round to, in any
 * order, fused or not, when each a_k and b_k may be any value of its list: the interval
 * [Σ min a·b − γ_n·Σ max|a·b|, Σ max a·b + γ_n·Σ max|a·b|] (float32 products are exact in
 * float64; the float64 sums add a 2⁻⁵⁰-relative margin).
 */
export function dotEnclosure32(a: number[][], b: number[][]): number[] {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`dotEnclosure32: ${a.length} and ${b.length} factor lists`);
  }
  let lo = 0, hi = 0, abs = 0;
  a.forEach((as, k) => {
    const products = as.flatMap((x) => b[k].map((y) => x * y));
    lo += Math.min(...products);
    hi += Math.max(...products);
    abs += Math.max(...products.map(Math.abs));
  });
  const slack = gamma(a.length, U24) * abs + 2 ** -50 * abs;
  return float32sIn(lo - slack, hi + slack);
}

// ---- stage 1: tanh ---------------------------------------------------------------------

/** The float32 `tanh` kernels tried (see vendor_math32.ts). */
export const TANH_KERNELS: Record<string, (x: number) => number> = {
  "correctly rounded": TANH32.cr,
  "Eigen": TANH32.eigen,
  "Eigen+FMA": TANH32["eigen-fma"],
  "CUDA tanhf": TANH32.cuda,
};

/** One printed h entry and what each tanh kernel can make of every z that could reach it. */
export interface TanhRow {
  name: string;
  printed: string;
  /** How many float32 pre-activations any MatMul kernel could feed Tanh here. */
  candidates: number;
  /** Per kernel: the pre-activations (float32) from which it prints the text; empty: excluded. */
  reaching: Record<string, number[]>;
}

const col = <E>(M: E[], j: number, cols: number) =>
  Array.from({ length: M.length / cols }, (_, i) => M[i * cols + j]);

/** Stage 1 for every printed h_t[j]: inputs x_t, the printed h_{t−1} (h0 for t = 1), U, W, b. */
export function tanhStage(inp: PostInputs): TanhRow[] {
  const U = choices(inp.weights.U), W = choices(inp.weights.W);
  const H = choices(inp.printed.h_seq);
  const rows: TanhRow[] = [];
  for (let t = 0; t < T; t++) {
    const x = inp.X.slice(t * NI, (t + 1) * NI).map((v) => [v]);
    const hPrev = t === 0 ? inp.h0.map((v) => [v]) : H.slice((t - 1) * NH, t * NH);
    for (let j = 0; j < NH; j++) {
      // z = x·U[:, j] + h_prev·W[:, j] (+ b_j = 0): six products, any order.
      const zs = dotEnclosure32([...x, ...hPrev], [...col(U, j, NH), ...col(W, j, NH)]);
      const printed = inp.printed.h_seq[t * NH + j];
      const reaching = Object.fromEntries(
        Object.entries(TANH_KERNELS).map((
          [k, f],
        ) => [k, zs.filter((z) => numpyPrints32(f(z)) === printed)]),
      );
      rows.push({ name: `h_seq[${t}][${j}]`, printed, candidates: zs.length, reaching });
    }
  }
  return rows;
}

// ---- stage 2: softmax ------------------------------------------------------------------

/** A softmax kernel: how `exp` is evaluated, the order of the three-term sum, normalisation. */
export interface SoftmaxKernel {
  exp: "correctly rounded" | "Eigen" | "Eigen+FMA" | "CUDA expf";
  sum: "(a+b)+c" | "(a+c)+b" | "a+(b+c)";
  /** Eigen's CPU kernel multiplies by 1/Σ (`recip`); TensorFlow's GPU kernel divides. */
  norm: "recip" | "div";
}

const EXP: Record<SoftmaxKernel["exp"], (x: number) => number> = {
  "correctly rounded": EXP32.cr,
  "Eigen": EXP32.eigen,
  "Eigen+FMA": EXP32["eigen-fma"],
  "CUDA expf": EXP32.cuda,
};

/** Every softmax kernel tried (24). */
export const SOFTMAX_KERNELS: SoftmaxKernel[] = combinations([[0, 1, 2, 3], [0, 1, 2], [0, 1]])
  .map(([e, s, n]) => ({
    exp: (Object.keys(EXP) as SoftmaxKernel["exp"][])[e],
    sum: (["(a+b)+c", "(a+c)+b", "a+(b+c)"] as const)[s],
    norm: (["recip", "div"] as const)[n],
  }));

export const kernelName = (k: SoftmaxKernel) => `${k.exp}, ${k.sum}, ${k.norm}`;

/** Three float32 terms summed in the kernel's order. */
export function sum3(e: number[], order: SoftmaxKernel["sum"]): number {
  if (order === "(a+b)+c") return add32(add32(e[0], e[1]), e[2]);
  if (order === "(a+c)+b") return add32(add32(e[0], e[2]), e[1]);
  return add32(e[0], add32(e[1], e[2]));
}

/** Softmax of three float32 logits, from the given exp values of o − max(o). */
function normalise(e: number[], k: Pick<SoftmaxKernel, "sum" | "norm">): number[] {
  const s = sum3(e, k.sum);
  if (k.norm === "div") return e.map((v) => div32(v, s));
  const inv = div32(1, s);
  return e.map((v) => mul32(v, inv));
}

/** The float32 softmax of three float32 logits under kernel `k`. */
export function softmax32(o: number[], k: SoftmaxKernel): number[] {
  const m = Math.max(...o);
  return normalise(o.map((v) => EXP[k.exp](sub32(v, m))), k);
}

/** One printed softmax row and the kernels that print all of it from some admissible logits. */
export interface SoftmaxRow {
  t: number;
  printed: string[];
  /** How many logit triples (float32) any MatMul kernel could produce from the printed h_t. */
  candidates: number;
  /** Kernels that print the whole row from at least one candidate. */
  reproducing: string[];
  /** Per kernel, the most entries of the row it prints from any one candidate. */
  best: Record<string, number>;
  /**
   * The fewest float32 steps, summed over the row, by which `exp` must depart from the
   * correctly rounded exp for some candidate, sum order and normalisation to print the row
   * (searched up to 2 steps per entry, CUDA's documented bound for `expf`); `undefined`:
   * none within that.
   */
  expDeparture: number | undefined;
  /**
   * For that departure, the smallest possible worst error of the departing exp values, in
   * units in the last place of the result (|e − eˣ| / ulp(e), eˣ in float64).
   */
  expError: number | undefined;
}

/** The float32 `k` steps above `x` on the float32 line (below for negative `k`). */
function stepped32(x: number, k: number): number {
  for (let i = 0; i < Math.abs(k); i++) x = next32(x, Math.sign(k));
  return x;
}
/**
 * Stage 2 for each row of `output_seq` (and `my_seqout`, printed the same). `exact` pins
 * entries (flat index → float32) to one of their admissible values, as a later stage can:
 * an entry then counts only when it is that float32, not merely printed alike.
 */
export function softmaxStage(
  inp: PostInputs,
  quantity = "output_seq",
  exact: Record<number, number> = {},
): SoftmaxRow[] {
  const V = choices(inp.weights.V);
  const H = choices(inp.printed.h_seq);
  const rows: SoftmaxRow[] = [];
  for (let t = 0; t < T; t++) {
    const h = H.slice(t * NH, (t + 1) * NH);
    const printed = inp.printed[quantity].slice(t * NO, (t + 1) * NO);
    const fits = (v: number, q: number) =>
      numpyPrints32(v) === printed[q] && (exact[t * NO + q] ?? v) === v;
    const os = combinations(
      Array.from({ length: NO }, (_, q) => dotEnclosure32(h, col(V, q, NO))),
    );
    const best: Record<string, number> = {};
    const reproducing = new Set<string>();
    for (const k of SOFTMAX_KERNELS) {
      const name = kernelName(k);
      best[name] = 0;
      for (const o of os) {
        const n = softmax32(o, k).filter((v, q) => fits(v, q)).length;
        if (n > best[name]) best[name] = n;
        if (n === NO) {
          reproducing.add(name);
          break;
        }
      }
    }
    let expDeparture: number | undefined;
    let expError: number | undefined;
    for (const o of os) {
      const m = Math.max(...o);
      const x = o.map((v) => sub32(v, m));
      const base = x.map(crExp32);
      for (const steps of combinations(x.map((v) => (v === 0 ? [0] : [-2, -1, 0, 1, 2])))) {
        const cost = steps.reduce((s, v) => s + Math.abs(v), 0);
        if (expDeparture !== undefined && cost > expDeparture) continue;
        const e = base.map((v, q) => stepped32(v, steps[q]));
        const ok = SOFTMAX_KERNELS.some((k) => normalise(e, k).every((v, q) => fits(v, q)));
        if (!ok) continue;
        const err = Math.max(
          0,
          ...e.map((v, q) =>
            steps[q] === 0 ? 0 : Math.abs(v - Math.exp(x[q])) / Math.abs(stepped32(v, 1) - v)
          ),
        );
        if (expDeparture === undefined || cost < expDeparture) {
          [expDeparture, expError] = [cost, err];
        } else expError = Math.min(expError!, err);
      }
    }
    rows.push({
      t,
      printed,
      candidates: os.length,
      reproducing: [...reproducing],
      best,
      expDeparture,
      expError,
    });
  }
  return rows;
}

// ---- stages 3–6: the tape's backward pass from the printed forward values ---------------

/** The tape's knobs in the backward pass, and the kernel of the post's own `tf.matmul`s. */
export interface TapeKernel {
  /** `LogGrad`: TensorFlow writes grad·reciprocal(p) (`recip`); `div` is grad/p. */
  logGrad: "recip" | "div";
  /** The order of `SoftmaxGrad`'s Σ_q g_q·p_q. */
  sum: SoftmaxKernel["sum"];
  /** The order `AddN` sums the dense layer's three per-step gradients (V, c). */
  addNDense: AddNOrder;
  /** The order `AddN` sums the cell's three per-step gradients (U, W, b). */
  addNCell: AddNOrder;
  /** The tape's `MatMul` gradients: products summed in order, or an fma chain. */
  matmul: "seq" | "fma";
  /** The post's own `tf.matmul(a, tf.transpose(M))` (another call, another kernel). */
  handMatmul: "seq" | "fma";
  /** `TanhGrad` dy·(1 − y·y) with three roundings, or 1 − y·y fused into fma(−y, y, 1). */
  tanhGrad: "plain" | "fused";
}

/** The order of a three-term `AddN`: t = 1, 2, 3 or t = 3, 2, 1. */
export type AddNOrder = "t1+t2+t3" | "t3+t2+t1";

/** The choices of every knob of a {@link TapeKernel}. */
export const TAPE_KNOBS: { [K in keyof TapeKernel]: readonly TapeKernel[K][] } = {
  logGrad: ["recip", "div"],
  sum: ["(a+b)+c", "(a+c)+b", "a+(b+c)"],
  addNDense: ["t1+t2+t3", "t3+t2+t1"],
  addNCell: ["t1+t2+t3", "t3+t2+t1"],
  matmul: ["seq", "fma"],
  handMatmul: ["seq", "fma"],
  tanhGrad: ["plain", "fused"],
};

/** Every tape kernel whose knobs agree with `fixed` (all 192 without it). */
export function tapeKernels(fixed: Partial<TapeKernel> = {}): TapeKernel[] {
  let out: Partial<TapeKernel>[] = [{}];
  for (const [k, vs] of Object.entries(TAPE_KNOBS)) {
    const only = fixed[k as keyof TapeKernel];
    const options = only === undefined ? (vs as string[]) : [only];
    out = out.flatMap((m) => options.map((v) => ({ ...m, [k]: v })));
  }
  return out as TapeKernel[];
}

export const tapeName = (k: TapeKernel) =>
  `LogGrad ${k.logGrad}, SoftmaxGrad ${k.sum}, AddN ${k.addNDense} (dense) ${k.addNCell} (cell), MatMul ${k.matmul} (tape) ${k.handMatmul} (post), TanhGrad ${k.tanhGrad}`;

/** Three per-step gradient lists summed elementwise in the given order. */
function addN(g: number[][], order: AddNOrder): number[] {
  const [a, b, c] = order === "t1+t2+t3" ? [g[0], g[1], g[2]] : [g[2], g[1], g[0]];
  return a.map((v, i) => add32(add32(v, b[i]), c[i]));
}

const outer = (a: number[], b: number[]) => a.flatMap((u) => b.map((v) => mul32(u, v)));

/** Every value the backward pass produces, tape and hand, from one choice of printed values. */
export interface Backward {
  /** The tape's ∂L/∂o_t (LogGrad, SoftmaxGrad). */
  dout: number[][];
  /** The tape's δ_t = ∂L/∂h_t. */
  delta: number[][];
  /** The tape's ∂L/∂z_t = TanhGrad(h_t, δ_t). */
  dz: number[][];
  /** The post's a_t − y_t. */
  dy: number[][];
  /** The post's δ_t * (1 − h_t**2). */
  e: number[][];
  values: Record<string, number[]>;
}

/**
 * The tape's backward pass (stages 3–6) and the post's hand formulas under kernel `k`, from
 * float32 forward values `H` (3×2), `P` (3×3) and weights `V`, `W` (one admissible choice
 * each). The post's `1 - h**2` is TensorFlow's `Pow` then `Sub`; `Pow(h, 2)` is taken to
 * return the correctly rounded h² (an assumption: `powf(h, 2)` is not specified to).
 */
export function backward32(
  k: TapeKernel,
  inp: PostInputs,
  H: number[][],
  P: number[][],
  V: number[],
  W: number[],
): Backward {
  const Y = (t: number) => inp.Y.slice(t * NO, (t + 1) * NO);
  const X = (t: number) => inp.X.slice(t * NI, (t + 1) * NI);
  const row = (M: number[], i: number, cols: number) => M.slice(i * cols, (i + 1) * cols);
  // Stage 3: ∂L/∂o_t. L = −Σ y·log p: ∂L/∂log p = −y; LogGrad; SoftmaxGrad (g − Σ g·p)·p.
  const dout = P.map((p, t) => {
    const g = p.map((v, q) =>
      k.logGrad === "recip" ? mul32(-Y(t)[q], div32(1, v)) : div32(-Y(t)[q], v)
    );
    const s = sum3(g.map((v, q) => mul32(v, p[q])), k.sum);
    return g.map((v, q) => mul32(sub32(v, s), p[q]));
  });
  // Stage 5: δ_t = ∂L/∂h_t = dout_t·Vᵀ (+ dz_{t+1}·Wᵀ), dz_t = TanhGrad(h_t, δ_t).
  const delta: number[][] = [], dz: number[][] = [];
  for (let t = T - 1; t >= 0; t--) {
    delta[t] = Array.from({ length: NH }, (_, j) => {
      const fromDense = dotKernel32(dout[t], row(V, j, NO), k.matmul);
      return t === T - 1
        ? fromDense
        : add32(fromDense, dotKernel32(dz[t + 1], row(W, j, NH), k.matmul));
    });
    dz[t] = delta[t].map((d, j) => {
      const y = H[t][j];
      return mul32(d, k.tanhGrad === "fused" ? fma32(-y, y, 1) : sub32(1, mul32(y, y)));
    });
  }
  const hPrev = (t: number) => (t ? H[t - 1] : inp.h0);
  const ts = [0, 1, 2];
  const values: Record<string, number[]> = {
    dl_dc: addN(dout, k.addNDense),
    dl_dV: addN(ts.map((t) => outer(H[t], dout[t])), k.addNDense),
    delta_1: delta[0],
    dl_dW: addN(ts.map((t) => outer(hPrev(t), dz[t])), k.addNCell),
    dl_db: addN(dz, k.addNCell),
    dl_dU: addN(ts.map((t) => outer(X(t), dz[t])), k.addNCell),
  };
  // The post's formulas, in the order its code writes the terms, with the tape's δ_t.
  const dy = P.map((p, t) => p.map((v, q) => sub32(v, Y(t)[q]))); // a_t − y_t
  const e = delta.map((d, t) => d.map((v, j) => mul32(v, sub32(1, mul32(H[t][j], H[t][j])))));
  const left = (a: number[], b: number[], c: number[]) =>
    a.map((v, i) => add32(add32(v, b[i]), c[i]));
  values.my_dl_dc = left(dy[0], dy[1], dy[2]);
  values.my_dl_dV = left(outer(H[0], dy[0]), outer(H[1], dy[1]), outer(H[2], dy[2]));
  values.my_delta_1 = Array.from(
    { length: NH },
    (_, j) =>
      add32(
        dotKernel32(dy[0], row(V, j, NO), k.handMatmul),
        dotKernel32(e[1], row(W, j, NH), k.handMatmul),
      ),
  );
  values.my_dl_dW = left(outer(H[1], e[2]), outer(H[0], e[1]), outer(inp.h0, e[0]));
  values.my_dl_db = left(e[2], e[1], e[0]);
  values.my_dl_dU = left(outer(X(2), e[2]), outer(X(1), e[1]), outer(X(0), e[0]));
  return { dout, delta, dz, dy, e, values };
}

/** The backward quantities stages 3–6 judge. */
export const BACKWARD_QUANTITIES = [
  "dl_dc",
  "my_dl_dc",
  "dl_dV",
  "my_dl_dV",
  "delta_1",
  "my_delta_1",
  "dl_dW",
  "my_dl_dW",
  "dl_db",
  "my_dl_db",
  "dl_dU",
  "my_dl_dU",
] as const;

/** For one tape kernel: per quantity, the most entries printed by any admissible forward values. */
export interface BackwardRow {
  kernel: TapeKernel;
  matches: Record<string, number>;
  /** How many printed numbers the best single admissible choice prints (all quantities). */
  total: number;
  /** The values of that choice. */
  values: Record<string, number[]>;
  /** That choice: the float32 forward values and weights it used. */
  choice: { H: number[][]; P: number[][]; V: number[]; W: number[] };
}

/**
 * Stages 3–6 for every tape kernel, over every admissible choice of the printed h, p and
 * the weights V, W (the ambiguous ones are h_seq[0][1], output_seq[2][2], V[0][1], V[1][1]).
 */
export function backwardStage(inp: PostInputs, kernels: TapeKernel[]): BackwardRow[] {
  const Hc = choices(inp.printed.h_seq);
  const pOptions = combinations(choices(inp.printed.output_seq));
  const Wc = choices(inp.weights.W);
  if (Wc.some((c) => c.length !== 1)) throw new Error("backwardStage: a printed W is ambiguous");
  const W = Wc.map((c) => c[0]);
  const hOptions = combinations(Hc);
  const vOptions = combinations(choices(inp.weights.V));
  return kernels.map((kernel) => {
    const matches: Record<string, number> = Object.fromEntries(
      BACKWARD_QUANTITIES.map((q) => [q, 0]),
    );
    let bestTotal = -1;
    let values: Record<string, number[]> = {};
    let choice = { H: [] as number[][], P: [] as number[][], V: [] as number[], W };
    for (const h of hOptions) {
      const H = [0, 1, 2].map((t) => h.slice(t * NH, (t + 1) * NH));
      for (
        const [V, p] of combinations([vOptions.map((_, i) => i), pOptions.map((_, i) => i)]).map((
          [i, j],
        ) => [vOptions[i], pOptions[j]])
      ) {
        const Pv = [0, 1, 2].map((t) => p.slice(t * NO, (t + 1) * NO));
        const b = backward32(kernel, inp, H, Pv, V, W);
        let total = 0;
        for (const q of BACKWARD_QUANTITIES) {
          const n = b.values[q].filter((v, i) => numpyPrints32(v) === inp.printed[q][i]).length;
          matches[q] = Math.max(matches[q], n);
          total += n;
        }
        if (total > bestTotal) {
          [bestTotal, values] = [total, b.values];
          choice = { H, P: Pv, V, W };
        }
      }
    }
    return { kernel, matches, total: bestTotal, values, choice };
  });
}

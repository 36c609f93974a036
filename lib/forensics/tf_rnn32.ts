/**
 * Document 002's computation, op by op as TensorFlow 2 runs it eagerly, in float32 under a
 * chosen *machine*: which kernels evaluate each op. Every op is one kernel (eager mode
 * fuses nothing across ops), so the float32 roundings are fixed by the op graph and by
 * each kernel's own arithmetic:
 *
 * - `MatMul` (`matmul`): a dot product per output entry, in one of the summation orders
 *   of {@link dotKernel32}: Eigen's GEBP micro-kernel without FMA (`seq`: a product and
 *   an add per step, from 0) or with FMA (`fma`: an fma chain from 0, also what cuBLAS does
 *   per output), or with four register-blocked partial accumulators (`acc4`, `acc4fma`:
 *   term k goes to accumulator k mod 4 while four remain, the accumulators are added as
 *   (c0 + c1) + (c2 + c3), the rest follows one by one).
 * - `Tanh` and `Exp` (`tanh`, `exp`): see `vendor_math32.ts`.
 * - `Softmax` (`norm`): Eigen's CPU kernel multiplies by the reciprocal of the sum
 *   (`recip`); TensorFlow's GPU kernel divides (`div`). The sum of three terms (`sum3`) is
 *   (a + b) + c, or (a + c) + b as a warp's tree reduction adds it.
 * - `TanhGrad` (`tanhGrad`): dy·(1 − y·y), `plain` (three roundings) or `fused` (a CUDA
 *   compiler contracts 1 − y·y into fma(−y, y, 1)).
 * - `AddN` (`addN`): the tape sums a variable's three per-step gradients in the order they
 *   reached it, `3→1` (backprop order) or `1→3`.
 *
 * The post's own "hand" gradients (`my_…`) are TensorFlow ops too, in the order its code
 * writes them; only `matmul`'s kernel applies to them (they contain no `TanhGrad`).
 *
 * Before the machines, lesson 9 tries generic candidate arithmetics ({@link Candidate32}:
 * summation order, fused or not, where the bias enters, or float64 rounded at the end) on the
 * same inputs: {@link runCandidate32}.
 *
 * @module
 */
import { add32, div32, dot32, fma32, mul32, sub32, type Sum32Order } from "../numerics/float32.ts";
import { EXP32, TANH32 } from "./vendor_math32.ts";

/** The kernels of one machine. */
export interface Machine {
  matmul: "seq" | "fma" | "acc4" | "acc4fma";
  tanh: "cr" | "eigen" | "eigen-fma" | "cuda";
  exp: "cr" | "eigen" | "eigen-fma" | "cuda";
  norm: "recip" | "div";
  sum3: "abc" | "acb";
  tanhGrad: "plain" | "fused";
  addN: "3→1" | "1→3";
}

/** The choices for each knob of a {@link Machine}, in a fixed order. */
export const MACHINE_KNOBS: { [K in keyof Machine]: readonly Machine[K][] } = {
  matmul: ["seq", "fma", "acc4", "acc4fma"],
  tanh: ["cr", "eigen", "eigen-fma", "cuda"],
  exp: ["cr", "eigen", "eigen-fma", "cuda"],
  norm: ["recip", "div"],
  sum3: ["abc", "acb"],
  tanhGrad: ["plain", "fused"],
  addN: ["3→1", "1→3"],
};

/** Every combination of the knobs (1024 machines). */
export function allMachines(): Machine[] {
  let out: Partial<Machine>[] = [{}];
  for (const [k, vs] of Object.entries(MACHINE_KNOBS)) {
    out = out.flatMap((m) => (vs as string[]).map((v) => ({ ...m, [k]: v })));
  }
  return out as Machine[];
}

/** A dot product of float32 vectors by one of the `MatMul` kernels. */
export function dotKernel32(x: number[], y: number[], kind: Machine["matmul"]): number {
  if (x.length !== y.length) {
    throw new RangeError(`dotKernel32: vectors of lengths ${x.length} and ${y.length}`);
  }
  const fused = kind === "fma" || kind === "acc4fma";
  const step = (
    s: number,
    i: number,
  ) => (fused ? fma32(x[i], y[i], s) : add32(s, mul32(x[i], y[i])));
  let k = 0;
  let s = 0;
  if ((kind === "acc4" || kind === "acc4fma") && x.length >= 4) {
    const c = [0, 0, 0, 0];
    const end4 = x.length - (x.length % 4);
    for (; k < end4; k++) c[k % 4] = step(c[k % 4], k);
    s = add32(add32(c[0], c[1]), add32(c[2], c[3]));
  }
  for (; k < x.length; k++) s = step(s, k);
  return s;
}

/** The float32 inputs of the post: x (3×4), h0 (2), U (4×2), W (2×2), b, V (2×3), c, y. */
export interface PostInputs {
  X: number[];
  h0: number[];
  U: number[];
  W: number[];
  b: number[];
  V: number[];
  c: number[];
  Y: number[];
}

/** The post's 15 printed quantities, flattened row-major, as the machine computes them. */
export type PostOutputs = Record<string, number[]>;

const T = 3, NI = 4, NH = 2, NO = 3;
const row = (M: number[], i: number, cols: number) => M.slice(i * cols, (i + 1) * cols);
const col = (M: number[], j: number, cols: number) =>
  Array.from({ length: M.length / cols }, (_, i) => M[i * cols + j]);

const sum3 = (v: number[], order: Machine["sum3"]) =>
  order === "abc" ? add32(add32(v[0], v[1]), v[2]) : add32(add32(v[0], v[2]), v[1]);

/** The elementwise sum of three gradients in the given order (t = 1, 2, 3 in `g`). */
function addN3(g: number[][], order: Machine["addN"]): number[] {
  const [a, b, c] = order === "3→1" ? [g[2], g[1], g[0]] : [g[0], g[1], g[2]];
  return a.map((v, i) => add32(add32(v, b[i]), c[i]));
}
/** The post's own `A + B + C` of three per-step terms, left to right. */
const leftToRight = (a: number[], b: number[], c: number[]) =>
  a.map((v, i) => add32(add32(v, b[i]), c[i]));

/** The forward pass: h_t and softmax outputs p_t. */
export function forward32(m: Machine, inp: PostInputs): { H: number[][]; P: number[][] } {
  const tanh = TANH32[m.tanh], exp = EXP32[m.exp];
  const dot = (x: number[], y: number[]) => dotKernel32(x, y, m.matmul);
  const H: number[][] = [], P: number[][] = [];
  let h = inp.h0;
  for (let t = 0; t < T; t++) {
    const x = row(inp.X, t, NI);
    // Keras SimpleRNNCell: (x·U + b) + h·W, then tanh (b = 0 in the post).
    const z = Array.from(
      { length: NH },
      (_, j) => add32(add32(dot(x, col(inp.U, j, NH)), inp.b[j]), dot(h, col(inp.W, j, NH))),
    );
    h = z.map(tanh);
    H.push(h);
    const o = Array.from({ length: NO }, (_, q) => add32(dot(h, col(inp.V, q, NO)), inp.c[q]));
    const mx = Math.max(...o);
    const e = o.map((v) => exp(sub32(v, mx)));
    const s = sum3(e, m.sum3);
    if (m.norm === "recip") {
      const inv = div32(1, s);
      P.push(e.map((v) => mul32(v, inv)));
    } else P.push(e.map((v) => div32(v, s)));
  }
  return { H, P };
}

/** Every printed quantity of the post, as machine `m` computes it. */
export function runPost32(m: Machine, inp: PostInputs): PostOutputs {
  const dot = (x: number[], y: number[]) => dotKernel32(x, y, m.matmul);
  const { H, P } = forward32(m, inp);
  const Y = (t: number) => row(inp.Y, t, NO);
  // The tape: loss = −Σ y·log p. LogGrad: grad·(1/p) with grad = −y; SoftmaxGrad:
  // (g − Σ g·p)·p.
  const dout = P.map((p, t) => {
    const g = p.map((v, q) => mul32(-Y(t)[q], div32(1, v)));
    const s = sum3(g.map((v, q) => mul32(v, p[q])), m.sum3);
    return g.map((v, q) => mul32(sub32(v, s), p[q]));
  });
  const dh: number[][] = [], dz: number[][] = [];
  for (let t = T - 1; t >= 0; t--) {
    dh[t] = Array.from({ length: NH }, (_, j) => {
      const fromDense = dot(dout[t], row(inp.V, j, NO));
      return t === T - 1 ? fromDense : add32(fromDense, dot(dz[t + 1], row(inp.W, j, NH)));
    });
    dz[t] = dh[t].map((d, j) => {
      const y = H[t][j];
      const g = m.tanhGrad === "fused" ? fma32(-y, y, 1) : sub32(1, mul32(y, y));
      return mul32(d, g);
    });
  }
  const hPrev = (t: number) => (t ? H[t - 1] : inp.h0);
  const outer = (a: number[], b: number[]) => a.flatMap((u) => b.map((v) => mul32(u, v)));
  const X = (t: number) => row(inp.X, t, NI);
  const out: PostOutputs = {};
  out.h_seq = H.flat();
  out.output_seq = P.flat();
  out.my_seqout = P.flat();
  out.dl_dV = addN3([0, 1, 2].map((t) => outer(H[t], dout[t])), m.addN);
  out.dl_dc = addN3(dout, m.addN);
  out.delta_1 = dh[0];
  out.dl_dW = addN3([0, 1, 2].map((t) => outer(hPrev(t), dz[t])), m.addN);
  out.dl_db = addN3(dz, m.addN);
  out.dl_dU = addN3([0, 1, 2].map((t) => outer(X(t), dz[t])), m.addN);
  // The post's hand formulas, with the tape's δ_t = dl/dh_t, in its own order of terms.
  const dy = P.map((p, t) => p.map((v, q) => sub32(v, Y(t)[q])));
  const g = H.map((h) => h.map((v) => sub32(1, mul32(v, v)))); // 1 - h**2, separate ops
  const e = dh.map((d, t) => d.map((v, j) => mul32(v, g[t][j])));
  const mv = dy.map((d, t) => outer(H[t], d));
  out.my_dl_dV = leftToRight(mv[0], mv[1], mv[2]);
  out.my_dl_dc = leftToRight(dy[0], dy[1], dy[2]);
  out.my_delta_1 = Array.from({ length: NH }, (_, j) => {
    // matmul(delta_2, diag(1 − h2²)): the zero entries add exact zeros.
    return add32(dot(dy[0], row(inp.V, j, NO)), dot(e[1], row(inp.W, j, NH)));
  });
  const w = [0, 1, 2].map((t) => outer(hPrev(t), e[t]));
  out.my_dl_dW = leftToRight(w[2], w[1], w[0]);
  out.my_dl_db = leftToRight(e[2], e[1], e[0]);
  const u = [0, 1, 2].map((t) => outer(X(t), e[t]));
  out.my_dl_dU = leftToRight(u[2], u[1], u[0]);
  return out;
}

// ---- Lesson 9's first candidates ----------------------------------------------------------

/**
 * One of lesson 9's first, generic hypotheses, tried before TensorFlow's op graph: how each dot
 * product is summed (`order`, or a chain of fused multiply-adds when `fused`), whether a bias
 * enters the dense layer's sum first (as one more term) or is added after it, or float64
 * throughout and rounded to float32 only when printed (`f64`). `tanh` and `exp` are the float64
 * functions rounded to float32. Unlike a {@link Machine}, the recurrent pre-activation is
 * `(x·U + h·W) + b` and softmax's sum is a {@link dot32} with ones.
 */
export interface Candidate32 {
  label: string;
  order: Sum32Order;
  fused: boolean;
  biasFirst: boolean;
  f64: boolean;
}
/**
 * The candidates, in the order lesson 9's table lists them: plain sums in three orders and the
 * fma chain, each with the bias last and first (8), then "float64 then round".
 */
export function candidates32(): Candidate32[] {
  const ARITHS: Candidate32[] = [];
  for (const f64 of [false]) {
    for (const fused of [false, true]) {
      for (
        const order
          of (fused ? ["sequential"] : ["sequential", "pairwise", "blocked4"]) as Sum32Order[]
      ) {
        for (const biasFirst of [false, true]) {
          ARITHS.push({
            label: `${fused ? "fma chain" : order}, bias ${biasFirst ? "first" : "last"}`,
            order,
            fused,
            biasFirst,
            f64,
          });
        }
      }
    }
  }
  ARITHS.push({
    label: "float64 then round",
    order: "sequential",
    fused: false,
    biasFirst: true,
    f64: true,
  });
  return ARITHS;
}

// One rounding of the candidate's arithmetic (none in float64), and its dot product with an
// optional bias.
const R = (a: Candidate32, v: number) => (a.f64 ? v : Math.fround(v));
const dotA = (a: Candidate32, x: number[], y: number[], bias?: number) => {
  if (a.f64) return x.reduce((s, v, i) => s + v * y[i], bias ?? 0);
  if (bias === undefined) return dot32(x, y, a.order, a.fused);
  if (a.biasFirst) return dot32([1, ...x], [bias, ...y], a.order, a.fused);
  return add32(dot32(x, y, a.order, a.fused), bias);
};

/**
 * The forward pass under a candidate. Returns H (T×NH: h_t) and P (T×NO: softmax p_t).
 */
export function candidateForward32(
  a: Candidate32,
  inp: PostInputs,
): { H: number[][]; P: number[][] } {
  const H: number[][] = [];
  const P: number[][] = [];
  let h = inp.h0;
  for (let t = 0; t < T; t++) {
    const x = row(inp.X, t, NI);
    const z = Array.from({ length: NH }, (_, j) => {
      const xu = dotA(a, x, col(inp.U, j, NH));
      const hw = dotA(a, h, col(inp.W, j, NH));
      return R(a, R(a, xu + hw) + inp.b[j]);
    });
    h = z.map((v) => R(a, Math.tanh(v)));
    H.push(h);
    const o = Array.from({ length: NO }, (_, q) => dotA(a, h, col(inp.V, q, NO), inp.c[q]));
    const m = Math.max(...o);
    const e = o.map((v) => R(a, Math.exp(R(a, v - m))));
    const s = a.f64 ? e.reduce((p, q) => p + q) : dot32(e, [1, 1, 1], a.order);
    P.push(e.map((v) => R(a, v / s)));
  }
  return { H, P };
}

/**
 * The backward pass under a candidate, from its forward pass `f`: the output gradient is the
 * tape's (the chain rule through `log` and softmax's Jacobian, `tape`) or the post's hand
 * formula p − y; the three per-step terms of each weight gradient are summed t = 3→1
 * (`reverse`) or 1→3. Returns dV (NH×NO), dc (NO), dW (NH×NH), db (NH), dU (NI×NH), all
 * row-major, and delta_1 = dL/dh_1.
 */
export function candidateBackward32(
  a: Candidate32,
  inp: PostInputs,
  f: { H: number[][]; P: number[][] },
  tape: boolean,
  reverse: boolean,
): { dV: number[]; dc: number[]; dW: number[]; db: number[]; dU: number[]; delta_1: number[] } {
  const sub = (x: number, y: number) => (a.f64 ? x - y : sub32(x, y));
  const mul = (x: number, y: number) => (a.f64 ? x * y : mul32(x, y));
  const add = (x: number, y: number) => (a.f64 ? x + y : add32(x, y));
  // dL/do_t: the tape differentiates −Σ y log p through softmax; the hand formula is p − y.
  const dout = f.P.map((p, t) => {
    const y = row(inp.Y, t, NO);
    if (!tape) return p.map((v, q) => sub(v, y[q]));
    const g = p.map((v, q) => R(a, -y[q] / v)); // d(−y log p)/dp
    const gp = dotA(a, g, p);
    return p.map((v, q) => mul(sub(g[q], gp), v));
  });
  const delta: number[][] = [];
  const dz: number[][] = [];
  let carry = [0, 0];
  for (let t = T - 1; t >= 0; t--) {
    const d = Array.from(
      { length: NH },
      (_, j) => add(dotA(a, dout[t], row(inp.V, j, NO)), carry[j]),
    );
    delta[t] = d;
    dz[t] = d.map((v, j) => mul(v, sub(1, mul(f.H[t][j], f.H[t][j]))));
    carry = Array.from({ length: NH }, (_, i) => dotA(a, dz[t], row(inp.W, i, NH)));
  }
  const ts = reverse ? [2, 1, 0] : [0, 1, 2];
  const acc = (term: (t: number) => number) =>
    ts.reduce((s, t, k) => (k === 0 ? term(t) : add(s, term(t))), 0);
  const hPrev = (t: number) => (t ? f.H[t - 1] : inp.h0);
  const dV: number[] = [],
    dc: number[] = [],
    dW: number[] = [],
    db: number[] = [],
    dU: number[] = [];
  for (let j = 0; j < NH; j++) {
    for (let q = 0; q < NO; q++) dV.push(acc((t) => mul(f.H[t][j], dout[t][q])));
  }
  for (let q = 0; q < NO; q++) dc.push(acc((t) => dout[t][q]));
  for (let i = 0; i < NH; i++) {
    for (let j = 0; j < NH; j++) dW.push(acc((t) => mul(hPrev(t)[i], dz[t][j])));
  }
  for (let j = 0; j < NH; j++) db.push(acc((t) => dz[t][j]));
  for (let k = 0; k < NI; k++) {
    for (let j = 0; j < NH; j++) dU.push(acc((t) => mul(inp.X[t * NI + k], dz[t][j])));
  }
  return { dV, dc, dW, db, dU, delta_1: delta[0] };
}

/**
 * The post's printed quantities as a candidate computes them, under the names of both printed
 * lists (the tape's `dl_…` and the post's own `my_…`: one formulation is compared with both).
 */
export function runCandidate32(
  a: Candidate32,
  inp: PostInputs,
  tape: boolean,
  reverse: boolean,
): PostOutputs {
  const f = candidateForward32(a, inp);
  const g = candidateBackward32(a, inp, f, tape, reverse);
  // Each formulation is compared with both printed lists, the tape's and the hand's.
  const out: Record<string, number[]> = {};
  out["h_seq"] = f.H.flat();
  out["output_seq"] = f.P.flat();
  out["my_seqout"] = f.P.flat();
  for (const k of ["dV", "dc", "dW", "db", "dU"] as const) {
    out[`dl_${k}`] = g[k];
    out[`my_dl_${k}`] = g[k];
  }
  out["delta_1"] = g.delta_1;
  out["my_delta_1"] = g.delta_1;
  return out;
}

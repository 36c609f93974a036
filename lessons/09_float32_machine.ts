// %% [markdown]
// # 9 · Which machine printed document 002: the last digits of a float32 printout
//
// Lesson 4 reproduced the 74 numbers document 002 printed (a Keras `SimpleRNN`, its
// outputs and its gradients, each from TensorFlow's tape and again by hand) *within a
// float32 roundoff bound*, from float64 arithmetic. Lesson 8 went further for a float64
// printout and found the one arithmetic that printed it bit for bit. Here we ask the same of
// a float32 printout: which float32 arithmetic reproduces each printed number **exactly**?
//
// Two tools from `lib/float32.ts` make the question precise. JavaScript computes in float64
// only, so a float32 operation is a float64 one followed by `Math.fround` (correctly
// rounded for `+ − × ÷`), and a float32 fused multiply-add is `fma32`, tested against exact
// rational arithmetic (`Math.fround(a*b + c)` can round twice). And "reproduces" means:
// numpy's own printing of our float32 gives the printed text (`numpyPrints32`, tested
// against numpy). numpy prints at most 8 digits after the point, so below 0.1 one text can
// fit several float32 values — we count a match whenever the text is the same.

// %%
import { Lesson, RandomState, showTable } from "../lib/mod.ts";
import {
  add32,
  dot32,
  mul32,
  numpyPrints32,
  sub32,
  type Sum32Order,
  ulps32,
} from "../lib/float32.ts";

const lesson = new Lesson(9);
type Entry = { name: string; value: number[]; texts: string[] };
const file = lesson.publishedFile() as unknown as {
  inputs: Record<string, { value: number[] }>;
  values: Entry[];
};
const w = (name: string) => file.inputs[name].value.map(Math.fround);
const U = w("kernel (U)"), W = w("recurrent_kernel (W)"), b = w("bias (b)");
const V = w("dense kernel (V)"), c = w("dense bias (c)"), Y = w("y_true");
// Lesson 4 recovered the inputs: numpy's generator with seed 0, cast to float32.
const rng = new RandomState(0);
const X = [...rng.random([1, 3, 4]).data].map(Math.fround);
const h0 = [...rng.random([1, 2]).data].map(Math.fround);
const [T, nIn, nH, nOut] = [3, 4, 2, 3];

// %% [markdown]
// ## The candidates
//
// A candidate arithmetic fixes how each dot product is summed (one term after another;
// pairwise; in SIMD-like lanes of 4; or as a chain of fused multiply-adds), where the bias
// enters (first, or added after the product), and how `tanh` and `exp` are evaluated (here:
// the float64 function rounded to float32, which can differ from a correctly rounded
// float32 function only by a double rounding). "float64 then round" is lesson 4's computation rounded at the
// end. For the gradients there are two formulations: the tape's (the chain rule through
// `log`, `softmax`'s Jacobian and `TanhGrad`) and the post's hand formulas
// ($\hat y - y$, then $\delta_t$ and the sums over $t$), each summed over time forwards or
// backwards.

// %%
interface Arith {
  label: string;
  order: Sum32Order;
  fused: boolean;
  biasFirst: boolean;
  f64: boolean;
}
const ARITHS: Arith[] = [];
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

const R = (a: Arith, v: number) => (a.f64 ? v : Math.fround(v));
const dotA = (a: Arith, x: number[], y: number[], bias?: number) => {
  if (a.f64) return x.reduce((s, v, i) => s + v * y[i], bias ?? 0);
  if (bias === undefined) return dot32(x, y, a.order, a.fused);
  if (a.biasFirst) return dot32([1, ...x], [bias, ...y], a.order, a.fused);
  return add32(dot32(x, y, a.order, a.fused), bias);
};
const col = (M: number[], j: number, cols: number) =>
  Array.from({ length: M.length / cols }, (_, i) => M[i * cols + j]);
const row = (M: number[], i: number, cols: number) => M.slice(i * cols, (i + 1) * cols);

function forward(a: Arith) {
  const H: number[][] = [];
  const P: number[][] = [];
  let h = h0;
  for (let t = 0; t < T; t++) {
    const x = row(X, t, nIn);
    const z = Array.from({ length: nH }, (_, j) => {
      const xu = dotA(a, x, col(U, j, nH));
      const hw = dotA(a, h, col(W, j, nH));
      return R(a, R(a, xu + hw) + b[j]);
    });
    h = z.map((v) => R(a, Math.tanh(v)));
    H.push(h);
    const o = Array.from({ length: nOut }, (_, q) => dotA(a, h, col(V, q, nOut), c[q]));
    const m = Math.max(...o);
    const e = o.map((v) => R(a, Math.exp(R(a, v - m))));
    const s = a.f64 ? e.reduce((p, q) => p + q) : dot32(e, [1, 1, 1], a.order);
    P.push(e.map((v) => R(a, v / s)));
  }
  return { H, P };
}

function backward(a: Arith, f: { H: number[][]; P: number[][] }, tape: boolean, reverse: boolean) {
  const sub = (x: number, y: number) => (a.f64 ? x - y : sub32(x, y));
  const mul = (x: number, y: number) => (a.f64 ? x * y : mul32(x, y));
  const add = (x: number, y: number) => (a.f64 ? x + y : add32(x, y));
  // dL/do_t: the tape differentiates −Σ y log p through softmax; the hand formula is p − y.
  const dout = f.P.map((p, t) => {
    const y = row(Y, t, nOut);
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
      { length: nH },
      (_, j) => add(dotA(a, dout[t], row(V, j, nOut)), carry[j]),
    );
    delta[t] = d;
    dz[t] = d.map((v, j) => mul(v, sub(1, mul(f.H[t][j], f.H[t][j]))));
    carry = Array.from({ length: nH }, (_, i) => dotA(a, dz[t], row(W, i, nH)));
  }
  const ts = reverse ? [2, 1, 0] : [0, 1, 2];
  const acc = (term: (t: number) => number) =>
    ts.reduce((s, t, k) => (k === 0 ? term(t) : add(s, term(t))), 0);
  const hPrev = (t: number) => (t ? f.H[t - 1] : h0);
  const dV: number[] = [],
    dc: number[] = [],
    dW: number[] = [],
    db: number[] = [],
    dU: number[] = [];
  for (let j = 0; j < nH; j++) {
    for (let q = 0; q < nOut; q++) dV.push(acc((t) => mul(f.H[t][j], dout[t][q])));
  }
  for (let q = 0; q < nOut; q++) dc.push(acc((t) => dout[t][q]));
  for (let i = 0; i < nH; i++) {
    for (let j = 0; j < nH; j++) dW.push(acc((t) => mul(hPrev(t)[i], dz[t][j])));
  }
  for (let j = 0; j < nH; j++) db.push(acc((t) => dz[t][j]));
  for (let k = 0; k < nIn; k++) {
    for (let j = 0; j < nH; j++) dU.push(acc((t) => mul(X[t * nIn + k], dz[t][j])));
  }
  return { dV, dc, dW, db, dU, delta_1: delta[0] };
}

// Which quantities each path produces: the tape's, and the post's own (my_…).
function produce(a: Arith, tape: boolean, reverse: boolean): Record<string, number[]> {
  const f = forward(a);
  const g = backward(a, f, tape, reverse);
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

// %%
const entries = new Map(file.values.map((e) => [e.name, e]));
const matches = (name: string, ours: number[]) => {
  const e = entries.get(name)!;
  return ours.filter((v, i) => numpyPrints32(Math.fround(v)) === e.texts[i]).length;
};
interface Row {
  arithmetic: string;
  gradients: string;
  [q: string]: string | number;
}
const table: Row[] = [];
const best = new Map<string, { n: number; label: string; values: number[] }>();
for (const a of ARITHS) {
  for (const tape of [true, false]) {
    for (const reverse of [true, false]) {
      if (a.f64 && !tape) continue;
      const got = produce(a, tape, reverse);
      const r: Row = {
        arithmetic: a.label,
        gradients: `${tape ? "tape" : "hand"}, t ${reverse ? "3→1" : "1→3"}`,
      };
      let total = 0;
      for (const [name, v] of Object.entries(got)) {
        const n = matches(name, v);
        r[name.replace("dl_", "")] = n;
        total += n;
        const prev = best.get(name);
        if (!prev || n > prev.n) {
          best.set(name, { n, label: `${r.arithmetic}; ${r.gradients}`, values: v });
        }
      }
      r.total = total;
      table.push(r);
    }
  }
}
await showTable(table);
lesson.value("candidates", table);

// %% [markdown]
// ## The best candidate for each printed quantity
//
// For each printed quantity, the candidate that reproduces most of its numbers, and each
// reproduced float32 next to the printed text with its distance in float32 ULPs from the
// float32 nearest to the printed text (for texts below 0.1 that is one of several
// admissible values, so a distance of 0 there means "prints the same").

// %%
const listing: { name: string; candidate: string; printed: string; ours: string; ulps: number }[] =
  [];
let reproduced = 0;
for (const e of file.values) {
  const bst = best.get(e.name)!;
  reproduced += bst.n;
  e.value.forEach((p, i) => {
    const ours = Math.fround(bst.values[i]);
    listing.push({
      name: `${e.name}[${i}]`,
      candidate: bst.label,
      printed: e.texts[i],
      ours: numpyPrints32(ours),
      ulps: numpyPrints32(ours) === e.texts[i] ? 0 : ulps32(Math.fround(p), ours),
    });
  });
}
await showTable(
  file.values.map((e) => ({
    quantity: e.name,
    "best candidate": best.get(e.name)!.label,
    reproduced: `${best.get(e.name)!.n} of ${e.value.length}`,
  })),
);
await showTable(listing.map(({ name, printed, ours, ulps }) => ({ name, printed, ours, ulps })));
lesson.value("every_printed_number", listing);
console.log(`reproduced exactly by the best candidate of its quantity: ${reproduced} of 74`);
lesson.value("reproduced_exactly", reproduced);
lesson.check(
  "every reproduced float32 is within lesson 4's bound of the printed value",
  Math.max(...listing.map((l) => Math.abs(l.ulps))) <= 64 ? 1 : 0,
  1,
  {
    tolerance: 0,
    against: "lesson 4's roundoff bound 2γ₆₀(2⁻²⁴) ≈ 7e-6, i.e. at most 64 ULPs of values ≥ 0.01",
  },
);
for (const e of file.values) {
  lesson.published(e.name, best.get(e.name)!.values, { roundoff: 7.2e-6 });
}

// %% [markdown]
// ## The tape and the hand: why `dl_dU[0][1]` and `my_dl_dU[0][1]` differ
//
// Both are $\sum_t x_{t,0}\,e_{t,1}$ with $e_t = \delta_t \odot (1-h_t^2)$; the printed
// texts differ in the last two digits. In float32 the result depends on how
// $\partial L/\partial o_t$ was formed (through `log` and softmax's Jacobian, or as
// $\hat y - y$ at once) and on the order of the sum over $t$: the table of best candidates
// names, for each printed list, the formulation and time order that reproduce it. The
// counts are per quantity, and different quantities pick different candidates — no single
// candidate here reproduces everything, so this is a ranking of explanations, not a verdict.
// The arithmetic knobs also collapse here: the printed `b` is zero, and with at most four
// terms per dot product the lanes of four add the same way as the sequential loop, so
// "bias first/last" and "blocked4" rows repeat others.
//
// ## What remains unexplained
//
// Only correctly rounded float32 candidates (and float64 then rounded) were tried here.
// The numbers no candidate reproduces point at arithmetic outside this set; the next
// candidates are the vendor math libraries the issue names — Eigen's float32 `tanh`
// approximation and its `exp` (TensorFlow on a CPU), CUDA's `tanhf`/`expf` and the fused
// `1 − y²` of TanhGrad (TensorFlow on a GPU) — and the exact order of TensorFlow's
// `BiasAdd`, `MatMul` and gradient accumulation. Until those are tried, this lesson does not
// say which machine printed the post.

// %%
await lesson.end();

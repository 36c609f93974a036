/**
 * Exercise 6's grader spec: `sum_over_k` (lesson 6, document 003), the gradients ∂L/∂U, ∂L/∂W,
 * ∂L/∂b written as the post's sum over k with the tanh Jacobians interleaved between the W
 * factors. References: BPTT, the library's δ recursion (`vanillaRnnBackward`, lib/nn), to
 * 1e-12 relative to the largest entry of each gradient, and central differences of the
 * library's loss. The known mistakes are the post's slips, as lesson 6 sections 6 and 7 show.
 *
 * @module
 */

import fc from "fast-check";
import {
  matrixPower,
  NDArray,
  oneHot,
  RandomState,
  vanillaRnnBackward,
  vanillaRnnLoss,
  type VanillaRnnParams,
} from "./lib.ts";
import * as ref from "../../exercises/_solutions.ts";
import { type ExerciseSpec, type Impl, type Mistake, type Probe, record } from "./mod.ts";
import { drawCases } from "./cases.ts";

/** A seeded RNN and sequence: weights 0.5·randn, drawn in lesson 6's order. */
export function bpttInputs(seed: number, n_x: number, n_h: number, n_y: number, T: number) {
  const rng = new RandomState(seed);
  const U = rng.randn(n_h, n_x).mul(0.5);
  const W = rng.randn(n_h, n_h).mul(0.5);
  const b = rng.randn(n_h, 1).mul(0.5);
  const V = rng.randn(n_y, n_h).mul(0.5);
  const c = rng.randn(n_y, 1).mul(0.5);
  const x = rng.randn(T, n_x, 1);
  const h0 = rng.randn(n_h, 1).mul(0.5);
  const labels = [...rng.randint(0, n_y, T).data];
  const params: VanillaRnnParams = { U, W, b, V, c };
  const xt = Array.from({ length: T }, (_, t) => x.take(0, t));
  const y = labels.map((k) => oneHot([k], n_y));
  return { params, xt, h0, y };
}

type Inputs = ReturnType<typeof bpttInputs>;
const GRADS = ["U_gradient", "W_gradient", "B_gradient"] as const;

/** Runs the library's forward pass and hands the learner its states, under the post's names. */
function callSumOverK(impl: Impl, inp: Inputs) {
  const { params: p, xt, h0, y } = inp;
  const f = vanillaRnnLoss(p, xt, h0, y);
  const rnn = { Wx: p.U, Wh: p.W, Bh: p.b, Wy: p.V, By: p.c };
  return record(impl.sum_over_k(rnn, xt, h0, f.h, f.yHat, y), "sum_over_k", [...GRADS]);
}

const maxAbs = (a: NDArray) => a.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const REL = 1e-12;

function probe(seed: number, n_x: number, n_h: number, n_y: number, T: number, name: string) {
  const inputs = () => bpttInputs(seed, n_x, n_h, n_y, T);
  return {
    fn: "sum_over_k",
    name,
    run: (impl: Impl) => callSumOverK(impl, inputs()),
    expect() {
      const inp = inputs();
      const f = vanillaRnnLoss(inp.params, inp.xt, inp.h0, inp.y);
      const g = vanillaRnnBackward(f.dOutputs, f.cache).grads;
      return ([["U_gradient", g.U], ["W_gradient", g.W], ["B_gradient", g.b]] as const).map((
        [key, value],
      ) => ({
        key,
        value,
        tolerance: REL * maxAbs(value),
        against: `BPTT (lib/nn/vanilla_rnn.ts's δ recursion), ${REL} × its largest entry`,
      }));
    },
  } satisfies Probe;
}

function gradcheckProbe(seed: number, n_x: number, n_h: number, n_y: number, T: number): Probe {
  const inputs = () => bpttInputs(seed, n_x, n_h, n_y, T);
  return {
    fn: "sum_over_k",
    name:
      `n_x = ${n_x}, n_h = ${n_h}, n_y = ${n_y}, T = ${T} (seed ${seed}) vs central differences`,
    run: (impl) => callSumOverK(impl, inputs()),
    gradcheck() {
      const inp = inputs();
      return {
        loss: () => vanillaRnnLoss(inp.params, inp.xt, inp.h0, inp.y).loss,
        params: { U: inp.params.U, W: inp.params.W, b: inp.params.b },
        keys: { U_gradient: "U", W_gradient: "W", B_gradient: "b" },
      };
    },
  };
}

/** Sizes and seeds drawn by fast-check from a fixed seed (the same on every run). */
export function randomSizes(seed: number, count: number) {
  return fc.sample(
    fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      n_x: fc.integer({ min: 1, max: 4 }),
      n_h: fc.integer({ min: 2, max: 5 }),
      n_y: fc.integer({ min: 2, max: 4 }),
      T: fc.integer({ min: 3, max: 6 }),
    }),
    { seed, numRuns: count },
  );
}

// ---------------------------------------------------------------------------------------------
// Known mistakes: the post's slips, each alone in an otherwise correct sum over k.

const J = ref.tanh_jacobian;

/** The sum over k with one slip, chosen by `slip`. */
export function sumOverKWith(slip: string) {
  return (
    rnn: ref.BpttSelf,
    xt: NDArray[],
    h0: NDArray,
    h: NDArray[],
    y_hat: NDArray[],
    y: NDArray[],
  ) => {
    let U_gradient = NDArray.zeros(rnn.Wx.shape);
    let W_gradient = NDArray.zeros(rnn.Wh.shape);
    let B_gradient = NDArray.zeros(rnn.Bh.shape);
    for (let t = 0; t < xt.length; t++) {
      const top = y_hat[t].sub(y[t]).T.dot(rnn.Wy);
      for (let k = 0; k <= t; k++) {
        let row: NDArray;
        if (slip === "np-power" || slip === "jacobians-first") {
          row = top;
          for (let j = t; j >= k; j--) row = row.dot(J(h[j]));
          row = row.dot(slip === "np-power" ? rnn.Wh.pow(t - k) : matrixPower(rnn.Wh, t - k));
        } else {
          row = top.dot(J(h[t]));
          for (let j = t - 1; j >= k; j--) row = row.dot(rnn.Wh).dot(J(h[slip === "ht" ? t : j]));
        }
        const delta = row.T;
        const state = slip === "current-state" ? h[k] : k > 0 ? h[k - 1] : h0;
        U_gradient = U_gradient.add(delta.dot(xt[k].T));
        W_gradient = W_gradient.add(slip === "broadcast" ? delta.mul(state) : delta.dot(state.T));
        B_gradient = B_gradient.add(delta);
      }
    }
    return { U_gradient, W_gradient, B_gradient };
  };
}

const L6_CODE = "lesson 6, “6 · Where the code goes wrong”";
const L6_FORMULA = "lesson 6, “7 · Where the derivation goes wrong”";

const mistake = (slip: string, name: string, explain: string, section: string): Mistake => ({
  name,
  explain,
  section,
  fns: ["sum_over_k"],
  impl: { ...ref, sum_over_k: sumOverKWith(slip) },
});

const mistakes: Mistake[] = [
  mistake(
    "np-power",
    "np.power (elementwise) for W^(t−k)",
    "W^(t−k) was taken entry by entry (numpy's np.power, `W.pow(n)` here): W^∘0 is a matrix of " +
      "ones, not the identity, and W^∘2 is not W·W. A power of W is repeated matrix products — " +
      "and in the chain each W sits between two tanh Jacobians, not gathered into a power.",
    L6_CODE,
  ),
  mistake(
    "jacobians-first",
    "all Jacobians first, then W^(t−k)",
    "The chain multiplied J_t·J_{t−1}·…·J_k together and then the matrix power W^(t−k). That " +
      "is only right when every J_j commutes with W (n_h = 1, or W diagonal); the chain rule " +
      "gives them interleaved: J_t·W·J_{t−1}·W·…·W·J_k.",
    L6_FORMULA,
  ),
  mistake(
    "ht",
    "a reduce that always uses h[t]",
    "Every tanh Jacobian in the chain was taken at h[t], the state of the loss's step: the " +
      "product became (1 − (h^t)²)^(t−k+1) where it must be ∏_j (1 − (h^j)²), one factor per " +
      "step j = t, t−1, …, k, each at its own state h^j.",
    L6_CODE,
  ),
  mistake(
    "broadcast",
    "a broadcast where an outer product is needed",
    "δ ⊙ h^(k−1) multiplies two (n_h, 1) columns into a column, and adding it to the (n_h, n_h) " +
      "accumulator broadcasts it into every column, so all columns of W_gradient are equal. " +
      "∂L/∂W needs the outer product δ · (h^(k−1))ᵀ.",
    L6_CODE,
  ),
  mistake(
    "current-state",
    "h^t for h^(t−1)",
    "W_gradient used the state after step k, h[k]; net^k = U x^k + W h^(k−1) + b, so the outer " +
      "product is with the state before it: h[k−1], and h0 at the first step.",
    L6_CODE,
  ),
];

/** Exercise 6. */
export const spec: ExerciseSpec = {
  number: 6,
  slug: "06_bptt_sum_over_k",
  title: "BPTT as the sum over k",
  url: import.meta.url,
  functions: ["sum_over_k"],
  probes: [
    probe(6, 3, 4, 3, 4, "lesson 6's seeded example (RandomState(6), T = 4) vs BPTT"),
    probe(6, 3, 4, 3, 1, "one step (T = 1): no W in the chain"),
    ...randomSizes(20261206, 3).map((r) =>
      probe(
        r.seed,
        r.n_x,
        r.n_h,
        r.n_y,
        r.T,
        `n_x = ${r.n_x}, n_h = ${r.n_h}, n_y = ${r.n_y}, T = ${r.T} (seed ${r.seed}) vs BPTT`,
      )
    ),
    gradcheckProbe(7, 2, 3, 2, 5),
  ],
  random(seed) {
    return drawCases(seed, 2, { n_x: [1, 4], n_h: [1, 5], n_y: [2, 4], T: [1, 6] }).flatMap((c) => {
      const label = `random case (n_x = ${c.n_x}, n_h = ${c.n_h}, n_y = ${c.n_y}, T = ${c.T}, ` +
        `seed ${c.seed})`;
      return [
        probe(c.seed, c.n_x, c.n_h, c.n_y, c.T, `${label} vs BPTT`),
        {
          ...gradcheckProbe(c.seed, c.n_x, c.n_h, c.n_y, c.T),
          name: `${label} vs central differences`,
        },
      ];
    });
  },
  mistakes,
  reference: ref,
};

/**
 * Exercise 7's grader spec (lesson 7): `clip_by_global_norm`, graded on the clipped arrays
 * (their norm and direction), the norm reported, and the below-threshold and all-zero cases,
 * against a global norm summed here entry by entry; `jacobian_norm`, against the explicit
 * product of diag(1 − h²) and W matrices and its largest singular value; `rtrl_dW`, against BPTT
 * (lib/nn/vanilla_rnn.ts) within lesson 7's bound 2γ_{50T}·max(1, |·|).
 *
 * @module
 */

import {
  gamma,
  NDArray,
  oneHot,
  RandomState,
  svd,
  vanillaRnnBackward,
  vanillaRnnLoss,
  type VanillaRnnParams,
} from "./lib.ts";
import * as ref from "../../exercises/_solutions.ts";
import { describe, type ExerciseSpec, GradeError, type Mistake, type Probe } from "./mod.ts";
import { drawCases } from "./cases.ts";

const num = (v: unknown, what: string) => {
  if (typeof v !== "number") throw new GradeError(`${what} should be a number, got ${describe(v)}`);
  return new NDArray([v], [1]);
};

// ---------------------------------------------------------------------------------------------
// clip_by_global_norm

function gradsOf(seed: number, scale: number) {
  const rng = new RandomState(seed);
  return { W: rng.randn(4, 4).mul(scale), U: rng.randn(4, 2).mul(scale * 4), b: rng.randn(4, 1) };
}
const zeros = () => ({ W: NDArray.zeros([3, 3]), b: NDArray.zeros([3, 1]) });

/** The global norm by one plain loop over every entry. */
function plainNorm(g: Record<string, NDArray>) {
  let s = 0;
  for (const a of Object.values(g)) for (const v of a.data) s += v * v;
  return Math.sqrt(s);
}

function clipProbe(name: string, grads: () => Record<string, NDArray>, maxNorm: number): Probe {
  return {
    fn: "clip_by_global_norm",
    name,
    run(impl) {
      const g = grads();
      const before = Object.fromEntries(Object.entries(g).map(([k, a]) => [k, a.copy()]));
      const r = impl.clip_by_global_norm(g, maxNorm);
      if (typeof r !== "object" || r === null || !("clipped" in r) || !("norm" in r)) {
        throw new GradeError(
          `clip_by_global_norm should return {clipped, norm}, got ${describe(r)}`,
        );
      }
      for (const k of Object.keys(g)) {
        if (g[k].data.some((v, i) => !Object.is(v, before[k].data[i]))) {
          throw new GradeError(
            `clip_by_global_norm modified its input grads.${k}`,
            "changed_input",
          );
        }
      }
      const out: Record<string, unknown> = { norm: num(r.norm, "norm") };
      for (const k of Object.keys(g)) out[`clipped.${k}`] = r.clipped?.[k];
      return out;
    },
    expect() {
      const g = grads();
      const n = plainNorm(g);
      const scale = n > maxNorm ? maxNorm / n : 1;
      const tol = (a: number) => 4 * gamma(40) * Math.max(1, a);
      return [
        { key: "norm", value: new NDArray([n], [1]), tolerance: tol(n), against: "Σ g² by loops" },
        ...Object.entries(g).map(([k, a]) => ({
          key: `clipped.${k}`,
          value: a.mul(scale),
          tolerance: tol(a.abs().max() as number),
          against: `g · ${scale === 1 ? "1 (not clipped)" : "max_norm / ‖g‖ (global)"}`,
        })),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// jacobian_norm

/**
 * States of h_t = tanh(W h_{t−1} + u·ε_t): W orthogonal × ρ, or (`general`) a Gaussian matrix
 * × ρ/√n, whose factors D_t W and W D_t have different norms.
 */
function statesOf(seed: number, n: number, T: number, rho: number, general = false) {
  const rng = new RandomState(seed);
  const W = general ? rng.randn(n, n).mul(rho / Math.sqrt(n)) : svd(rng.randn(n, n)).U.mul(rho);
  const u = rng.randn(n).mul(0.5);
  const h = [rng.randn(n).mul(0.5)];
  for (let t = 1; t <= T; t++) h.push(W.dot(h[t - 1]).add(u.mul(rng.randn(1).get(0))).tanh());
  return { W, h };
}

function jacobianProbe(
  seed: number,
  n: number,
  T: number,
  rho: number,
  ks: number[],
  general = false,
): Probe {
  return {
    fn: "jacobian_norm",
    name: `n = ${n}, T = ${T}, W ${general ? "Gaussian" : "orthogonal"} × ${rho} (seed ${seed}): ` +
      `‖∂h_T/∂h_k‖ at k = ${ks.join(", ")}`,
    run(impl) {
      const { W, h } = statesOf(seed, n, T, rho, general);
      return {
        norms: new NDArray(
          ks.map((k) => num(impl.jacobian_norm(W, h, k), `jacobian_norm(W, h, ${k})`).get(0)),
          [ks.length],
        ),
      };
    },
    expect() {
      const { W, h } = statesOf(seed, n, T, rho, general);
      const norms = ks.map((k) => {
        let J = NDArray.eye(n);
        for (let t = T; t > k; t--) {
          J = J.dot(NDArray.diag(h[t].square().neg().add(1))).dot(W);
        }
        return svd(J).s.get(0);
      });
      return [{
        key: "norms",
        value: new NDArray(norms, [ks.length]),
        tolerance: 1e-12 * Math.max(1, ...norms),
        against: "the product of diag(1 − h_t²) and W as matrices, its largest singular value",
      }];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// rtrl_dW

function rnnOf(seed: number, n: number, n_x: number, n_y: number, T: number) {
  const rng = new RandomState(seed);
  const params: VanillaRnnParams = {
    U: rng.randn(n, n_x),
    W: rng.randn(n, n).mul(0.6),
    b: rng.randn(n, 1),
    V: rng.randn(n_y, n),
    c: rng.randn(n_y, 1),
  };
  const xs = Array.from({ length: T }, () => rng.randn(n_x, 1));
  const ys = Array.from({ length: T }, () => oneHot([rng.randint(0, n_y)], n_y));
  return { params, xs, ys, h0: rng.randn(n, 1) };
}

function rtrlProbe(seed: number, n: number, n_x: number, n_y: number, T: number): Probe {
  return {
    fn: "rtrl_dW",
    name: `n_h = ${n}, n_x = ${n_x}, T = ${T} (seed ${seed}): ∂L/∂W vs BPTT`,
    run(impl) {
      const { params, xs, ys, h0 } = rnnOf(seed, n, n_x, n_y, T);
      const f = vanillaRnnLoss(params, xs, h0, ys);
      return { dW: impl.rtrl_dW(params, xs, h0, f.h, f.yHat, ys) };
    },
    expect() {
      const { params, xs, ys, h0 } = rnnOf(seed, n, n_x, n_y, T);
      const f = vanillaRnnLoss(params, xs, h0, ys);
      const dW = vanillaRnnBackward(f.dOutputs, f.cache).grads.W;
      return [{
        key: "dW",
        value: dW,
        tolerance: 2 * gamma(50 * T) * Math.max(1, dW.abs().max() as number),
        against: "BPTT (lib/nn/vanilla_rnn.ts), lesson 7's bound 2γ_{50T}·max(1, |·|)",
      }];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Known mistakes.

function clipEachTensor(grads: Record<string, NDArray>, max_norm: number) {
  const clipped = Object.fromEntries(
    Object.entries(grads).map(([k, g]) => {
      const n = Math.sqrt(g.square().sum() as number);
      return [k, n > max_norm ? g.mul(max_norm / n) : g.copy()];
    }),
  );
  return { clipped, norm: plainNorm(grads) };
}

function jacobianNormNoTanh(W: NDArray, h: NDArray[], k: number): number {
  let J = NDArray.eye(W.shape[0]);
  for (let t = h.length - 1; t > k; t--) J = J.dot(W);
  return svd(J).s.get(0);
}

function rtrlNoTanh(
  params: VanillaRnnParams,
  xs: NDArray[],
  h0: NDArray,
  h: NDArray[],
  y_hat: NDArray[],
  ys: NDArray[],
): NDArray {
  const n = params.W.shape[0];
  let P = NDArray.zeros([n, n * n]);
  let dW = NDArray.zeros([n, n]);
  let hPrev = h0.reshape(n);
  for (let t = 0; t < xs.length; t++) {
    const E = NDArray.zeros([n, n * n]);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) E.set([a, a * n + b], hPrev.get(b));
    P = E.add(params.W.dot(P)); // no D_t
    dW = dW.add(params.V.T.dot(y_hat[t].sub(ys[t])).reshape(1, n).dot(P).reshape(n, n));
    hPrev = h[t].reshape(n);
  }
  return dW;
}

const L7_CLIP = "lesson 7, “2. Exploding gradients and clipping by global norm”";
const NO_TANH = "forgetting the tanh derivative in the Jacobian product";
const NO_TANH_EXPLAIN = "The product used W alone at every step; each step back through " +
  "h_t = tanh(W h_{t−1} + …) multiplies by D_t W, with D_t = diag(1 − h_t²) — the factor that, " +
  "below 1, makes gradients vanish even when ‖W‖ = 1.";

const mistakes: Mistake[] = [
  {
    name: "clipping each tensor separately",
    explain: "Each array was scaled by max_norm / its own norm, which changes the direction of " +
      "the whole gradient (and can leave its global norm above max_norm). Clip by the global " +
      "norm: one factor max_norm / ‖g‖ for every array, ‖g‖² = the sum of all their squares.",
    section: L7_CLIP,
    fns: ["clip_by_global_norm"],
    impl: { ...ref, clip_by_global_norm: clipEachTensor },
  },
  {
    name: NO_TANH,
    explain: NO_TANH_EXPLAIN,
    section: "lesson 7, “1. The norm of ∂h_T/∂h_k against T−k”",
    fns: ["jacobian_norm"],
    impl: { ...ref, jacobian_norm: jacobianNormNoTanh },
  },
  {
    name: NO_TANH,
    explain: "P_t was carried as E_t + W P_{t−1}; h^t = tanh(net^t), so the sensitivity of " +
      "h^t is D_t (E_t + W P_{t−1}), with D_t = diag(1 − (h^t)²).",
    section: "lesson 7, “5. RTRL and BPTT compute the same gradient”",
    fns: ["rtrl_dW"],
    impl: { ...ref, rtrl_dW: rtrlNoTanh },
  },
];

/** Exercise 7. */
export const spec: ExerciseSpec = {
  number: 7,
  slug: "07_clipping_rtrl",
  title: "Clipping, the Jacobian's norm, and RTRL",
  url: import.meta.url,
  functions: ["clip_by_global_norm", "jacobian_norm", "rtrl_dW"],
  probes: [
    clipProbe("three arrays above the threshold: one factor for all", () => gradsOf(3, 2), 1),
    clipProbe("below the threshold: unchanged", () => gradsOf(3, 0.1), 100),
    clipProbe("all zeros: unchanged, no 0/0", zeros, 1),
    jacobianProbe(7, 6, 12, 1, [11, 8, 4, 0]),
    jacobianProbe(8, 4, 10, 1.25, [9, 5, 0]),
    jacobianProbe(11, 4, 8, 1.5, [7, 3, 0], true),
    rtrlProbe(9, 3, 2, 2, 6),
    rtrlProbe(10, 4, 3, 3, 5),
  ],
  random(seed) {
    const cases = drawCases(seed, 2, { n: [1, 5], T: [2, 8], scale: [1, 40] });
    return [
      ...cases.map((c) => {
        const maxNorm = c.scale / 4;
        const grads = () => {
          const rng = new RandomState(c.seed);
          return {
            W: rng.randn(c.n, c.n),
            U: rng.randn(c.n, 2).mul(c.scale / 8),
            b: rng.randn(c.n, 1),
          };
        };
        return clipProbe(
          `random case (n = ${c.n}, max_norm = ${maxNorm}, seed ${c.seed})`,
          grads,
          maxNorm,
        );
      }),
      ...cases.map((c) =>
        jacobianProbe(
          c.seed,
          c.n,
          c.T,
          0.5 + c.scale / 40,
          [c.T - 1, Math.floor(c.T / 2), 0],
          c.seed % 2 === 0,
        )
      ),
      ...cases.map((c) => rtrlProbe(c.seed, c.n, 1 + (c.seed % 3), 2 + (c.seed % 2), c.T)),
    ];
  },
  mistakes,
  reference: ref,
};

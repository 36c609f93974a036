/**
 * Exercise 5's grader spec (lesson 5, document 001): `dlstm`, one LSTM step's backward, graded
 * against central differences of one forward step (lib/numerics/gradient_policy.ts's
 * checkGradients, the course's one policy); and `check_grad`, the learner's own gradient check, run
 * on the correct backward over lesson 5's five seeds (it must accept every one) and on three
 * planted backward bugs (it must flag each). Its numerical gradient is compared with central
 * differences computed here (lib/numerics/gradcheck.ts's numericalGradient of lib/nn/lstm.ts's
 * loss, from the same zero state), so the grader can tell which numerical gradient the check
 * computed: the question's (from the final state), a one-sided difference, or the right one with a
 * tolerance that rejects a correct gradient.
 *
 * @module
 */

import {
  dlstm as libDlstm,
  gamma,
  initLstmParams,
  lstm,
  LSTM_PARAM_NAMES,
  type LstmCache,
  lstmLoss,
  type LstmParams,
  NDArray,
  numericalGradient,
  RandomState,
  roll,
  zerosLikeParams,
} from "./lib.ts";
import { plantedBugs } from "../../lib/numerics/gradient_policy.ts";
import * as ref from "../../exercises/_solutions.ts";
import {
  describe,
  type ExerciseSpec,
  GradeError,
  type Impl,
  isNd,
  type Mistake,
  type Probe,
  record,
} from "./mod.ts";
import { drawCases } from "./cases.ts";

const nd = (a: Float64Array) => new NDArray(Float64Array.from(a), [a.length]);

// ---------------------------------------------------------------------------------------------
// dlstm: one step, against central differences of that step.

/** A seeded step: parameters, input, previous state and the upstream gradients. */
function stepInputs(seed: number, x_n: number, h_n: number, o_n: number) {
  const rng = new RandomState(seed);
  const params = initLstmParams(rng, { x_n, h_n, o_n });
  return {
    params,
    inp: rng.normal(0, 1, x_n),
    h_old: rng.normal(0, 0.5, h_n),
    c_old: rng.normal(0, 1, h_n),
    dy: rng.normal(0, 1, o_n).data,
    dh_next: rng.normal(0, 1, h_n).data,
    dc_next: rng.normal(0, 1, h_n).data,
  };
}

const DKEYS = Object.fromEntries(LSTM_PARAM_NAMES.map((k) => [`d${k}`, k]));

function stepProbe(seed: number, x_n: number, h_n: number, o_n: number, name: string): Probe {
  const inputs = () => stepInputs(seed, x_n, h_n, o_n);
  return {
    fn: "dlstm",
    name,
    run(impl: Impl) {
      const s = inputs();
      const { cache } = lstm(s.params, s.inp.data, s.h_old.data, s.c_old.data);
      const grads = zerosLikeParams(s.params);
      const r = record(
        impl.dlstm(s.params, s.dy, s.dh_next, s.dc_next, cache, grads),
        "dlstm",
        ["dh_prev", "dc_prev"],
      );
      const out: Record<string, unknown> = {};
      for (const k of LSTM_PARAM_NAMES) out[`d${k}`] = grads[k];
      for (const k of ["dh_prev", "dc_prev"]) {
        const v = r[k];
        out[k] = v instanceof Float64Array ? nd(v) : v;
      }
      return out;
    },
    gradcheck() {
      const s = inputs();
      const dot = (a: Float64Array, b: Float64Array) => a.reduce((t, v, i) => t + v * b[i], 0);
      // L = dy·y + dh_next·h + dc_next·c: its gradient is what one backward step returns.
      const loss = () => {
        const o = lstm(s.params, s.inp.data, s.h_old.data, s.c_old.data);
        return dot(s.dy, o.y) + dot(s.dh_next, o.h) + dot(s.dc_next, o.c);
      };
      return {
        loss,
        params: { ...s.params, h_old: s.h_old, c_old: s.c_old },
        keys: { ...DKEYS, dh_prev: "h_old", dc_prev: "c_old" },
      };
    },
  };
}

/**
 * The learner's `dlstm` over a whole sequence of T steps, chaining its own `dh_prev`, `dc_prev`
 * back, adding into one `grads` that starts pre-filled with random values (an accumulator is
 * added to, never assigned): outputs the gradients it added, and ∂L/∂h₀, ∂L/∂c₀.
 */
function sequenceProbe(
  seed: number,
  x_n: number,
  h_n: number,
  o_n: number,
  T: number,
  name: string,
): Probe {
  const inputs = () => {
    const rng = new RandomState(seed);
    const params = initLstmParams(rng, { x_n, h_n, o_n });
    const xs = Array.from({ length: T }, () => rng.normal(0, 1, x_n));
    const h0 = rng.normal(0, 0.5, h_n), c0 = rng.normal(0, 1, h_n);
    const dys = Array.from({ length: T }, () => rng.normal(0, 1, o_n).data);
    const dhT = rng.normal(0, 1, h_n).data, dcT = rng.normal(0, 1, h_n).data;
    const prefill = zerosLikeParams(params);
    for (const k of LSTM_PARAM_NAMES) prefill[k] = rng.normal(0, 1, [...params[k].shape]);
    return { params, xs, h0, c0, dys, dhT, dcT, prefill };
  };
  return {
    fn: "dlstm",
    name,
    run(impl: Impl) {
      const s = inputs();
      const caches: LstmCache[] = [];
      let h = s.h0.data, c = s.c0.data;
      for (const x of s.xs) {
        const o = lstm(s.params, x.data, h, c);
        caches.push(o.cache);
        [h, c] = [o.h, o.c];
      }
      const grads = zerosLikeParams(s.params);
      for (const k of LSTM_PARAM_NAMES) grads[k] = s.prefill[k].copy();
      let dh: unknown = s.dhT, dc: unknown = s.dcT;
      for (let t = T - 1; t >= 0; t--) {
        const r = record(
          impl.dlstm(s.params, s.dys[t], dh, dc, caches[t], grads),
          "dlstm",
          ["dh_prev", "dc_prev"],
        );
        for (const k of ["dh_prev", "dc_prev"]) {
          if (!(r[k] instanceof Float64Array) || r[k].length !== h_n) {
            throw new GradeError(
              `dlstm's ${k} should be a Float64Array of length h_n = ${h_n}, got ${describe(r[k])}`,
              "wrong_type",
            );
          }
        }
        [dh, dc] = [r.dh_prev, r.dc_prev];
      }
      const out: Record<string, unknown> = {};
      for (const k of LSTM_PARAM_NAMES) {
        out[`d${k}`] = isNd(grads[k]) && grads[k].shape.join() === s.prefill[k].shape.join()
          ? grads[k].sub(s.prefill[k])
          : grads[k];
      }
      out.dh_prev = nd(dh as Float64Array);
      out.dc_prev = nd(dc as Float64Array);
      return out;
    },
    gradcheck() {
      const s = inputs();
      const dot = (a: Float64Array, b: Float64Array) => a.reduce((t, v, i) => t + v * b[i], 0);
      // L = Σ_t dy_t·y_t + dh_T·h_T + dc_T·c_T: its gradient is what the chained backward returns.
      const loss = () => {
        let h = s.h0.data, c = s.c0.data, L = 0;
        s.xs.forEach((x, t) => {
          const o = lstm(s.params, x.data, h, c);
          L += dot(s.dys[t], o.y);
          [h, c] = [o.h, o.c];
        });
        return L + dot(s.dhT, h) + dot(s.dcT, c);
      };
      return {
        loss,
        params: { ...s.params, h0: s.h0, c0: s.c0 },
        keys: { ...DKEYS, dh_prev: "h0", dc_prev: "c0" },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// check_grad: the learner's check, on the correct backward and on planted bugs.

const DELTA = 1e-5;
const X_N = 1, H_N = 5, O_N = 1;

/**
 * Lesson 5's window of sin(linspace(0, 4π, 90)), drawn after seed 0's parameters; `scale`
 * multiplies the targets (a larger loss, whose rounding grows with it).
 */
function lessonWindow(scale = 1) {
  const rng = new RandomState(0);
  initLstmParams(rng, { x_n: X_N, h_n: H_N, o_n: O_N });
  const wave = NDArray.linspace(0, 4 * Math.PI, 90).map(Math.sin);
  const start = rng.randint(0, Math.floor(90 / 4));
  const end = rng.randint(Math.floor((90 * 3) / 4), 90);
  const inputs = wave.slice(0, start, end).reshape(-1, 1);
  return { inputs, targets: roll(inputs, 1).mul(scale) };
}

type Backward = (
  params: LstmParams,
  dOut: Float64Array[],
  caches: LstmCache[],
) => Record<string, NDArray>;

/** BPTT over the sequence with one step backward `step` (the library's, or a planted bug). */
function bptt(
  carryH: boolean,
  carryC: boolean,
): Backward {
  return (params, dOut, caches) => {
    const grads = zerosLikeParams(params);
    let dh = new Float64Array(H_N), dc = new Float64Array(H_N);
    for (let t = caches.length - 1; t >= 0; t--) {
      const b = libDlstm(params, dOut[t], dh, dc, caches[t], grads);
      dh = carryH ? Float64Array.from(b.dh_prev) : new Float64Array(H_N);
      dc = carryC ? Float64Array.from(b.dc_prev) : new Float64Array(H_N);
    }
    return grads;
  };
}

const BACKWARDS: Record<string, Backward> = {
  correct: bptt(true, true),
  "dc carry dropped": bptt(true, false),
  "dh carry dropped": bptt(false, true),
  "every entry 1e-4 too large": (p, d, c) => plantedBugs.scaled(bptt(true, true)(p, d, c), 1e-4),
  // On seed 4 (L ≈ 9.3, T = 51) lesson 5's criterion accepts |a − n| up to 1.5ρ/δ ≈ 3.9e-7 (and
  // no more on any entry): errors of 7e-7 it flags, a fixed absolute 1e-6 does not; errors all
  // of one sign, below the numeric gradient, only a check comparing |a − n| flags.
  "every entry 7e-7 too large (absolute)": (p, d, c) => shifted(bptt(true, true)(p, d, c), 7e-7),
  "every entry 1e-6 too small (absolute)": (p, d, c) => shifted(bptt(true, true)(p, d, c), -1e-6),
};

/** Every entry of every gradient shifted by `by`. */
function shifted(grads: Record<string, NDArray>, by: number): Record<string, NDArray> {
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.add(by)]));
}

/** The `run` closure handed to the check: loss from (h, c), final state, grads, steps T. */
function runner(backward: Backward, scale = 1) {
  const { inputs, targets } = lessonWindow(scale);
  return (params: Record<string, NDArray>, h: Float64Array, c: Float64Array) => {
    const p = params as LstmParams;
    const r = lstmLoss(p, h, c, inputs, targets);
    const o_n = targets.shape[1];
    const dOut = r.outputs.map((y, t) =>
      Float64Array.from(y, (v, q) => (2 * (v - targets.data[t * o_n + q])) / o_n)
    );
    return {
      loss: r.loss,
      h: r.h,
      c: r.c,
      grads: backward(p, dOut, r.caches),
      steps: inputs.shape[0],
    };
  };
}

const paramsOf = (seed: number) =>
  initLstmParams(new RandomState(seed), { x_n: X_N, h_n: H_N, o_n: O_N });

function checkProbe(
  seed: number,
  bug: keyof typeof BACKWARDS,
  { delta = DELTA, scale = 1 }: { delta?: number; scale?: number } = {},
): Probe {
  const correct = bug === "correct";
  const DELTA_ = delta;
  const extra = [
    ...(delta !== DELTA ? [`δ = ${delta}`] : []),
    ...(scale !== 1 ? [`targets × ${scale} (a loss ${scale ** 2} times larger)`] : []),
  ].map((e) => `, ${e}`).join("");
  return {
    fn: "check_grad",
    name: correct
      ? `the correct backward, seed ${seed}${extra}: must pass`
      : `a planted bug (${bug}), seed ${seed}${extra}: must be flagged`,
    run(impl: Impl) {
      const params = paramsOf(seed);
      const before = Object.fromEntries(LSTM_PARAM_NAMES.map((k) => [k, params[k].copy()]));
      const h = new Float64Array(H_N), c = new Float64Array(H_N);
      const r = record(
        impl.check_grad(runner(BACKWARDS[bug], scale), params, h, c, DELTA_),
        "check_grad",
        ["numeric", "ok"],
      );
      if (typeof r.ok !== "boolean") {
        throw new GradeError(`check_grad's ok should be true or false, got ${describe(r.ok)}`);
      }
      for (const k of LSTM_PARAM_NAMES) {
        const i = params[k].data.findIndex((v, j) => !Object.is(v, before[k].data[j]));
        if (i >= 0) {
          throw new GradeError(
            `check_grad left params.${k}[${i}] changed (${params[k].data[i]}, was ${
              before[k].data[i]
            }): restore every entry after perturbing it`,
            "changed_input",
          );
        }
      }
      if (h.some((v) => v !== 0) || c.some((v) => v !== 0)) {
        throw new GradeError(
          "check_grad changed the start state h or c it was given",
          "changed_input",
        );
      }
      const numeric = r.numeric as Record<string, unknown> | null;
      if (typeof numeric !== "object" || numeric === null) {
        throw new GradeError(
          `check_grad's numeric should be an object of arrays, got ${describe(numeric)}`,
        );
      }
      // A mistake whose numerical gradient is what is wrong is matched on it alone.
      const out: Record<string, unknown> = {
        ok: impl.check_grad[ANY_VERDICT] ? undefined : new NDArray([r.ok ? 1 : 0], [1]),
      };
      for (const k of LSTM_PARAM_NAMES) out[`numeric.${k}`] = numeric[k];
      return out;
    },
    expect() {
      const params = paramsOf(seed);
      const { inputs, targets } = lessonWindow(scale);
      const T = inputs.shape[0];
      const zeros = () => new Float64Array(H_N);
      const loss = () => lstmLoss(params, zeros(), zeros(), inputs, targets).loss;
      // Lesson 5's bound on a central difference's rounding: 1.5·γ_{50T}·|L| / δ, twice.
      const tol = (2 * 1.5 * gamma(50 * T) * Math.abs(loss())) / DELTA_;
      return [
        {
          key: "ok",
          boolean: true,
          value: new NDArray([correct ? 1 : 0], [1]),
          against: correct
            ? "the backward is correct (lib/nn/lstm.ts, checked in lesson 5), so a check must " +
              "accept it"
            : `the backward has a planted bug (${bug}), so a check must flag it`,
        },
        ...LSTM_PARAM_NAMES.map((k) => ({
          key: `numeric.${k}`,
          value: numericalGradient(loss, params[k], DELTA_),
          tolerance: tol,
          against: `central differences (L(θ+δ) − L(θ−δ))/2δ from h = c = 0, δ = ${DELTA_}; ` +
            "lesson 5's rounding bound 3γ_{50T}|L|/δ",
        })),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Known mistakes of the check (the grader's own versions).

type Run = ReturnType<typeof runner>;

/** Marks a mistaken check whose verdict is not compared (only its numerical gradient). */
const ANY_VERDICT = Symbol("any verdict");

/** A check with its numerical gradient `diff` and acceptance `accept`. */
function checkWith(
  diff: "central" | "forward",
  state: "same" | "final",
  accept: (a: number, n: number) => boolean,
) {
  const check = (
    run: Run,
    params: Record<string, NDArray>,
    h: Float64Array,
    c: Float64Array,
    d: number,
  ) => {
    const first = run(params, h, c);
    if (state === "final") [h, c] = [first.h, first.c]; // the question's overwrite
    const numeric: Record<string, NDArray> = {};
    let ok = true;
    for (const k of Object.keys(params)) {
      const p = params[k];
      numeric[k] = NDArray.zeros(p.shape);
      for (let i = 0; i < p.size; i++) {
        const old = p.data[i];
        p.data[i] = old + d;
        const plus = run(params, h, c).loss;
        p.data[i] = old - d;
        const minus = run(params, h, c).loss;
        p.data[i] = old;
        const n = diff === "central" ? (plus - minus) / (2 * d) : (plus - first.loss) / d;
        numeric[k].data[i] = n;
        if (!accept(first.grads[k].data[i], n)) ok = false;
      }
    }
    return { numeric, ok };
  };
  // Only the tolerance mistake is told apart by its verdict (its numerical gradient is right).
  return Object.assign(check, { [ANY_VERDICT]: accept !== fixedRelative });
}

/** The question's relative error under its fixed 1e-7. */
const fixedRelative = (a: number, n: number) => Math.abs(a - n) / (Math.abs(a + n) + 1e-12) <= 1e-7;
/** A generous absolute band, for mistakes whose numerical gradient is what is wrong. */
const loose = (a: number, n: number) => Math.abs(a - n) <= 1e-6 * Math.max(1, Math.abs(a));

const L5_FORMULAS =
  "lesson 5, “5 · The LSTM whose gradients did not match, and the fix” (its formulas)";

/** The library's step backward with one upstream gradient replaced by zeros. */
const dlstmDropping = (which: "dh_next" | "dc_next") =>
(
  params: LstmParams,
  dy: Float64Array,
  dh_next: Float64Array,
  dc_next: Float64Array,
  cache: LstmCache,
  grads: LstmParams,
) =>
  libDlstm(
    params,
    dy,
    which === "dh_next" ? new Float64Array(dh_next.length) : dh_next,
    which === "dc_next" ? new Float64Array(dc_next.length) : dc_next,
    cache,
    grads,
  );

/** The library's step backward assigning its gradients instead of adding them (`dW =`). */
const dlstmOverwriting = (
  params: LstmParams,
  dy: Float64Array,
  dh_next: Float64Array,
  dc_next: Float64Array,
  cache: LstmCache,
  grads: LstmParams,
) => {
  const fresh = zerosLikeParams(params);
  const r = libDlstm(params, dy, dh_next, dc_next, cache, fresh);
  for (const k of LSTM_PARAM_NAMES) grads[k].data.set(fresh[k].data);
  return r;
};

const L5_BUG = "lesson 5, “The check as written, and its bug”";
const L5_TOL =
  "lesson 5, “How close should a correct gradient come? The question's 1e-7, examined”";

// Order matters: a result is named by the first mistake that explains it, and only the
// tolerance mistake leaves the numerical gradient right.
const mistakes: Mistake[] = [
  {
    name: "gradients assigned (dW =) instead of added (dW +=)",
    explain: "dlstm wrote this step's gradients over what grads already held. The weights are " +
      "shared by every step, so their gradient is the sum over the steps: add into grads " +
      "(grads.Wf.data[i] += …), which start at zero only on the first step.",
    section: L5_FORMULAS,
    fns: ["dlstm"],
    impl: { ...ref, dlstm: dlstmOverwriting },
  },
  {
    name: "dh_next not added",
    explain: "The gradient reaching h was taken as Wy·dy alone; h also feeds the next step, so " +
      "dh = Wy·dy + dh_next before it goes through o and tanh c.",
    section: L5_FORMULAS,
    fns: ["dlstm"],
    impl: { ...ref, dlstm: dlstmDropping("dh_next") },
  },
  {
    name: "dc_next not added (the cell-state carry dropped)",
    explain: "The gradient reaching c was taken only through h = o ⊙ tanh c; c also feeds the " +
      "next step's c = f ⊙ c_old + i ⊙ g, so dc = dc_next + o ⊙ dh ⊙ (1 − tanh²c).",
    section: L5_FORMULAS,
    fns: ["dlstm"],
    impl: { ...ref, dlstm: dlstmDropping("dc_next") },
  },
  {
    name: "a fixed relative tolerance of 1e-7",
    explain: "The numerical gradient is right, but the check rejected a correct gradient: a " +
      "fixed relative 1e-7 fails on entries whose gradient is small, where the loss's rounding " +
      "divided by 2δ is more than 1e-7 of the entry — on some seeds and not others. Accept an " +
      "entry when |a − n(δ)| ≤ |n(2δ) − n(δ)|/3 + 1.5·ρ/δ, with ρ = γ_{50T}·|L|.",
    section: L5_TOL,
    fns: ["check_grad"],
    impl: { ...ref, check_grad: checkWith("central", "same", fixedRelative) },
  },
  {
    name: "the state overwritten between evaluations (the question's bug)",
    explain: "The numerical gradient is the derivative of the loss started from the final " +
      "state (h_T, c_T) that the first run returned, not from the (h, c) the analytic gradient " +
      "was computed from. Pass the same h and c you were given to every run.",
    section: L5_BUG,
    fns: ["check_grad"],
    impl: { ...ref, check_grad: checkWith("central", "final", loose) },
  },
  {
    name: "a one-sided difference",
    explain: "The numerical gradient is (L(θ+δ) − L(θ))/δ, whose error δ·L″/2 is about 1e-5 " +
      "here — far more than a correct gradient's error against a central difference, " +
      "(L(θ+δ) − L(θ−δ))/2δ, whose truncation is δ²·L‴/6.",
    section: L5_TOL,
    fns: ["check_grad"],
    impl: { ...ref, check_grad: checkWith("forward", "same", loose) },
  },
];

/** Exercise 5. */
export const spec: ExerciseSpec = {
  number: 5,
  slug: "05_lstm_gradcheck",
  title: "The LSTM backward and an honest gradient check",
  url: import.meta.url,
  functions: ["dlstm", "check_grad"],
  probes: [
    stepProbe(5, 1, 5, 1, "lesson 5's sizes (x_n = 1, h_n = 5, o_n = 1) vs central differences"),
    stepProbe(50, 3, 4, 2, "x_n = 3, h_n = 4, o_n = 2 vs central differences"),
    sequenceProbe(
      51,
      2,
      3,
      2,
      4,
      "4 steps chained through your own dh_prev, dc_prev, into grads pre-filled with random " +
        "values: what dlstm added, and ∂L/∂h₀, ∂L/∂c₀, vs central differences",
    ),
    ...[0, 1, 2, 3, 4].map((s) => checkProbe(s, "correct")),
    checkProbe(0, "dc carry dropped"),
    checkProbe(1, "dh carry dropped"),
    checkProbe(2, "every entry 1e-4 too large"),
    checkProbe(4, "every entry 7e-7 too large (absolute)"),
    checkProbe(4, "every entry 1e-6 too small (absolute)"),
    checkProbe(0, "correct", { delta: 1e-3 }),
    checkProbe(1, "correct", { scale: 100 }),
  ],
  mistakes,
  reference: ref,
  random: (seed) => {
    const cases = drawCases(seed, 2, { x_n: [1, 4], h_n: [1, 5], o_n: [1, 3], T: [1, 5] });
    const seeds = drawCases(seed + 1, 3, {});
    return [
      ...cases.map((c) =>
        stepProbe(
          c.seed,
          c.x_n,
          c.h_n,
          c.o_n,
          `random case (x_n = ${c.x_n}, h_n = ${c.h_n}, o_n = ${c.o_n}, seed ${c.seed}): one step ` +
            `vs central differences`,
        )
      ),
      ...cases.map((c) =>
        sequenceProbe(
          c.seed,
          c.x_n,
          c.h_n,
          c.o_n,
          c.T,
          `random case (x_n = ${c.x_n}, h_n = ${c.h_n}, o_n = ${c.o_n}, T = ${c.T}, seed ` +
            `${c.seed}): chained, grads pre-filled, vs central differences`,
        )
      ),
      ...seeds.map((c) => checkProbe(c.seed, "correct")),
    ];
  },
  // dlstm adds into its grads (an accumulator); check_grad perturbs params and must restore
  // them, which its probes check with their own message.
  mutates: { dlstm: [5], check_grad: [1] },
};

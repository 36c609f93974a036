/**
 * Exercise 4's grader spec: document 002's Keras `SimpleRNN` + `Dense` + softmax, the forward
 * pass and the backward pass by hand in TensorFlow's row layout (lesson 4). References: every
 * number the post printed (data/published/04_simple_rnn_tf.json) on the inputs lesson 4
 * recovered (np.random.seed(0)), to lesson 4's tolerance (the printing's, plus 2γ₆₀(2⁻²⁴) for
 * the post's float32 arithmetic); the library's loops (`simpleRnnForward`,
 * `simpleRnnBackward`, lib/nn/simple_rnn.ts) on random shapes; central differences of the
 * library's loss. The known mistakes are the post's slips, as lesson 4's “The post's slips”
 * explains them.
 *
 * @module
 */

import {
  gamma,
  NDArray,
  type PublishedFile,
  RandomState,
  simpleRnnBackward,
  simpleRnnForward,
  simpleRnnLoss,
  type SimpleRnnParams,
  softmaxRows,
} from "./lib.ts";
import publishedJson from "../../data/published/04_simple_rnn_tf.json" with { type: "json" };
import * as ref from "../../exercises/_solutions.ts";
import { randomSizes } from "./ex06.ts";
import { drawCases } from "./cases.ts";
import {
  type ExerciseSpec,
  type Expect,
  type Impl,
  type Mistake,
  type Probe,
  record,
} from "./mod.ts";

const published = publishedJson as PublishedFile;
const file = published as unknown as { inputs: Record<string, { value: number[] }> };

/** The post's printed weights and labels (float32) and lesson 4's recovered inputs (seed 0). */
export function postInputs() {
  const printed = (name: string, shape: number[]) =>
    new NDArray(file.inputs[name].value.map(Math.fround), shape);
  const params: SimpleRnnParams = {
    U: printed("kernel (U)", [4, 2]),
    W: printed("recurrent_kernel (W)", [2, 2]),
    b: printed("bias (b)", [2]),
    V: printed("dense kernel (V)", [2, 3]),
    c: printed("dense bias (c)", [3]),
  };
  const rng = new RandomState(0);
  const inputs = rng.random([1, 3, 4]).map(Math.fround).reshape(3, 4);
  const init_state = rng.random([1, 2]).map(Math.fround).reshape(2);
  return { params, inputs, init_state, y_true: printed("y_true", [3, 3]) };
}

/** A seeded model and sequence: weights 0.5·randn, inputs in [0, 1), one-hot labels. */
export function seededInputs(seed: number, n_in: number, n_h: number, n_out: number, T: number) {
  const rng = new RandomState(seed);
  const params: SimpleRnnParams = {
    U: rng.randn(n_in, n_h).mul(0.5),
    W: rng.randn(n_h, n_h).mul(0.5),
    b: rng.randn(n_h).mul(0.5),
    V: rng.randn(n_h, n_out).mul(0.5),
    c: rng.randn(n_out).mul(0.5),
  };
  const inputs = rng.random([T, n_in]);
  const init_state = rng.random([n_h]);
  const labels = [...rng.randint(0, n_out, T).data];
  const y_true = NDArray.zeros([T, n_out]);
  labels.forEach((k, t) => y_true.set([t, k], 1));
  return { params, inputs, init_state, y_true };
}

type Inputs = ReturnType<typeof postInputs>;
const FWD = ["h_seq", "output_seq"] as const;
const BWD = ["dl_dV", "dl_dc", "dl_dW", "dl_dU", "dl_db", "delta"] as const;

function callForward(impl: Impl, inp: Inputs) {
  const out = impl.simple_rnn_forward(inp.params, inp.inputs, inp.init_state);
  return record(out, "simple_rnn_forward", [...FWD]);
}

/** Hands the learner the library's forward values, so a backward slip is the backward's own. */
function callBackward(impl: Impl, inp: Inputs) {
  const f = simpleRnnLoss(inp.params, inp.inputs, inp.init_state, inp.y_true);
  const out = impl.simple_rnn_backward(
    inp.params,
    inp.inputs,
    inp.init_state,
    f.h,
    f.yhat,
    inp.y_true,
  );
  return record(out, "simple_rnn_backward", [...BWD]);
}

// Lesson 4's tolerances: a printed value's own (the printing) plus the post's float32 roundoff
// 2γ₆₀(2⁻²⁴); float64 against the library's loops as exercise 2 (2γ₆₀·max(1, |v|)) and
// exercise 6 (1e-12 × the largest entry) do.
const ROUNDOFF32 = 2 * gamma(60, 2 ** -24);
const maxAbs = (a: NDArray) => a.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const fwdTol = (v: NDArray) => 2 * gamma(60) * Math.max(1, maxAbs(v));
const REL = 1e-12;

/** The printed entries of `names` (the tape's and the post's `my_` values), as `Expect` entries. */
function printedEntries(names: string[], shape: readonly number[], row?: number) {
  return names.flatMap((name) => {
    const p = published.values.find((v) => v.name === name);
    if (!p) throw new Error(`no published value "${name}" in 04_simple_rnn_tf.json`);
    const values = p.value as number[];
    return values.map((value, flat) => {
      const index = row === undefined
        ? (shape.length === 1 ? [flat] : [Math.floor(flat / shape[1]), flat % shape[1]])
        : [row, flat];
      const label = `${name}${index.map((i) => `[${i}]`).join("")}`;
      return { name: label, index, value, tolerance: p.tolerance + ROUNDOFF32 };
    });
  });
}

function forwardProbe(name: string, inputs: () => Inputs, printed: boolean): Probe {
  return {
    fn: "simple_rnn_forward",
    name,
    run: (impl) => callForward(impl, inputs()),
    expect() {
      const inp = inputs();
      const fwd = simpleRnnForward(inp.params, inp.inputs, inp.init_state);
      const f = { h: fwd.h, yhat: softmaxRows(fwd.outputs) };
      const against = "lib/nn/simple_rnn.ts's loops, 2γ₆₀·max(1, |v|)";
      return [
        {
          key: "h_seq",
          value: f.h,
          tolerance: fwdTol(f.h),
          against,
          ...(printed ? { entries: printedEntries(["h_seq"], [3, 2]) } : {}),
        },
        {
          key: "output_seq",
          value: f.yhat,
          tolerance: fwdTol(f.yhat),
          against,
          ...(printed ? { entries: printedEntries(["output_seq", "my_seqout"], [3, 3]) } : {}),
        },
      ];
    },
  };
}

function backwardProbe(name: string, inputs: () => Inputs, printed: boolean): Probe {
  return {
    fn: "simple_rnn_backward",
    name,
    run: (impl) => callBackward(impl, inputs()),
    expect() {
      const inp = inputs();
      const f = simpleRnnLoss(inp.params, inp.inputs, inp.init_state, inp.y_true);
      const { grads: g, delta } = simpleRnnBackward(f.dOutputs, f.cache);
      const values: Record<(typeof BWD)[number], NDArray> = {
        dl_dV: g.V,
        dl_dc: g.c,
        dl_dW: g.W,
        dl_dU: g.U,
        dl_db: g.b,
        delta,
      };
      return BWD.map((key): Expect => {
        const value = values[key];
        const entries = !printed
          ? undefined
          : key === "delta"
          ? printedEntries(["delta_1", "my_delta_1"], [1, value.shape[1]], 0)
          : printedEntries([key, `my_${key}`], value.shape);
        return {
          key,
          value,
          tolerance: REL * maxAbs(value),
          against: `lib/nn/simple_rnn.ts's δ recursion, ${REL} × its largest entry`,
          ...(entries ? { entries } : {}),
        };
      });
    },
  };
}

function gradcheckProbe(seed: number, n_in: number, n_h: number, n_out: number, T: number): Probe {
  const inputs = () => seededInputs(seed, n_in, n_h, n_out, T);
  return {
    fn: "simple_rnn_backward",
    name:
      `n_in = ${n_in}, n_h = ${n_h}, n_out = ${n_out}, T = ${T} (seed ${seed}) vs central differences`,
    run: (impl) => callBackward(impl, inputs()),
    gradcheck() {
      const inp = inputs();
      return {
        loss: () => simpleRnnLoss(inp.params, inp.inputs, inp.init_state, inp.y_true).loss,
        params: { ...inp.params },
        keys: { dl_dV: "V", dl_dc: "c", dl_dW: "W", dl_dU: "U", dl_db: "b" },
      };
    },
  };
}

const COMPOSED = "simple_rnn_forward → simple_rnn_backward";

/** The learner's forward's h_seq and output_seq into the learner's backward. */
function composedProbe(name: string, inputs: () => Inputs): Probe {
  return {
    fn: COMPOSED,
    name,
    covers: ["simple_rnn_forward", "simple_rnn_backward"],
    run(impl) {
      const inp = inputs();
      const f = callForward(impl, inp);
      const out = impl.simple_rnn_backward(
        inp.params,
        inp.inputs,
        inp.init_state,
        f.h_seq,
        f.output_seq,
        inp.y_true,
      );
      return record(out, "simple_rnn_backward", [...BWD]);
    },
    gradcheck() {
      const inp = inputs();
      return {
        loss: () => simpleRnnLoss(inp.params, inp.inputs, inp.init_state, inp.y_true).loss,
        params: { ...inp.params },
        keys: { dl_dV: "V", dl_dc: "c", dl_dW: "W", dl_dU: "U", dl_db: "b" },
      };
    },
  };
}

/** A run's random cases: forward and backward against the library, alone and composed. */
function randomCases(seed: number): Probe[] {
  const cases = drawCases(seed, 2, { n_in: [1, 5], n_h: [1, 5], n_out: [2, 4], T: [1, 6] });
  return cases.flatMap((c) => {
    const label =
      `random case (n_in = ${c.n_in}, n_h = ${c.n_h}, n_out = ${c.n_out}, T = ${c.T}, seed ${c.seed})`;
    const inputs = () => seededInputs(c.seed, c.n_in, c.n_h, c.n_out, c.T);
    return [
      forwardProbe(`${label} vs lib`, inputs, false),
      backwardProbe(`${label} vs lib`, inputs, false),
      {
        ...gradcheckProbe(c.seed, c.n_in, c.n_h, c.n_out, c.T),
        name: `${label} vs central differences`,
      },
      composedProbe(`${label}: your forward into your backward, vs central differences`, inputs),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Known mistakes: the post's slips (lesson 4, “The post's slips”), each alone.

type Slip = "o-prev" | "sigmoid-prime" | "column-kernels";

/** The forward pass by rows with one slip. */
function forwardWith(slip: Slip) {
  return (p: ref.SimpleRnnSelf, inputs: NDArray, init_state: NDArray) => {
    const col = slip === "column-kernels";
    const [U, W, V] = col ? [p.U.T, p.W.T, p.V.T] : [p.U, p.W, p.V]; // U·x = x·Uᵀ
    const hs: number[][] = [], ys: number[][] = [];
    let h = init_state;
    for (let t = 0; t < inputs.shape[0]; t++) {
      const hPrev = h;
      h = inputs.take(0, t).dot(U).add(hPrev.dot(W)).add(p.b).tanh();
      const o = (slip === "o-prev" ? hPrev : h).dot(V).add(p.c);
      const e = o.sub(o.max()).exp();
      hs.push([...h.data]);
      ys.push([...e.div(e.sum()).data]);
    }
    return { h_seq: NDArray.from(hs), output_seq: NDArray.from(ys) };
  };
}

/** The backward pass by rows with one slip. */
function backwardWith(slip: Slip) {
  return (
    p: ref.SimpleRnnSelf,
    inputs: NDArray,
    init_state: NDArray,
    h_seq: NDArray,
    output_seq: NDArray,
    y_true: NDArray,
  ) => {
    const col = slip === "column-kernels";
    // The column formulas with Keras's kernels put in for their U, W, V: no transposes where
    // rows need them, and every outer product the other way round.
    const outer = (a: NDArray, b: NDArray) =>
      col ? b.reshape(-1, 1).dot(a.reshape(1, -1)) : a.reshape(-1, 1).dot(b.reshape(1, -1));
    const [Wb, Vb] = col ? [p.W, p.V] : [p.W.T, p.V.T];
    let dV = NDArray.zeros(p.V.shape), dc = NDArray.zeros(p.c.shape);
    let dW = NDArray.zeros(p.W.shape), dU = NDArray.zeros(p.U.shape), db = NDArray.zeros(p.b.shape);
    const rows: number[][] = [];
    let carry = NDArray.zeros(p.b.shape);
    for (let t = inputs.shape[0] - 1; t >= 0; t--) {
      const h = h_seq.take(0, t);
      const hPrev = t > 0 ? h_seq.take(0, t - 1) : init_state;
      const dout = output_seq.take(0, t).sub(y_true.take(0, t));
      const d = dout.dot(Vb).add(carry);
      rows[t] = [...d.data];
      const dz = d.mul(slip === "sigmoid-prime" ? h.mul(h.neg().add(1)) : h.square().neg().add(1));
      dV = dV.add(outer(slip === "o-prev" ? hPrev : h, dout));
      dc = dc.add(dout);
      dW = dW.add(outer(hPrev, dz));
      dU = dU.add(outer(inputs.take(0, t), dz));
      db = db.add(dz);
      carry = dz.dot(Wb);
    }
    return { dl_dV: dV, dl_dc: dc, dl_dW: dW, dl_dU: dU, dl_db: db, delta: NDArray.from(rows) };
  };
}

const SLIPS = "lesson 4, “The post's slips”";

const mistake = (slip: Slip, name: string, explain: string): Mistake => ({
  name,
  explain,
  section: SLIPS,
  fns: ["simple_rnn_forward", "simple_rnn_backward", COMPOSED],
  impl: { ...ref, simple_rnn_forward: forwardWith(slip), simple_rnn_backward: backwardWith(slip) },
});

const mistakes: Mistake[] = [
  mistake(
    "o-prev",
    "o = V h^(t−1) instead of V h^(t)",
    "The output of step t was read from the state before the step, h_{t−1} (the post's list " +
      "of formulas says o^(t) = V h^(t−1) + c). The step's output comes from its own state: " +
      "o_t = h_t·V + c, and so ∂L/∂V = Σ_t h_tᵀ (ŷ_t − y_t).",
  ),
  mistake(
    "sigmoid-prime",
    "σ′ = h(1 − h) (the sigmoid's) instead of tanh′ = 1 − h²",
    "The activation's derivative was written as the sigmoid's, h ⊙ (1 − h). The post's σ′(h) " +
      "means the activation's derivative expressed through its output, and for tanh that is " +
      "1 − h² (elementwise).",
  ),
  mistake(
    "column-kernels",
    "column-vector kernels (U·x) where Keras uses row kernels (x·U)",
    "The post's formulas are for columns (U x, W h, Vᵀ(ŷ − y)), but Keras multiplies rows by " +
      "its kernels: h_t = tanh(x_t·U + h_{t−1}·W + b), o_t = h_t·V + c. Used with Keras's " +
      "kernels the column formulas transpose every kernel, and every gradient comes out " +
      "transposed: δ_t needs ·Vᵀ and ·Wᵀ, and ∂L/∂W = Σ_t h_{t−1}ᵀ e_t (shape of W).",
  ),
];

const square = () => seededInputs(44, 3, 3, 3, 4);

/** Exercise 4. */
export const spec: ExerciseSpec = {
  number: 4,
  slug: "04_simple_rnn_tape",
  title: "The SimpleRNN tape by hand",
  url: import.meta.url,
  functions: ["simple_rnn_forward", "simple_rnn_backward", COMPOSED],
  probes: [
    forwardProbe(
      "the post's weights and lesson 4's inputs: every printed h_seq, output_seq",
      postInputs,
      true,
    ),
    forwardProbe(
      "a square model (n_in = n_h = n_out = 3, T = 4), where x·U and U·x both run",
      square,
      false,
    ),
    ...randomSizes(20261204, 2).map((r) =>
      forwardProbe(
        `n_in = ${r.n_x}, n_h = ${r.n_h}, n_out = ${r.n_y}, T = ${r.T} (seed ${r.seed}) vs lib`,
        () => seededInputs(r.seed, r.n_x, r.n_h, r.n_y, r.T),
        false,
      )
    ),
    backwardProbe(
      "the post's weights and lesson 4's inputs: every printed gradient (the tape's and my_) and δ₁",
      postInputs,
      true,
    ),
    backwardProbe(
      "a square model (n_in = n_h = n_out = 3, T = 4), where kernels and their transposes fit",
      square,
      false,
    ),
    ...randomSizes(20261214, 2).map((r) =>
      backwardProbe(
        `n_in = ${r.n_x}, n_h = ${r.n_h}, n_out = ${r.n_y}, T = ${r.T} (seed ${r.seed}) vs lib`,
        () => seededInputs(r.seed, r.n_x, r.n_h, r.n_y, r.T),
        false,
      )
    ),
    gradcheckProbe(5, 3, 4, 3, 5),
    ...randomSizes(20261224, 1).map((r) => gradcheckProbe(r.seed, r.n_x, r.n_h, r.n_y, r.T)),
    composedProbe(
      "a square model (n_in = n_h = n_out = 3, T = 4): your forward's h_seq, output_seq into " +
        "your backward, vs central differences",
      square,
    ),
  ],
  random: randomCases,
  mistakes,
  reference: ref,
};

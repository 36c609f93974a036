/**
 * Exercise 2's grader spec: `softmax` (per column), `rnn_forward`, `rnn_backward` (lesson 2).
 * References: lesson 2's published values (data/published/02_rnn_forward.json), a softmax by
 * plain loops, a plain-loop sequence with lesson 3's bound, and central differences.
 *
 * @module
 */

import { dot, gamma, NDArray, type PublishedFile, RandomState } from "./lib.ts";
import publishedJson from "../../data/published/02_rnn_forward.json" with { type: "json" };
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
  tuple,
} from "./mod.ts";
import { cellBackwardWith, cellMistakes, randomShapes } from "./ex01.ts";
import { drawCases } from "./cases.ts";

const maxAbs = (a: NDArray) => a.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Each column's softmax by plain loops, and its roundoff bound: (n + 4)u relative, doubled. */
function softmaxByLoops(z: NDArray) {
  const [n, m] = z.shape;
  const y = NDArray.zeros([n, m]);
  for (let j = 0; j < m; j++) {
    let top = -Infinity;
    for (let i = 0; i < n; i++) top = Math.max(top, z.get(i, j));
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(z.get(i, j) - top);
    for (let i = 0; i < n; i++) y.set([i, j], Math.exp(z.get(i, j) - top) / s);
  }
  return { y, tol: 2 * gamma(n + 4) * (1 + maxAbs(z)) };
}

const logits = (seed: number, n: number, m: number, shift = 0) =>
  new RandomState(seed).randn(n, m).mul(3).add(shift);

function softmaxProbe(name: string, z: () => NDArray): Probe {
  return {
    fn: "softmax",
    name,
    run: (impl) => ({ y: impl.softmax(z()) }),
    expect() {
      const { y, tol } = softmaxByLoops(z());
      return [{ key: "y", value: y, tolerance: tol, against: "each column's softmax by loops" }];
    },
  };
}

/** The notebook's rnn_forward test inputs (np.random.seed(1)). */
export function notebookSequence() {
  const rng = new RandomState(1);
  const x = rng.randn(3, 10, 4);
  const a0 = rng.randn(5, 10);
  const Waa = rng.randn(5, 5);
  const Wax = rng.randn(5, 3);
  const Wya = rng.randn(2, 5);
  const ba = rng.randn(5, 1);
  const by = rng.randn(2, 1);
  const da = rng.randn(5, 10, 4);
  return { x, a0, parameters: { Wax, Waa, Wya, ba, by }, da };
}

function randomSequence(seed: number, n_x: number, n_a: number, m: number, T: number) {
  const rng = new RandomState(seed);
  return {
    x: rng.randn(n_x, m, T),
    a0: rng.randn(n_a, m),
    parameters: {
      Wax: rng.randn(n_a, n_x),
      Waa: rng.randn(n_a, n_a),
      Wya: rng.randn(2, n_a),
      ba: rng.randn(n_a, 1),
      by: rng.randn(2, 1),
    },
    da: rng.randn(n_a, m, T),
  };
}
type Seq = ReturnType<typeof notebookSequence>;

function callForward(impl: Impl, s: Seq) {
  const [a, y_pred, caches] = tuple(impl.rnn_forward(s.x, s.a0, s.parameters), "rnn_forward", [
    "a",
    "y_pred",
    "caches",
  ]);
  const [cells, x] = tuple(caches, "rnn_forward's caches", ["list of caches", "x"]);
  if (!Array.isArray(cells) || cells.length !== s.x.shape[2]) {
    throw new GradeError(
      `rnn_forward's caches[0] should hold one cache per time step (${s.x.shape[2]}), got ${
        describe(cells)
      }`,
    );
  }
  // caches[0][t] is step t's cache [a_next, a_prev, xt, parameters]: its xt is x[:, :, t].
  const T = s.x.shape[2];
  const xtOf = (c: unknown) => Array.isArray(c) && isNd(c[2]) ? c[2] : undefined;
  const same = (u: unknown, v: NDArray) =>
    isNd(u) && u.shape.join() === v.shape.join() && u.data.every((e, i) => Object.is(e, v.data[i]));
  for (let t = 0; t < T; t++) {
    if (same(xtOf(cells[t]), s.x.take(2, t))) continue;
    const step = [...Array(T).keys()].find((k) => same(xtOf(cells[t]), s.x.take(2, k)));
    throw new GradeError(
      `rnn_forward's caches[0][${t}] should be step ${t}'s cache (its xt = x[:, :, ${t}]), got ${
        step === undefined ? describe(cells[t]) : `step ${step}'s`
      }: rnn_backward walks the list from the last step back`,
      "wrong_type",
    );
  }
  return { a, y_pred, caches_x: x };
}

/** The sequence by plain loops (each step as exercise 1's loops), the bound as lesson 3's. */
function sequenceByLoops(s: Seq) {
  const [n_x, m, T] = s.x.shape;
  const { Wax, Waa, Wya, ba, by } = s.parameters;
  const n_a = Waa.shape[0], n_y = Wya.shape[0];
  const a = NDArray.zeros([n_a, m, T]), y = NDArray.zeros([n_y, m, T]);
  let prev = s.a0;
  for (let t = 0; t < T; t++) {
    const next = NDArray.zeros([n_a, m]);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n_a; i++) {
        let z = ba.get(i, 0);
        for (let k = 0; k < n_x; k++) z += Wax.get(i, k) * s.x.get(k, j, t);
        for (let k = 0; k < n_a; k++) z += Waa.get(i, k) * prev.get(k, j);
        next.set([i, j], Math.tanh(z));
        a.set([i, j, t], Math.tanh(z));
      }
    }
    const sm = softmaxByLoops(dot(Wya, next).add(by)).y;
    for (let i = 0; i < n_y; i++) for (let j = 0; j < m; j++) y.set([i, j, t], sm.get(i, j));
    prev = next;
  }
  const tol = (v: NDArray) => 2 * gamma(20 * T) * Math.max(1, maxAbs(v));
  return { a, y, aTol: tol(a), yTol: tol(y) };
}

const published = publishedJson as PublishedFile;
const pub = (name: string) => published.values.find((p) => p.name === name)!;

const notebookForward: Probe = {
  fn: "rnn_forward",
  name: "the notebook's test cell: the published a[4][1], y_pred[1][3], caches[1][1][3]",
  run: (impl) => callForward(impl, notebookSequence()),
  matchKeys: ["a", "y_pred"],
  expect() {
    const entries = (name: string, lead: number[]) => {
      const v = pub(name);
      return (v.value as number[]).map((value, t) => ({
        name: `${name}[${t}]`,
        index: [...lead, t],
        value,
        tolerance: v.tolerance,
      }));
    };
    return [
      { key: "a", shape: [5, 10, 4], entries: entries("a[4][1]", [4, 1]) },
      { key: "y_pred", shape: [2, 10, 4], entries: entries("y_pred[1][3]", [1, 3]) },
      { key: "caches_x", shape: [3, 10, 4], entries: entries("caches[1][1][3]", [1, 3]) },
    ];
  },
};

const squareForward: Probe = {
  fn: "rnn_forward",
  name: "a square cell (n_x = n_a = 3, m = 2, 3 steps) vs plain loops",
  run: (impl) => callForward(impl, randomSequence(21, 3, 3, 2, 3)),
  matchKeys: ["a", "y_pred"],
  expect() {
    const l = sequenceByLoops(randomSequence(21, 3, 3, 2, 3));
    return [
      { key: "a", value: l.a, tolerance: l.aTol, against: "plain loops, 2γ₆₀·max(1, |a|)" },
      { key: "y_pred", value: l.y, tolerance: l.yTol, against: "plain loops, 2γ₆₀" },
    ];
  },
};

const GRADS = ["dx", "da0", "dWax", "dWaa", "dba"];

function backwardProbe(name: string, seq: () => Seq): Probe {
  return {
    fn: "rnn_backward",
    name,
    run(impl) {
      const s = seq();
      const [, , caches] = ref.rnn_forward(s.x, s.a0, s.parameters);
      return record(impl.rnn_backward(s.da, caches), "rnn_backward", GRADS);
    },
    gradcheck() {
      const s = seq();
      const p = s.parameters;
      return {
        loss: () => ref.rnn_forward(s.x, s.a0, p)[0].mul(s.da).sum() as number,
        params: { x: s.x, a0: s.a0, Wax: p.Wax, Waa: p.Waa, ba: p.ba },
        keys: { dx: "x", da0: "a0", dWax: "Wax", dWaa: "Waa", dba: "ba" },
      };
    },
  };
}

const COMPOSED = "rnn_forward → rnn_backward";

/** The learner's rnn_forward's caches into the learner's rnn_backward. */
function composedProbe(name: string, seq: () => Seq): Probe {
  const b = backwardProbe(name, seq);
  return {
    ...b,
    fn: COMPOSED,
    covers: ["rnn_forward", "rnn_backward"],
    run(impl) {
      const s = seq();
      const [, , caches] = tuple(impl.rnn_forward(s.x, s.a0, s.parameters), "rnn_forward", [
        "a",
        "y_pred",
        "caches",
      ]);
      return record(impl.rnn_backward(s.da, caches), "rnn_backward", GRADS);
    },
  };
}

/** A run's random cases: softmax, forward, backward alone and composed. */
function randomCases(seed: number): Probe[] {
  const cases = drawCases(seed, 2, { n_x: [1, 5], n_a: [1, 5], m: [1, 5], T: [1, 5] });
  return cases.flatMap((c) => {
    const label =
      `random case (n_x = ${c.n_x}, n_a = ${c.n_a}, m = ${c.m}, T = ${c.T}, seed ${c.seed})`;
    const seq = () => randomSequence(c.seed, c.n_x, c.n_a, c.m, c.T);
    return [
      softmaxProbe(
        `${label}: logits (${c.n_a + 1}, ${c.m}), each column's softmax`,
        () => logits(c.seed, c.n_a + 1, c.m, 0),
      ),
      {
        fn: "rnn_forward",
        name: `${label} vs plain loops`,
        run: (impl: Impl) => callForward(impl, seq()),
        matchKeys: ["a", "y_pred"],
        expect() {
          const l = sequenceByLoops(seq());
          return [
            { key: "a", value: l.a, tolerance: l.aTol, against: "plain loops" },
            { key: "y_pred", value: l.y, tolerance: l.yTol, against: "plain loops" },
          ];
        },
      },
      backwardProbe(`${label} vs central differences`, seq),
      composedProbe(`${label}: your caches into your rnn_backward, vs central differences`, seq),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Known mistakes.

type Cache = ref.CellCache;
type CellBackward = (da_next: NDArray, cache: Cache) => Record<string, NDArray>;

/** rnn_backward over a given cell backward, with an optional slip in the loop. */
function rnnBackwardWith(cell: CellBackward, slip = "") {
  return (da: NDArray, caches: [Cache[], NDArray]) => {
    const [cells, x] = caches;
    const [n_x, m, T] = x.shape;
    const n_a = cells[0][0].shape[0];
    const dx = NDArray.zeros([n_x, m, T]);
    let dWax = NDArray.zeros([n_a, n_x]), dWaa = NDArray.zeros([n_a, n_a]);
    let dba: NDArray = NDArray.zeros([n_a, 1]);
    let carry = NDArray.zeros([n_a, m]);
    for (let t = T - 1; t >= 0; t--) {
      const g = cell(slip === "no-carry" ? da.take(2, t) : da.take(2, t).add(carry), cells[t]);
      dx.put(2, t, g.dxt);
      if (slip === "overwrite") [dWax, dWaa, dba] = [g.dWax, g.dWaa, g.dba];
      else [dWax, dWaa, dba] = [dWax.add(g.dWax), dWaa.add(g.dWaa), dba.add(g.dba)];
      carry = g.da_prev;
    }
    return { dx, da0: carry, dWax, dWaa, dba };
  };
}

const refCell = ref.rnn_cell_backward as unknown as CellBackward;
const L2 = "lesson 2, “One step past the document: backpropagation through time”";

function rnnForwardSwapped(x: NDArray, a0: NDArray, p: ref.RnnParameters) {
  return ref.rnn_forward(x, a0, { ...p, Wax: p.Waa, Waa: p.Wax });
}

const mistakes: Mistake[] = [
  {
    name: "softmax over the whole batch (document 000's softmax)",
    explain: "Dividing by the sum of exp over the whole array mixes the examples: no column " +
      "sums to 1 when m > 1. Normalise each column: divide by the sum over axis 0.",
    section: "lesson 2, “Two softmaxes”",
    fns: ["softmax"],
    impl: { ...ref, softmax: (z: NDArray) => z.exp().div(z.exp().sum() as number) },
  },
  {
    name: "softmax over the rows",
    explain: "Summing over axis 1 normalises each hidden unit across the examples; one example " +
      "is a column, so sum over axis 0 (keeping the shape (1, m) to broadcast).",
    section: "lesson 2, “Two softmaxes”",
    fns: ["softmax"],
    impl: {
      ...ref,
      softmax: (z: NDArray) => {
        const e = z.sub(z.max(1, true)).exp();
        return e.div(e.sum(1, true));
      },
    },
  },
  {
    name: "the whole array's maximum subtracted, not each column's",
    explain: "Subtracting one maximum for the whole array leaves a column whose logits all lie " +
      "far below it with exp(…) = 0 everywhere, and 0 / 0 = NaN. Subtract each column's own " +
      "maximum: z.max(0, true).",
    section: "lesson 2, “Two softmaxes”",
    fns: ["softmax"],
    impl: {
      ...ref,
      softmax: (z: NDArray) => {
        const e = z.sub(z.max()).exp();
        return e.div(e.sum(0));
      },
    },
  },
  {
    name: "exp overflows (the maximum not subtracted)",
    explain: "exp(1000) is Infinity in float64, and Infinity / Infinity is NaN. Subtract the " +
      "maximum before exp: softmax(z) = softmax(z − max z) exactly, and nothing overflows.",
    section: "lesson 2, “Two softmaxes”",
    fns: ["softmax"],
    impl: { ...ref, softmax: (z: NDArray) => z.exp().div(z.exp().sum(0)) },
  },
  {
    name: "Wax and Waa swapped",
    explain: "Wax multiplies the input x⟨t⟩ and Waa the previous state a⟨t−1⟩.",
    section: "lesson 1, “One RNN cell, forward and backward”",
    fns: ["rnn_forward"],
    impl: { ...ref, rnn_forward: rnnForwardSwapped },
  },
  {
    name: "the gradient from the next step dropped (no carry)",
    explain: "At step t the cell's upstream gradient is da[:, :, t] plus the da_prev that step " +
      "t + 1 sent back; without it, each step sees only its own output's gradient.",
    section: L2,
    fns: ["rnn_backward"],
    impl: { ...ref, rnn_backward: rnnBackwardWith(refCell, "no-carry") },
  },
  {
    name: "parameter gradients overwritten instead of summed over time",
    explain: "Wax, Waa and ba are shared by every step, so their gradients are the sums of " +
      "each step's: accumulate (dWax += …), do not assign.",
    section: L2,
    fns: ["rnn_backward"],
    impl: { ...ref, rnn_backward: rnnBackwardWith(refCell, "overwrite") },
  },
  ...cellMistakes.map((m) => ({
    name: `${m.name} (in rnn_cell_backward, which rnn_backward calls)`,
    explain: m.explain,
    section: "lesson 1, “One RNN cell, forward and backward”",
    fns: ["rnn_backward"],
    impl: {
      ...ref,
      rnn_backward: rnnBackwardWith(cellBackwardWith(m.slip) as unknown as CellBackward),
    },
  })),
];

/** Exercise 2. */
export const spec: ExerciseSpec = {
  number: 2,
  slug: "02_rnn_forward",
  title: "rnn_forward over a sequence, and its backward pass",
  url: import.meta.url,
  functions: ["softmax", "rnn_forward", "rnn_backward", COMPOSED],
  probes: [
    softmaxProbe(
      "a batch of 3 examples (z is (4, 3)): each column's softmax",
      () => logits(31, 4, 3),
    ),
    softmaxProbe("large logits (about 1000): no overflow", () => logits(32, 3, 2, 1000)),
    softmaxProbe(
      "columns thousands apart (z ≈ 0, 1000, 2000 by column): each column's own maximum",
      () => logits(33, 3, 3).add(NDArray.from([[0, 1000, 2000]])),
    ),
    notebookForward,
    squareForward,
    backwardProbe(
      "the notebook's inputs and a random da (5, 10, 4) vs central differences",
      () => notebookSequence(),
    ),
    backwardProbe("one time step (T = 1): no carry involved", () => randomSequence(41, 2, 3, 2, 1)),
    ...randomShapes(20261203, 2).map((r) =>
      backwardProbe(
        `random inputs (n_x = ${r.n_x}, n_a = ${r.n_a}, m = ${r.m}, T = 3, seed ${r.seed}) vs central differences`,
        () => randomSequence(r.seed, r.n_x, r.n_a, r.m, 3),
      )
    ),
    composedProbe(
      "the notebook's inputs: your rnn_forward's caches into your rnn_backward, vs central " +
        "differences",
      () => notebookSequence(),
    ),
  ],
  random: randomCases,
  mistakes,
  reference: ref,
};

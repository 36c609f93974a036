/**
 * Exercise 1's grader spec: `rnn_cell_forward` and `rnn_cell_backward` (lesson 1, column
 * layout). References: lesson 1's published gradients (data/published/01_rnn_cell.json),
 * numpy's full arrays (data/rnn_cell/numpy_reference.json, tools/gen_rnn_cell_reference.py),
 * a plain-loop forward written here, and central differences of the reference forward.
 *
 * @module
 */

import fc from "fast-check";
import { dot, gamma, NDArray, type PublishedFile, RandomState } from "./lib.ts";
import publishedJson from "../../data/published/01_rnn_cell.json" with { type: "json" };
import numpyJson from "../../data/rnn_cell/numpy_reference.json" with { type: "json" };
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
import { drawCases } from "./cases.ts";

export const U = 2 ** -53;
const maxAbs = (a: NDArray) => a.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The notebook's `rnn_cell_backward` test inputs, with the `ba` an earlier cell left behind. */
export function notebookCellInputs() {
  const rng = new RandomState(1);
  const xt = rng.randn(3, 10);
  const a_prev = rng.randn(5, 10);
  const Wax = rng.randn(5, 3);
  const Waa = rng.randn(5, 5);
  const Wya = rng.randn(2, 5);
  rng.randn(5, 1); // the cell's own `b`, never used
  const by = rng.randn(2, 1);
  const da_next = rng.randn(5, 10);
  const r = new RandomState(1); // the rnn_forward test's draws, which left `ba` behind
  r.randn(3, 10, 4), r.randn(5, 10), r.randn(5, 5), r.randn(5, 3), r.randn(2, 5);
  const ba = r.randn(5, 1);
  return { xt, a_prev, parameters: { Wax, Waa, Wya, ba, by }, da_next };
}

/** Random inputs of the given sizes. */
export function randomCellInputs(seed: number, n_x: number, n_a: number, n_y: number, m: number) {
  const rng = new RandomState(seed);
  return {
    xt: rng.randn(n_x, m),
    a_prev: rng.randn(n_a, m),
    parameters: {
      Wax: rng.randn(n_a, n_x),
      Waa: rng.randn(n_a, n_a),
      Wya: rng.randn(n_y, n_a),
      ba: rng.randn(n_a, 1),
      by: rng.randn(n_y, 1),
    },
    da_next: rng.randn(n_a, m),
  };
}

type CellInputs = ReturnType<typeof notebookCellInputs>;

/**
 * The forward step by plain loops (independent of the library), and its first-order roundoff
 * bound per entry: `z` is a sum of n_x + n_a + 1 terms (|δz| ≤ γₙ Σ|terms|), `tanh` within an
 * ULP, the softmax's relative error ≤ 2 max|δz| + (n_y + 4)u; doubled, for two programs.
 */
export function cellByLoops({ xt, a_prev, parameters: p }: CellInputs) {
  const [n_a, n_x] = p.Wax.shape, m = xt.shape[1], n_y = p.Wya.shape[0];
  const a = NDArray.zeros([n_a, m]), aTol = NDArray.zeros([n_a, m]);
  const y = NDArray.zeros([n_y, m]), yTol = NDArray.zeros([n_y, m]);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n_a; i++) {
      let z = p.ba.get(i, 0), zAbs = Math.abs(z);
      for (let k = 0; k < n_x; k++) {
        z += p.Wax.get(i, k) * xt.get(k, j);
        zAbs += Math.abs(p.Wax.get(i, k) * xt.get(k, j));
      }
      for (let k = 0; k < n_a; k++) {
        z += p.Waa.get(i, k) * a_prev.get(k, j);
        zAbs += Math.abs(p.Waa.get(i, k) * a_prev.get(k, j));
      }
      const v = Math.tanh(z);
      a.set([i, j], v);
      aTol.set([i, j], 2 * ((1 - v * v) * gamma(n_x + n_a + 1) * zAbs + 2 * U * Math.abs(v)));
    }
    const zs: number[] = [], dzs: number[] = [];
    for (let i = 0; i < n_y; i++) {
      let z = p.by.get(i, 0), zAbs = Math.abs(z), dz = 0;
      for (let k = 0; k < n_a; k++) {
        z += p.Wya.get(i, k) * a.get(k, j);
        zAbs += Math.abs(p.Wya.get(i, k) * a.get(k, j));
        dz += Math.abs(p.Wya.get(i, k)) * aTol.get(k, j);
      }
      zs.push(z);
      dzs.push(gamma(n_a + 1) * zAbs + dz);
    }
    const top = Math.max(...zs);
    const e = zs.map((z) => Math.exp(z - top));
    const s = e.reduce((a, b) => a + b, 0);
    const rel = 2 * Math.max(...dzs) * 2 + (n_y + 4) * U * (1 + Math.abs(top));
    for (let i = 0; i < n_y; i++) {
      y.set([i, j], e[i] / s);
      yTol.set([i, j], 2 * rel * (e[i] / s));
    }
  }
  return { a, aTol: maxAbs(aTol), y, yTol: maxAbs(yTol) };
}

/**
 * Lesson 1's roundoff bound for the backward step (its section “A tolerance that comes from the
 * computation”, recomputed here): per entry, twice the first-order bound of one program.
 */
export function backwardRoundoff({ xt, a_prev, parameters: p, da_next }: CellInputs) {
  const { Wax, Waa, ba } = p;
  const [n_a, n_x] = Wax.shape;
  const a = dot(Wax, xt).add(dot(Waa, a_prev)).add(ba).tanh();
  const zAbs = Wax.abs().dot(xt.abs()).add(Waa.abs().dot(a_prev.abs())).add(ba.abs());
  const q = a.square().neg().add(1);
  const dA = q.mul(zAbs.mul(gamma(n_x + n_a + 1))).add(a.abs().mul(2 * U));
  const dQ = a.abs().mul(dA).mul(2).add(a.square().mul(U)).add(q.abs().mul(U));
  const d = q.mul(da_next);
  const dD = da_next.abs().mul(dQ).add(d.abs().mul(U));
  const bound = (A: NDArray, dA: NDArray, B: NDArray, dB: NDArray) =>
    A.abs().dot(B.abs()).mul(gamma(A.shape[1])).add(dA.dot(B.abs())).add(A.abs().dot(dB)).mul(2);
  const zero = (x: NDArray) => NDArray.zeros(x.shape);
  const ones = NDArray.ones([xt.shape[1], 1]);
  return {
    dxt: bound(Wax.T, zero(Wax.T), d, dD),
    da_prev: bound(Waa.T, zero(Waa.T), d, dD),
    dWax: bound(d, dD, xt.T, zero(xt.T)),
    dWaa: bound(d, dD, a_prev.T, zero(a_prev.T)),
    dba: bound(d, dD, ones, zero(ones)),
  };
}

const GRADS = ["dxt", "da_prev", "dWax", "dWaa", "dba"] as const;

const CACHE = ["a_next", "a_prev", "xt", "parameters"];

/** Calls `rnn_cell_forward`, unpacks what the source returns, and checks the cache's order. */
export function callForward(impl: Impl, inp: CellInputs) {
  const [a_next, yt_pred, cache] = tuple(
    impl.rnn_cell_forward(inp.xt, inp.a_prev, inp.parameters),
    "rnn_cell_forward",
    ["a_next", "yt_pred", "cache"],
  );
  const c = tuple(cache, "rnn_cell_forward's cache", CACHE);
  const same = (v: unknown, w: unknown) =>
    isNd(v) && isNd(w) && v.shape.join() === w.shape.join() &&
    v.data.every((x, i) => Object.is(x, w.data[i]));
  const wanted: [string, unknown][] = [["a_next", a_next], ["a_prev", inp.a_prev], ["xt", inp.xt]];
  wanted.forEach(([name, value], i) => {
    if (same(c[i], value)) return;
    const holds = wanted.find(([, w]) => same(c[i], w))?.[0];
    throw new GradeError(
      `rnn_cell_forward's cache[${i}] should be ${name} (cache = [${CACHE.join(", ")}]), ` +
        `got ${holds ? holds : describe(c[i])}: rnn_cell_backward reads the cache in this order`,
      "wrong_type",
    );
  });
  return { a_next, yt_pred };
}

/** Calls `rnn_cell_backward` on the reference forward's cache. */
export function callBackward(impl: Impl, inp: CellInputs) {
  const [, , cache] = ref.rnn_cell_forward(inp.xt, inp.a_prev, inp.parameters);
  return record(impl.rnn_cell_backward(inp.da_next, cache), "rnn_cell_backward", [...GRADS]);
}

const published = publishedJson as PublishedFile;
const numpy = numpyJson as unknown as Record<string, Record<string, string[]>>;
const PRINTED: Record<string, [string, number[]]> = {
  dxt: ['gradients["dxt"][1][2]', [1, 2]],
  da_prev: ['gradients["da_prev"][2][3]', [2, 3]],
  dWax: ['gradients["dWax"][3][1]', [3, 1]],
  dWaa: ['gradients["dWaa"][1][2]', [1, 2]],
  dba: ['gradients["dba"][4]', [4, 0]],
};
const pub = (name: string) => {
  const v = published.values.find((p) => p.name === name)!;
  return {
    value: Array.isArray(v.value) ? v.value[0] as number : v.value as number,
    tol: v.tolerance,
  };
};

const notebookForward: Probe = {
  fn: "rnn_cell_forward",
  name: "the notebook's inputs (np.random.seed(1)), a_next and yt_pred",
  run: (impl) => callForward(impl, notebookCellInputs()),
  expect() {
    const inp = notebookCellInputs();
    const loops = cellByLoops(inp);
    const a = new NDArray(numpy.rnn_cell_backward.a_next.map(Number), [5, 10]);
    return [
      {
        key: "a_next",
        value: a,
        tolerance: loops.aTol,
        against: "numpy (tools/gen_rnn_cell_reference.py), roundoff bound",
      },
      {
        key: "yt_pred",
        value: loops.y,
        tolerance: loops.yTol,
        against: "a softmax of each column, by plain loops, roundoff bound",
      },
    ];
  },
};

const squareForward: Probe = {
  fn: "rnn_cell_forward",
  name: "a square cell (n_x = n_a = 4, m = 3), where Wax and Waa have the same shape",
  run: (impl) => callForward(impl, randomCellInputs(11, 4, 4, 2, 3)),
  expect() {
    const loops = cellByLoops(randomCellInputs(11, 4, 4, 2, 3));
    return [
      { key: "a_next", value: loops.a, tolerance: loops.aTol, against: "plain loops" },
      { key: "yt_pred", value: loops.y, tolerance: loops.yTol, against: "plain loops" },
    ];
  },
};

const wideForward: Probe = {
  fn: "rnn_cell_forward",
  name: "logits thousands apart between the columns (Wya × 1000): each column's own softmax",
  run: (impl) => callForward(impl, wideLogitInputs()),
  expect() {
    const loops = cellByLoops(wideLogitInputs());
    return [
      { key: "a_next", value: loops.a, tolerance: loops.aTol, against: "plain loops" },
      { key: "yt_pred", value: loops.y, tolerance: loops.yTol, against: "plain loops" },
    ];
  },
};

const notebookBackward: Probe = {
  fn: "rnn_cell_backward",
  name: "the notebook's test cell: the five printed gradients and numpy's full arrays",
  run: (impl) => callBackward(impl, notebookCellInputs()),
  expect() {
    const bounds = backwardRoundoff(notebookCellInputs());
    return GRADS.map((key) => {
      const [name, index] = PRINTED[key];
      const shape = numpyShape(key);
      const p = pub(name);
      const flat = index[0] * shape[1] + index[1];
      return {
        key,
        shape,
        entries: [{ name, index, value: p.value, tolerance: p.tol + bounds[key].data[flat] }],
        value: new NDArray(numpy.rnn_cell_backward[key].map(Number), shape),
        tolerance: maxAbs(bounds[key]),
        against: "numpy (tools/gen_rnn_cell_reference.py), lesson 1's roundoff bound",
      };
    });
  },
};

function numpyShape(key: string): number[] {
  const shapes: Record<string, number[]> = {
    dxt: [3, 10],
    da_prev: [5, 10],
    dWax: [5, 3],
    dWaa: [5, 5],
    dba: [5, 1],
  };
  return shapes[key];
}

function randomBackward(seed: number, n_x: number, n_a: number, m: number): Probe {
  return {
    fn: "rnn_cell_backward",
    name:
      `random inputs (n_x = ${n_x}, n_a = ${n_a}, m = ${m}, seed ${seed}) vs central differences`,
    run: (impl) => callBackward(impl, randomCellInputs(seed, n_x, n_a, 2, m)),
    gradcheck: () => cellGradcheck(randomCellInputs(seed, n_x, n_a, 2, m)),
  };
}

const COMPOSED = "rnn_cell_forward → rnn_cell_backward";

/** The loss whose gradients the backward returns: Σ a_next ⊙ da_next, by the reference forward. */
function cellGradcheck(inp: CellInputs) {
  const p = inp.parameters;
  return {
    loss: () => ref.rnn_cell_forward(inp.xt, inp.a_prev, p)[0].mul(inp.da_next).sum() as number,
    params: { xt: inp.xt, a_prev: inp.a_prev, Wax: p.Wax, Waa: p.Waa, ba: p.ba },
    keys: { dxt: "xt", da_prev: "a_prev", dWax: "Wax", dWaa: "Waa", dba: "ba" },
  };
}

/** The learner's forward feeding the learner's backward: their own cache, their own contract. */
function composedProbe(name: string, inputs: () => CellInputs): Probe {
  return {
    fn: COMPOSED,
    name,
    covers: ["rnn_cell_forward", "rnn_cell_backward"],
    run(impl) {
      const inp = inputs();
      const [, , cache] = tuple(
        impl.rnn_cell_forward(inp.xt, inp.a_prev, inp.parameters),
        "rnn_cell_forward",
        ["a_next", "yt_pred", "cache"],
      );
      return record(impl.rnn_cell_backward(inp.da_next, cache), "rnn_cell_backward", [...GRADS]);
    },
    gradcheck: () => cellGradcheck(inputs()),
  };
}

/** Logits thousands apart between columns: a softmax must subtract each column's own maximum. */
export function wideLogitInputs() {
  const inp = randomCellInputs(12, 3, 4, 3, 4);
  inp.parameters.Wya = inp.parameters.Wya.mul(1000);
  return inp;
}

/** A run's random cases: forward, backward alone and composed, on sizes drawn from `seed`. */
function randomCases(seed: number): Probe[] {
  const cases = drawCases(seed, 2, { n_x: [1, 6], n_a: [1, 6], n_y: [1, 4], m: [1, 7] });
  const label = (c: (typeof cases)[number]) =>
    `random case (n_x = ${c.n_x}, n_a = ${c.n_a}, n_y = ${c.n_y}, m = ${c.m}, seed ${c.seed})`;
  const inputs = (c: (typeof cases)[number]) => () =>
    randomCellInputs(c.seed, c.n_x, c.n_a, c.n_y, c.m);
  return cases.flatMap((c) => [
    {
      fn: "rnn_cell_forward",
      name: `${label(c)} vs plain loops`,
      run: (impl: Impl) => callForward(impl, inputs(c)()),
      expect() {
        const loops = cellByLoops(inputs(c)());
        return [
          { key: "a_next", value: loops.a, tolerance: loops.aTol, against: "plain loops" },
          { key: "yt_pred", value: loops.y, tolerance: loops.yTol, against: "plain loops" },
        ];
      },
    },
    {
      fn: "rnn_cell_backward",
      name: `${label(c)} vs central differences`,
      run: (impl: Impl) => callBackward(impl, inputs(c)()),
      gradcheck: () => cellGradcheck(inputs(c)()),
    },
    composedProbe(`${label(c)}: your cache into your backward, vs central differences`, inputs(c)),
  ]);
}

/**
 * Sizes and seeds drawn by fast-check from a fixed seed: the same draws on every run (a grade
 * must not change between two runs of the same code), different from the notebook's sizes, and
 * including m = 1 and n_x = n_a.
 */
export function randomShapes(seed: number, count: number) {
  const draws = fc.sample(
    fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      n_x: fc.integer({ min: 1, max: 5 }),
      n_a: fc.integer({ min: 1, max: 5 }),
      m: fc.integer({ min: 1, max: 6 }),
    }),
    { seed, numRuns: count },
  );
  return [...draws, { seed: 8, n_x: 4, n_a: 4, m: 1 }];
}

// ---------------------------------------------------------------------------------------------
// Known mistakes, each the reference with one slip.

/** The softmax exercise 1 hands out (`softmax_columns`): each column less its own maximum. */
const softmaxColumns = (z: NDArray) => {
  const e = z.sub(z.max(0, true)).exp();
  return e.div(e.sum(0));
};

type P = ref.RnnParameters;
type Cache = ref.CellCache;

/** The reference forward step with another softmax. */
function forwardWithSoftmax(softmax: (z: NDArray) => NDArray) {
  return (xt: NDArray, a_prev: NDArray, p: P): [NDArray, NDArray, Cache] => {
    const [a_next, , cache] = ref.rnn_cell_forward(xt, a_prev, p);
    return [a_next, softmax(dot(p.Wya, a_next).add(p.by)), cache];
  };
}

/** The reference forward step with its cache in another order. */
function forwardCacheOrder(xt: NDArray, a_prev: NDArray, p: P): [NDArray, NDArray, Cache] {
  const [a_next, yt_pred] = ref.rnn_cell_forward(xt, a_prev, p);
  return [a_next, yt_pred, [a_prev, a_next, xt, p] as Cache];
}

/** A forward step with Wax and Waa exchanged. */
function forwardSwapped(xt: NDArray, a_prev: NDArray, p: P): [NDArray, NDArray, Cache] {
  const a_next = dot(p.Waa, xt).add(dot(p.Wax, a_prev)).add(p.ba).tanh();
  return [a_next, softmaxColumns(dot(p.Wya, a_next).add(p.by)), [a_next, a_prev, xt, p]];
}

/** A backward step with one change, chosen by `slip`. */
export function cellBackwardWith(slip: string) {
  return (da_next: NDArray, cache: Cache) => {
    const [a_next, a_prev, xt, { Wax, Waa }] = cache;
    const dtanh = slip === "no-dtanh" ? da_next : a_next.square().neg().add(1).mul(da_next);
    const transposed = slip === "transposed";
    return {
      dxt: dot(Wax.T, dtanh),
      da_prev: dot(Waa.T, dtanh),
      dWax: transposed ? dot(xt, dtanh.T) : dot(dtanh, xt.T),
      dWaa: transposed ? dot(a_prev, dtanh.T) : dot(dtanh, a_prev.T),
      dba: slip === "dba-axis"
        ? dtanh.sum(0, true) as NDArray
        : slip === "dba-keepdims"
        ? dtanh.sum(-1) as NDArray
        : dtanh.sum(-1, true) as NDArray,
    };
  };
}

const L1 = "lesson 1, “One RNN cell, forward and backward”";

/** The cell-level mistakes (exercise 2 lifts them into `rnn_backward`). */
export const cellMistakes: { slip: string; name: string; explain: string }[] = [
  {
    slip: "no-dtanh",
    name: "missing (1 − a²)",
    explain: "The gradients use da_next directly; the chain rule goes through tanh first: " +
      "dtanh = (1 − a_next²) ⊙ da_next, then every gradient is built from dtanh.",
  },
  {
    slip: "transposed",
    name: "transposed weight gradients",
    explain: "dWax came out as xt · dtanhᵀ, (n_x, n_a); a weight's gradient has the weight's " +
      "shape: dWax = dtanh · xtᵀ (n_a, n_x), dWaa = dtanh · a_prevᵀ.",
  },
  {
    slip: "dba-axis",
    name: "dba summed over the wrong axis",
    explain: "dtanh was summed over its rows (the hidden units); ba is shared by the examples, " +
      "which are the columns: sum over axis -1 (or 1), keeping (n_a, 1).",
  },
  {
    slip: "dba-keepdims",
    name: "dba summed without keepdims",
    explain: "Summing over the columns drops the axis and gives (n_a,); ba is (n_a, 1): " +
      "keep the dimension (keepdims in numpy, `sum(-1, true)` here).",
  },
];

const mistakes: Mistake[] = [
  {
    name: "softmax over the whole batch (document 000's softmax)",
    explain: "yt_pred divides by the sum of exp over the whole array, as document 000's " +
      "softmax does, so no column sums to 1 when m > 1. Normalise each column (each example) " +
      "separately: use softmax_columns.",
    section: "lesson 2, “Two softmaxes”",
    fns: ["rnn_cell_forward"],
    impl: {
      ...ref,
      rnn_cell_forward: forwardWithSoftmax((z) => z.exp().div(z.exp().sum() as number)),
    },
  },
  {
    name: "the whole array's maximum subtracted, not each column's",
    explain: "Subtracting one maximum for the whole array leaves a column whose logits all lie " +
      "far below it with exp(…) = 0 everywhere, and 0 / 0 = NaN. Subtract each column's own " +
      "maximum (z.max(0, true)), as softmax_columns does.",
    section: "lesson 2, “Two softmaxes”",
    fns: ["rnn_cell_forward"],
    impl: {
      ...ref,
      rnn_cell_forward: forwardWithSoftmax((z) => {
        const e = z.sub(z.max()).exp();
        return e.div(e.sum(0));
      }),
    },
  },
  {
    name: "the cache stored in another order",
    explain: "rnn_cell_forward's cache and rnn_cell_backward's reading of it disagree, so your " +
      "backward differentiates at the wrong point. The contract is cache = [a_next, a_prev, xt, " +
      "parameters], written by the forward and unpacked in that order by the backward.",
    section: L1,
    fns: [COMPOSED],
    impl: { ...ref, rnn_cell_forward: forwardCacheOrder },
  },
  {
    name: "Wax and Waa swapped",
    explain: "Wax multiplies the input x⟨t⟩ and Waa the previous state a⟨t−1⟩: " +
      "a⟨t⟩ = tanh(Wax x⟨t⟩ + Waa a⟨t−1⟩ + ba). With n_x ≠ n_a the swap cannot even run.",
    section: L1,
    fns: ["rnn_cell_forward"],
    impl: { ...ref, rnn_cell_forward: forwardSwapped },
  },
  ...cellMistakes.map((m) => ({
    name: m.name,
    explain: m.explain,
    section: L1,
    fns: ["rnn_cell_backward"],
    impl: { ...ref, rnn_cell_backward: cellBackwardWith(m.slip) },
  })),
];

/** Exercise 1. */
export const spec: ExerciseSpec = {
  number: 1,
  slug: "01_rnn_cell",
  title: "One RNN cell, forward and backward",
  url: import.meta.url,
  functions: ["rnn_cell_forward", "rnn_cell_backward", COMPOSED],
  probes: [
    notebookForward,
    squareForward,
    wideForward,
    notebookBackward,
    ...randomShapes(20261202, 3).map((r) => randomBackward(r.seed, r.n_x, r.n_a, r.m)),
    composedProbe(
      "the notebook's inputs: your rnn_cell_forward's cache into your rnn_cell_backward, vs " +
        "central differences",
      notebookCellInputs,
    ),
  ],
  random: randomCases,
  mistakes,
  reference: ref,
};

// %% [markdown]
// # 1 · One RNN cell, forward and backward
//
// Our first source (document 000, an untitled blog post on BPTT) copies the graded
// functions `rnn_cell_forward` and `rnn_cell_backward` of the Coursera notebook
// *Building your Recurrent Neural Network – Step by Step*, runs them on random inputs
// drawn after `np.random.seed(1)`, and prints five gradient entries and five shapes.
// We rebuild the cell in TypeScript, draw the very same random numbers with a bit-exact
// port of numpy's generator, and reproduce every printed number.
//
// The cell works in *column layout*: each of the $m$ examples of a batch is a column.
// For an input $x^{\langle t\rangle}$ of shape $(n_x, m)$ and the previous hidden state
// $a^{\langle t-1\rangle}$ of shape $(n_a, m)$:
//
// $$a^{\langle t\rangle} = \tanh\left(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b_a\right),\qquad
//   \hat y^{\langle t\rangle} = \operatorname{softmax}\left(W_{ya}a^{\langle t\rangle} + b_y\right).$$
//
// Given $\partial L/\partial a^{\langle t\rangle}$ (called `da_next`), the chain rule through
// $\tanh' = 1-\tanh^2$ gives, with $d_{\tanh} = (1 - (a^{\langle t\rangle})^2)\odot$ `da_next`:
//
// $$\frac{\partial L}{\partial x^{\langle t\rangle}} = W_{ax}^\top d_{\tanh},\quad
//   \frac{\partial L}{\partial a^{\langle t-1\rangle}} = W_{aa}^\top d_{\tanh},\quad
//   \frac{\partial L}{\partial W_{ax}} = d_{\tanh}\,x^{\langle t\rangle\top},\quad
//   \frac{\partial L}{\partial W_{aa}} = d_{\tanh}\,a^{\langle t-1\rangle\top},\quad
//   \frac{\partial L}{\partial b_a} = \textstyle\sum_{\text{columns}} d_{\tanh}.$$

// %%
import { checkGradients, plantedBugs } from "../lib/gradient_policy.ts";
import {
  courseraCellGradients,
  dot,
  dotCompensated,
  dotLanes,
  dotSequential,
  gamma,
  heatmap,
  Lesson,
  NDArray,
  plot,
  RandomState,
  readDataJson,
  rnnCellBackward,
  type RnnCellCache,
  rnnCellForward,
  type RnnParameters,
  show,
  softmax,
  ulpDistance,
  ulpOf,
  UNIT_ROUNDOFF,
  wrapLine,
} from "../lib/mod.ts";

const lesson = new Lesson(1);

// The notebook's functions, as thin adapters over lib/nn/rnn_cell.ts's contract functions
// (parameters first; the model returns the logits and its softmax is applied here; its
// gradients come keyed like the parameters and are renamed to the notebook's dWax, …).
function rnn_cell_forward(xt: NDArray, a_prev: NDArray, parameters: RnnParameters) {
  const { outputs, cache } = rnnCellForward(parameters, xt, a_prev);
  return { a_next: outputs.a, yt_pred: softmax(outputs.logits), cache };
}
function rnn_cell_backward(da_next: NDArray, cache: RnnCellCache) {
  return courseraCellGradients(rnnCellBackward({ a: da_next }, cache)); // dxt, da_prev, dWax, …
}

// %% [markdown]
// ## Run the printed code as printed
//
// The test cell seeds numpy with 1 and draws, in this order: `xt` (3, 10), `a_prev` (5, 10),
// `Wax` (5, 3), `Waa` (5, 5), `Wya` (2, 5), `ba` (5, 1), `by` (2, 1), then `da_next` (5, 10).
// Our `RandomState` is numpy's legacy Mersenne-Twister generator, so `rng.randn(3, 10)` is
// bit for bit `np.random.randn(3, 10)`.

// %%
const rng = new RandomState(1);
const xt = rng.randn(3, 10);
const a_prev = rng.randn(5, 10);
const Wax = rng.randn(5, 3);
const Waa = rng.randn(5, 5);
const Wya = rng.randn(2, 5);
const ba_drawn = rng.randn(5, 1);
const by = rng.randn(2, 1);
const da_next = rng.randn(5, 10);

function gradientsWith(ba: NDArray) {
  const parameters: RnnParameters = { Wax, Waa, Wya, ba, by };
  const { cache } = rnn_cell_forward(xt, a_prev, parameters);
  return rnn_cell_backward(da_next, cache);
}

const asPrinted = gradientsWith(ba_drawn);
console.log('as printed: gradients["dxt"][1][2] =', asPrinted.dxt.get(1, 2));
console.log(
  'published:  gradients["dxt"][1][2] =',
  lesson.publishedValue('gradients["dxt"][1][2]').printed,
);

// %% [markdown]
// Not even close — and the other four entries miss too. The functions are right (we check
// them against numerical gradients below), so the *inputs* must differ.
//
// ## What an earlier cell left behind
//
// In the notebook, this test cell did not draw `ba`: it drew `b = np.random.randn(5, 1)` and
// then built `parameters = {..., "ba": ba, ...}`. A notebook keeps every global of the cells
// run before, so `ba` silently came from an earlier cell. The blog post tidied the line to
// `ba = np.random.randn(5, 1)` but kept the old printout — and the two no longer match.
//
// Which earlier cell? Two test cells before it define `ba`, both after `np.random.seed(1)`:
// the `rnn_cell_forward` test (draws `xt`, `a_prev`, `Waa`, `Wax`, `Wya`, `ba`, `by`) and the
// `rnn_forward` test (draws `x` (3, 10, 4), `a0`, `Waa`, `Wax`, `Wya`, `ba`, `by`); the
// `rnn_forward` test ran last. We try every candidate and keep the one that reproduces all
// five printed numbers. Note the unused `b` still consumes five draws, so `by` and `da_next`
// are the same in every candidate.

// %%
function baLeftBy(cell: "rnn_cell_forward test" | "rnn_forward test"): NDArray {
  const r = new RandomState(1);
  if (cell === "rnn_cell_forward test") r.randn(3, 10);
  else r.randn(3, 10, 4);
  r.randn(5, 10); // a_prev / a0
  r.randn(5, 5); // Waa
  r.randn(5, 3); // Wax
  r.randn(2, 5); // Wya
  return r.randn(5, 1); // ba
}

const printedNames = {
  dxt: ['gradients["dxt"][1][2]', [1, 2]],
  da_prev: ['gradients["da_prev"][2][3]', [2, 3]],
  dWax: ['gradients["dWax"][3][1]', [3, 1]],
  dWaa: ['gradients["dWaa"][1][2]', [1, 2]],
  dba: ['gradients["dba"][4]', [4, 0]],
} as const;

type G = ReturnType<typeof gradientsWith>;
function misses(g: G): number {
  let worst = 0;
  for (const [key, [name, [i, j]]] of Object.entries(printedNames)) {
    const ours = g[key as keyof G].get(i, j);
    const pub = lesson.publishedValue(name).value as number | number[];
    worst = Math.max(worst, Math.abs(ours - (Array.isArray(pub) ? pub[0] : pub)));
  }
  return worst;
}

const candidates = {
  "ba drawn by this cell (as printed)": ba_drawn,
  "ba left by the rnn_cell_forward test": baLeftBy("rnn_cell_forward test"),
  "ba left by the rnn_forward test": baLeftBy("rnn_forward test"),
};
for (const [label, ba] of Object.entries(candidates)) {
  console.log(
    `${label.padEnd(40)} largest miss over the five printed values: ${
      misses(gradientsWith(ba)).toExponential(2)
    }`,
  );
}

// %% [markdown]
// Only the `ba` of the `rnn_forward` test reproduces the printout, to within rounding: not
// to the last digit (the ULP table below says how far each value is, and why), but far
// closer than any other candidate. That is the state the printed code does not show. From
// here on we use it. Which arithmetic printed the very last digits is lesson 8's question.

// %%
const ba = baLeftBy("rnn_forward test");
await show("ba (left by the rnn_forward test)", ba.T);
const parameters: RnnParameters = { Wax, Waa, Wya, ba, by };
const { a_next, yt_pred, cache } = rnn_cell_forward(xt, a_prev, parameters);
const gradients = rnn_cell_backward(da_next, cache);
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  console.log(`${name} =`, gradients[key].get(i, j));
  console.log(`gradients["${key}"].shape =`, `(${gradients[key].shape.join(", ")})`);
}
await show('gradients["dba"][4]', gradients.dba.take(0, 4));
console.log('gradients["dba"].shape =', `(${gradients.dba.shape.join(", ")})`);

// %% [markdown]
// ## How many ULPs, and why not zero?
//
// The source printed four values with Python's `repr`, i.e. *every* digit of a float64: each
// printed decimal names exactly one double. So we can count how many doubles lie between
// ours and theirs (the distance in *units in the last place*, ULPs).
//
// Both programs evaluate the same formula in float64, but not in the same order. numpy's
// `np.dot` hands the work to a BLAS library, which splits each dot product into several
// interleaved partial sums (one per SIMD lane), combines them at the end, and on recent CPUs
// uses fused multiply-add (`a·b + c` rounded once instead of twice). Our `dot` adds one
// product at a time in index order. Floating-point addition is not associative, so the last
// bits differ. `tanh` is also computed by different libraries (V8's vs glibc's), each
// faithful to within an ULP. To see the effect of order alone, we recompute each printed
// entry's final dot product from the *same* inputs in three orders: sequential (ours),
// four SIMD-style lanes, and compensated (Dot2 — as if in double the precision, then
// rounded: a stand-in for the exact value of this last step). We also show numpy's result on
// this machine (numpy+OpenBLAS, from `tools/gen_rnn_cell_reference.py`).

// %%
const dtanh = a_next.square().neg().add(1).mul(da_next);
const col = (a: NDArray, j: number) => a.take(1, j).data;
const row = (a: NDArray, i: number) => a.take(0, i).data;
const terms = {
  dxt: [col(Wax, 1), col(dtanh, 2)],
  da_prev: [col(Waa, 2), col(dtanh, 3)],
  dWax: [row(dtanh, 3), row(xt, 1)],
  dWaa: [row(dtanh, 1), row(a_prev, 2)],
} as const;

const numpyRef = readDataJson<Record<string, Record<string, string[]>>>(
  "rnn_cell/numpy_reference.json",
);
const numpyAt = (key: string, i: number, j: number, cols: number) =>
  Number(numpyRef.rnn_cell_backward[key][i * cols + j]);

// The same final step fed with numpy's own a⟨t⟩ (its tanh, its order for z):
const aNumpy = new NDArray(numpyRef.rnn_cell_backward.a_next.map(Number), [5, 10]);
const dtanhNumpy = aNumpy.square().neg().add(1).mul(da_next);
const termsNumpy = {
  dxt: [col(Wax, 1), col(dtanhNumpy, 2)],
  da_prev: [col(Waa, 2), col(dtanhNumpy, 3)],
  dWax: [row(dtanhNumpy, 3), row(xt, 1)],
  dWaa: [row(dtanhNumpy, 1), row(a_prev, 2)],
} as const;

const ulpRows: Record<string, Record<string, number>> = {};
console.log("ULPs from the published value:");
console.log(
  "entry".padEnd(28),
  "sequential  4 lanes  compensated  numpy's a⟨t⟩, 4 lanes  numpy here",
);
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  const published = lesson.publishedValue(name).value as number;
  const [x, y] = terms[key];
  const r = {
    sequential: ulpDistance(published, dotSequential(x, y)),
    lanes4: ulpDistance(published, dotLanes(x, y, 4)),
    compensated: ulpDistance(published, dotCompensated(x, y)),
    numpyInputsLanes4: ulpDistance(published, dotLanes(termsNumpy[key][0], termsNumpy[key][1], 4)),
    numpyHere: ulpDistance(published, numpyAt(key, i, j, gradients[key].shape[1])),
  };
  ulpRows[name] = r;
  console.log(
    name.padEnd(28),
    String(r.sequential).padStart(10),
    String(r.lanes4).padStart(8),
    String(r.compensated).padStart(12),
    String(r.numpyInputsLanes4).padStart(22),
    String(r.numpyHere).padStart(11),
  );
}
lesson.value("ulps_from_published", ulpRows);
await plot(
  heatmap({
    title: "ULPs from the published value (colour: |ULPs|)",
    rows: Object.keys(ulpRows),
    cols: ["sequential", "4 lanes", "compensated", "numpy a⟨t⟩, 4 lanes", "numpy here"],
    values: Object.values(ulpRows).map((r) => [
      r.sequential,
      r.lanes4,
      r.compensated,
      r.numpyInputsLanes4,
      r.numpyHere,
    ]),
    absolute: true,
    colorTitle: "|ULPs|",
    format: String,
  }),
  "lesson01_ulps",
);
const aUlps = [...a_next.data].map((v, k) => Math.abs(ulpDistance(aNumpy.data[k], v)));
const aDiffer = aUlps.filter((d) => d > 0).length;
console.log(
  `our a⟨t⟩ differs from numpy's in ${aDiffer} of ${aUlps.length} entries, by at most ${
    Math.max(...aUlps)
  } ULP(s)`,
);
lesson.value("a_next_entries_differing_from_numpy", {
  count: aDiffer,
  maxUlps: Math.max(...aUlps),
});

// %% [markdown]
// Read the table by columns. Changing only the *order* of the last sum (sequential, four
// lanes, compensated) moves a value by an ULP or two. But `da_prev[2][3]` sits 30 ULPs away
// whatever the order — until we feed the same last step with numpy's own $a^{\langle t\rangle}$:
// then it lands 2 ULPs away, like the others. Our $a^{\langle t\rangle}$ differs from numpy's
// in many entries by a few ULPs (the line above counts them: a different `tanh` library, a
// different order for the nine terms of $z$), and this entry amplifies that: its terms
// nearly cancel (the result, 0.084, is much smaller than the terms it sums), and $1-a^2$
// for $|a|$ close to 1 turns a one-ULP change of $a$ into a large relative change. The general rule: a computed sum's
// error scales with $\sum_k |\text{term}_k|$ and with how sensitive each term is to what
// came before, not with the size of the result.
//
// ## A tolerance that comes from the computation
//
// So what should "reproduced" mean for a value printed with all its digits? Half a unit of
// the last printed digit covers only the printing. The computation adds its own error, and
// we can bound it (to first order) from the data, with $u = 2^{-53}$ and Higham's
// $\gamma_n = nu/(1-nu)$ for an $n$-term sum:
//
// - $z = W_{ax}x + W_{aa}a_{prev} + b_a$ (9 terms): $|\delta z| \le \gamma_9 \sum|\text{terms}|$;
// - $a=\tanh z$: $|\delta a| \le (1-a^2)|\delta z| + 2u|a|$ (the library's tanh within an ULP);
// - $q = 1 - a\cdot a$: $|\delta q| \le 2|a||\delta a| + u\,a^2 + u|q|$;
// - $d_{\tanh} = q \cdot$ `da_next`: $|\delta d| \le |da||\delta q| + u|d|$;
// - the printed entry $\sum_k w_k d_k$: $\gamma_n \sum_k |w_k d_k| + \sum_k |w_k||\delta d_k|$.
//
// Each program is within this bound of the exact value, so two programs are within twice
// it of each other. That is the `roundoff` we add to the printing tolerance.

// %%
const u = UNIT_ROUNDOFF;
const zAbs = Wax.abs().dot(xt.abs()).add(Waa.abs().dot(a_prev.abs())).add(ba.abs());
const dz = zAbs.mul(gamma(9));
const q = a_next.square().neg().add(1);
const dA = q.mul(dz).add(a_next.abs().mul(2 * u));
const dQ = a_next.abs().mul(dA).mul(2).add(a_next.square().mul(u)).add(q.abs().mul(u));
const dD = da_next.abs().mul(dQ).add(dtanh.abs().mul(u));

/** First-order error bound of C = A·B from the errors dA, dB of its factors. */
function productBound(A: NDArray, dA: NDArray, B: NDArray, dB: NDArray): NDArray {
  const n = A.shape[1];
  return A.abs().dot(B.abs()).mul(gamma(n)).add(dA.dot(B.abs())).add(A.abs().dot(dB));
}
const none = (a: NDArray) => NDArray.zeros(a.shape);
const ones = NDArray.ones([10, 1]);
// Each program is within the bound of the exact value, so two programs within twice it.
const roundoffs = {
  dxt: productBound(Wax.T, none(Wax.T), dtanh, dD).mul(2),
  da_prev: productBound(Waa.T, none(Waa.T), dtanh, dD).mul(2),
  dWax: productBound(dtanh, dD, xt.T, none(xt.T)).mul(2),
  dWaa: productBound(dtanh, dD, a_prev.T, none(a_prev.T)).mul(2),
  dba: productBound(dtanh, dD, ones, none(ones)).mul(2),
};
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  const bound = roundoffs[key].get(i, j);
  const value = gradients[key].get(i, j);
  console.log(
    `${name.padEnd(28)} roundoff bound ${bound.toExponential(2)} = ${
      (bound / ulpOf(value)).toFixed(0)
    } ULPs of the value`,
  );
}

// %% [markdown]
// ## The functions are right: numerical gradients
//
// Independently of any printout, the backward pass must agree with central differences of
// the forward pass. We check every entry of every gradient with an upstream gradient
// `da_next`: the numerical gradient of $\sum a^{\langle t\rangle}\odot da_{next}$, by the
// course's one policy (`lib/gradient_policy.ts`): per entry, the error must be within twice the
// truncation measured by halving the step plus the rounding measured from the loss itself.
// A check is only worth its power, so we also plant bugs in the backward pass — a transposed
// $dW_{aa}$, $a^{\langle t\rangle}$ where $a^{\langle t-1\rangle}$ belongs, and gradients
// scaled by $1 + s$ — and require the check to flag each (one step has no carry to drop); the table
// shows the smallest relative error it would flag.

// %%
const forwardLoss = () => rnn_cell_forward(xt, a_prev, parameters).a_next.mul(da_next).sum();
const checked = { dxt: xt, da_prev: a_prev, dWax: Wax, dWaa: Waa, dba: ba };
const analytic = {
  dxt: gradients.dxt,
  da_prev: gradients.da_prev,
  dWax: gradients.dWax,
  dWaa: gradients.dWaa,
  dba: gradients.dba,
};
const policy = checkGradients(forwardLoss, checked, analytic);
console.log(wrapLine(`backward vs central differences: ${policy.summary}`));
lesson.gradientCheck("all five gradients vs numerical gradient (gradient policy)", policy);
const planted: [string, Record<string, NDArray>][] = [
  ["dWaa transposed", plantedBugs.transposed(analytic, "dWaa")],
  // dW_aa = d_tanh · (a⟨t−1⟩)ᵀ; the slip pairs d_tanh with the step's own output a⟨t⟩
  ["a⟨t⟩ used for a⟨t−1⟩ in dWaa", { ...analytic, dWaa: dot(dtanh, a_next.T) }],
  ["every gradient scaled by 1 + 1e-3", plantedBugs.scaled(analytic, 1e-3)],
  ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(analytic, 1e-5)],
];
lesson.flagsPlantedBugs(forwardLoss, checked, planted);
lesson.value("gradient check: smallest detectable relative error", policy.smallestDetectable);
await show("yt_pred[:, :3] (softmax of each column)", yt_pred.slice(1, 0, 3));

// %% [markdown]
// ## Published values
//
// Every number the source printed, with the tolerance it was printed to plus the roundoff
// bound derived above; and every full gradient against numpy on this machine, at the same
// kind of bound (we use the largest entry-wise bound of that array).

// %%
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  lesson.published(name, gradients[key].get(i, j), { roundoff: roundoffs[key].get(i, j) });
  lesson.published(`gradients["${key}"].shape`, [...gradients[key].shape]);
}
lesson.published('gradients["dba"][4]', gradients.dba.get(4, 0));
lesson.published('gradients["dba"].shape', [...gradients.dba.shape]);

for (const key of ["dxt", "da_prev", "dWax", "dWaa", "dba"] as const) {
  const ref = new NDArray(numpyRef.rnn_cell_backward[key].map(Number), gradients[key].shape);
  lesson.check(`${key} (all entries) vs numpy`, gradients[key], ref, {
    tolerance: roundoffs[key].max(),
    against: "numpy+BLAS here (tools/gen_rnn_cell_reference.py); largest roundoff bound",
  });
}
lesson.value("ba", ba);
await lesson.end();
